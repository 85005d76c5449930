package bound

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// cpTolPerTrial scales the safety margin of the Clopper–Pearson bounds. The
// bounds invert gonum's regularised incomplete beta function (Cephes incbet),
// whose relative error grows with the number of trials: measured against
// mpmath (exact binomial tails at 60–100 digits) on 1534 points with n up to
// 10⁶, k across [1, n] and α from 1e-16 to 0.49, the quantile computed by
// betaLowerQuantile is within 2.4e-15·(n+1) relative of the exact one, on
// the smaller of x and 1 − x. The bounds are moved outwards by 2e-14·(n+1)
// relative on that side, eight times the largest error seen (2e-10 relative
// for n = 10⁴).
const cpTolPerTrial = 2e-14

// maxNewton caps the Newton–bisection iterations of betaLowerQuantile; it
// normally stops after one to three.
const maxNewton = 100

// ClopperPearsonLower returns the one-sided (1 − α) Clopper–Pearson lower
// confidence bound on the success probability p of a binomial experiment
// with k successes in n trials:
//
//	p_L = Beta⁻¹(α; k, n−k+1),
//
// the α-quantile of the Beta(k, n−k+1) distribution, i.e. the p at which
// P(Bin(n, p) ≥ k) = α; p_L = 0 when k = 0 and p_L = α^(1/n) when k = n.
// P(p_L ≤ p) ≥ 1 − α for every p. Algorithm 2 of the paper uses this bound
// for pA.
//
// For 0 < k < n the quantile is found by Newton's method with bisection
// safeguards on gonum's mathext.RegIncBeta, started from mathext.InvRegIncBeta
// (which alone can be off by several percent for tiny α). The result is within
// 2.4e-15·(n+1) relative of the exact quantile on the smaller of p_L and
// 1 − p_L (measured against mpmath on 1534 points, n up to 10⁶); it is then
// lowered by 2e-14·(n+1) relative on that side, and by at least one ulp, so
// that it never exceeds the exact bound. The lowered value is checked: if
// RegIncBeta says it still lies above the α-quantile, the largest point the
// search verified to lie below it is used instead. For k = n the closed form
// α^(1/n) is lowered by a margin proved sufficient for every n and α (the
// analysis is in closedform.go): the result is at least one ulp below the
// float64 nearest the exact bound and within 2.7e-15·(1 + |ln α|/n) relative of it.
//
// ClopperPearsonLower returns an error wrapping ErrInvalidInput if n ≤ 0,
// k ∉ [0, n] or α ∉ (0, 1).
func ClopperPearsonLower(k, n int, alpha float64) (float64, error) {
	if err := checkBinomial(k, n, alpha); err != nil {
		return 0, invalid("ClopperPearsonLower", err)
	}
	return cpLower(k, n, alpha), nil
}

// ClopperPearsonUpper returns the one-sided (1 − α) Clopper–Pearson upper
// confidence bound on the success probability of a binomial experiment with
// k successes in n trials:
//
//	p_U = Beta⁻¹(1−α; k+1, n−k) = 1 − Beta⁻¹(α; n−k, k+1),
//
// the p at which P(Bin(n, p) ≤ k) = α; p_U = 1 when k = n and
// p_U = 1 − α^(1/n) when k = 0. P(p ≤ p_U) ≥ 1 − α for every p. The second
// form, the lower bound for the n − k failures, is how it is computed for k > 0,
// so it shares ClopperPearsonLower's accuracy and safety margin (raised instead
// of lowered); the final 1 − x is rounded upwards. For k = 0 the closed form
// 1 − α^(1/n) = −expm1(ln(α)/n) is raised by a margin proved sufficient for
// every n and α (closedform.go): the result is at least one ulp above the
// float64 nearest the exact bound and within 3.6e-15 relative of it.
//
// ClopperPearsonUpper returns an error wrapping ErrInvalidInput if n ≤ 0,
// k ∉ [0, n] or α ∉ (0, 1).
func ClopperPearsonUpper(k, n int, alpha float64) (float64, error) {
	if err := checkBinomial(k, n, alpha); err != nil {
		return 0, invalid("ClopperPearsonUpper", err)
	}
	return cpUpper(k, n, alpha), nil
}

// HoeffdingWidth returns the half-width of the one-sided (1 − α) Hoeffding
// confidence interval for the mean of n independent [0, 1] variables,
//
//	w = sqrt(ln(1/α)/(2n)),
//
// so that P(p ≥ k/n − w) ≥ 1 − α and P(p ≤ k/n + w) ≥ 1 − α. This is the
// bound used by the paper's reference code; it is looser than
// Clopper–Pearson and kept for comparison (see WithHoeffding).
//
// HoeffdingWidth returns an error wrapping ErrInvalidInput if n ≤ 0 or
// α ∉ (0, 1).
func HoeffdingWidth(n int, alpha float64) (float64, error) {
	if err := checkBinomial(0, n, alpha); err != nil { // k = 0 is always valid
		return 0, invalid("HoeffdingWidth", err)
	}
	return hoeffdingWidth(n, alpha), nil
}

