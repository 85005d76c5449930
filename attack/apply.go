package attack

import (
	"fmt"
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// Applied is the result of adding a pattern to one row.
type Applied struct {
	// X is the row with the pattern added (and clipped).
	X []float64
	// Norm is ‖X − x‖₂, the norm actually added, rounded up: never below the exact
	// norm of the change in the stored float64 values, at most a relative
	// 2(k+4)·2⁻⁵³ above it for a pattern of k entries. Without clipping it equals
	// ‖δ‖₂ up to float64 rounding of x + δ; clipping can only lower it.
	Norm float64
	// Clipped counts the entries that [WithClip] moved back into range.
	Clipped int
}

// Apply returns x with the pattern added in a new slice; x is not modified. It
// accepts the option [WithClip]. x must have [Pattern.Dim] finite entries, inside
// the clip range if one is given.
func (p Pattern) Apply(x []float64, opts ...ApplyOption) (Applied, error) {
	return p.ApplyTo(make([]float64, p.Dim()), x, opts...)
}

// ApplyTo writes x with the pattern added into dst and returns the result with
// Applied.X = dst; it allocates nothing. dst and x must both have [Pattern.Dim]
// entries and either be the same slice (to apply in place) or not overlap. It
// accepts the option [WithClip] and checks x as [Pattern.Apply] does; on error the
// contents of dst are unspecified.
func (p Pattern) ApplyTo(dst, x []float64, opts ...ApplyOption) (Applied, error) {
	cfg, err := newConfig("Pattern.Apply", opts, ApplyOption.apply)
	if err != nil {
		return Applied{}, err
	}
	if err := p.check(); err != nil {
		return Applied{}, err
	}
	if err := cfg.checkRow(x, p.Dim()); err != nil {
		return Applied{}, fmt.Errorf("attack: x %w", err)
	}
	if len(dst) != p.Dim() {
		return Applied{}, errs.Invalid("attack: dst has %d entries, the pattern's rows have %d", len(dst), p.Dim())
	}
	copy(dst, x)
	return p.addTo(dst, x, &cfg)
}

// check rejects the zero Pattern.
func (p Pattern) check() error {
	if p.kind == 0 {
		return errs.Invalid("attack: zero Pattern: build one with OnePixel, FourPixel, Blend, OnePixelFeatures, FourPixelFeatures or Custom")
	}
	return nil
}

// checkRow reports a row of the wrong length, with a non-finite entry, or outside
// the clip range.
func (cfg *config) checkRow(x []float64, d int) error {
	if len(x) != d {
		return errs.Invalid("has %d entries, the pattern's rows have %d", len(x), d)
	}
	for j, v := range x {
		// v − v is NaN exactly when v is NaN or ±Inf; one test in the common case.
		if v-v != 0 || v < cfg.lo || v > cfg.hi {
			if v-v != 0 {
				return errs.Invalid("entry %d is %v: rows must be finite", j, v)
			}
			return errs.Invalid("entry %d = %v lies outside the clip range [%v, %v]", j, v, cfg.lo, cfg.hi)
		}
	}
	return nil
}

// addTo adds δ to the entries of dst, which holds a copy of x (or is x), clipping
// them as cfg says, and measures the change.
func (p Pattern) addTo(dst, x []float64, cfg *config) (Applied, error) {
	var acc sumSquares
	clipped := 0
	for k, i := range p.indices {
		old := x[i]
		v := old + p.values[k]
		if cfg.clip && (v < cfg.lo || v > cfg.hi) {
			v = min(max(v, cfg.lo), cfg.hi)
			clipped++
		}
		dst[i] = v
		acc.add(v - old)
	}
	a := Applied{X: dst, Norm: acc.bound(), Clipped: clipped}
	if math.IsInf(a.Norm, 1) {
		return a, errs.Invalid("attack: adding the pattern overflows float64")
	}
	return a, nil
}
