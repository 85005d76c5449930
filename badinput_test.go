package rab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadInputIsErrInvalidInput is the bad-input table of the public API: every case
// is an error wrapping ErrInvalidInput (and not ErrCorrupt) whose message names the
// problem, and none panics.
func TestBadInputIsErrInvalidInput(t *testing.T) {
	X, y := blobs(10, 16)
	knnModel, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), WithLevels(20))
	require.NoError(t, err)
	ensModel, err := Train(context.Background(), X, y, WithSigma(0.5), WithModels(20), WithAlpha(0.1))
	require.NoError(t, err)
	var nilCtx context.Context // a nil context, as a caller might pass by mistake
	bg := context.Background()
	zeros := make([]int, len(X))
	ones := make([]int, len(X))
	for i := range ones {
		ones[i] = 1
	}
	train := func(yy []int, opts ...Option) func() error {
		return func() error { _, err := Train(bg, X, yy, opts...); return err }
	}
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"Train nil context", func() error { _, err := Train(nilCtx, X, y, WithKNN(1), WithSigma(1)); return err }, "rab: Train: nil context"},
		{"Certify nil context", func() error { _, err := Certify(nilCtx, X, y, X, WithKNN(1), WithSigma(1)); return err }, "rab: Certify: nil context"},
		{"Model.Certify nil context", func() error { _, err := knnModel.Certify(nilCtx, X[0]); return err }, "rab: Certify: nil context"},
		{"CertifyBatch nil context", func() error { _, err := ensModel.CertifyBatch(nilCtx, X); return err }, "rab: CertifyBatch: nil context"},
		{"Load nil reader", func() error { _, err := Load(nil); return err }, "rab: Load: nil reader"},
		{"Save nil writer", func() error { return knnModel.Save(nil) }, "rab: Save: nil writer"},
		{"FromEnsemble nil", func() error { _, err := FromEnsemble(nil); return err }, "rab: FromEnsemble: nil ensemble"},
		{"CertifyBatch empty", func() error { _, err := knnModel.CertifyBatch(bg, nil); return err }, "rab: CertifyBatch: inputs: empty data"},
		{"CertifyBatch no columns", func() error { _, err := ensModel.CertifyBatch(bg, [][]float64{{}}); return err }, "rab: CertifyBatch: inputs: empty data"},
		{"CertifyBatch ragged", func() error { _, err := knnModel.CertifyBatch(bg, [][]float64{{0, 0}, {0}}); return err }, "rab: CertifyBatch: inputs: row 1: 1 features, row 0 has 2"},
		{"CertifyBatch NaN", func() error { _, err := ensModel.CertifyBatch(bg, [][]float64{{0, 0}, {0, math.NaN()}}); return err }, "rab: CertifyBatch: inputs: row 1, feature 1: value NaN: values must be finite"},
		{"CertifyBatch dimension", func() error { _, err := ensModel.CertifyBatch(bg, [][]float64{{0, 0, 0}}); return err }, "rab: CertifyBatch: inputs have 3 features, the training rows have 2"},
		{"Certify Inf", func() error { _, err := knnModel.Certify(bg, []float64{math.Inf(1), 0}); return err }, "rab: Certify: inputs: row 0, feature 0: value +Inf"},
		{"Certify dimension", func() error { _, err := knnModel.Certify(bg, []float64{1, 2, 3}); return err }, "rab: Certify: inputs have 3 features, the training rows have 2"},
		{"Certify empty tests", func() error { _, err := Certify(bg, X, y, nil, WithKNN(1), WithSigma(1)); return err }, "rab: Certify: test inputs: empty data"},
		{"Certify tests dimension", func() error { _, err := Certify(bg, X, y, [][]float64{{1}}, WithKNN(1), WithSigma(1)); return err }, "rab: Certify: test inputs have 1 features, the training rows have 2"},
		{"all labels 0", train(zeros, WithKNN(1), WithSigma(1)), "rab: Train: every training label is 0: certification needs at least 2 classes"},
		{"all labels 1", train(ones, WithKNN(1), WithSigma(1)), "rab: Train: every training label is 1: certification needs at least 2 classes"},
		{"ensemble all labels 0", train(zeros, WithSigma(1), WithModels(20), WithAlpha(0.1)), "rab: Train: every training label is 0"},
		{"ensemble all labels 1", train(ones, WithSigma(1), WithModels(20), WithAlpha(0.1)), "rab: Train: every training label is 1"},
		{"labels of 3 rows, all 0", train(zeros[:3], WithSigma(1), WithModels(20), WithAlpha(0.1)), "rab: Train: ensemble: Train: 3 labels for 20 rows"},
		{"ensemble label -1", train(append([]int{-1}, y[1:]...), WithSigma(1), WithModels(20), WithAlpha(0.1)), "rab: Train: ensemble: Train: row 0: label -1 is outside [0, 2)"},
		{"ensemble ragged", func() error {
			_, err := Train(bg, [][]float64{{0, 0}, {1}}, []int{0, 1}, WithSigma(1), WithModels(20), WithAlpha(0.1))
			return err
		}, "rab: Train: ensemble: Train: row 1: 1 features, row 0 has 2"},
		{"ensemble too many models", train(y, WithSigma(1), WithModels(1<<30)), "rab: Train: ensemble: Train: WithModels(1073741824): want 1 to 1048576 members"},
		{"K-NN label 2", train(append([]int{2}, y[1:]...), WithKNN(1), WithSigma(1), WithClasses(2)), "rab: Train: knn: New: row 0: label 2 outside [0, 2)"},
		{"K-NN label -1", train(append([]int{-1}, y[1:]...), WithKNN(1), WithSigma(1)), "rab: Train: knn: New: row 0: label -1 is negative"},
		{"K-NN labels of 3 rows", train(y[:3], WithKNN(1), WithSigma(1)), "rab: Train: knn: New: 3 labels for 20 training rows"},
		{"K-NN ragged", func() error {
			_, err := Train(bg, [][]float64{{0, 0}, {1}}, []int{0, 1}, WithKNN(1), WithSigma(1))
			return err
		}, "rab: Train: knn: New: training set: row 1: 1 features, row 0 has 2"},
		{"K-NN empty", func() error { _, err := Train(bg, nil, nil, WithKNN(1), WithSigma(1)); return err }, "rab: Train: knn: New: training set: empty data"},
		{"K > n", train(y, WithKNN(50), WithSigma(1)), "rab: Train: knn: New: WithK(50): K must lie in [1, n] = [1, 20]"},
		{"K-NN σ too large", train(y, WithKNN(1), WithSigma(1e300)), "σ is outside the representable range"},
		{"K-NN levels too many", train(y, WithKNN(1), WithSigma(1), WithLevels(1<<20)), "rab: Train: knn: New: WithLevels(1048576): want 2 to 65536 levels"},
		{"K-NN edges decreasing", train(y, WithKNN(1), WithSigma(1), WithEdges([]float64{2, 1})), "edges must be strictly increasing"},
		{"K-NN classes too many", train(y, WithKNN(1), WithSigma(1), WithClasses(5000)), "rab: Train: knn: New: WithClasses(5000): at most 1024 classes"},
		{"no noise", train(y), "rab: Train: no smoothing noise: give WithSigma(σ)"},
		{"σ = 0", train(y, WithSigma(0)), "rab: Train: smoothing: Gaussian σ = 0: want a finite σ > 0"},
		{"σ = +Inf", train(y, WithKNN(1), WithSigma(math.Inf(1))), "σ = +Inf"},
		{"uniform a > b", train(y, WithUniform(1, -1)), "rab: Train: smoothing: Uniform [1, -1]: want a < b"},
		{"σ and uniform", train(y, WithSigma(1), WithUniform(-1, 1)), "rab: Train: both WithSigma and WithUniform given"},
		{"α = 1", train(y, WithSigma(1), WithAlpha(1)), "rab: Train: WithAlpha(1): want 0 < α < 1"},
		{"α NaN", train(y, WithSigma(1), WithAlpha(math.NaN())), "rab: Train: WithAlpha(NaN): want 0 < α < 1"},
		{"N too small", train(y, WithSigma(1), WithModels(5)), "rab: Train: 5 models are too few for α = 0.001 and 2 classes"},
		{"K = 0", train(y, WithKNN(0), WithSigma(1)), "rab: Train: WithKNN(0): want K ≥ 1"},
		{"levels 1", train(y, WithKNN(1), WithSigma(1), WithLevels(1)), "rab: Train: WithLevels(1): want at least 2 distance levels"},
		{"classes 1", train(y, WithSigma(1), WithClasses(1)), "rab: Train: WithClasses(1): want at least 2 classes"},
		{"workers 0", train(y, WithSigma(1), WithWorkers(0)), "rab: Train: WithWorkers(0): want at least 1 worker"},
		{"Load workers -1", func() error { _, err := Load(strings.NewReader(""), WithWorkers(-1)); return err }, "rab: Load: WithWorkers(-1)"},
		{"Load α 0", func() error { _, err := Load(strings.NewReader(""), WithAlpha(0)); return err }, "rab: Load: WithAlpha(0): want 0 < α < 1"},
		{"FromEnsemble too small for α", func() error {
			_, err := FromEnsemble(ensModel.b.(*ensembleBackend).e, WithAlpha(1e-12))
			return err
		}, "rab: FromEnsemble: 20 models are too few for α = 1e-12"},
		{"CertifiedAccuracy empty", func() error { _, err := CertifiedAccuracy(nil, nil, 0); return err }, "rab: CertifiedAccuracy: no certificates"},
		{"CertifiedAccuracy labels", func() error { _, err := CertifiedAccuracy(make([]Certificate, 2), []int{0}, 0); return err }, "2 certificates but 1 labels"},
		{"CertifiedAccuracy norm", func() error { _, err := CertifiedAccuracy(make([]Certificate, 1), []int{0}, -1); return err }, "norm = -1"},
		{"empty Model", func() error { _, err := (&Model{}).CertifyBatch(bg, X); return err }, "rab: CertifyBatch: empty Model"},
		{"Norm marshal", func() error { _, err := Norm(7).MarshalText(); return err }, "Norm(7) is neither L2 nor L1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = c.call() })
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.NotErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestInputErrorLocatesTheProblem: a bad value in a batch is an *InputError naming its
// row and feature.
func TestInputErrorLocatesTheProblem(t *testing.T) {
	X, y := blobs(10, 17)
	m, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), WithLevels(20))
	require.NoError(t, err)
	_, err = m.CertifyBatch(context.Background(), [][]float64{{0, 0}, {0, 0}, {0, math.NaN()}})
	var ie *InputError
	require.True(t, errors.As(err, &ie), "%v", err)
	assert.Equal(t, [2]int{2, 1}, [2]int{ie.Row, ie.Feature})

	bad := append([][]float64(nil), X...)
	bad[3] = []float64{0, math.Inf(-1)}
	for _, opts := range [][]Option{{WithKNN(1), WithSigma(1)}, {WithSigma(1), WithModels(20), WithAlpha(0.1)}} {
		_, err := Train(context.Background(), bad, y, opts...)
		var ie *InputError
		require.True(t, errors.As(err, &ie), "%v", err)
		assert.Equal(t, [2]int{3, 1}, [2]int{ie.Row, ie.Feature}, "training set: %v", err)
	}
}

