package attack

import (
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/errs"
)

// dataset returns n rows of d features in [0, 1) and labels i mod classes.
func dataset(n, d, classes int) ([][]float64, []int) {
	X := make([][]float64, n)
	y := make([]int, n)
	for i := range X {
		X[i] = make([]float64, d)
		for j := range X[i] {
			X[i][j] = float64((i*31+j*17)%97) / 97
		}
		y[i] = i % classes
	}
	return X, y
}

func deepCopy(X [][]float64) [][]float64 {
	out := make([][]float64, len(X))
	for i, row := range X {
		out[i] = slices.Clone(row)
	}
	return out
}

func TestPoisonAllToOne(t *testing.T) {
	X, y := dataset(200, 8, 4)
	X0, y0 := deepCopy(X), slices.Clone(y)
	p, err := FourPixelFeatures(8, [4]int{1, 3, 5, 7}, 0.1)
	require.NoError(t, err)
	got, err := Poison(X, y, p, WithRate(0.1), WithTarget(2), WithSeed(7))
	require.NoError(t, err)
	assert.Equal(t, X0, X, "X untouched")
	assert.Equal(t, y0, y, "y untouched")

	assert.Equal(t, 20, got.R)
	require.Len(t, got.Indices, 20)
	assert.True(t, slices.IsSorted(got.Indices))
	assert.Len(t, slices.Compact(slices.Clone(got.Indices)), 20, "distinct rows")
	poisoned := map[int]bool{}
	for k, i := range got.Indices {
		poisoned[i] = true
		assert.NotEqual(t, 2, y[i], "row %d already had the target label", i)
		assert.Equal(t, 2, got.Y[i])
		want, err := p.Apply(X[i])
		require.NoError(t, err)
		assert.Equal(t, want.X, got.X[i])
		assert.Equal(t, want.Norm, got.Norms[k])
		assert.InEpsilon(t, 0.1, got.Norms[k], 1e-14)
	}
	for i := range X {
		if !poisoned[i] {
			assert.Equal(t, X[i], got.X[i], "row %d", i)
			assert.Equal(t, y[i], got.Y[i], "row %d", i)
		}
	}
	assert.Equal(t, slices.Max(got.Norms), got.MaxNorm)
	// √r·‖δ‖₂, the left-hand side of eq. (12) for r copies of one pattern.
	assert.InEpsilon(t, math.Sqrt(20)*0.1, got.TotalNorm, 1e-13)
	var sum big.Float
	for _, n := range got.Norms {
		sum.Add(&sum, exactSquare(n))
	}
	assert.GreaterOrEqual(t, exactSquare(got.TotalNorm).Cmp(&sum), 0)

	// The copy is deep and its rows do not share capacity.
	got.X[0] = append(got.X[0], 42)
	assert.Equal(t, X[1], got.X[1])
}

func TestPoisonDefaults(t *testing.T) {
	X, y := dataset(50, 4, 2)
	p, err := OnePixelFeatures(4, 0, 0.1)
	require.NoError(t, err)
	got, err := Poison(X, y, p)
	require.NoError(t, err)
	assert.Equal(t, 5, got.R, "10 %% of 50")
	for _, i := range got.Indices {
		assert.Equal(t, 1, y[i])
		assert.Equal(t, 0, got.Y[i], "default target 0")
	}
	again, err := Poison(X, y, p, WithSeed(0))
	require.NoError(t, err)
	assert.Equal(t, got.Indices, again.Indices, "default seed 0")
}

// r = ⌊rate·n·(1 + 10⁻¹²)⌋, counted against all n rows.
func TestPoisonRateRounding(t *testing.T) {
	p, err := OnePixelFeatures(2, 0, 0.1)
	require.NoError(t, err)
	for _, tc := range []struct {
		n    int
		rate float64
		r    int
	}{
		{100, 0.29, 29}, // 0.29·100 = 28.999999999999996 in float64
		{100, 0.57, 57}, // 56.99999999999999
		{10, 0.1, 1},
		{10, 0.15, 1}, // floor, not round-half-up
		{10, 0.19, 1},
		{20, 0.35, 7},
		{7, 0.5, 3},
		{3, 1.0 / 3, 1},
		{12, 1, 12},
		{1, 1, 1},
	} {
		X, y := dataset(tc.n, 2, 2)
		got, err := Poison(X, y, p, WithRate(tc.rate), WithAllToAll(2))
		require.NoError(t, err, "n=%d rate=%v", tc.n, tc.rate)
		assert.Equal(t, tc.r, got.R, "n=%d rate=%v", tc.n, tc.rate)
		assert.Len(t, got.Indices, tc.r)
	}
	X, y := dataset(9, 2, 2)
	_, err = Poison(X, y, p, WithRate(0.1))
	assert.ErrorContains(t, err, "poison rate 0.1 of 9 rows poisons no row")
	// All-to-one at rate 1 needs every row outside the target class.
	X, y = dataset(10, 2, 2)
	_, err = Poison(X, y, p, WithRate(1))
	assert.ErrorContains(t, err, "asks for 10 poisoned rows, but only 5 rows have a label other than the target 0")
	got, err := Poison(X, y, p, WithRate(0.5))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3, 5, 7, 9}, got.Indices, "every non-target row")
}

