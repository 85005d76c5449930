package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMul times the products of one training step of the reference MNIST CNN
// (conv 5×5×16 → pool → conv 5×5×32 → pool → fc 512) on a slab of 32 images, and
// reports GFLOP/s (2mnk per product).
func BenchmarkMul(b *testing.B) {
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
		packed         bool // B packed once, outside the timing
	}{
		{"conv1/forward", false, false, 32 * 576, 16, 25, false},
		{"conv1/dW", true, false, 25, 16, 32 * 576, false},
		{"conv2/forward", false, false, 32 * 64, 32, 400, false},
		{"conv2/dW", true, false, 400, 32, 32 * 64, false},
		{"conv2/dcols", false, true, 32 * 64, 400, 32, false},
		{"fc/forward", false, false, 32, 512, 512, false},
		{"fc/dW", true, false, 512, 512, 32, false},
		{"fc/dX", false, true, 32, 512, 512, false},
		{"fc/dX/packed", false, true, 32, 512, 512, true},
	} {
		for _, kern := range kernels() {
			b.Run(fmt.Sprintf("%s/mr=%d", s.name, kern.mr), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				A, B := randomMatrix(rng, s.m*s.k), randomMatrix(rng, s.k*s.n)
				C := make([]float32, s.m*s.n)
				lda, ldb := s.k, s.n
				if s.transA {
					lda = s.m
				}
				if s.transB {
					ldb = s.k
				}
				ws := &Workspace{kern: kern}
				var packed Packed
				if s.packed {
					packed.pack(kern, s.transB, s.k, s.n, B, ldb)
				}
				for b.Loop() {
					if s.packed {
						ws.MulPacked(s.transA, s.m, A, lda, &packed, C, s.n, false)
					} else {
						ws.Mul(s.transA, s.transB, s.m, s.n, s.k, A, lda, B, ldb, C, s.n, false)
					}
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
