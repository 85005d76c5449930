// Package gemm multiplies float32 matrices, C ← A·B or C ← C + A·B, for the CNN
// learner of package ensemble/cnn: the convolutions (as im2col products) and the fully
// connected layers of its forward and backward passes.
//
// # Results are the same on every machine
//
// Every element of C is one chain of fused multiply-adds in the order of k,
//
//	s ← C_ij (accumulate) or 0;  for p = 0, 1, …, k−1: s ← fma(A_ip, B_pj, s);  C_ij ← s,
//
// with fma(a, b, c) = a·b + c rounded once to float32 (round to nearest, ties to even),
// whatever the blocking, the kernel or the machine. On amd64 with AVX2 and FMA the
// micro-kernels are assembly (VFMADD231PS computes exactly that fma); elsewhere a
// portable Go kernel computes the same fma exactly in float64 with rounding to odd
// (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms
// using rounding to odd", IEEE Trans. Computers 57(4), 2008), so both give
// bit-identical C, and the tests check that they do. The portable kernel is two to
// three orders of magnitude slower (0.1–0.5 GFLOP/s against about 90 on the machine of
// BENCHMARKS.md): it is the fallback, not the fast path.
//
// Matrices are row-major slices with a leading dimension (stride); either operand may
// be read transposed, which costs nothing extra because the operands are packed into
// the kernel's panel layout anyway (Goto and van de Geijn, "Anatomy of
// high-performance matrix multiplication", ACM TOMS 34(3), 2008).
package gemm
