package rab

import (
	"fmt"
	"runtime"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/knn"
	"github.com/rabcert/rab/smoothing"
)

// Option configures Train and Certify. The training options (WithSigma, WithUniform,
// WithKNN, WithLevels, WithEdges, WithLearner, WithModels, WithSeed, WithClasses)
// are Options only: they do not compile as arguments of Load or FromEnsemble. The
// certification options (WithAlpha, WithLabelFlips, WithWorkers, WithProgress) are
// CertifyOptions, which are Options and LoadOptions both.
type Option interface{ applyTrain(*config) }

// LoadOption configures Load and FromEnsemble. Only the CertifyOptions WithAlpha,
// WithLabelFlips, WithWorkers and WithProgress are LoadOptions: how a model was
// trained is fixed by the model.
type LoadOption interface{ applyLoad(*config) }

// CertifyOption configures how a model certifies; it is accepted by Train, Certify,
// Load and FromEnsemble.
type CertifyOption interface {
	Option
	LoadOption
}

type trainOption func(*config)

func (f trainOption) applyTrain(c *config) { f(c) }

type certifyOption func(*config)

func (f certifyOption) applyTrain(c *config) { f(c) }
func (f certifyOption) applyLoad(c *config)  { f(c) }

// Defaults of the options. Each is defined by the package that owns the concept.
const (
	// DefaultAlpha is the default probability α that an ensemble certificate is wrong.
	DefaultAlpha = 0.001
	// DefaultModels is the default ensemble size N.
	DefaultModels = ensemble.DefaultModels
	// DefaultLevels is the default number of distance levels L of the K-NN smoother.
	DefaultLevels = knn.DefaultLevels
)

// optionSet records which options were given, one bit per option.
type optionSet uint16

const (
	setSigma optionSet = 1 << iota
	setUniform
	setKNN
	setLevels
	setEdges
	setLearner
	setModels
	setSeed
	setClasses
	setAlpha
	setWorkers
	setProgress
	setLabelFlips
)

// config holds the settings of one call; the validate methods check them in one place.
type config struct {
	set      optionSet
	noise    smoothing.Noise // made from sigma or a, b by validateTrain
	sigma    float64
	a, b     float64 // uniform support
	k        int     // K of the K-NN smoother
	levels   int
	edges    []float64
	learner  ensemble.BaseLearner
	models   int
	seed     uint64
	classes  int // 0: the largest training label + 1
	alpha    float64
	flips    int // r of WithLabelFlips
	workers  int
	progress func(done, total int)
}

func defaultConfig() config {
	return config{alpha: DefaultAlpha, models: DefaultModels, levels: DefaultLevels, workers: runtime.GOMAXPROCS(0)}
}

// applyOptions applies opts to the defaults; a nil option is an error naming its
// position.
func applyOptions[O any](call string, opts []O, apply func(O, *config)) (config, error) {
	cfg := defaultConfig()
	for i, opt := range opts {
		if any(opt) == nil {
			return cfg, errs.Invalid("rab: %s: option %d is nil", call, i)
		}
		apply(opt, &cfg)
	}
	return cfg, nil
}

func trainConfig(call string, opts []Option) (config, error) {
	cfg, err := applyOptions(call, opts, Option.applyTrain)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.validateTrain(call)
}

func loadConfig(call string, opts []LoadOption) (config, error) {
	cfg, err := applyOptions(call, opts, LoadOption.applyLoad)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.validateCertify(call)
}

// WithSigma selects Gaussian smoothing N(0, σ²I) (Corollary 1), with L2 certificates.
// Both smoothers support it; the K-NN smoother needs it.
func WithSigma(sigma float64) Option {
	return trainOption(func(c *config) { c.sigma = sigma; c.set |= setSigma })
}

// WithUniform selects uniform smoothing U([a, b]) (Corollary 2), with L1 certificates
// (see Norm). Ensembles only.
func WithUniform(a, b float64) Option {
	return trainOption(func(c *config) { c.a, c.b = a, b; c.set |= setUniform })
}

// WithKNN selects the exact smoothed K-nearest-neighbour classifier with the given K
// (Theorem 3) instead of an ensemble. It needs WithSigma.
func WithKNN(k int) Option { return trainOption(func(c *config) { c.k = k; c.set |= setKNN }) }

