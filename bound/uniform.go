package bound

import (
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// uniformTol is the relative margin by which UniformCertified must clear the
// boundary of eq. (15) in log space. The computed log-product and threshold
// are each within 1e-15 relative of the exact values (see UniformCertified),
// so 1e-13 leaves a factor of 100.
const uniformTol = 1e-13

// radiusShrink is the relative amount by which UniformPatternRadius and
// UniformL1Radius shrink their exact value. It is ten times uniformTol, so
// patterns at the returned radius pass UniformCertified's strict test.
const radiusShrink = 1e-12

// UniformCertified reports whether Corollary 2, eq. (15), certifies a
// prediction of a model smoothed with uniform noise U([a, b]) on every
// training feature against the backdoor patterns delta, one row δ_i per
// poisoned training instance (instances not listed are unpoisoned):
//
//	Π_i Π_j (1 − |δ_ij|/(b−a))_+ > 1 − (pA − pB)/2,
//
// with (x)_+ = max{x, 0}, pA a lower bound on the probability of the top
// class and pB an upper bound on every other class. An empty delta (no
// poisoned instance) is certified exactly when pA > pB.
//
// The product of thousands of factors is evaluated in log space:
// S = Σ_ij log1p(−|δ_ij|/(b−a)) against T = log1p(−(pA − pB)/2). A factor
// (1 − x)_+ ≤ 1 − (pA − pB)/2 alone defeats the test, so every term that
// enters S has x < (pA − pB)/2 ≤ 1/2, where log1p(−x) is computed to within
// 5 units of 2⁻⁵³ relative; S is summed with Neumaier's compensated
// summation (error 2·2⁻⁵³·|S| plus second order) and all terms share one
// sign, so S and T are within 1e-15 relative of their exact values. To be
// safe against rounding the test is strict with a margin:
// certified ⇔ S > T + 1e-13·(|S| + |T|). A pattern exactly on the boundary,
// or within that margin of it, is never certified.
//
// UniformCertified returns an error wrapping ErrInvalidInput if a or b is not
// finite, a ≥ b or b − a overflows, if pA or pB is NaN, infinite or outside
// [0, 1], if pA < pB, or if delta is ragged, has an empty row or holds NaN or
// ±Inf (an *errs.InputError naming the row, and the coordinate as its
// feature). It does not modify delta.
func UniformCertified(a, b, pA, pB float64, delta [][]float64) (bool, error) {
	if err := checkUniform(a, b, pA, pB); err != nil {
		return false, invalid("UniformCertified", err)
	}
	width := b - a
	half := (pA - pB) / 2
	var sum, comp float64 // Neumaier summation of S
	defeated := false
	for i, row := range delta {
		if len(row) == 0 {
			return false, invalid("UniformCertified", errs.At(i, -1, "delta row is empty: each row holds the pattern added to one poisoned instance"))
		}
		if len(row) != len(delta[0]) {
			return false, invalid("UniformCertified", errs.At(i, -1, "delta is ragged: %d coordinates, row 0 has %d", len(row), len(delta[0])))
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false, invalid("UniformCertified", errs.At(i, j, "delta must be a finite number, got %v", v))
			}
			x := math.Abs(v) / width
			if x >= half {
				defeated = true
			}
			if defeated {
				continue
			}
			sum, comp = neumaierAdd(sum, comp, math.Log1p(-x))
		}
	}
	if defeated || pA == pB {
		return false, nil
	}
	s := sum + comp
	t := math.Log1p(-half)
	return s > t+uniformTol*(math.Abs(s)+math.Abs(t)), nil
}

// neumaierAdd adds x to the compensated sum (sum, comp) (Neumaier's variant
// of Kahan summation); the sum's value is sum + comp.
func neumaierAdd(sum, comp, x float64) (float64, float64) {
	t := sum + x
	if math.Abs(sum) >= math.Abs(x) {
		comp += (sum - t) + x
	} else {
		comp += (x - t) + sum
	}
	return t, comp
}

