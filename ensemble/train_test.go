package ensemble_test

import (
	"context"
	"errors"
	"io"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
)

// TestTrainIsIndependentOfWorkers: the same seed gives bit-identical members (hence
// identical saved files) and identical votes with 1, 2 and 5 workers.
func TestTrainIsIndependentOfWorkers(t *testing.T) {
	one, X := trainBlobs(t, ensemble.WithWorkers(1))
	for _, w := range []int{2, 5} {
		other, _ := trainBlobs(t, ensemble.WithWorkers(w))
		assert.Equal(t, saved(t, one), saved(t, other), "%d workers", w)
		assert.Equal(t, votes(t, one, X), votes(t, other, X), "%d workers", w)
	}
	third, _ := trainBlobs(t, ensemble.WithSeed(8))
	assert.NotEqual(t, saved(t, one), saved(t, third), "another seed must give other members")
}

// TestMemberFollowsAlgorithm1 rebuilds member k and its vote by hand from the documented
// recipe: noise from smoothing.Stream(seed, k), fit seed = the stream's next draw,
// u_k from smoothing.Stream(SeedFromModel(bytes), 0).
func TestMemberFollowsAlgorithm1(t *testing.T) {
	X, y := blobs(20, 4, 3, 1)
	noise := gaussian(t, 1)
	e, err := ensemble.Train(context.Background(), X, y, newLogistic(t), noise, ensemble.WithModels(12), ensemble.WithSeed(7))
	require.NoError(t, err)
	const k = 5
	rng := smoothing.Stream(7, k)
	noisy, err := noise.PerturbData(rng, X)
	require.NoError(t, err)
	want, err := newLogistic(t).Fit(context.Background(), noisy, y, 3, rng.Uint64())
	require.NoError(t, err)
	wantBytes, _ := want.MarshalBinary()
	gotBytes, _ := e.Models()[k].MarshalBinary()
	assert.Equal(t, wantBytes, gotBytes)

	// Vote of member k on x: h_k(x + u_k).
	x := []float64{0.3, -2, 1, 0.5}
	u := make([]float64, len(x))
	urng := smoothing.Stream(smoothing.SeedFromModel(wantBytes), 0)
	for j := range u {
		u[j] = noise.Sample(urng)
	}
	shifted := make([]float64, len(x))
	for j := range x {
		shifted[j] = x[j] + u[j]
	}
	pred := make([]int, 1)
	require.NoError(t, want.Predict([][]float64{shifted}, pred))
	single, err := ensemble.FromModels([]ensemble.Model{want}, noise, 3)
	require.NoError(t, err)
	counts, err := single.Votes(context.Background(), x)
	require.NoError(t, err)
	wantCounts := make([]int, 3)
	wantCounts[pred[0]] = 1
	assert.Equal(t, wantCounts, counts)
}

// TestFitSeedIsTheStreamsNextDraw: the seed passed to Fit is the draw that follows the
// training noise in smoothing.Stream(seed, k).
func TestFitSeedIsTheStreamsNextDraw(t *testing.T) {
	X, y := blobs(3, 2, 2, 2)
	noise := gaussian(t, 0.5)
	want := make(map[uint64]bool)
	for k := range 4 {
		rng := smoothing.Stream(11, k)
		_, err := noise.PerturbData(rng, X)
		require.NoError(t, err)
		want[rng.Uint64()] = true
	}
	got := make(chan uint64, 4)
	learner := learnerFunc(func(_ context.Context, _ [][]float64, _ []int, _ int, seed uint64) (ensemble.Model, error) {
		got <- seed
		return &thresholdModel{cut: float64(seed), class: 1}, nil
	})
	_, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(4), ensemble.WithSeed(11))
	require.NoError(t, err)
	close(got)
	for seed := range got {
		assert.True(t, want[seed], "unexpected fit seed %d", seed)
		delete(want, seed)
	}
	assert.Empty(t, want)
}

