package attack

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/errs"
)

type pixel struct{ h, w, c int }

// pixelsOf returns the coordinates of the entries p sets.
func pixelsOf(p Pattern) []pixel {
	var px []pixel
	for _, i := range p.Indices() {
		h, w, c := p.Shape().Coords(i)
		px = append(px, pixel{h, w, c})
	}
	return px
}

// inChannels lists channels 0..C−1 of each pixel.
func inChannels(pixels [][2]int, C int) []pixel {
	var out []pixel
	for _, px := range pixels {
		for c := range C {
			out = append(out, pixel{px[0], px[1], c})
		}
	}
	return out
}

// assertExactNorm checks the invariant: the exact ‖δ‖₂ is at most Norm() and
// within a relative 10⁻¹⁵ of it.
func assertExactNorm(t *testing.T, p Pattern, norm float64) {
	t.Helper()
	assert.Equal(t, norm, p.Norm())
	exact := exactSumSquares(p.Values())
	assert.LessOrEqual(t, exact.Cmp(exactSquare(norm)), 0, "exact ‖δ‖₂ exceeds Norm()")
	lower := new(big.Float).Mul(exactSquare(norm), big.NewFloat(1-2e-15))
	assert.GreaterOrEqual(t, exact.Cmp(lower), 0, "exact ‖δ‖₂ more than 1e-15 below Norm()")
}

func TestOnePixelNonSquareRGB(t *testing.T) {
	s := Shape{H: 4, W: 6, C: 3}
	p, err := OnePixel(s, 0.1)
	require.NoError(t, err)
	// Default: the centre ((4−1)/2, (6−1)/2) = (1, 2), every channel.
	assert.Equal(t, inChannels([][2]int{{1, 2}}, 3), pixelsOf(p))
	assert.Equal(t, []int{24, 25, 26}, p.Indices()) // (1·6 + 2)·3 + c
	assertExactNorm(t, p, 0.1)
	for _, v := range p.Values() {
		assert.InDelta(t, 0.1/math.Sqrt(3), v, 1e-17)
	}
	assert.Equal(t, KindOnePixel, p.Kind())
	assert.Equal(t, s, p.Shape())
	assert.Equal(t, 72, p.Dim())

	// Near the bottom-right corner, where swapping H and W would fall outside.
	p, err = OnePixel(s, 0.5, AtPixel(3, 5), InChannel(1))
	require.NoError(t, err)
	assert.Equal(t, []pixel{{3, 5, 1}}, pixelsOf(p))
	assert.Equal(t, []int{70}, p.Indices())
	assert.Equal(t, []float64{0.5}, p.Values())
	delta := p.Delta()
	require.Len(t, delta, 72)
	assert.Equal(t, 0.5, delta[70])
	delta[70] = 0
	assert.Equal(t, make([]float64, 72), delta)
}

func TestFourPixelNonSquareRGB(t *testing.T) {
	s := Shape{H: 6, W: 9, C: 3}
	p, err := FourPixel(s, 0.1)
	require.NoError(t, err)
	// Anchor (2, 4): pixels (1, 5), (2, 4), (3, 3), (3, 5), three channels each.
	assert.Equal(t, inChannels([][2]int{{1, 5}, {2, 4}, {3, 3}, {3, 5}}, 3), pixelsOf(p))
	assertExactNorm(t, p, 0.1)
	for _, v := range p.Values() {
		assert.InDelta(t, 0.1/math.Sqrt(12), v, 1e-17)
	}

	p, err = FourPixel(s, 2, AtPixel(4, 1), InChannel(2))
	require.NoError(t, err)
	assert.Equal(t, []pixel{{3, 2, 2}, {4, 1, 2}, {5, 0, 2}, {5, 2, 2}}, pixelsOf(p))
	assert.Equal(t, []float64{1, 1, 1, 1}, p.Values())
	assertExactNorm(t, p, 2)
}

// The paper's reference implementation (attack_lib.py of the RAB authors) puts the
// CIFAR-10 one-pixel trigger at (15, 15) and the four-pixel trigger at (14, 16),
// (15, 15), (16, 14), (16, 16), in all three channels.
func TestPixelPatternsMatchReferenceOnCIFAR(t *testing.T) {
	s := Shape{H: 32, W: 32, C: 3}
	one, err := OnePixel(s, 0.1)
	require.NoError(t, err)
	assert.Equal(t, []pixel{{15, 15, 0}, {15, 15, 1}, {15, 15, 2}}, pixelsOf(one))
	four, err := FourPixel(s, 0.1)
	require.NoError(t, err)
	assert.Equal(t, inChannels([][2]int{{14, 16}, {15, 15}, {16, 14}, {16, 16}}, 3), pixelsOf(four))
}

