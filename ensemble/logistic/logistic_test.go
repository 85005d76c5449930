package logistic

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/internal/synth"
	"github.com/rabcert/rab/internal/dataset"
)

// blobs returns n separable points per class (centres ±6, see synth.Blobs).
func blobs(n, d, classes int, seed uint64) ([][]float64, []int) {
	return synth.Blobs(n, d, classes, 6, seed)
}

func accuracy(t *testing.T, m *Model, X [][]float64, y []int) float64 {
	t.Helper()
	out := make([]int, len(X))
	require.NoError(t, m.Predict(X, out))
	correct := 0
	for i := range out {
		if out[i] == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(X))
}

func fit(t testing.TB, X [][]float64, y []int, classes int, opts ...Option) *Model {
	t.Helper()
	l, err := New(opts...)
	require.NoError(t, err)
	m, err := l.Fit(context.Background(), X, y, classes, 0)
	require.NoError(t, err)
	return m.(*Model)
}

func TestSeparableBlobsArePerfect(t *testing.T) {
	X, y := blobs(100, 3, 4, 1)
	m := fit(t, X, y, 4)
	assert.Equal(t, 1.0, accuracy(t, m, X, y))
	Xt, yt := blobs(100, 3, 4, 2)
	assert.Equal(t, 1.0, accuracy(t, m, Xt, yt))
	assert.Equal(t, 3, m.InputDim())
	assert.Equal(t, 4, m.Classes())
	assert.Equal(t, Kind, m.Kind())
}

// TestSpambaseAccuracy: logistic regression reaches about 93% on Spambase (the UCI
// documentation reports ~7% misclassification for good classifiers); the threshold
// leaves room for the fixed iteration budget.
func TestSpambaseAccuracy(t *testing.T) {
	s, err := dataset.SpambaseRAB()
	require.NoError(t, err)
	train, test := dataset.Split(s, 0.2, 1)
	m := fit(t, train.X, train.Y, 2)
	acc := accuracy(t, m, test.X, test.Y)
	t.Logf("Spambase test accuracy %.4f", acc)
	assert.Greater(t, acc, 0.90)
}

// TestInterceptOnlyOptimum: with constant features the weights stay 0 and the optimum
// intercepts satisfy softmax(b) = class frequencies (the intercept is not penalised),
// so b_c − b_0 = log(n_c / n_0).
func TestInterceptOnlyOptimum(t *testing.T) {
	counts := []int{10, 30, 60}
	var X [][]float64
	var y []int
	for c, n := range counts {
		for range n {
			X = append(X, []float64{3, -1})
			y = append(y, c)
		}
	}
	m := fit(t, X, y, 3, WithIterations(100))
	for c, n := range counts {
		assert.InDelta(t, math.Log(float64(n)/10), m.bias[c]-m.bias[0], 1e-5, "class %d", c)
	}
	assert.Equal(t, []float64{0, 0, 0, 0, 0, 0}, m.weights)
	assert.Equal(t, 1.0*60/100, accuracy(t, m, X, y)) // always the majority class 2
}

// TestGradientMatchesFiniteDifferences checks eval's analytic gradient against central
// differences (h = 1e-6; truncation error O(h²), rounding O(ε/h) ≈ 1e-10).
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	X, y := blobs(10, 4, 3, 3)
	p := newProblem(X, y, 4, 3, 0.01)
	rng := rand.New(rand.NewPCG(4, 4))
	theta := make([]float64, dims(4, 3))
	for i := range theta {
		theta[i] = 2*rng.Float64() - 1
	}
	grad := make([]float64, len(theta))
	scratch := make([]float64, len(theta))
	f0 := p.eval(theta, grad)
	assert.Greater(t, f0, 0.0)
	const h = 1e-6
	for i := range theta {
		orig := theta[i]
		theta[i] = orig + h
		up := p.eval(theta, scratch)
		theta[i] = orig - h
		down := p.eval(theta, scratch)
		theta[i] = orig
		assert.InDelta(t, (up-down)/(2*h), grad[i], 1e-7, "coordinate %d", i)
	}
}

// TestObjectiveAtZero: with θ = 0 every class has probability 1/C, so f = log C.
func TestObjectiveAtZero(t *testing.T) {
	X, y := blobs(5, 2, 3, 5)
	p := newProblem(X, y, 2, 3, 1)
	theta := make([]float64, dims(2, 3))
	assert.InDelta(t, math.Log(3), p.eval(theta, make([]float64, len(theta))), 1e-15)
}

