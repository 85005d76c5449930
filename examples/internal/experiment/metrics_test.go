package experiment

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
)

func TestAccuracy(t *testing.T) {
	assert.Equal(t, 0.75, Accuracy([]int{0, 1, 1, 2}, []int{0, 1, 2, 2}), "3 of 4 equal")
	assert.Equal(t, 0.0, Accuracy([]int{1, 0}, []int{0, 1}))
	assert.Equal(t, 1.0, Accuracy([]int{4}, []int{4}))
	assert.True(t, math.IsNaN(Accuracy(nil, nil)), "no labels")
}

func TestClasses(t *testing.T) {
	certs := []rab.Certificate{{Class: 2, Radius: 1}, {Class: 0, Abstained: true}, {Class: 1}}
	assert.Equal(t, []int{2, 0, 1}, Classes(certs), "an abstaining certificate keeps its class")
	assert.Empty(t, Classes(nil))
}

// TestWorkersAndStage trains a 1-NN with the options the examples build from Workers
// and Stage and checks that certification reports its progress under the stage's
// name, and that the workers reach rab.
func TestWorkersAndStage(t *testing.T) {
	assert.Equal(t, runtime.GOMAXPROCS(0), Workers(0), "0: rab's default")
	assert.Equal(t, 3, Workers(3))
	assert.Nil(t, Stage(nil, "unused"), "no progress: no callback")

	ctx := context.Background()
	X := [][]float64{{0}, {1}, {5}, {6}}
	y := []int{0, 0, 1, 1}
	var stages []string
	var last [2]int
	report := func(stage string, done, total int) {
		stages = append(stages, stage)
		last = [2]int{done, total}
	}
	model, err := rab.Train(ctx, X, y, rab.WithWorkers(Workers(2)), rab.WithProgress(Stage(report, "certifying")), rab.WithKNN(1), rab.WithSigma(1))
	require.NoError(t, err)
	_, err = model.CertifyBatch(ctx, X)
	require.NoError(t, err)
	require.NotEmpty(t, stages)
	for _, s := range stages {
		assert.Equal(t, "certifying", s)
	}
	assert.Equal(t, [2]int{4, 4}, last, "the last report is 4 of 4 rows")

	_, err = rab.Train(ctx, X, y, rab.WithWorkers(Workers(-1)), rab.WithKNN(1), rab.WithSigma(1))
	assert.ErrorContains(t, err, "WithWorkers(-1)", "a negative worker count is passed on, not ignored")
}
