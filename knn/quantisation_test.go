package knn

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/knnoracle"
)

// bruteForceQuantisation enumerates all L^n bucket assignments (as
// knnoracle.BruteForce) and returns P(B_(K) = B_(K+1)) and P(B_(K) = L), B_(k) being
// the k-th smallest bucket.
func bruteForceQuantisation(p [][]float64, k int) (ties, last float64) {
	n, L := len(p), len(p[0])
	sorted := make([]int, n)
	knnoracle.ForEachAssignment(p, func(bucket []int, prob float64) {
		copy(sorted, bucket)
		slices.Sort(sorted)
		if k < n && sorted[k-1] == sorted[k] {
			ties += prob
		}
		if sorted[k-1] == L-1 {
			last += prob
		}
	})
	return ties, last
}

// TestQuantisationOracle checks Evaluate's Ties and LastBucket against the brute-force
// enumeration on the oracle cases, within DiagnosticsErrBound, at the default
// tolerance and at 1e-3 (where the truncations are large enough to test the bound),
// and that Evaluate's probabilities are those of ProbabilitiesWithError.
func TestQuantisationOracle(t *testing.T) {
	var maxTies, maxLast, maxRatio float64
	partial := 0 // cases with 0.01 < Ties < 0.99
	for _, tc := range oracleCases() {
		for _, k := range []int{1, 2, 3, tc.n} {
			wantTies, wantLast := bruteForceQuantisation(tc.p, k)
			maxTies, maxLast = max(maxTies, wantTies), max(maxLast, wantLast)
			if wantTies > 0.01 && wantTies < 0.99 {
				partial++
			}
			for _, tol := range []float64{DefaultTolerance, 1e-3} {
				s, err := New(tc.X, tc.y, WithSigma(tc.sigma), WithK(k), WithClasses(tc.classes), WithEdges(tc.edges), WithTolerance(tol))
				require.NoError(t, err)
				ev, err := s.Evaluate(tc.x)
				require.NoError(t, err)
				probs, bound, err := s.ProbabilitiesWithError(tc.x)
				require.NoError(t, err)
				assert.Equal(t, probs, ev.Probs)
				assert.Equal(t, bound, ev.ErrBound)
				msg := []any{"n=%d L=%d K=%d tol=%g", tc.n, tc.levels, k, tol}
				if tol == DefaultTolerance {
					assert.Less(t, ev.DiagnosticsErrBound, 1e-10, msg...)
					assert.InDelta(t, wantTies, ev.Ties, 1e-9, msg...)
					assert.InDelta(t, wantLast, ev.LastBucket, 1e-9, msg...)
				}
				errBound := ev.DiagnosticsErrBound
				assert.LessOrEqual(t, math.Abs(wantTies-ev.Ties), errBound+1e-15, msg...)
				assert.LessOrEqual(t, math.Abs(wantLast-ev.LastBucket), errBound+1e-15, msg...)
				maxRatio = max(maxRatio, math.Abs(wantTies-ev.Ties)/errBound, math.Abs(wantLast-ev.LastBucket)/errBound)
			}
		}
	}
	t.Logf("max Ties %.3g, max LastBucket %.3g, %d cases with partial ties; max error/bound %.3g", maxTies, maxLast, partial, maxRatio)
	// The cases exercise the diagnostics: certain and partial ties, a last bucket.
	assert.Greater(t, maxTies, 0.99)
	assert.Greater(t, maxLast, 0.5)
	assert.Greater(t, partial, 10)
}

// auditClusters returns two clusters of 10 points (class 0 around the origin first,
// then class 1 around (5, 5)), unit spread, all features multiplied by scale, and an
// input at the centre of class 1.
func auditClusters(scale float64) ([][]float64, []int, []float64) {
	rng := newRand(77)
	var X [][]float64
	var y []int
	for c := range 2 {
		for range 10 {
			X = append(X, []float64{scale * (5*float64(c) + rng.NormFloat64()), scale * (5*float64(c) + rng.NormFloat64())})
			y = append(y, c)
		}
	}
	return X, y, []float64{5 * scale, 5 * scale}
}

// TestFeaturesFarLargerThanSigma reproduces the audit of issue 11: at σ = 1 with
// features ×10⁴ every squared distance lies beyond the last default edge (2.6·10⁶σ²),
// all points share the unbounded last bucket and the training-row order decides, so an
// input inside the class-1 cluster gets class 0 with probability ≈ 1 — sound for the
// quantised model, useless to the user. Evaluate reports it (Ties ≈ LastBucket ≈ 1),
// and the documented remedies (scale the features, or choose σ on the scale of the
// distances) give class 1, nothing in the last bucket and fewer ties (the remaining
// ties are between close class-1 points: harmless, but counted).
func TestFeaturesFarLargerThanSigma(t *testing.T) {
	X, y, x := auditClusters(1e4)
	s, err := New(X, y, WithSigma(1), WithK(3))
	require.NoError(t, err)
	ev, err := s.Evaluate(x)
	require.NoError(t, err)
	assert.InDelta(t, 1, ev.Probs[0], 1e-12, "rows 0–2 (class 0) vote")
	assert.InDelta(t, 1, ev.Ties, 1e-12)
	assert.InDelta(t, 1, ev.LastBucket, 1e-12)
	assert.Less(t, ev.DiagnosticsErrBound, 1e-10)

	for name, fix := range map[string]func() (*Smoother, []float64){
		"features scaled": func() (*Smoother, []float64) {
			X, y, x := auditClusters(1)
			s, err := New(X, y, WithSigma(1), WithK(3))
			require.NoError(t, err)
			return s, x
		},
		"σ on the scale of the features": func() (*Smoother, []float64) {
			s, err := New(X, y, WithSigma(1e4), WithK(3))
			require.NoError(t, err)
			return s, x
		},
	} {
		s, x := fix()
		ev, err := s.Evaluate(x)
		require.NoError(t, err)
		assert.Greater(t, ev.Probs[1], 0.99, name)
		assert.Less(t, ev.Ties, 0.5, name)
		assert.Less(t, ev.LastBucket, 1e-10, name)
		t.Logf("%s: P(class 1) = %.6f, Ties = %.3g, LastBucket = %.3g", name, ev.Probs[1], ev.Ties, ev.LastBucket)
	}
}
