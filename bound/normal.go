package bound

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// smallestNormal is the smallest positive normal float64, 2⁻¹⁰²².
const smallestNormal = 0x1p-1022

// normalQuantile returns Φ⁻¹(p), the standard normal quantile, for p ∈ [0, 1].
//
// The core is Wichura's algorithm AS241 (PPND16, mathext.NormalQuantile),
// which is accurate to 6.2e-16 relative over all normal float64 p ≤ 1/2
// (measured against mpmath at 50 digits on 933 log-spaced points from 1e-307
// to 1/2). For p > 1/2 the quantile is computed from the upper tail
// q = 1 − p, which is exact in float64 (Sterbenz), so no precision is lost
// close to 1: see upperNormalQuantile.
//
// AS241 is not accurate for subnormal p (it is off by up to 2% at 1e-320), so
// p < 2⁻¹⁰²² is raised to 2⁻¹⁰²²; the result Φ⁻¹(2⁻¹⁰²²) ≈ −37.52 is then an
// upper bound on Φ⁻¹(p). GaussianRadius relies on this direction.
func normalQuantile(p float64) float64 {
	if p > 0.5 {
		return upperNormalQuantile(1 - p)
	}
	if p > 0 && p < smallestNormal {
		p = smallestNormal
	}
	return mathext.NormalQuantile(p)
}

// upperNormalQuantile returns Φ⁻¹(1 − q) = −Φ⁻¹(q) for q ∈ [0, 1], accurate
// for q far below the spacing of float64 near 1: upperNormalQuantile(1e-12) =
// 7.0344838253…, the quantile of the real number 1 − 10⁻¹², whereas the
// float64 nearest 1 − 10⁻¹² is 1 − 9.999778782798785e-13, whose quantile is
// 7.0344869100…
func upperNormalQuantile(q float64) float64 {
	return -normalQuantile(q)
}

// quantileTol bounds the relative error of normalQuantile with a margin of
// 160 over the measured 6.2e-16; the radii subtract
// quantileTol·(|Φ⁻¹(pA)| + |Φ⁻¹(pB)|) so that rounding can only shrink them.
const quantileTol = 1e-13

// quantileGap returns Φ⁻¹(pA) − Φ⁻¹(pB) for pA ≥ pB, lowered by the numerical
// error of both quantiles and of the subtraction so that it never exceeds the
// exact value: 0 when pA = pB or when the gap is below the error, +Inf only
// when pA = 1 and pB = 0. When just one of them is at its limit, pA = 1 is
// replaced by 1 − 2⁻⁵³ and pB = 0 by 2⁻¹⁰²²: a finite gap below the exact,
// infinite one.
func quantileGap(pA, pB float64) float64 {
	if pA == pB {
		return 0
	}
	if pA == 1 && pB == 0 {
		return math.Inf(1)
	}
	if pA == 1 {
		pA = 1 - 0x1p-53
	}
	if pB == 0 {
		pB = smallestNormal
	}
	hi, lo := normalQuantile(pA), normalQuantile(pB)
	gap := (hi - lo) - quantileTol*(math.Abs(hi)+math.Abs(lo))
	return math.Max(gap, 0)
}
