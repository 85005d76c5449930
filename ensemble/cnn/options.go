package cnn

import (
	"fmt"
	"math"
	"slices"

	"github.com/rabcert/rab/internal/errs"
)

// Optimizer selects the update rule of Fit's minibatch gradient descent. Each follows
// PyTorch's definition (torch.optim, version 1.13), so that a configuration trains as
// the paper's reference code does.
type Optimizer int

const (
	// Adam (Kingma and Ba, 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8: at step t,
	// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε).
	// The default, as in the reference code.
	Adam Optimizer = iota
	// SGD is plain gradient descent, w ← w − ηg.
	SGD
	// Momentum is gradient descent with momentum μ = 0.9: b ← μb + g (b = g at the first
	// step), w ← w − ηb.
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

// Defaults of the options: the MNIST network and training of the paper's reference
// code (conv 5×5×16 → ReLU → 2×2 max-pool → conv 5×5×32 → ReLU → 2×2 max-pool →
// fc 512 → ReLU → classes; Adam, η = 1e-3, batches of 128, 20 epochs).
const (
	DefaultKernel       = 5
	DefaultPadding      = 0
	DefaultEpochs       = 20
	DefaultBatchSize    = 128
	DefaultLearningRate = 1e-3
	DefaultOptimizer    = Adam
	DefaultThreads      = 1
)

// DefaultFilters and DefaultHidden return the default filter counts of the
// convolution blocks and the default widths of the hidden fully connected layers.
func DefaultFilters() []int { return []int{16, 32} }

// DefaultHidden returns the default hidden widths; see DefaultFilters.
func DefaultHidden() []int { return []int{512} }

// Limits on the architecture, for the options and for decoded model bytes alike: every
// image side at most maxSide, every layer at most maxUnits activations per input row,
// every kernel side at most maxKernel, every convolution at most maxTaps im2col values
// (outputs × k·k·channels) per input row, at most maxLayers layers of each kind, at
// most maxParams parameters in all.
const (
	maxSide    = 1 << 14
	maxUnits   = 1 << 20
	maxKernel  = 64
	maxTaps    = 1 << 24
	maxLayers  = 64
	maxParams  = 1 << 28
	maxThreads = 1 << 10
)

// Option configures New.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config collects the options of New.
type config struct {
	arch      arch // classes unknown (0) until Fit
	epochs    int
	batchSize int
	rate      float64
	optimizer Optimizer
	threads   int
	initial   *Model
	progress  func(done, total int)
	set       setBits
}

// setBits records which options were given.
type setBits uint16

const (
	setShape setBits = 1 << iota
	setKernel
	setPadding
	setFilters
	setHidden
	setInitial
)

// archOptions are the options that describe the architecture.
const archOptions = setShape | setKernel | setPadding | setFilters | setHidden

// WithImageShape gives the input shape: height h, width w, channels c. Inputs are flat
// rows of h·w·c values, row-major and channel-last: the value at row i, column j,
// channel k is at index (i·w + j)·c + k, as in package attack. Required, unless
// WithInitialWeights gives the architecture.
func WithImageShape(h, w, c int) Option {
	return optionFunc(func(cfg *config) { cfg.arch.h, cfg.arch.w, cfg.arch.c, cfg.set = h, w, c, cfg.set|setShape })
}

// WithKernel sets the side k of the square kernels of every convolution (default
// DefaultKernel = 5).
func WithKernel(k int) Option {
	return optionFunc(func(c *config) { c.arch.kernel, c.set = k, c.set|setKernel })
}

// WithPadding sets the zero padding p added on every side of every convolution's input
// (default DefaultPadding = 0): a convolution maps h×w to (h + 2p − k + 1)×(w + 2p − k + 1).
// p must be below k.
func WithPadding(p int) Option {
	return optionFunc(func(c *config) { c.arch.padding, c.set = p, c.set|setPadding })
}

// WithFilters sets the filter counts of the convolution blocks, input side first
// (default DefaultFilters(): 16, 32). Each block is a k×k convolution (stride 1,
// WithPadding zeros) with a bias per filter, a ReLU, and a 2×2 max-pool with stride 2
// (sides halved, rounded down). At least one block.
func WithFilters(filters ...int) Option {
	filters = slices.Clone(filters)
	return optionFunc(func(c *config) { c.arch.filters, c.set = filters, c.set|setFilters })
}

// WithHidden sets the widths of the fully connected ReLU layers between the last
// convolution block and the output layer of one logit per class, input side first
// (default DefaultHidden(): 512). WithHidden() with no width feeds the pooled features
// straight to the output layer.
func WithHidden(widths ...int) Option {
	widths = slices.Clone(widths)
	return optionFunc(func(c *config) { c.arch.hidden, c.set = widths, c.set|setHidden })
}

// WithEpochs sets the number of passes over the training rows (default DefaultEpochs =
// 20). Zero epochs is allowed only with WithInitialWeights, and returns those weights.
func WithEpochs(n int) Option { return optionFunc(func(c *config) { c.epochs = n }) }

// WithBatchSize sets the minibatch size b (default DefaultBatchSize = 128). Each epoch
// visits the n rows in a fresh seeded random order, in ⌈n/b⌉ minibatches: ⌊n/b⌋ of b
// rows and, if b does not divide n, a last one of the n mod b rows left (as PyTorch's
// DataLoader does by default). Each step minimises the mean loss of its minibatch.
func WithBatchSize(n int) Option { return optionFunc(func(c *config) { c.batchSize = n }) }

// WithLearningRate sets the step size η (default DefaultLearningRate = 1e-3).
func WithLearningRate(eta float64) Option { return optionFunc(func(c *config) { c.rate = eta }) }

// WithOptimizer sets the update rule (default Adam).
func WithOptimizer(o Optimizer) Option { return optionFunc(func(c *config) { c.optimizer = o }) }

// WithThreads sets the number of goroutines one Fit uses (default DefaultThreads = 1,
// since ensemble.Train already trains members in parallel; raise it to train one large
// network on all cores). The fitted model does not depend on it: each minibatch is cut
// into fixed slabs of rows whatever the number of threads, and their gradients are
// summed in slab order.
func WithThreads(n int) Option { return optionFunc(func(c *config) { c.threads = n }) }

// WithInitialWeights makes Fit start from the weights of m, a model trained before
// (by this package, or decoded with Decode), instead of from random weights: a
// pretrained network that every member fine-tunes, all its parameters, on its own
// noisy data (Algorithm 1, line 4). The architecture is m's; architecture options
// given as well must agree with it, and Fit's classes must be m's. The optimiser's
// state starts afresh. The fitted model is still a pure function of m, the data, the
// options and the seed; m is not modified.
func WithInitialWeights(m *Model) Option {
	return optionFunc(func(c *config) { c.initial, c.set = m, c.set|setInitial })
}

// WithProgress makes Fit call report(done, total) after each minibatch step, with done
// increasing from 1 to total, the number of steps of the fit. Calls come from the
// goroutine that called Fit, between steps.
func WithProgress(report func(done, total int)) Option {
	return optionFunc(func(c *config) { c.progress = report })
}

// newConfig applies opts to the defaults and validates the result, in one place.
func newConfig(opts []Option) (config, error) {
	cfg := config{
		arch: arch{
			kernel:  DefaultKernel,
			padding: DefaultPadding,
			filters: DefaultFilters(),
			hidden:  DefaultHidden(),
		},
		epochs:    DefaultEpochs,
		batchSize: DefaultBatchSize,
		rate:      DefaultLearningRate,
		optimizer: DefaultOptimizer,
		threads:   DefaultThreads,
	}
	for i, opt := range opts {
		if opt == nil {
			return cfg, errs.Invalid("cnn: New: option %d is nil", i)
		}
		opt.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return cfg, errs.Invalid("cnn: New: %w", err)
	}
	return cfg, nil
}

// validate checks the options; for WithInitialWeights it takes the architecture from
// the model after checking that the architecture options agree with it.
func (c *config) validate() error {
	switch {
	case c.set&setInitial != 0 && c.initial == nil:
		return fmt.Errorf("WithInitialWeights(nil): pass a trained *Model")
	case c.epochs < 0 || (c.epochs == 0 && c.set&setInitial == 0):
		return fmt.Errorf("WithEpochs(%d): want at least 1 epoch (0 only with WithInitialWeights)", c.epochs)
	case c.batchSize < 1:
		return fmt.Errorf("WithBatchSize(%d): want a batch size of at least 1", c.batchSize)
	case !(c.rate > 0) || math.IsInf(c.rate, 1):
		return fmt.Errorf("WithLearningRate(%v): want a finite learning rate > 0", c.rate)
	case c.optimizer < Adam || c.optimizer > Momentum:
		return fmt.Errorf("WithOptimizer(%v): unknown optimizer; use Adam, SGD or Momentum", c.optimizer)
	case c.threads < 1 || c.threads > maxThreads:
		return fmt.Errorf("WithThreads(%d): want 1 to %d threads", c.threads, maxThreads)
	}
	if c.initial != nil {
		return c.adoptInitial()
	}
	if c.set&setShape == 0 {
		return fmt.Errorf("the input shape is missing: pass WithImageShape(height, width, channels)")
	}
	_, err := c.arch.layout()
	return err
}

// adoptInitial replaces the configured architecture by the initial model's, after
// checking that every architecture option given agrees with it.
func (c *config) adoptInitial() error {
	want := c.initial.net.arch
	got := c.arch
	mismatch := func(option string, given, model any) error {
		return fmt.Errorf("%s is %v but the initial weights have %v; leave it out or make it agree", option, given, model)
	}
	switch {
	case c.set&setShape != 0 && (got.h != want.h || got.w != want.w || got.c != want.c):
		return mismatch("WithImageShape", fmt.Sprintf("%d×%d×%d", got.h, got.w, got.c), fmt.Sprintf("%d×%d×%d", want.h, want.w, want.c))
	case c.set&setKernel != 0 && got.kernel != want.kernel:
		return mismatch("WithKernel", got.kernel, want.kernel)
	case c.set&setPadding != 0 && got.padding != want.padding:
		return mismatch("WithPadding", got.padding, want.padding)
	case c.set&setFilters != 0 && !slices.Equal(got.filters, want.filters):
		return mismatch("WithFilters", got.filters, want.filters)
	case c.set&setHidden != 0 && !slices.Equal(got.hidden, want.hidden):
		return mismatch("WithHidden", got.hidden, want.hidden)
	}
	c.arch = want
	return nil
}
