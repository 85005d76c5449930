package bound

import (
	"errors"
	"fmt"
	"math"
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

// Option configures Estimate. (It maps settings to settings by value, so
// that applying options does not allocate.)
type Option func(estimateConfig) estimateConfig

// estimateConfig holds Estimate's settings; the zero value is the default.
type estimateConfig struct {
	hoeffding bool
}

// WithHoeffding makes Estimate use Hoeffding intervals k/n ∓ w, with
// w = HoeffdingWidth(n, α/(2C)), clamped to [0, 1], instead of Clopper–Pearson
// bounds, as the paper's reference code does. They are valid but looser, so
// more votes are needed to certify (see MinVotes); use this option only to
// compare with the paper's numbers.
func WithHoeffding() Option {
	return func(c estimateConfig) estimateConfig {
		c.hoeffding = true
		return c
	}
}

// Estimate computes the top class and the class-probability bounds of
// Algorithm 2 from the vote counts of N models, counts[y] votes for class y
// (N = Σ counts), at significance level α:
//
//	yA = argmax_y counts[y]                 (ties: smallest label)
//	PA = ClopperPearsonLower(counts[yA], N, α/(2C))
//	PB = min(1 − PA, max_{y≠yA} ClopperPearsonUpper(counts[y], N, α/(2C)))
//	Abstain = PA ≤ PB
//
// with C = len(counts). The certificate is wrong only if q(yA) < PA or some
// other class has q(y) > PB. Since yA is chosen from the same counts, both
// must hold simultaneously for every class that could be chosen: the event
// "q(y) < lower bound of y" for each of the C classes and "q(y) > upper bound
// of y" for each of the C classes — 2C one-sided events, hence Bonferroni
// level α/(2C) for each bound, so that all hold with probability at least
// 1 − α. (Level α/C for both bounds, a per-class Bonferroni correction that
// forgets that each class carries two one-sided bounds, fails with
// probability up to 2α: e.g. 0.00117 > α = 0.001 for N = 1000 votes and class
// probabilities (0.4, 0.4, 0.2), computed exactly in the tests.) 1 − PA is a
// valid bound for every other class on the same event, since their
// probabilities sum to at most 1 − q(yA). The upper bound grows with the
// count, so the maximum is that of the runner-up, and only two bounds are
// computed.
//
// With WithHoeffding the bounds are counts[y]/N ∓ HoeffdingWidth(N, α/(2C)),
// widened by 1e-15 against rounding and clamped to [0, 1].
//
// Estimate returns an error if counts has fewer than 2 classes, holds a
// negative count or no votes at all (or more than an int can count), if
// α ∉ (0, 1) or α/(2C) is below 2⁻¹⁰²², or if an Option is nil. It does not
// modify counts.
func Estimate(counts []int, alpha float64, opts ...Option) (Estimation, error) {
	var cfg estimateConfig
	for i, opt := range opts {
		if opt == nil {
			return Estimation{}, fmt.Errorf("bound: option %d is nil", i)
		}
		cfg = opt(cfg)
	}
	if err := checkAlpha(alpha); err != nil {
		return Estimation{}, err
	}
	top, runnerUp, n, err := tally(counts)
	if err != nil {
		return Estimation{}, err
	}
	alphaC := perBoundLevel(alpha, len(counts))
	if alphaC < smallestNormal {
		return Estimation{}, fmt.Errorf("bound: alpha/(2C) = %v/%d is below 2⁻¹⁰²²: use a larger alpha", alpha, 2*len(counts))
	}
	pa, pb := estimateBounds(counts[top], counts[runnerUp], n, alphaC, cfg)
	return Estimation{Class: top, PA: pa, PB: pb, Abstain: pa <= pb}, nil
}

// tally validates counts and returns the top class, the runner-up (the
// largest count among the other classes) and the number of votes.
func tally(counts []int) (top, runnerUp, n int, err error) {
	switch len(counts) {
	case 0:
		return 0, 0, 0, errors.New("bound: counts is empty: pass one vote count per class")
	case 1:
		return 0, 0, 0, errors.New("bound: counts has a single class: certification needs at least 2 classes")
	}
	runnerUp = -1
	for y, c := range counts {
		if c < 0 {
			return 0, 0, 0, fmt.Errorf("bound: counts[%d] = %d is negative: counts are numbers of votes", y, c)
		}
		if c > math.MaxInt-n {
			return 0, 0, 0, fmt.Errorf("bound: the total number of votes overflows int at counts[%d]", y)
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
		return 0, 0, 0, errors.New("bound: counts holds no votes: at least one model must vote")
	}
	return top, runnerUp, n, nil
}

// perBoundLevel returns α/(2C), the level of each of Estimate's 2C one-sided
// bounds. The rounding of the division changes the level by at most 2⁻⁵³
// relative, which the margins of the bounds cover.
func perBoundLevel(alpha float64, classes int) float64 {
	return alpha / float64(2*classes)
}

// estimateBounds returns PA and PB for top-class count kA, runner-up count
// kB, n votes and per-bound level alphaC = α/(2C).
func estimateBounds(kA, kB, n int, alphaC float64, cfg estimateConfig) (pa, pb float64) {
	var upper float64
	if cfg.hoeffding {
		w := hoeffdingWidth(n, alphaC) + hoeffdingSlack
		pa = math.Max(0, float64(kA)/float64(n)-w)
		upper = math.Min(1, float64(kB)/float64(n)+w)
	} else {
		pa = cpLower(kA, n, alphaC)
		upper = cpUpper(kB, n, alphaC)
	}
	return pa, math.Min(oneMinusUp(pa), upper)
}

// MinVotes returns the smallest number of votes N for which a unanimous vote
// (all N votes for one of C = classes classes) lets Estimate, with its
// default Clopper–Pearson bounds, certify at level α. With fewer votes every
// vote histogram abstains, so callers use it to reject such an N up front.
// A unanimous vote gives PA = (α/(2C))^(1/N) and PB = 1 − PA, so it
// certifies iff (α/(2C))^(1/N) > 1/2, i.e. N > log₂(2C/α):
//
//	N = ⌊log₂(2C/α)⌋ + 1,
//
// e.g. 9 for α = 0.05 and C = 10 (log₂ 400 ≈ 8.64). (A histogram that is
// not unanimous has a smaller PA and a PB of at least 1/2, so it abstains
// whenever the unanimous one does.) The closed form is confirmed against the
// exact computation Estimate performs, including its safety margins, so the
// two agree even when log₂(2C/α) is an integer or within rounding of one.
//
// Hoeffding bounds (WithHoeffding) need more votes: PA = 1 − w > 1/2 iff
// N > 2·ln(2C/α).
//
// MinVotes returns 0 when α ∉ (0, 1), classes < 2 or α/(2·classes) is below
// 2⁻¹⁰²²; validate those first (Estimate rejects them with an error).
func MinVotes(alpha float64, classes int) int {
	if checkAlpha(alpha) != nil || classes < 2 {
		return 0
	}
	alphaC := perBoundLevel(alpha, classes)
	if alphaC < smallestNormal {
		return 0
	}
	n := int(math.Floor(math.Log2(float64(2*classes))-math.Log2(alpha))) + 1
	for !unanimousCertifies(n, alphaC) {
		n++
	}
	for n > 1 && unanimousCertifies(n-1, alphaC) {
		n--
	}
	return n
}

// unanimousCertifies reports whether Estimate certifies n votes for one class
// and none for the others at per-bound level alphaC.
func unanimousCertifies(n int, alphaC float64) bool {
	pa, pb := estimateBounds(n, 0, n, alphaC, estimateConfig{})
	return pa > pb
}
