package gemm

import "fmt"

// Block sizes of the Goto algorithm: for each kc-deep, nc-wide block of B, every
// mr-row sliver of A (kept in L1) meets every kc×nr sliver of the block (kept in L2).
const (
	kc = 256
	nc = 512 // a multiple of every kernel's nr
)

// kernel computes one mr×nr tile of C: c[i·ldc + j] = fma chain over p < k of
// a[i·rs + p·ps]·b[p·pb + j], starting from the tile's values when load is true and
// from zero otherwise. The strides let the kernel read A in place, row-major (rs = lda,
// ps = 1) or transposed (rs = 1, ps = lda), B in place (pb = ldb), and packed slivers.
type kernel struct {
	mr, nr int
	tile   func(k int, a []float32, rs, ps int, b []float32, pb int, c []float32, ldc int, load bool)
}

// Packed is a k×n matrix B in the kernel's layout: columns in slivers of nr (zero
// past column n), sliver s holding B[p][s·nr + j] at s·k·nr + p·nr + j. Packing a
// transposed weight matrix once lets many products share it.
type Packed struct {
	data []float32
	k, n int
	kern *kernel
}

// Pack packs the k×n matrix B: B_pj is b[p·ldb + j], or b[j·ldb + p] when trans. It
// reuses p's storage when it is large enough.
func (p *Packed) Pack(trans bool, k, n int, b []float32, ldb int) {
	p.pack(best, trans, k, n, b, ldb)
}

func (p *Packed) pack(kern *kernel, trans bool, k, n int, b []float32, ldb int) {
	checkOperand("B", trans, k, n, b, ldb)
	nr := kern.nr
	slivers := (n + nr - 1) / nr
	if need := slivers * k * nr; cap(p.data) < need {
		p.data = make([]float32, need)
	} else {
		p.data = p.data[:need]
	}
	p.k, p.n, p.kern = k, n, kern
	for s := range slivers {
		packSliverB(p.data[s*k*nr:(s+1)*k*nr], nr, trans, b, ldb, k, s*nr, min(nr, n-s*nr))
	}
}

// sliver returns sliver s (columns s·nr …) of rows p0… and its row step.
func (p *Packed) sliver(s, p0 int) ([]float32, int) {
	nr := p.kern.nr
	return p.data[s*p.k*nr+p0*nr:], nr
}

// Workspace holds the buffers of Mul. Its zero value is ready to use; it grows to its
// largest size on the first calls and allocates nothing afterwards. A Workspace must
// not be used by two goroutines at once.
type Workspace struct {
	a     []float32 // a packed sliver of A's last rows
	b     Packed    // B packed, when it is transposed
	bEdge []float32 // B's last, partial sliver, packed
	edge  []float32 // an mr×nr tile for the edges of C
	kern  *kernel   // nil: the package's fastest kernel
}

// Mul computes C ← A·B, or C ← C + A·B when acc is true, for an m×k matrix A, a k×n
// matrix B and an m×n matrix C, all row-major: C_ij is c[i·ldc + j]; A_ip is
// a[i·lda + p], or a[p·lda + i] when transA; B_pj is b[p·ldb + j], or b[j·ldb + p]
// when transB. The rounding of every C_ij is described in the package documentation.
// Mul panics if a slice is too short for its dimensions and leading dimension: the
// callers are this module's own layers, whose shapes are checked once up front.
func (ws *Workspace) Mul(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	kern := ws.kernel()
	if transB && m > 0 && n > 0 && k > 0 {
		ws.b.pack(kern, true, k, n, b, ldb)
		ws.mul(kern, transA, m, n, k, a, lda, &ws.b, nil, 0, c, ldc, acc)
		return
	}
	checkOperand("B", false, k, n, b, ldb)
	ws.mul(kern, transA, m, n, k, a, lda, nil, b, ldb, c, ldc, acc)
}

// MulPacked is Mul with B packed by Pack.
func (ws *Workspace) MulPacked(transA bool, m int, a []float32, lda int, b *Packed, c []float32, ldc int, acc bool) {
	kern := ws.kernel()
	if b.kern != kern {
		panic("gemm: MulPacked: B was packed for another kernel")
	}
	ws.mul(kern, transA, m, b.n, b.k, a, lda, b, nil, 0, c, ldc, acc)
}

func (ws *Workspace) kernel() *kernel {
	if ws.kern == nil {
		return best
	}
	return ws.kern
}

