package knn

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tinyData() ([][]float64, []int) {
	return [][]float64{{0, 0}, {1, 0}, {0, 1}, {2, 2}, {-1, 0.5}}, []int{0, 1, 1, 0, 2}
}

func TestNewRejectsBadInput(t *testing.T) {
	X, y := tinyData()
	for _, tc := range []struct {
		name string
		X    [][]float64
		y    []int
		opts []Option
		want string
	}{
		{"no rows", nil, nil, []Option{WithSigma(1)}, "training set: empty data"},
		{"zero dim", [][]float64{{}}, []int{0}, []Option{WithSigma(1)}, "training set: empty data"},
		{"ragged", [][]float64{{0, 0}, {1}}, []int{0, 1}, []Option{WithSigma(1)}, "row 1: 1 features, row 0 has 2: rows must have equal length"},
		{"NaN", [][]float64{{0, math.NaN()}}, []int{0}, []Option{WithSigma(1)}, "NaN"},
		{"Inf", [][]float64{{math.Inf(1), 0}}, []int{0}, []Option{WithSigma(1)}, "+Inf"},
		{"label count", X, y[:4], []Option{WithSigma(1)}, "4 labels for 5"},
		{"negative label", X, []int{0, 1, -1, 0, 0}, []Option{WithSigma(1)}, "negative"},
		{"label ≥ C", X, y, []Option{WithSigma(1), WithClasses(2)}, "outside [0, 2)"},
		{"C < 1", X, y, []Option{WithSigma(1), WithClasses(0)}, "at least 1 class"},
		{"no sigma", X, y, nil, "WithSigma"},
		{"sigma 0", X, y, []Option{WithSigma(0)}, "σ must be"},
		{"sigma < 0", X, y, []Option{WithSigma(-1)}, "σ must be"},
		{"sigma NaN", X, y, []Option{WithSigma(math.NaN())}, "σ must be"},
		{"sigma Inf", X, y, []Option{WithSigma(math.Inf(1))}, "σ must be"},
		{"K 0", X, y, []Option{WithSigma(1), WithK(0)}, "K must lie in [1, n] = [1, 5]"},
		{"K > n", X, y, []Option{WithSigma(1), WithK(6)}, "K must lie"},
		{"levels 1", X, y, []Option{WithSigma(1), WithLevels(1)}, "want 2 to 65536 levels"},
		{"no edges", X, y, []Option{WithSigma(1), WithEdges([]float64{})}, "at least one finite edge"},
		{"edge 0", X, y, []Option{WithSigma(1), WithEdges([]float64{0, 1})}, "finite and > 0"},
		{"edge NaN", X, y, []Option{WithSigma(1), WithEdges([]float64{1, math.NaN()})}, "finite and > 0"},
		{"edges unsorted", X, y, []Option{WithSigma(1), WithEdges([]float64{1, 3, 2})}, "strictly increasing"},
		{"edges repeated", X, y, []Option{WithSigma(1), WithEdges([]float64{1, 1})}, "strictly increasing"},
		{"levels vs edges", X, y, []Option{WithSigma(1), WithLevels(5), WithEdges([]float64{1, 2})}, "contradicts"},
		{"workers 0", X, y, []Option{WithSigma(1), WithWorkers(0)}, "at least 1 worker"},
		{"tolerance 0", X, y, []Option{WithSigma(1), WithTolerance(0)}, "tolerance"},
		{"tolerance big", X, y, []Option{WithSigma(1), WithTolerance(0.5)}, "tolerance"},
		{"edges underflow", X, y, []Option{WithSigma(1e100), WithEdges([]float64{1e-300})}, "scale of σ²"},
		{"edge subnormal", X, y, []Option{WithSigma(1), WithEdges([]float64{1e-309, 1})}, "is 1e-309: want increasing values in [2.23e-308, 1e+08]"},
		{"sigma huge", X, y, []Option{WithSigma(1e300)}, "WithSigma(1e+300): σ is outside the representable range [3.05e-151, 3.27e+150]"},
		{"sigma tiny", X, y, []Option{WithSigma(1e-300)}, "WithSigma(1e-300): σ is outside the representable range"},
		{"sigma huge with edges", X, y, []Option{WithSigma(1e200), WithEdges([]float64{1e-300})}, "representable range"},
	} {
		s, err := New(tc.X, tc.y, tc.opts...)
		assert.Nil(t, s, tc.name)
		require.ErrorIs(t, err, ErrInvalidInput, tc.name)
		assert.NotErrorIs(t, err, ErrCorrupt, tc.name)
		assert.True(t, strings.HasPrefix(err.Error(), "knn: New: "), "%s: %v", tc.name, err)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}

func TestProbabilitiesRejectsBadInput(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(1))
	require.NoError(t, err)
	for _, x := range [][]float64{nil, {1}, {1, 2, 3}, {math.NaN(), 0}, {0, math.Inf(-1)}} {
		_, err := s.Probabilities(x)
		assert.Error(t, err)
		_, _, err = s.ProbabilitiesWithError(x)
		assert.Error(t, err)
	}
	_, err = s.ProbabilitiesBatch(context.Background(), [][]float64{{0, 0}, {0}})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "knn: ProbabilitiesBatch: row 1: input has 1 features, the training set has 2")
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, [2]int{1, -1}, [2]int{ie.Row, ie.Feature})
}

