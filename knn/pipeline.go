package knn

import (
	"math"
	"slices"
)

// The evaluation pipeline of one input and its error budget.
//
// probabilities computes the distances, locates the buckets that can hold the K-th
// point, keeps the relevant points, fills their CDF matrix, narrows the window of
// buckets and runs the dynamic programme (dp.go) over it, adding up a bound on every
// truncation as it goes.
//
// Sparsity makes it fast. For one input only a window of buckets can hold the K-th
// point: below l_lo fewer than K points fit (P(N(l_lo−1) ≥ K) ≤ e_K(F(l_lo−1)), the
// elementary symmetric polynomial), above l_hi at least K points are almost surely
// (P(N(l_hi) < K) computed exactly); and only training points with non-negligible
// F_j(l_hi) matter, which by monotonicity of F in λ_j is a prefix of the points sorted
// by distance. Everything cut is bounded and added to the reported error; by
// coupling, replacing the bucket distributions of the points by ones at total
// variation τ_j changes the probability of every event by at most Σ_j τ_j:
//
//   - far points j, moved beyond l_hi: total variation F_j(l_hi) each;
//   - the K-th point outside [l_lo, l_hi]: e_K(F(l_lo−1)) + P(N(l_hi) < K);
//   - CDF truncation and rounding: Σ_j Σ_l |ΔF_j(l)| (total variation of the coarsened
//     bucket distributions);
//   - CDF values below tol/(16|R|) set to zero: their value;
//   - rounding of the dynamic programme (all terms are non-negative, so relative error
//     bounds apply);
//   - renormalisation to a sum of 1: |1 − Σ_c q_c|.

// evalParts selects what an evaluation computes besides the class probabilities.
type evalParts uint8

const (
	withDiagnostics evalParts = 1 << iota // Ties and LastBucket (quantisation.go)
	withMembership                        // the membership probabilities (membership.go)
)

// evaluate evaluates the smoothed classifier at x (validated): the class
// probabilities and their error bound and the parts asked for.
func (ws *workspace) evaluate(x []float64, parts evalParts) Evaluation {
	ws.distances(x)
	gLo, gHi := ws.locateBlock()
	truncation := ws.selectRelevant(gHi)
	m := len(ws.relIndex)
	truncation += ws.fillMatrix(gLo-1, gHi, ws.s.tol/(16*float64(max(m, 1))))
	lLo, lHi, windowErr := ws.window(gLo, gHi)
	truncation += windowErr
	clear(ws.total)
	ws.membership = parts&withMembership != 0
	if ws.membership { // the mass below the window votes (membership.go)
		ws.member = append(ws.member[:0], ws.cdf[(lLo-gLo)*m:(lLo-gLo+1)*m]...)
	}
	for l := lLo; l <= lHi; l++ {
		switch {
		case ws.s.k == 1:
			ws.addBucketNearest(l - gLo + 1)
		case ws.s.classes == 2:
			ws.addBucketTwoClasses(l - gLo + 1)
		default:
			ws.addBucket(l - gLo + 1)
		}
	}
	ev := Evaluation{Probs: make([]float64, ws.s.classes)}
	ev.ErrBound = truncation + ws.normalise(ev.Probs)
	if parts&withDiagnostics != 0 {
		ws.diagnose(&ev, gLo, lLo, lHi, truncation)
	}
	if ws.membership {
		ev.Membership = ws.memberships(truncation, lHi-lLo+1)
	}
	return ev
}

// distances computes λ_j = ‖x_j − x‖²/σ² and puts the min(n, probeSize+1) nearest
// points by (λ, index) first in byDistance, in order (the probes need no more).
func (ws *workspace) distances(x []float64) {
	s := ws.s
	sigma2 := s.sigma * s.sigma
	for j := range s.n {
		ws.lambda[j] = squaredDistance(s.x[j*s.d:(j+1)*s.d], x) / sigma2
		ws.byDistance[j] = rankedPoint{ws.lambda[j], int32(j)}
	}
	nearestFirst(ws.byDistance, min(s.n, probeSize+1))
}

// locateBlock returns buckets gLo ≤ gHi such that, rigorously (from the probeSize
// nearest points), P(N(gHi) < K) ≤ tol/8 and P(N(gLo−1) ≥ K) ≤ tol/8, where N(l)
// counts the points in buckets ≤ l; gHi = L if no finite edge achieves it.
func (ws *workspace) locateBlock() (gLo, gHi int) {
	L, target := len(ws.s.edges)+1, ws.s.tol/8
	probe := min(ws.s.n, probeSize)
	gHi = L
	if ws.probeHi(L-1, probe, target) {
		gHi = searchFirst(1, L-1, func(l int) bool { return ws.probeHi(l, probe, target) })
	}
	gLo = searchLast(1, gHi, func(l int) bool { return ws.probeLo(l-1, probe, target) })
	return gLo, gHi
}

// probeSize is the number of nearest training points used to locate the window.
const probeSize = 256

