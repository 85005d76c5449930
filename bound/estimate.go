package bound

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/rabcert/rab/internal/errs"
)

// hoeffdingSlack widens the Hoeffding interval of Estimate on both sides to
// absorb the rounding of k/n, of the width and of k/n ± w: each is at most a
// few units of 2⁻⁵³ once the bound is informative (k/n ≤ 1 and w < 1), so
// 1e-15 covers them.
const hoeffdingSlack = 1e-15

// Estimation is the outcome of the estimation step of Algorithm 2 (lines
// 1–5): the top class and the bounds on class probabilities that
// GaussianRadius and the other radii take.
type Estimation struct {
	// Class is the top class yA: the label with the most votes, the smallest
	// such label on ties. It is set even when Abstain is true.
	Class int
	// PA is a lower confidence bound on the probability of Class.
	PA float64
	// PB is an upper confidence bound on the probability of every other
	// class, never above 1 − PA.
	PB float64
	// Abstain is true when PA ≤ PB: the votes certify nothing and the
	// prediction must be withheld (Algorithm 2, line 11).
	Abstain bool
}

// Option configures Estimate.
type Option interface{ apply(*estimateConfig) }

type optionFunc func(*estimateConfig)

func (f optionFunc) apply(c *estimateConfig) { f(c) }

// estimateConfig holds Estimate's settings; the zero value is the default.
type estimateConfig struct {
	hoeffding bool
}

// WithHoeffding makes Estimate use Hoeffding intervals k/n ∓ w, with
// w = HoeffdingWidth(n, α') at Estimate's per-bound level α' (α/2 for two
// classes, α/(2C) for more), clamped to [0, 1], instead of Clopper–Pearson
// bounds, as the paper's reference code does. They are valid but looser, so
// more votes are needed to certify (see MinVotes); use this option only to
// compare with the paper's numbers.
func WithHoeffding() Option {
	return optionFunc(func(c *estimateConfig) { c.hoeffding = true })
}

// configs recycles the configurations that options are applied to: a pointer
// passed to an interface method escapes to the heap, and Estimate, called once
// per certified input, must not allocate.
var configs = sync.Pool{New: func() any { return new(estimateConfig) }}

// estimateOptions applies opts to the default configuration; a nil option is
// an error.
func estimateOptions(opts []Option) (estimateConfig, error) {
	if len(opts) == 0 {
		return estimateConfig{}, nil
	}
	c := configs.Get().(*estimateConfig)
	defer configs.Put(c)
	*c = estimateConfig{}
	for i, opt := range opts {
		if opt == nil {
			return estimateConfig{}, errs.Invalid("bound: Estimate: option %d is nil", i)
		}
		opt.apply(c)
	}
	return *c, nil
}

// Estimate computes the top class and the class-probability bounds of
// Algorithm 2 from the vote counts of N models, counts[y] votes for class y
// (N = Σ counts), at significance level α. With C = len(counts) classes:
//
//	yA = argmax_y counts[y]                 (ties: smallest label)
//	C = 2:  PA = ClopperPearsonLower(counts[yA], N, α/2)
//	        PB = 1 − PA
//	C ≥ 3:  PA = ClopperPearsonLower(counts[yA], N, α/(2C))
//	        PB = min(1 − PA, max_{y≠yA} ClopperPearsonUpper(counts[y], N, α/(2C)))
//	Abstain = PA ≤ PB
//
// The certificate is wrong only if q(yA) < PA or some other class has
// q(y) > PB. Since yA is chosen from the same counts, the bounds must hold
// simultaneously for every class that could be chosen. For C ≥ 3 these are
// the event "q(y) < lower bound of y" for each of the C classes and "q(y) >
// upper bound of y" for each of the C classes — 2C one-sided events, hence
// Bonferroni level α/(2C) for each bound, so that all hold with probability
// at least 1 − α. (Level α/C for both bounds, a per-class Bonferroni
// correction that forgets that each class carries two one-sided bounds, fails
// with probability up to 2α: e.g. 0.00117 > α = 0.001 for N = 1000 votes and
// class probabilities (0.4, 0.4, 0.2), computed exactly in the tests.) 1 − PA
// is a valid bound for every other class on the same event, since their
// probabilities sum to at most 1 − q(yA). The upper bound grows with the
// count, so the maximum is that of the runner-up, and only two bounds are
// computed. For C = 2 the runner-up's probability is exactly 1 − q(yA), so
// PB = 1 − PA is implied by PA and no upper bound is needed: the certificate
// is wrong only if q(yA) < PA, which for either of the two classes has
// probability at most α/2, so one lower bound at level α/2 suffices (the
// tests enumerate the failure probability exactly).
//
// With WithHoeffding the bounds are counts[y]/N ∓ HoeffdingWidth(N, α'),
// α' the same per-bound level, widened by 1e-15 against rounding and clamped
// to [0, 1].
//
// Estimate returns an error wrapping ErrInvalidInput if counts has fewer than
// 2 classes, holds a negative count or no votes at all (or more than an int
// can count), if α ∉ (0, 1) or the per-bound level is below 2⁻¹⁰²², or if an
// Option is nil. It does not modify counts and does not allocate.
func Estimate(counts []int, alpha float64, opts ...Option) (Estimation, error) {
	cfg, err := estimateOptions(opts)
	if err != nil {
		return Estimation{}, err
	}
	if err := checkAlpha(alpha); err != nil {
		return Estimation{}, invalid("Estimate", err)
	}
	top, runnerUp, n, err := tally(counts)
	if err != nil {
		return Estimation{}, invalid("Estimate", err)
	}
	level := perBoundLevel(alpha, len(counts))
	if level < smallestNormal {
		return Estimation{}, errs.Invalid("bound: Estimate: the per-bound level %v (alpha = %v, %d classes) is below 2⁻¹⁰²²: use a larger alpha", level, alpha, len(counts))
	}
	pa, pb := estimateBounds(counts[top], counts[runnerUp], n, len(counts), level, cfg)
	return Estimation{Class: top, PA: pa, PB: pb, Abstain: pa <= pb}, nil
}

