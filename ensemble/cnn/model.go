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
		return noRows("Predict")
	}
	if len(out) != len(X) {
		return errs.Invalid("cnn: Predict: %d rows but len(out) = %d; want equal lengths", len(X), len(out))
	}
	classes := m.net.classes
	return m.run("Predict", X, func(s *slab, lo, hi int) {
		logits := s.act[len(s.act)-1]
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
	})
}

// HiddenDim returns the width of the rows Hidden returns: the last hidden fully
// connected layer's width (512 for the reference MNIST network), or the number of
// pooled features if the network has no hidden fully connected layer.
func (m *Model) HiddenDim() int { return m.net.lay.denses[len(m.net.lay.denses)-1].in }

// Hidden returns, for every row of X, the network's last hidden layer: the input of its
// output layer, HiddenDim values — the ReLU outputs of the last hidden fully connected
// layer, or the flattened output of the last max-pool if there is none (WithHidden()).
// These are the representations that the empirical backdoor defences of the RAB paper
// read for networks (Section 7.1.3: "the activation of the last hidden layer"; package
// defense). Rows are checked and rounded to float32 as by Predict, and errors are
// Predict's.
func (m *Model) Hidden(X [][]float64) ([][]float64, error) {
	if len(X) == 0 {
		return nil, noRows("Hidden")
	}
	width, last := m.HiddenDim(), len(m.net.lay.denses)-1
	out := make([][]float64, len(X))
	flat := make([]float64, len(X)*width)
	err := m.run("Hidden", X, func(s *slab, lo, hi int) {
		h := m.net.denseInput(s, last, hi-lo)
		for i := lo; i < hi; i++ {
			row := flat[i*width : (i+1)*width : (i+1)*width]
			for j, v := range h[(i-lo)*width : (i-lo+1)*width] {
				row[j] = float64(v)
			}
			out[i] = row
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// noRows is the error of Predict and Hidden on an empty batch.
func noRows(call string) error {
	return errs.Invalid("cnn: %s: no rows: X is empty; pass at least one input", call)
}

// run checks and loads the rows of X, a block of up to predictRows at a time, runs each
// block through the network and hands the slab to each with the block's row range
// [lo, hi). call names the method in errors.
func (m *Model) run(call string, X [][]float64, each func(s *slab, lo, hi int)) error {
	s := m.getSlab()
	defer m.putSlab(s)
	d := m.net.inputs()
	for lo := 0; lo < len(X); lo += s.rows {
		hi := min(lo+s.rows, len(X))
		for i := lo; i < hi; i++ {
			if err := loadRow(s.in[(i-lo)*d:(i-lo+1)*d], X[i], i); err != nil {
				return fmt.Errorf("cnn: %s: %w", call, err)
			}
		}
		if _, overflow := m.net.forward(s, hi-lo); overflow {
			return errs.Invalid("cnn: %s: rows %d to %d: an activation overflows float32; the inputs are too large in magnitude", call, lo, hi-1)
		}
		each(s, lo, hi)
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
