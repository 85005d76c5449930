package bound

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNormalQuantileNearOne pins down the distinction between the float64
// nearest 1 − 1e-12 and the real number 1 − 1e-12. Values from mpmath at 100
// digits (testdata/gen_reference.py): Φ⁻¹(1 − 9.999778782798785e-13) =
// 7.0344869100478352…, Φ⁻¹(1 − 10⁻¹²) = 7.0344838253011316…
func TestNormalQuantileNearOne(t *testing.T) {
	p := 1 - 1e-12
	require.Equal(t, 9.999778782798785e-13, 1-p, "the float64 nearest 1 − 1e-12 is 1 − 9.999778782798785e-13")

	atDouble := normalQuantile(p)
	atReal := upperNormalQuantile(1e-12)
	assert.InEpsilon(t, 7.0344869100478352, atDouble, refTol)
	assert.InEpsilon(t, 7.0344838253011316, atReal, refTol)
	assert.Greater(t, (atDouble-atReal)/atReal, 4e-7, "the two quantiles must be told apart")
}

func TestNormalQuantileEndpoints(t *testing.T) {
	assert.Equal(t, math.Inf(-1), normalQuantile(0))
	assert.Equal(t, math.Inf(1), normalQuantile(1))
	assert.Equal(t, 0.0, normalQuantile(0.5))
	assert.Equal(t, math.Inf(1), upperNormalQuantile(0))
	assert.Equal(t, math.Inf(-1), upperNormalQuantile(1))
}

// TestNormalQuantileSubnormal checks that subnormal p, where AS241 is
// inaccurate, yield Φ⁻¹(2⁻¹⁰²²): an upper bound on Φ⁻¹(p) since Φ⁻¹ increases.
func TestNormalQuantileSubnormal(t *testing.T) {
	floor := normalQuantile(smallestNormal)
	for _, p := range []float64{5e-324, 1e-320, 1e-310, math.Nextafter(smallestNormal, 0)} {
		assert.Equal(t, floor, normalQuantile(p), "p = %v", p)
	}
	assert.Less(t, floor, normalQuantile(2*smallestNormal))
}

// TestNormalQuantileMonotone walks p across all branches of AS241 (central
// region |p − 1/2| ≤ 0.425, intermediate and far tails, both sides) and the
// switch to the upper tail at 1/2: Φ⁻¹ must never decrease (near 1 adjacent
// grid points can share a float64 or a quantile).
func TestNormalQuantileMonotone(t *testing.T) {
	var ps []float64
	for e := -307.0; e < -0.31; e += 0.05 {
		ps = append(ps, math.Pow(10, e))
	}
	for p := 0.49; p < 0.51; p += 1e-4 {
		ps = append(ps, p)
	}
	for e := -0.31; e > -16; e -= 0.05 {
		ps = append(ps, 1-math.Pow(10, e))
	}
	prev := math.Inf(-1)
	prevP := 0.0
	for _, p := range ps {
		q := normalQuantile(p)
		require.GreaterOrEqual(t, q, prev, "Φ⁻¹ must not decrease: Φ⁻¹(%v) = %v, Φ⁻¹(%v) = %v", prevP, prev, p, q)
		prev, prevP = q, p
	}
}