// tally validates counts and returns the top class, the runner-up (the
// largest count among the other classes) and the number of votes.
func tally(counts []int) (top, runnerUp, n int, err error) {
	switch len(counts) {
	case 0:
		return 0, 0, 0, errors.New("counts is empty: pass one vote count per class")
	case 1:
		return 0, 0, 0, errors.New("counts has a single class: certification needs at least 2 classes")
	}
	runnerUp = -1
	for y, c := range counts {
		if c < 0 {
			return 0, 0, 0, fmt.Errorf("counts[%d] = %d is negative: counts are numbers of votes", y, c)
		}
		if c > math.MaxInt-n {
			return 0, 0, 0, fmt.Errorf("the total number of votes overflows int at counts[%d]", y)
		}
		n += c
		switch {
		case y == 0:
		case c > counts[top]:
			top, runnerUp = y, top
		case runnerUp < 0 || c > counts[runnerUp]:
			runnerUp = y
		}
	}
	if n == 0 {
		return 0, 0, 0, errors.New("counts holds no votes: at least one model must vote")
	}
	return top, runnerUp, n, nil
}

// perBoundLevel returns the level of each of Estimate's one-sided bounds:
// α/2 for 2 classes (one lower bound, on whichever class is on top), α/(2C)
// for C ≥ 3 (2C bounds). The rounding of the division changes the level by at
// most 2⁻⁵³ relative, which the margins of the bounds cover.
func perBoundLevel(alpha float64, classes int) float64 {
	if classes == 2 {
		return alpha / 2
	}
	return alpha / float64(2*classes)
}

// estimateBounds returns PA and PB for top-class count kA, runner-up count
// kB, n votes over the given number of classes and per-bound level level.
func estimateBounds(kA, kB, n, classes int, level float64, cfg estimateConfig) (pa, pb float64) {
	var w float64
	if cfg.hoeffding {
		w = hoeffdingWidth(n, level) + hoeffdingSlack
		pa = math.Max(0, float64(kA)/float64(n)-w)
	} else {
		pa = cpLower(kA, n, level)
	}
	pb = oneMinusUp(pa)
	if classes == 2 { // the runner-up has probability exactly 1 − q(yA)
		return pa, pb
	}
	if cfg.hoeffding {
		return pa, math.Min(pb, math.Min(1, float64(kB)/float64(n)+w))
	}
	return pa, math.Min(pb, cpUpper(kB, n, level))
}

// MinVotes returns the smallest number of votes N for which a unanimous vote
// (all N votes for one of C = classes classes) lets Estimate, with its
// default Clopper–Pearson bounds, certify at level α. With fewer votes every
// vote histogram abstains, so callers use it to reject such an N up front.
// A unanimous vote gives PA = α'^(1/N) and PB = 1 − PA, α' the per-bound
// level (α/2 for C = 2, α/(2C) for C ≥ 3), so it certifies iff
// α'^(1/N) > 1/2, i.e. N > log₂(1/α'):
//
//	N = ⌊log₂(2/α)⌋ + 1     for C = 2,
//	N = ⌊log₂(2C/α)⌋ + 1    for C ≥ 3,
//
// e.g. 11 for α = 0.001 and C = 2 (log₂ 2000 ≈ 10.97), 9 for α = 0.05 and
// C = 10 (log₂ 400 ≈ 8.64). (A histogram that is not unanimous has a smaller
// PA and a PB of at least 1/2, so it abstains whenever the unanimous one
// does.) The closed form is confirmed against the exact computation Estimate
// performs, including its safety margins, so the two agree even when the
// logarithm is an integer or within rounding of one.
//
// Hoeffding bounds (WithHoeffding) need more votes: PA = 1 − w > 1/2 iff
// N > 2·ln(1/α').
//
// MinVotes returns 0 when α ∉ (0, 1), classes < 2 or the per-bound level is
// below 2⁻¹⁰²²; validate those first (Estimate rejects them with an error).
func MinVotes(alpha float64, classes int) int {
	if checkAlpha(alpha) != nil || classes < 2 {
		return 0
	}
	level := perBoundLevel(alpha, classes)
	if level < smallestNormal {
		return 0
	}
	n := int(math.Floor(-math.Log2(level))) + 1
	for !unanimousCertifies(n, classes, level) {
		n++
	}
	for n > 1 && unanimousCertifies(n-1, classes, level) {
		n--
	}
	return n
}

// unanimousCertifies reports whether Estimate certifies n votes for one of
// classes classes and none for the others at per-bound level level.
func unanimousCertifies(n, classes int, level float64) bool {
	pa, pb := estimateBounds(n, 0, n, classes, level, estimateConfig{})
	return pa > pb
}
