package gemm

// generic is the portable kernel: 4×16 tiles, each element a chain of fma32 in the
// order of p, the same rounding as the assembly kernels.
var generic = &kernel{mr: 4, nr: 16, tile: genericTile}

func genericTile(ko, ki int, a []float32, rs, os, ps int, b []float32, pb int, c []float32, ldc int, load bool) {
	const mr, nr = 4, 16
	var acc [mr][nr]float32
	if load {
		for i := range mr {
			copy(acc[i][:], c[i*ldc:i*ldc+nr])
		}
	}
	for o := range ko {
		for q := range ki {
			p := o*ki + q
			bp := b[p*pb : p*pb+nr]
			for i := range mr {
				ai := a[i*rs+o*os+q*ps]
				row := &acc[i]
				for j, bj := range bp {
					row[j] = fma32(ai, bj, row[j])
				}
			}
		}
	}
	for i := range mr {
		copy(c[i*ldc:i*ldc+nr], acc[i][:])
	}
}
