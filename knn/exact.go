package knn

import (
	"math"
	"slices"
)

// Exact evaluation of the smoothed K-NN (Theorem 3, Appendix B).
//
// Let B_j be the bucket of training point j and F_j(l) = P(B_j ≤ l), p_j^l =
// F_j(l) − F_j(l−1). Point j precedes (i, l) in the (bucket, index) order iff B_j < l,
// or B_j = l and j < i; so, given B_i = l, the points before i are independent with
// P(j before) = F_j(l) for j < i and F_j(l−1) for j > i. Hence (Appendix B)
//
//	P(K-th is i, B_i = l, tally γ of the K−1 before) = p_i^l · Π_c P_c^{i,l}(γ_c),
//
// where P_c^{i,l} is the Poisson-binomial distribution of the number of class-c points
// before (i, l), truncated at K−1. For each bucket, one backward pass stores the
// per-class suffix products Π_{j>i}(1 − F_j(l−1) + F_j(l−1)z) and one forward pass
// keeps the prefix products, so each (i, l) costs O(K²) plus the vote, which credits
// the majority class of γ + e_{y_i} (ties to the smallest label) in O(C·K³) with
// prefix and suffix products over classes (see vote). This is O(n·L·C·K³) instead of
// the paper's O(K^{2+C} n² L C).
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

// probeSize is the number of nearest training points used to locate the window.
const probeSize = 256

type lamIdx struct {
	lam float64
	idx int32
}

// workspace holds the per-goroutine scratch memory of one evaluation.
type workspace struct {
	s      *Smoother
	lam    []float64
	sorted []lamIdx
	pw     poissonWindow
	pmf    []float64 // K: truncated Poisson-binomial
	esym   []float64 // K+1: elementary symmetric polynomials
	inR    []bool
	rIdx   []int32
	rCls   []int32
	rLam   []float64
	fmat   []float64 // edge-major: fmat[e*m + r]
	ferr   []float64 // per edge row: Σ_r error bound of fmat
	sufCls []float64 // m×K
	run    []float64 // C×K
	pre    []float64 // C×K
	cur    []float64 // C×K
	excl   []float64 // K
	dptr   [][]float64
	left   []float64 // (C+1)×K: prefix products over classes
	right  []float64 // (C+1)×K: suffix products over classes
	res    []float64
	acc    []float64
	comp   []float64
	own    int
	// enumerate selects voteTallies (few tallies) over voteByCount.
	enumerate bool
}

func newWorkspace(s *Smoother) *workspace {
	C, K := s.classes, s.k
	tallies := 1.0 // C(K−1+C−1, C−1)
	for i := 1; i < C; i++ {
		tallies = tallies * float64(K-1+i) / float64(i)
	}
	return &workspace{
		enumerate: tallies <= float64(C*K),
		s:         s,
		lam:       make([]float64, s.n),
		sorted:    make([]lamIdx, s.n),
		pmf:       make([]float64, K),
		esym:      make([]float64, K+1),
		inR:       make([]bool, s.n),
		run:       make([]float64, C*K),
		pre:       make([]float64, C*K),
		cur:       make([]float64, C*K),
		excl:      make([]float64, K),
		dptr:      make([][]float64, C),
		left:      make([]float64, (C+1)*K),
		right:     make([]float64, (C+1)*K),
		res:       make([]float64, C),
		acc:       make([]float64, C),
		comp:      make([]float64, C),
	}
}

// fAt returns F(l; λ) (bucket index l ∈ [0, L]) and its error bound.
func (ws *workspace) fAt(lam float64, l int) (float64, float64) {
	switch {
	case l <= 0:
		return 0, 0
	case l >= len(ws.s.edges)+1:
		return 1, 0
	}
	tb := ws.s.table
	ws.pw.fill(lam/2, tb.row(l-1).kZero)
	return tb.eval(&ws.pw, l-1)
}

// probabilities writes the class probabilities for x into out and returns the error
// bound. x has been validated.
func (ws *workspace) probabilities(x, out []float64) float64 {
	ws.distances(x)
	gLo, gHi := ws.locateBlock()
	errBound := ws.selectRelevant(gHi)
	m := len(ws.rIdx)
	errBound += ws.fillMatrix(gLo-1, gHi, ws.s.tol/(16*float64(max(m, 1))))
	lLo, lHi, windowErr := ws.window(gLo, gHi)
	errBound += windowErr
	clear(ws.acc)
	clear(ws.comp)
	for l := lLo; l <= lHi; l++ {
		ws.bucket(l - gLo + 1)
	}
	return errBound + ws.normalise(out)
}