func TestCallerSlicesNeitherModifiedNorRetained(t *testing.T) {
	X, y := tinyData()
	edges := []float64{0.5, 1, 2, 4}
	Xc := [][]float64{append([]float64(nil), X[0]...), append([]float64(nil), X[1]...)}
	s, err := New(X, y, WithSigma(0.8), WithK(3), WithEdges(edges))
	require.NoError(t, err)
	x := []float64{0.3, 0.2}
	p1, err := s.Probabilities(x)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.3, 0.2}, x)
	assert.Equal(t, Xc[0], X[0])
	assert.Equal(t, Xc[1], X[1])
	assert.Equal(t, []int{0, 1, 1, 0, 2}, y)
	assert.Equal(t, []float64{0.5, 1, 2, 4}, edges)
	// Mutating the caller's data afterwards changes nothing.
	X[0][0], y[0], edges[0] = 100, 2, 3.5
	got := s.Edges()
	got[0] = 7
	assert.Equal(t, []float64{0.5, 1, 2, 4}, s.Edges())
	p2, err := s.Probabilities(x)
	require.NoError(t, err)
	assert.Equal(t, p1, p2)
}

func TestAccessorsAndDefaults(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(0.5))
	require.NoError(t, err)
	assert.Equal(t, 0.5, s.Sigma())
	assert.Equal(t, DefaultK, s.K())
	assert.Equal(t, 3, s.Classes())
	assert.Equal(t, 2, s.Dim())
	assert.Equal(t, 5, s.Len())
	assert.Equal(t, DefaultLevels, s.Levels())
	assert.Equal(t, DefaultTolerance, s.Tolerance())
	assert.Equal(t, mustDefaultEdges(t, 2, 0.5, DefaultLevels), s.Edges())

	s, err = New(X, y, WithSigma(0.5), WithLevels(7), WithClasses(5), WithK(1))
	require.NoError(t, err)
	assert.Equal(t, 7, s.Levels())
	assert.Equal(t, 5, s.Classes())
	p, err := s.Probabilities([]float64{0, 0})
	require.NoError(t, err)
	assert.Len(t, p, 5)
	assert.Zero(t, p[3]) // classes without training points never win
	assert.Zero(t, p[4])

	// WithEdges and a consistent WithLevels.
	s, err = New(X, y, WithSigma(0.5), WithLevels(3), WithEdges([]float64{0.1, 0.2}))
	require.NoError(t, err)
	assert.Equal(t, []float64{0.1, 0.2}, s.Edges())
}

func TestDefaultEdges(t *testing.T) {
	for _, d := range []int{1, 2, 56, 784} {
		for _, levels := range []int{2, 3, 50, 200} {
			e := mustDefaultEdges(t, d, 0.5, levels)
			require.Len(t, e, levels-1)
			for i := 1; i < len(e); i++ {
				require.Greater(t, e[i], e[i-1])
			}
			// First edge: σ²·Q_{χ²_d}(1e-6), e.g. Q = 19.1496 for d = 56 (scipy chi2.ppf).
			if d == 56 {
				assert.InDelta(t, 0.25*19.149643838, e[0], 1e-8)
			}
			if levels > 2 {
				// Last edge: σ²·(s₁ + 4(e⁶ − 1))².
				s1 := math.Sqrt(e[0] / 0.25)
				assert.InDelta(t, 0.25*math.Pow(s1+4*math.Expm1(6), 2), e[len(e)-1], 1e-9*e[len(e)-1])
			}
		}
	}
	// σ scales the edges quadratically.
	a, b := mustDefaultEdges(t, 10, 1, 20), mustDefaultEdges(t, 10, 3, 20)
	for i := range a {
		assert.InDelta(t, 9*a[i], b[i], 1e-12*b[i])
	}
}

