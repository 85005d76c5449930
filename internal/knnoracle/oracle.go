// Package knnoracle holds brute-force references for the exact smoothed K-NN of
// package knn, for tests only: an independent noncentral χ² CDF, the bucket
// probabilities of every training point, and the enumeration of all L^n bucket
// assignments, from which the class probabilities, the membership probabilities and
// the distribution of the voter set follow by definition (Appendix B of the RAB
// paper: the K first points by (bucket, training index) vote, a class tie goes to
// the smallest label). Nothing here shares code with package knn. The enumeration
// costs L^n steps: keep n and L small (n ≤ 8, L ≤ 5).
package knnoracle

import (
	"cmp"
	"math/bits"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// RefCDF is an independent noncentral χ² CDF: the Poisson mixture
// Σ_k Pois(k; λ/2)·χ²_{d+2k}.CDF(t) with gonum's Poisson masses and central χ² CDFs,
// summed until the remaining Poisson mass is below 1e-18 by a geometric tail bound
// (λ here is at most ~100).
func RefCDF(d int, lam, t float64) float64 {
	if lam == 0 {
		return distuv.ChiSquared{K: float64(d)}.CDF(t)
	}
	mu := lam / 2
	pois := distuv.Poisson{Lambda: mu}
	var sum float64
	for k := 0; ; k++ {
		w := pois.Prob(float64(k))
		sum += w * distuv.ChiSquared{K: float64(d + 2*k)}.CDF(t)
		if r := mu / float64(k+1); r < 0.5 && w*r/(1-r) < 1e-18 {
			return sum
		}
	}
}

// BucketProbs returns p[j][l] = P(point j in bucket l) for edges b (squared distance).
func BucketProbs(X [][]float64, x []float64, sigma float64, edges []float64) [][]float64 {
	p := make([][]float64, len(X))
	for j, row := range X {
		var lam float64
		for k := range row {
			lam += (row[k] - x[k]) * (row[k] - x[k])
		}
		lam /= sigma * sigma
		prev := 0.0
		for _, b := range edges {
			f := RefCDF(len(x), lam, b/(sigma*sigma))
			p[j] = append(p[j], f-prev)
			prev = f
		}
		p[j] = append(p[j], 1-prev)
	}
	return p
}

// Voters returns the K first points by (bucket, index) for bucket assignment
// bucket[j]: the voters of the quantised K-NN rule, in that order.
func Voters(bucket []int, k int) []int {
	return appendVoters(make([]int, 0, k), bucket, k)
}

// appendVoters appends the voters to dst: the points of bucket 0 by index, then
// those of bucket 1, … until there are k.
func appendVoters(dst, bucket []int, k int) []int {
	for l := 0; len(dst) < min(k, len(bucket)); l++ {
		for j, b := range bucket {
			if b == l {
				if dst = append(dst, j); len(dst) == k {
					break
				}
			}
		}
	}
	return dst
}

// Vote returns the quantised K-NN prediction for bucket assignment bucket[j]: the K
// first points by (bucket, index) vote and ties go to the smallest label.
func Vote(bucket []int, y []int, k, classes int) int {
	return majority(Voters(bucket, k), y, classes)
}

// majority returns the most frequent label among the voters, ties to the smallest.
func majority(voters []int, y []int, classes int) int {
	counts := make([]int, classes)
	for _, j := range voters {
		counts[y[j]]++
	}
	best := 0
	for c, v := range counts {
		if v > counts[best] {
			best = c
		}
	}
	return best
}

// ForEachAssignment calls visit with every one of the L^n bucket assignments of the
// points (bucket[j] for point j) and its probability Π_j p[j][bucket[j]].
func ForEachAssignment(p [][]float64, visit func(bucket []int, prob float64)) {
	n, L := len(p), len(p[0])
	bucket := make([]int, n)
	for {
		prob := 1.0
		for j, b := range bucket {
			prob *= p[j][b]
		}
		visit(bucket, prob)
		j := 0
		for ; j < n; j++ {
			bucket[j]++
			if bucket[j] < L {
				break
			}
			bucket[j] = 0
		}
		if j == n {
			return
		}
	}
}

// BruteForce enumerates all L^n bucket assignments and returns the probability of
// every class.
func BruteForce(p [][]float64, y []int, k, classes int) []float64 {
	out := make([]float64, classes)
	ForEachAssignment(p, func(bucket []int, prob float64) {
		out[Vote(bucket, y, k, classes)] += prob
	})
	return out
}

// VoterSets is the distribution of the set of K voters: each set with its
// probability, the set as a bit mask (bit j for training point j; n ≤ 64), in
// increasing order of the masks. The prediction depends on the labels only through
// the voters' labels, so one VoterSets serves every labelling of the same features
// (Probabilities).
type VoterSets []VoterSet

// VoterSet is a set of voters and its probability.
type VoterSet struct {
	Mask uint64
	Prob float64
}

// EnumerateVoterSets enumerates all L^n bucket assignments and returns the
// distribution of the voter set.
func EnumerateVoterSets(p [][]float64, k int) VoterSets {
	probs := map[uint64]float64{}
	voters := make([]int, 0, k)
	ForEachAssignment(p, func(bucket []int, prob float64) {
		var mask uint64
		for _, j := range appendVoters(voters[:0], bucket, k) {
			mask |= 1 << j
		}
		probs[mask] += prob
	})
	sets := make(VoterSets, 0, len(probs))
	for mask, prob := range probs {
		sets = append(sets, VoterSet{mask, prob})
	}
	slices.SortFunc(sets, func(a, b VoterSet) int { return cmp.Compare(a.Mask, b.Mask) })
	return sets
}

// Probabilities returns the probability of every class for labels y.
func (s VoterSets) Probabilities(y []int, classes int) []float64 {
	out := make([]float64, classes)
	voters := make([]int, 0, 64)
	for _, set := range s {
		voters = voters[:0]
		for m := set.Mask; m != 0; m &= m - 1 {
			voters = append(voters, bits.TrailingZeros64(m))
		}
		out[majority(voters, y, classes)] += set.Prob
	}
	return out
}

// Membership returns m_j = P(training point j is among the voters) for every point.
func (s VoterSets) Membership(n int) []float64 {
	m := make([]float64, n)
	for _, set := range s {
		for j := range n {
			if set.Mask&(1<<j) != 0 {
				m[j] += set.Prob
			}
		}
	}
	return m
}

// ForEachRelabelling calls visit with every labelling of the points in [0, classes)
// that differs from y in at most r rows, y itself first, and the number of rows
// changed; labels is reused between calls.
func ForEachRelabelling(y []int, classes, r int, visit func(labels []int, changed int)) {
	labels := append([]int(nil), y...)
	var walk func(from, changed int)
	walk = func(from, changed int) {
		visit(labels, changed)
		if changed == r {
			return
		}
		for j := from; j < len(y); j++ {
			for c := range classes {
				if c == y[j] {
					continue
				}
				labels[j] = c
				walk(j+1, changed+1)
			}
			labels[j] = y[j]
		}
	}
	walk(0, 0)
}
