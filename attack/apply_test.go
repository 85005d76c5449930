package attack

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/buildcheck"
	"github.com/rabcert/rab/internal/errs"
)

// exactChange returns ‖after − before‖₂² without rounding.
func exactChange(before, after []float64) *big.Float {
	sum := new(big.Float).SetPrec(2400)
	for i := range before {
		d := new(big.Float).SetPrec(2400).Sub(big.NewFloat(after[i]), big.NewFloat(before[i]))
		sum.Add(sum, d.Mul(d, d))
	}
	return sum
}

// assertBoundsChange checks that norm is an upper bound of ‖after − before‖₂ and
// at most a relative 10⁻¹³ above it.
func assertBoundsChange(t *testing.T, norm float64, before, after []float64) {
	t.Helper()
	exact := exactChange(before, after)
	assert.GreaterOrEqual(t, exactSquare(norm).Cmp(exact), 0, "reported norm %v below the exact change", norm)
	loose := new(big.Float).Mul(exactSquare(norm), big.NewFloat(1-2e-13))
	assert.LessOrEqual(t, loose.Cmp(exact), 0, "reported norm %v too loose", norm)
}

func TestApplyAddsDeltaWithoutMutating(t *testing.T) {
	p, err := FourPixel(Shape{H: 3, W: 4, C: 3}, 0.1) // anchor (1, 1)
	require.NoError(t, err)
	x := make([]float64, 36)
	for i := range x {
		x[i] = float64(i) / 36
	}
	orig := slices.Clone(x)
	a, err := p.Apply(x)
	require.NoError(t, err)
	assert.Equal(t, orig, x, "input untouched")
	want := slices.Clone(x)
	for _, px := range [][2]int{{0, 2}, {1, 1}, {2, 0}, {2, 2}} {
		for c := range 3 {
			want[(px[0]*4+px[1])*3+c] += 0.1 / math.Sqrt(12)
		}
	}
	assert.InDeltaSlice(t, want, a.X, 1e-16)
	assert.Zero(t, a.Clipped)
	assert.InEpsilon(t, 0.1, a.Norm, 1e-14)
	assertBoundsChange(t, a.Norm, x, a.X)
}

// Rounding x + δ can add more than ‖δ‖₂; the reported norm still bounds the change.
func TestApplyNormBoundsRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, scale := range []float64{1, 1e3, 1e8} {
		p, err := Blend(Tabular(56), 0.1, 3)
		require.NoError(t, err)
		x := make([]float64, 56)
		for i := range x {
			x[i] = scale * rng.Float64()
		}
		a, err := p.Apply(x)
		require.NoError(t, err)
		assertBoundsChange(t, a.Norm, x, a.X)
		assert.InEpsilon(t, 0.1, a.Norm, 1e-6*scale)
	}
	// δ of 0.75 ulp(1) rounds up to a full ulp: the change exceeds ‖δ‖₂.
	p, err := OnePixelFeatures(1, 0, 0.75*0x1p-52)
	require.NoError(t, err)
	a, err := p.Apply([]float64{1})
	require.NoError(t, err)
	assert.Equal(t, 1+0x1p-52, a.X[0])
	assert.GreaterOrEqual(t, a.Norm, 0x1p-52)
	assertBoundsChange(t, a.Norm, []float64{1}, a.X)
}

