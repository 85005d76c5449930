package gemm

import "math"

// fma32 returns a·b + c rounded once to float32. The product of two float32 values is
// exact in float64 (48 significant bits), and so is the error e of the float64 sum
// s = p + c (TwoSum, Knuth). Rounding p + c to odd in float64 — s when e = 0, else the
// neighbour of the exact value whose last significand bit is 1 — and then to nearest
// float32 gives the correctly rounded fma, because float64 has at least two more bits
// than float32 (Boldo and Melquiond 2008, Theorem 1).
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact; the conversion forbids fusing
	cc := float64(c)
	s := p + cc
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s) // an infinite or NaN operand
	}
	bb := s - p
	e := (p - (s - bb)) + (cc - bb) // p + c = s + e exactly
	bits := math.Float64bits(s)
	if e != 0 && bits&1 == 0 {
		// s is even and inexact: move one ulp towards the exact value, to the odd
		// neighbour. The magnitude of s grows when e has the sign of s.
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}