// WithLevels sets the number of distance levels L of the K-NN smoother (default
// DefaultLevels), whose bucket edges are then knn.DefaultEdges. K-NN only.
func WithLevels(levels int) Option {
	return trainOption(func(c *config) { c.levels = levels; c.set |= setLevels })
}

// WithEdges sets the K-NN smoother's finite bucket edges b_1 < … < b_{L−1} in squared
// distance (see knn.WithEdges), instead of knn.DefaultEdges; then L = len(edges) + 1.
// The edges must not depend on the training data. K-NN only; the slice is copied.
func WithEdges(edges []float64) Option {
	edges = append([]float64(nil), edges...)
	return trainOption(func(c *config) { c.edges = edges; c.set |= setEdges })
}

// WithLearner sets the base learner of an ensemble (default: multinomial logistic
// regression from package ensemble/logistic). Ensembles only.
func WithLearner(l ensemble.BaseLearner) Option {
	return trainOption(func(c *config) { c.learner = l; c.set |= setLearner })
}

// WithModels sets the ensemble size N (default DefaultModels). N must be at least
// bound.MinVotes(α, classes), or no input could ever be certified. Ensembles only.
func WithModels(n int) Option {
	return trainOption(func(c *config) { c.models = n; c.set |= setModels })
}

// WithSeed sets the seed of every random draw of an ensemble (default 0): the same seed
// gives bit-identical models and certificates on any machine and with any number of
// workers. Ensembles only: the K-NN smoother draws nothing.
func WithSeed(seed uint64) Option {
	return trainOption(func(c *config) { c.seed = seed; c.set |= setSeed })
}

// WithClasses sets the number of classes C (default: the largest training label + 1).
// It is needed when classes are absent from the training set, in particular when every
// training label is the same.
func WithClasses(n int) Option {
	return trainOption(func(c *config) { c.classes = n; c.set |= setClasses })
}

// WithAlpha sets the probability α that an ensemble certificate is wrong (default
// DefaultAlpha; for Load, the α the model was saved with). Ensembles only: the exact
// K-NN smoother's certificates do not depend on α.
func WithAlpha(alpha float64) CertifyOption {
	return certifyOption(func(c *config) { c.alpha = alpha; c.set |= setAlpha })
}

// WithLabelFlips makes every certificate of an exact K-NN model certify relabelled
// training rows too: for every k from 1 to r it carries the bound M_k on how far
// relabelling k training rows can move a class probability and the radius
// Certificate.FlipRadius(k) certified against k relabelled rows together with
// feature changes (Certificate.LabelFlips; package knn's documentation, "Label
// flips", has the argument and its proof). The default, 0, certifies feature changes
// only, as the paper does. r may not exceed the number of training rows.
//
// K-NN models only: an ensemble would need label noise in training. Train, Certify,
// Load and FromEnsemble return an error wrapping ErrInvalidInput when it is given for
// an ensemble.
func WithLabelFlips(r int) CertifyOption {
	return certifyOption(func(c *config) { c.flips = r; c.set |= setLabelFlips })
}

// WithWorkers sets how many goroutines train and certify (default GOMAXPROCS). Results
// do not depend on it.
func WithWorkers(n int) CertifyOption {
	return certifyOption(func(c *config) { c.workers = n; c.set |= setWorkers })
}

// WithProgress registers a callback that receives (done, total) as long work advances:
// models trained, then inputs certified (by CertifyBatch, in chunks). Calls come from
// one goroutine at a time and should return quickly.
func WithProgress(f func(done, total int)) CertifyOption {
	return certifyOption(func(c *config) { c.progress = f; c.set |= setProgress })
}

// knnOnly and ensembleOnly are the options that configure one smoother alone.
const (
	knnOnly      = setLevels | setEdges
	ensembleOnly = setUniform | setLearner | setModels | setSeed | setAlpha
)

// describe returns the option of bit as the caller wrote it, e.g. "WithModels(50)".
func (c *config) describe(bit optionSet) string {
	switch bit {
	case setUniform:
		return fmt.Sprintf("WithUniform(%v, %v)", c.a, c.b)
	case setLevels:
		return fmt.Sprintf("WithLevels(%d)", c.levels)
	case setEdges:
		return fmt.Sprintf("WithEdges(%d edges)", len(c.edges))
	case setLearner:
		return fmt.Sprintf("WithLearner(%T)", c.learner)
	case setModels:
		return fmt.Sprintf("WithModels(%d)", c.models)
	case setSeed:
		return fmt.Sprintf("WithSeed(%d)", c.seed)
	case setAlpha:
		return fmt.Sprintf("WithAlpha(%v)", c.alpha)
	case setLabelFlips:
		return fmt.Sprintf("WithLabelFlips(%d)", c.flips)
	}
	return fmt.Sprintf("option %#x", uint16(bit))
}