// hoeffdingWidth computes HoeffdingWidth for valid arguments.
func hoeffdingWidth(n int, alpha float64) float64 {
	return math.Sqrt(-ln(alpha) / (2 * float64(n)))
}

// cpLower computes ClopperPearsonLower for valid arguments.
func cpLower(k, n int, alpha float64) float64 {
	switch k {
	case 0:
		return 0
	case n:
		return rootLower(alpha, n)
	}
	a, b := float64(k), float64(n-k+1)
	x, verified := betaLowerQuantile(a, b, alpha, cpTolPerTrial*float64(n+1)/4)
	x = lowerSafely(x, n)
	if x > verified && mathext.RegIncBeta(a, b, x) > alpha {
		x = lowerSafely(verified, n)
	}
	return x
}

// cpUpper computes ClopperPearsonUpper for valid arguments: the closed form for
// k = 0, else one minus the lower bound for the failures, rounded up.
func cpUpper(k, n int, alpha float64) float64 {
	if k == 0 {
		return oneMinusRootUpper(alpha, n)
	}
	return oneMinusUp(cpLower(n-k, n, alpha))
}

// oneMinusUp returns 1 − x for x ∈ [0, 1], rounded upwards. 1 − x is exact
// for x ≥ 1/2 (Sterbenz); otherwise u = fl(1 − x) ≥ 1/2, so 1 − u is exact
// and u was rounded down exactly when 1 − u > x.
func oneMinusUp(x float64) float64 {
	u := 1 - x
	if 1-u > x {
		u = math.Nextafter(u, 2)
	}
	return u
}

// lowerSafely moves a computed bound x ∈ [0, 1] from n trials down by the
// margin 2e-14·(n+1) relative on the smaller of x and 1 − x, and then by one
// ulp, so that the move survives rounding even where the margin is below half
// an ulp of x (x close to 1 with few trials). Subnormal results, whose relative
// accuracy is poor, become 0.
func lowerSafely(x float64, n int) float64 {
	x = math.Nextafter(x-cpTolPerTrial*float64(n+1)*math.Min(x, 1-x), 0)
	if x < smallestNormal {
		return 0
	}
	return x
}

// betaLowerQuantile solves I_x(a, b) = p for x, where I is the regularised
// incomplete beta function (the Beta(a, b) CDF), a ≥ 1, b ≥ 1, p ∈ (0, 1).
// It returns the solution x and the largest point verified to satisfy
// I_x(a, b) ≤ p (0 if none was), both as computed with gonum's RegIncBeta.
//
// It takes Newton steps for log I = log p in the variable log x, where the
// CDF is close to linear in both tails (I ≈ c·x^a near 0), starting from
// mathext.InvRegIncBeta; a step that leaves the bracket of points already
// evaluated, or that cannot be computed (a NaN from an underflowing CDF),
// is replaced by bisection. The search stops when a step is below tol
// relative to the smaller of x and 1 − x, or when the bracket has shrunk to
// adjacent float64 values.
func betaLowerQuantile(a, b, p, tol float64) (x, verified float64) {
	lo, hi := 0.0, 1.0
	logBeta := mathext.Lbeta(a, b)
	logP := ln(p)
	x = mathext.InvRegIncBeta(a, b, p)
	for range maxNewton {
		if !(x > lo && x < hi) { // also catches NaN
			x = split(lo, hi)
		}
		cdf := mathext.RegIncBeta(a, b, x)
		if cdf <= p {
			lo = x
		} else {
			hi = x
		}
		if cdf == p || math.Nextafter(lo, 1) >= hi {
			return lo, lo
		}
		logX, logCDF := ln(x), ln(cdf)
		logDensity := (a-1)*logX + (b-1)*math.Log1p(-x) - logBeta
		slope := math.Exp(logX + logDensity - logCDF) // d log I / d log x
		next := x * math.Exp((logP-logCDF)/slope)
		if math.Abs(next-x) <= tol*math.Min(x, 1-x) {
			return next, lo
		}
		x = next
	}
	return lo, lo
}

// split returns a point strictly inside (lo, hi): the geometric mean when the
// bracket spans more than a factor of two above 0, else the midpoint.
func split(lo, hi float64) float64 {
	if lo > 0 && hi > 2*lo {
		return math.Sqrt(lo) * math.Sqrt(hi)
	}
	return lo + (hi-lo)/2
}