func TestPixelPatternsOnDigits(t *testing.T) {
	s := Shape{H: 8, W: 8, C: 1}
	one, err := OnePixel(s, 0.1)
	require.NoError(t, err)
	assert.Equal(t, []int{27}, one.Indices())
	assert.Equal(t, []float64{0.1}, one.Values())
	four, err := FourPixel(s, 0.1)
	require.NoError(t, err)
	assert.Equal(t, []int{20, 27, 34, 36}, four.Indices())
	// 0.1/2 is exact, so ‖δ‖₂ = 2·(0.1/2) = 0.1 exactly.
	assert.Equal(t, []float64{0.05, 0.05, 0.05, 0.05}, four.Values())
	assert.Zero(t, exactSumSquares(four.Values()).Cmp(exactSquare(0.1)))
}

func TestPixelPatternErrors(t *testing.T) {
	s := Shape{H: 4, W: 6, C: 3}
	_, err := OnePixel(s, 0.1, AtPixel(4, 0))
	assert.ErrorContains(t, err, "pixel (4, 0) outside 4×6 image")
	_, err = OnePixel(s, 0.1, AtPixel(0, -1))
	assert.ErrorContains(t, err, "outside")
	_, err = OnePixel(s, 0.1, InChannel(3))
	assert.ErrorContains(t, err, "channel 3 outside [0, 3)")
	_, err = OnePixel(s, 0.1, AtPixel(1, 1), nil)
	assert.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "attack: one-pixel pattern: option 1 is nil")
	_, err = OnePixel(Shape{H: 0, W: 6, C: 3}, 0.1)
	assert.ErrorContains(t, err, "is empty")
	_, err = FourPixel(s, 0.1, AtPixel(0, 2))
	assert.ErrorContains(t, err, "four-pixel anchor (0, 2) needs 1 ≤ h ≤ H−2")
	_, err = FourPixel(s, 0.1, AtPixel(1, 5))
	assert.ErrorContains(t, err, "four-pixel anchor")
	_, err = FourPixel(Tabular(56), 0.1)
	assert.ErrorContains(t, err, "use FourPixelFeatures")
	_, err = FourPixel(Shape{}, 0.1)
	assert.ErrorContains(t, err, "is empty")
	_, err = FourPixel(s, 0.1, InChannel(-1))
	assert.ErrorContains(t, err, "channel -1")
}

func TestNormErrors(t *testing.T) {
	s := Shape{H: 4, W: 6, C: 3}
	for _, norm := range []float64{0, -0.1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := OnePixel(s, norm)
		assert.ErrorContains(t, err, "must be positive and finite", "norm %v", norm)
		_, err = FourPixel(s, norm)
		assert.ErrorContains(t, err, "must be positive and finite", "norm %v", norm)
		_, err = Blend(s, norm, 1)
		assert.ErrorContains(t, err, "must be positive and finite", "norm %v", norm)
		_, err = OnePixelFeatures(56, 25, norm)
		assert.ErrorContains(t, err, "must be positive and finite", "norm %v", norm)
		_, err = FourPixelFeatures(56, [4]int{25, 26, 27, 50}, norm)
		assert.ErrorContains(t, err, "must be positive and finite", "norm %v", norm)
	}
	// Norms whose entries would be subnormal cannot be represented exactly.
	_, err := OnePixel(s, 1e-310)
	assert.ErrorContains(t, err, "too small")
	_, err = Blend(s, 1e-315, 1)
	assert.ErrorContains(t, err, "too small")
}

// The paper's reference implementation uses Spambase feature 25 (one-pixel) and
// 25, 26, 27, 50 (four-pixel).
func TestFeaturePatterns(t *testing.T) {
	one, err := OnePixelFeatures(56, 25, 0.1)
	require.NoError(t, err)
	assert.Equal(t, []int{25}, one.Indices())
	assert.Equal(t, []float64{0.1}, one.Values())
	assert.Equal(t, Tabular(56), one.Shape())
	assertExactNorm(t, one, 0.1)

	four, err := FourPixelFeatures(56, [4]int{50, 25, 27, 26}, 0.1)
	require.NoError(t, err)
	assert.Equal(t, []int{25, 26, 27, 50}, four.Indices())
	assert.Equal(t, []float64{0.05, 0.05, 0.05, 0.05}, four.Values())
	assert.Equal(t, KindFourPixel, four.Kind())
	assertExactNorm(t, four, 0.1)

	_, err = OnePixelFeatures(56, 56, 0.1)
	assert.ErrorContains(t, err, "feature index 56 outside the row [0, 56)")
	_, err = OnePixelFeatures(56, -1, 0.1)
	assert.ErrorContains(t, err, "feature index -1 outside")
	_, err = FourPixelFeatures(56, [4]int{25, 26, 25, 50}, 0.1)
	assert.ErrorContains(t, err, "feature index 25 given twice")
	_, err = FourPixelFeatures(56, [4]int{0, 1, 2, 60}, 0.1)
	assert.ErrorContains(t, err, "feature index 60 outside")
	_, err = OnePixelFeatures(0, 0, 0.1)
	assert.ErrorContains(t, err, "is empty")
}

