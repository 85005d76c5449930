package bound

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference is one value computed independently of this package by
// testdata/gen_reference.py (see reference_values_test.go).
type reference struct {
	fn     string    // function under test
	args   []float64 // its arguments in order; integers are exact
	want   float64   // the exact value rounded to float64
	source string    // how want was computed
}

// refTol is the relative tolerance of the reference values.
const refTol = 1e-9

// safeSide tells on which side of the exact value each function promises to
// err: -1 never above it (radii, lower bounds), +1 never below it (upper
// bounds), 0 either.
var safeSide = map[string]int{
	"normalQuantile":        0,
	"upperNormalQuantile":   0,
	"HoeffdingWidth":        0,
	"GaussianRadius":        -1,
	"GaussianPatternRadius": -1,
	"UniformPatternRadius":  -1,
	"UniformL1Radius":       -1,
	"ClopperPearsonLower":   -1,
	"ClopperPearsonUpper":   +1,
	"Estimate.PA":           -1,
	"Estimate.PB":           +1,
	"EstimateHoeffding.PA":  -1,
	"EstimateHoeffding.PB":  +1,
}

// strictlyOutward lists the functions that never return the float64 nearest
// the exact value, but one at least an ulp further out (on the safe side).
var strictlyOutward = map[string]bool{
	"ClopperPearsonLower": true,
	"ClopperPearsonUpper": true,
	"Estimate.PA":         true,
}

func TestReferenceValues(t *testing.T) {
	require.GreaterOrEqual(t, len(references), 30)
	for i, ref := range references {
		t.Run(fmt.Sprintf("%03d_%s", i, ref.fn), func(t *testing.T) {
			side, ok := safeSide[ref.fn]
			require.True(t, ok, "no safe side declared for %s", ref.fn)
			got, err := evalReference(ref)
			require.NoError(t, err)
			msg := fmt.Sprintf("%s%v: want %v (%s)", ref.fn, ref.args, ref.want, ref.source)
			assert.LessOrEqual(t, math.Abs(got-ref.want), refTol*math.Abs(ref.want), msg)
			switch side {
			case -1:
				assert.LessOrEqual(t, got, ref.want, "must not exceed the exact value: "+msg)
			case +1:
				assert.GreaterOrEqual(t, got, ref.want, "must not fall below the exact value: "+msg)
			}
			// The Clopper–Pearson bounds move at least one ulp outwards from the
			// float64 nearest the exact bound, except at the trivial 0 and 1.
			if strictlyOutward[ref.fn] && ref.want != 0 && ref.want != 1 {
				assert.NotEqual(t, ref.want, got, "must lie at least one ulp outside the exact value: "+msg)
			}
		})
	}
}

// evalReference calls the function a reference names with its arguments.
func evalReference(ref reference) (float64, error) {
	a := ref.args
	n := func(i int) int { return int(a[i]) }
	switch ref.fn {
	case "normalQuantile":
		return normalQuantile(a[0]), nil
	case "upperNormalQuantile":
		return upperNormalQuantile(a[0]), nil
	case "GaussianRadius":
		return GaussianRadius(a[0], a[1], a[2])
	case "GaussianPatternRadius":
		return GaussianPatternRadius(a[0], a[1], a[2], n(3))
	case "ClopperPearsonLower":
		return ClopperPearsonLower(n(0), n(1), a[2])
	case "ClopperPearsonUpper":
		return ClopperPearsonUpper(n(0), n(1), a[2])
	case "HoeffdingWidth":
		return HoeffdingWidth(n(0), a[1])
	case "UniformPatternRadius":
		return UniformPatternRadius(a[0], a[1], a[2], a[3], n(4), n(5))
	case "UniformL1Radius":
		return UniformL1Radius(a[0], a[1], a[2], a[3])
	case "Estimate.PA", "Estimate.PB", "EstimateHoeffding.PA", "EstimateHoeffding.PB":
		counts := make([]int, len(a)-1)
		for i := range counts {
			counts[i] = n(i + 1)
		}
		var opts []Option
		if strings.HasPrefix(ref.fn, "EstimateHoeffding") {
			opts = append(opts, WithHoeffding())
		}
		est, err := Estimate(counts, a[0], opts...)
		if strings.HasSuffix(ref.fn, ".PA") {
			return est.PA, err
		}
		return est.PB, err
	}
	return 0, fmt.Errorf("unknown function %q", ref.fn)
}
