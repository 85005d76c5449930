package ensemble_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
)

// thresholds returns n threshold models with cuts −1 … 1 voting class 1 above the cut.
func thresholds(n int) []ensemble.Model {
	models := make([]ensemble.Model, n)
	for k := range models {
		models[k] = &thresholdModel{cut: -1 + 2*float64(k)/float64(n-1), class: 1}
	}
	return models
}

// TestVotesMatchHandComputation compares the counts with a direct evaluation of
// Σ_k [h_k(x + u_k) = c], u_k drawn as documented, on a batch spanning several blocks
// of rows, and checks Votes against VotesBatch.
func TestVotesMatchHandComputation(t *testing.T) {
	noise := gaussian(t, 0.5)
	models := thresholds(40)
	e, err := ensemble.FromModels(models, noise, 2)
	require.NoError(t, err)
	X := make([][]float64, 600) // 3 blocks of 256 rows
	for i := range X {
		X[i] = []float64{-1.5 + 3*float64(i)/600, 7}
	}
	got := votes(t, e, X)
	plain := votes(t, e.WithoutTestNoise(), X)
	for i, x := range X {
		want, wantPlain := make([]int, 2), make([]int, 2)
		for _, m := range models {
			data, _ := m.MarshalBinary()
			rng := smoothing.Stream(smoothing.SeedFromModel(data), 0)
			u0 := noise.Sample(rng) // u_k[0]; u_k[1] does not matter to a threshold on x[0]
			cut := m.(*thresholdModel).cut
			want[b2i(x[0]+u0 > cut)]++
			wantPlain[b2i(x[0] > cut)]++
		}
		require.Equal(t, want, got[i], "row %d", i)
		require.Equal(t, wantPlain, plain[i], "row %d without test noise", i)
	}
	single, err := e.Votes(context.Background(), X[123])
	require.NoError(t, err)
	assert.Equal(t, got[123], single)
	assert.NotEqual(t, got, plain, "test-time noise must change some votes")
	for _, workers := range []int{1, 3} {
		view := e.WithVoteWorkers(workers)
		assert.Equal(t, got, votes(t, view, X), "%d vote workers", workers)
		assert.Equal(t, plain, votes(t, view.WithoutTestNoise(), X), "%d vote workers without test noise", workers)
	}
	for _, X := range [][][]float64{nil, {}} { // issue 11 (5): an empty batch is an error
		empty, err := e.VotesBatch(context.Background(), X)
		require.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.EqualError(t, err, "ensemble: votes: no inputs: X has no rows; pass at least one input")
		assert.Nil(t, empty)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestVotesSumToN(t *testing.T) {
	e, X := trainBlobs(t)
	for i, counts := range votes(t, e, X) {
		sum := 0
		for _, n := range counts {
			sum += n
		}
		require.Equal(t, e.Len(), sum, "row %d", i)
	}
}

func TestVotesRejectBadInput(t *testing.T) {
	e, _ := trainBlobs(t)
	ctx := context.Background()
	_, err := e.Votes(ctx, []float64{1, 2, 3})
	assert.ErrorContains(t, err, "inputs have 3 features, the ensemble's members take 4")
	_, err = e.Votes(ctx, []float64{1, math.NaN(), 3, 4})
	assert.ErrorContains(t, err, "must be finite")
	_, err = e.Votes(ctx, nil)
	assert.ErrorContains(t, err, "empty data")
	_, err = e.VotesBatch(ctx, [][]float64{{1, 2, 3, 4}, {1, 2}})
	assert.ErrorContains(t, err, "row 1: 2 features, row 0 has 4")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = e.Votes(cancelled, []float64{1, 2, 3, 4})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestVotesRejectOutOfRangeClass(t *testing.T) {
	models := thresholds(10)
	models[6] = &thresholdModel{cut: -10, class: 5}
	e, err := ensemble.FromModels(models, gaussian(t, 0.1), 2)
	require.NoError(t, err)
	_, err = e.Votes(context.Background(), []float64{0})
	assert.ErrorContains(t, err, "member 6: predicted class 5 for input 0: want a class in [0, 2)")
	models[6] = &thresholdModel{cut: -10, class: -1}
	e, err = ensemble.FromModels(models, gaussian(t, 0.1), 2)
	require.NoError(t, err)
	_, err = e.VotesBatch(context.Background(), [][]float64{{0}, {1}})
	assert.ErrorContains(t, err, "member 6: predicted class -1")
}

// TestFromModelsDimension: without Dimensioned members the first vote fixes the input
// dimension, and u_k does not depend on when it was drawn.
func TestFromModelsDimension(t *testing.T) {
	noise := gaussian(t, 1)
	lazy, err := ensemble.FromModels(thresholds(5), noise, 2)
	require.NoError(t, err)
	assert.Equal(t, 0, lazy.Dim())
	x := []float64{0.1, 0.2, 0.3}
	first, err := lazy.Votes(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, 3, lazy.Dim())
	_, err = lazy.Votes(context.Background(), []float64{0.1, 0.2})
	assert.ErrorContains(t, err, "inputs have 2 features, the ensemble's members take 3")

	// Saved before any vote: the dimension is still open after Load.
	fresh, err := ensemble.FromModels(thresholds(5), noise, 2)
	require.NoError(t, err)
	loaded, err := ensemble.Load(bytesReader(saved(t, fresh)))
	require.NoError(t, err)
	assert.Equal(t, 0, loaded.Dim())
	again, err := loaded.Votes(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	dims := []ensemble.Model{dimModel{plainModel{id: 1}, 4}, plainModel{}, dimModel{plainModel{id: 3}, 4}}
	e, err := ensemble.FromModels(dims, noise, 2)
	require.NoError(t, err)
	assert.Equal(t, 4, e.Dim())
	dims[1] = dimModel{plainModel{id: 2}, 5}
	_, err = ensemble.FromModels(dims, noise, 2)
	assert.ErrorContains(t, err, "member 1 takes inputs of dimension 5, but the ensemble's inputs have dimension 4")
	_, err = ensemble.FromModels([]ensemble.Model{dimModel{dim: -1}}, noise, 2)
	assert.ErrorContains(t, err, "member 0 reports input dimension -1")
}

func TestFromModelsRejectsBadInput(t *testing.T) {
	noise := gaussian(t, 1)
	_, err := ensemble.FromModels(nil, noise, 2)
	assert.ErrorContains(t, err, "no models")
	_, err = ensemble.FromModels([]ensemble.Model{plainModel{}, nil}, noise, 2)
	assert.ErrorContains(t, err, "model 1 is nil")
	_, err = ensemble.FromModels([]ensemble.Model{plainModel{fail: true}}, noise, 2)
	assert.ErrorContains(t, err, "model 0: MarshalBinary")
	_, err = ensemble.FromModels([]ensemble.Model{plainModel{}}, noise, 1)
	assert.ErrorContains(t, err, "1 classes: want 2 to 1048576")
	_, err = ensemble.FromModels([]ensemble.Model{plainModel{}}, noise, ensemble.MaxClasses+1)
	assert.ErrorContains(t, err, "1048577 classes")
	_, err = ensemble.FromModels([]ensemble.Model{plainModel{}}, smoothing.Noise{}, 2)
	assert.ErrorIs(t, err, smoothing.ErrZeroNoise)
}

// TestConcurrentVotes runs VotesBatch from several goroutines on one ensemble of
// models that detect concurrent use; run with -race.
func TestConcurrentVotes(t *testing.T) {
	e, err := ensemble.FromModels(thresholds(30), gaussian(t, 1), 2)
	require.NoError(t, err)
	X := [][]float64{{0}, {0.5}, {-0.5}}
	want := votes(t, e, X)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := e.VotesBatch(context.Background(), X)
			if err == nil && !assert.ObjectsAreEqual(want, got) {
				err = assert.AnError
			}
			errs <- err
		}()
	}
	for range 8 {
		assert.NoError(t, <-errs)
	}
}

// panicModel panics on every Predict; lazyModel returns without writing predictions.
type panicModel struct{ plainModel }

func (panicModel) Predict([][]float64, []int) error { panic("boom") }

type lazyModel struct{ plainModel }

func (lazyModel) Predict([][]float64, []int) error { return nil }

// TestFaultyMembersFailTheCall checks that a member that panics or writes no
// predictions fails the vote with its index — on every call, without deadlocking on the
// member's lock or counting another member's votes — and that repeated models are
// rejected, since counting one model twice would over-claim.
func TestFaultyMembersFailTheCall(t *testing.T) {
	noise := gaussian(t, 0.5)
	first := &thresholdModel{cut: -100, class: 1}
	for name, faulty := range map[string]ensemble.Model{
		"panics":         panicModel{plainModel{id: 1}},
		"writes nothing": lazyModel{plainModel{id: 2}},
	} {
		e, err := ensemble.FromModels([]ensemble.Model{first, faulty}, noise, 2)
		require.NoError(t, err)
		for _, workers := range []int{1, 2} {
			for range 2 { // a second call must not block on the first one's lock
				_, err := e.WithVoteWorkers(workers).Votes(context.Background(), []float64{0})
				require.Error(t, err, name)
				assert.Contains(t, err.Error(), "member 1", name)
			}
		}
	}
	_, err := ensemble.FromModels([]ensemble.Model{first, &thresholdModel{cut: 1, class: 1}, first}, noise, 2)
	assert.ErrorContains(t, err, "members 0 and 2 have identical bytes")

	X, y := blobs(5, 2, 2, 7)
	same := &thresholdModel{class: 1}
	learner := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) { return same, nil })
	_, err = ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(3))
	assert.ErrorContains(t, err, "identical bytes")
	panicky := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) { panic("fit boom") })
	_, err = ensemble.Train(context.Background(), X, y, panicky, noise, ensemble.WithModels(3), ensemble.WithWorkers(2))
	assert.ErrorContains(t, err, "panic: fit boom")
}
