package rab

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/knnoracle"
)

// flipCase is a small training set on which label flips can be certified: points on
// a ring around the input (the noise, not the distance, decides which vote), the
// lowest indices (which win bucket ties) mostly of one class, and edges at quantiles
// of the noisy squared distance, so that every bucket is well used.
type flipCase struct {
	X     [][]float64
	y     []int
	x     []float64
	sigma float64
	k     int
	C     int
	edges []float64
}

// flipCases draws the cases of TestFlipRadiusAgainstOracle: n ≤ 8 points in 2-D,
// C ≤ 3 classes, K ≤ 3, L ≤ 8 levels; on a ring of random radii in [0.3σ, σ], or
// (ring) all at 0.6σ, where only the noise and the row order tell them apart, and
// minority rows of other classes.
func flipCases() []flipCase {
	rng := rand.New(rand.NewPCG(15, 16))
	var cases []flipCase
	for _, shape := range []struct {
		n, k, classes, levels, minority int
		ring                            bool
	}{
		{8, 1, 2, 3, 2, false}, {7, 1, 3, 4, 2, false}, {6, 1, 2, 6, 1, false}, {5, 1, 3, 8, 1, false},
		{6, 2, 2, 6, 1, false}, {8, 2, 3, 3, 2, false}, {6, 3, 2, 6, 1, false}, {7, 3, 3, 5, 2, false},
		{8, 1, 2, 5, 1, true}, {7, 1, 3, 5, 1, true}, {7, 2, 2, 5, 1, true}, {8, 3, 2, 5, 1, true},
	} {
		for range 2 {
			sigma := 0.5 + rng.Float64()
			tc := flipCase{x: []float64{rng.NormFloat64(), rng.NormFloat64()}, sigma: sigma, k: shape.k, C: shape.classes}
			for j := range shape.n {
				angle, radius := rng.Float64()*2*math.Pi, sigma*(0.3+0.7*rng.Float64())
				if shape.ring {
					radius = 0.6 * sigma
				}
				tc.X = append(tc.X, []float64{tc.x[0] + radius*math.Cos(angle), tc.x[1] + radius*math.Sin(angle)})
				label := 0 // the minority rows last: they lose the ties
				if j >= shape.n-shape.minority {
					label = 1 + rng.IntN(shape.classes-1)
				}
				tc.y = append(tc.y, label)
			}
			for l := 1; l < shape.levels; l++ {
				q := float64(l) / float64(shape.levels)
				if shape.ring { // the quantiles of every row's squared noisy distance / σ², χ²(2, 0.36)
					tc.edges = append(tc.edges, sigma*sigma*ringQuantile(q))
					continue
				}
				tc.edges = append(tc.edges, sigma*sigma*(-2*math.Log(1-q)+0.5)) // ≈ σ²·χ²₂ + ρ², shifted
			}
			cases = append(cases, tc)
		}
	}
	return cases
}

