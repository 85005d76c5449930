package ensemble_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/internal/synth"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/smoothing"
)

// thresholdKind is the kind of thresholdModel, registered for the tests' Load calls.
const thresholdKind = "ensemble_test.threshold"

func init() {
	ensemble.RegisterDecoder(thresholdKind, func(data []byte) (ensemble.Model, error) {
		if len(data) != 16 {
			return nil, errors.New("threshold: want 16 bytes")
		}
		return &thresholdModel{
			cut:   math.Float64frombits(binary.LittleEndian.Uint64(data)),
			class: int(int64(binary.LittleEndian.Uint64(data[8:]))),
		}, nil
	})
}

// thresholdModel votes class if x[0] > cut and 0 otherwise. It takes inputs of any
// length (it is not Dimensioned) and is not safe for concurrent use: Predict flags
// overlapping calls, which the race detector and the busy check catch.
type thresholdModel struct {
	cut   float64
	class int
	busy  bool
}

func (m *thresholdModel) Predict(X [][]float64, out []int) error {
	if m.busy {
		return errors.New("threshold: concurrent Predict")
	}
	m.busy = true
	defer func() { m.busy = false }()
	for i, x := range X {
		out[i] = 0
		if x[0] > m.cut {
			out[i] = m.class
		}
	}
	return nil
}

func (m *thresholdModel) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint64(nil, math.Float64bits(m.cut))
	return binary.LittleEndian.AppendUint64(b, uint64(int64(m.class))), nil
}

func (m *thresholdModel) Kind() string { return thresholdKind }

// plainModel is a Model that is not Kinded and whose MarshalBinary can fail.
type plainModel struct {
	fail bool
	id   int // distinguishes the bytes of otherwise equal models
}

func (plainModel) Predict(X [][]float64, out []int) error { clear(out); return nil }

func (m plainModel) MarshalBinary() ([]byte, error) {
	if m.fail {
		return nil, errors.New("plain: cannot marshal")
	}
	return fmt.Appendf(nil, "plain %d", m.id), nil
}

// dimModel is a plainModel that reports an input dimension.
type dimModel struct {
	plainModel
	dim int
}

func (m dimModel) InputDim() int { return m.dim }

// learnerFunc adapts a function to ensemble.BaseLearner.
type learnerFunc func(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error)

func (f learnerFunc) Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error) {
	return f(ctx, X, y, classes, seed)
}

// blobs returns n separable points per class (centres ±3, see synth.Blobs).
func blobs(n, d, classes int, seed uint64) ([][]float64, []int) {
	return synth.Blobs(n, d, classes, 3, seed)
}

func gaussian(t testing.TB, sigma float64) smoothing.Noise {
	t.Helper()
	n, err := smoothing.Gaussian(sigma)
	require.NoError(t, err)
	return n
}

func newLogistic(t testing.TB) *logistic.Learner {
	t.Helper()
	l, err := logistic.New()
	require.NoError(t, err)
	return l
}

// trainBlobs trains a small logistic ensemble on 3-class blobs.
func trainBlobs(t testing.TB, opts ...ensemble.Option) (*ensemble.Ensemble, [][]float64) {
	t.Helper()
	X, y := blobs(20, 4, 3, 1)
	e, err := ensemble.Train(context.Background(), X, y, newLogistic(t), gaussian(t, 1), append([]ensemble.Option{ensemble.WithModels(12), ensemble.WithSeed(7)}, opts...)...)
	require.NoError(t, err)
	return e, X
}

// saved returns e's Save output.
func saved(t testing.TB, e *ensemble.Ensemble) []byte {
	t.Helper()
	var buf bytesBuffer
	require.NoError(t, e.Save(&buf))
	return buf.b
}

// bytesBuffer is a minimal io.Writer, so that tests do not depend on bytes.Buffer's
// read side.
type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

func votes(t testing.TB, e *ensemble.Ensemble, X [][]float64) [][]int {
	t.Helper()
	v, err := e.VotesBatch(context.Background(), X)
	require.NoError(t, err)
	return v
}

// bytesReader returns an io.Reader over b that reads at most 7 bytes per call, to
// exercise short reads.
func bytesReader(b []byte) *shortReader { return &shortReader{b: b} }

type shortReader struct{ b []byte }

func (r *shortReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], r.b)
	r.b = r.b[n:]
	return n, nil
}
