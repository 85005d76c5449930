package cnn

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// Learner trains convolutional networks; it implements ensemble.BaseLearner. A Learner
// is immutable and safe for concurrent use.
type Learner struct {
	cfg         config
	description string // Describe's configuration
}

var (
	_ ensemble.BaseLearner = (*Learner)(nil)
	_ ensemble.Describer   = (*Learner)(nil)
)

// New returns a learner of convolutional networks for the h×w×c images of
// WithImageShape: convolution blocks of WithFilters filters (default 16, 32), each a
// k×k convolution (WithKernel, default 5; WithPadding zeros, default none) with a bias
// → ReLU → 2×2 max-pool; then fully connected ReLU layers of the WithHidden widths
// (default 512); then one logit per class, trained to minimise the mean softmax
// cross-entropy. The defaults are the MNIST model and training of the paper's
// reference code. With WithInitialWeights the architecture is the initial model's.
// A nil option or an invalid value is an error wrapping ensemble.ErrInvalidInput.
func New(opts ...Option) (*Learner, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	l := &Learner{cfg: cfg}
	l.description = l.describe()
	return l, nil
}

// Describe returns Kind and a canonical JSON encoding of every setting that affects
// Fit (ensemble.Describer): image shape, kernel side, padding, filters, hidden widths,
// epochs, batch size, learning rate, optimiser and, with WithInitialWeights, the
// SHA-256 of the initial model's bytes. The number of threads is not a setting: the
// fitted model does not depend on it. No hidden layer is written "hidden":[], however
// the learner was configured (WithHidden(), WithHidden(widths...) with an empty slice,
// or initial weights without one), so that equal networks describe alike.
func (l *Learner) Describe() (kind, config string) { return Kind, l.description }

func (l *Learner) describe() string {
	a := &l.cfg.arch
	d := struct {
		Image        [3]int  `json:"image"`
		Kernel       int     `json:"kernel"`
		Padding      int     `json:"padding"`
		Filters      []int   `json:"filters"`
		Hidden       []int   `json:"hidden"`
		Epochs       int     `json:"epochs"`
		BatchSize    int     `json:"batchSize"`
		LearningRate float64 `json:"learningRate"`
		Optimizer    string  `json:"optimizer"`
		Initial      string  `json:"initialWeights,omitempty"`
	}{[3]int{a.h, a.w, a.c}, a.kernel, a.padding, a.filters, append([]int{}, a.hidden...), l.cfg.epochs, l.cfg.batchSize, l.cfg.rate, l.cfg.optimizer.String(), ""}
	if m := l.cfg.initial; m != nil {
		b, _ := m.MarshalBinary() // cannot fail
		d.Initial = fmt.Sprintf("sha256:%x", sha256.Sum256(b))
	}
	js, _ := json.Marshal(d) // cannot fail: integers, a finite float and strings
	return string(js)
}

// Fit trains a network on rows X with labels y in [0, classes) and returns it as a
// *Model; see FitModel.
func (l *Learner) Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error) {
	m, err := l.FitModel(ctx, X, y, classes, seed)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FitModel is Fit returning the concrete *Model (to pretrain a network that
// WithInitialWeights then fine-tunes, for instance). All randomness (the initial
// weights and the minibatch order of every epoch) comes from ChaCha8 generators keyed
// by the seed, so the same arguments give a model with bit-identical bytes, whatever
// the number of threads. The rows are rounded to float32. FitModel does not modify X
// or y and returns ctx.Err() if ctx is cancelled. Bad inputs, and training that
// diverges (lower the learning rate), are errors wrapping ensemble.ErrInvalidInput (an
// *ensemble.InputError naming the row and feature where there is one).
func (l *Learner) FitModel(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (*Model, error) {
	if ctx == nil {
		return nil, errs.Invalid("cnn: Fit: nil context")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := l.cfg.arch
	if err := l.checkData(X, y, classes); err != nil {
		return nil, fmt.Errorf("cnn: Fit: %w", err)
	}
	a.classes = classes
	lay, err := a.layout()
	if err != nil {
		return nil, errs.Invalid("cnn: Fit: %w", err)
	}
	net := &network{arch: a, lay: lay}
	if l.cfg.initial != nil {
		net.params = slices.Clone(l.cfg.initial.net.params)
	} else {
		net.params = initParams(&lay, newRNG(seed, "init"))
	}
	if l.cfg.epochs > 0 {
		t := &trainer{cfg: &l.cfg, net: net, X: toFloat32(X, a.inputs()), y: y, rows: lay.slabRows()}
		if err := t.train(ctx, newRNG(seed, "order")); err != nil {
			return nil, fmt.Errorf("cnn: Fit: %w", err)
		}
	}
	for i, v := range net.params {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errs.Invalid("cnn: Fit: training diverged (parameter %d is %v); lower the learning rate", i, v)
		}
	}
	return newModel(net), nil
}

// checkData checks the training data against the learner's architecture.
func (l *Learner) checkData(X [][]float64, y []int, classes int) error {
	a := &l.cfg.arch
	width, err := check.Data(X, y, classes)
	if err != nil {
		return err
	}
	if width != a.inputs() {
		return errs.Invalid("rows have width %d but the image shape %d×%d×%d needs %d values per row", width, a.h, a.w, a.c, a.inputs())
	}
	if a.classes != 0 && classes != a.classes {
		return errs.Invalid("%d classes but the initial weights have %d; fine-tune on the classes they were trained for", classes, a.classes)
	}
	for i, x := range X {
		for j, v := range x {
			if math.Abs(v) > math.MaxFloat32 {
				return errs.At(i, j, "value %v does not fit float32; rescale the inputs", v)
			}
		}
	}
	return nil
}

// toFloat32 copies the rows of X, each of width d, into one float32 slice.
func toFloat32(X [][]float64, d int) []float32 {
	out := make([]float32, len(X)*d)
	for i, x := range X {
		row := out[i*d : (i+1)*d]
		for j, v := range x {
			row[j] = float32(v)
		}
	}
	return out
}