// misplaced returns the first option of c.set within only, or 0.
func (c *config) misplaced(only optionSet) optionSet {
	bits := c.set & only
	return bits & -bits
}

// validateTrain checks the settings of Train and Certify before any work starts.
func (c *config) validateTrain(call string) error {
	if err := c.validateSmoother(call); err != nil {
		return err
	}
	if err := c.validateCertify(call); err != nil {
		return err
	}
	switch {
	case c.set&(setSigma|setUniform) == setSigma|setUniform:
		return errs.Invalid("rab: %s: both WithSigma and WithUniform given: choose one smoothing distribution", call)
	case c.set&(setSigma|setUniform) == 0:
		return errs.Invalid("rab: %s: no smoothing noise: give WithSigma(σ) (Gaussian, either smoother) or WithUniform(a, b) (ensembles)", call)
	case c.set&setClasses != 0 && c.classes < 2:
		return errs.Invalid("rab: %s: WithClasses(%d): want at least 2 classes", call, c.classes)
	}
	var err error
	if c.set&setSigma != 0 {
		c.noise, err = smoothing.Gaussian(c.sigma)
	} else {
		c.noise, err = smoothing.Uniform(c.a, c.b)
	}
	if err != nil {
		return fmt.Errorf("rab: %s: %w", call, err)
	}
	return nil
}

// validateSmoother rejects options of the other smoother and checks the chosen one's.
func (c *config) validateSmoother(call string) error {
	if c.set&setKNN == 0 {
		if bit := c.misplaced(knnOnly); bit != 0 {
			return errs.Invalid("rab: %s: %s configures the exact K-NN smoother: add WithKNN(k) or drop it", call, c.describe(bit))
		}
		if err := c.checkNoFlips(); err != nil {
			return fmt.Errorf("rab: %s: %w", call, err)
		}
		if c.models < 1 {
			return errs.Invalid("rab: %s: WithModels(%d): want at least 1 model", call, c.models)
		}
		return nil
	}
	switch bit := c.misplaced(ensembleOnly); {
	case bit == setUniform:
		return errs.Invalid("rab: %s: %s with WithKNN: the exact K-NN smoother needs Gaussian noise; use WithSigma", call, c.describe(bit))
	case bit == setAlpha:
		return errs.Invalid("rab: %s: %s with WithKNN: α is the error probability of ensemble certificates; the exact K-NN smoother's are exact: drop WithAlpha", call, c.describe(bit))
	case bit != 0:
		return errs.Invalid("rab: %s: %s configures ensembles; the exact K-NN smoother (WithKNN) trains no models: drop it or WithKNN", call, c.describe(bit))
	case c.k < 1:
		return errs.Invalid("rab: %s: WithKNN(%d): want K ≥ 1", call, c.k)
	case c.set&(setLevels|setEdges) == setLevels|setEdges:
		return errs.Invalid("rab: %s: both WithLevels and WithEdges given: WithEdges fixes L = len(edges) + 1; drop one", call)
	case c.levels < 2:
		return errs.Invalid("rab: %s: WithLevels(%d): want at least 2 distance levels", call, c.levels)
	}
	return nil
}

// validateCertify checks the options that govern certification.
func (c *config) validateCertify(call string) error {
	if !(c.alpha > 0 && c.alpha < 1) {
		return errs.Invalid("rab: %s: WithAlpha(%v): want 0 < α < 1", call, c.alpha)
	}
	if c.workers < 1 {
		return errs.Invalid("rab: %s: WithWorkers(%d): want at least 1 worker", call, c.workers)
	}
	if c.flips < 0 {
		return errs.Invalid("rab: %s: WithLabelFlips(%d): want r ≥ 0 relabelled rows", call, c.flips)
	}
	return nil
}

// checkNoFlips rejects WithLabelFlips for an ensemble.
func (c *config) checkNoFlips() error {
	if c.set&setLabelFlips == 0 {
		return nil
	}
	return errs.Invalid("%s certifies label flips, which only the exact K-NN smoother can: an ensemble would need label noise in training; use WithKNN(k) or drop it", c.describe(setLabelFlips))
}
