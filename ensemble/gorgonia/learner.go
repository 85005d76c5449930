package gorgonia

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// Learner trains networks with Gorgonia; it implements ensemble.BaseLearner. A Learner
// is immutable and safe for concurrent use: each Fit builds its own graph and machine.
type Learner struct {
	cfg  config
	arch arch // input width (MLP) and classes are filled in by Fit
}

var (
	_ ensemble.BaseLearner = (*Learner)(nil)
	_ ensemble.Describer   = (*Learner)(nil)
)

// NewMLP returns a learner of multilayer perceptrons: fully connected ReLU layers of
// the WithHidden widths (default one layer of DefaultMLPHidden = 64 units), then a
// softmax layer, trained to minimise the mean cross-entropy. The input width is that
// of the training rows. Defaults: Adam, η = DefaultLearningRate, DefaultEpochs epochs
// of minibatches of DefaultBatchSize. A nil option or an invalid value is an error
// wrapping ensemble.ErrInvalidInput.
func NewMLP(opts ...MLPOption) (*Learner, error) {
	cfg := defaultConfig()
	for i, opt := range opts {
		if opt == nil {
			return nil, errs.Invalid("gorgonia: NewMLP: option %d is nil", i)
		}
		opt.applyMLP(&cfg)
	}
	if cfg.set&setHidden == 0 {
		cfg.hidden = []int{DefaultMLPHidden}
	}
	return newLearner(cfg, arch{hidden: cfg.hidden}, "NewMLP")
}

// NewCNN returns a learner of small convolutional networks for h×w×c images given by
// WithImageShape (required): convolution blocks of WithFilters filters each (default
// one block of DefaultCNNFilters = 16), each a 3×3 convolution with zero padding 1 and
// a bias → ReLU → 2×2 max-pool with stride 2; then fully connected ReLU layers of the
// WithHidden widths (default none), then a softmax layer, trained to minimise the mean
// cross-entropy. For 8×8×1 digits the default is conv3×3(16) → ReLU → maxpool →
// 4·4·16 = 256 features → 10 logits.
//
// For other kernels, padding, the paper's MNIST network or a pretrained start, use
// package ensemble/cnn: it trains CNNs in float32 several times faster (see the
// package documentation).
func NewCNN(opts ...CNNOption) (*Learner, error) {
	cfg := defaultConfig()
	for i, opt := range opts {
		if opt == nil {
			return nil, errs.Invalid("gorgonia: NewCNN: option %d is nil", i)
		}
		opt.applyCNN(&cfg)
	}
	if cfg.set&setShape == 0 {
		return nil, errs.Invalid("gorgonia: NewCNN: the input shape is missing: pass WithImageShape(height, width, channels)")
	}
	if cfg.set&setFilters == 0 {
		cfg.filters = []int{DefaultCNNFilters}
	}
	if cfg.set&setHidden == 0 {
		cfg.hidden = []int{}
	}
	a := arch{cnn: true, h: cfg.h, w: cfg.w, c: cfg.c, inputs: cfg.h * cfg.w * cfg.c, filters: cfg.filters, hidden: cfg.hidden}
	return newLearner(cfg, a, "NewCNN")
}

// newLearner validates the options and the architecture in one place.
func newLearner(cfg config, a arch, name string) (*Learner, error) {
	if err := cfg.validateTraining(); err != nil {
		return nil, errs.Invalid("gorgonia: %s: %w", name, err)
	}
	if err := a.validate(); err != nil {
		return nil, errs.Invalid("gorgonia: %s: %w", name, err)
	}
	return &Learner{cfg: cfg, arch: a}, nil
}

// Describe returns the learner's kind (KindMLP or KindCNN) and a canonical JSON
// encoding of every setting that affects Fit (ensemble.Describer): epochs, batch size,
// learning rate, optimiser, hidden widths and, for a CNN, filters and image shape.
func (l *Learner) Describe() (kind, config string) {
	d := struct {
		Epochs       int     `json:"epochs"`
		BatchSize    int     `json:"batchSize"`
		LearningRate float64 `json:"learningRate"`
		Optimizer    string  `json:"optimizer"`
		Hidden       []int   `json:"hidden"`
		Filters      []int   `json:"filters,omitempty"`
		Image        *[3]int `json:"image,omitempty"`
	}{l.cfg.epochs, l.cfg.batchSize, l.cfg.learningRate, l.cfg.optimizer.String(), l.arch.hidden, nil, nil}
	kind = KindMLP
	if l.arch.cnn {
		kind, d.Filters, d.Image = KindCNN, l.arch.filters, &[3]int{l.arch.h, l.arch.w, l.arch.c}
	}
	js, _ := json.Marshal(d) // cannot fail: integers, a finite float and a string
	return kind, string(js)
}

// Fit trains a network on rows X with labels y in [0, classes) and returns it as a
// *Model. All randomness (the initial weights and the minibatch order of every epoch)
// comes from a ChaCha8 generator keyed by the seed, so the same arguments give a
// model with bit-identical MarshalBinary bytes. Fit does not modify X or y, returns
// ctx.Err() if ctx is cancelled during training, and returns an error if training
// diverges to non-finite weights (lower the learning rate).
func (l *Learner) Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error) {
	if ctx == nil {
		return nil, errs.Invalid("gorgonia: Fit: nil context")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := l.archFor(X, y, classes)
	if err != nil {
		return nil, fmt.Errorf("gorgonia: Fit: %w", err)
	}
	rng := newRNG(seed)
	net := &network{arch: a, params: initParams(&a, rng)}
	if err := l.cfg.train(ctx, net, X, y, rng); err != nil {
		return nil, err
	}
	for i, p := range net.params {
		if err := check.Finite(p); err != nil {
			return nil, errs.Invalid("gorgonia: Fit: training diverged (parameter tensor %d: %v); lower the learning rate", i, err)
		}
	}
	return newModel(net), nil
}

// archFor checks the training data and returns the learner's architecture completed
// with the input width and the number of classes.
func (l *Learner) archFor(X [][]float64, y []int, classes int) (arch, error) {
	a := l.arch
	width, err := check.Data(X, y, classes)
	if err != nil {
		return a, err
	}
	if a.cnn && width != a.inputs {
		return a, errs.Invalid("rows have width %d but the CNN's image shape %d×%d×%d needs %d values per row", width, a.h, a.w, a.c, a.inputs)
	}
	if width > maxWidth || classes > maxWidth {
		return a, errs.Invalid("rows of width %d with %d classes: at most %d of each", width, classes, maxWidth)
	}
	a.inputs, a.classes = width, classes
	return a, nil
}
