package bound

import (
	"math"
	"strings"
	"testing"

	"github.com/rabcert/rab/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filled returns r rows of d coordinates, all of magnitude v with
// alternating signs (eq. (15) depends on |δ_ij| only).
func filled(r, d int, v float64) [][]float64 {
	delta := make([][]float64, r)
	for i := range delta {
		delta[i] = make([]float64, d)
		for j := range delta[i] {
			delta[i][j] = v
			if (i+j)%2 == 1 {
				delta[i][j] = -v
			}
		}
	}
	return delta
}

func certified(t *testing.T, a, b, pA, pB float64, delta [][]float64) bool {
	t.Helper()
	ok, err := UniformCertified(a, b, pA, pB, delta)
	require.NoError(t, err)
	return ok
}

// TestUniformCertifiedByHand checks eq. (15) on products that can be worked
// out by hand; U([0, 1]) noise, so the factors are 1 − |δ|.
func TestUniformCertifiedByHand(t *testing.T) {
	tests := []struct {
		name   string
		pA, pB float64
		delta  [][]float64
		want   bool
	}{
		// threshold 1 − (0.9 − 0.1)/2 = 0.6
		{"no poisoned instance", 0.9, 0.1, nil, true},
		{"zero pattern", 0.9, 0.1, [][]float64{{0, 0}}, true},
		{"0.61 > 0.6", 0.9, 0.1, [][]float64{{0.39}}, true},
		{"0.59 < 0.6", 0.9, 0.1, [][]float64{{-0.41}}, false},
		{"0.8·0.8 = 0.64 > 0.6", 0.9, 0.1, [][]float64{{0.2}, {-0.2}}, true},
		{"0.77² = 0.5929 < 0.6", 0.9, 0.1, [][]float64{{0.23, 0.23}}, false},
		{"factor clipped at 0", 0.9, 0.1, [][]float64{{0, 3}}, false},
		// boundaries met exactly must not be certified (strict inequality)
		{"single factor on the boundary", 0.75, 0.25, [][]float64{{0.25}}, false},
		{"0.75² = 1 − 0.875/2 exactly", 0.9375, 0.0625, [][]float64{{0.25, 0.25}}, false},
		{"just inside the exact boundary", 0.9375, 0.0625, [][]float64{{0.25, 0.2499}}, true},
		{"equal bounds certify nothing", 0.5, 0.5, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, certified(t, 0, 1, tt.pA, tt.pB, tt.delta))
		})
	}
}

// TestUniformCertifiedScale checks that only |δ|/(b − a) matters.
func TestUniformCertifiedScale(t *testing.T) {
	assert.True(t, certified(t, -5, 5, 0.9, 0.1, [][]float64{{3.9}}))
	assert.False(t, certified(t, -5, 5, 0.9, 0.1, [][]float64{{4.1}}))
	assert.True(t, certified(t, 10, 10.5, 0.9, 0.1, [][]float64{{0.195}}))
	assert.False(t, certified(t, 10, 10.5, 0.9, 0.1, [][]float64{{0.205}}))
}

// TestUniformPatternRadiusConsistent checks UniformPatternRadius against
// UniformCertified on both sides of the boundary, with up to 20 000 factors.
func TestUniformPatternRadiusConsistent(t *testing.T) {
	tests := []struct {
		a, b, pA, pB float64
		d, r         int
	}{
		{0, 1, 0.9, 0.1, 1, 1},
		{-1, 1, 0.8, 0.15, 10, 1},
		{-0.5, 0.5, 0.999, 0.001, 784, 20},
		{0, 2, 0.6, 0.4, 3, 5},
		{-1, 1, 1, 0, 57, 1},
		{0, 1, 0.5000001, 0.4999999, 50, 50},
	}
	for _, tt := range tests {
		eps, err := UniformPatternRadius(tt.a, tt.b, tt.pA, tt.pB, tt.d, tt.r)
		require.NoError(t, err)
		require.Greater(t, eps, 0.0)
		assert.True(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, filled(tt.r, tt.d, eps)),
			"pattern at the radius %v must be certified: %+v", eps, tt)
		assert.False(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, filled(tt.r, tt.d, eps*(1+1e-9))),
			"pattern just outside the radius %v must not be certified: %+v", eps, tt)
		// any pattern within the radius: one coordinate at ε, the rest smaller
		mixed := filled(tt.r, tt.d, eps/3)
		mixed[0][0] = eps
		assert.True(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, mixed))
	}
}

// TestUniformL1RadiusConsistent checks UniformL1Radius against
// UniformCertified: all L1 mass on one coordinate is the worst arrangement.
func TestUniformL1RadiusConsistent(t *testing.T) {
	tests := []struct{ a, b, pA, pB float64 }{
		{0, 1, 0.9, 0.1},
		{-1, 1, 0.8, 0.15},
		{-3, 0.5, 0.999, 0.001},
		{0, 1, 1, 0},
	}
	const r, d = 4, 25
	for _, tt := range tests {
		l1, err := UniformL1Radius(tt.a, tt.b, tt.pA, tt.pB)
		require.NoError(t, err)
		concentrated := func(mass float64) [][]float64 {
			delta := filled(r, d, 0)
			delta[2][7] = -mass
			return delta
		}
		assert.True(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, concentrated(l1)), "%+v", tt)
		assert.False(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, concentrated(l1*(1+1e-9))), "%+v", tt)
		// spread evenly, the same and even 20% more L1 mass is certified
		assert.True(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, filled(r, d, l1/(r*d))), "%+v", tt)
		assert.True(t, certified(t, tt.a, tt.b, tt.pA, tt.pB, filled(r, d, 1.2*l1/(r*d))), "%+v", tt)
	}
}

