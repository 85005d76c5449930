package attack_test

import (
	"fmt"
	"log"

	"github.com/rabcert/rab/attack"
)

// The one-pixel trigger on 8×8 grey-scale digits: the centre pixel (3, 3).
func ExampleOnePixel() {
	s := attack.Shape{H: 8, W: 8, C: 1}
	p, err := attack.OnePixel(s, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)
	for k, i := range p.Indices() {
		h, w, c := s.Coords(i)
		fmt.Printf("index %d = pixel (%d, %d) channel %d: δ = %v\n", i, h, w, c, p.Values()[k])
	}
	// Output:
	// one-pixel pattern on 8×8×1 rows, 1 entries, ‖δ‖₂ = 0.1
	// index 27 = pixel (3, 3) channel 0: δ = 0.1
}

// The four-pixel trigger on a 5×6 RGB image, anchored at pixel (2, 3), in the red
// channel only. Flat index = (h·W + w)·C + c.
func ExampleFourPixel() {
	s := attack.Shape{H: 5, W: 6, C: 3}
	p, err := attack.FourPixel(s, 0.1, attack.AtPixel(2, 3), attack.InChannel(0))
	if err != nil {
		log.Fatal(err)
	}
	for k, i := range p.Indices() {
		h, w, c := s.Coords(i)
		fmt.Printf("index %2d = pixel (%d, %d) channel %d: δ = %v\n", i, h, w, c, p.Values()[k])
	}
	// Output:
	// index 30 = pixel (1, 4) channel 0: δ = 0.05
	// index 45 = pixel (2, 3) channel 0: δ = 0.05
	// index 60 = pixel (3, 2) channel 0: δ = 0.05
	// index 66 = pixel (3, 4) channel 0: δ = 0.05
}

// The blending trigger: fixed random noise over all 56 Spambase features, scaled
// to ‖δ‖₂ = 0.1. The seed fixes the noise.
func ExampleBlend() {
	p, err := attack.Blend(attack.Tabular(56), 0.1, 1)
	if err != nil {
		log.Fatal(err)
	}
	same, _ := attack.Blend(attack.Tabular(56), 0.1, 1)
	fmt.Println(p)
	fmt.Printf("δ[0:3] = %.4f\n", p.Values()[:3])
	fmt.Println("same seed, same pattern:", fmt.Sprint(p.Delta()) == fmt.Sprint(same.Delta()))
	// Output:
	// blending pattern on 1×56×1 rows, 56 entries, ‖δ‖₂ = 0.1
	// δ[0:3] = [-0.0202 0.0051 -0.0034]
	// same seed, same pattern: true
}

// The paper's one-pixel trigger on Spambase: feature 25 of 56.
func ExampleOnePixelFeatures() {
	p, err := attack.OnePixelFeatures(56, 25, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Indices(), p.Values())
	// Output:
	// [25] [0.1]
}

// The paper's four-pixel trigger on Spambase: features 25, 26, 27 and 50 of 56.
func ExampleFourPixelFeatures() {
	p, err := attack.FourPixelFeatures(56, [4]int{25, 26, 27, 50}, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Indices(), p.Values(), p.Norm())
	// Output:
	// [25 26 27 50] [0.05 0.05 0.05 0.05] 0.1
}

// Any δ: here a 2×2 square of a 4×4 image, the kind of larger trigger of the
// paper's Appendix C.2.
func ExampleCustom() {
	s := attack.Shape{H: 4, W: 4, C: 1}
	delta := make([]float64, s.Dim())
	for _, px := range [][2]int{{2, 2}, {2, 3}, {3, 2}, {3, 3}} {
		delta[s.Index(px[0], px[1], 0)] = 1
	}
	p, err := attack.Custom(s, delta)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)
	// Output:
	// custom pattern on 4×4×1 rows, 4 entries, ‖δ‖₂ = 2
}

// Clipping to the pixel range shrinks what is added; Applied.Norm reports it.
func ExamplePattern_Apply() {
	p, err := attack.FourPixelFeatures(4, [4]int{0, 1, 2, 3}, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	x := []float64{0.2, 0.97, 1, 0.5}
	a, err := p.Apply(x, attack.WithClip(0, 1))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("x' = %.2f, clipped %d, added ‖x'−x‖₂ = %.4f ≤ ‖δ‖₂ = %v\n", a.X, a.Clipped, a.Norm, p.Norm())
	fmt.Println("x unchanged:", x)
	// Output:
	// x' = [0.25 1.00 1.00 0.55], clipped 2, added ‖x'−x‖₂ = 0.0768 ≤ ‖δ‖₂ = 0.1
	// x unchanged: [0.2 0.97 1 0.5]
}

// Poison 10 % of a training set towards label 0 and build the backdoored test set.
func ExamplePoison() {
	X := make([][]float64, 40)
	y := make([]int, 40)
	for i := range X {
		X[i] = []float64{float64(i) / 40, 0.5, 0}
		y[i] = i % 2
	}
	p, err := attack.OnePixelFeatures(3, 2, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	poisoned, err := attack.Poison(X, y, p, attack.WithRate(0.1), attack.WithTarget(0), attack.WithSeed(1))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("r =", poisoned.R, "rows", poisoned.Indices)
	fmt.Printf("labels %d → %d; √Σ‖δᵢ‖² = %.4f\n", y[poisoned.Indices[0]], poisoned.Y[poisoned.Indices[0]], poisoned.TotalNorm)

	test, err := attack.Trigger(X[:6], y[:6], p, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("triggered test rows", test.Indices, "true labels", test.Labels, "attacker wants", test.Targets)
	// Output:
	// r = 4 rows [7 13 19 33]
	// labels 1 → 0; √Σ‖δᵢ‖² = 0.2000
	// triggered test rows [1 3 5] true labels [1 1 1] attacker wants [0 0 0]
}
