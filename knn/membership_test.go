package knn

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/knnoracle"
)

// flipCases are the oracle cases of the label-flip tests: those of oracleCases
// (n ≤ 5) and 12 more with 6 to 8 points and few levels (L^n ≤ 6561 assignments), in
// whose second repetition the last point lies 12σ from the input and the last
// finite edge at 60σ², so that the near points lie below it and the far one, too
// far to be among the relevant points, beyond.
func flipCases() []oracleCase {
	extra := drawOracleCases(rand.New(rand.NewPCG(3, 4)), []oracleShape{
		{6, 2, 4, 2}, {7, 2, 3, 3}, {8, 1, 3, 2}, {8, 2, 3, 3},
	})
	for i := 1; i < len(extra); i += 3 {
		tc := &extra[i]
		far := append([]float64(nil), tc.x...)
		far[0] += 12 * tc.sigma
		tc.X[tc.n-1] = far
		tc.edges[len(tc.edges)-1] = 60 * tc.sigma * tc.sigma
		tc.p = knnoracle.BucketProbs(tc.X, tc.x, tc.sigma, tc.edges)
	}
	return append(oracleCases(), extra...)
}

// TestMembershipOracle checks EvaluateWithMembership against the enumeration of all
// bucket assignments: every m_j within the reported bound (listed points) or below it
// (points cut), at the default tolerance and at 1e-3, where the truncations are large
// enough to test the bound; the class probabilities and diagnostics are Evaluate's,
// bit for bit.
func TestMembershipOracle(t *testing.T) {
	var maxRatio, largest float64
	cut := 0 // cases in which some point was not listed
	for _, tc := range flipCases() {
		for _, k := range []int{1, 2, 3} {
			sets := knnoracle.EnumerateVoterSets(tc.p, k)
			want := sets.Membership(tc.n)
			for _, tol := range []float64{DefaultTolerance, 1e-3} {
				msg := []any{"n=%d L=%d C=%d K=%d tol=%g", tc.n, tc.levels, tc.classes, k, tol}
				s, err := New(tc.X, tc.y, WithSigma(tc.sigma), WithK(k), WithClasses(tc.classes), WithEdges(tc.edges), WithTolerance(tol))
				require.NoError(t, err)
				ev, err := s.EvaluateWithMembership(tc.x)
				require.NoError(t, err)
				plain, err := s.Evaluate(tc.x)
				require.NoError(t, err)
				require.NotNil(t, ev.Membership)
				mb := ev.Membership
				ev.Membership = nil
				assert.Equal(t, plain, ev, msg...)

				require.Len(t, mb.Probs, len(mb.Index))
				listed := make(map[int]float64)
				for i, j := range mb.Index {
					if i > 0 {
						assert.Less(t, mb.Index[i-1], j, "Index increases")
					}
					listed[j] = mb.Probs[i]
				}
				if len(listed) < tc.n {
					cut++
				}
				if tol == DefaultTolerance {
					assert.Less(t, mb.ErrBound, 1e-10, msg...)
				}
				for j, m := range want {
					largest = max(largest, m)
					got := listed[j] // 0 for a point cut
					if tol == DefaultTolerance {
						assert.InDelta(t, m, got, 1e-9, msg...)
					}
					assert.LessOrEqual(t, math.Abs(m-got), mb.ErrBound+1e-15, msg...)
					maxRatio = max(maxRatio, math.Abs(m-got)/mb.ErrBound)
				}
			}
		}
	}
	t.Logf("largest m_j %.3g; %d evaluations cut points; max |error|/bound %.3g", largest, cut, maxRatio)
	assert.Greater(t, largest, 0.99)
	assert.Greater(t, cut, 0, "the cases exercise the bound on the points cut")
}

