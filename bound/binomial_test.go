package bound

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cpBounds(t *testing.T, k, n int, alpha float64) (lower, upper float64) {
	t.Helper()
	lower, err := ClopperPearsonLower(k, n, alpha)
	require.NoError(t, err)
	upper, err = ClopperPearsonUpper(k, n, alpha)
	require.NoError(t, err)
	return lower, upper
}

// TestClopperPearsonClosedForms checks the cases with closed forms:
// Beta⁻¹(α; n, 1) = α^(1/n), so the lower bound for k = n is α^(1/n) and the
// upper bound for k = 0 is 1 − α^(1/n); k = 0 and k = n give 0 and 1.
func TestClopperPearsonClosedForms(t *testing.T) {
	for _, n := range []int{1, 2, 7, 100, 12345} {
		for _, alpha := range []float64{0.3, 0.05, 1e-6} {
			root := math.Pow(alpha, 1/float64(n))
			lower, upper := cpBounds(t, n, n, alpha)
			assert.InEpsilon(t, root, lower, refTol)
			assert.LessOrEqual(t, lower, root)
			assert.Equal(t, 1.0, upper)
			lower, upper = cpBounds(t, 0, n, alpha)
			assert.Equal(t, 0.0, lower)
			assert.InEpsilon(t, -math.Expm1(math.Log(alpha)/float64(n)), upper, refTol)
		}
	}
}

// TestClopperPearsonOrder checks lower ≤ k/n ≤ upper and that both bounds
// grow with k and widen as α falls.
func TestClopperPearsonOrder(t *testing.T) {
	for _, n := range []int{1, 3, 10, 57, 1000, 20000} {
		for _, alpha := range []float64{0.4, 0.05, 1e-3, 1e-12} {
			prevLower, prevUpper := -1.0, -1.0
			for k := 0; k <= n; k += max(1, n/37) {
				lower, upper := cpBounds(t, k, n, alpha)
				share := float64(k) / float64(n)
				assert.LessOrEqual(t, lower, share, "k=%d n=%d α=%v", k, n, alpha)
				assert.GreaterOrEqual(t, upper, share, "k=%d n=%d α=%v", k, n, alpha)
				assert.Greater(t, lower, prevLower, "k=%d n=%d α=%v", k, n, alpha)
				assert.Greater(t, upper, prevUpper, "k=%d n=%d α=%v", k, n, alpha)
				prevLower, prevUpper = lower, upper
				if k > 0 && k < n {
					wideLower, wideUpper := cpBounds(t, k, n, alpha/10)
					assert.Less(t, wideLower, lower)
					assert.Greater(t, wideUpper, upper)
				}
			}
		}
	}
}

// TestClopperPearsonCoverage checks the promise itself: for Bin(n, p) the
// probability that the lower bound exceeds p is at most α, and likewise for
// the upper bound falling below p. The binomial probabilities are summed
// exactly enough (log-space terms, error ~1e-13) to tell a violation.
func TestClopperPearsonCoverage(t *testing.T) {
	const n, alpha = 30, 0.1
	for _, p := range []float64{0.02, 0.25, 0.5, 0.61, 0.9, 0.999} {
		var missLower, missUpper float64
		for k := 0; k <= n; k++ {
			lower, upper := cpBounds(t, k, n, alpha)
			prob := binomialPMF(k, n, p)
			if lower > p {
				missLower += prob
			}
			if upper < p {
				missUpper += prob
			}
		}
		assert.LessOrEqual(t, missLower, alpha, "p = %v", p)
		assert.LessOrEqual(t, missUpper, alpha, "p = %v", p)
	}
}

// binomialPMF returns P(Bin(n, p) = k) for 0 < p < 1.
func binomialPMF(k, n int, p float64) float64 {
	lgN, _ := math.Lgamma(float64(n + 1))
	lgK, _ := math.Lgamma(float64(k + 1))
	lgNK, _ := math.Lgamma(float64(n - k + 1))
	return math.Exp(lgN - lgK - lgNK + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
}

// TestClopperPearsonExtremeAlpha checks levels where gonum's InvRegIncBeta
// alone is off by up to 9% (α = 1e-16 and below, k close to n): the bounds
// stay ordered, inside [0, 1] and monotone in α, and one is checked
// against mpmath.
func TestClopperPearsonExtremeAlpha(t *testing.T) {
	for _, n := range []int{300, 10000} {
		for _, k := range []int{1, n / 2, n - 2, n - 1} {
			prevLower, prevUpper := -1.0, 2.0
			for _, alpha := range []float64{1e-300, 1e-100, 1e-16, 1e-8, 0.5, 0.9, 0.999} {
				lower, upper := cpBounds(t, k, n, alpha)
				assert.GreaterOrEqual(t, lower, 0.0)
				assert.LessOrEqual(t, upper, 1.0)
				assert.Greater(t, lower, prevLower, "k=%d n=%d α=%v", k, n, alpha)
				// 1 − 3e-19 and the like round to 1
				assert.LessOrEqual(t, upper, prevUpper, "k=%d n=%d α=%v", k, n, alpha)
				if alpha < 0.5 { // the one-sided bounds cross for α > 1/2
					assert.Less(t, lower, upper)
				}
				prevLower, prevUpper = lower, upper
			}
		}
	}
	// α = 1e-100, k = n − 1 = 999: mpmath at 120 digits gives
	// Beta⁻¹(1e-100; 999, 2) = 0.78990256305463483066…
	lower, err := ClopperPearsonLower(999, 1000, 1e-100)
	require.NoError(t, err)
	assert.InEpsilon(t, 0.78990256305463483066, lower, refTol)
	assert.Less(t, lower, 0.78990256305463483066)
}

func TestHoeffdingWidth(t *testing.T) {
	w, err := HoeffdingWidth(200, math.Exp(-4))
	require.NoError(t, err)
	assert.InEpsilon(t, 0.1, w, 1e-15, "sqrt(4/400)")
	wider, err := HoeffdingWidth(50, math.Exp(-4))
	require.NoError(t, err)
	assert.InEpsilon(t, 2*w, wider, 1e-15, "a quarter of the trials doubles the width")
}

func TestBinomialErrors(t *testing.T) {
	tests := []struct {
		name     string
		k, n     int
		alpha    float64
		mention  string
		withKOff bool // HoeffdingWidth has no k
	}{
		{"zero trials", 0, 0, 0.05, "n must be positive", true},
		{"negative trials", 0, -5, 0.05, "n must be positive", true},
		{"negative k", -1, 10, 0.05, "k must lie in [0, n]", false},
		{"k above n", 11, 10, 0.05, "k must lie in [0, n]", false},
		{"zero alpha", 3, 10, 0, "alpha", true},
		{"alpha one", 3, 10, 1, "alpha", true},
		{"negative alpha", 3, 10, -0.1, "alpha", true},
		{"NaN alpha", 3, 10, math.NaN(), "alpha", true},
		{"infinite alpha", 3, 10, math.Inf(1), "alpha", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lower, err := ClopperPearsonLower(tt.k, tt.n, tt.alpha)
			assertInvalid(t, lower, err, tt.mention)
			upper, err := ClopperPearsonUpper(tt.k, tt.n, tt.alpha)
			assertInvalid(t, upper, err, tt.mention)
			if tt.withKOff {
				w, err := HoeffdingWidth(tt.n, tt.alpha)
				assertInvalid(t, w, err, tt.mention)
			}
		})
	}
}
