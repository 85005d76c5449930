package knnoracle

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestVoterSetsAgreeWithBruteForce: the distribution of the voter set gives the class
// probabilities of the direct enumeration for every labelling, and exactly K points
// vote (Σ_j m_j = K).
func TestVoterSetsAgreeWithBruteForce(t *testing.T) {
	p := [][]float64{{0.5, 0.3, 0.2}, {0.1, 0.6, 0.3}, {0.3, 0.3, 0.4}, {0.25, 0.25, 0.5}}
	for k := 1; k <= 4; k++ {
		sets := EnumerateVoterSets(p, k)
		var sum float64
		for _, m := range sets.Membership(4) {
			sum += m
		}
		assert.InDelta(t, float64(k), sum, 1e-12)
		ForEachRelabelling([]int{0, 1, 0, 2}, 3, 4, func(labels []int, _ int) {
			assert.InDeltaSlice(t, BruteForce(p, labels, k, 3), sets.Probabilities(labels, 3), 1e-12, "K = %d, labels %v", k, labels)
		})
	}
	// Point 0 certainly first: with K = 1 it always votes, the others never.
	assert.Equal(t, []float64{1, 0}, EnumerateVoterSets([][]float64{{1, 0}, {1, 0}}, 1).Membership(2))
}

// TestForEachRelabelling visits every labelling within r changes once:
// Σ_{k≤r} C(n, k)·(C−1)^k of them, each with its number of changes.
func TestForEachRelabelling(t *testing.T) {
	y := []int{0, 1, 2, 0, 1}
	seen := map[[5]int]int{}
	ForEachRelabelling(y, 3, 2, func(labels []int, changed int) {
		var key [5]int
		diff := 0
		for j, v := range labels {
			key[j] = v
			if v != y[j] {
				diff++
			}
		}
		assert.Equal(t, diff, changed)
		seen[key]++
	})
	assert.Len(t, seen, 1+5*2+10*4)
	for key, n := range seen {
		assert.Equal(t, 1, n, "%v", key)
	}
}