// TestFitIsPinned pins the SHA-256 of a fitted model's bytes. The fit uses only IEEE
// arithmetic in a fixed order (no package math transcendental, no fused multiply-add),
// so every architecture must reproduce these bytes; a change here changes every
// ensemble's test-time noise and must be deliberate.
func TestFitIsPinned(t *testing.T) {
	X, y := blobs(20, 3, 3, 6)
	for i := range X { // overlap the classes so that the optimum is interior
		X[i][0] *= 0.1
	}
	m := fit(t, X, y, 3)
	data, err := m.MarshalBinary()
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	assert.Equal(t, "947f6a48198e4ff11a01ee44ddc0f566bd44ed42ed96cdf2ffcf917120d282f4", hex.EncodeToString(sum[:]))
	again := fit(t, X, y, 3)
	againData, _ := again.MarshalBinary()
	assert.Equal(t, data, againData)
}

func TestFitDoesNotModifyInput(t *testing.T) {
	X, y := blobs(10, 2, 2, 7)
	Xc := make([][]float64, len(X))
	for i := range X {
		Xc[i] = append([]float64(nil), X[i]...)
	}
	yc := append([]int(nil), y...)
	fit(t, X, y, 2)
	assert.Equal(t, Xc, X)
	assert.Equal(t, yc, y)
}

func TestBadInput(t *testing.T) {
	l, err := New()
	require.NoError(t, err)
	ctx := context.Background()
	cases := map[string]struct {
		X       [][]float64
		y       []int
		classes int
		want    string
	}{
		"empty":          {nil, nil, 2, "empty data"},
		"ragged":         {[][]float64{{1, 2}, {1}}, []int{0, 1}, 2, "row 1: 1 features, row 0 has 2"},
		"NaN":            {[][]float64{{1}, {math.NaN()}}, []int{0, 1}, 2, "must be finite"},
		"labels":         {[][]float64{{1}, {2}}, []int{0}, 2, "1 labels for 2 rows"},
		"label range":    {[][]float64{{1}, {2}}, []int{0, 2}, 2, "row 1: label 2 is outside [0, 2)"},
		"negative label": {[][]float64{{1}, {2}}, []int{-1, 0}, 2, "outside"},
		"one class":      {[][]float64{{1}, {2}}, []int{0, 0}, 1, "want at least 2"},
		// Σ x overflows while standardising: the fit must fail, not save a model
		// that Load rejects.
		"huge features": {[][]float64{{1e308, 0}, {1e308, 1}, {-1, 0}, {-1, 1}}, []int{0, 1, 0, 1}, 2, "rescale them"},
	}
	for name, c := range cases {
		_, err := l.Fit(ctx, c.X, c.y, c.classes, 0)
		assert.ErrorContains(t, err, c.want, name)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput, name)
	}
	for _, opts := range [][]Option{{WithIterations(0)}, {WithL2(0)}, {WithL2(-1)}, {WithL2(math.NaN())}, {WithL2(math.Inf(1))}} {
		_, err := New(opts...)
		assert.Error(t, err)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	}
	_, err = New(WithIterations(3), nil)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput, "a nil option is an error (CONTRIBUTING.md)")
	assert.EqualError(t, err, "logistic: New: option 1 is nil")
}