// TestOneClassRule: a training set of one class is an error whichever class it is,
// for both smoothers, and accepted with WithClasses when the other classes exist.
func TestOneClassRule(t *testing.T) {
	X, _ := blobs(5, 18)
	for _, label := range []int{0, 1} {
		y := make([]int, len(X))
		for i := range y {
			y[i] = label
		}
		for _, opts := range [][]Option{{WithKNN(3), WithSigma(1)}, {WithSigma(1), WithModels(20), WithAlpha(0.1)}} {
			_, err := Train(context.Background(), X, y, opts...)
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.ErrorContains(t, err, "at least 2 classes; pass WithClasses(C)")
			m, err := Train(context.Background(), X, y, append(opts, WithClasses(2))...)
			require.NoError(t, err, "a class absent from the training set is fine when declared")
			c, err := m.Certify(context.Background(), X[0])
			require.NoError(t, err)
			assert.Equal(t, label, c.Class)
		}
	}
}

// TestCancelledContextStopsTrain: an already-cancelled context stops Train of either
// smoother with ctx.Err(), neither sentinel.
func TestCancelledContextStopsTrain(t *testing.T) {
	X, y := blobs(10, 19)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, opts := range [][]Option{{WithKNN(1), WithSigma(1)}, {WithSigma(1), WithModels(20), WithAlpha(0.1)}} {
		_, err := Train(ctx, X, y, opts...)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, ErrInvalidInput)
		_, err = Certify(ctx, X, y, X, opts...)
		assert.ErrorIs(t, err, context.Canceled)
	}
}

