package gorgonia

import (
	"context"
	"errors"
	"fmt"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/check"
)

// Learner trains networks with Gorgonia; it implements ensemble.BaseLearner. A Learner
// is immutable and safe for concurrent use: each Fit builds its own graph and machine.
type Learner struct {
	cfg  config
	arch arch // input width (MLP) and classes are filled in by Fit
}

var _ ensemble.BaseLearner = (*Learner)(nil)

// NewMLP returns a learner of multilayer perceptrons: fully connected ReLU layers of
// the WithHidden widths (default one layer of DefaultMLPHidden = 64 units), then a
// softmax layer, trained to minimise the mean cross-entropy. The input width is that
// of the training rows. WithFilters and WithImageShape are for NewCNN and give an
// error here. Defaults: Adam, η = DefaultLearningRate, DefaultEpochs epochs of
// minibatches of DefaultBatchSize.
func NewMLP(opts ...Option) (*Learner, error) {
	cfg := newConfig(opts)
	if cfg.filters != nil || cfg.h != 0 || cfg.w != 0 || cfg.c != 0 {
		return nil, errors.New("gorgonia: NewMLP: WithFilters and WithImageShape configure a CNN; use NewCNN")
	}
	if cfg.hidden == nil {
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
func NewCNN(opts ...Option) (*Learner, error) {
	cfg := newConfig(opts)
	if cfg.h == 0 && cfg.w == 0 && cfg.c == 0 {
		return nil, errors.New("gorgonia: NewCNN needs the input shape: pass WithImageShape(height, width, channels)")
	}
	if cfg.filters == nil {
		cfg.filters = []int{DefaultCNNFilters}
	}
	if cfg.hidden == nil {
		cfg.hidden = []int{}
	}
	a := arch{cnn: true, h: cfg.h, w: cfg.w, c: cfg.c, inputs: cfg.h * cfg.w * cfg.c, filters: cfg.filters, hidden: cfg.hidden}
	return newLearner(cfg, a, "NewCNN")
}

// newLearner validates the options and the architecture in one place.
func newLearner(cfg config, a arch, name string) (*Learner, error) {
	if err := cfg.validateTraining(); err != nil {
		return nil, err
	}
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gorgonia: %s: %w", name, err)
	}
	return &Learner{cfg: cfg, arch: a}, nil
}

// Fit trains a network on rows X with labels y in [0, classes) and returns it as a
// *Model. All randomness (the initial weights and the minibatch order of every epoch)
// comes from a ChaCha8 generator keyed by the seed, so the same arguments give a
// model with bit-identical MarshalBinary bytes. Fit does not modify X or y, returns
// ctx.Err() if ctx is cancelled during training, and returns an error if training
// diverges to non-finite weights (lower the learning rate).
func (l *Learner) Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error) {
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
			return nil, fmt.Errorf("gorgonia: Fit: training diverged (parameter tensor %d: %v); lower the learning rate", i, err)
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
		return a, fmt.Errorf("rows have width %d but the CNN's image shape %d×%d×%d needs %d values per row", width, a.h, a.w, a.c, a.inputs)
	}
	if width > maxWidth || classes > maxWidth {
		return a, fmt.Errorf("rows of width %d with %d classes: at most %d of each", width, classes, maxWidth)
	}
	a.inputs, a.classes = width, classes
	return a, nil
}