func TestBatchCancellationAndProgress(t *testing.T) {
	X, y := randomData(newRand(41), 60, 3, 2, 1)
	var calls []int
	s, err := New(X, y, WithSigma(0.5), WithWorkers(2), WithProgress(func(done, total int) {
		assert.Equal(t, 8, total)
		calls = append(calls, done)
	}))
	require.NoError(t, err)
	inputs := X[:8]
	p, err := s.ProbabilitiesBatch(context.Background(), inputs)
	require.NoError(t, err)
	require.Len(t, p, 8)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8}, calls)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err = s.ProbabilitiesBatch(ctx, inputs)
	assert.Nil(t, p)
	assert.True(t, errors.Is(err, context.Canceled))

	// An empty batch is an error (it was accepted and returned nothing; issue 11),
	// for every batch method.
	p, err = s.ProbabilitiesBatch(context.Background(), nil)
	assert.Nil(t, p)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.EqualError(t, err, "knn: ProbabilitiesBatch: no inputs: X has no rows")
	_, _, err = s.ProbabilitiesBatchWithError(context.Background(), [][]float64{})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = s.EvaluateBatch(context.Background(), nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestSingleClassAndKEqualsN(t *testing.T) {
	X, _ := tinyData()
	s, err := New(X, []int{0, 0, 0, 0, 0}, WithSigma(1))
	require.NoError(t, err)
	p, err := s.Probabilities([]float64{0.5, 0.5})
	require.NoError(t, err)
	assert.Equal(t, []float64{1}, p)
	// One class is treated the same whichever class it is (issue 11: all-labels-1 and
	// all-labels-0 were treated differently): that class with probability 1.
	for _, tc := range []struct {
		label int
		opts  []Option
		want  []float64
	}{
		{1, nil, []float64{0, 1}},
		{2, []Option{WithClasses(3)}, []float64{0, 0, 1}},
		{0, []Option{WithClasses(2)}, []float64{1, 0}},
	} {
		s, err := New(X, []int{tc.label, tc.label, tc.label, tc.label, tc.label}, append(tc.opts, WithSigma(1))...)
		require.NoError(t, err, "label %d", tc.label)
		ev, err := s.Evaluate([]float64{0.5, 0.5})
		require.NoError(t, err)
		assert.Equal(t, tc.want, ev.Probs, "label %d", tc.label)
		assert.Less(t, ev.ErrBound, 1e-10)
	}
	// K = n: all points vote, labels 0,1,1,0,2 → 2–2–1 tie → class 0 always.
	_, y := tinyData()
	s, err = New(X, y, WithSigma(1), WithK(5))
	require.NoError(t, err)
	p, bound, err := s.ProbabilitiesWithError([]float64{0.5, 0.5})
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{1, 0, 0}, p, 1e-12)
	assert.Less(t, bound, 1e-10)
}

func TestFarInputUsesLastBucket(t *testing.T) {
	// All training points far beyond the last edge: every point lies in the last
	// bucket, so the K first by index (rows 0, 1, 2 → labels 0, 1, 1) vote: class 1.
	X, y := tinyData()
	s, err := New(X, y, WithSigma(0.1), WithK(3), WithEdges([]float64{0.01, 0.02}))
	require.NoError(t, err)
	p, bound, err := s.ProbabilitiesWithError([]float64{1e4, -1e4})
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{0, 1, 0}, p, 1e-12)
	assert.Less(t, bound, 1e-10)
}

// TestHugeInputs checks inputs so far away that λ/2 exceeds the int range (1e10 once
// crashed the process by overflowing the Poisson mode to a negative int) or the squared
// distance overflows to +Inf (1e200): with the default edges every point lies in the
// last bucket, so the first K by index vote.
func TestHugeInputs(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(0.5), WithK(3))
	require.NoError(t, err)
	for _, v := range []float64{1e10, 1e20, 1e200, math.MaxFloat64} {
		p, bound, err := s.ProbabilitiesWithError([]float64{v, -v})
		require.NoError(t, err, "x = %g", v)
		assert.InDeltaSlice(t, []float64{0, 1, 0}, p, 1e-12, "x = %g", v)
		assert.Less(t, bound, 1e-9, "x = %g", v)
	}
}

// mustDefaultEdges returns DefaultEdges(d, sigma, levels), failing the test on error.
func mustDefaultEdges(tb testing.TB, d int, sigma float64, levels int) []float64 {
	tb.Helper()
	edges, err := DefaultEdges(d, sigma, levels)
	require.NoError(tb, err)
	return edges
}

