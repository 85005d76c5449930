package knn

import "math"

// compensatedSum is Neumaier's compensated summation (Kahan's, improved for terms
// larger than the sum): for n non-negative terms it errs by at most ε·S + 2nε²·S.
type compensatedSum struct{ sum, comp float64 }

func (s *compensatedSum) add(v float64) {
	t := s.sum + v
	if math.Abs(s.sum) >= math.Abs(v) {
		s.comp += (s.sum - t) + v
	} else {
		s.comp += (v - t) + s.sum
	}
	s.sum = t
}

func (s *compensatedSum) value() float64 { return s.sum + s.comp }

// resetPoly sets p to the constant polynomial 1 and returns it.
func resetPoly(p []float64) []float64 {
	clear(p)
	p[0] = 1
	return p
}

// mulFactor multiplies p by (1 − f) + f·z, truncated at degree len(p)−1: the
// generating function of a count gaining one Bernoulli(f) point.
func mulFactor(p []float64, f float64) {
	g := 1 - f
	for u := len(p) - 1; u > 0; u-- {
		p[u] = float64(p[u]*g) + float64(p[u-1]*f)
	}
	p[0] *= g
}

// addSymmetric updates the elementary symmetric polynomials e_0..e_K with value f.
func addSymmetric(e []float64, f float64) {
	for k := len(e) - 1; k > 0; k-- {
		e[k] += float64(e[k-1] * f)
	}
}

// convInto sets dst = a·b truncated at degree len(dst)−1.
func convInto(dst, a, b []float64) {
	convCap(dst, a, b, len(dst)-1)
}

// convCap sets dst = a·b̃ truncated at degree len(dst)−1, where b̃ keeps the
// coefficients of b up to degree capB (b̃ = 0 if capB < 0).
func convCap(dst, a, b []float64, capB int) {
	for u := range dst {
		var s float64
		for v := 0; v <= min(u, capB); v++ {
			s += float64(b[v] * a[u-v])
		}
		dst[u] = s
	}
}
