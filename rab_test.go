package rab

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/knn"
	"github.com/rabcert/rab/smoothing"
)

// blobs returns n points per class of two well-separated 2-D Gaussian blobs centred at
// (−1, −1) and (1, 1) with standard deviation 0.4, and a few test points.
func blobs(n int, seed uint64) (X [][]float64, y []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for c := range 2 {
		centre := float64(2*c - 1)
		for range n {
			X = append(X, []float64{centre + 0.4*rng.NormFloat64(), centre + 0.4*rng.NormFloat64()})
			y = append(y, c)
		}
	}
	return X, y
}

var testInputs = [][]float64{{-1, -1}, {1, 1}, {0.1, 0.2}, {-0.3, 0.1}, {2, 1.5}, {0, 0}}

// countingLearner counts Fit calls, to prove that validation happens before any work.
type countingLearner struct {
	fits  atomic.Int64
	inner ensemble.BaseLearner
}

func (l *countingLearner) Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error) {
	l.fits.Add(1)
	return l.inner.Fit(ctx, X, y, classes, seed)
}

func newCountingLearner(t *testing.T) *countingLearner {
	inner, err := logistic.New()
	require.NoError(t, err)
	return &countingLearner{inner: inner}
}

func TestTrainRejectsBadOptionsBeforeAnyWork(t *testing.T) {
	X, y := blobs(20, 1)
	learner := newCountingLearner(t)
	cases := map[string]struct {
		opts []Option
		want string
	}{
		"no noise":             {nil, "WithSigma"},
		"σ ≤ 0":                {[]Option{WithSigma(-1)}, "σ = -1"},
		"σ NaN":                {[]Option{WithSigma(math.NaN())}, "σ = NaN"},
		"σ and uniform":        {[]Option{WithSigma(1), WithUniform(-1, 1)}, "choose one"},
		"uniform a ≥ b":        {[]Option{WithUniform(1, 1)}, "a < b"},
		"K-NN with uniform":    {[]Option{WithKNN(3), WithUniform(-1, 1)}, "needs Gaussian"},
		"K-NN K = 0":           {[]Option{WithKNN(0), WithSigma(1)}, "K ≥ 1"},
		"K-NN with learner":    {[]Option{WithKNN(3), WithSigma(1), WithLearner(learner)}, "trains no models"},
		"K-NN with models":     {[]Option{WithKNN(3), WithSigma(1), WithModels(50)}, "trains no models"},
		"K-NN levels < 2":      {[]Option{WithKNN(3), WithSigma(1), WithLevels(1)}, "at least 2"},
		"levels without K-NN":  {[]Option{WithSigma(1), WithLevels(10)}, "WithKNN"},
		"α = 0":                {[]Option{WithSigma(1), WithAlpha(0)}, "0 < α < 1"},
		"α = 1":                {[]Option{WithSigma(1), WithAlpha(1)}, "0 < α < 1"},
		"N too small for α":    {[]Option{WithSigma(1), WithModels(10), WithLearner(learner)}, "only ever abstain"},
		"workers = 0":          {[]Option{WithSigma(1), WithWorkers(0)}, "worker"},
		"one class":            {[]Option{WithSigma(1), WithClasses(1)}, "at least 2 classes"},
		"models = 0":           {[]Option{WithSigma(1), WithModels(0)}, "at least 1 model"},
		"labels out of range":  {[]Option{WithSigma(1), WithModels(20), WithClasses(2), WithLearner(learner), WithAlpha(0.1)}, "row 0: label 2 is outside [0, 2)"},
		"K-NN labels too high": {[]Option{WithKNN(1), WithSigma(1), WithClasses(2)}, "label 2 outside [0, 2)"},
		"K-NN α out of range":  {[]Option{WithKNN(1), WithSigma(1), WithAlpha(5)}, "WithAlpha(5)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			yy := y
			if strings.Contains(name, "labels") { // a class 2 with 2 classes
				yy = append([]int{2}, y[1:]...)
			}
			_, err := Train(context.Background(), X, yy, c.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	assert.Zero(t, learner.fits.Load(), "validation must happen before any model is trained")
}

// TestKNNCertificateIsCorollary1OnExactProbabilities checks that a K-NN certificate is
// bound.GaussianRadius applied to the exact smoothed probabilities of package knn,
// widened by the reported numerical error.
func TestKNNCertificateIsCorollary1OnExactProbabilities(t *testing.T) {
	X, y := blobs(15, 2)
	const sigma = 0.5
	m, err := Train(context.Background(), X, y, WithKNN(3), WithSigma(sigma), WithLevels(50))
	require.NoError(t, err)
	certs, err := m.CertifyBatch(context.Background(), testInputs)
	require.NoError(t, err)

	s, err := knn.New(X, y, knn.WithSigma(sigma), knn.WithK(3), knn.WithLevels(50))
	require.NoError(t, err)
	certified := 0
	for i, x := range testInputs {
		p, e, err := s.ProbabilitiesWithError(x)
		require.NoError(t, err)
		require.Less(t, e, 1e-6, "truncation error should be tiny")
		top := 0
		if p[1] > p[0] {
			top = 1
		}
		// PB is capped by 1 − PA: the runner-up cannot exceed what the top class leaves.
		// Both move one float64 step outwards against rounding.
		wantPA := math.Nextafter(p[top]-e, 0)
		wantPB := min(math.Nextafter(p[1-top]+e, 1), math.Nextafter(1-wantPA, 1))
		c := certs[i]
		assert.Equal(t, top, c.Class)
		assert.Equal(t, wantPA, c.PA)
		assert.Equal(t, wantPB, c.PB)
		assert.Equal(t, L2, c.Norm)
		if wantPA <= wantPB {
			assert.True(t, c.Abstained)
			assert.Zero(t, c.Radius)
			continue
		}
		certified++
		want, err := bound.GaussianRadius(sigma, wantPA, wantPB)
		require.NoError(t, err)
		assert.InDelta(t, want, c.Radius, 1e-12*want)
		one, err := m.Certify(context.Background(), x)
		require.NoError(t, err)
		assert.Equal(t, c, one, "Certify and CertifyBatch agree")
	}
	assert.GreaterOrEqual(t, certified, 3, "the blob centres must be certified")
}

// TestEnsembleCertificateIsAlgorithm2 checks ensemble certificates against bound.Estimate
// on the members' vote counts, for Gaussian (L2, Corollary 1) and uniform (L1)
// smoothing.
func TestEnsembleCertificateIsAlgorithm2(t *testing.T) {
	X, y := blobs(20, 3)
	for _, noise := range []Option{WithSigma(0.5), WithUniform(-0.5, 0.5)} {
		m, err := Train(context.Background(), X, y, noise, WithModels(40), WithSeed(7), WithAlpha(0.01))
		require.NoError(t, err)
		certs, err := m.CertifyBatch(context.Background(), testInputs)
		require.NoError(t, err)
		votes, err := m.b.(*ensembleBackend).e.VotesBatch(context.Background(), testInputs)
		require.NoError(t, err)
		certified := 0
		for i, counts := range votes {
			est, err := bound.Estimate(counts, 0.01)
			require.NoError(t, err)
			c := certs[i]
			assert.Equal(t, est.Class, c.Class)
			assert.Equal(t, est.PA, c.PA)
			assert.Equal(t, est.PB, c.PB)
			assert.Equal(t, est.Abstain, c.Abstained)
			if est.Abstain {
				assert.Zero(t, c.Radius)
				continue
			}
			certified++
			var want float64
			if c.Norm == L1 {
				want, err = bound.UniformL1Radius(-0.5, 0.5, est.PA, est.PB)
			} else {
				want, err = bound.GaussianRadius(0.5, est.PA, est.PB)
			}
			require.NoError(t, err)
			assert.Equal(t, want, c.Radius)
		}
		assert.GreaterOrEqual(t, certified, 3)
	}
}

func TestEnsembleCertificatesIdenticalForAnyWorkerCount(t *testing.T) {
	X, y := blobs(20, 4)
	certify := func(workers int) []Certificate {
		certs, err := Certify(context.Background(), X, y, testInputs, WithSigma(0.5), WithModels(30),
			WithSeed(11), WithWorkers(workers), WithAlpha(0.05))
		require.NoError(t, err)
		return certs
	}
	assert.Equal(t, certify(1), certify(2))
}

func TestSaveLoadGivesIdenticalCertificates(t *testing.T) {
	X, y := blobs(15, 5)
	for name, opts := range map[string][]Option{
		"knn":      {WithKNN(3), WithSigma(0.5), WithLevels(40)},
		"ensemble": {WithSigma(0.5), WithModels(25), WithAlpha(0.05)},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := Train(context.Background(), X, y, opts...)
			require.NoError(t, err)
			want, err := m.CertifyBatch(context.Background(), testInputs)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, m.Save(&buf))
			data := buf.Bytes()

			loaded, err := Load(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, name, loaded.Kind().String())
			assert.Equal(t, 2, loaded.Classes())
			assert.Equal(t, 2, loaded.Dim())
			got, err := loaded.CertifyBatch(context.Background(), testInputs)
			require.NoError(t, err)
			assert.Equal(t, want, got)

			_, err = Load(bytes.NewReader(data[:len(data)-5]))
			assert.Error(t, err, "truncated")
			corrupt := bytes.Clone(data)
			corrupt[len(corrupt)/2] ^= 0x40
			_, err = Load(bytes.NewReader(corrupt))
			assert.Error(t, err, "corrupt")
			_, err = Load(bytes.NewReader([]byte("not a model at all")))
			assert.ErrorContains(t, err, "not a rab model")
			assert.ErrorIs(t, err, ErrCorrupt)
			// Every byte of the header (version, kind) is covered by its SHA-256.
			for i := len(fileMagic); i < headerSize; i++ {
				bad := bytes.Clone(data)
				bad[i] ^= 0x80
				_, err = Load(bytes.NewReader(bad))
				assert.ErrorIs(t, err, ErrCorrupt, "header byte %d flipped", i)
				assert.ErrorContains(t, err, "SHA-256", "header byte %d flipped", i)
			}
			_, err = Load(bytes.NewReader(append(bytes.Clone(data), 0)))
			assert.ErrorIs(t, err, ErrCorrupt, "one byte after the model")
			assert.ErrorContains(t, err, "trailing data after the model")
		})
	}
}

