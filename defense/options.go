package defense

import (
	"runtime"

	"github.com/rabcert/rab/internal/errs"
)

// Defaults and limits of the options.
const (
	// DefaultPoisonRate is the poison rate ε that SpectralSignatures assumes: ART's
	// default expected_pp_poison, which the RAB paper uses (Section 7.1.3).
	DefaultPoisonRate = 0.33
	// SpectralMultiplier is the factor 1.5 of Tran et al.: SpectralSignatures removes
	// the top 1.5·ε of every class.
	SpectralMultiplier = 1.5
	// DefaultDims is the number of principal components that ActivationClustering and
	// Sphere reduce the representations to (Chen et al. and ART use 10).
	DefaultDims = 10
	// DefaultSizeThreshold is the share of its class below which ActivationClustering
	// flags the smaller cluster: ART's size_threshold of its relative-size and
	// silhouette analyses.
	DefaultSizeThreshold = 0.35
	// DefaultRestarts is the number of k-means++ restarts of ActivationClustering
	// (scikit-learn's classic n_init).
	DefaultRestarts = 10
	// DefaultSphereFraction is the fraction of every class that Sphere removes (the
	// RAB paper's 15 %, Section 7.1.3).
	DefaultSphereFraction = 0.15
	// MaxClasses is the largest number of classes.
	MaxClasses = 1 << 16
)

// SpectralOption configures SpectralSignatures.
type SpectralOption interface{ applySpectral(*config) }

// ClusteringOption configures ActivationClustering.
type ClusteringOption interface{ applyClustering(*config) }

// SphereOption configures Sphere.
type SphereOption interface{ applySphere(*config) }

// SCAnOption configures SCAn.
type SCAnOption interface{ applySCAn(*config) }

// Option configures every defence.
type Option interface {
	SpectralOption
	ClusteringOption
	SphereOption
	SCAnOption
}

// ReductionOption configures the defences that reduce dimensions first:
// ActivationClustering and Sphere.
type ReductionOption interface {
	ClusteringOption
	SphereOption
}

type config struct {
	classes   int // if set&setClasses; else max(y) + 1
	workers   int
	rate      float64 // SpectralSignatures' ε
	dims      int
	threshold float64 // ActivationClustering's size threshold
	restarts  int
	seed      uint64
	whiten    bool
	fraction  float64 // Sphere's fraction
	set       uint
}

const (
	setClasses = 1 << iota
)

// optionFunc is an Option.
type optionFunc func(*config)

func (f optionFunc) applySpectral(c *config)   { f(c) }
func (f optionFunc) applyClustering(c *config) { f(c) }
func (f optionFunc) applySphere(c *config)     { f(c) }
func (f optionFunc) applySCAn(c *config)       { f(c) }

// reductionFunc is a ReductionOption.
type reductionFunc func(*config)

func (f reductionFunc) applyClustering(c *config) { f(c) }
func (f reductionFunc) applySphere(c *config)     { f(c) }

type spectralFunc func(*config)

func (f spectralFunc) applySpectral(c *config) { f(c) }

type clusteringFunc func(*config)

func (f clusteringFunc) applyClustering(c *config) { f(c) }

type sphereFunc func(*config)

func (f sphereFunc) applySphere(c *config) { f(c) }

// WithClasses sets the number of classes C; labels must lie in [0, C), at most
// MaxClasses. Default max(y) + 1.
func WithClasses(classes int) Option {
	return optionFunc(func(c *config) { c.classes = classes; c.set |= setClasses })
}

// WithWorkers sets the number of classes processed at once (default
// runtime.GOMAXPROCS(0)). The result does not depend on it.
func WithWorkers(workers int) Option {
	return optionFunc(func(c *config) { c.workers = workers })
}

// WithPoisonRate sets the poison rate ε that SpectralSignatures assumes, an upper
// bound on the fraction of poisoned rows in a class: it removes ⌈1.5·ε·n_c⌉ rows of
// each class of n_c rows. 0 < ε < 2/3, so that a class keeps some rows. Default
// DefaultPoisonRate.
func WithPoisonRate(eps float64) SpectralOption {
	return spectralFunc(func(c *config) { c.rate = eps })
}

