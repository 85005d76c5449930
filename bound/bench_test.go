package bound

import "testing"

// sink keeps benchmarked results alive.
var sink float64

func BenchmarkGaussianRadius(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, _ := GaussianRadius(0.5, 0.9234750444557006, 0.06176012851473256)
		sink += r
	}
}

func BenchmarkClopperPearsonLower(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p, _ := ClopperPearsonLower(951, 1000, 0.001)
		sink += p
	}
}

// BenchmarkEstimate bounds 10 classes, and 2, from N = 1000 votes.
func BenchmarkEstimate(b *testing.B) {
	counts := []int{3, 871, 40, 12, 0, 9, 31, 20, 6, 8}
	b.Run("Binary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			est, _ := Estimate([]int{129, 871}, 0.001)
			sink += est.PA
		}
	})
	b.Run("ClopperPearson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			est, _ := Estimate(counts, 0.001)
			sink += est.PA
		}
	})
	b.Run("Hoeffding", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			est, _ := Estimate(counts, 0.001, WithHoeffding())
			sink += est.PA
		}
	})
}

// BenchmarkUniformCertified evaluates eq. (15) for a pattern on 784
// coordinates of 10 instances (7840 factors).
func BenchmarkUniformCertified(b *testing.B) {
	delta := make([][]float64, 10)
	for i := range delta {
		delta[i] = make([]float64, 784)
		for j := range delta[i] {
			delta[i][j] = 1e-4 * float64((i+j)%7)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, _ := UniformCertified(-1, 1, 0.99, 0.005, delta)
		if ok {
			sink++
		}
	}
}
