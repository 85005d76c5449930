package knn

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/knnoracle"
)

func randomData(rng *rand.Rand, n, d, classes int, scale float64) ([][]float64, []int) {
	X := make([][]float64, n)
	y := make([]int, n)
	for j := range X {
		X[j] = make([]float64, d)
		for i := range X[j] {
			X[j][i] = scale * rng.NormFloat64()
		}
		y[j] = rng.IntN(classes)
	}
	return X, y
}

// TestK1ClosedForm compares K = 1 with the nearest-neighbour product formula
// P(i first) = Σ_l p_i^l Π_{j<i} (1 − F_j(l)) Π_{j>i} (1 − F_j(l−1)),
// evaluated with the independent CDF knnoracle.RefCDF.
func TestK1ClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const n, d, classes = 30, 3, 3
	X, y := randomData(rng, n, d, classes, 1)
	x := []float64{0.1, 0.4, -0.2}
	sigma := 0.7
	for _, edges := range [][]float64{
		{0.5, 1, 1.5, 2, 3, 4, 5, 6.5, 8, 10, 13}, // coarse: index ties matter
		mustDefaultEdges(t, d, sigma, DefaultLevels),
	} {
		L := len(edges) + 1
		F := make([][]float64, n) // F[j][l], l = 0..L
		for j, row := range X {
			var lam float64
			for i := range row {
				lam += (row[i] - x[i]) * (row[i] - x[i])
			}
			lam /= sigma * sigma
			F[j] = make([]float64, L+1)
			for l, b := range edges {
				F[j][l+1] = knnoracle.RefCDF(d, lam, b/(sigma*sigma))
			}
			F[j][L] = 1
		}
		want := make([]float64, classes)
		for i := range n {
			for l := 1; l <= L; l++ {
				prod := F[i][l] - F[i][l-1]
				for j := range n {
					switch {
					case j < i:
						prod *= 1 - F[j][l]
					case j > i:
						prod *= 1 - F[j][l-1]
					}
				}
				want[y[i]] += prod
			}
		}
		s, err := New(X, y, WithSigma(sigma), WithK(1), WithClasses(classes), WithEdges(edges))
		require.NoError(t, err)
		got, err := s.Probabilities(x)
		require.NoError(t, err)
		for c := range want {
			assert.InDelta(t, want[c], got[c], 1e-9, "L=%d class %d", L, c)
		}
		assert.InDelta(t, 1, want[0]+want[1]+want[2], 1e-9)
	}
}

// TestPermutationOnlyMattersThroughTies: two clusters far apart (relative to σ), each
// with a label-0 and a label-1 point that overlap. Swapping the two label-0 rows keeps
// every overlapping pair in the same index order, so nothing may change; reversing the
// index order inside both clusters reverses the tie rule there, which must change the
// result for K = 1 (decided in the near cluster) and K = 3 (decided in the far one),
// while K = 2 is almost always a 1–1 tie in the near cluster, won by label 0. Coarse buckets
// make index ties frequent.
func TestPermutationOnlyMattersThroughTies(t *testing.T) {
	x := []float64{0, 0}
	a1, b1 := []float64{1, 0}, []float64{0, 1.05} // cluster at distance ≈ 1
	a2, b2 := []float64{6, 0}, []float64{0, 6.1}  // cluster at distance ≈ 6
	edges := []float64{0.25, 0.5, 1, 1.5, 2.5, 4, 25, 30, 36, 42, 50}
	for _, k := range []int{1, 2, 3} {
		probs := func(X [][]float64, y []int) []float64 {
			s, err := New(X, y, WithSigma(0.3), WithK(k), WithEdges(edges))
			require.NoError(t, err)
			p, err := s.Probabilities(x)
			require.NoError(t, err)
			return p
		}
		base := probs([][]float64{a1, a2, b1, b2}, []int{0, 0, 1, 1})
		same := probs([][]float64{a2, a1, b1, b2}, []int{0, 0, 1, 1})
		reversed := probs([][]float64{b1, b2, a1, a2}, []int{1, 1, 0, 0})
		assert.InDeltaSlice(t, base, same, 1e-12, "K=%d", k)
		if k == 2 {
			assert.Greater(t, base[0], 0.9999)
			assert.Greater(t, reversed[0], 0.9999)
			continue
		}
		assert.Greater(t, math.Abs(base[0]-reversed[0]), 1e-3, "K=%d: the index tie rule must matter", k)
		assert.Greater(t, min(base[0], base[1]), 0.01, "K=%d", k)
	}
}

