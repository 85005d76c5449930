package attack

import (
	"math"
	"math/big"
)

// unitRoundoff is u = 2⁻⁵³, the relative rounding error of one float64 operation.
const unitRoundoff = 0x1p-53

// sumSquares accumulates Σ vᵢ² in float64 and turns it into a rigorous upper bound
// of the exact √(Σ vᵢ²) (see bound). The zero value is an empty sum.
type sumSquares struct {
	sum     float64
	k       int
	nonzero bool
}

func (a *sumSquares) add(v float64) {
	// The conversion forbids fusing into an FMA, so results are bit-identical on
	// every architecture.
	a.sum += float64(v * v)
	a.k++
	a.nonzero = a.nonzero || v != 0
}

// bound returns a float64 b ≥ √(Σ vᵢ²), the vᵢ being the exact values added, with
// b ≤ √(Σ vᵢ²)·(1 + (k+6)·u) up to underflow. Each square and each of the k−1
// additions is off by a factor (1±u), the square root by another (1±u), so the
// computed root is at least the exact one times (1−u)^(k/2+2) ≥ 1 − (k/2+2)·u
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1, §4.2); the
// factor 1 + (k+5)·u covers it, and one step up covers the rounding of the
// product. Squares that underflow lose at most 2⁻¹⁰²² each, added back before the
// root. A sum of exact zeros is exactly 0.
func (a *sumSquares) bound() float64 {
	if !a.nonzero {
		return 0
	}
	// The products below are exact, so FMA fusion could not change them; the
	// conversions make that explicit.
	s := a.sum + float64(float64(a.k)*0x1p-1022)
	r := math.Sqrt(s) * (1 + float64(float64(a.k+5)*unitRoundoff))
	return math.Nextafter(r, math.Inf(1))
}

// exactSumSquares returns Σ vᵢ² without rounding. Each square needs 106 bits; the
// sum needs as many more bits as the exponents of the squares spread apart, plus
// 64 bits for the carries of adding up to 2⁶⁴ terms.
func exactSumSquares(v []float64) *big.Float {
	minExp, maxExp := math.MaxInt, math.MinInt
	for _, x := range v {
		if x != 0 {
			_, e := math.Frexp(x)
			minExp, maxExp = min(minExp, e), max(maxExp, e)
		}
	}
	if minExp > maxExp {
		return new(big.Float)
	}
	prec := uint(2*(maxExp-minExp) + 106 + 64)
	sum := new(big.Float).SetPrec(prec)
	sq := new(big.Float).SetPrec(prec)
	bx := new(big.Float)
	for _, x := range v {
		bx.SetFloat64(x)
		sum.Add(sum, sq.Mul(bx, bx))
	}
	return sum
}

// exactSquare returns x² without rounding.
func exactSquare(x float64) *big.Float {
	bx := new(big.Float).SetFloat64(x)
	return new(big.Float).SetPrec(106).Mul(bx, bx)
}

// shrinkToNorm nudges every entry of v one step toward zero until the exact norm
// ‖v‖₂ is at most norm. Each step strictly shrinks every non-zero normal |vᵢ| by a
// relative 2⁻⁵³ or more, so a vector within a few ulps of norm needs a step or two.
func shrinkToNorm(v []float64, norm float64) {
	limit := exactSquare(norm)
	for exactSumSquares(v).Cmp(limit) > 0 {
		for i, x := range v {
			v[i] = math.Nextafter(x, 0)
		}
	}
}

// scaledNorm returns ‖v‖₂ to within a few ulps, scaling by max|vᵢ| so that the
// squares neither overflow nor underflow. The result is +Inf when the norm itself
// overflows.
func scaledNorm(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	if m == 0 {
		return 0
	}
	var sum float64
	for _, x := range v {
		q := x / m
		sum += float64(q * q)
	}
	return m * math.Sqrt(sum)
}

// normCeil returns the smallest float64 f with f ≥ ‖v‖₂ exactly: scaledNorm is
// within a few ulps, and exact comparisons of f² with Σ vᵢ² move it to the bound.
func normCeil(v []float64) float64 {
	s := exactSumSquares(v)
	f := scaledNorm(v)
	for exactSquare(f).Cmp(s) < 0 {
		f = math.Nextafter(f, math.Inf(1))
	}
	for f > 0 {
		below := math.Nextafter(f, 0)
		if exactSquare(below).Cmp(s) < 0 {
			break
		}
		f = below
	}
	return f
}
