package ensemble_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
)

// TestEstimateNeedsEnoughMembers: at α = 0.001 with 2 classes, a unanimous vote of N
// certifies iff (α/2)^(1/N) > 1/2 (one lower bound at level α/2), i.e.
// N > log₂(2000) ≈ 10.97: 11 members are needed (bound.MinVotes documents the closed
// form).
func TestEstimateNeedsEnoughMembers(t *testing.T) {
	require.Equal(t, 11, bound.MinVotes(0.001, 2))
	x := []float64{5}
	few, err := ensemble.FromModels(thresholds(10), gaussian(t, 0.1), 2)
	require.NoError(t, err)
	_, err = few.Estimate(context.Background(), x, 0.001)
	assert.ErrorContains(t, err, "N = 10 members can only ever abstain at α = 0.001 with 2 classes: train at least N = 11")

	enough, err := ensemble.FromModels(thresholds(11), gaussian(t, 0.1), 2)
	require.NoError(t, err)
	est, err := enough.Estimate(context.Background(), x, 0.001)
	require.NoError(t, err)
	want, err := bound.Estimate([]int{0, 11}, 0.001)
	require.NoError(t, err)
	assert.Equal(t, want, est)
	assert.False(t, est.Abstain)
	assert.Equal(t, 1, est.Class)

	for _, alpha := range []float64{0, 1, -0.1} {
		_, err = enough.Estimate(context.Background(), x, alpha)
		assert.ErrorContains(t, err, "want 0 < α < 1")
	}
	_, err = enough.Estimate(context.Background(), []float64{1, 2}, 0.01)
	assert.ErrorContains(t, err, "inputs have 2 features")
	hoeffding, err := enough.Estimate(context.Background(), x, 0.001, bound.WithHoeffding())
	require.NoError(t, err)
	assert.True(t, hoeffding.Abstain, "Hoeffding needs N > 2·ln(2000) ≈ 15.2")
}