// UniformPatternRadius returns the largest ε such that Corollary 2 certifies
// every pattern whose d coordinates all have magnitude at most ε, added to r
// training instances, for uniform noise U([a, b]):
//
//	ε = (b−a)·(1 − (1 − (pA−pB)/2)^(1/(d·r))).
//
// Derivation. Let w = b − a and h = (pA − pB)/2. With |δ_j| ≤ ε ≤ w for all
// d coordinates of the pattern, the r poisoned instances contribute d·r
// factors of at least (1 − ε/w) to the product of eq. (15) and the others
// factors of 1, so the product is at least (1 − ε/w)^(d·r), with equality for
// |δ_j| = ε (eq. (16)). Hence every such pattern is certified iff
// (1 − ε/w)^(d·r) > 1 − h, i.e. ε < w·(1 − (1 − h)^(1/(d·r))) = ε*; for
// ε ≥ w the product can be 0 and nothing is certified, consistent with
// ε* < w. The bound ε* is a supremum: a pattern with all |δ_j| = ε* meets
// eq. (15) with equality and is not certified. The function therefore
// returns ε*·(1 − 1e-12), computed as −w·expm1(log1p(−h)/(d·r)) to avoid
// cancellation, at which UniformCertified certifies every such pattern.
//
// The radius is 0 when pA = pB. UniformPatternRadius returns an error
// wrapping ErrInvalidInput if a or b is not finite, a ≥ b or b − a overflows,
// if pA or pB is NaN, infinite or outside [0, 1], if pA < pB, or if d < 1 or
// r < 1.
func UniformPatternRadius(a, b, pA, pB float64, d, r int) (float64, error) {
	err := checkUniform(a, b, pA, pB)
	if err == nil {
		err = checkCount("d", d, "the number of coordinates of the pattern")
	}
	if err == nil {
		err = checkCount("r", r, "the number of poisoned training instances")
	}
	if err != nil {
		return 0, invalid("UniformPatternRadius", err)
	}
	half := (pA - pB) / 2
	factors := float64(d) * float64(r)
	eps := -(b - a) * math.Expm1(math.Log1p(-half)/factors)
	return eps * (1 - radiusShrink), nil
}

// UniformL1Radius returns the largest total L1 norm L = Σ_ij |δ_ij| of the
// backdoor patterns for which Corollary 2 certifies a prediction whatever the
// arrangement of the patterns over instances and coordinates, for uniform
// noise U([a, b]):
//
//	L = (b−a)·(pA−pB)/2.
//
// Derivation. Let w = b − a, h = (pA − pB)/2 and x_ij = |δ_ij|/w ≥ 0. By the
// Weierstrass product inequality Π (1 − x_ij)_+ ≥ 1 − Σ x_ij (for x_ij ≤ 1
// by induction, (1 − s)(1 − x) ≥ 1 − s − x; if some x_ij > 1 the right side
// is negative), so Σ_ij |δ_ij| < w·h implies eq. (15). Conversely, all mass on
// one coordinate, |δ_11| = L, gives the product 1 − L/w, which satisfies
// eq. (15) only if L < w·h; so w·h is the exact supremum. At L = w·h the
// single-coordinate arrangement meets eq. (15) with equality and is not
// certified, so the function returns w·h·(1 − 1e-12), at which
// UniformCertified certifies every arrangement.
//
// The radius is 0 when pA = pB. UniformL1Radius returns an error wrapping
// ErrInvalidInput if a or b is not finite, a ≥ b or b − a overflows, or if pA
// or pB is NaN, infinite or outside [0, 1], or if pA < pB.
func UniformL1Radius(a, b, pA, pB float64) (float64, error) {
	if err := checkUniform(a, b, pA, pB); err != nil {
		return 0, invalid("UniformL1Radius", err)
	}
	return (b - a) * (pA - pB) / 2 * (1 - radiusShrink), nil
}