func TestTrainRejectsBadInput(t *testing.T) {
	X, y := blobs(3, 2, 2, 3)
	l := newLogistic(t)
	noise := gaussian(t, 1)
	cases := map[string]struct {
		X     [][]float64
		y     []int
		l     ensemble.BaseLearner
		noise smoothing.Noise
		opts  []ensemble.Option
		want  string
	}{
		"empty":            {nil, nil, l, noise, nil, "empty data"},
		"empty rows":       {[][]float64{{}}, []int{0}, l, noise, []ensemble.Option{ensemble.WithClasses(2)}, "empty data"},
		"ragged":           {[][]float64{{1, 2}, {3}}, []int{0, 1}, l, noise, nil, "row 1: 1 features, row 0 has 2"},
		"NaN":              {[][]float64{{1, math.NaN()}, {3, 4}}, []int{0, 1}, l, noise, nil, "must be finite"},
		"Inf":              {[][]float64{{1, 2}, {math.Inf(-1), 4}}, []int{0, 1}, l, noise, nil, "must be finite"},
		"too few labels":   {X, y[1:], l, noise, nil, "labels for"},
		"too many labels":  {X[1:], y, l, noise, nil, "labels for"},
		"negative label":   {X, append([]int{-1}, y[1:]...), l, noise, nil, "row 0: label -1 is outside"},
		"label ≥ classes":  {X, y, l, noise, []ensemble.Option{ensemble.WithClasses(1)}, "WithClasses(1)"},
		"label outside C":  {X, append([]int{5}, y[1:]...), l, noise, []ensemble.Option{ensemble.WithClasses(2)}, "row 0: label 5 is outside [0, 2)"},
		"one class":        {X, make([]int, len(X)), l, noise, nil, "set WithClasses"},
		"no members":       {X, y, l, noise, []ensemble.Option{ensemble.WithModels(0)}, "WithModels(0)"},
		"too many members": {X, y, l, noise, []ensemble.Option{ensemble.WithModels(1 << 40)}, "want 1 to 1048576 members"},
		"no workers":       {X, y, l, noise, []ensemble.Option{ensemble.WithWorkers(0)}, "WithWorkers(0)"},
		"nil learner":      {X, y, nil, noise, nil, "nil learner"},
		"zero noise":       {X, y, l, smoothing.Noise{}, nil, "zero Noise"},
	}
	for name, c := range cases {
		calls := 0
		opts := append([]ensemble.Option{ensemble.WithModels(2), ensemble.WithProgress(func(int, int) { calls++ })}, c.opts...)
		_, err := ensemble.Train(context.Background(), c.X, c.y, c.l, c.noise, opts...)
		assert.ErrorContains(t, err, c.want, name)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput, name)
		assert.NotErrorIs(t, err, ensemble.ErrCorrupt, name)
		assert.Zero(t, calls, "%s: validation must come before any work", name)
	}
	// WithClasses allows classes absent from y.
	e, err := ensemble.Train(context.Background(), X, make([]int, len(X)), l, noise, ensemble.WithModels(2), ensemble.WithClasses(3))
	require.NoError(t, err)
	assert.Equal(t, 3, e.Classes())
}

func TestTrainReportsFailedMember(t *testing.T) {
	X, y := blobs(3, 2, 2, 4)
	noise := gaussian(t, 1)
	rng := smoothing.Stream(3, 7)
	_, err := noise.PerturbData(rng, X)
	require.NoError(t, err)
	seven := rng.Uint64()
	boom := errors.New("boom")
	learner := learnerFunc(func(_ context.Context, _ [][]float64, _ []int, _ int, seed uint64) (ensemble.Model, error) {
		if seed == seven {
			return nil, boom
		}
		return &thresholdModel{class: 1}, nil
	})
	for _, workers := range []int{1, 2} {
		_, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(20), ensemble.WithSeed(3), ensemble.WithWorkers(workers))
		assert.ErrorIs(t, err, boom)
		assert.ErrorContains(t, err, "member 7:")
	}
	nilModel := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) { return nil, nil })
	_, err = ensemble.Train(context.Background(), X, y, nilModel, noise, ensemble.WithModels(1))
	assert.ErrorContains(t, err, "member 0: learner returned a nil Model")
	wrongDim := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) {
		return dimModel{dim: 5}, nil
	})
	_, err = ensemble.Train(context.Background(), X, y, wrongDim, noise, ensemble.WithModels(1))
	assert.ErrorContains(t, err, "input dimension 5 for training data of dimension 2")
	unmarshalable := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) {
		return plainModel{fail: true}, nil
	})
	_, err = ensemble.Train(context.Background(), X, y, unmarshalable, noise, ensemble.WithModels(1))
	assert.ErrorContains(t, err, "member 0: MarshalBinary: plain: cannot marshal")
}

