package knn

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/knnoracle"
)

// simulate draws reps noisy training sets and returns, for each K in ks, the
// frequency of each class predicted by the quantised rule: noise N(0, σ²I) on every
// training point, squared distance bucketed by edges (bucket l = [b_{l−1}, b_l)), K
// first by (bucket, index), majority vote with ties to the smallest label.
func simulate(rng *rand.Rand, X [][]float64, y []int, x []float64, sigma float64, edges []float64, ks []int, classes, reps int) [][]float64 {
	freq := make([][]float64, len(ks))
	for i := range freq {
		freq[i] = make([]float64, classes)
	}
	bucket := make([]int, len(X))
	for range reps {
		for j, row := range X {
			var t float64
			for i, v := range row {
				diff := v + sigma*rng.NormFloat64() - x[i]
				t += diff * diff
			}
			bucket[j] = sort.Search(len(edges), func(i int) bool { return edges[i] > t })
		}
		for i, k := range ks {
			freq[i][knnoracle.Vote(bucket, y, k, classes)] += 1 / float64(reps)
		}
	}
	return freq
}

// assertWithinSE asserts |freq − p| ≤ 4 standard errors of a binomial proportion.
func assertWithinSE(t *testing.T, p, freq []float64, reps int, msg string) {
	t.Helper()
	for c := range p {
		se := math.Sqrt(p[c] * (1 - p[c]) / float64(reps))
		assert.InDelta(t, p[c], freq[c], 4*se+1e-12, "%s class %d", msg, c)
	}
}

func TestMonteCarloSmallData(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, d, classes, reps = 40, 4, 3, 20000
	X := make([][]float64, n)
	y := make([]int, n)
	for j := range X {
		X[j] = make([]float64, d)
		for i := range X[j] {
			X[j][i] = rng.NormFloat64()
		}
		y[j] = rng.IntN(classes)
	}
	x := []float64{0.2, -0.1, 0.3, 0}
	sigma := 0.7
	// Coarse edges make (bucket, index) ties frequent; the default edges make them rare.
	coarse := []float64{1, 2, 3, 4.5, 6, 8}
	for _, tc := range []struct {
		name  string
		k     int
		edges []float64
	}{
		{"coarse K=3", 3, coarse}, {"coarse K=5", 5, coarse}, {"coarse K=2", 2, coarse},
		{"default K=3", 3, mustDefaultEdges(t, d, sigma, DefaultLevels)},
		{"default K=4", 4, mustDefaultEdges(t, d, sigma, DefaultLevels)},
	} {
		s, err := New(X, y, WithSigma(sigma), WithK(tc.k), WithClasses(classes), WithEdges(tc.edges))
		require.NoError(t, err)
		p, bound, err := s.ProbabilitiesWithError(x)
		require.NoError(t, err)
		assert.Less(t, bound, 1e-10)
		assert.InDelta(t, 1, p[0]+p[1]+p[2], 1e-12)
		freq := simulate(rng, X, y, x, sigma, tc.edges, []int{tc.k}, classes, reps)
		assertWithinSE(t, p, freq[0], reps, tc.name)
		// Far from uniform, so a wrong rule shows (treating later indices like earlier
		// ones in the tie rule fails this test by many standard errors).
		assert.Greater(t, max(p[0], p[1], p[2]), 0.4, tc.name)
	}
}

// TestMonteCarloSpambase runs the realistic regime (raw features, λ up to 10⁴, default
// edges, window search, far-point truncation) on a 300-row subset.
func TestMonteCarloSpambase(t *testing.T) {
	if testing.Short() {
		t.Skip("Monte Carlo on Spambase takes a few seconds")
	}
	sp := loadSpambase(t)
	rng := rand.New(rand.NewPCG(13, 14))
	const n, reps = 300, 1500
	X, y := sp.trainX[:n], sp.trainY[:n]
	sigma := 0.5
	ks := []int{1, 3}
	var smoothers []*Smoother
	for _, k := range ks {
		s, err := New(X, y, WithSigma(sigma), WithK(k))
		require.NoError(t, err)
		smoothers = append(smoothers, s)
	}
	for _, i := range []int{0, 3} {
		freq := simulate(rng, X, y, sp.testX[i], sigma, smoothers[0].Edges(), ks, 2, reps)
		for j, s := range smoothers {
			p, bound, err := s.ProbabilitiesWithError(sp.testX[i])
			require.NoError(t, err)
			assert.Less(t, bound, 1e-10)
			assertWithinSE(t, p, freq[j], reps, "spambase")
		}
	}
}
