package knn

import (
	"math"
	"slices"
)

// The dynamic programme of Theorem 3 (Appendix B), one bucket at a time.
//
// Let B_j be the bucket of training point j and F_j(l) = P(B_j ≤ l), p_j^l =
// F_j(l) − F_j(l−1). Point j precedes (i, l) in the (bucket, index) order iff B_j < l,
// or B_j = l and j < i; so, given B_i = l, the points before i are independent with
// P(j before) = F_j(l) for j < i and F_j(l−1) for j > i. Hence (Appendix B)
//
//	P(K-th is i, B_i = l, tally γ of the K−1 before) = p_i^l · Π_c P_c^{i,l}(γ_c),
//
// where P_c^{i,l} is the Poisson-binomial distribution of the number of class-c points
// before (i, l), truncated at K−1: the coefficients of Π_j (1 − P(j before) +
// P(j before)·z) over the class-c points j ≠ i. For each bucket, one backward pass
// stores the per-class suffix products Π_{j>i}(1 − F_j(l−1) + F_j(l−1)z) and one
// forward pass keeps the prefix products Π_{j<i}(1 − F_j(l) + F_j(l)z), so each (i, l)
// costs O(K²) plus the vote, which credits the majority class of γ + e_{y_i} (ties to
// the smallest label) in O(C·K³) with prefix and suffix products over classes (see
// vote.go). This is O(n·L·C·K³) instead of the paper's O(K^{2+C} n² L C).

// addBucket adds to the class totals the probability of every outcome whose K-th
// point lies in bucket l, given as the CDF matrix row e (row e holds F(l), row e−1
// F(l−1)).
func (ws *workspace) addBucket(e int) {
	s := ws.s
	m, K, C := len(ws.relIndex), s.k, s.classes
	atL, belowL := ws.cdf[e*m:(e+1)*m], ws.cdf[(e-1)*m:e*m]
	ws.laterSameClass = slices.Grow(ws.laterSameClass[:0], m*K)[:m*K]
	for c := range C {
		resetPoly(ws.classSuffix[c*K : (c+1)*K])
		resetPoly(ws.classPrefix[c*K : (c+1)*K])
	}
	// Backward: the points after r precede (r, l) iff they lie below l.
	for r := m - 1; r >= 0; r-- {
		if atL[r] == 0 {
			continue
		}
		suffix := ws.classSuffix[int(ws.relClass[r])*K:][:K]
		copy(ws.laterSameClass[r*K:(r+1)*K], suffix)
		mulFactor(suffix, belowL[r])
	}
	// Forward: before[c] is class c's count among the points preceding (r, l); it
	// starts as the suffix over all points and trades point r's factor F_r(l−1) for
	// F_r(l) once r has been the candidate.
	copy(ws.before, ws.classSuffix)
	for c := range C {
		ws.voteDist[c] = ws.before[c*K : (c+1)*K]
	}
	for r := range m {
		if atL[r] == 0 {
			continue
		}
		c := int(ws.relClass[r])
		prefix, before := ws.classPrefix[c*K:(c+1)*K], ws.before[c*K:(c+1)*K]
		convInto(ws.ownBefore, prefix, ws.laterSameClass[r*K:(r+1)*K])
		if p := atL[r] - belowL[r]; p > 0 {
			ws.voteDist[c], ws.ownClass = ws.ownBefore, c
			ws.vote()
			ws.voteDist[c] = before
			for w, v := range ws.winProb {
				if v != 0 {
					ws.add(w, float64(p*v))
				}
			}
		}
		mulFactor(prefix, atL[r])
		copy(before, ws.ownBefore)
		mulFactor(before, atL[r])
	}
}

// add accumulates v into class w with Neumaier's compensated summation.
func (ws *workspace) add(w int, v float64) {
	s := ws.total[w]
	t := s + v
	if math.Abs(s) >= math.Abs(v) {
		ws.totalComp[w] += (s - t) + v
	} else {
		ws.totalComp[w] += (v - t) + s
	}
	ws.total[w] = t
}
