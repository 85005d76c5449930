package knn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tableAt evaluates F(t; d, λ) through a one-edge cdfTable's interpolation, the
// pipeline's code path.
func tableAt(d int, lam, t float64) (f, errBound float64) {
	tb := newCDFTable(d, []float64{t})
	return tb.at(0, tb.locate(lam/2))
}

// TestInterpolationMatchesReferences checks the interpolated CDF at the reference
// points of testdata/ncx2_ref.json (SciPy, and 30-digit mpmath where affordable) as
// TestNoncentralChiSquaredCDFMatchesSciPy checks the series: within its reported
// bound of the exact value, and that bound small. The points lie anywhere in their
// cells, not at the interpolation nodes.
func TestInterpolationMatchesReferences(t *testing.T) {
	var maxRatio float64
	for _, r := range loadNCX2Ref(t) {
		d, lam, x, want := int(*r[0]), *r[1], *r[2], *r[3]
		got, bound := tableAt(d, lam, x)
		msg := []any{"d=%d λ=%g t=%g", d, lam, x}
		assert.InDelta(t, want, got, 1e-12*want+1e-15, msg...)
		assert.Less(t, bound, 1e-9*want+1e-15, msg...)
		if lam <= 1e3 {
			assert.Less(t, bound, 1e-11*want+1e-16, msg...)
		}
		if mp := r[4]; mp != nil {
			assert.LessOrEqual(t, math.Abs(got-*mp), bound+1e-16**mp, msg...)
			if bound > 0 {
				maxRatio = max(maxRatio, math.Abs(got-*mp)/bound)
			}
		}
	}
	t.Logf("max |table − mpmath| / bound = %.3g", maxRatio)
}

// TestInterpolationMatchesSeries compares the table with the series (eval) at
// many points of every cell of several edges, below, across and above their
// transitions: the two rigorous bounds must overlap. And every cell's own error bound
// (without the effect of a computed μ) stays within (300 + 20√x)ε of F's largest value
// on the cell, plus 10⁻¹⁶: the interpolation costs little accuracy (the √x part is the
// effect of the edge's own rounding, which the series bound leaves out).
func TestInterpolationMatchesSeries(t *testing.T) {
	rng := newRand(71)
	var maxRatio, maxCell float64
	for _, c := range []struct {
		d int
		x float64
	}{{1, 0.3}, {2, 5}, {3, 40}, {56, 10}, {56, 150}, {56, 4000}, {784, 500}} {
		tb := newCDFTable(c.d, []float64{2 * c.x})
		var w poissonWindow
		vTop := math.Sqrt(c.x) + 12
		for range 400 {
			v := vTop * rng.Float64()
			mu := v * v
			got, bound := tb.at(0, tb.locate(mu))
			w.fill(mu, tb.row(0).kZero)
			want, wantErr := tb.eval(&w, 0)
			require.LessOrEqual(t, math.Abs(got-want), bound+wantErr, "d=%d x=%g μ=%g", c.d, c.x, mu)
			maxRatio = max(maxRatio, math.Abs(got-want)/(bound+wantErr))
		}
		ec := &tb.edges[0]
		for i := range ec.cells {
			cell := &ec.cells[i]
			if !cell.ready.Load() {
				continue
			}
			mid, half := cellGeometry(ec.lo + i)
			w.fill(mid-half, tb.row(0).kZero)
			fA, fAErr := tb.eval(&w, 0)
			limit := 300 + 20*math.Sqrt(c.x) // in ε: the edge's own rounding costs up to ~10√x
			assert.LessOrEqual(t, cell.err, limit*eps*(fA+fAErr)+1e-16, "d=%d x=%g cell %d", c.d, c.x, ec.lo+i)
			maxCell = max(maxCell, (cell.err-1e-16)/(fA+fAErr)/eps/limit)
		}
	}
	t.Logf("max |table − series| / (bounds) = %.3g; max (cell bound − 1e-16) / (max F on the cell · limit) = %.3g", maxRatio, maxCell)
}

// TestInterpolationConstants checks the regions outside an edge's cells: far above
// the edge F is 0 within zeroTol, far below it 1 within oneTol, at any distance
// (λ = +Inf included).
func TestInterpolationConstants(t *testing.T) {
	tb := newCDFTable(56, []float64{100})
	for _, mu := range []float64{1e4, 1e8, 1e20, math.MaxFloat64, math.Inf(1)} {
		f, e := tb.at(0, tb.locate(mu))
		assert.Zero(t, f, "μ=%g", mu)
		assert.LessOrEqual(t, e, zeroTol, "μ=%g", mu)
	}
	tb = newCDFTable(2, []float64{1e4})
	for _, mu := range []float64{0, 1e-300, 1, 100} {
		f, e := tb.at(0, tb.locate(mu))
		assert.Equal(t, 1.0, f, "μ=%g", mu)
		assert.LessOrEqual(t, e, oneTol, "μ=%g", mu)
	}
}