func TestFitStopsWhenCancelled(t *testing.T) {
	X, y := blobs(10, 2, 2, 8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l, _ := New()
	_, err := l.Fit(ctx, X, y, 2, 0)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestPredictErrors(t *testing.T) {
	X, y := blobs(10, 2, 2, 9)
	m := fit(t, X, y, 2)
	assert.ErrorContains(t, m.Predict(X, make([]int, 3)), "out has length 3")
	assert.ErrorContains(t, m.Predict([][]float64{{1, 2, 3}}, make([]int, 1)), "row 0 has 3 features, the model was fitted on 2")
	assert.ErrorContains(t, m.Predict([][]float64{{math.NaN(), 0}}, make([]int, 1)), "non-finite score")
	assert.ErrorContains(t, m.Predict([][]float64{{math.Inf(1), 0}}, make([]int, 1)), "non-finite score")
	var ie *ensemble.InputError
	require.ErrorAs(t, m.Predict([][]float64{{0, 1}, {0, math.NaN()}}, make([]int, 2)), &ie)
	assert.Equal(t, [2]int{1, 1}, [2]int{ie.Row, ie.Feature})
	assert.ErrorIs(t, m.Predict(X, make([]int, 3)), ensemble.ErrInvalidInput)
	for _, empty := range [][][]float64{nil, {}} { // issue 11 (5): an empty batch is an error
		err := m.Predict(empty, []int{})
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.EqualError(t, err, "logistic: Predict: no rows: X is empty; pass at least one input")
	}
}

// TestAppendBinary: AppendBinary appends MarshalBinary's bytes.
func TestAppendBinary(t *testing.T) {
	X, y := blobs(5, 2, 2, 11)
	m := fit(t, X, y, 2)
	data, err := m.MarshalBinary()
	require.NoError(t, err)
	got, err := m.AppendBinary([]byte("prefix"))
	require.NoError(t, err)
	assert.Equal(t, append([]byte("prefix"), data...), got)
}

func TestMarshalRoundTrip(t *testing.T) {
	X, y := blobs(30, 3, 3, 10)
	m := fit(t, X, y, 3)
	data, err := m.MarshalBinary()
	require.NoError(t, err)
	assert.Len(t, data, headerSize+8*(3+3*3+3))
	var back Model
	require.NoError(t, back.UnmarshalBinary(data))
	assert.Equal(t, *m, back)
	want, got := make([]int, len(X)), make([]int, len(X))
	require.NoError(t, m.Predict(X, want))
	require.NoError(t, back.Predict(X, got))
	assert.Equal(t, want, got)
}

func TestUnmarshalRejectsMalformedBytes(t *testing.T) {
	X, y := blobs(5, 2, 2, 11)
	data, _ := fit(t, X, y, 2).MarshalBinary()
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), data...)) }
	cases := map[string][]byte{
		"empty":      nil,
		"short":      data[:headerSize-1],
		"magic":      mutate(func(b []byte) []byte { b[0] = 'X'; return b }),
		"version":    mutate(func(b []byte) []byte { b[len(magic)] = 2; return b }),
		"truncated":  data[:len(data)-1],
		"extra":      append(append([]byte(nil), data...), 0),
		"zero d":     mutate(func(b []byte) []byte { b[len(magic)+1] = 0; return b }),
		"one class":  mutate(func(b []byte) []byte { b[len(magic)+5] = 1; return b }),
		"huge d":     mutate(func(b []byte) []byte { b[len(magic)+4] = 0xff; return b }),
		"huge C":     mutate(func(b []byte) []byte { b[len(magic)+8] = 0xff; return b }),
		"NaN weight": mutate(func(b []byte) []byte { copy(b[headerSize+8:], []byte{1, 0, 0, 0, 0, 0, 0xf8, 0x7f}); return b }),
		"Inf weight": mutate(func(b []byte) []byte { copy(b[headerSize:], []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f}); return b }),
	}
	for name, b := range cases {
		var m Model
		assert.Error(t, m.UnmarshalBinary(b), name)
		assert.ErrorIs(t, m.UnmarshalBinary(b), ensemble.ErrCorrupt, name)
	}
}

// TestBaselineShortcut: skipping the zero class-0 score gives the same predictions as
// scoring every class, and models whose class 0 is not zero (possible in a decoded
// file) are scored in full.
func TestBaselineShortcut(t *testing.T) {
	X, y := blobs(30, 3, 4, 12)
	m := fit(t, X, y, 4)
	require.True(t, m.baseline)
	full := *m
	full.baseline = false
	want, got := make([]int, len(X)), make([]int, len(X))
	require.NoError(t, full.Predict(X, want))
	require.NoError(t, m.Predict(X, got))
	assert.Equal(t, want, got)

	// Class 0 scores 10 + x₀, class 1 scores x₁: hand-computed predictions.
	shifted := newModel(2, 2, []float64{0, 0}, []float64{1, 0, 0, 1}, []float64{10, 0})
	assert.False(t, shifted.baseline)
	data, _ := shifted.MarshalBinary()
	var back Model
	require.NoError(t, back.UnmarshalBinary(data))
	pred := make([]int, 3)
	require.NoError(t, back.Predict([][]float64{{0, 9}, {0, 11}, {-5, 6}}, pred))
	assert.Equal(t, []int{0, 1, 1}, pred)
}

// FuzzUnmarshalBinary checks that no input makes the decoder panic, that every
// rejection wraps ensemble.ErrCorrupt, and that whatever it accepts marshals back to
// the same bytes and predicts.
func FuzzUnmarshalBinary(f *testing.F) {
	X, y := blobs(5, 3, 3, 13)
	for _, classes := range []int{2, 3} {
		yc := y
		if classes == 2 {
			yc = make([]int, len(y))
			for i, c := range y {
				yc[i] = c % 2
			}
		}
		data, err := fit(f, X, yc, classes).MarshalBinary()
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if err := m.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ensemble.ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		back, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("MarshalBinary(UnmarshalBinary(b)) differs from b (err %v)", err)
		}
		_ = m.Predict([][]float64{make([]float64, m.InputDim())}, make([]int, 1))
	})
}

// TestDescribe: the configuration string is canonical JSON of the settings.
func TestDescribe(t *testing.T) {
	l, err := New()
	require.NoError(t, err)
	kind, config := l.Describe()
	assert.Equal(t, Kind, kind)
	assert.Equal(t, `{"iterations":10,"l2":0.0001}`, config)
	other, err := New(WithIterations(30), WithL2(1.0/3))
	require.NoError(t, err)
	_, config = other.Describe()
	assert.Equal(t, `{"iterations":30,"l2":0.3333333333333333}`, config)
}
