package attack

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rabcert/rab/internal/errs"
)

// Kind names the family a [Pattern] belongs to.
type Kind uint8

// The pattern families of the paper's evaluation (Section 7.1.5), and Custom.
const (
	KindOnePixel Kind = iota + 1
	KindFourPixel
	KindBlend
	KindCustom
)

// String returns the paper's name of the family: "one-pixel", "four-pixel",
// "blending" or "custom".
func (k Kind) String() string {
	switch k {
	case KindOnePixel:
		return "one-pixel"
	case KindFourPixel:
		return "four-pixel"
	case KindBlend:
		return "blending"
	case KindCustom:
		return "custom"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Pattern is an additive backdoor trigger δ ∈ ℝᵈ for rows of a given [Shape]. It is
// immutable and safe for concurrent use. Build one with [OnePixel], [FourPixel],
// [Blend], [OnePixelFeatures], [FourPixelFeatures] or [Custom]; the zero Pattern is
// not usable.
//
// Invariant: the exact real-number norm ‖δ‖₂ of the stored float64 entries is at
// most [Pattern.Norm].
type Pattern struct {
	kind    Kind
	shape   Shape
	norm    float64
	indices []int     // ascending flat indices of the entries δ sets
	values  []float64 // δ at indices
}

// Kind returns the family of the pattern.
func (p Pattern) Kind() Kind { return p.kind }

// Shape returns the shape of the rows the pattern applies to.
func (p Pattern) Shape() Shape { return p.shape }

// Dim returns the length of the rows the pattern applies to.
func (p Pattern) Dim() int { return p.shape.Dim() }

// Norm returns ‖δ‖₂: the norm requested from the constructor (for [Custom], the
// smallest float64 not below the exact norm). The exact norm of the stored δ never
// exceeds it, and a constructor's δ is within a few ulps of it.
func (p Pattern) Norm() float64 { return p.norm }

// Indices returns the ascending flat indices of the entries δ sets (every index
// for [Blend]); see [Shape.Coords] for their pixel coordinates.
func (p Pattern) Indices() []int { return slices.Clone(p.indices) }

// Values returns δ at [Pattern.Indices].
func (p Pattern) Values() []float64 { return slices.Clone(p.values) }

// Delta returns δ as a dense vector of length [Pattern.Dim].
func (p Pattern) Delta() []float64 {
	d := make([]float64, p.Dim())
	for k, i := range p.indices {
		d[i] = p.values[k]
	}
	return d
}

// String describes the pattern, e.g. "four-pixel pattern on 8×8×1 rows, 4 entries,
// ‖δ‖₂ = 0.1".
func (p Pattern) String() string {
	if p.kind == 0 {
		return "zero Pattern"
	}
	return fmt.Sprintf("%v pattern on %v rows, %d entries, ‖δ‖₂ = %v", p.kind, p.shape, len(p.indices), p.norm)
}

// PatternOption places a [OnePixel] or [FourPixel] pattern. A nil PatternOption is
// an error.
type PatternOption interface{ place(placement) placement }

type patternOption func(placement) placement

func (f patternOption) place(p placement) placement { return f(p) }

// placement is where a pixel pattern goes: its anchor pixel and its channel (all
// channels unless inChannel).
type placement struct {
	h, w      int
	channel   int
	inChannel bool
}

// AtPixel places a one-pixel pattern at pixel (h, w), or centres a four-pixel
// pattern there: its pixels are then (h−1, w+1), (h, w), (h+1, w−1), (h+1, w+1).
func AtPixel(h, w int) PatternOption {
	return patternOption(func(p placement) placement { p.h, p.w = h, w; return p })
}

// InChannel restricts the pattern to channel c; by default it covers every channel
// of its pixels, as the paper's reference implementation does for colour images.
func InChannel(c int) PatternOption {
	return patternOption(func(p placement) placement { p.channel, p.inChannel = c, true; return p })
}

// OnePixel returns the one-pixel pattern of the paper (Section 7.1.5): a single
// pixel, by default the centre ((H−1)/2, (W−1)/2) (pixel (15, 15) on CIFAR-10 as in
// the reference implementation, (3, 3) on 8×8 digits), every channel unless
// [InChannel] is given, each entry norm/√k for k touched entries, so ‖δ‖₂ = norm.
// [AtPixel] moves it.
func OnePixel(s Shape, norm float64, opts ...PatternOption) (Pattern, error) {
	return pixelPattern(KindOnePixel, s, norm, opts, func(h, w int) ([][2]int, error) {
		if !s.Contains(h, w, 0) {
			return nil, errs.Invalid("attack: pixel (%d, %d) outside %d×%d image", h, w, s.H, s.W)
		}
		return [][2]int{{h, w}}, nil
	})
}

// FourPixel returns the four-pixel pattern of the paper (Section 7.1.5): pixels
// (h−1, w+1), (h, w), (h+1, w−1), (h+1, w+1) around the anchor (h, w), by default
// the centre ((H−1)/2, (W−1)/2) as in the reference implementation (anchor (15, 15)
// on CIFAR-10; pixels (2, 4), (3, 3), (4, 2), (4, 4) on 8×8 digits). It covers every
// channel unless [InChannel] is given; each entry is norm/√k for k touched entries,
// so ‖δ‖₂ = norm. [AtPixel] moves the anchor, which must keep all four pixels inside
// the image (so H, W ≥ 3).
func FourPixel(s Shape, norm float64, opts ...PatternOption) (Pattern, error) {
	return pixelPattern(KindFourPixel, s, norm, opts, func(h, w int) ([][2]int, error) {
		if h < 1 || h > s.H-2 || w < 1 || w > s.W-2 {
			return nil, errs.Invalid("attack: four-pixel anchor (%d, %d) needs 1 ≤ h ≤ H−2 and 1 ≤ w ≤ W−2 in a %d×%d image (H, W ≥ 3); for tabular rows use FourPixelFeatures", h, w, s.H, s.W)
		}
		return [][2]int{{h - 1, w + 1}, {h, w}, {h + 1, w - 1}, {h + 1, w + 1}}, nil
	})
}

// pixelPattern builds a pattern on the pixels layout returns for the anchor
// (default the centre, or AtPixel), in every channel or the one InChannel names,
// with equal entries. layout returns the pixels in row-major order.
func pixelPattern(kind Kind, s Shape, norm float64, opts []PatternOption, layout func(h, w int) ([][2]int, error)) (Pattern, error) {
	if err := s.validate(); err != nil {
		return Pattern{}, err
	}
	at := placement{h: (s.H - 1) / 2, w: (s.W - 1) / 2}
	for i, o := range opts {
		if o == nil {
			return Pattern{}, errs.Invalid("attack: %v pattern: option %d is nil", kind, i)
		}
		at = o.place(at)
	}
	channels := make([]int, s.C)
	for c := range channels {
		channels[c] = c
	}
	if at.inChannel {
		if at.channel < 0 || at.channel >= s.C {
			return Pattern{}, errs.Invalid("attack: channel %d outside [0, %d) of shape %v", at.channel, s.C, s)
		}
		channels = []int{at.channel}
	}
	pixels, err := layout(at.h, at.w)
	if err != nil {
		return Pattern{}, err
	}
	var idx []int
	for _, px := range pixels {
		for _, c := range channels {
			idx = append(idx, s.Index(px[0], px[1], c))
		}
	}
	return equalPattern(kind, s, norm, idx)
}

// OnePixelFeatures returns the one-pixel pattern for tabular rows of d features:
// δ sets feature index to norm. (The paper's reference implementation uses index 25
// of its 56 Spambase features.)
func OnePixelFeatures(d, index int, norm float64) (Pattern, error) {
	return featurePattern(KindOnePixel, d, norm, index)
}

// FourPixelFeatures returns the four-pixel pattern for tabular rows of d features:
// δ sets the four distinct feature indices to norm/2 each. (The paper's reference
// implementation uses indices 25, 26, 27 and 50 of its 56 Spambase features.)
func FourPixelFeatures(d int, indices [4]int, norm float64) (Pattern, error) {
	return featurePattern(KindFourPixel, d, norm, indices[:]...)
}

func featurePattern(kind Kind, d int, norm float64, indices ...int) (Pattern, error) {
	s := Tabular(d)
	if err := s.validate(); err != nil {
		return Pattern{}, err
	}
	for _, i := range indices {
		if i < 0 || i >= d {
			return Pattern{}, errs.Invalid("attack: feature index %d outside the row [0, %d)", i, d)
		}
	}
	idx := slices.Clone(indices)
	slices.Sort(idx)
	if i := firstDuplicate(idx); i >= 0 {
		return Pattern{}, errs.Invalid("attack: feature index %d given twice in %v: the pattern needs distinct features", idx[i], indices)
	}
	return equalPattern(kind, s, norm, idx)
}

// firstDuplicate returns the position of the first repeat in sorted a, or −1.
func firstDuplicate(a []int) int {
	for i := 1; i < len(a); i++ {
		if a[i] == a[i-1] {
			return i
		}
	}
	return -1
}

// equalPattern gives each of the ascending indices idx the value norm/√k.
func equalPattern(kind Kind, s Shape, norm float64, idx []int) (Pattern, error) {
	if err := checkNorm(norm); err != nil {
		return Pattern{}, err
	}
	v := norm / math.Sqrt(float64(len(idx)))
	values := make([]float64, len(idx))
	for i := range values {
		values[i] = v
	}
	return finish(kind, s, norm, idx, values)
}

// Blend returns the blending pattern of the paper (Section 7.1.5, after Chen et al.
// [8]): a fixed random noise pattern over every entry, scaled to ‖δ‖₂ = norm. The
// noise is uniform on (−1, 1) before scaling, drawn from a PCG generator seeded with
// seed. Only exact integer-to-float conversions and correctly rounded IEEE
// operations (no FMA, no transcendental functions) are used, so a seed gives the
// same δ on every machine. (The reference implementation drew Gaussian noise; only ‖δ‖₂
// enters the certificate, Corollary 1.)
func Blend(s Shape, norm float64, seed uint64) (Pattern, error) {
	if err := s.validate(); err != nil {
		return Pattern{}, err
	}
	if err := checkNorm(norm); err != nil {
		return Pattern{}, err
	}
	src := rand.NewPCG(seed, streamBlend)
	raw := make([]float64, s.Dim())
	for i := range raw {
		// An odd multiple of 2⁻⁵³ in (−1, 1): exact, symmetric, never zero.
		raw[i] = float64(int64(src.Uint64()>>11)*2+1-1<<53) * 0x1p-53
	}
	scale := norm / scaledNorm(raw)
	idx := make([]int, len(raw))
	for i := range raw {
		raw[i] *= scale
		idx[i] = i
	}
	return finish(KindBlend, s, norm, idx, raw)
}

// Custom returns the pattern δ for rows of shape s; δ must have s.Dim() finite
// entries, not all zero. [Pattern.Norm] is the smallest float64 not below the exact
// ‖δ‖₂.
func Custom(s Shape, delta []float64) (Pattern, error) {
	if err := s.validate(); err != nil {
		return Pattern{}, err
	}
	if len(delta) != s.Dim() {
		return Pattern{}, errs.Invalid("attack: δ has %d entries, shape %v needs %d", len(delta), s, s.Dim())
	}
	var idx []int
	var values []float64
	for i, v := range delta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Pattern{}, errs.Invalid("attack: δ[%d] = %v is not finite", i, v)
		}
		if v != 0 {
			idx, values = append(idx, i), append(values, v)
		}
	}
	if len(idx) == 0 {
		return Pattern{}, errs.Invalid("attack: δ is zero: a pattern must change the row")
	}
	norm := normCeil(values)
	if math.IsInf(norm, 0) {
		return Pattern{}, errs.Invalid("attack: ‖δ‖₂ overflows float64")
	}
	return Pattern{kind: KindCustom, shape: s, norm: norm, indices: idx, values: values}, nil
}

func checkNorm(norm float64) error {
	if !(norm > 0) || math.IsInf(norm, 1) {
		return errs.Invalid("attack: pattern norm ‖δ‖₂ = %v must be positive and finite", norm)
	}
	return nil
}

// finish shrinks values until their exact norm is at most norm and rejects
// patterns whose entries underflow (norm too small to represent δ).
func finish(kind Kind, s Shape, norm float64, idx []int, values []float64) (Pattern, error) {
	shrinkToNorm(values, norm)
	for _, v := range values {
		if math.Abs(v) < 0x1p-1022 {
			return Pattern{}, errs.Invalid("attack: pattern norm %v is too small: entries of δ would underflow float64", norm)
		}
	}
	return Pattern{kind: kind, shape: s, norm: norm, indices: idx, values: values}, nil
}