func TestBlend(t *testing.T) {
	s := Shape{H: 5, W: 7, C: 3}
	for _, norm := range []float64{0.1, 1, 4 * math.Sqrt(3), 1e-3, 1e10, 1e-250} {
		p, err := Blend(s, norm, 9)
		require.NoError(t, err)
		assert.Equal(t, KindBlend, p.Kind())
		assertExactNorm(t, p, norm)
		require.Len(t, p.Indices(), s.Dim())
		for i, idx := range p.Indices() {
			assert.Equal(t, i, idx)
		}
	}
	a, err := Blend(Tabular(56), 0.1, 1)
	require.NoError(t, err)
	b, err := Blend(Tabular(56), 0.1, 1)
	require.NoError(t, err)
	c, err := Blend(Tabular(56), 0.1, 2)
	require.NoError(t, err)
	assert.Equal(t, a.Delta(), b.Delta(), "same seed, same pattern")
	assert.NotEqual(t, a.Delta(), c.Delta(), "different seed, different pattern")
	// Uniform noise before scaling: entries of both signs, none zero.
	var neg int
	for _, v := range a.Values() {
		assert.NotZero(t, v)
		if v < 0 {
			neg++
		}
	}
	assert.Greater(t, neg, 10)
	assert.Less(t, neg, 46)

	_, err = Blend(Shape{H: 2, W: -1, C: 1}, 0.1, 1)
	assert.ErrorContains(t, err, "is empty")
}

func TestCustom(t *testing.T) {
	p, err := Custom(Tabular(3), []float64{3, 0, -4})
	require.NoError(t, err)
	assert.Equal(t, 5.0, p.Norm())
	assert.Equal(t, []int{0, 2}, p.Indices())
	assert.Equal(t, []float64{3, -4}, p.Values())
	assert.Equal(t, []float64{3, 0, -4}, p.Delta())
	assert.Equal(t, KindCustom, p.Kind())

	// ‖(1, 1)‖₂ = √2 is irrational: Norm is the smallest float64 above it.
	p, err = Custom(Tabular(2), []float64{1, 1})
	require.NoError(t, err)
	two := big.NewFloat(2)
	assert.GreaterOrEqual(t, exactSquare(p.Norm()).Cmp(two), 0)
	assert.Less(t, exactSquare(math.Nextafter(p.Norm(), 0)).Cmp(two), 0)

	// Tiny and huge entries, where a naive Σv² under- or overflows.
	p, err = Custom(Tabular(2), []float64{3e-200, 4e-200})
	require.NoError(t, err)
	assert.InEpsilon(t, 5e-200, p.Norm(), 1e-15)
	p, err = Custom(Tabular(2), []float64{3e200, 4e200})
	require.NoError(t, err)
	assert.InEpsilon(t, 5e200, p.Norm(), 1e-15)

	_, err = Custom(Tabular(3), []float64{1, 2})
	assert.ErrorContains(t, err, "δ has 2 entries, shape 1×3×1 needs 3")
	_, err = Custom(Tabular(2), []float64{1, math.NaN()})
	assert.ErrorContains(t, err, "δ[1] = NaN is not finite")
	_, err = Custom(Tabular(2), []float64{0, 0})
	assert.ErrorContains(t, err, "δ is zero")
	_, err = Custom(Tabular(2), []float64{math.MaxFloat64, math.MaxFloat64})
	assert.ErrorContains(t, err, "overflows")
	_, err = Custom(Shape{}, nil)
	assert.ErrorContains(t, err, "is empty")
}

func TestPatternIsImmutable(t *testing.T) {
	p, err := FourPixelFeatures(8, [4]int{0, 1, 2, 3}, 1)
	require.NoError(t, err)
	p.Indices()[0] = 7
	p.Values()[0] = 99
	p.Delta()[0] = 99
	assert.Equal(t, []int{0, 1, 2, 3}, p.Indices())
	assert.Equal(t, []float64{0.5, 0.5, 0.5, 0.5}, p.Values())
}

func TestStrings(t *testing.T) {
	p, err := FourPixel(Shape{H: 8, W: 8, C: 1}, 0.1)
	require.NoError(t, err)
	assert.Equal(t, "four-pixel pattern on 8×8×1 rows, 4 entries, ‖δ‖₂ = 0.1", p.String())
	assert.Equal(t, "zero Pattern", Pattern{}.String())
	assert.Equal(t, "one-pixel", KindOnePixel.String())
	assert.Equal(t, "blending", KindBlend.String())
	assert.Equal(t, "custom", KindCustom.String())
	assert.Equal(t, "Kind(9)", Kind(9).String())
}

// shrinkToNorm brings a vector whose exact norm lies a few ulps above the target
// to at most the target, moving each entry by a few ulps only.
func TestShrinkToNorm(t *testing.T) {
	v := []float64{math.Nextafter(3, 4), 4} // exact norm just above 5
	shrinkToNorm(v, 5)
	assert.LessOrEqual(t, exactSumSquares(v).Cmp(exactSquare(5)), 0)
	assert.Less(t, v[1], 4.0, "the entries moved")
	assert.InEpsilon(t, 3, v[0], 1e-15)
	assert.InEpsilon(t, 4, v[1], 1e-15)

	w := []float64{3, 4} // exactly 5: untouched
	shrinkToNorm(w, 5)
	assert.Equal(t, []float64{3, 4}, w)
}
