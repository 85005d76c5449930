package bound

import "math"

// GaussianRadius returns the certified radius of Corollary 1, eq. (12), for
// training-set smoothing with Gaussian noise N(0, σ²I):
//
//	R = σ/2 · (Φ⁻¹(pA) − Φ⁻¹(pB))
//
// where Φ⁻¹ is the standard normal quantile, pA a lower bound on the
// probability of the top class and pB an upper bound on the probability of
// every other class. The prediction is certified against every set of
// backdoor patterns δ_1, …, δ_n added to the training features with
// sqrt(Σ_i ‖δ_i‖₂²) < R.
//
// The radius is 0 when pA = pB (nothing is certified), or when Φ⁻¹(pA) and
// Φ⁻¹(pB) are too close to be told apart in float64, and +Inf only when
// pA = 1 and pB = 0. When only one of them is at its limit (Φ⁻¹ infinite),
// the radius is computed with pA = 1 − 2⁻⁵³ or pB = 2⁻¹⁰²² instead: finite,
// and below the exact, infinite value. A finite radius too large for float64
// is returned as math.MaxFloat64.
//
// Floating-point error is pushed to the safe side: Φ⁻¹(pA) − Φ⁻¹(pB) is
// lowered by 1e-13·(|Φ⁻¹(pA)| + |Φ⁻¹(pB)|), 160 times the measured error of
// the quantiles, which also covers the rounding of the subtraction and of the
// final product; so R never exceeds the exact radius and differs from it by
// about 1e-13 relative when pA and pB are well apart.
//
// GaussianRadius returns an error wrapping ErrInvalidInput if σ is not a
// finite positive number, if pA or pB is NaN, infinite or outside [0, 1], or
// if pA < pB.
func GaussianRadius(sigma, pA, pB float64) (float64, error) {
	if err := checkGaussian(sigma, pA, pB); err != nil {
		return 0, invalid("GaussianRadius", err)
	}
	return gaussianRadius(sigma, pA, pB), nil
}

// checkGaussian validates the arguments of GaussianRadius.
func checkGaussian(sigma, pA, pB float64) error {
	if err := checkSigma(sigma); err != nil {
		return err
	}
	return checkProbs(pA, pB)
}

// gaussianRadius computes GaussianRadius for valid arguments.
func gaussianRadius(sigma, pA, pB float64) float64 {
	gap := quantileGap(pA, pB)
	if math.IsInf(gap, 1) {
		return gap
	}
	return math.Min(sigma/2*gap, math.MaxFloat64)
}

// GaussianPatternRadius returns the certified radius of eq. (13), the special
// case of Corollary 1 in which one pattern δ is added to r training
// instances, so that sqrt(Σ_i ‖δ_i‖₂²) = √r·‖δ‖₂:
//
//	R_r = σ/(2√r) · (Φ⁻¹(pA) − Φ⁻¹(pB)) = GaussianRadius(σ, pA, pB)/√r.
//
// The prediction is certified against every pattern with ‖δ‖₂ < R_r. The
// special cases, the safety margin and the argument errors are those of
// GaussianRadius; in addition r must be at least 1. The margin of
// GaussianRadius also covers the rounding of the square root and division.
func GaussianPatternRadius(sigma, pA, pB float64, r int) (float64, error) {
	if err := checkCount("r", r, "the number of poisoned training instances"); err != nil {
		return 0, invalid("GaussianPatternRadius", err)
	}
	if err := checkGaussian(sigma, pA, pB); err != nil {
		return 0, invalid("GaussianPatternRadius", err)
	}
	return gaussianRadius(sigma, pA, pB) / math.Sqrt(float64(r)), nil
}
