package gemm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exactFMA32 rounds a·b + c to float32 with math/big (exact product and sum, one
// rounding to 24 bits, ties to even): the independent reference for fma32.
func exactFMA32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

// TestFMA32: fma32 is the correctly rounded fused multiply-add on random operands of
// every scale (including float32 subnormals and cancellations), on the ties that naive
// double rounding gets wrong, and on special values.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() float32 {
		f := float32(math.Ldexp(rng.Float64()*2-1, rng.IntN(90)-60))
		if rng.IntN(8) == 0 { // any finite bit pattern, subnormals included
			for f = math.Float32frombits(rng.Uint32()); math.IsNaN(float64(f)) || math.IsInf(float64(f), 0); {
				f = math.Float32frombits(rng.Uint32())
			}
		}
		return f
	}
	for range 200000 {
		a, b, c := random(), random(), random()
		if rng.IntN(4) == 0 {
			c = -a * b // cancellation
		}
		want := exactFMA32(a, b, c)
		if math.IsNaN(float64(want)) || math.IsInf(float64(want), 0) {
			continue
		}
		got := fma32(a, b, c)
		require.Equal(t, math.Float32bits(want), math.Float32bits(got), "fma32(%g, %g, %g)", a, b, c)
	}
	// The case double rounding gets wrong: with u = 2⁻²³, a·b + c = (1 + u) + u/2 − 2⁻⁷⁰
	// lies just below the float32 midpoint 1 + u + u/2, so the answer is 1 + u; but the
	// float64 sum rounds to the midpoint itself, which float32 then rounds to even, 1 + 2u.
	a, b, c := float32(0x1p-24*(1+0x1p-23)), float32(1-0x1p-23), float32(1+0x1p-23)
	require.Equal(t, float32(1+0x1p-22), float32(float64(a)*float64(b)+float64(c)), "naive double rounding")
	assert.Equal(t, float32(1+0x1p-23), fma32(a, b, c))
	assert.Equal(t, float32(-1-0x1p-23), fma32(-a, b, -c), "the same below zero")
	assert.Equal(t, float32(math.Inf(1)), fma32(float32(math.Inf(1)), 2, 1))
	assert.True(t, math.IsNaN(float64(fma32(float32(math.Inf(1)), 0, 1))))
	assert.Equal(t, float32(math.Inf(1)), fma32(math.MaxFloat32, 2, 0), "overflow")
	assert.Equal(t, float32(6), fma32(2, 2, 2))
}

// naive returns A·B (+ C) for the same operands as Mul, each element by the same
// fma32 chain, element by element with no blocking: the reference for the exact
// rounding of Mul.
func naive(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) []float32 {
	out := append([]float32(nil), c...)
	for i := range m {
		for j := range n {
			var s float32
			if acc {
				s = c[i*ldc+j]
			}
			for p := range k {
				ai, bj := element(a, transA, i, p, lda), element(b, transB, p, j, ldb)
				s = fma32(ai, bj, s)
			}
			out[i*ldc+j] = s
		}
	}
	return out
}

// element returns X_ij of a matrix stored row-major with leading dimension ld, or
// transposed.
func element(x []float32, trans bool, i, j, ld int) float32 {
	if trans {
		return x[j*ld+i]
	}
	return x[i*ld+j]
}

func randomMatrix(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// shapes cover tiles that fit, edges in m and n, k across kc, m across mc and n across nc.
var shapes = [][3]int{
	{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 15, 25}, {13, 33, 400}, {97, 20, 257},
	{200, 40, 600}, {12, 600, 64}, {3, 1030, 5}, {130, 3, 31}, {6, 16, 0},
}

// TestMulExact: every kernel, every transposition, overwrite and accumulate, gives
// exactly the element-by-element fma32 chain (so the kernels agree bit for bit), and
// leading dimensions larger than the width are honoured (the padding is not touched).
func TestMulExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kern := range kernels() {
		ws := &Workspace{kern: kern}
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			for _, transA := range []bool{false, true} {
				for _, transB := range []bool{false, true} {
					for _, acc := range []bool{false, true} {
						ar, ac := m, k
						if transA {
							ar, ac = k, m
						}
						br, bc := k, n
						if transB {
							br, bc = n, k
						}
						lda, ldb, ldc := ac+2, bc+1, n+3
						a := randomMatrix(rng, max(ar*lda, 1))
						b := randomMatrix(rng, max(br*ldb, 1))
						c := randomMatrix(rng, m*ldc)
						want := naive(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, acc)
						for i := range m { // the padding columns are left alone
							copy(want[i*ldc+n:(i+1)*ldc], c[i*ldc+n:(i+1)*ldc])
						}
						ws.Mul(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, acc)
						require.Equal(t, want, c, "mr=%d %d×%d×%d transA=%v transB=%v acc=%v", kern.mr, m, n, k, transA, transB, acc)
					}
				}
			}
		}
	}
}