// WithDims sets the number k ≥ 1 of principal components the representations of each
// class are reduced to (default DefaultDims). Representations of at most k features
// are used as they are, as ART does.
func WithDims(k int) ReductionOption {
	return reductionFunc(func(c *config) { c.dims = k })
}

// WithSizeThreshold sets the share t ∈ (0, 0.5] of its class below which the smaller
// of the two clusters is flagged (default DefaultSizeThreshold). t = 0.5 flags the
// smaller cluster whenever the two differ in size: ART's default "smaller" analysis.
func WithSizeThreshold(t float64) ClusteringOption {
	return clusteringFunc(func(c *config) { c.threshold = t })
}

// WithRestarts sets the number of k-means++ initialisations, n ≥ 1; the clustering of
// lowest inertia is kept (default DefaultRestarts).
func WithRestarts(n int) ClusteringOption {
	return clusteringFunc(func(c *config) { c.restarts = n })
}

// WithSeed sets the seed of the k-means++ initialisations (default 0).
func WithSeed(seed uint64) ClusteringOption {
	return clusteringFunc(func(c *config) { c.seed = seed })
}

// WithWhitening scales each principal component to unit variance before clustering.
// k-means then finds the clusters it finds on the FastICA components of Chen et al.
// and ART's reduce="FastICA" (see the package documentation).
func WithWhitening() ClusteringOption {
	return clusteringFunc(func(c *config) { c.whiten = true })
}

// WithFraction sets the fraction f ∈ (0, 1) of every class that Sphere removes: the
// ⌈f·n_c⌉ rows farthest from the class centroid (default DefaultSphereFraction).
func WithFraction(f float64) SphereOption {
	return sphereFunc(func(c *config) { c.fraction = f })
}

// newConfig applies opts, through apply, on top of the defaults and validates the
// result. fn names the call in errors.
func newConfig[O any](fn string, opts []O, apply func(O, *config)) (config, error) {
	cfg := config{workers: runtime.GOMAXPROCS(0), rate: DefaultPoisonRate, dims: DefaultDims,
		threshold: DefaultSizeThreshold, restarts: DefaultRestarts, fraction: DefaultSphereFraction}
	for i, o := range opts {
		if any(o) == nil {
			return cfg, errs.Invalid("defense: %s: option %d is nil", fn, i)
		}
		apply(o, &cfg)
	}
	return cfg, cfg.validate(fn)
}

// validate checks every setting; options a call does not accept keep their valid
// defaults.
func (c *config) validate(fn string) error {
	switch {
	case c.set&setClasses != 0 && (c.classes < 2 || c.classes > MaxClasses):
		return errs.Invalid("defense: %s: WithClasses(%d): want 2 to %d classes", fn, c.classes, MaxClasses)
	case c.workers < 1:
		return errs.Invalid("defense: %s: WithWorkers(%d): want at least 1 worker", fn, c.workers)
	case !(c.rate > 0 && c.rate < 1):
		return errs.Invalid("defense: %s: WithPoisonRate(%v): want 0 < ε < 1", fn, c.rate)
	case SpectralMultiplier*c.rate >= 1:
		return errs.Invalid("defense: %s: WithPoisonRate(%v): 1.5·ε ≥ 1 would remove every row of a class; want ε < 2/3", fn, c.rate)
	case c.dims < 1:
		return errs.Invalid("defense: %s: WithDims(%d): want at least 1 dimension", fn, c.dims)
	case !(c.threshold > 0 && c.threshold <= 0.5):
		return errs.Invalid("defense: %s: WithSizeThreshold(%v): want 0 < t ≤ 0.5 (the smaller cluster's share of its class)", fn, c.threshold)
	case c.restarts < 1:
		return errs.Invalid("defense: %s: WithRestarts(%d): want at least 1", fn, c.restarts)
	case !(c.fraction > 0 && c.fraction < 1):
		return errs.Invalid("defense: %s: WithFraction(%v): want 0 < f < 1", fn, c.fraction)
	}
	return nil
}