// mul runs the blocked product with B either packed (bp) or in place (b, ldb).
func (ws *Workspace) mul(kern *kernel, transA bool, m, n, k int, a []float32, lda int, bp *Packed, b []float32, ldb int, c []float32, ldc int, acc bool) {
	if m <= 0 || n <= 0 {
		return
	}
	checkOperand("A", transA, m, k, a, lda)
	checkOperand("C", false, m, n, c, ldc)
	if k <= 0 {
		if !acc {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	mr, nr := kern.mr, kern.nr
	ws.grow(kern, k)
	last := (n - 1) / nr // index of the last sliver of B
	if bp == nil && n%nr != 0 {
		packSliverB(ws.bEdge[:k*nr], nr, false, b, ldb, k, last*nr, n-last*nr)
	}
	// sliverB returns rows p0… of sliver s of B and their step.
	sliverB := func(s, p0 int) ([]float32, int) {
		switch {
		case bp != nil:
			return bp.sliver(s, p0)
		case s == last && n%nr != 0:
			return ws.bEdge[p0*nr:], nr
		}
		return b[p0*ldb+s*nr:], ldb
	}
	rs, ps := lda, 1 // strides of A in a
	if transA {
		rs, ps = 1, lda
	}
	for j0 := 0; j0 < n; j0 += nc {
		s1 := (min(j0+nc, n) + nr - 1) / nr
		for p0 := 0; p0 < k; p0 += kc {
			kb := min(kc, k-p0)
			load := acc || p0 > 0
			for i := 0; i < m; i += mr {
				rows := min(mr, m-i)
				ap, ars, aps := a[i*rs+p0*ps:], rs, ps
				if rows < mr {
					ap, ars, aps = ws.a, 1, mr
					packSliverA(ap[:mr*kb], mr, a[i*rs+p0*ps:], rs, ps, rows, kb)
				}
				for s := j0 / nr; s < s1; s++ {
					bs, pb := sliverB(s, p0)
					cols := min(nr, n-s*nr)
					ct := c[i*ldc+s*nr:]
					if rows == mr && cols == nr {
						kern.tile(kb, ap, ars, aps, bs, pb, ct, ldc, load)
						continue
					}
					ws.edgeTile(kern, kb, ap, ars, aps, bs, pb, ct, ldc, rows, cols, load)
				}
			}
		}
	}
}

// edgeTile computes a tile that sticks out of C through ws.edge.
func (ws *Workspace) edgeTile(kern *kernel, kb int, a []float32, rs, ps int, b []float32, pb int, c []float32, ldc, rows, cols int, load bool) {
	nr := kern.nr
	edge := ws.edge[:kern.mr*nr]
	if load {
		for r := range rows {
			copy(edge[r*nr:r*nr+cols], c[r*ldc:])
		}
	}
	kern.tile(kb, a, rs, ps, b, pb, edge, nr, load)
	for r := range rows {
		copy(c[r*ldc:r*ldc+cols], edge[r*nr:])
	}
}

// checkOperand panics unless x holds a rows×cols matrix (stored cols×rows when trans)
// with leading dimension ld.
func checkOperand(name string, trans bool, rows, cols int, x []float32, ld int) {
	if trans {
		rows, cols = cols, rows
	}
	if rows <= 0 || cols <= 0 {
		return
	}
	if ld < cols || len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: %s is %d×%d with leading dimension %d but has %d elements", name, rows, cols, ld, len(x)))
	}
}

// grow sizes the buffers for kern and depth k.
func (ws *Workspace) grow(kern *kernel, k int) {
	if n := kern.mr * kc; len(ws.a) < n {
		ws.a = make([]float32, n)
	}
	if n := k * kern.nr; len(ws.bEdge) < n {
		ws.bEdge = make([]float32, n)
	}
	if n := kern.mr * kern.nr; len(ws.edge) < n {
		ws.edge = make([]float32, n)
	}
}

// packSliverA copies rows < mr rows of a sliver of A (element (r, p) at
// a[r·rs + p·ps]) into dst as a packed mr×kb sliver (element (r, p) at dst[p·mr + r]),
// zero in the missing rows.
func packSliverA(dst []float32, mr int, a []float32, rs, ps, rows, kb int) {
	clear(dst)
	for r := range rows {
		for p := range kb {
			dst[p*mr+r] = a[r*rs+p*ps]
		}
	}
}

// packSliverB copies columns j0…j0+cols−1 (cols ≤ nr) of the k rows of B (B_pj at
// b[p·ldb + j], or b[j·ldb + p] when trans) into dst as a sliver: B[p][j0+j] at
// dst[p·nr + j], zero past the last column.
func packSliverB(dst []float32, nr int, trans bool, b []float32, ldb, k, j0, cols int) {
	if !trans {
		for p := range k {
			o := dst[p*nr : p*nr+nr]
			copy(o, b[p*ldb+j0:p*ldb+j0+cols])
			clear(o[cols:])
		}
		return
	}
	for j := range cols {
		src := b[(j0+j)*ldb:]
		src = src[:k]
		for p, v := range src {
			dst[p*nr+j] = v
		}
	}
	for j := cols; j < nr; j++ {
		for p := range k {
			dst[p*nr+j] = 0
		}
	}
}
