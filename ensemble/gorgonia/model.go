package gorgonia

import (
	"fmt"
	"math"
	"sync"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// Model kinds, under which the package registers its decoder with
// ensemble.RegisterDecoder (both kinds share the same byte format, which records the
// architecture).
const (
	KindMLP = "gorgonia-mlp"
	KindCNN = "gorgonia-cnn"
)

func init() {
	decode := func(data []byte) (ensemble.Model, error) { return Decode(data) }
	ensemble.RegisterDecoder(KindMLP, decode)
	ensemble.RegisterDecoder(KindCNN, decode)
}

// Model is a trained network. It predicts in plain Go from its weights (Gorgonia is
// used for training only), so Predict takes any batch size, allocates nothing in the
// steady state, and is safe for concurrent use.
type Model struct {
	net     *network
	scratch sync.Pool // of *[]float64, two activation buffers end to end
}

var (
	_ ensemble.Model       = (*Model)(nil)
	_ ensemble.Kinded      = (*Model)(nil)
	_ ensemble.Dimensioned = (*Model)(nil)
)

// newModel wraps a network whose architecture has been validated.
func newModel(n *network) *Model {
	m := &Model{net: n}
	size := 2 * n.maxActivations()
	m.scratch.New = func() any {
		buf := make([]float64, size)
		return &buf
	}
	return m
}

// Decode rebuilds a Model from the bytes its MarshalBinary returned. Malformed bytes
// (wrong magic or version, an impossible architecture, a length that does not match
// the architecture, non-finite weights) give an error wrapping ensemble.ErrCorrupt.
// Decode does not keep data.
func Decode(data []byte) (*Model, error) {
	n, err := decode(data)
	if err != nil {
		return nil, err
	}
	return newModel(n), nil
}

// Kind returns KindCNN or KindMLP.
func (m *Model) Kind() string {
	if m.net.cnn {
		return KindCNN
	}
	return KindMLP
}

// InputDim returns the width of the rows the model takes: h·w·c for a CNN.
func (m *Model) InputDim() int { return m.net.inputs }

// MarshalBinary returns the model's serialisation: the magic bytes "RABGORG\x00", a
// format version (1), the architecture (input shape, filters, hidden widths,
// classes), then every weight as a little-endian IEEE 754 float64. Equal models give
// equal bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	return m.net.encode(), nil
}

// Predict writes into out[i] the class with the largest logit for row X[i] (the lowest
// such class on a tie). X must have at least one row; rows must have the model's input
// width and finite values; for a CNN they are flat channel-last images (see
// WithImageShape). Errors wrap ensemble.ErrInvalidInput.
func (m *Model) Predict(X [][]float64, out []int) error {
	if len(X) == 0 {
		return errs.Invalid("gorgonia: Predict: no rows: X is empty; pass at least one input")
	}
	if len(out) != len(X) {
		return errs.Invalid("gorgonia: Predict: %d rows but len(out) = %d; want equal lengths", len(X), len(out))
	}
	bufp := m.scratch.Get().(*[]float64)
	defer m.scratch.Put(bufp)
	half := len(*bufp) / 2
	a, b := (*bufp)[:half], (*bufp)[half:]
	for i, x := range X {
		if err := m.checkRow(i, x); err != nil {
			return fmt.Errorf("gorgonia: Predict: %w", err)
		}
		logits := m.net.logits(x, a, b)
		best := 0
		for k, v := range logits {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("gorgonia: Predict: %w", errs.At(i, -1, "%v", errNonFinite))
			}
			if v > logits[best] {
				best = k
			}
		}
		out[i] = best
	}
	return nil
}

// checkRow checks the width and values of input row i.
func (m *Model) checkRow(i int, x []float64) error {
	if len(x) != m.net.inputs {
		return errs.At(i, -1, "width %d, but the model takes %d inputs", len(x), m.net.inputs)
	}
	return check.Row(i, x)
}
