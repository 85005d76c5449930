package knn

// Evaluation is the smoothed classifier at one input (Evaluate): the class
// probabilities with their error bound, and how much of them rests on the
// quantisation instead of the distances.
//
// Ties and LastBucket are computed from the same CDF matrix as Probs, exactly up to
// DiagnosticsErrBound. Let B_(k) be the k-th smallest bucket among the noisy training
// points (the bucket of the k-th neighbour).
type Evaluation struct {
	// Probs[c] is P(h(D+ε, x) = c), as from ProbabilitiesWithError.
	Probs []float64
	// ErrBound bounds |Probs[c] − P(h(D+ε, x) = c)| for every class c.
	ErrBound float64
	// Ties is P(B_(K) = B_(K+1)): the probability that the K-th and (K+1)-th nearest
	// neighbours share a bucket, so that the training-index order, not the distance,
	// chose which of them vote. It bounds the probability that the prediction depends
	// on the order of the training rows. It is 0 when K = n.
	Ties float64
	// LastBucket is P(B_(K) = L): the probability that the K-th neighbour lies in the
	// unbounded last bucket, beyond the last finite edge, where distances are not
	// resolved at all. When K < n it is part of Ties.
	LastBucket float64
	// DiagnosticsErrBound bounds the error of Ties and of LastBucket.
	DiagnosticsErrBound float64
	// Membership holds the probability of every training point to be among the K
	// voters; nil unless asked for (EvaluateWithMembership,
	// EvaluateBatchWithMembership).
	Membership *Membership
}

// diagnose sets ev's Ties, LastBucket and DiagnosticsErrBound from the CDF matrix
// (first row gLo−1) over the window [lLo, lHi]. truncation is the error bound of
// everything the pipeline cut, which holds for the probability of any event (see
// pipeline.go); each quantity adds the rounding of its own computation, in which every
// term is non-negative.
func (ws *workspace) diagnose(ev *Evaluation, gLo, lLo, lHi int, truncation float64) {
	m, K, L := len(ws.relIndex), ws.s.k, len(ws.s.edges)+1
	var ties, lastBucket float64
	for l := lLo; l <= lHi; l++ {
		ties += ws.tieMass(l - gLo + 1)
	}
	if lHi == L {
		// P(B_(K) = L) = P(N(L−1) < K); beyond lHi < L it is within the window bound.
		lastBucket = ws.lowerCountTail(L - 1 - gLo + 1)
	}
	tiesRounding := float64(5*m+K+(lHi-lLo)+8) * eps * ties
	lastRounding := float64(4*m+K+4) * eps * lastBucket
	ev.Ties, ev.LastBucket = min(ties, 1), min(lastBucket, 1)
	ev.DiagnosticsErrBound = truncation + 1.01*max(tiesRounding, lastRounding) + 0x1p-1000
}

// tieMass returns P(N(l−1) ≤ K−1 and N(l) ≥ K+1) over the relevant points, for matrix
// row e = F(l) (row e−1 = F(l−1)), where N(l) counts the points in buckets ≤ l: the
// probability that the K-th and the (K+1)-th points both lie in bucket l.
//
// It runs the distribution of (u, w) point by point: u points below bucket l
// (u ≤ K−1; reaching K leaves the event) and w in bucket l, capped at K+1−u (where
// u + w ≥ K+1 holds). A point lies below l with probability F(l−1), in l with
// F(l) − F(l−1), above with 1 − F(l).
func (ws *workspace) tieMass(e int) float64 {
	m, K := len(ws.relIndex), ws.s.k
	atL, belowL := ws.cdf[e*m:(e+1)*m], ws.cdf[(e-1)*m:e*m]
	width := K + 2 // state (u, w) at tieState[u*width + w], w ≤ K+1−u
	st := ws.tieState
	clear(st)
	st[0] = 1
	for r, a := range atL {
		if a == 0 {
			continue // the point lies above l: nothing moves
		}
		b := belowL[r]
		in, above, notBelow := a-b, 1-a, 1-b
		for u := K - 1; u >= 0; u-- {
			row := st[u*width:]
			top := K + 1 - u
			// The capped state keeps the points that land in l.
			v := float64(row[top]*notBelow) + float64(row[top-1]*in)
			if u > 0 {
				prev := st[(u-1)*width:]
				v += float64(prev[top]*b) + float64(prev[top+1]*b)
			}
			row[top] = v
			for w := top - 1; w >= 0; w-- {
				v := float64(row[w] * above)
				if w > 0 {
					v += float64(row[w-1] * in)
				}
				if u > 0 {
					v += float64(st[(u-1)*width+w] * b)
				}
				row[w] = v
			}
		}
	}
	var sum float64
	for u := range K {
		sum += st[u*width+K+1-u]
	}
	return sum
}