func TestApplyClip(t *testing.T) {
	p, err := FourPixelFeatures(6, [4]int{0, 1, 2, 3}, 0.1) // 0.05 each
	require.NoError(t, err)
	x := []float64{0.97, 1, 0.5, 0, 0.2, 1}
	a, err := p.Apply(x, WithClip(0, 1))
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 1, 0.55, 0.05, 0.2, 1}, roundSlice(a.X))
	assert.Equal(t, 2, a.Clipped)
	// Exact change: (0.03, 0, 0.05, 0.05) up to float64 rounding, ‖·‖₂ ≈ 0.0768.
	assert.InDelta(t, math.Sqrt(0.03*0.03+2*0.05*0.05), a.Norm, 1e-15)
	assertBoundsChange(t, a.Norm, x, a.X)
	assert.Less(t, a.Norm, p.Norm())

	// A clip range that is only bounded above, as in the reference implementation.
	a, err = p.Apply(x, WithClip(math.Inf(-1), 1))
	require.NoError(t, err)
	assert.Equal(t, 2, a.Clipped)

	// Everything clipped away: the change is exactly zero.
	a, err = p.Apply([]float64{1, 1, 1, 1, 0, 0}, WithClip(0, 1))
	require.NoError(t, err)
	assert.Zero(t, a.Norm)
	assert.Equal(t, 4, a.Clipped)
}

func roundSlice(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Round(x*1e12) / 1e12
	}
	return out
}

func TestApplyToInPlaceAndAllocationFree(t *testing.T) {
	p, err := Blend(Shape{H: 8, W: 8, C: 1}, 0.1, 5)
	require.NoError(t, err)
	x := make([]float64, 64)
	for i := range x {
		x[i] = 0.5
	}
	a, err := p.ApplyTo(x, x, WithClip(0, 1))
	require.NoError(t, err)
	assert.Equal(t, &x[0], &a.X[0], "in place")
	delta := p.Delta()
	for i := range x {
		assert.InDelta(t, 0.5+delta[i], x[i], 1e-16)
	}
	dst := make([]float64, 64)
	clip := WithClip(0, 1)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = p.ApplyTo(dst, x)
		_, _ = p.ApplyTo(dst, x, clip)
	})
	assert.Zero(t, allocs)
}

func TestApplyErrors(t *testing.T) {
	p, err := OnePixelFeatures(4, 1, 0.1)
	require.NoError(t, err)
	_, err = p.Apply([]float64{1, 2, 3})
	assert.ErrorContains(t, err, "x has 3 entries, the pattern's rows have 4")
	_, err = p.ApplyTo(make([]float64, 3), []float64{1, 2, 3, 4})
	assert.ErrorContains(t, err, "dst has 3 entries")
	_, err = p.Apply([]float64{1, math.NaN(), 3, 4})
	assert.ErrorContains(t, err, "entry 1 is NaN: rows must be finite")
	_, err = p.Apply([]float64{1, 2, math.Inf(-1), 4})
	assert.ErrorContains(t, err, "entry 2 is -Inf")
	_, err = p.Apply([]float64{0, 0.5, 1.5, 1}, WithClip(0, 1))
	assert.ErrorContains(t, err, "entry 2 = 1.5 lies outside the clip range [0, 1]")
	_, err = p.Apply([]float64{0, 0, 0, 0}, WithClip(1, 1))
	assert.ErrorContains(t, err, "clip range [1, 1] is empty")
	_, err = p.Apply([]float64{0, 0, 0, 0}, WithClip(math.NaN(), 1))
	assert.ErrorContains(t, err, "clip range")
	_, err = Pattern{}.Apply([]float64{0})
	assert.ErrorContains(t, err, "zero Pattern")

	big, err := OnePixelFeatures(2, 0, math.MaxFloat64)
	require.NoError(t, err)
	_, err = big.Apply([]float64{math.MaxFloat64, 0})
	assert.ErrorContains(t, err, "overflows")
}

func TestNilOption(t *testing.T) {
	p, err := OnePixelFeatures(2, 0, 0.1)
	require.NoError(t, err)
	_, err = p.Apply([]float64{0, 0}, nil)
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "attack: Pattern.Apply: option 0 is nil")
	_, err = Poison([][]float64{{0, 0}}, []int{1}, p, WithRate(1), nil)
	assert.EqualError(t, err, "attack: Poison: option 1 is nil")
}

// TestMisplacedOptionsDoNotCompile: an option given to a call it does not configure
// is a compile error (testdata/misplaced, which also shows where each option does
// compile).
func TestMisplacedOptionsDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildcheck.Expect(t, "testdata/misplaced")
}
