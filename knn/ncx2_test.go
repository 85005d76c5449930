package knn

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mathext"
)

// ncx2Ref is testdata/ncx2_ref.json, written by testdata/gen_ncx2.py
// (scipy.stats.ncx2.cdf, cross-checked there with a 30-digit mpmath series).
type ncx2Ref struct {
	Records [][5]*float64 `json:"records"`
}

func loadNCX2Ref(t *testing.T) [][5]*float64 {
	t.Helper()
	raw, err := os.ReadFile("testdata/ncx2_ref.json")
	require.NoError(t, err)
	var ref ncx2Ref
	require.NoError(t, json.Unmarshal(raw, &ref))
	require.NotEmpty(t, ref.Records)
	return ref.Records
}

// evalCDF evaluates F(t; d, λ) through a one-edge cdfTable, the Smoother's code path.
func evalCDF(d int, lam, t float64) (f, errBound float64) {
	tb := newCDFTable(d, []float64{t})
	var pw poissonWindow
	pw.fill(lam/2, tb.row(0).kZero)
	return tb.eval(&pw, 0)
}

func TestNoncentralChiSquaredCDFMatchesSciPy(t *testing.T) {
	seen := map[[2]float64]bool{}
	for _, r := range loadNCX2Ref(t) {
		d, lam, x, want := int(*r[0]), *r[1], *r[2], *r[3]
		seen[[2]float64{float64(d), lam}] = true
		got, bound := evalCDF(d, lam, x)
		// SciPy (Boost) and mpmath agree to ~1e-13 relative; the series here is
		// truncated at 2^-62 absolute.
		tol := 1e-12*want + 1e-15
		assert.InDelta(t, want, got, tol, "d=%d λ=%g t=%g", d, lam, x)
		// The bound includes the effect of rounding in a computed λ (relative (d+4)ε),
		// which is ~1e-10·F in the tails at λ = 1e5.
		assert.Less(t, bound, 1e-9*want+1e-15, "error bound d=%d λ=%g t=%g", d, lam, x)
		if lam <= 1e3 { // relative error bound ≲ 1e-11
			assert.Less(t, bound, 1e-11*want+1e-16, "error bound d=%d λ=%g t=%g", d, lam, x)
		}
		if mp := r[4]; mp != nil {
			// The 30-digit value is exact to double precision: the bound must hold.
			assert.LessOrEqual(t, math.Abs(got-*mp), bound+1e-16**mp, "mpmath d=%d λ=%g t=%g", d, lam, x)
		}
	}
	for _, d := range []int{1, 2, 56, 64} {
		for _, lam := range []float64{0, 1e-3, 1e3, 1e5} {
			assert.True(t, seen[[2]float64{float64(d), lam}], "reference lacks d=%d λ=%g", d, lam)
		}
	}
}

func TestCDFRowIsRegularisedGamma(t *testing.T) {
	// H[k] = P(d/2+k, x), compared with gonum's regularised incomplete gamma.
	for _, tc := range []struct {
		d int
		x float64
	}{{1, 1e-9}, {1, 0.3}, {2, 5}, {56, 20}, {56, 28}, {64, 500}, {56, 5e4}} {
		tb := newCDFTable(tc.d, []float64{2 * tc.x})
		r := tb.row(0)
		require.LessOrEqual(t, r.kOne, r.kZero)
		a := float64(tc.d) / 2
		for k := r.kOne; k <= r.kZero; k += max(1, (r.kZero-r.kOne)/17) {
			want := mathext.GammaIncReg(a+float64(k), tc.x)
			assert.InDelta(t, want, r.vals[k-r.kOne], 1e-12*want+1e-14, "d=%d x=%g k=%d", tc.d, tc.x, k)
		}
		// Outside the band the truncation claims hold.
		if r.kOne > 0 {
			assert.GreaterOrEqual(t, mathext.GammaIncReg(a+float64(r.kOne-1), tc.x), 1-1e-15)
		}
		assert.LessOrEqual(t, mathext.GammaIncReg(a+float64(r.kZero+1), tc.x), 1e-15)
	}
}

func TestDpoisRawAgainstLogSpace(t *testing.T) {
	// Moderate arguments where exp(x log μ − μ − lgamma(x+1)) is accurate enough.
	for _, tc := range [][2]float64{{0, 3}, {3, 0}, {0, 0}, {0.5, 0.1}, {4, 4}, {17.5, 20}, {30, 12}, {100, 130}} {
		x, mu := tc[0], tc[1]
		var want float64
		switch {
		case mu == 0 && x == 0:
			want = 1
		case mu == 0:
			want = 0
		default:
			lg, _ := math.Lgamma(x + 1)
			want = math.Exp(x*math.Log(mu) - mu - lg)
		}
		assert.InDelta(t, want, dpoisRaw(x, mu), 1e-13*want+1e-300, "x=%g μ=%g", x, mu)
	}
	// Huge arguments: the mass at the mode is ≈ 1/√(2πμ).
	mu := 1e6
	assert.InDelta(t, 1/math.Sqrt(2*math.Pi*mu), dpoisRaw(mu, mu), 1e-7/math.Sqrt(mu))
}

// TestDpoisErrorBound checks dpois's relative error bound against 60-digit mpmath
// masses (testdata/dpois_ref.json, written by testdata/gen_dpois.py) at half-integer
// and integer x from 0.5 to 2·10⁶, around the mode and in both branches of bd0 out to
// masses of 10⁻³⁰⁰: the error never exceeds the bound, and within one standard
// deviation of the mode the bound stays below 64ε (it replaced a measured budget of
// 1024ε for every mass).
func TestDpoisErrorBound(t *testing.T) {
	raw, err := os.ReadFile("testdata/dpois_ref.json")
	require.NoError(t, err)
	var ref struct {
		Records [][3]float64 `json:"records"`
	}
	require.NoError(t, json.Unmarshal(raw, &ref))
	require.Greater(t, len(ref.Records), 300)
	var maxRatio, maxModeBound float64
	for _, r := range ref.Records {
		x, mu, want := r[0], r[1], r[2]
		got, rel := dpois(x, mu)
		errAbs := math.Abs(got - want)
		// want is the float64 nearest the exact mass: allow its half ulp.
		require.LessOrEqual(t, errAbs, rel*want+unit*want, "x=%g μ=%g: error %.3g, bound %.3g", x, mu, errAbs/want, rel)
		if rel > 0 {
			maxRatio = max(maxRatio, errAbs/(rel*want))
		}
		if math.Abs(x-mu) <= math.Sqrt(x) {
			maxModeBound = max(maxModeBound, rel/eps)
		}
	}
	t.Logf("max error/bound %.3f; max bound within one sd of the mode %.1fε", maxRatio, maxModeBound)
	// Measured: 0.34 and 49ε (x = 28 at one sd, in bd0's direct branch, whose
	// cancellation is real: the error there is 3.7ε).
	assert.Less(t, maxModeBound, 64.0)
	assert.Greater(t, maxRatio, 0.05, "the bound is not vacuous")
}
