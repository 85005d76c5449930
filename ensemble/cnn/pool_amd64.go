package cnn

import "golang.org/x/sys/cpu"

// hasAVX2 says whether poolWindow runs its assembly version.
var hasAVX2 = cpu.X86.HasAVX2

// poolWindow is poolWindowGo, with the channels in groups of eight in AVX2 assembly
// (pool_amd64.s) when the CPU has it; the tests check that both agree bit for bit.
func poolWindow(out []float32, idx []int32, src []float32, a, b, c, d int) (overflow bool) {
	n := len(out)
	vec := n &^ 7
	if !hasAVX2 || vec == 0 {
		return poolWindowGo(out, idx, src, a, b, c, d)
	}
	_ = src[max(a, b, c, d)+n-1]
	_ = idx[n-1]
	overflow = pool8(&out[0], &idx[0], &src[a], &src[b], &src[c], &src[d], vec, int32(a), int32(b), int32(c), int32(d))
	if vec < n {
		overflow = poolWindowGo(out[vec:], idx[vec:], src, a+vec, b+vec, c+vec, d+vec) || overflow
	}
	return overflow
}

// pool8 is poolWindowGo on n channels, a multiple of 8, whose values start at a, b, c,
// d (their indices ia, ib, ic, id).
//
//go:noescape
func pool8(out *float32, idx *int32, a, b, c, d *float32, n int, ia, ib, ic, id int32) bool
