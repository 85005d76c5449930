package rab

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/buildcheck"
)

// TestMisplacedOptionsDoNotCompile: training options given to Load or FromEnsemble,
// and LoadOptions given to Train or Certify, are compile errors (testdata/misplaced,
// which also shows that the certification options compile everywhere).
func TestMisplacedOptionsDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildcheck.Expect(t, "testdata/misplaced")
}

// TestOptionsOfTheOtherSmootherAreErrors: what the types cannot tell — an option of
// one smoother given to the other's Train — is an error naming the option, before any
// work.
func TestOptionsOfTheOtherSmootherAreErrors(t *testing.T) {
	X, y := blobs(10, 12)
	learner := newCountingLearner(t)
	knn := []Option{WithKNN(3), WithSigma(1)}
	ens := []Option{WithSigma(1), WithModels(20), WithAlpha(0.1), WithLearner(learner)}
	cases := []struct {
		opts []Option
		want string
	}{
		{append(ens, WithLevels(10)), "rab: Train: WithLevels(10) configures the exact K-NN smoother: add WithKNN(k) or drop it"},
		{append(ens, WithEdges([]float64{1, 2})), "rab: Train: WithEdges(2 edges) configures the exact K-NN smoother: add WithKNN(k) or drop it"},
		{append(knn, WithModels(50)), "rab: Train: WithModels(50) configures ensembles; the exact K-NN smoother (WithKNN) trains no models: drop it or WithKNN"},
		{append(knn, WithLearner(learner)), "rab: Train: WithLearner(*rab.countingLearner) configures ensembles; the exact K-NN smoother (WithKNN) trains no models: drop it or WithKNN"},
		{append(knn, WithSeed(4)), "rab: Train: WithSeed(4) configures ensembles; the exact K-NN smoother (WithKNN) trains no models: drop it or WithKNN"},
		{append(knn, WithUniform(-1, 1)), "rab: Train: WithUniform(-1, 1) with WithKNN: the exact K-NN smoother needs Gaussian noise; use WithSigma"},
		{append(knn, WithAlpha(0.01)), "rab: Train: WithAlpha(0.01) with WithKNN: α is the error probability of ensemble certificates; the exact K-NN smoother's are exact: drop WithAlpha"},
		{append(knn, WithLevels(10), WithEdges([]float64{1})), "rab: Train: both WithLevels and WithEdges given: WithEdges fixes L = len(edges) + 1; drop one"},
	}
	for _, c := range cases {
		_, err := Train(context.Background(), X, y, c.opts...)
		assert.ErrorIs(t, err, ErrInvalidInput, c.want)
		assert.EqualError(t, err, c.want)
		_, err = Certify(context.Background(), X, y, X, c.opts...)
		assert.ErrorContains(t, err, "rab: Certify: ", c.want)
	}
	assert.Zero(t, learner.fits.Load(), "validation must happen before any model is trained")
}

// TestLoadRejectsAlphaForKNN: α does not apply to a loaded K-NN model; the error says
// so instead of ignoring it.
func TestLoadRejectsAlphaForKNN(t *testing.T) {
	X, y := blobs(10, 13)
	m, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), WithLevels(20))
	require.NoError(t, err)
	_, err = Load(saved(t, m), WithAlpha(0.01))
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: Load: WithAlpha(0.01): the file holds an exact K-NN model, whose certificates do not depend on α: drop WithAlpha")
	_, err = Load(saved(t, m), WithWorkers(1), WithProgress(func(int, int) {}))
	assert.NoError(t, err)
}

func TestDefaultsAreTheOwnersConstants(t *testing.T) {
	cfg := defaultConfig()
	assert.Equal(t, ensemble.DefaultModels, cfg.models)
	assert.Equal(t, 200, DefaultLevels)
	assert.Equal(t, 1000, DefaultModels)
	assert.Equal(t, DefaultLevels, cfg.levels)
	assert.Equal(t, DefaultAlpha, cfg.alpha)
}
