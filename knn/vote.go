package knn

// The vote: given the count distributions of every class among the K−1 points before
// the K-th (voteDist), the probability that each class wins the majority of those K−1
// plus the K-th point's own label (ownClass), ties going to the smallest label.

// vote sets winProb[w] = Σ_{|γ|=K−1} Π_c D_c[γ_c] · 1[majority(γ + e_ownClass) = w] for
// the per-class count distributions D_c = voteDist[c] (coefficients 0..K−1), ties
// going to the smallest label: directly for two classes, by enumerating the tallies
// when they are few, else by counts.
func (ws *workspace) vote() {
	clear(ws.winProb)
	switch {
	case ws.s.classes == 2:
		ws.voteTwoClasses()
	case ws.enumerateTallies:
		ws.voteTallies(0, ws.s.k-1, 1, 0, 0)
	default:
		ws.voteByCount()
	}
}

// voteTwoClasses is the vote for C = 2 in O(K): with g of the K−1 voters before the
// K-th in its own class o and K−1−g in the other class q, o wins iff g+1 > K−1−g, or
// g+1 = K−1−g and o = 0 (ties to the smallest label), i.e. iff g ≥ gWin.
func (ws *workspace) voteTwoClasses() {
	K, o := ws.s.k, ws.ownClass
	own, other := ws.voteDist[o], ws.voteDist[1-o]
	gWin := K / 2 // 2g + 2 > K
	if o == 0 {
		gWin = (K+1)/2 - 1 // 2g + 2 ≥ K
	}
	for g := range K {
		v := float64(own[g] * other[K-1-g])
		if g >= gWin {
			ws.winProb[o] += v
		} else {
			ws.winProb[1-o] += v
		}
	}
}

// voteTallies enumerates the counts γ_c of classes c, c+1, … among the K−1 points
// before the K-th (rem still to place), with prod the probability so far and
// (best, bestC) the running majority of γ + e_ownClass (strictly larger counts win, so ties
// go to the smallest label), and adds each complete tally's probability to
// winProb[majority]. Its cost is proportional to the number of tallies, C(K+C−2, C−1).
func (ws *workspace) voteTallies(c, rem int, prod float64, best, bestC int) {
	last := c == len(ws.voteDist)-1
	poly := ws.voteDist[c]
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
			ws.winProb[bc] += float64(prod * coef)
		} else {
			ws.voteTallies(c+1, rem-g, float64(prod*coef), b, bc)
		}
	}
}

// voteByCount computes the vote in O(C·K³) (about K/2 passes of O(C·K²)), split by
// the winner's final count t = γ_w + [w = ownClass]:
//
//	V_w^t = D_w[t − [w=ownClass]] · [z^{K−1−γ_w}] Π_{c<w} D_c^{<t} · Π_{c>w} D_c^{≤t},
//
// where D_c^{<t} (D_c^{≤t}) keeps the coefficients g with g + [c=ownClass] < t (≤ t);
// the products over c < w and c > w are prefix and suffix products over classes. For
// 2t > K the caps cannot bind (the others share K − t < t votes), so one pair of
// uncapped prefix/suffix products serves all those t.
func (ws *workspace) voteByCount() {
	K := ws.s.k
	// Uncapped: t > K/2, so γ_w ≥ K/2 and only degrees below ⌈K/2⌉ are needed.
	ws.classProducts(K-1-K/2, K-1, K-1, 0)
	for w := range ws.voteDist {
		ws.collectWinner(w, K/2+1, K)
	}
	// Capped: 1 ≤ t ≤ K/2; γ_w ≥ t − 1, so degrees up to K − t are needed.
	for t := 1; 2*t <= K; t++ {
		ws.classProducts(K-t, t-1, t, 1)
		for w := range ws.voteDist {
			ws.collectWinner(w, t, t)
		}
	}
}

// classProducts sets lowerClasses[c] = Π_{c'<c} D_{c'} and upperClasses[c+1] =
// Π_{c'>c} D_{c'} up to degree deg, where D_{c'} is truncated at degree
// capL − ownCap·[c'=ownClass] in lowerClasses and capR − ownCap·[c'=ownClass] in
// upperClasses.
func (ws *workspace) classProducts(deg, capL, capR, ownCap int) {
	K, C := ws.s.k, ws.s.classes
	lower, upper := ws.lowerClasses, ws.upperClasses
	resetPoly(lower[:deg+1])
	for c := range C {
		adj := ownCap * ws.ownOf(c)
		convCap(lower[(c+1)*K:(c+1)*K+deg+1], lower[c*K:], ws.voteDist[c], capL-adj)
	}
	resetPoly(upper[C*K : C*K+deg+1])
	for c := C - 1; c >= 0; c-- {
		adj := ownCap * ws.ownOf(c)
		convCap(upper[c*K:c*K+deg+1], upper[(c+1)*K:], ws.voteDist[c], capR-adj)
	}
}

// ownOf returns 1 for the class of the K-th point, else 0.
func (ws *workspace) ownOf(c int) int {
	if c == ws.ownClass {
		return 1
	}
	return 0
}

// collectWinner adds V_w^t for t in [tLo, tHi] from the current prefix (lowerClasses)
// and suffix (upperClasses) products.
func (ws *workspace) collectWinner(w, tLo, tHi int) {
	K := ws.s.k
	lw, rw := ws.lowerClasses[w*K:(w+1)*K], ws.upperClasses[(w+1)*K:(w+2)*K]
	for t := tLo; t <= tHi; t++ {
		g := t - ws.ownOf(w)
		if g < 0 || g >= K {
			continue
		}
		coef := ws.voteDist[w][g]
		if coef == 0 {
			continue
		}
		u := K - 1 - g
		var s float64
		for v := 0; v <= u; v++ {
			s += float64(lw[v] * rw[u-v])
		}
		ws.winProb[w] += float64(coef * s)
	}
}
