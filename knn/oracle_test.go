package knn

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// refCDF is an independent noncentral χ² CDF for the oracles: the Poisson mixture
// Σ_k Pois(k; λ/2)·χ²_{d+2k}.CDF(t) with gonum's Poisson masses and central χ² CDFs,
// summed until the remaining Poisson mass is below 1e-18 by a geometric tail bound
// (λ here is at most ~100).
func refCDF(d int, lam, t float64) float64 {
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

// bucketProbs returns p[j][l] = P(point j in bucket l) for edges b (squared distance).
func bucketProbs(X [][]float64, x []float64, sigma float64, edges []float64) [][]float64 {
	p := make([][]float64, len(X))
	for j, row := range X {
		var lam float64
		for k := range row {
			lam += (row[k] - x[k]) * (row[k] - x[k])
		}
		lam /= sigma * sigma
		prev := 0.0
		for _, b := range edges {
			f := refCDF(len(x), lam, b/(sigma*sigma))
			p[j] = append(p[j], f-prev)
			prev = f
		}
		p[j] = append(p[j], 1-prev)
	}
	return p
}

// vote returns the quantised K-NN prediction for bucket assignment bucket[j]: the K
// first points by (bucket, index) vote and ties go to the smallest label.
func vote(bucket []int, y []int, k, classes int) int {
	order := make([]int, len(bucket))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return bucket[order[a]] < bucket[order[b]] })
	counts := make([]int, classes)
	for _, j := range order[:k] {
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

// forEachAssignment calls visit with every one of the L^n bucket assignments of the
// points (bucket[j] for point j) and its probability Π_j p[j][bucket[j]].
func forEachAssignment(p [][]float64, visit func(bucket []int, prob float64)) {
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

// bruteForce enumerates all L^n bucket assignments.
func bruteForce(p [][]float64, y []int, k, classes int) []float64 {
	out := make([]float64, classes)
	forEachAssignment(p, func(bucket []int, prob float64) {
		out[vote(bucket, y, k, classes)] += prob
	})
	return out
}

// oracleCase is a tiny training set, an input and edges for the brute-force oracles,
// with the bucket probabilities p[j][l] from the independent CDF refCDF.
type oracleCase struct {
	n, d, levels, classes int
	X                     [][]float64
	y                     []int
	x                     []float64
	sigma                 float64
	edges                 []float64
	p                     [][]float64
}

// oracleCases returns the 21 oracle cases: 7 shapes (n ≤ 5 points, d, L ≤ 5, C) × 3
// repetitions, drawn from a fixed seed.
func oracleCases() []oracleCase {
	rng := rand.New(rand.NewPCG(1, 2))
	var cases []oracleCase
	for _, tc := range []struct{ n, d, levels, classes int }{
		{3, 1, 5, 2}, {4, 2, 4, 2}, {5, 2, 5, 2}, {5, 3, 4, 3}, {4, 1, 5, 3}, {5, 2, 3, 3}, {5, 5, 2, 2},
	} {
		for rep := range 3 {
			sigma := 0.5 + rng.Float64()
			x := make([]float64, tc.d)
			X := make([][]float64, tc.n)
			y := make([]int, tc.n)
			for j := range X {
				X[j] = make([]float64, tc.d)
				for k := range X[j] {
					X[j][k] = x[k] + sigma*2*rng.NormFloat64()
				}
				y[j] = rng.IntN(tc.classes)
			}
			if rep == 0 {
				X[0] = append([]float64(nil), x...) // a training point at the input (λ = 0)
			}
			// Edges spread over the bulk of the noisy squared distances; in the last
			// repetition they are so low that the K-th point is often in the last
			// (unbounded) bucket, where the index order alone decides.
			scale := 1.0
			if rep == 2 {
				scale = 0.05
			}
			edges := make([]float64, tc.levels-1)
			for i := range edges {
				edges[i] = scale * sigma * sigma * float64(tc.d) * (0.4 + 2.5*float64(i+1)/float64(tc.levels))
			}
			cases = append(cases, oracleCase{
				n: tc.n, d: tc.d, levels: tc.levels, classes: tc.classes,
				X: X, y: y, x: x, sigma: sigma, edges: edges, p: bucketProbs(X, x, sigma, edges),
			})
		}
	}
	return cases
}

func TestBruteForceOracle(t *testing.T) {
	cases := 0
	maxDiff, looseMax := 0.0, 0.0
	defer func() {
		t.Logf("max |brute force − exact| = %.3g; at tolerance 1e-3, max error/bound = %.3g", maxDiff, looseMax)
	}()
	for _, tc := range oracleCases() {
		X, y, x, sigma, edges, p := tc.X, tc.y, tc.x, tc.sigma, tc.edges, tc.p
		for _, k := range []int{1, 2, 3, tc.n} {
			want := bruteForce(p, y, k, tc.classes)
			s, err := New(X, y, WithSigma(sigma), WithK(k), WithClasses(tc.classes), WithEdges(edges))
			require.NoError(t, err)
			got, bound, err := s.ProbabilitiesWithError(x)
			require.NoError(t, err)
			assert.Less(t, bound, 1e-10)
			for c := range want {
				maxDiff = max(maxDiff, math.Abs(want[c]-got[c]))
				assert.InDelta(t, want[c], got[c], 1e-9, "n=%d d=%d L=%d C=%d K=%d class %d", tc.n, tc.d, tc.levels, tc.classes, k, c)
				assert.InDelta(t, want[c], got[c], bound+1e-12, "within reported bound: n=%d L=%d K=%d", tc.n, tc.levels, k)
			}
			// With a loose tolerance the truncations are large enough (≈ 1e-6) to
			// test the reported bound itself: every class within it.
			loose, err := New(X, y, WithSigma(sigma), WithK(k), WithClasses(tc.classes), WithEdges(edges), WithTolerance(1e-3))
			require.NoError(t, err)
			got, bound, err = loose.ProbabilitiesWithError(x)
			require.NoError(t, err)
			for c := range want {
				looseMax = max(looseMax, math.Abs(want[c]-got[c])/bound)
				assert.LessOrEqual(t, math.Abs(want[c]-got[c]), bound+1e-15, "tolerance 1e-3: n=%d L=%d K=%d class %d", tc.n, tc.levels, k, c)
			}
			cases++
		}
	}
	assert.Equal(t, 7*3*4, cases)
}

// TestBruteForceDetectsRuleChanges guards the oracle itself: flipping the tie rules
// must change the answer on a case built to exercise them.
func TestBruteForceDetectsRuleChanges(t *testing.T) {
	// Two points certainly in bucket 0, labels 1 and 0: K = 1 picks index 0 (label 1);
	// K = 2 is a 1–1 tie that goes to label 0.
	p := [][]float64{{1, 0}, {1, 0}}
	assert.Equal(t, []float64{0, 1}, bruteForce(p, []int{1, 0}, 1, 2))
	assert.Equal(t, []float64{1, 0}, bruteForce(p, []int{1, 0}, 2, 2))
	assert.InDelta(t, 1.0, math.Abs(refCDF(3, 0, 1e3)), 1e-15)
}
