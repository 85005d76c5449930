package experiment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/internal/dataset"
)

// smallTrain has 10 rows (0.9, i/10) with labels i mod 2.
func smallTrain() dataset.Set {
	s := dataset.Set{Classes: 2}
	for i := range 10 {
		s.X = append(s.X, []float64{0.9, float64(i) / 10})
		s.Y = append(s.Y, i%2)
	}
	return s
}

// TestScenarios poisons r = ⌊0.2·10⌋ = 2 of the five rows of label 1 with δ = 0.5 on
// feature 0, clipped to [0, 1]: feature 0 becomes 1 (0.1 added) and the label the
// target 0; every other row is an unchanged copy.
func TestScenarios(t *testing.T) {
	train := smallTrain()
	p, err := attack.OnePixelFeatures(2, 0, 0.5)
	require.NoError(t, err)
	a := Attack{Patterns: []attack.Pattern{p}, Norm: 0.5, Rate: 0.2, Target: 0, Seed: 3, Clip: &Range{Lo: 0, Hi: 1}}
	scenarios, err := a.Scenarios(train, true)
	require.NoError(t, err)
	require.Len(t, scenarios, 2)

	clean := scenarios[0]
	assert.Equal(t, "clean", clean.Name)
	assert.Equal(t, train.X, clean.X)
	assert.Equal(t, train.Y, clean.Y)
	assert.Nil(t, clean.Poisoned)

	s := scenarios[1]
	assert.Equal(t, "one-pixel", s.Name)
	assert.Equal(t, p, s.Pattern)
	require.NotNil(t, s.Poisoned)
	assert.Equal(t, 2, s.Poisoned.R)
	assert.InDelta(t, 0.1, s.Poisoned.MaxNorm, 1e-12, "clipping leaves 1 − 0.9 of δ")
	poisoned := map[int]bool{}
	for _, i := range s.Poisoned.Indices {
		poisoned[i] = true
		assert.Equal(t, 1, train.Y[i], "only rows not of the target are poisoned")
		assert.Equal(t, []float64{1, float64(i) / 10}, s.X[i])
		assert.Equal(t, 0, s.Y[i])
	}
	for i := range train.X {
		if !poisoned[i] {
			assert.Equal(t, train.X[i], s.X[i], "row %d", i)
			assert.Equal(t, train.Y[i], s.Y[i], "row %d", i)
		}
	}
	assert.Equal(t, smallTrain(), train, "the training set is not modified")

	without, err := a.Scenarios(train, false)
	require.NoError(t, err)
	require.Len(t, without, 1)
	assert.Equal(t, s.Poisoned, without[0].Poisoned, "the same seed poisons the same rows")

	a.Names = []string{"corner"}
	named, err := a.Scenarios(train, false)
	require.NoError(t, err)
	assert.Equal(t, "corner", named[0].Name)
	assert.Equal(t, s.Poisoned, named[0].Poisoned)

	a.Rate = 0.05
	_, err = a.Scenarios(train, true)
	assert.ErrorContains(t, err, "poisons no row", "⌊0.05·10⌋ = 0")
}
