package attack

import (
	"testing"
)

func BenchmarkApplyTo(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    Pattern
	}{
		{"four-pixel/32x32x3", mustPattern(FourPixel(Shape{H: 32, W: 32, C: 3}, 0.1))},
		{"blend/56", mustPattern(Blend(Tabular(56), 0.1, 1))},
		{"blend/32x32x3", mustPattern(Blend(Shape{H: 32, W: 32, C: 3}, 0.1, 1))},
	} {
		x := make([]float64, bc.p.Dim())
		for i := range x {
			x[i] = 0.5
		}
		dst := make([]float64, len(x))
		clip := WithClip(0, 1)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.p.ApplyTo(dst, x, clip); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A Spambase-sized training set: 3680 rows (80 % of 4601) of 56 features.
func BenchmarkPoison(b *testing.B) {
	X, y := dataset(3680, 56, 2)
	p := mustPattern(Blend(Tabular(56), 0.1, 1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Poison(X, y, p, WithSeed(1)); err != nil {
			b.Fatal(err)
		}
	}
}

// The backdoored test set of 20 % of the 1797 digits.
func BenchmarkTrigger(b *testing.B) {
	X, y := dataset(360, 64, 10)
	p := mustPattern(FourPixel(Shape{H: 8, W: 8, C: 1}, 0.1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Trigger(X, y, p, 0, WithClip(0, 1)); err != nil {
			b.Fatal(err)
		}
	}
}

// Building a blending pattern includes the exact norm check (math/big).
func BenchmarkBlend(b *testing.B) {
	for _, bc := range []struct {
		name string
		s    Shape
	}{{"56", Tabular(56)}, {"32x32x3", Shape{H: 32, W: 32, C: 3}}, {"224x224x3", Shape{H: 224, W: 224, C: 3}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Blend(bc.s, 0.1, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
