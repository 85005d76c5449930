package ensemble_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
)

// coinKind is the kind of coinModel, registered so that Train can decode it.
const coinKind = "ensemble_test.coin"

func init() {
	ensemble.RegisterDecoder(coinKind, func(data []byte) (ensemble.Model, error) {
		if len(data) != 16 {
			return nil, errors.New("coin: want 16 bytes")
		}
		return &coinModel{id: binary.LittleEndian.Uint64(data), class: int(data[8])}, nil
	})
}

// coinModel predicts a constant class. Its bytes are its id and class.
type coinModel struct {
	id    uint64
	class int
}

func (m *coinModel) Predict(X [][]float64, out []int) error {
	for i := range X {
		out[i] = m.class
	}
	return nil
}

func (m *coinModel) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint64(nil, m.id)
	return append(b, byte(m.class), 0, 0, 0, 0, 0, 0, 0), nil
}

func (m *coinModel) Kind() string { return coinKind }

// sharedCoin is the audit's faulty learner (issue 11, item 1): the true smoothed
// classifier is a fair coin — fit k predicts class (fit seed) mod 2, and the fit seeds
// are independent draws — but every fit overwrites one shared model and returns a
// wrapper around it. After N fits every wrapper predicts the last fit's class, so the
// N votes are unanimous instead of about N/2 each.
type sharedCoin struct {
	mu     sync.Mutex
	shared coinModel
	next   uint64
	frozen bool // wrappers report the bytes they had when returned, not the shared state
}

func (l *sharedCoin) Fit(_ context.Context, _ [][]float64, _ []int, _ int, seed uint64) (ensemble.Model, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	l.shared = coinModel{id: 0, class: int(seed & 1)}
	w := &coinWrapper{l: l, id: l.next}
	if l.frozen {
		w.bytes, _ = (&coinModel{id: w.id, class: l.shared.class}).MarshalBinary()
	}
	return w, nil
}

// coinWrapper predicts with the learner's shared model. Its bytes are its id and the
// shared class (the current one, or the one frozen when it was returned).
type coinWrapper struct {
	l     *sharedCoin
	id    uint64
	bytes []byte
}

func (w *coinWrapper) Predict(X [][]float64, out []int) error {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.l.shared.Predict(X, out)
}

func (w *coinWrapper) MarshalBinary() ([]byte, error) {
	if w.bytes != nil {
		return w.bytes, nil
	}
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return (&coinModel{id: w.id, class: w.l.shared.class}).MarshalBinary()
}

func (w *coinWrapper) Kind() string { return coinKind }

// fairCoinVotes returns the votes of N independent fits of the fair coin: the number of
// members k whose fit seed (the draw after the training noise of smoothing.Stream(seed,
// k)) is even or odd.
func fairCoinVotes(t *testing.T, X [][]float64, noise smoothing.Noise, n int, seed uint64) []int {
	t.Helper()
	counts := make([]int, 2)
	for k := range n {
		rng := smoothing.Stream(seed, k)
		_, err := noise.PerturbData(rng, X)
		require.NoError(t, err)
		counts[rng.Uint64()&1]++
	}
	return counts
}

// TestTrainRejectsSharedModels reproduces the audit: q = 0.5, N = 1,000, σ = 1,
// α = 0.001. Counting the wrappers' votes certifies with PA ≈ 0.99; Train must refuse
// them, or certify only what the members' bytes say.
func TestTrainRejectsSharedModels(t *testing.T) {
	const n, alpha = 1000, 0.001
	X, y := blobs(3, 2, 2, 9)
	noise := gaussian(t, 1)
	x := []float64{0.5, 0.5}

	// The attack, as it was before Train checked: the wrappers vote unanimously.
	l := &sharedCoin{}
	wrappers := make([]ensemble.Model, n)
	for k := range wrappers {
		wrappers[k], _ = l.Fit(context.Background(), X, y, 2, uint64(k))
	}
	counts := make([]int, 2)
	pred := make([]int, 1)
	for _, w := range wrappers {
		require.NoError(t, w.Predict([][]float64{x}, pred))
		counts[pred[0]]++
	}
	over, err := bound.Estimate(counts, alpha)
	require.NoError(t, err)
	assert.Equal(t, n, max(counts[0], counts[1]), "the shared model makes the vote unanimous")
	assert.Greater(t, over.PA, 0.99, "the over-claim the audit found (PA = 0.9917)")

	// Train: the wrappers' bytes change with the shared model, so most members no
	// longer marshal to the bytes recorded when their fit returned.
	_, err = ensemble.Train(context.Background(), X, y, &sharedCoin{}, noise, ensemble.WithModels(n), ensemble.WithSeed(3))
	require.Error(t, err)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.Contains(t, err.Error(), "its bytes changed after Fit returned it")

	// Wrappers that freeze their bytes pass the byte check, but Train certifies the
	// models decoded from those bytes: the votes are the fair coin's, nothing more.
	e, err := ensemble.Train(context.Background(), X, y, &sharedCoin{frozen: true}, noise, ensemble.WithModels(n), ensemble.WithSeed(3))
	require.NoError(t, err)
	got, err := e.Votes(context.Background(), x)
	require.NoError(t, err)
	assert.Equal(t, fairCoinVotes(t, X, noise, n, 3), got)
	est, err := e.Estimate(context.Background(), x, alpha)
	require.NoError(t, err)
	assert.Less(t, est.PA, 0.5, "the lower bound of a fair coin from 1,000 votes")
	for _, m := range e.Models() {
		require.IsType(t, &coinModel{}, m, "members are decoded from their bytes")
	}
}

// TestTrainRejectsTheSameObject: a learner that returns one object for every fit is
// rejected by identity, whatever its bytes.
func TestTrainRejectsTheSameObject(t *testing.T) {
	X, y := blobs(3, 2, 2, 9)
	var mu sync.Mutex
	same := &coinModel{}
	learner := learnerFunc(func(_ context.Context, _ [][]float64, _ []int, _ int, seed uint64) (ensemble.Model, error) {
		mu.Lock()
		defer mu.Unlock()
		same.id++ // distinct bytes at every return
		return same, nil
	})
	_, err := ensemble.Train(context.Background(), X, y, learner, gaussian(t, 1), ensemble.WithModels(5), ensemble.WithWorkers(1))
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorContains(t, err, "ensemble: Train: the learner returned members 0 and 1 as the same *ensemble_test.coinModel object")
}

// TestTrainChecksModelsWithoutDecoder: a member that is not Kinded cannot be decoded;
// Train still re-marshals it and catches a change.
func TestTrainChecksModelsWithoutDecoder(t *testing.T) {
	X, y := blobs(3, 2, 2, 9)
	shared := &plainModel{}
	var mu sync.Mutex
	learner := learnerFunc(func(context.Context, [][]float64, []int, int, uint64) (ensemble.Model, error) {
		mu.Lock()
		defer mu.Unlock()
		shared.id++
		return wrappedPlain{shared}, nil // distinct values around one shared model
	})
	_, err := ensemble.Train(context.Background(), X, y, learner, gaussian(t, 1), ensemble.WithModels(4), ensemble.WithWorkers(1))
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorContains(t, err, "ensemble: Train: member 0: its bytes changed after Fit returned it")
}

// wrappedPlain is a value wrapper around a shared *plainModel.
type wrappedPlain struct{ p *plainModel }

func (w wrappedPlain) Predict(X [][]float64, out []int) error { return w.p.Predict(X, out) }
func (w wrappedPlain) MarshalBinary() ([]byte, error)         { return w.p.MarshalBinary() }