// TestTrainStopsWhenCancelled cancels after 3 of 1,000 members: Train must return the
// context's error promptly, without training the rest.
func TestTrainStopsWhenCancelled(t *testing.T) {
	X, y := blobs(50, 4, 3, 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var trained atomic.Int64
	progress := func(done, total int) {
		trained.Store(int64(done))
		if done == 3 {
			cancel()
		}
	}
	start := time.Now()
	e, err := ensemble.Train(ctx, X, y, newLogistic(t), gaussian(t, 1), ensemble.WithModels(1000), ensemble.WithWorkers(2), ensemble.WithProgress(progress))
	assert.Nil(t, e)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "of 1000 members")
	assert.Less(t, trained.Load(), int64(10))
	assert.Less(t, time.Since(start), 5*time.Second)

	// A learner that honours ctx is interrupted in the middle of a fit.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	slow := learnerFunc(func(ctx context.Context, _ [][]float64, _ []int, _ int, _ uint64) (ensemble.Model, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	_, err = ensemble.Train(ctx, X, y, slow, gaussian(t, 1), ensemble.WithModels(4))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotRegexp(t, `member \d+:`, err.Error(), "a cancelled fit is not a failed member")
}

// TestProgressIsSerialAndMonotone: progress runs 1, 2, …, N with total N, never two
// calls at once.
func TestProgressIsSerialAndMonotone(t *testing.T) {
	var inside atomic.Bool
	var seen []int
	progress := func(done, total int) {
		if !inside.CompareAndSwap(false, true) {
			t.Error("concurrent progress calls")
		}
		assert.Equal(t, 30, total)
		seen = append(seen, done)
		time.Sleep(100 * time.Microsecond)
		inside.Store(false)
	}
	X, y := blobs(5, 2, 2, 6)
	learner := learnerFunc(func(_ context.Context, _ [][]float64, _ []int, _ int, seed uint64) (ensemble.Model, error) {
		return &thresholdModel{cut: float64(seed), class: 1}, nil
	})
	_, err := ensemble.Train(context.Background(), X, y, learner, gaussian(t, 1), ensemble.WithModels(30), ensemble.WithWorkers(4), ensemble.WithProgress(progress))
	require.NoError(t, err)
	want := make([]int, 30)
	for i := range want {
		want[i] = i + 1
	}
	assert.Equal(t, want, seen)
}

func TestTrainDoesNotModifyInput(t *testing.T) {
	X, y := blobs(5, 3, 2, 7)
	Xc := make([][]float64, len(X))
	for i := range X {
		Xc[i] = append([]float64(nil), X[i]...)
	}
	yc := append([]int(nil), y...)
	_, err := ensemble.Train(context.Background(), X, y, newLogistic(t), gaussian(t, 1), ensemble.WithModels(3))
	require.NoError(t, err)
	assert.Equal(t, Xc, X)
	assert.Equal(t, yc, y)
}