func TestUniformRadiiEqualBounds(t *testing.T) {
	eps, err := UniformPatternRadius(0, 1, 0.4, 0.4, 3, 2)
	require.NoError(t, err)
	assert.Zero(t, eps)
	l1, err := UniformL1Radius(0, 1, 0.4, 0.4)
	require.NoError(t, err)
	assert.Zero(t, l1)
}

// TestUniformRadiiMonotone checks that the radii grow with pA and b − a and
// shrink with pB, d and r.
func TestUniformRadiiMonotone(t *testing.T) {
	pattern := func(b, pA, pB float64, d, r int) float64 {
		eps, err := UniformPatternRadius(0, b, pA, pB, d, r)
		require.NoError(t, err)
		return eps
	}
	l1 := func(b, pA, pB float64) float64 {
		v, err := UniformL1Radius(0, b, pA, pB)
		require.NoError(t, err)
		return v
	}
	base := pattern(1, 0.8, 0.1, 5, 3)
	assert.Greater(t, pattern(1, 0.9, 0.1, 5, 3), base)
	assert.Greater(t, pattern(2, 0.8, 0.1, 5, 3), base)
	assert.Less(t, pattern(1, 0.8, 0.2, 5, 3), base)
	assert.Less(t, pattern(1, 0.8, 0.1, 6, 3), base)
	assert.Less(t, pattern(1, 0.8, 0.1, 5, 4), base)
	assert.Greater(t, l1(1, 0.9, 0.1), l1(1, 0.8, 0.1))
	assert.Less(t, l1(1, 0.8, 0.2), l1(1, 0.8, 0.1))
	assert.Greater(t, l1(3, 0.8, 0.1), l1(1, 0.8, 0.1))
}

func TestUniformCertifiedDoesNotModifyDelta(t *testing.T) {
	delta := [][]float64{{0.1, -0.2}, {0.3, -0.05}}
	want := [][]float64{{0.1, -0.2}, {0.3, -0.05}}
	_, err := UniformCertified(0, 1, 0.99, 0.01, delta)
	require.NoError(t, err)
	assert.Equal(t, want, delta)
}

// TestUniformErrors checks the arguments shared by all three uniform
// functions, then those of UniformPatternRadius and UniformCertified alone.
func TestUniformErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	shared := []struct {
		name         string
		a, b, pA, pB float64
		mention      string
	}{
		{"a equals b", 1, 1, 0.9, 0.1, "a < b"},
		{"a above b", 2, 1, 0.9, 0.1, "a < b"},
		{"NaN a", nan, 1, 0.9, 0.1, "a must"},
		{"infinite b", 0, inf, 0.9, 0.1, "b must"},
		{"width overflows", -math.MaxFloat64, math.MaxFloat64, 0.9, 0.1, "overflows"},
		{"NaN pA", 0, 1, nan, 0.1, "pA"},
		{"pB above 1", 0, 1, 0.9, 1.5, "pB"},
		{"pA below pB", 0, 1, 0.1, 0.9, "smaller than pB"},
	}
	for _, tt := range shared {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := UniformCertified(tt.a, tt.b, tt.pA, tt.pB, [][]float64{{0.1}})
			assertInvalid(t, ok, err, tt.mention)
			eps, err := UniformPatternRadius(tt.a, tt.b, tt.pA, tt.pB, 2, 3)
			assertInvalid(t, eps, err, tt.mention)
			l1, err := UniformL1Radius(tt.a, tt.b, tt.pA, tt.pB)
			assertInvalid(t, l1, err, tt.mention)
		})
	}
	for _, tt := range []struct {
		name    string
		d, r    int
		mention string
	}{{"zero d", 0, 1, "d ("}, {"negative r", 1, -1, "r ("}} {
		t.Run(tt.name, func(t *testing.T) {
			eps, err := UniformPatternRadius(0, 1, 0.9, 0.1, tt.d, tt.r)
			assertInvalid(t, eps, err, tt.mention)
		})
	}
	for _, tt := range []struct {
		name         string
		delta        [][]float64
		mention      string
		row, feature int
	}{
		{"ragged delta", [][]float64{{0.1, 0.2}, {0.1}}, "ragged", 1, -1},
		{"empty row", [][]float64{{}}, "empty", 0, -1},
		{"NaN in delta", [][]float64{{0.1}, {nan}}, "row 1, feature 0: delta must be a finite number", 1, 0},
		{"Inf in delta", [][]float64{{-inf}}, "row 0, feature 0: delta must be a finite number", 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := UniformCertified(0, 1, 0.9, 0.1, tt.delta)
			assertInvalid(t, ok, err, tt.mention)
			var located *errs.InputError
			require.ErrorAs(t, err, &located)
			assert.Equal(t, [2]int{tt.row, tt.feature}, [2]int{located.Row, located.Feature})
		})
	}
}

// assertInvalid checks that a call failed with an error that mentions the
// offending argument and returned the zero value.
func assertInvalid[T comparable](t *testing.T, got T, err error, mention string) {
	t.Helper()
	var zero T
	require.Error(t, err)
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.True(t, strings.HasPrefix(err.Error(), "bound: "), "%q: messages start with the package and call", err)
	assert.Contains(t, err.Error(), mention)
	assert.Equal(t, zero, got)
}