func TestPoisonSeed(t *testing.T) {
	X, y := dataset(1000, 3, 10)
	p, err := Blend(Tabular(3), 0.1, 1)
	require.NoError(t, err)
	a, err := Poison(X, y, p, WithSeed(11))
	require.NoError(t, err)
	b, err := Poison(X, y, p, WithSeed(11))
	require.NoError(t, err)
	c, err := Poison(X, y, p, WithSeed(12))
	require.NoError(t, err)
	assert.Equal(t, a, b, "same seed, bit-identical result")
	assert.NotEqual(t, a.Indices, c.Indices, "different seed, different rows")
	assert.Equal(t, 100, c.R)
}

func TestPoisonAllToAll(t *testing.T) {
	X, y := dataset(60, 5, 3)
	p, err := OnePixel(Shape{H: 1, W: 5, C: 1}, 0.2)
	require.NoError(t, err)
	got, err := Poison(X, y, p, WithRate(0.5), WithAllToAll(3), WithSeed(3))
	require.NoError(t, err)
	assert.Equal(t, 30, got.R)
	seen := map[int]bool{}
	for _, i := range got.Indices {
		assert.Equal(t, (y[i]+1)%3, got.Y[i])
		seen[y[i]] = true
	}
	assert.Len(t, seen, 3, "all classes, the last one wrapping to 0, are eligible")
	for _, i := range got.Indices {
		if y[i] == 2 {
			assert.Equal(t, 0, got.Y[i])
		}
	}
	// A declared class count larger than the labels present changes the wrap.
	X, y = dataset(10, 5, 2)
	got, err = Poison(X, y, p, WithRate(1), WithAllToAll(3))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, got.Y)
}

func TestPoisonClip(t *testing.T) {
	X := [][]float64{{0.99, 0}, {0.5, 0}, {1, 0}, {0.2, 0}}
	y := []int{1, 1, 1, 1}
	p, err := OnePixelFeatures(2, 0, 0.1)
	require.NoError(t, err)
	got, err := Poison(X, y, p, WithRate(1), WithClip(0, 1))
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 3}, got.Indices)
	assert.InDeltaSlice(t, []float64{1, 0.6, 1, 0.3}, []float64{got.X[0][0], got.X[1][0], got.X[2][0], got.X[3][0]}, 1e-16)
	assert.InDelta(t, 0.01, got.Norms[0], 1e-15)
	assert.Zero(t, got.Norms[2], "nothing added to a saturated entry")
	assert.InEpsilon(t, 0.1, got.MaxNorm, 1e-14)
	for _, k := range []int{0, 1, 3} {
		assertBoundsChange(t, got.Norms[k], X[k], got.X[k])
	}
	assert.Equal(t, X[2], got.X[2])
	assert.InEpsilon(t, math.Sqrt(0.01*0.01+0.1*0.1+0.1*0.1), got.TotalNorm, 1e-13)
}