// distances computes λ_j = ‖x_j − x‖²/σ² and sorts the points by (λ, index).
func (ws *workspace) distances(x []float64) {
	s := ws.s
	sigma2 := s.sigma * s.sigma
	for j := range s.n {
		ws.lam[j] = squaredDistance(s.x[j*s.d:(j+1)*s.d], x) / sigma2
		ws.sorted[j] = lamIdx{ws.lam[j], int32(j)}
	}
	slices.SortFunc(ws.sorted, func(a, b lamIdx) int {
		switch {
		case a.lam < b.lam:
			return -1
		case a.lam > b.lam:
			return 1
		}
		return int(a.idx - b.idx)
	})
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

// selectRelevant stores the relevant points R = {j : F_j(gHi) > tol/(8n)}, a prefix
// of the sorted order by monotonicity of F in λ, and returns the total-variation
// bound for moving all others beyond gHi: (n − |R|)·F(gHi; λ_cut).
func (ws *workspace) selectRelevant(gHi int) float64 {
	n := ws.s.n
	deltaR := ws.s.tol / (8 * float64(n))
	cut, bound := n, 0.0
	if gHi < len(ws.s.edges)+1 {
		cut = searchFirst(0, n, func(c int) bool {
			if c == n {
				return true
			}
			f, e := ws.fAt(ws.sorted[c].lam, gHi)
			return f+e <= deltaR
		})
		if cut < n {
			f, e := ws.fAt(ws.sorted[cut].lam, gHi)
			bound = float64(float64(n-cut) * (f + e))
		}
	}
	ws.collect(cut)
	return bound
}

// window narrows the block to the buckets [lLo, lHi] that can hold the K-th point
// (up to tol/8 on each side, computed exactly over R from the matrix) and returns
// them with the error bound of the window: the probability that the K-th point lies
// outside, plus the CDF error bounds of the rows used.
func (ws *workspace) window(gLo, gHi int) (lLo, lHi int, bound float64) {
	target := ws.s.tol / 8
	lHi = searchFirst(gLo, gHi, func(l int) bool { return ws.lowerCountTail(l-gLo+1) <= target })
	lLo = searchLast(gLo, lHi, func(l int) bool { return ws.upperCountTail(l-gLo) <= target })
	rounding := 1 + float64(4*(len(ws.rIdx)+ws.s.k))*eps
	bound = float64(rounding * (ws.upperCountTail(lLo-gLo) + ws.lowerCountTail(lHi-gLo+1)))
	for e := lLo - gLo; e <= lHi-gLo+1; e++ {
		bound += ws.ferr[e]
	}
	return lLo, lHi, bound
}

// normalise writes the accumulated probabilities, divided by their sum, into out and
// returns the bound on the rounding of the dynamic programme plus the change made by
// the normalisation.
func (ws *workspace) normalise(out []float64) float64 {
	C, K := ws.s.classes, ws.s.k
	var total float64
	for c := range out {
		out[c] = ws.acc[c] + ws.comp[c]
		total += out[c]
	}
	// Rounding depth of one term: 4 per Bernoulli factor (prefix and suffix chains),
	// K+1 per class in the vote products and the final sums (at most C·K tallies
	// when they are enumerated).
	depth := float64(4*len(ws.rIdx) + (C+2)*(K+1) + C*K + 2*K + 8)
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

// searchFirst returns the smallest v in [lo, hi] with ok(v), or hi if there is none;
// ok must be monotone (false … false true … true).
func searchFirst(lo, hi int, ok func(int) bool) int {
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// searchLast returns the largest v in [lo, hi] with ok(v), or lo if there is none;
// ok must be monotone (true … true false … false).
func searchLast(lo, hi int, ok func(int) bool) int {
	for lo < hi {
		mid := int(uint(lo+hi+1) >> 1)
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// probeHi reports whether P(fewer than K of the m nearest points lie in buckets ≤ l)
// ≤ target, which bounds the same probability for all points.
func (ws *workspace) probeHi(l, m int, target float64) bool {
	pmf := resetPoly(ws.pmf)
	for i := range m {
		f, _ := ws.fAt(ws.sorted[i].lam, l)
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
	e := resetPoly(ws.esym)
	for i := range m {
		f, _ := ws.fAt(ws.sorted[i].lam, l)
		addSymmetric(e, f)
		if e[K] > target {
			return false
		}
	}
	if m == ws.s.n {
		return true
	}
	f, fe := ws.fAt(ws.sorted[m].lam, l)
	rf := float64(ws.s.n-m) * (f + fe)
	bound, term := 0.0, 1.0
	for k := 0; k <= K; k++ {
		bound += float64(e[K-k] * term)
		term *= rf / float64(k+1)
	}
	return bound <= target
}

// collect stores the cut nearest points in index order as the relevant set R.
func (ws *workspace) collect(cut int) {
	clear(ws.inR)
	for _, p := range ws.sorted[:cut] {
		ws.inR[p.idx] = true
	}
	ws.rIdx, ws.rCls, ws.rLam = ws.rIdx[:0], ws.rCls[:0], ws.rLam[:0]
	for j, in := range ws.inR {
		if in {
			ws.rIdx = append(ws.rIdx, int32(j))
			ws.rCls = append(ws.rCls, int32(ws.s.y[j]))
			ws.rLam = append(ws.rLam, ws.lam[j])
		}
	}
}

// fillMatrix computes F_r(l) for l ∈ [la, lb] and every relevant point r, from the
// top edge down, made monotone in l, and returns the total-variation cost of zeroing:
// once F_r(l) ≤ zero, it and all lower values are set to 0, which moves the bucket
// mass below l up to l + 1, a change of F_r(l) in total variation (plus its error
// bound). ferr[e] receives the sum of the error bounds of the kept values of row e.
func (ws *workspace) fillMatrix(la, lb int, zero float64) (moved float64) {
	m, E := len(ws.rIdx), lb-la+1
	ws.fmat = slices.Grow(ws.fmat[:0], m*E)[:m*E]
	ws.ferr = slices.Grow(ws.ferr[:0], E)[:E]
	clear(ws.fmat)
	clear(ws.ferr)
	tb, L := ws.s.table, len(ws.s.edges)+1
	kMax := 0
	for l := max(la, 1); l <= min(lb, L-1); l++ {
		kMax = max(kMax, tb.row(l-1).kZero)
	}
	for r, lam := range ws.rLam {
		ws.pw.fill(lam/2, kMax)
		next, nextErr := 1.0, 0.0
		for e := E - 1; e >= 0; e-- {
			l := la + e
			if l <= 0 {
				break
			}
			f, fe := 1.0, 0.0
			if l < L {
				f, fe = tb.eval(&ws.pw, l-1)
			}
			if f > next { // a clamped value errs by at most the bound above it
				f, fe = next, fe+nextErr
			}
			if f <= zero {
				moved += f + fe
				break
			}
			ws.fmat[e*m+r] = f
			ws.ferr[e] += fe
			next, nextErr = f, fe
		}
	}
	return moved
}

// lowerCountTail returns P(N < K) for N = #{relevant points in buckets ≤ l}, l given
// as the matrix row e.
func (ws *workspace) lowerCountTail(e int) float64 {
	m := len(ws.rIdx)
	pmf := resetPoly(ws.pmf)
	for _, f := range ws.fmat[e*m : (e+1)*m] {
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
	m := len(ws.rIdx)
	es := resetPoly(ws.esym)
	for _, f := range ws.fmat[e*m : (e+1)*m] {
		addSymmetric(es, f)
	}
	return es[ws.s.k]
}

// bucket adds the contributions of K-th points in bucket l (matrix row e: F(l), row
// e−1: F(l−1)) to the accumulators.
func (ws *workspace) bucket(e int) {
	s := ws.s
	m, K, C := len(ws.rIdx), s.k, s.classes
	a, b := ws.fmat[e*m:(e+1)*m], ws.fmat[(e-1)*m:e*m]
	ws.sufCls = slices.Grow(ws.sufCls[:0], m*K)[:m*K]
	for c := range C {
		resetPoly(ws.run[c*K : (c+1)*K])
		resetPoly(ws.pre[c*K : (c+1)*K])
	}
	for r := m - 1; r >= 0; r-- {
		if a[r] == 0 {
			continue
		}
		run := ws.run[int(ws.rCls[r])*K:][:K]
		copy(ws.sufCls[r*K:(r+1)*K], run)
		mulFactor(run, b[r])
	}
	copy(ws.cur, ws.run)
	for c := range C {
		ws.dptr[c] = ws.cur[c*K : (c+1)*K]
	}
	for r := range m {
		if a[r] == 0 {
			continue
		}
		c := int(ws.rCls[r])
		pre, cur := ws.pre[c*K:(c+1)*K], ws.cur[c*K:(c+1)*K]
		convInto(ws.excl, pre, ws.sufCls[r*K:(r+1)*K])
		if p := a[r] - b[r]; p > 0 {
			ws.dptr[c], ws.own = ws.excl, c
			ws.vote()
			ws.dptr[c] = cur
			for w, v := range ws.res {
				if v != 0 {
					ws.add(w, float64(p*v))
				}
			}
		}
		mulFactor(pre, a[r])
		copy(cur, ws.excl)
		mulFactor(cur, a[r])
	}
}

// vote sets res[w] = Σ_{|γ|=K−1} Π_c D_c[γ_c] · 1[majority(γ + e_own) = w] for the
// per-class count distributions D_c = dptr[c] (coefficients 0..K−1), ties going to the
// smallest label: by enumerating the tallies when they are few, else by counts.
func (ws *workspace) vote() {
	clear(ws.res)
	if ws.enumerate {
		ws.voteTallies(0, ws.s.k-1, 1, 0, 0)
	} else {
		ws.voteByCount()
	}
}

// voteTallies enumerates the counts γ_c of classes c, c+1, … among the K−1 points
// before the K-th (rem still to place), with prod the probability so far and
// (best, bestC) the running majority of γ + e_own (strictly larger counts win, so ties
// go to the smallest label), and adds each complete tally's probability to
// res[majority]. Its cost is proportional to the number of tallies, C(K+C−2, C−1).
func (ws *workspace) voteTallies(c, rem int, prod float64, best, bestC int) {
	last := c == len(ws.dptr)-1
	poly := ws.dptr[c]
	g0 := 0
	if last {
		g0 = rem
	}
	for g := g0; g <= rem; g++ {
		coef := poly[g]
		if coef == 0 {
			continue
		}
		cnt := g + ws.ownOf(c)
		b, bc := best, bestC
		if cnt > b {
			b, bc = cnt, c
		}
		if last {
			ws.res[bc] += float64(prod * coef)
		} else {
			ws.voteTallies(c+1, rem-g, float64(prod*coef), b, bc)
		}
	}
}

// voteByCount computes the vote in O(C·K³) (about K/2 passes of O(C·K²)), split by
// the winner's final count t = γ_w + [w = own]:
//
//	V_w^t = D_w[t − [w=own]] · [z^{K−1−γ_w}] Π_{c<w} D_c^{<t} · Π_{c>w} D_c^{≤t},
//
// where D_c^{<t} (D_c^{≤t}) keeps the coefficients g with g + [c=own] < t (≤ t); the
// products over c < w and c > w are prefix and suffix products over classes. For
// 2t > K the caps cannot bind (the others share K − t < t votes), so one pair of
// uncapped prefix/suffix products serves all those t.
func (ws *workspace) voteByCount() {
	K := ws.s.k
	// Uncapped: t > K/2, so γ_w ≥ K/2 and only degrees below ⌈K/2⌉ are needed.
	ws.classProducts(K-1-K/2, K-1, K-1, 0)
	for w := range ws.dptr {
		ws.collectWinner(w, K/2+1, K)
	}
	// Capped: 1 ≤ t ≤ K/2; γ_w ≥ t − 1, so degrees up to K − t are needed.
	for t := 1; 2*t <= K; t++ {
		ws.classProducts(K-t, t-1, t, 1)
		for w := range ws.dptr {
			ws.collectWinner(w, t, t)
		}
	}
}

// classProducts sets left[c] = Π_{c'<c} D_{c'} and right[c+1] = Π_{c'>c} D_{c'} up
// to degree deg, where D_{c'} is truncated at degree capL − ownCap·[c'=own] in left
// and capR − ownCap·[c'=own] in right.
func (ws *workspace) classProducts(deg, capL, capR, ownCap int) {
	K, C := ws.s.k, ws.s.classes
	left, right := ws.left, ws.right
	resetPoly(left[:deg+1])
	for c := range C {
		adj := ownCap * ws.ownOf(c)
		convCap(left[(c+1)*K:(c+1)*K+deg+1], left[c*K:], ws.dptr[c], capL-adj)
	}
	resetPoly(right[C*K : C*K+deg+1])
	for c := C - 1; c >= 0; c-- {
		adj := ownCap * ws.ownOf(c)
		convCap(right[c*K:c*K+deg+1], right[(c+1)*K:], ws.dptr[c], capR-adj)
	}
}

// ownOf returns 1 for the class of the K-th point, else 0.
func (ws *workspace) ownOf(c int) int {
	if c == ws.own {
		return 1
	}
	return 0
}

// collectWinner adds V_w^t for t in [tLo, tHi] from the current prefix (left) and
// suffix (right) products.
func (ws *workspace) collectWinner(w, tLo, tHi int) {
	K := ws.s.k
	lw, rw := ws.left[w*K:(w+1)*K], ws.right[(w+1)*K:(w+2)*K]
	for t := tLo; t <= tHi; t++ {
		g := t - ws.ownOf(w)
		if g < 0 || g >= K {
			continue
		}
		coef := ws.dptr[w][g]
		if coef == 0 {
			continue
		}
		u := K - 1 - g
		var s float64
		for v := 0; v <= u; v++ {
			s += float64(lw[v] * rw[u-v])
		}
		ws.res[w] += float64(coef * s)
	}
}

// add accumulates v into class w with Neumaier's compensated summation.
func (ws *workspace) add(w int, v float64) {
	s := ws.acc[w]
	t := s + v
	if math.Abs(s) >= math.Abs(v) {
		ws.comp[w] += (s - t) + v
	} else {
		ws.comp[w] += (v - t) + s
	}
	ws.acc[w] = t
}

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