// TestLimits checks the documented limits on classes, levels and edges, which keep
// time and memory bounded (labels near 10⁷ once overflowed the stack, edges far
// beyond σ² overflowed an int or ran out of memory).
func TestLimits(t *testing.T) {
	X := [][]float64{{0, 0}, {1, 0}, {0, 1}, {2, 2}, {-1, 0.5}}
	y := []int{0, 1, 1, 0, 2}
	for name, c := range map[string]struct {
		y    []int
		opts []Option
		want string
	}{
		"label too large":   {[]int{0, 1, 1, 0, MaxClasses}, []Option{WithSigma(1)}, "at most 1024 classes"},
		"too many classes":  {y, []Option{WithSigma(1), WithClasses(MaxClasses + 1)}, "WithClasses(1025)"},
		"too many levels":   {y, []Option{WithSigma(1), WithLevels(MaxLevels + 1)}, "want 2 to 65536 levels"},
		"edge far beyond σ": {y, []Option{WithSigma(1), WithEdges([]float64{0.1, 2e19})}, "want increasing values in [2.23e-308, 1e+08]"},
		"σ tiny for edges":  {y, []Option{WithSigma(1e-10), WithEdges([]float64{0.1, 100})}, "put the edges on the scale of σ²"},
	} {
		_, err := New(X, c.y, c.opts...)
		assert.ErrorContains(t, err, c.want, name)
	}
	s, err := New(X, y, WithSigma(1), WithClasses(MaxClasses), WithK(1))
	require.NoError(t, err, "the limits themselves are allowed")
	p, err := s.Probabilities([]float64{0.5, 0.5})
	require.NoError(t, err)
	assert.Len(t, p, MaxClasses)
	for _, args := range []struct {
		d      int
		sigma  float64
		levels int
	}{{0, 1, 5}, {-3, 1, 5}, {2, 0, 5}, {2, -1, 5}, {2, math.Inf(1), 5}, {2, 1, 1}, {2, 1, MaxLevels + 1}} {
		_, err := DefaultEdges(args.d, args.sigma, args.levels)
		assert.Error(t, err, "%+v", args)
	}
}

// TestErrorsLocateTheirRow: training-set and input errors carry the row and feature
// at fault (errors.As into *InputError) and wrap ErrInvalidInput.
func TestErrorsLocateTheirRow(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(1))
	require.NoError(t, err)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		call         func() error
		row, feature int
	}{
		"training NaN": {func() error {
			_, err := New([][]float64{{0, 0}, {1, math.NaN()}}, []int{0, 1}, WithSigma(1))
			return err
		}, 1, 1},
		"training ragged": {func() error { _, err := New([][]float64{{0, 0}, {1}}, []int{0, 1}, WithSigma(1)); return err }, 1, -1},
		"label negative":  {func() error { _, err := New(X, []int{0, 1, 0, -2, 1}, WithSigma(1)); return err }, 3, -1},
		"label ≥ C": {func() error {
			_, err := New(X, []int{0, 1, 0, 1, 4}, WithSigma(1), WithClasses(3))
			return err
		}, 4, -1},
		"input NaN":        {func() error { _, err := s.Probabilities([]float64{0, math.NaN()}); return err }, -1, 1},
		"input dimension":  {func() error { _, err := s.Evaluate([]float64{0}); return err }, -1, -1},
		"batch row Inf":    {func() error { _, err := s.EvaluateBatch(ctx, [][]float64{{0, 0}, {math.Inf(1), 0}}); return err }, 1, 0},
		"batch row length": {func() error { _, _, err := s.ProbabilitiesBatchWithError(ctx, [][]float64{{0}}); return err }, 0, -1},
	} {
		err := tc.call()
		require.ErrorIs(t, err, ErrInvalidInput, name)
		var ie *InputError
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, [2]int{tc.row, tc.feature}, [2]int{ie.Row, ie.Feature}, "%s: %v", name, err)
	}
}

// TestNilContext: the batch methods reject a nil context instead of panicking.
func TestNilContext(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(1))
	require.NoError(t, err)
	_, err = s.ProbabilitiesBatch(nil, X) // a nil context is the input under test
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Contains(t, err.Error(), "knn: ProbabilitiesBatch: nil context")
}

// TestSigmaRange: σ whose square or scaled edges cannot be represented is rejected
// with a message saying so, by New and DefaultEdges alike; the range ends are valid.
func TestSigmaRange(t *testing.T) {
	X, y := tinyData()
	for _, sigma := range []float64{1e-300, 1e-152, 1e152, 1e300, math.MaxFloat64} {
		_, err := New(X, y, WithSigma(sigma))
		require.ErrorIs(t, err, ErrInvalidInput, "σ = %g", sigma)
		assert.Contains(t, err.Error(), "outside the representable range", "σ = %g", sigma)
		_, err = DefaultEdges(2, sigma, 10)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.Contains(t, err.Error(), "knn: DefaultEdges: σ = ", "σ = %g", sigma)
	}
	for _, sigma := range []float64{minSigma, maxSigma} {
		s, err := New(X, y, WithSigma(sigma))
		require.NoError(t, err, "σ = %g", sigma)
		p, err := s.Probabilities([]float64{0, 0})
		require.NoError(t, err)
		assert.InDelta(t, 1, p[0]+p[1]+p[2], 1e-12)
	}
}
