package cnn

import (
	"fmt"
	"math"
	"sync"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/errs"
)

// Kind is the model kind under which the package registers Decode with
// ensemble.RegisterDecoder, so that ensemble.Load reads ensembles of these models.
const Kind = "cnn"

func init() {
	ensemble.RegisterDecoder(Kind, func(data []byte) (ensemble.Model, error) { return Decode(data) })
}

// Model is a trained network: its architecture and its parameters as float32 (for the
// reference MNIST network, 277,000 parameters: 1.1 MB). Predict runs the network on
// blocks of rows as matrix products; a Model is safe for concurrent use.
type Model struct {
	net   *network
	slabs *sync.Pool // of *slab, shared by the models of this architecture
}

// newModel wraps a network whose architecture has been validated.
func newModel(n *network) *Model {
	a := &n.arch
	key := fmt.Sprint(a.h, a.w, a.c, a.kernel, a.padding, a.filters, a.hidden, a.classes)
	p, _ := slabPools.LoadOrStore(key, &sync.Pool{})
	return &Model{net: n, slabs: p.(*sync.Pool)}
}

var (
	_ ensemble.Model       = (*Model)(nil)
	_ ensemble.Kinded      = (*Model)(nil)
	_ ensemble.Dimensioned = (*Model)(nil)
)

// Kind returns Kind.
func (m *Model) Kind() string { return Kind }

// InputDim returns the width of the rows the model takes, h·w·c.
func (m *Model) InputDim() int { return m.net.inputs() }

// Classes returns the number of classes, the width of the output layer.
func (m *Model) Classes() int { return m.net.classes }

// predictRows is the number of rows Predict runs through the network at a time.
const predictRows = 64

// Predict writes into out[i] the class with the largest logit for row X[i] (the lowest
// such class on a tie). X must have at least one row; rows must have the model's input
// width and finite values that fit float32; they are rounded to float32. Errors wrap
// ensemble.ErrInvalidInput.
func (m *Model) Predict(X [][]float64, out []int) error {
	if len(X) == 0 {
		return errs.Invalid("cnn: Predict: no rows: X is empty; pass at least one input")
	}
	if len(out) != len(X) {
		return errs.Invalid("cnn: Predict: %d rows but len(out) = %d; want equal lengths", len(X), len(out))
	}
	s := m.getSlab()
	defer m.putSlab(s)
	d, classes := m.net.inputs(), m.net.classes
	for lo := 0; lo < len(X); lo += s.rows {
		hi := min(lo+s.rows, len(X))
		for i := lo; i < hi; i++ {
			if err := loadRow(s.in[(i-lo)*d:(i-lo+1)*d], X[i], i); err != nil {
				return fmt.Errorf("cnn: Predict: %w", err)
			}
		}
		logits, overflow := m.net.forward(s, hi-lo)
		if overflow {
			return errs.Invalid("cnn: Predict: rows %d to %d: an activation overflows float32; the inputs are too large in magnitude", lo, hi-1)
		}
		for i := lo; i < hi; i++ {
			z := logits[(i-lo)*classes : (i-lo+1)*classes]
			best := 0
			for c, v := range z {
				if v > z[best] {
					best = c
				}
			}
			out[i] = best
		}
	}
	return nil
}

// loadRow checks row i, x, and writes it as float32 into dst.
func loadRow(dst []float32, x []float64, i int) error {
	if len(x) != len(dst) {
		return errs.At(i, -1, "width %d, but the model takes %d inputs", len(x), len(dst))
	}
	for j, v := range x {
		if !(math.Abs(v) <= math.MaxFloat32) {
			return errs.At(i, j, "value %v is not a finite float32", v)
		}
		dst[j] = float32(v)
	}
	return nil
}

// slabPools holds, per architecture, the slabs Predict reuses, so that an ensemble of
// many models of one architecture shares a few slabs instead of holding one per model.
var slabPools sync.Map // architecture → *sync.Pool of *slab

func (m *Model) getSlab() *slab {
	if s, ok := m.slabs.Get().(*slab); ok {
		return s
	}
	return newSlab(&m.net.lay, m.net.inputs(), predictRows, false)
}

func (m *Model) putSlab(s *slab) { m.slabs.Put(s) }
