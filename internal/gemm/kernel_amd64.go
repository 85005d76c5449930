package gemm

import "golang.org/x/sys/cpu"

// avx2 is the assembly kernel: 6×16 tiles in twelve YMM accumulators, one VFMADD231PS
// per element and step of p.
var avx2 = &kernel{mr: 6, nr: 16, tile: avx2Tile}

// best is the fastest kernel this CPU runs (x/sys/cpu also checks that the operating
// system saves the YMM registers).
var best = func() *kernel {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return avx2
	}
	return generic
}()

// kernels lists the kernels the tests compare.
func kernels() []*kernel {
	if best == generic {
		return []*kernel{generic}
	}
	return []*kernel{generic, best}
}

func avx2Tile(ko, ki int, a []float32, rs, os, ps int, b []float32, pb int, c []float32, ldc int, load bool) {
	_ = a[5*rs+(ko-1)*os+(ki-1)*ps]
	_ = b[(ko*ki-1)*pb+15]
	_ = c[5*ldc+15]
	kernel6x16(ko, ki, &a[0], rs, os-ki*ps, ps, &b[0], pb, &c[0], ldc, load)
}

// kernel6x16 is avx2Tile without bounds checks (kernel_amd64.s).
//
//go:noescape
func kernel6x16(ko, ki int, a *float32, rs, skip, ps int, b *float32, pb int, c *float32, ldc int, load bool)
