package attack

import (
	"fmt"
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// Shape is the layout of the rows a pattern is added to: H×W pixels with C channels,
// stored row-major and channel-last, so pixel (h, w) channel c is at flat index
// (h·W + w)·C + c. Tabular rows of d features are the 1×d×1 shape [Tabular](d).
type Shape struct {
	H, W, C int
}

// Tabular returns the shape of tabular rows with d features: H = 1, W = d, C = 1,
// so feature j is at flat index j.
func Tabular(d int) Shape { return Shape{H: 1, W: d, C: 1} }

// Dim returns the length H·W·C of a flat row.
func (s Shape) Dim() int { return s.H * s.W * s.C }

// Index returns the flat index (h·W + w)·C + c of pixel (h, w), channel c. Like
// image.RGBA.PixOffset it does not check its arguments; see [Shape.Contains].
func (s Shape) Index(h, w, c int) int { return (h*s.W+w)*s.C + c }

// Coords returns the pixel (h, w) and channel c at flat index i, the inverse of
// [Shape.Index] for 0 ≤ i < Dim().
func (s Shape) Coords(i int) (h, w, c int) {
	c = i % s.C
	p := i / s.C
	return p / s.W, p % s.W, c
}

// Contains reports whether pixel (h, w), channel c lies inside the shape.
func (s Shape) Contains(h, w, c int) bool {
	return 0 <= h && h < s.H && 0 <= w && w < s.W && 0 <= c && c < s.C
}

// String formats the shape as H×W×C.
func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d", s.H, s.W, s.C) }

// validate reports an empty or overflowing shape.
func (s Shape) validate() error {
	if s.H < 1 || s.W < 1 || s.C < 1 {
		return errs.Invalid("attack: shape %v is empty: H, W and C must all be at least 1", s)
	}
	if s.H > math.MaxInt32/s.W || s.H*s.W > math.MaxInt32/s.C {
		return errs.Invalid("attack: shape %v has more than %d entries", s, math.MaxInt32)
	}
	return nil
}
