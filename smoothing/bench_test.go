package smoothing

import "testing"

func benchmarkPerturb(b *testing.B, noise Noise) {
	rng := Stream(1, 0)
	x := make([]float64, 784)
	dst := make([]float64, len(x))
	b.ReportAllocs()
	b.SetBytes(int64(8 * len(x)))
	for b.Loop() {
		if err := noise.Perturb(rng, dst, x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPerturbGaussian perturbs one 784-dimensional input (an MNIST image).
func BenchmarkPerturbGaussian(b *testing.B) {
	noise, _ := Gaussian(1)
	benchmarkPerturb(b, noise)
}

// BenchmarkPerturbUniform perturbs one 784-dimensional input (an MNIST image).
func BenchmarkPerturbUniform(b *testing.B) {
	noise, _ := Uniform(-1, 1)
	benchmarkPerturb(b, noise)
}

// BenchmarkPerturbData draws a noisy copy of a Spambase-sized training set (3,680 × 56).
func BenchmarkPerturbData(b *testing.B) {
	noise, _ := Gaussian(0.5)
	X := make([][]float64, 3680)
	for i := range X {
		X[i] = make([]float64, 56)
	}
	rng := Stream(1, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := noise.PerturbData(rng, X); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStream(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = Stream(7, i)
	}
}