// probeHi reports whether P(fewer than K of the m nearest points lie in buckets ≤ l)
// ≤ target, which bounds the same probability for all points.
func (ws *workspace) probeHi(l, m int, target float64) bool {
	pmf := resetPoly(ws.countPMF)
	for i := range m {
		f, _ := ws.fAt(ws.byDistance[i].lambda, l)
		mulFactor(pmf, f)
		var sum float64
		for _, v := range pmf {
			sum += v
		}
		if sum <= target {
			return true
		}
	}
	return false
}

// probeLo reports whether an upper bound on e_K(F(l)) over all points is ≤ target:
// e_K(all) ≤ Σ_k e_{K−k}(nearest m)·(r·f)^k/k!, where the r other points all have
// F ≤ f, the value of the (m+1)-th nearest.
func (ws *workspace) probeLo(l, m int, target float64) bool {
	K := ws.s.k
	e := resetPoly(ws.elemSym)
	for i := range m {
		f, _ := ws.fAt(ws.byDistance[i].lambda, l)
		addSymmetric(e, f)
		if e[K] > target {
			return false
		}
	}
	if m == ws.s.n {
		return true
	}
	f, fe := ws.fAt(ws.byDistance[m].lambda, l)
	rf := float64(ws.s.n-m) * (f + fe)
	bound, term := 0.0, 1.0
	for k := 0; k <= K; k++ {
		bound += float64(e[K-k] * term)
		term *= rf / float64(k+1)
	}
	return bound <= target
}

// selectRelevant stores the relevant points R = {j : F_j(gHi) > tol/(8n)} (with
// F_j's error bound; all points if gHi = L) and returns the total-variation bound for
// moving all others beyond gHi: the sum of their F_j(gHi) and its rounding.
func (ws *workspace) selectRelevant(gHi int) float64 {
	n := ws.s.n
	if gHi == len(ws.s.edges)+1 {
		for j := range ws.inRelevant {
			ws.inRelevant[j] = true
		}
		ws.collect()
		return 0
	}
	deltaR := ws.s.tol / (8 * float64(n))
	var bound float64
	for j, lam := range ws.lambda {
		f, e := ws.fAt(lam, gHi)
		ws.inRelevant[j] = f+e > deltaR
		if !ws.inRelevant[j] {
			bound += f + e
		}
	}
	ws.collect()
	return float64(bound * (1 + float64(n)*eps))
}

// collect stores the points marked in inRelevant, in index order, as the relevant
// set R.
func (ws *workspace) collect() {
	ws.relIndex, ws.relClass, ws.relLambda = ws.relIndex[:0], ws.relClass[:0], ws.relLambda[:0]
	for j, in := range ws.inRelevant {
		if in {
			ws.relIndex = append(ws.relIndex, int32(j))
			ws.relClass = append(ws.relClass, int32(ws.s.y[j]))
			ws.relLambda = append(ws.relLambda, ws.lambda[j])
		}
	}
}

// fillMatrix computes F_r(l) for l ∈ [la, lb] and every relevant point r, from the
// top edge down, made monotone in l, and returns the total-variation cost of zeroing:
// once F_r(l) ≤ zero, it and all lower values are set to 0, which moves the bucket
// mass below l up to l + 1, a change of F_r(l) in total variation (plus its error
// bound). cdfErr[e] receives the sum of the error bounds of the kept values of row e.
// It works edge by edge over the points still active, ordered by grid cell, so that
// each edge's table is read in order.
func (ws *workspace) fillMatrix(la, lb int, zero float64) (moved float64) {
	m, E := len(ws.relIndex), lb-la+1
	ws.cdf = slices.Grow(ws.cdf[:0], m*E)[:m*E]
	ws.cdfErr = slices.Grow(ws.cdfErr[:0], E)[:E]
	clear(ws.cdf)
	clear(ws.cdfErr)
	tb, L := ws.s.table, len(ws.s.edges)+1
	ws.orderByCell()
	active := ws.active
	for e := E - 1; e >= 0 && len(active) > 0; e-- {
		l := la + e
		if l <= 0 {
			break
		}
		row := ws.cdf[e*m : (e+1)*m]
		if l >= L { // the last bucket's upper edge is +∞: F = 1 exactly
			for _, r := range active {
				row[r] = 1
			}
			continue
		}
		kept, rowErr, rowMoved := tb.located(l-1).evalRow(tb, l-1, ws.grid, active, ws.above, ws.aboveErr, row, zero)
		ws.cdfErr[e], moved, active = rowErr, moved+rowMoved, kept
	}
	return moved
}