// TestLoadCorruptIsErrCorrupt: every way a file can be damaged is an error wrapping
// ErrCorrupt, never ErrInvalidInput; a failing reader's own error passes through.
func TestLoadCorruptIsErrCorrupt(t *testing.T) {
	X, y := blobs(10, 20)
	m, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), WithLevels(20))
	require.NoError(t, err)
	data, err := io.ReadAll(saved(t, m))
	require.NoError(t, err)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":          {nil, "reading header: EOF (not a rab model file, or truncated)"},
		"half a header":  {data[:20], "reading header: unexpected EOF"},
		"bad magic":      {append([]byte("RABM0DEL"), data[8:]...), "bad magic"},
		"no payload":     {data[:headerSize+32], "reading K-NN payload length: EOF"},
		"short payload":  {data[:len(data)-40], "reading K-NN payload: EOF"},
		"no checksum":    {data[:len(data)-10], "reading K-NN payload checksum: unexpected EOF"},
		"flipped":        {flip(data, len(data)/2), "K-NN payload fails its SHA-256 check"},
		"trailing":       {append(bytes.Clone(data), "more"...), "trailing data after the model"},
		"second model":   {append(bytes.Clone(data), data...), "trailing data after the model"},
		"huge length":    {withLength(data, 1<<40), "K-NN payload of 1099511627776 bytes"},
		"version 1 file": {version1(data), "file format version 1, this rab reads version 2"},
	}
	for name, c := range cases {
		_, err := Load(bytes.NewReader(c.data))
		assert.ErrorIs(t, err, ErrCorrupt, name)
		assert.NotErrorIs(t, err, ErrInvalidInput, name)
		assert.ErrorContains(t, err, c.want, name)
	}
	ens, err := Train(context.Background(), X, y, WithSigma(0.5), WithModels(20), WithAlpha(0.1))
	require.NoError(t, err)
	file, err := io.ReadAll(saved(t, ens))
	require.NoError(t, err)
	for cut := 0; cut < len(file); cut += 1 + len(file)/50 {
		_, err := Load(bytes.NewReader(file[:cut]))
		assert.ErrorIs(t, err, ErrCorrupt, "ensemble file cut at %d of %d bytes", cut, len(file))
		_, err = Load(bytes.NewReader(flip(file, cut)))
		assert.ErrorIs(t, err, ErrCorrupt, "ensemble file, byte %d flipped", cut)
	}
	_, err = Load(bytes.NewReader(append(bytes.Clone(file), 0)))
	assert.ErrorContains(t, err, "trailing data after the model")
	_, err = Load(io.MultiReader(bytes.NewReader(data[:30]), failingReader{}))
	assert.ErrorIs(t, err, errDisk)
	assert.NotErrorIs(t, err, ErrCorrupt)
}

var errDisk = errors.New("disk on fire")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errDisk }

func flip(data []byte, i int) []byte {
	out := bytes.Clone(data)
	out[i] ^= 1
	return out
}

// withLength returns data with the first block's length field set to n.
func withLength(data []byte, n uint64) []byte {
	out := bytes.Clone(data)
	p := headerSize + 32
	for i := range 8 {
		out[p+i] = byte(n >> (8 * i))
	}
	return out
}

// version1 returns the header of data rewritten as version 1, with a valid checksum.
func version1(data []byte) []byte {
	out := bytes.Clone(data)
	out[len(fileMagic)] = 1
	sum := sha256.Sum256(out[:headerSize])
	copy(out[headerSize:], sum[:])
	return out
}
