package knn

import "github.com/rabcert/rab/internal/errs"

// Option configures New. The model options (WithSigma, WithK, WithClasses,
// WithLevels, WithEdges) fix the smoothed classifier and apply to New only; the
// runtime options (WithWorkers, WithTolerance, WithProgress) return a RuntimeOption,
// which is also an Option.
type Option interface{ apply(*config) }

// LoadOption configures Unmarshal. Only the runtime options are LoadOptions: a model
// option passed to Unmarshal does not compile, because a decoded Smoother's σ, K,
// classes and edges are those it was saved with.
type LoadOption interface{ applyLoad(*config) }

// RuntimeOption is an option that applies to both New and Unmarshal: it changes how
// the Smoother computes (goroutines, truncation tolerance, progress reports), never
// the classifier it computes.
type RuntimeOption interface {
	Option
	LoadOption
}

// modelOption is an Option only.
type modelOption func(*config)

func (f modelOption) apply(c *config) { f(c) }

// runtimeOption is both an Option and a LoadOption.
type runtimeOption func(*config)

func (f runtimeOption) apply(c *config)     { f(c) }
func (f runtimeOption) applyLoad(c *config) { f(c) }

// config collects the options of one New or Unmarshal call; newSmoother validates it.
type config struct {
	sigma    float64
	k        int
	classes  int
	levels   int
	edges    []float64
	workers  int
	tol      float64
	progress func(done, total int)
	set      uint // bit mask of the options given (setSigma, …)
}

// Bits of config.set.
const (
	setSigma = 1 << iota
	setK
	setClasses
	setLevels
	setEdges
	setWorkers
	setTol
	setProgress
)

// WithSigma sets the standard deviation σ > 0 of the Gaussian noise added to every
// training point. Required.
func WithSigma(sigma float64) Option {
	return modelOption(func(c *config) { c.sigma = sigma; c.set |= setSigma })
}

// WithK sets the number of neighbours K, 1 ≤ K ≤ n. Default DefaultK (3).
func WithK(k int) Option {
	return modelOption(func(c *config) { c.k = k; c.set |= setK })
}

// WithClasses sets the number of classes C; labels must lie in [0, C).
// Default max(y)+1.
func WithClasses(classes int) Option {
	return modelOption(func(c *config) { c.classes = classes; c.set |= setClasses })
}

// WithLevels sets the number of similarity levels L ≥ 2 used by DefaultEdges.
// Default DefaultLevels (200). Together with WithEdges it must equal len(edges)+1.
func WithLevels(levels int) Option {
	return modelOption(func(c *config) { c.levels = levels; c.set |= setLevels })
}

// WithEdges sets the finite bucket edges b_1 < … < b_{L−1} explicitly, in units of
// squared Euclidean distance (not divided by σ²); bucket l is [b_{l−1}, b_l) with
// b_0 = 0 and b_L = ∞, so L = len(edges)+1. The edges must not depend on the training
// data, or the certificate is void. Every b_l/σ² must lie in [2.23·10⁻³⁰⁸, MaxEdgeRatio]
// (a normal float64 at the bottom). The slice is copied.
func WithEdges(edges []float64) Option {
	edges = append([]float64(nil), edges...)
	return modelOption(func(c *config) { c.edges = edges; c.set |= setEdges })
}

// WithWorkers sets the number of goroutines ProbabilitiesBatch uses. Default
// runtime.GOMAXPROCS(0).
func WithWorkers(workers int) RuntimeOption {
	return runtimeOption(func(c *config) { c.workers = workers; c.set |= setWorkers })
}

// WithTolerance sets the target tol ∈ (0, 10⁻³] for the truncations behind the error
// bound reported by ProbabilitiesWithError: training points, buckets and series terms
// are dropped only while their total contribution stays below about tol. The reported
// bound adds worst-case floating-point rounding bounds on top, which grow with the
// noncentralities λ (on raw Spambase a median of 2·10⁻¹¹ in all and at most 6·10⁻¹¹).
// Default DefaultTolerance (10⁻¹⁰); Unmarshal keeps the saved tolerance unless this
// option is given.
func WithTolerance(tol float64) RuntimeOption {
	return runtimeOption(func(c *config) { c.tol = tol; c.set |= setTol })
}

// WithProgress sets a callback that ProbabilitiesBatch calls after each input with
// the number of inputs done and the total. Calls are serialised; done increases.
func WithProgress(progress func(done, total int)) RuntimeOption {
	return runtimeOption(func(c *config) { c.progress = progress; c.set |= setProgress })
}

// applyOptions applies opts to cfg in order; a nil option is an error naming its
// index in opts.
func applyOptions[O any](call string, cfg *config, opts []O, apply func(O, *config)) error {
	for i, o := range opts {
		if any(o) == nil {
			return errs.Invalid("knn: %s: option %d is nil", call, i)
		}
		apply(o, cfg)
	}
	return nil
}
