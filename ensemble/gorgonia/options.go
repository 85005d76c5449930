package gorgonia

import (
	"fmt"
	"math"
)

// Optimizer selects the gradient-descent update rule used by Fit.
type Optimizer int

const (
	// Adam is adaptive moment estimation (Kingma and Ba, 2015) with β₁ = 0.9,
	// β₂ = 0.999, ε = 1e-8: Gorgonia's AdamSolver. The default.
	Adam Optimizer = iota
	// SGD is plain minibatch gradient descent, w ← w − η∇L: Gorgonia's VanillaSolver.
	SGD
	// Momentum is gradient descent with momentum 0.9, v ← 0.9v − η∇L, w ← w + v:
	// Gorgonia's Momentum solver.
	Momentum
)

// String returns the optimiser's name.
func (o Optimizer) String() string {
	switch o {
	case Adam:
		return "Adam"
	case SGD:
		return "SGD"
	case Momentum:
		return "Momentum"
	}
	return fmt.Sprintf("Optimizer(%d)", int(o))
}

// Defaults of the options.
const (
	DefaultEpochs       = 20
	DefaultBatchSize    = 32
	DefaultLearningRate = 0.005
	// DefaultMLPHidden is the width of NewMLP's one hidden ReLU layer.
	DefaultMLPHidden = 64
	// DefaultCNNFilters is the filter count of NewCNN's one convolution block; by
	// default NewCNN has no hidden fully connected layer.
	DefaultCNNFilters = 16
)

// maxWidth bounds every layer width, filter count and image side, in the options and
// in decoded model bytes alike; maxLayers bounds the number of layers of each kind.
const (
	maxWidth  = 1 << 20
	maxLayers = 64
)

// config collects the options. Nil slices and a zero image shape mean "not given".
type config struct {
	hidden       []int
	filters      []int
	h, w, c      int
	epochs       int
	batchSize    int
	learningRate float64
	optimizer    Optimizer
}

// Option configures NewMLP or NewCNN.
type Option func(*config)

// WithHidden sets the widths of the hidden fully connected ReLU layers, input side
// first. WithHidden() with no widths gives no hidden layer: the MLP is then multinomial
// logistic regression, and the CNN feeds its pooled features straight to the softmax
// layer. Defaults: one layer of DefaultMLPHidden units for NewMLP, none for NewCNN.
func WithHidden(widths ...int) Option {
	widths = append([]int{}, widths...)
	return func(c *config) { c.hidden = widths }
}

// WithFilters sets the filter counts of the CNN's convolution blocks, input side first;
// each block is a 3×3 convolution (stride 1, zero padding 1, so height and width are
// kept) with a bias per filter, a ReLU, and a 2×2 max-pool with stride 2 (height and
// width halved, rounded down). NewCNN only; default one block of DefaultCNNFilters filters.
func WithFilters(filters ...int) Option {
	filters = append([]int{}, filters...)
	return func(c *config) { c.filters = filters }
}

// WithImageShape gives the CNN's input shape: height h, width w, channels c. Inputs
// are flat rows of h·w·c values, row-major and channel-last: the value at row i,
// column j, channel k is at index (i·w + j)·c + k, as in package attack. NewCNN only,
// where it is required.
func WithImageShape(h, w, c int) Option {
	return func(cfg *config) { cfg.h, cfg.w, cfg.c = h, w, c }
}

// WithEpochs sets the number of passes over the training set (default DefaultEpochs).
func WithEpochs(n int) Option {
	return func(c *config) { c.epochs = n }
}

// WithBatchSize sets the minibatch size (default DefaultBatchSize). Each epoch visits
// the rows in a fresh seeded random order in ⌊n/b⌋ minibatches of b = min(size, n)
// rows; the n mod b rows left over are skipped in that epoch only.
func WithBatchSize(n int) Option {
	return func(c *config) { c.batchSize = n }
}

// WithLearningRate sets the step size η (default DefaultLearningRate).
func WithLearningRate(eta float64) Option {
	return func(c *config) { c.learningRate = eta }
}

// WithOptimizer sets the update rule (default Adam).
func WithOptimizer(o Optimizer) Option {
	return func(c *config) { c.optimizer = o }
}

// newConfig applies the options (skipping nil ones) over the defaults shared by both
// architectures.
func newConfig(opts []Option) config {
	c := config{
		epochs:       DefaultEpochs,
		batchSize:    DefaultBatchSize,
		learningRate: DefaultLearningRate,
		optimizer:    Adam,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

// validateTraining checks the options common to both architectures.
func (c *config) validateTraining() error {
	if c.epochs < 1 {
		return fmt.Errorf("gorgonia: WithEpochs(%d): need at least 1 epoch", c.epochs)
	}
	if c.batchSize < 1 {
		return fmt.Errorf("gorgonia: WithBatchSize(%d): need a batch size of at least 1", c.batchSize)
	}
	if !(c.learningRate > 0) || math.IsInf(c.learningRate, 1) {
		return fmt.Errorf("gorgonia: WithLearningRate(%v): need a finite learning rate > 0", c.learningRate)
	}
	if c.optimizer < Adam || c.optimizer > Momentum {
		return fmt.Errorf("gorgonia: WithOptimizer(%v): unknown optimizer; use Adam, SGD or Momentum", c.optimizer)
	}
	return nil
}
