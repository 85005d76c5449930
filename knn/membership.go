package knn

// Membership holds, for one input, the membership probabilities of the training
// points,
//
//	m_j = P(training point j is among the K voters),
//
// under the smoothing noise, with the Smoother's quantisation and (bucket, index)
// order; Σ_j m_j = K. EvaluateWithMembership computes them in the pass that computes
// the class probabilities. They bound what relabelling training rows can do: changing
// the labels of any r training rows moves every class probability by at most
// FlipBound(r) (see the package documentation, "Label flips", for the proof).
type Membership struct {
	// Index lists the relevant training points — all but those the evaluation cut as
	// too far to be among the K nearest — in increasing order.
	Index []int
	// Probs[i] is m_j for training point j = Index[i].
	Probs []float64
	// ErrBound bounds |Probs[i] − m_{Index[i]}| for every listed point, and m_j for
	// every training point j that is not listed.
	ErrBound float64
	tail     float64 // the evaluation's truncation bound T plus 4ε (see FlipBound)
	rel      float64 // bound on the relative rounding error of every Probs[i]
}

// FlipBound returns M_r, an upper bound on the probability that at least one of the
// training points of S is among the K voters, for every set S of r training points:
//
//	M_r = min(1, (1 + ρ_r)·(sum of the r largest Probs) + T),
//
// where T is the evaluation's truncation bound (the points cut and every truncated
// event, counted once for all points) and ρ_r bounds the relative rounding error of
// the probabilities and of their sum. Relabelling at most r training rows moves every
// class probability by at most M_r. M_0 = 0; M_r does not decrease with r.
func (m *Membership) FlipBound(r int) float64 {
	if r <= 0 {
		return 0
	}
	bounds := m.FlipBounds(r)
	return bounds[r-1]
}

// FlipBounds returns M_1, …, M_r of FlipBound (nil for r ≤ 0), selecting the r
// largest probabilities once.
//
// Why the sum suffices (doc.go has the whole argument): the evaluation computes the
// exact probabilities of a modified model whose bucket distributions lie within total
// variation T of the true ones in all, in which a point cut as irrelevant never votes
// and a listed point j votes with probability at most Probs[i] (up to rounding), its
// mass below the window of buckets that can hold the K-th neighbour counted as voting.
// So P(some j ∈ S votes) ≤ Σ_{j∈S} P̃(j votes) + T by the union bound and coupling.
func (m *Membership) FlipBounds(r int) []float64 {
	if r <= 0 {
		return nil
	}
	ranked := make([]rankedPoint, len(m.Probs))
	for i, p := range m.Probs {
		ranked[i] = rankedPoint{-p, int32(i)}
	}
	top := min(r, len(ranked))
	nearestFirst(ranked, top) // the largest probabilities first
	bounds := make([]float64, r)
	var sum float64
	for k := range bounds {
		if k < top {
			sum -= ranked[k].lambda
		}
		// The sum of k+1 non-negative terms errs by (k+1)ε relative; the product and
		// the addition round by at most ε/2 each while the result is below 1, which
		// the 4ε in tail covers.
		widen := 1 + 1.02*(m.rel+float64(k+2)*eps)
		bounds[k] = min(1, float64(widen*sum)+m.tail)
	}
	return bounds
}

// memberships returns the membership probabilities accumulated in member, for an
// evaluation with truncation bound truncation over a window of width buckets.
//
// Rounding: every term is a product of non-negative factors along the prefix and
// suffix chains (at most 3 roundings per point: 1 − F, and the two products and the
// sum of mulFactor), countAtMost (2K + 2), the bucket probability and its product
// (2), and a sum over the window's buckets plus the mass below it (width + 1), so
// the relative error is at most (5m + 4K + width + 16)ε with room to spare, as in
// normalise; underflow is covered by 4ε absolute.
func (ws *workspace) memberships(truncation float64, width int) *Membership {
	m, K := len(ws.relIndex), ws.s.k
	mb := &Membership{
		Index: make([]int, m),
		Probs: make([]float64, m),
		rel:   float64(1.01 * float64(5*m+4*K+width+16) * eps),
		tail:  truncation + 4*eps,
	}
	var largest float64
	for r, v := range ws.member {
		mb.Index[r] = int(ws.relIndex[r])
		mb.Probs[r] = min(max(v, 0), 1) // m_j ∈ [0, 1]: clamping only reduces the error
		largest = max(largest, mb.Probs[r])
	}
	mb.ErrBound = mb.tail + float64(1.02*mb.rel*largest)
	return mb
}