// orderByCell locates every relevant point on the interpolation grid and lists them,
// in active, by cell (a counting sort; cells far beyond the others share the last
// slot), with above = 1, aboveErr = 0: the values at the row above the top one.
func (ws *workspace) orderByCell() {
	tb, m := ws.s.table, len(ws.relIndex)
	ws.grid = slices.Grow(ws.grid[:0], m)[:m]
	ws.above = slices.Grow(ws.above[:0], m)[:m]
	ws.aboveErr = slices.Grow(ws.aboveErr[:0], m)[:m]
	lo := maxGridCell
	for r, lam := range ws.relLambda {
		ws.grid[r] = tb.locate(lam / 2)
		lo = min(lo, ws.grid[r].cell)
		ws.above[r], ws.aboveErr[r] = 1, 0
	}
	slots := 4*m + 1
	ws.cellCount = slices.Grow(ws.cellCount[:0], slots+1)[:slots+1]
	clear(ws.cellCount)
	slot := func(r int) int { return min(ws.grid[r].cell-lo, slots-1) + 1 }
	for r := range m {
		ws.cellCount[slot(r)]++
	}
	for i := 1; i <= slots; i++ {
		ws.cellCount[i] += ws.cellCount[i-1]
	}
	ws.active = slices.Grow(ws.active[:0], m)[:m]
	for r := range m {
		s := slot(r) - 1
		ws.active[ws.cellCount[s]] = int32(r)
		ws.cellCount[s]++
	}
}

// window narrows the block to the buckets [lLo, lHi] that can hold the K-th point
// (up to tol/8 on each side, computed exactly over R from the matrix) and returns
// them with the error bound of the window: the probability that the K-th point lies
// outside, plus the CDF error bounds of the rows used.
func (ws *workspace) window(gLo, gHi int) (lLo, lHi int, bound float64) {
	target := ws.s.tol / 8
	lHi = searchFirst(gLo, gHi, func(l int) bool { return ws.lowerCountTail(l-gLo+1) <= target })
	lLo = searchLast(gLo, lHi, func(l int) bool { return ws.upperCountTail(l-gLo) <= target })
	rounding := 1 + float64(4*(len(ws.relIndex)+ws.s.k))*eps
	bound = float64(rounding * (ws.upperCountTail(lLo-gLo) + ws.lowerCountTail(lHi-gLo+1)))
	for e := lLo - gLo; e <= lHi-gLo+1; e++ {
		bound += ws.cdfErr[e]
	}
	return lLo, lHi, bound
}

// lowerCountTail returns P(N < K) for N = #{relevant points in buckets ≤ l}, l given
// as the matrix row e.
func (ws *workspace) lowerCountTail(e int) float64 {
	m := len(ws.relIndex)
	pmf := resetPoly(ws.countPMF)
	for _, f := range ws.cdf[e*m : (e+1)*m] {
		mulFactor(pmf, f)
	}
	var sum float64
	for _, v := range pmf {
		sum += v
	}
	return sum
}

// upperCountTail returns e_K(F(l)) ≥ P(N ≥ K) for matrix row e.
func (ws *workspace) upperCountTail(e int) float64 {
	m := len(ws.relIndex)
	es := resetPoly(ws.elemSym)
	for _, f := range ws.cdf[e*m : (e+1)*m] {
		addSymmetric(es, f)
	}
	return es[ws.s.k]
}

// normalise writes the accumulated probabilities, divided by their sum, into out and
// returns the bound on the rounding of the dynamic programme plus the change made by
// the normalisation.
func (ws *workspace) normalise(out []float64) float64 {
	C, K := ws.s.classes, ws.s.k
	var total float64
	for c := range out {
		out[c] = ws.total[c].value()
		total += out[c]
	}
	// Rounding depth of one term: 4 per Bernoulli factor (prefix and suffix chains),
	// K+1 per class in the vote products and the final sums (at most C·K tallies
	// when they are enumerated), and one per point of its bucket's plain sum.
	depth := float64(5*len(ws.relIndex) + (C+2)*(K+1) + C*K + 2*K + 8)
	bound := float64(1.01*depth*eps*total) + 4*eps
	bound += math.Abs(1-total) + float64(float64(2*C)*eps)
	for c := range out {
		out[c] = min(max(out[c]/total, 0), 1)
	}
	return bound
}

// squaredDistance returns ‖a − b‖² summed in four interleaved partial sums (faster,
// and with a rounding error bound of squaredDistanceRel instead of (d+2)ε).
func squaredDistance(a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		d0, d1, d2, d3 := a[k]-b[k], a[k+1]-b[k+1], a[k+2]-b[k+2], a[k+3]-b[k+3]
		s0 += float64(d0 * d0)
		s1 += float64(d1 * d1)
		s2 += float64(d2 * d2)
		s3 += float64(d3 * d3)
	}
	for ; k < len(a); k++ {
		d := a[k] - b[k]
		s0 += float64(d * d)
	}
	return (s0 + s1) + (s2 + s3)
}

// squaredDistanceRel bounds the relative rounding error of squaredDistance(…)/σ² for
// dimension d: each partial sum adds at most ⌈d/4⌉+3 terms, the difference and the
// square err by 3ε, the two final additions and the division by σ² (itself rounded)
// by 4ε.
func squaredDistanceRel(d int) float64 {
	return float64((d+3)/4+3+3+4) * eps
}
