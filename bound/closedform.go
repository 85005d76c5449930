package bound

import "math"

// The Clopper–Pearson bounds have closed forms at the ends: for k = n successes the
// lower bound is α^(1/n) (the α-quantile of Beta(n, 1)), for k = 0 the upper bound is
// 1 − α^(1/n). Both are computed from t = ln(α)/n, and both are moved outwards by a
// margin that provably covers every rounding error, for every n ≥ 1 and every
// float64 α ∈ (0, 1) (subnormal α included), as follows.
//
// Notation: u = 2⁻⁵³, the unit roundoff; fl(·) a correctly rounded operation, so
// fl(a∘b) = (a∘b)(1+e) with |e| ≤ u when the result is normal. Assumption (A): Go's
// math.Log (for normal arguments), math.Exp and math.Expm1 are within 2 ulps of the
// exact result, i.e. a relative error of at most 4u for normal results. (Their
// sources state less than 1 ulp; the factor two is slack, for the amd64 assembly of
// Exp and Log. TestLibmAccuracy checks 1 ulp on a sweep against mpmath.) A
// subnormal α goes through ln, below, whose error is at most 5.2u relative.
//
// Exponent. T = fl(ln(α)/fl(n)) = t(1+e₁)(1+e₃)/(1+e₂) with |e₁| ≤ 5.2u,
// |e₂| ≤ u (n > 2⁵³ rounds), |e₃| ≤ u; hence |T − t| ≤ η|t| with
// η = (1+5.2u)(1+u)/(1−u) − 1 < 7.21u. Since |t| ≤ |ln 2⁻¹⁰⁷⁴| < 745, η|t| < 6e-13.
//
// Lower bound x = e^t (rootLower). X = fl(exp(T)) ≤ e^t·e^(η|t|)·(1+4u). The margin
// M = fl(2⁻⁴⁹·fl(1−T)) ≥ 16u(1+|t|(1−η))(1−u) (2⁻⁴⁹ = 16u is a power of two, so
// only 1 − T rounds). The result F = nextDown(fl(X·fl(1−M))): fl(1−M) ≤ (1−M)(1+u),
// the product rounds by (1+u), and nextDown(y) ≤ y(1−u) for every normal y > 0, so
// F ≤ X(1−M)(1+u)². With s = |t|:
//
//	F/e^t ≤ (1 + 7.22u·s)(1+4u)(1+u)²(1 − 16u(1−u)(1+(1−η)s)) < 1 − 9u − 8u·s.
//
// So F is below the exact bound by more than 9u relative, which is more than one ulp
// below the float64 nearest to it (that float is ≥ e^t(1−u), and one step below it
// ≥ e^t(1−3u)). A result below 2⁻¹⁰²² is returned as 0 (the bounds above need normal
// numbers; 0 is always a valid lower bound). F is within (24 + 24s)u relative of e^t.
//
// Upper bound w = 1 − e^t (oneMinusRootUpper). W = −fl(expm1(T)). As a function of
// t, ln w has derivative −1/(e^(−t) − 1), at most 1/|t| in size (eˢ − 1 ≥ s), so
// |ln w(T) − ln w(t)| ≤ η|t|/((1−η)|t|) < 7.22u: the relative error of T passes into
// w undamped but not amplified, whatever n and α. With (A), W ≥ w(1 − 11.23u), and
// WU = nextUp(fl(W·(1+2⁻⁴⁹))) (1 + 2⁻⁴⁹ is exact; nextUp(y) ≥ y(1+u)) satisfies
//
//	WU/w ≥ (1 − 11.23u)(1+16u)(1−u)(1+u) > 1 + 4.7u,
//
// more than one ulp above the float64 nearest to w (at most w(1+3.01u)); WU is within
// 32u relative of w, and is clamped to 1.

// ln returns the natural logarithm of x > 0, also for subnormal x, where Go's
// math.Log on amd64 (assembly) is wrong: math.Log(5e-324) = −709.09, not −744.44
// (golang/go#56600). A subnormal x is scaled by 2⁶⁴ (exact) first; the result then
// carries the error of math.Log on |ln(x·2⁶⁴)| ≤ 709 (4u relative by (A)), the
// rounding of 64·ln 2 and of the subtraction: at most (4·709 + 45 + 745)u absolute,
// under 5.2u relative as |ln x| > 708.
func ln(x float64) float64 {
	if x < smallestNormal {
		return math.Log(x*0x1p64) - 64*math.Ln2
	}
	return math.Log(x)
}

// rootLower returns a lower bound on α^(1/n), at least one ulp below the nearest
// float64 (see the analysis above), or 0 where that falls below 2⁻¹⁰²².
func rootLower(alpha float64, n int) float64 {
	t := ln(alpha) / float64(n)
	margin := 0x1p-49 * (1 - t)
	x := math.Nextafter(math.Exp(t)*(1-margin), 0)
	if x < smallestNormal {
		return 0
	}
	return x
}

// oneMinusRootUpper returns an upper bound on 1 − α^(1/n), at least one ulp above
// the nearest float64 (see the analysis above), at most 1.
func oneMinusRootUpper(alpha float64, n int) float64 {
	t := ln(alpha) / float64(n)
	w := math.Nextafter(-math.Expm1(t)*(1+0x1p-49), 2)
	return math.Min(w, 1)
}