// TestMulPacked: a product with B packed once equals Mul, for both layouts of B, and
// the packed storage is reused.
func TestMulPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range kernels() {
		ws := &Workspace{kern: kern}
		var packed Packed
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			for _, transB := range []bool{false, true} {
				ldb := n
				if transB {
					ldb = k
				}
				a, b := randomMatrix(rng, m*k), randomMatrix(rng, max(k*n, 1))
				want, got := randomMatrix(rng, m*n), make([]float32, m*n)
				copy(got, want)
				ws.Mul(false, transB, m, n, k, a, k, b, ldb, want, n, true)
				packed.pack(kern, transB, k, n, b, ldb)
				ws.MulPacked(false, m, a, k, &packed, got, n, true)
				require.Equal(t, want, got, "mr=%d %d×%d×%d transB=%v", kern.mr, m, n, k, transB)
			}
		}
	}
	if best != generic {
		var p Packed
		p.pack(generic, false, 2, 2, make([]float32, 4), 2)
		assert.Panics(t, func() { new(Workspace).MulPacked(false, 1, make([]float32, 2), 2, &p, make([]float32, 2), 2, false) })
	}
}

// TestMulStrided: a product whose A is read in place through three strides equals Mul
// of the same A copied out row by row, bit for bit, for every kernel: convolution-like
// views (rows o of ki values, ko·ki within and beyond kc), a view with ki > kc, and
// edges in m and n.
func TestMulStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, kern := range kernels() {
		ws := &Workspace{kern: kern}
		for _, s := range []struct{ m, n, ko, ki, rs, os, ps int }{
			{24, 16, 5, 5, 1, 28, 1},   // conv 5×5 on 28-wide, 1 channel
			{8, 32, 5, 80, 16, 192, 1}, // conv 5×5 on 12-wide, 16 channels
			{7, 20, 3, 100, 2, 50, 1},  // o blocks of 2 rows
			{13, 5, 2, 300, 3, 700, 2}, // ki > kc: q blocks
			{6, 16, 1, 9, 9, 0, 1},     // an ordinary matrix
			{5, 17, 4, 3, 40, 7, 11},   // arbitrary strides
		} {
			k := s.ko * s.ki
			a := randomMatrix(rng, (s.m-1)*s.rs+(s.ko-1)*s.os+(s.ki-1)*s.ps+1)
			dense := make([]float32, s.m*k)
			for i := range s.m {
				for o := range s.ko {
					for q := range s.ki {
						dense[i*k+o*s.ki+q] = a[i*s.rs+o*s.os+q*s.ps]
					}
				}
			}
			b := randomMatrix(rng, k*s.n)
			for _, acc := range []bool{false, true} {
				want := randomMatrix(rng, s.m*s.n)
				got := append([]float32(nil), want...)
				ws.Mul(false, false, s.m, s.n, k, dense, k, b, s.n, want, s.n, acc)
				ws.MulStrided(s.m, s.n, s.ko, s.ki, a, s.rs, s.os, s.ps, b, s.n, got, s.n, acc)
				require.Equal(t, want, got, "mr=%d %+v acc=%v", kern.mr, s, acc)
			}
		}
	}
	var ws Workspace
	assert.Panics(t, func() {
		ws.MulStrided(2, 2, 2, 2, make([]float32, 4), 1, 2, 1, make([]float32, 8), 2, make([]float32, 4), 2, false)
	})
	assert.Panics(t, func() {
		ws.MulStrided(2, 2, 2, 2, make([]float32, 9), -1, 2, 1, make([]float32, 8), 2, make([]float32, 4), 2, false)
	})
}

// TestMulValues: Mul against float64 products of small integers (exact in float32 and
// float64 alike), an independent check of the indexing.
func TestMulValues(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}    // 2×3
	b := []float32{7, 8, 9, 10, 11, 12} // 3×2
	c := make([]float32, 4)
	var ws Workspace
	ws.Mul(false, false, 2, 2, 3, a, 3, b, 2, c, 2, false)
	assert.Equal(t, []float32{58, 64, 139, 154}, c)
	ws.Mul(true, true, 3, 3, 2, a, 3, b, 2, make([]float32, 9), 3, false) // shapes only
	ws.Mul(false, false, 2, 2, 3, a, 3, b, 2, c, 2, true)
	assert.Equal(t, []float32{116, 128, 278, 308}, c)
	at := []float32{1, 4, 2, 5, 3, 6} // Aᵀ stored 3×2
	ws.Mul(true, false, 2, 2, 3, at, 2, b, 2, c, 2, false)
	assert.Equal(t, []float32{58, 64, 139, 154}, c)
}

func TestMulPanicsOnShortSlices(t *testing.T) {
	var ws Workspace
	assert.PanicsWithValue(t, "gemm: A is 2×3 with leading dimension 3 but has 5 elements", func() {
		ws.Mul(false, false, 2, 2, 3, make([]float32, 5), 3, make([]float32, 6), 2, make([]float32, 4), 2, false)
	})
	assert.Panics(t, func() {
		ws.Mul(false, false, 2, 2, 3, make([]float32, 6), 3, make([]float32, 6), 2, make([]float32, 3), 2, false)
	})
}

// TestMulAllocatesOnce: after the first call a Workspace allocates nothing.
func TestMulAllocatesOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a, b, c := randomMatrix(rng, 50*70), randomMatrix(rng, 70*30), make([]float32, 50*30)
	var ws Workspace
	ws.Mul(false, false, 50, 30, 70, a, 70, b, 30, c, 30, false)
	assert.Zero(t, testing.AllocsPerRun(10, func() {
		ws.Mul(false, true, 50, 30, 70, a, 70, b, 70, c, 30, true)
	}))
}