func TestNilOptionIsAnError(t *testing.T) {
	X, y := blobs(10, 9)
	_, err := Train(context.Background(), X, y, WithKNN(1), nil, WithSigma(0.5))
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "rab: Train: option 1 is nil")
	_, err = Certify(context.Background(), X, y, X, nil)
	assert.EqualError(t, err, "rab: Certify: option 0 is nil")
	_, err = Load(strings.NewReader(""), WithWorkers(1), nil)
	assert.EqualError(t, err, "rab: Load: option 1 is nil")
	_, err = FromEnsemble(&ensemble.Ensemble{}, nil)
	assert.EqualError(t, err, "rab: FromEnsemble: option 0 is nil")
}

func TestCancellation(t *testing.T) {
	X, y := blobs(20, 6)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Train(ctx, X, y, WithSigma(0.5), WithModels(100))
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)

	m, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), WithLevels(20))
	require.NoError(t, err)
	_, err = m.CertifyBatch(ctx, testInputs)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)

	// Cancelled half-way: the progress callback cancels after the first chunk.
	many := make([][]float64, 5*certifyChunkSize)
	for i := range many {
		many[i] = testInputs[i%len(testInputs)]
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	calls := 0
	m.progress = func(done, total int) { calls++; cancel2() }
	_, err = m.CertifyBatch(ctx2, many)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.Equal(t, 1, calls)
}

