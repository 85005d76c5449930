package knn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/knnoracle"
)

// oracleCase is a tiny training set, an input and edges for the brute-force oracles,
// with the bucket probabilities p[j][l] from the independent CDF knnoracle.RefCDF.
type oracleCase struct {
	n, d, levels, classes int
	X                     [][]float64
	y                     []int
	x                     []float64
	sigma                 float64
	edges                 []float64
	p                     [][]float64
}

// oracleShape is the size of an oracle case: n points of dimension d, L levels, C
// classes.
type oracleShape struct{ n, d, levels, classes int }

// oracleCases returns the 21 oracle cases: 7 shapes (n ≤ 5 points, d, L ≤ 5, C) × 3
// repetitions, drawn from a fixed seed.
func oracleCases() []oracleCase {
	return drawOracleCases(rand.New(rand.NewPCG(1, 2)), []oracleShape{
		{3, 1, 5, 2}, {4, 2, 4, 2}, {5, 2, 5, 2}, {5, 3, 4, 3}, {4, 1, 5, 3}, {5, 2, 3, 3}, {5, 5, 2, 2},
	})
}

// drawOracleCases draws 3 repetitions of every shape from rng: in the first a
// training point lies at the input, in the last the edges are so low that the K-th
// point is often in the last bucket.
func drawOracleCases(rng *rand.Rand, shapes []oracleShape) []oracleCase {
	var cases []oracleCase
	for _, tc := range shapes {
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
				X: X, y: y, x: x, sigma: sigma, edges: edges, p: knnoracle.BucketProbs(X, x, sigma, edges),
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
			want := knnoracle.BruteForce(p, y, k, tc.classes)
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
	assert.Equal(t, []float64{0, 1}, knnoracle.BruteForce(p, []int{1, 0}, 1, 2))
	assert.Equal(t, []float64{1, 0}, knnoracle.BruteForce(p, []int{1, 0}, 2, 2))
	assert.InDelta(t, 1.0, math.Abs(knnoracle.RefCDF(3, 0, 1e3)), 1e-15)
}