// ringQuantile returns the q-quantile of χ²(2, 0.36), the squared noisy distance over
// σ² of a row at 0.6σ from the input, by bisection on knnoracle.RefCDF.
func ringQuantile(q float64) float64 {
	lo, hi := 0.0, 100.0
	for range 60 {
		if mid := (lo + hi) / 2; knnoracle.RefCDF(2, 0.36, mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// scaledMove returns the move of rows j in directions dirs[j], scaled to total norm
// √(Σ_j‖δ_j‖²) = budget.
func scaledMove(dirs [][]float64, budget float64) [][]float64 {
	var total float64
	for _, row := range dirs {
		for _, v := range row {
			total += v * v
		}
	}
	f := budget / math.Sqrt(total)
	out := make([][]float64, len(dirs))
	for j, row := range dirs {
		out[j] = make([]float64, len(row))
		for i, v := range row {
			out[j][i] = f * v
		}
	}
	return out
}

// adversarialMoves returns moves of total norm budget against class a under labels y:
// every row of class a pushed radially away from x and every other row pulled towards
// it; all the budget on the row of another class nearest x (pulled in, across as many
// edges as it can reach) or on the row of class a nearest x (pushed out); and half of
// it on each of those two.
func adversarialMoves(X [][]float64, x []float64, y []int, a int, budget float64) [][][]float64 {
	n, d := len(X), len(x)
	spread := make([][]float64, n) // unit radial directions, outwards for class a
	nearest := [2]int{-1, -1}      // the nearest row of another class, and of class a
	nearestDist := [2]float64{math.Inf(1), math.Inf(1)}
	for j := range X {
		spread[j] = make([]float64, d)
		var dist float64
		for i := range x {
			spread[j][i] = X[j][i] - x[i]
			dist += spread[j][i] * spread[j][i]
		}
		sign := -1.0
		side := 0
		if y[j] == a {
			sign, side = 1, 1
		}
		for i := range spread[j] {
			spread[j][i] *= sign / math.Sqrt(dist)
		}
		if dist < nearestDist[side] {
			nearest[side], nearestDist[side] = j, dist
		}
	}
	on := func(rows ...int) [][]float64 { // the radial directions of the given rows only
		dirs := make([][]float64, n)
		for j := range dirs {
			dirs[j] = make([]float64, d)
		}
		for _, j := range rows {
			copy(dirs[j], spread[j])
		}
		return scaledMove(dirs, budget)
	}
	out := [][][]float64{scaledMove(spread, budget)}
	for _, j := range nearest {
		if j >= 0 {
			out = append(out, on(j))
		}
	}
	if nearest[0] >= 0 && nearest[1] >= 0 {
		out = append(out, on(nearest[0], nearest[1]))
	}
	return out
}

// randomMoves returns count moves of n rows of dimension d in random directions, of
// total norm budget.
func randomMoves(rng *rand.Rand, n, d int, budget float64, count int) [][][]float64 {
	out := make([][][]float64, count)
	for m := range out {
		dirs := make([][]float64, n)
		for j := range dirs {
			dirs[j] = make([]float64, d)
			for i := range dirs[j] {
				dirs[j][i] = rng.NormFloat64()
			}
		}
		out[m] = scaledMove(dirs, budget)
	}
	return out
}

// moved returns X + Δ.
func moved(X, delta [][]float64) [][]float64 {
	out := make([][]float64, len(X))
	for j := range X {
		out[j] = make([]float64, len(X[j]))
		for i := range X[j] {
			out[j][i] = X[j][i] + delta[j][i]
		}
	}
	return out
}

// TestFlipRadiusAgainstOracle checks the label-flip certificate by recomputing the
// exact smoothed classifier (knnoracle: every bucket assignment enumerated, with an
// independent CDF) on relabelled and moved training sets. For every case, input and
// certified k ≥ 1 (FlipRadius(k) > 0), it covers every relabelling of at most k rows
// combined with each of these moves of total norm 0.999·FlipRadius(k): the
// adversarialMoves against the certified class under the new labels (its rows pushed
// out and the others pulled in, radially; the whole budget on the nearest row of
// another class, pulled in across the edges, or on the nearest row of the certified
// class, pushed out; half on each) and 8 random moves shared by all relabellings. The prediction must stay the certified class: its exact probability
// at least every other's (up to 1e-12 for the oracle's own rounding).
func TestFlipRadiusAgainstOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("enumerates bucket assignments for thousands of training sets")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	certified, checked := 0, 0
	minMargin := math.Inf(1) // smallest q(A) − max q(c) seen, relative to the original gap
	for _, tc := range flipCases() {
		n := len(tc.X)
		m, err := Train(context.Background(), tc.X, tc.y, WithKNN(tc.k), WithSigma(tc.sigma), WithEdges(tc.edges),
			WithClasses(tc.C), WithLabelFlips(n))
		require.NoError(t, err)
		cert, err := m.Certify(context.Background(), tc.x)
		require.NoError(t, err)
		base := knnoracle.EnumerateVoterSets(knnoracle.BucketProbs(tc.X, tc.x, tc.sigma, tc.edges), tc.k).Probabilities(tc.y, tc.C)
		gap := base[cert.Class] - maxOther(base, cert.Class)
		check := func(sets knnoracle.VoterSets, labels []int, what string, k int) {
			probs := sets.Probabilities(labels, tc.C)
			margin := probs[cert.Class] - maxOther(probs, cert.Class)
			minMargin = min(minMargin, margin/gap)
			checked++
			assert.GreaterOrEqual(t, margin, -1e-12, "%s: k = %d, labels %v, probabilities %v, certified class %d", what, k, labels, probs, cert.Class)
		}
		for k := 1; k <= n && cert.FlipRadius(k) > 0; k++ {
			certified++
			budget := 0.999 * cert.FlipRadius(k)
			voterSets := func(delta [][]float64) knnoracle.VoterSets {
				return knnoracle.EnumerateVoterSets(knnoracle.BucketProbs(moved(tc.X, delta), tc.x, tc.sigma, tc.edges), tc.k)
			}
			var shared []knnoracle.VoterSets
			for _, delta := range randomMoves(rng, n, len(tc.x), budget, 8) {
				shared = append(shared, voterSets(delta))
			}
			knnoracle.ForEachRelabelling(tc.y, tc.C, k, func(labels []int, _ int) {
				for _, sets := range shared {
					check(sets, labels, "random move", k)
				}
				for _, delta := range adversarialMoves(tc.X, tc.x, labels, cert.Class, budget) {
					check(voterSets(delta), labels, "adversarial move", k)
				}
			})
		}
	}
	t.Logf("%d certified (case, k) pairs, %d relabelled and moved sets checked; smallest margin %.3g of the original gap", certified, checked, minMargin)
	assert.GreaterOrEqual(t, certified, 20, "the cases certify label flips")
	assert.Less(t, minMargin, 0.1, "the moves come close to changing the prediction")
}

// TestFlipRadiusProperties checks what every certificate made with WithLabelFlips
// promises, on the blobs and on inputs between them: FlipRadius(0) is Radius,
// FlipRadius does not increase with k and is 0 beyond r, the shifts M_k do not
// decrease and lie in [0, 1], CertifiesAttack(norm, 1) implies Certifies(norm), and
// the rest of the certificate is that of plain certification, bit for bit.
func TestFlipRadiusProperties(t *testing.T) {
	X, y := blobs(40, 21)
	const r = 12
	opts := []Option{WithKNN(3), WithSigma(1.5), WithLevels(50)}
	plain, err := Train(context.Background(), X, y, opts...)
	require.NoError(t, err)
	flips, err := Train(context.Background(), X, y, append(opts, WithLabelFlips(r))...)
	require.NoError(t, err)
	assert.Equal(t, r, flips.LabelFlips())
	assert.Zero(t, plain.LabelFlips())
	inputs := append([][]float64{{0.5, -0.5}, {0.2, 0.3}, {-0.1, -0.2}, {3, 3}}, testInputs...)
	want, err := plain.CertifyBatch(context.Background(), inputs)
	require.NoError(t, err)
	got, err := flips.CertifyBatch(context.Background(), inputs)
	require.NoError(t, err)
	someFlips := false
	for i, c := range got {
		require.NotNil(t, c.LabelFlips)
		require.Len(t, c.LabelFlips.Shift, r)
		require.Len(t, c.LabelFlips.Radius, r)
		bare := c
		bare.LabelFlips = nil
		assert.Equal(t, want[i], bare, "input %d: the rest is plain certification's", i)
		assert.Nil(t, want[i].LabelFlips)

		assert.Equal(t, c.Radius, c.FlipRadius(0))
		assert.Zero(t, c.FlipRadius(-1))
		assert.Zero(t, c.FlipRadius(r+1))
		assert.Zero(t, want[i].FlipRadius(1), "no WithLabelFlips, no flips certified")
		for k := 1; k <= r; k++ {
			m := c.LabelFlips.Shift[k-1]
			assert.True(t, m >= 0 && m <= 1, "M_%d = %v", k, m)
			if k > 1 {
				assert.GreaterOrEqual(t, m, c.LabelFlips.Shift[k-2], "M_k non-decreasing")
			}
			assert.LessOrEqual(t, c.FlipRadius(k), c.FlipRadius(k-1), "FlipRadius non-increasing")
			assert.Equal(t, c.LabelFlips.Radius[k-1], c.FlipRadius(k))
			someFlips = someFlips || (k >= 2 && c.FlipRadius(k) > 0)
		}
		for _, norm := range []float64{0, 0.01, 0.1, 0.3, c.FlipRadius(1), math.Nextafter(c.FlipRadius(1), 0), 1, 2} {
			if c.CertifiesAttack(norm, 1) {
				assert.True(t, c.Certifies(norm), "norm %v", norm)
			}
			for rows := 0; rows <= r+1; rows++ {
				assert.Equal(t, !c.Abstained && norm*math.Sqrt(float64(rows)) < c.FlipRadius(rows), c.CertifiesAttack(norm, rows))
			}
		}
		assert.False(t, c.CertifiesAttack(0, -1))
	}
	assert.True(t, someFlips, "some input certifies two or more relabelled rows")
}

// maxOther returns the largest probability of a class other than a.
func maxOther(p []float64, a int) float64 {
	best := 0.0
	for c, v := range p {
		if c != a {
			best = max(best, v)
		}
	}
	return best
}

// TestLabelFlipsOptionErrors: WithLabelFlips is a CertifyOption of K-NN models. For an
// ensemble — trained, loaded or wrapped — it is an error that says why; r < 0 and r
// beyond the training rows are errors; a loaded K-NN model certifies flips exactly
// as the trained one.
func TestLabelFlipsOptionErrors(t *testing.T) {
	X, y := blobs(10, 22)
	ensembleErr := "WithLabelFlips(4) certifies label flips, which only the exact K-NN smoother can: an ensemble would need label noise in training; use WithKNN(k) or drop it"
	ens := []Option{WithSigma(1), WithModels(20), WithAlpha(0.1), WithLabelFlips(4)}
	_, err := Train(context.Background(), X, y, ens...)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: Train: "+ensembleErr)
	_, err = Certify(context.Background(), X, y, X, ens...)
	assert.EqualError(t, err, "rab: Certify: "+ensembleErr)

	e, err := Train(context.Background(), X, y, ens[:3]...)
	require.NoError(t, err)
	_, err = Load(saved(t, e), WithLabelFlips(4))
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: Load: "+ensembleErr)
	_, err = FromEnsemble(e.b.(*ensembleBackend).e, WithLabelFlips(4))
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: FromEnsemble: "+ensembleErr)

	knn := []Option{WithKNN(3), WithSigma(1), WithLevels(20)}
	_, err = Train(context.Background(), X, y, append(knn, WithLabelFlips(-1))...)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: Train: WithLabelFlips(-1): want r ≥ 0 relabelled rows")
	_, err = Train(context.Background(), X, y, append(knn, WithLabelFlips(21))...)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: Train: WithLabelFlips(21): the training set has 20 rows: no more can be relabelled")

	m, err := Train(context.Background(), X, y, append(knn, WithLabelFlips(20))...)
	require.NoError(t, err)
	want, err := m.CertifyBatch(context.Background(), testInputs)
	require.NoError(t, err)
	loaded, err := Load(saved(t, m), WithLabelFlips(20))
	require.NoError(t, err)
	assert.Equal(t, 20, loaded.LabelFlips())
	got, err := loaded.CertifyBatch(context.Background(), testInputs)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	_, err = Load(saved(t, m), WithLabelFlips(21))
	assert.EqualError(t, err, "rab: Load: WithLabelFlips(21): the training set has 20 rows: no more can be relabelled")
	plain, err := Load(saved(t, m))
	require.NoError(t, err)
	assert.Zero(t, plain.LabelFlips(), "WithLabelFlips is a certification setting: not saved")
	c, err := plain.Certify(context.Background(), testInputs[0])
	require.NoError(t, err)
	assert.Nil(t, c.LabelFlips)
	zero, err := Train(context.Background(), X, y, append(knn, WithLabelFlips(0))...)
	require.NoError(t, err)
	c, err = zero.Certify(context.Background(), testInputs[0])
	require.NoError(t, err)
	assert.Nil(t, c.LabelFlips, "WithLabelFlips(0) certifies feature changes only")
}
