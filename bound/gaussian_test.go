package bound

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGaussianRadiusSpecialCases(t *testing.T) {
	tests := []struct {
		name          string
		sigma, pA, pB float64
		want          float64
	}{
		{"equal bounds", 1, 0.5, 0.5, 0},
		{"both zero", 1, 0, 0, 0},
		{"both one", 1, 1, 1, 0},
		{"certain top class", 1, 1, 0, math.Inf(1)},
		// Adjacent float64 pA, pB: the exact gap (about 4e-15) is below the
		// error margin of the quantiles, so nothing may be certified.
		{"gap below rounding", 1, math.Nextafter(0.99, 1), 0.99, 0},
		{"overflowing sigma", math.MaxFloat64, 0.99, 0.01, math.MaxFloat64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GaussianRadius(tt.sigma, tt.pA, tt.pB)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestGaussianRadiusOneLimit checks that only pA = 1 with pB = 0 gives +Inf: one
// limit alone is replaced by the nearest value inside, pA = 1 − 2⁻⁵³ (Φ⁻¹ ≈ 8.2095)
// or pB = 2⁻¹⁰²² (Φ⁻¹ ≈ −37.519), a finite radius below the exact, infinite one.
func TestGaussianRadiusOneLimit(t *testing.T) {
	for _, tt := range []struct{ pA, pB, gap float64 }{
		{1, 0.3, upperNormalQuantile(0x1p-53) - normalQuantile(0.3)},
		{0.7, 0, normalQuantile(0.7) - normalQuantile(0x1p-1022)},
	} {
		got, err := GaussianRadius(2, tt.pA, tt.pB)
		require.NoError(t, err)
		assert.InEpsilon(t, tt.gap, got, 1e-12, "pA = %v, pB = %v", tt.pA, tt.pB)
		assert.LessOrEqual(t, got, tt.gap, "pA = %v, pB = %v", tt.pA, tt.pB)
	}
}

// TestGaussianRadiusSmallGap checks a tiny but resolvable gap: the exact
// radius for pA = 1/2 + δ, pB = 1/2 is σ/2·δ·√(2π) up to a relative O(δ²)
// (Φ⁻¹ has slope √(2π) at 1/2).
func TestGaussianRadiusSmallGap(t *testing.T) {
	pA := 0.5 + 1e-12
	got, err := GaussianRadius(2, pA, 0.5)
	require.NoError(t, err)
	exact := (pA - 0.5) * math.Sqrt(2*math.Pi) // pA − 1/2 = 9.999778782798785e-13, exactly
	assert.InEpsilon(t, exact, got, 1e-12)
	assert.LessOrEqual(t, got, exact)
}

func TestGaussianRadiusMonotone(t *testing.T) {
	radius := func(sigma, pA, pB float64) float64 {
		r, err := GaussianRadius(sigma, pA, pB)
		require.NoError(t, err)
		return r
	}
	grid := []float64{1e-9, 0.001, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-9}
	for i, lo := range grid {
		for _, hi := range grid[i+1:] {
			base := radius(1, hi, lo)
			assert.Greater(t, base, 0.0)
			// grows with pA
			assert.Greater(t, radius(1, math.Min(hi+(1-hi)/2, 1), lo), base, "pA %v→ larger, pB %v", hi, lo)
			// falls with pB
			assert.Less(t, radius(1, hi, lo+(hi-lo)/2), base, "pA %v, pB %v→ larger", hi, lo)
			// grows linearly with σ
			assert.InEpsilon(t, 3*base, radius(3, hi, lo), 1e-15)
			assert.Greater(t, radius(1.5, hi, lo), base)
		}
	}
}

func TestGaussianPatternRadius(t *testing.T) {
	full, err := GaussianRadius(0.7, 0.95, 0.02)
	require.NoError(t, err)
	for _, r := range []int{1, 2, 9, 1000} {
		got, err := GaussianPatternRadius(0.7, 0.95, 0.02, r)
		require.NoError(t, err)
		assert.InEpsilon(t, full/math.Sqrt(float64(r)), got, 1e-15, "r = %d", r)
	}
	inf, err := GaussianPatternRadius(1, 1, 0, 5)
	require.NoError(t, err)
	assert.Equal(t, math.Inf(1), inf)
}

func TestGaussianRadiusErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name          string
		sigma, pA, pB float64
		r             int
		mention       string
	}{
		{"zero sigma", 0, 0.9, 0.1, 1, "sigma"},
		{"negative sigma", -1, 0.9, 0.1, 1, "sigma"},
		{"NaN sigma", nan, 0.9, 0.1, 1, "sigma"},
		{"infinite sigma", inf, 0.9, 0.1, 1, "sigma"},
		{"NaN pA", 1, nan, 0.1, 1, "pA"},
		{"NaN pB", 1, 0.9, nan, 1, "pB"},
		{"infinite pA", 1, inf, 0.1, 1, "pA"},
		{"pA above 1", 1, 1.1, 0.1, 1, "pA"},
		{"negative pB", 1, 0.9, -0.1, 1, "pB"},
		{"pA below pB", 1, 0.4, 0.6, 1, "smaller than pB"},
		{"zero r", 1, 0.9, 0.1, 0, "r"},
		{"negative r", 1, 0.9, 0.1, -2, "r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GaussianPatternRadius(tt.sigma, tt.pA, tt.pB, tt.r)
			assertInvalid(t, got, err, tt.mention)
			if tt.r >= 1 {
				got, err = GaussianRadius(tt.sigma, tt.pA, tt.pB)
				assertInvalid(t, got, err, tt.mention)
			}
		})
	}
}