// TestFlipBoundOracle checks the argument of doc.go's "Label flips" by enumeration:
// for every labelling that changes at most r rows, the exact class probabilities
// (knnoracle, on the relabelled set) differ from the original ones by at most
// FlipBound(r), computed from the original set alone. The largest shifts come close
// to the bound (for K = 1 and two classes, relabelling the point most likely to vote
// moves the probabilities by its m_j), so a bound too small would fail.
func TestFlipBoundOracle(t *testing.T) {
	var closest float64 // the largest shift/bound ratio seen
	labellings := 0
	for _, tc := range flipCases() {
		for _, k := range []int{1, 2, 3} {
			sets := knnoracle.EnumerateVoterSets(tc.p, k)
			base := sets.Probabilities(tc.y, tc.classes)
			for _, tol := range []float64{DefaultTolerance, 1e-3} {
				s, err := New(tc.X, tc.y, WithSigma(tc.sigma), WithK(k), WithClasses(tc.classes), WithEdges(tc.edges), WithTolerance(tol))
				require.NoError(t, err)
				ev, err := s.EvaluateWithMembership(tc.x)
				require.NoError(t, err)
				const r = 3
				bounds := ev.Membership.FlipBounds(r)
				require.Len(t, bounds, r)
				assert.Equal(t, 0.0, ev.Membership.FlipBound(0))
				for i, b := range bounds {
					assert.Equal(t, b, ev.Membership.FlipBound(i+1))
					assert.LessOrEqual(t, b, 1.0)
					if i > 0 {
						assert.GreaterOrEqual(t, b, bounds[i-1], "non-decreasing in r")
					}
				}
				knnoracle.ForEachRelabelling(tc.y, tc.classes, r, func(labels []int, changed int) {
					if changed == 0 {
						return
					}
					labellings++
					got := sets.Probabilities(labels, tc.classes)
					for c := range got {
						shift := math.Abs(got[c] - base[c])
						assert.LessOrEqual(t, shift, bounds[changed-1]+1e-12,
							"n=%d L=%d C=%d K=%d tol=%g labels %v class %d", tc.n, tc.levels, tc.classes, k, tol, labels, c)
						closest = max(closest, shift/bounds[changed-1])
					}
				})
			}
		}
	}
	t.Logf("%d relabellings; largest shift/M_r = %.4f", labellings, closest)
	assert.Greater(t, closest, 0.999, "some relabelling attains the bound")
}

// TestMembershipSumsToK: exactly K points vote, so Σ_j m_j = K, for every bucket pass
// (K = 1, two classes, more classes) on data larger than the oracle's; each m_j errs
// by at most ErrBound.
func TestMembershipSumsToK(t *testing.T) {
	rng := newRand(41)
	for _, tc := range []struct{ n, classes, k int }{{60, 2, 1}, {60, 2, 3}, {60, 2, 4}, {60, 3, 3}, {60, 10, 5}, {200, 4, 2}, {6, 2, 6}} {
		X, y := randomData(rng, tc.n, 3, tc.classes, 1)
		s, err := New(X, y, WithSigma(0.6), WithK(tc.k), WithClasses(tc.classes))
		require.NoError(t, err)
		for range 3 {
			x := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
			ev, err := s.EvaluateWithMembership(x)
			require.NoError(t, err)
			mb := ev.Membership
			var sum float64
			for _, p := range mb.Probs {
				sum += p
			}
			msg := []any{"n=%d C=%d K=%d", tc.n, tc.classes, tc.k}
			assert.InDelta(t, float64(tc.k), sum, float64(tc.n)*mb.ErrBound, msg...)
			assert.InDelta(t, float64(tc.k), sum, 1e-9, msg...)
			if tc.k == tc.n { // every point votes
				assert.Equal(t, 1.0, mb.FlipBound(1), msg...)
			}
		}
	}
}

// TestMembershipBatch: the batch gives the single evaluations' results for any number
// of workers, and Evaluate carries no membership.
func TestMembershipBatch(t *testing.T) {
	sp := loadSpambase(t)
	X := sp.testX[:12]
	var first []Evaluation
	for _, workers := range []int{1, 3} {
		s, err := New(sp.trainX, sp.trainY, WithSigma(0.5), WithK(3), WithWorkers(workers))
		require.NoError(t, err)
		evs, err := s.EvaluateBatchWithMembership(context.Background(), X)
		require.NoError(t, err)
		if first == nil {
			first = evs
			for i, x := range X {
				one, err := s.EvaluateWithMembership(x)
				require.NoError(t, err)
				assert.Equal(t, one, evs[i])
				plain, err := s.Evaluate(x)
				require.NoError(t, err)
				assert.Nil(t, plain.Membership)
				var sum float64
				for _, p := range one.Membership.Probs {
					sum += p
				}
				assert.InDelta(t, 3, sum, 1e-9)
				assert.Less(t, one.Membership.ErrBound, 1e-10)
			}
			continue
		}
		assert.Equal(t, first, evs, "workers = %d", workers)
	}
}
