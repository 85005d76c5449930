package rab

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/rabcert/rab/ensemble"
)

// Option configures Train and Certify.
type Option func(*config)

// config holds the settings of Train; validate checks them all in one place.
type config struct {
	sigma     float64
	uniform   bool
	a, b      float64
	useKNN    bool // the exact K-NN smoother instead of an ensemble
	k         int  // its K
	levels    int
	learner   ensemble.BaseLearner
	models    int
	alpha     float64
	seed      uint64
	workers   int
	classes   int
	progress  func(done, total int)
	setLevels bool
	setModels bool
}

const (
	// DefaultAlpha is the default failure probability α of ensemble certificates.
	DefaultAlpha = 0.001
	// DefaultModels is the default ensemble size N.
	DefaultModels = 1000
	// DefaultLevels is the default number of distance levels L of the K-NN smoother.
	DefaultLevels = 200
)

func defaultConfig() config {
	return config{
		alpha:   DefaultAlpha,
		models:  DefaultModels,
		levels:  DefaultLevels,
		workers: runtime.GOMAXPROCS(0),
	}
}

// newConfig applies opts to base, skipping nil options.
func newConfig(base config, opts []Option) config {
	for _, opt := range opts {
		if opt != nil {
			opt(&base)
		}
	}
	return base
}

// WithSigma selects Gaussian smoothing N(0, σ²I) (Corollary 1), with L2 certificates.
func WithSigma(sigma float64) Option { return func(c *config) { c.sigma = sigma } }

// WithUniform selects uniform smoothing U([a, b]) (Corollary 2), with L1 certificates
// (see Norm). Only ensembles support it.
func WithUniform(a, b float64) Option {
	return func(c *config) { c.uniform, c.a, c.b = true, a, b }
}

// WithKNN selects the exact smoothed K-nearest-neighbour classifier with the given K
// (Theorem 3) instead of an ensemble. It needs Gaussian smoothing (WithSigma).
func WithKNN(k int) Option { return func(c *config) { c.useKNN, c.k = true, k } }

// WithLevels sets the number of distance levels L of the K-NN smoother (default 200).
func WithLevels(levels int) Option {
	return func(c *config) { c.levels, c.setLevels = levels, true }
}

// WithLearner sets the base learner of an ensemble (default: multinomial logistic
// regression from package ensemble/logistic).
func WithLearner(l ensemble.BaseLearner) Option { return func(c *config) { c.learner = l } }

// WithModels sets the ensemble size N (default 1000). N must be at least
// bound.MinVotes(α, classes), or no input could ever be certified.
func WithModels(n int) Option { return func(c *config) { c.models, c.setModels = n, true } }

// WithAlpha sets the probability α that an ensemble certificate is wrong (default
// 0.001). It has no effect on the exact K-NN smoother.
func WithAlpha(alpha float64) Option { return func(c *config) { c.alpha = alpha } }

// WithSeed sets the seed of every random draw (default 0): the same seed gives
// bit-identical models and certificates on any machine and with any number of workers.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithWorkers sets how many goroutines do the work (default GOMAXPROCS).
func WithWorkers(n int) Option { return func(c *config) { c.workers = n } }

// WithClasses sets the number of classes C (default: the largest training label + 1).
func WithClasses(n int) Option { return func(c *config) { c.classes = n } }

// WithProgress registers a callback that receives (done, total) as long work advances:
// models trained, or inputs certified. Calls come from one goroutine at a time.
func WithProgress(f func(done, total int)) Option { return func(c *config) { c.progress = f } }

// validate checks the settings before any work starts.
func (c *config) validate() error {
	if c.uniform && c.sigma != 0 {
		return errors.New("rab: both WithSigma and WithUniform given: choose one smoothing distribution")
	}
	if !c.uniform && (!(c.sigma > 0) || math.IsInf(c.sigma, 0)) {
		return fmt.Errorf("rab: σ = %v: give WithSigma(σ) with a finite σ > 0, or WithUniform(a, b)", c.sigma)
	}
	if c.classes < 0 || c.classes == 1 {
		return fmt.Errorf("rab: WithClasses(%d): want at least 2 classes", c.classes)
	}
	if !(c.alpha > 0 && c.alpha < 1) { // saved with every model, so checked for K-NN too
		return fmt.Errorf("rab: WithAlpha(%v): want 0 < α < 1", c.alpha)
	}
	if c.useKNN {
		return c.validateKNN()
	}
	return c.validateEnsemble()
}

func (c *config) validateKNN() error {
	switch {
	case c.k < 1:
		return fmt.Errorf("rab: WithKNN(%d): want K ≥ 1", c.k)
	case c.uniform:
		return errors.New("rab: WithKNN with WithUniform: the exact K-NN smoother needs Gaussian noise; use WithSigma")
	case c.learner != nil || c.setModels:
		return errors.New("rab: WithLearner and WithModels configure ensembles; the exact K-NN smoother (WithKNN) trains no models")
	case c.levels < 2:
		return fmt.Errorf("rab: WithLevels(%d): want at least 2 distance levels", c.levels)
	case c.workers < 1:
		return fmt.Errorf("rab: WithWorkers(%d): want at least 1 worker", c.workers)
	}
	return nil
}

// validateCertifying checks the options that govern certification alone.
func (c *config) validateCertifying() error {
	if !(c.alpha > 0 && c.alpha < 1) {
		return fmt.Errorf("rab: WithAlpha(%v): want 0 < α < 1", c.alpha)
	}
	if c.workers < 1 {
		return fmt.Errorf("rab: WithWorkers(%d): want at least 1 worker", c.workers)
	}
	return nil
}

func (c *config) validateEnsemble() error {
	if err := c.validateCertifying(); err != nil {
		return err
	}
	switch {
	case c.setLevels:
		return errors.New("rab: WithLevels configures the K-NN smoother: add WithKNN(k) or drop WithLevels")
	case c.models < 1:
		return fmt.Errorf("rab: WithModels(%d): want at least 1 model", c.models)
	}
	return nil
}
