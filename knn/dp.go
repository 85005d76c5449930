package knn

import "slices"

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
//
// With ws.membership set (EvaluateWithMembership), the same passes also accumulate the
// membership probabilities of doc.go's "Label flips": point r votes iff at most K−1
// points precede it, so
//
//	P(r votes, B_r = l) = p_r^l · P(N_r^l ≤ K−1),
//
// N_r^l being the number of points before (r, l), the same independent Bernoulli
// points summed over all classes. member[r] adds it up over the window (pipeline.go
// starts it at F_r(lLo−1), the mass below the window). Two classes read it off the
// two class counts (countAtMost(own, other)); K = 1 it is the vote's own term; more
// classes keep class-blind prefix and suffix products (allPrefix, laterAll), O(K) per
// (point, bucket) pair.

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
	if ws.membership {
		ws.laterAll = slices.Grow(ws.laterAll[:0], m*K)[:m*K]
		resetPoly(ws.allSuffix)
		resetPoly(ws.allPrefix)
	}
	// Backward: the points after r precede (r, l) iff they lie below l.
	for r := m - 1; r >= 0; r-- {
		if atL[r] == 0 {
			continue
		}
		suffix := ws.classSuffix[int(ws.relClass[r])*K:][:K]
		copy(ws.laterSameClass[r*K:(r+1)*K], suffix)
		mulFactor(suffix, belowL[r])
		if ws.membership {
			copy(ws.laterAll[r*K:(r+1)*K], ws.allSuffix)
			mulFactor(ws.allSuffix, belowL[r])
		}
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
				ws.bucketSum[w] += float64(p * v)
			}
			if ws.membership {
				ws.member[r] += float64(p * countAtMost(ws.allPrefix, ws.laterAll[r*K:(r+1)*K]))
			}
		}
		if ws.membership {
			mulFactor(ws.allPrefix, atL[r])
		}
		mulFactor(prefix, atL[r])
		copy(before, ws.ownBefore)
		mulFactor(before, atL[r])
	}
	ws.addBucketSums()
}

// addBucketTwoClasses is addBucket for C = 2 with the vote inlined (see
// voteTwoClasses): it computes the same sums in the same order.
func (ws *workspace) addBucketTwoClasses(e int) {
	m, K := len(ws.relIndex), ws.s.k
	atL, belowL := ws.cdf[e*m:(e+1)*m], ws.cdf[(e-1)*m:e*m]
	later := slices.Grow(ws.laterSameClass[:0], m*K)[:m*K]
	ws.laterSameClass = later
	suffix := [2][]float64{resetPoly(ws.classSuffix[:K]), resetPoly(ws.classSuffix[K : 2*K])}
	for r := m - 1; r >= 0; r-- {
		if atL[r] == 0 {
			continue
		}
		s := suffix[ws.relClass[r]]
		copy(later[r*K:(r+1)*K], s)
		mulFactor(s, belowL[r])
	}
	prefix := [2][]float64{resetPoly(ws.classPrefix[:K]), resetPoly(ws.classPrefix[K : 2*K])}
	before := [2][]float64{ws.before[:K], ws.before[K : 2*K]}
	copy(before[0], suffix[0])
	copy(before[1], suffix[1])
	gWin := [2]int{(K+1)/2 - 1, K / 2} // own class o wins from g ≥ gWin[o] own voters before
	own := ws.ownBefore
	var sum [2]float64
	for r, a := range atL {
		if a == 0 {
			continue
		}
		o := ws.relClass[r]
		convInto(own, prefix[o], later[r*K:(r+1)*K])
		if p := a - belowL[r]; p > 0 {
			other := before[1-o]
			var wins, loses float64
			for g, v := range own {
				if t := float64(v * other[K-1-g]); g >= gWin[o] {
					wins += t
				} else {
					loses += t
				}
			}
			sum[o] += float64(p * wins)
			sum[1-o] += float64(p * loses)
			if ws.membership {
				ws.member[r] += float64(p * countAtMost(own, other))
			}
		}
		mulFactor(prefix[o], a)
		copy(before[o], own)
		mulFactor(before[o], a)
	}
	ws.bucketSum[0], ws.bucketSum[1] = sum[0], sum[1]
	ws.addBucketSums()
}

// addBucketNearest is addBucket for K = 1, where the vote is the class of the nearest
// point and the count distributions reduce to the probability that no point precedes:
//
//	P(first is r, B_r = l) = p_r^l · Π_{j<r} (1 − F_j(l)) · Π_{j>r} (1 − F_j(l−1)),
//
// a backward pass for the suffix products and a forward one for the prefix.
func (ws *workspace) addBucketNearest(e int) {
	m := len(ws.relIndex)
	atL, belowL := ws.cdf[e*m:(e+1)*m], ws.cdf[(e-1)*m:e*m]
	after := slices.Grow(ws.laterSameClass[:0], m)[:m] // Π_{j>r} (1 − F_j(l−1))
	ws.laterSameClass = after
	suffix := 1.0
	for r := m - 1; r >= 0; r-- {
		after[r] = suffix
		suffix *= 1 - belowL[r]
	}
	prefix := 1.0
	for r, a := range atL {
		if a == 0 {
			continue
		}
		if p := a - belowL[r]; p > 0 {
			term := float64(float64(p*prefix) * after[r])
			ws.bucketSum[ws.relClass[r]] += term
			if ws.membership {
				ws.member[r] += term
			}
		}
		prefix *= 1 - a
	}
	ws.addBucketSums()
}

// countAtMost returns P(X + Y ≤ K−1) for independent counts X and Y with the
// distributions a and b (coefficients 0..K−1): Σ_g a[g]·Σ_{h ≤ K−1−g} b[h].
func countAtMost(a, b []float64) float64 {
	K := len(a)
	var cum, sum float64
	for g := K - 1; g >= 0; g-- {
		cum += b[K-1-g]
		sum += float64(a[g] * cum)
	}
	return sum
}

// addBucketSums adds one bucket's plain sums per class to the totals (Neumaier's
// compensated summation across buckets) and clears them.
func (ws *workspace) addBucketSums() {
	for w, v := range ws.bucketSum {
		if v != 0 {
			ws.total[w].add(v)
		}
	}
	clear(ws.bucketSum)
}
