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

// config collects the options.
type config struct {
	hidden       []int
	filters      []int
	h, w, c      int
	epochs       int
	batchSize    int
	learningRate float64
	optimizer    Optimizer
	set          setBits
}

// setBits records which options were given.
type setBits uint8

const (
	setHidden setBits = 1 << iota
	setFilters
	setShape
)

// MLPOption configures NewMLP.
type MLPOption interface{ applyMLP(*config) }

// CNNOption configures NewCNN.
type CNNOption interface{ applyCNN(*config) }

// Option configures NewMLP and NewCNN alike.
type Option interface {
	MLPOption
	CNNOption
}

// commonOption is an Option; cnnOption a CNNOption only.
type (
	commonOption func(*config)
	cnnOption    func(*config)
)

func (f commonOption) applyMLP(c *config) { f(c) }
func (f commonOption) applyCNN(c *config) { f(c) }
func (f cnnOption) applyCNN(c *config)    { f(c) }

// WithHidden sets the widths of the hidden fully connected ReLU layers, input side
// first. WithHidden() with no widths gives no hidden layer: the MLP is then multinomial
// logistic regression, and the CNN feeds its pooled features straight to the softmax
// layer. Defaults: one layer of DefaultMLPHidden units for NewMLP, none for NewCNN.
func WithHidden(widths ...int) Option {
	widths = append([]int{}, widths...)
	return commonOption(func(c *config) { c.hidden, c.set = widths, c.set|setHidden })
}

// WithFilters sets the filter counts of the CNN's convolution blocks, input side first;
// each block is a 3×3 convolution (stride 1, zero padding 1, so height and width are
// kept) with a bias per filter, a ReLU, and a 2×2 max-pool with stride 2 (height and
// width halved, rounded down). Default one block of DefaultCNNFilters filters.
func WithFilters(filters ...int) CNNOption {
	filters = append([]int{}, filters...)
	return cnnOption(func(c *config) { c.filters, c.set = filters, c.set|setFilters })
}

// WithImageShape gives the CNN's input shape: height h, width w, channels c. Inputs
// are flat rows of h·w·c values, row-major and channel-last: the value at row i,
// column j, channel k is at index (i·w + j)·c + k, as in package attack. Required.
func WithImageShape(h, w, c int) CNNOption {
	return cnnOption(func(cfg *config) { cfg.h, cfg.w, cfg.c, cfg.set = h, w, c, cfg.set|setShape })
}

// WithEpochs sets the number of passes over the training set (default DefaultEpochs).
func WithEpochs(n int) Option {
	return commonOption(func(c *config) { c.epochs = n })
}

// WithBatchSize sets the minibatch size (default DefaultBatchSize). Each epoch visits
// the rows in a fresh seeded random order in ⌊n/b⌋ minibatches of b = min(size, n)
// rows; the n mod b rows left over are skipped in that epoch only.
func WithBatchSize(n int) Option {
	return commonOption(func(c *config) { c.batchSize = n })
}

// WithLearningRate sets the step size η (default DefaultLearningRate).
func WithLearningRate(eta float64) Option {
	return commonOption(func(c *config) { c.learningRate = eta })
}

// WithOptimizer sets the update rule (default Adam).
func WithOptimizer(o Optimizer) Option {
	return commonOption(func(c *config) { c.optimizer = o })
}

// defaultConfig returns the defaults shared by both architectures.
func defaultConfig() config {
	return config{
		epochs:       DefaultEpochs,
		batchSize:    DefaultBatchSize,
		learningRate: DefaultLearningRate,
		optimizer:    Adam,
	}
}

// validateTraining checks the options common to both architectures.
func (c *config) validateTraining() error {
	if c.epochs < 1 {
		return fmt.Errorf("WithEpochs(%d): need at least 1 epoch", c.epochs)
	}
	if c.batchSize < 1 {
		return fmt.Errorf("WithBatchSize(%d): need a batch size of at least 1", c.batchSize)
	}
	if !(c.learningRate > 0) || math.IsInf(c.learningRate, 1) {
		return fmt.Errorf("WithLearningRate(%v): need a finite learning rate > 0", c.learningRate)
	}
	if c.optimizer < Adam || c.optimizer > Momentum {
		return fmt.Errorf("WithOptimizer(%v): unknown optimizer; use Adam, SGD or Momentum", c.optimizer)
	}
	return nil
}