func TestPoisonErrors(t *testing.T) {
	X, y := dataset(20, 3, 2)
	p, err := OnePixelFeatures(3, 0, 0.1)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		X    [][]float64
		y    []int
		p    Pattern
		opts []PoisonOption
		want string
	}{
		{"rate 0", X, y, p, []PoisonOption{WithRate(0)}, "poison rate 0 outside (0, 1]"},
		{"rate > 1", X, y, p, []PoisonOption{WithRate(1.5)}, "poison rate 1.5 outside (0, 1]"},
		{"rate < 0", X, y, p, []PoisonOption{WithRate(-0.1)}, "outside (0, 1]"},
		{"rate NaN", X, y, p, []PoisonOption{WithRate(math.NaN())}, "poison rate NaN"},
		{"target < 0", X, y, p, []PoisonOption{WithTarget(-1)}, "target label -1 is negative"},
		{"target ≥ C inferred", X, y, p, []PoisonOption{WithTarget(2)}, "target label 2 outside [0, 2) (class count inferred as max(y)+1"},
		{"target ≥ C declared", X, y, p, []PoisonOption{WithTarget(5), WithClasses(3)}, "target label 5 outside [0, 3) (class count declared"},
		{"target and all-to-all", X, y, p, []PoisonOption{WithTarget(1), WithAllToAll(2)}, "exclude each other"},
		{"all-to-all 1 class", X, y, p, []PoisonOption{WithAllToAll(1)}, "WithAllToAll(1): a classifier needs at least 2 classes"},
		{"conflicting classes", X, y, p, []PoisonOption{WithClasses(3), WithAllToAll(4)}, "conflicting class counts 3 and 4"},
		{"empty", nil, nil, p, nil, "the data set has no rows"},
		{"label count", X, y[:5], p, nil, "5 labels for 20 rows"},
		{"ragged", [][]float64{{1, 2, 3}, {1, 2}}, []int{0, 1}, p, nil, "row 1 has 2 entries, the pattern's rows have 3"},
		{"NaN", [][]float64{{1, 2, 3}, {1, math.NaN(), 3}}, []int{0, 1}, p, nil, "row 1 entry 1 is NaN"},
		{"Inf", [][]float64{{math.Inf(1), 2, 3}}, []int{1}, p, nil, "row 0 entry 0 is +Inf"},
		{"outside clip", X, y, p, []PoisonOption{WithClip(0, 0.5)}, "lies outside the clip range [0, 0.5]"},
		{"negative label", X, append(slices.Clone(y[:19]), -1), p, nil, "label y[19] = -1 outside [0, 2)"},
		{"zero pattern", X, y, Pattern{}, nil, "zero Pattern"},
		{"wrong dimension", X, y, mustPattern(OnePixelFeatures(4, 0, 0.1)), nil, "row 0 has 3 entries, the pattern's rows have 4"},
	} {
		_, err := Poison(tc.X, tc.y, tc.p, tc.opts...)
		assert.ErrorIs(t, err, errs.ErrInvalidInput, tc.name)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
	y3 := slices.Clone(y)
	y3[4] = 3
	_, err = Poison(X, y3, p, WithClasses(3))
	assert.ErrorContains(t, err, "label y[4] = 3 outside [0, 3) (class count declared with WithClasses)")
}

func mustPattern(p Pattern, err error) Pattern {
	if err != nil {
		panic(err)
	}
	return p
}

func TestTrigger(t *testing.T) {
	X, y := dataset(30, 6, 3)
	X0, y0 := deepCopy(X), slices.Clone(y)
	p, err := Blend(Tabular(6), 0.1, 4)
	require.NoError(t, err)
	got, err := Trigger(X, y, p, 1, WithClip(0, 1))
	require.NoError(t, err)
	assert.Equal(t, X0, X)
	assert.Equal(t, y0, y)
	require.Len(t, got.Indices, 20)
	for k, i := range got.Indices {
		assert.NotEqual(t, 1, y[i])
		assert.Equal(t, y[i], got.Labels[k])
		assert.Equal(t, 1, got.Targets[k])
		want, err := p.Apply(X[i], WithClip(0, 1))
		require.NoError(t, err)
		assert.Equal(t, want.X, got.X[k])
		assert.Equal(t, want.Norm, got.Norms[k])
	}
	assert.True(t, slices.IsSorted(got.Indices))
	assert.Equal(t, slices.Max(got.Norms), got.MaxNorm)

	_, err = Trigger(X, make([]int, 30), p, 0)
	assert.ErrorContains(t, err, "every one of the 30 rows has the target label 0")
	_, err = Trigger(X, y, p, -1)
	assert.ErrorContains(t, err, "target label -1 is negative")
	_, err = Trigger(X, y, p, 3)
	assert.ErrorContains(t, err, "target label 3 outside [0, 3)")
	_, err = Trigger(X, y, p, 3, WithClasses(4))
	assert.NoError(t, err)
	_, err = Trigger(X, y, p, 0, WithClip(0, 1), nil)
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "attack: Trigger: option 1 is nil")
	_, err = Trigger(X[:0], y[:0], p, 0)
	assert.ErrorContains(t, err, "no rows")
}

func TestTriggerAllToAll(t *testing.T) {
	X, y := dataset(12, 6, 4)
	p, err := OnePixelFeatures(6, 2, 0.1)
	require.NoError(t, err)
	got, err := TriggerAllToAll(X, y, p, 4)
	require.NoError(t, err)
	require.Len(t, got.Indices, 12)
	for k := range got.Indices {
		assert.Equal(t, k, got.Indices[k])
		assert.Equal(t, y[k], got.Labels[k])
		assert.Equal(t, (y[k]+1)%4, got.Targets[k])
		assert.InDelta(t, X[k][2]+0.1, got.X[k][2], 1e-16)
	}
	_, err = TriggerAllToAll(X, y, p, 3)
	assert.ErrorContains(t, err, "label y[3] = 3 outside [0, 3)")
	_, err = TriggerAllToAll(X, y, p, 1)
	assert.ErrorContains(t, err, "at least 2 classes")
	_, err = TriggerAllToAll(X, y, p, 4, nil)
	assert.EqualError(t, err, "attack: TriggerAllToAll: option 0 is nil")
}