// TestSmallSigmaIsPlainKNN: with fixed fine edges and σ → 0 the smoothed classifier
// becomes the plain K-NN vote on the true distances, wherever the K-th and (K+1)-th
// distances are far apart relative to σ and the bucket width (λ ~ 10⁴–10⁶ here).
func TestSmallSigmaIsPlainKNN(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const n, d, classes, sigma = 50, 3, 4, 2e-3
	X, y := randomData(rng, n, d, classes, 0.5)
	edges := make([]float64, 1999) // geometric in squared distance, 1e-5 … 10
	for i := range edges {
		edges[i] = 1e-5 * math.Pow(1e6, float64(i)/float64(len(edges)-1))
	}
	for _, k := range []int{1, 3, 5} {
		s, err := New(X, y, WithSigma(sigma), WithK(k), WithClasses(classes), WithEdges(edges))
		require.NoError(t, err)
		checked := 0
		for range 40 {
			x := []float64{0.5 * rng.NormFloat64(), 0.5 * rng.NormFloat64(), 0.5 * rng.NormFloat64()}
			dist := make([]float64, n)
			order := make([]int, n)
			for j := range X {
				for i := range x {
					dist[j] += (X[j][i] - x[i]) * (X[j][i] - x[i])
				}
				dist[j] = math.Sqrt(dist[j])
				order[j] = j
			}
			sort.Slice(order, func(a, b int) bool { return dist[order[a]] < dist[order[b]] })
			if dist[order[k]]-dist[order[k-1]] < 10*sigma {
				continue
			}
			counts := make([]int, classes)
			for _, j := range order[:k] {
				counts[y[j]]++
			}
			want := 0
			for c := range counts {
				if counts[c] > counts[want] {
					want = c
				}
			}
			p, bound, err := s.ProbabilitiesWithError(x)
			require.NoError(t, err)
			assert.Less(t, bound, 1e-9)
			assert.InDelta(t, 1, p[want], 1e-6, "K=%d", k)
			checked++
		}
		assert.GreaterOrEqual(t, checked, 10, "K=%d", k)
	}
}

// TestBatchDeterministicAcrossWorkers: bit-identical results for 1 and 2 workers and
// for single calls; every row sums to 1.
func TestBatchDeterministicAcrossWorkers(t *testing.T) {
	sp := loadSpambase(t)
	X := sp.testX[:24]
	var results [][][]float64
	for _, workers := range []int{1, 2} {
		s, err := New(sp.trainX[:600], sp.trainY[:600], WithSigma(0.5), WithK(3), WithWorkers(workers))
		require.NoError(t, err)
		p, bounds, err := s.ProbabilitiesBatchWithError(context.Background(), X)
		require.NoError(t, err)
		require.Len(t, bounds, len(X))
		for i, row := range p {
			assert.InDelta(t, 1, row[0]+row[1], 1e-12)
			assert.Less(t, bounds[i], 1e-10)
			single, bound, err := s.ProbabilitiesWithError(X[i])
			require.NoError(t, err)
			require.Equal(t, single, row)
			require.Equal(t, bound, bounds[i])
		}
		results = append(results, p)
	}
	require.Equal(t, results[0], results[1])
}

// TestSpambaseAccuracy: the smoothed 3-NN (σ = 0.5, raw 56 features, default edges)
// on a seeded 80/20 split classifies most held-out e-mails correctly; the paper's
// Table 2 reports clean accuracies of the same order for this setting.
func TestSpambaseAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates 150 Spambase inputs")
	}
	sp := loadSpambase(t)
	s, err := New(sp.trainX, sp.trainY, WithSigma(0.5), WithK(3))
	require.NoError(t, err)
	const m = 150
	p, bounds, err := s.ProbabilitiesBatchWithError(context.Background(), sp.testX[:m])
	require.NoError(t, err)
	correct := 0
	for i, row := range p {
		pred := 0
		if row[1] > row[0] {
			pred = 1
		}
		if pred == sp.testY[i] {
			correct++
		}
		assert.Less(t, bounds[i], 1e-10)
	}
	acc := float64(correct) / m
	t.Logf("smoothed 3-NN accuracy on %d held-out inputs: %.3f", m, acc)
	assert.Greater(t, acc, 0.8)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed+1)) }