func TestCertifyBatchRejectsBadInput(t *testing.T) {
	X, y := blobs(10, 7)
	m, err := Train(context.Background(), X, y, WithKNN(1), WithSigma(0.5), WithLevels(20))
	require.NoError(t, err)
	_, err = m.CertifyBatch(context.Background(), nil)
	assert.Error(t, err)
	_, err = m.Certify(context.Background(), []float64{1, 2, 3})
	assert.Error(t, err, "dimension mismatch")
	_, err = m.Certify(context.Background(), []float64{math.NaN(), 0})
	assert.Error(t, err, "NaN")
}

func TestFromEnsembleCertifiesLikeTrain(t *testing.T) {
	X, y := blobs(20, 8)
	learner, err := logistic.New()
	require.NoError(t, err)
	noise, err := smoothing.Gaussian(0.5)
	require.NoError(t, err)
	e, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(30), ensemble.WithSeed(3))
	require.NoError(t, err)
	m, err := FromEnsemble(e, WithAlpha(0.05))
	require.NoError(t, err)
	assert.Equal(t, 0.05, m.Alpha())
	got, err := m.CertifyBatch(context.Background(), testInputs)
	require.NoError(t, err)
	want, err := Certify(context.Background(), X, y, testInputs, WithSigma(0.5), WithModels(30), WithSeed(3), WithAlpha(0.05))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	for _, workers := range []int{1, 2} { // the votes do not depend on the workers
		m, err := FromEnsemble(e, WithAlpha(0.05), WithWorkers(workers))
		require.NoError(t, err)
		got, err := m.CertifyBatch(context.Background(), testInputs)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d workers", workers)
	}
	_, err = FromEnsemble(e, WithWorkers(0))
	assert.EqualError(t, err, "rab: FromEnsemble: WithWorkers(0): want at least 1 worker")

	_, err = FromEnsemble(e, WithAlpha(1e-12)) // MinVotes(1e-12, 2) = 41 > 30
	assert.ErrorContains(t, err, "only ever abstain")
	_, err = FromEnsemble(e, WithAlpha(2))
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = FromEnsemble(nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestKNNWithOneClassIsAnError(t *testing.T) {
	X, _ := blobs(5, 10)
	_, err := Train(context.Background(), X, make([]int, len(X)), WithKNN(3), WithSigma(1))
	assert.ErrorContains(t, err, "at least 2 classes")
	m, err := Train(context.Background(), X, make([]int, len(X)), WithKNN(3), WithSigma(1), WithClasses(2))
	require.NoError(t, err, "a class absent from the training set is fine when declared")
	c, err := m.Certify(context.Background(), X[0])
	require.NoError(t, err)
	assert.Equal(t, 0, c.Class)
}

func TestCertifyChecksTestsBeforeTraining(t *testing.T) {
	X, y := blobs(10, 11)
	learner := newCountingLearner(t)
	for name, tests := range map[string][][]float64{
		"none":      nil,
		"NaN":       {{0, math.NaN()}},
		"dimension": {{0, 0, 0}},
	} {
		_, err := Certify(context.Background(), X, y, tests, WithSigma(1), WithModels(20), WithAlpha(0.1), WithLearner(learner))
		assert.Error(t, err, name)
	}
	assert.Zero(t, learner.fits.Load())
}

func TestEmptyModelIsAnError(t *testing.T) {
	var m Model
	_, err := m.Certify(context.Background(), []float64{0})
	assert.ErrorContains(t, err, "empty Model")
	assert.ErrorContains(t, m.Save(&bytes.Buffer{}), "empty Model")
	assert.ErrorIs(t, m.Save(&bytes.Buffer{}), ErrInvalidInput)
	assert.Equal(t, [3]any{Kind(0), 0, 0}, [3]any{m.Kind(), m.Classes(), m.Dim()})
	assert.Equal(t, [6]any{smoothing.Noise{}, 0.0, 0, 0, 0, uint64(0)}, [6]any{m.Noise(), m.Alpha(), m.K(), m.Levels(), m.Models(), m.Seed()})
	assert.Nil(t, m.Edges())
	var nilModel *Model
	_, err = nilModel.CertifyBatch(context.Background(), testInputs)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, Kind(0), nilModel.Kind())
}