func TestAccessors(t *testing.T) {
	e, _ := trainBlobs(t)
	assert.Equal(t, 12, e.Len())
	assert.Equal(t, 3, e.Classes())
	assert.Equal(t, uint64(7), e.Seed())
	assert.Equal(t, 4, e.Dim())
	assert.Equal(t, "N(0, 1²I)", e.Noise().String())
	assert.True(t, e.TestNoise())
	assert.False(t, e.WithoutTestNoise().TestNoise())
	models := e.Models()
	require.Len(t, models, 12)
	models[0] = nil
	assert.NotNil(t, e.Models()[0], "Models returns a copy")
}

// TestErrorsCallersCanTestFor: nil arguments and options, and located input errors,
// wrap ErrInvalidInput; a cancelled context wraps neither sentinel.
func TestErrorsCallersCanTestFor(t *testing.T) {
	X, y := blobs(3, 2, 2, 3)
	l, noise := newLogistic(t), gaussian(t, 1)
	var nilCtx context.Context
	_, err := ensemble.Train(nilCtx, X, y, l, noise, ensemble.WithModels(2))
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorContains(t, err, "ensemble: Train: nil context")
	_, err = ensemble.Train(context.Background(), X, y, l, noise, ensemble.WithModels(2), nil)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.EqualError(t, err, "ensemble: Train: option 1 is nil")

	bad := [][]float64{{1, 2}, {3, math.NaN()}}
	_, err = ensemble.Train(context.Background(), bad, []int{0, 1}, l, noise, ensemble.WithModels(2))
	var ie *ensemble.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, [2]int{1, 1}, [2]int{ie.Row, ie.Feature})

	e, X := trainBlobs(t)
	_, err = e.VotesBatch(context.Background(), [][]float64{X[0], {1, 2, 3, math.Inf(1)}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, [2]int{1, 3}, [2]int{ie.Row, ie.Feature})
	_, err = e.VotesBatch(nilCtx, X)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	_, err = e.Estimate(context.Background(), X[0], 2)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	_, err = ensemble.Load(nil)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorIs(t, e.Save(nil), ensemble.ErrInvalidInput)
	_, err = ensemble.FromModels(nil, noise, 2)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	_, err = ensemble.FromModels([]ensemble.Model{plainModel{}}, smoothing.Noise{}, 2)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorIs(t, err, smoothing.ErrZeroNoise)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ensemble.Train(cancelled, X, make([]int, len(X)), l, noise, ensemble.WithModels(2), ensemble.WithClasses(3))
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.NotErrorIs(t, err, ensemble.ErrCorrupt)
}

// TestZeroValues: a zero or nil Ensemble and a zero Shard report zero values and fail
// their work with an error, never a panic.
func TestZeroValues(t *testing.T) {
	for _, e := range []*ensemble.Ensemble{nil, {}} {
		assert.Zero(t, e.Len())
		assert.Zero(t, e.Classes())
		assert.Zero(t, e.Dim())
		assert.Zero(t, e.Seed())
		assert.Zero(t, e.Noise())
		assert.False(t, e.TestNoise())
		assert.Empty(t, e.Models())
		_, ok := e.MemberSHA256(0)
		assert.False(t, ok)
		data, ok := e.DataSHA256()
		assert.False(t, ok)
		assert.Zero(t, data)
		_, err := e.WithVoteWorkers(1).WithoutTestNoise().Votes(context.Background(), []float64{1})
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.ErrorContains(t, err, "ensemble: votes: zero Ensemble")
		_, err = e.Estimate(context.Background(), []float64{1}, 0.01)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.ErrorIs(t, e.Save(io.Discard), ensemble.ErrInvalidInput)
	}
	var sh ensemble.Shard
	assert.Zero(t, sh.Models())
	assert.Zero(t, sh.Classes())
	assert.Zero(t, sh.Dim())
	assert.Zero(t, sh.Seed())
	_, ok := sh.MemberSHA256(0)
	assert.False(t, ok)
	assert.ErrorIs(t, sh.Save(io.Discard), ensemble.ErrInvalidInput)
	_, err := ensemble.Merge(&sh)
	assert.ErrorContains(t, err, "shard 0 is nil")
}
