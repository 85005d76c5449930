package gemm

import "fmt"

// Block sizes of the Goto algorithm: for each kc-deep, nc-wide block of B, every
// mr-row sliver of A (kept in L1) meets every kc×nr sliver of the block (kept in L2).
const (
	kc = 256
	nc = 512 // a multiple of every kernel's nr
)

// kernel computes one mr×nr tile of C: c[i·ldc + j] = fma chain over p = o·ki + q
// (o < ko, q < ki, in that order) of a[i·rs + o·os + q·ps]·b[p·pb + j], starting from
// the tile's values when load is true and from zero otherwise. The strides let the
// kernel read A in place, row-major (ko = 1, rs = lda, ps = 1) or transposed (rs = 1,
// ps = lda), or as the patches of an image (see MulStrided), B in place (pb = ldb), and
// packed slivers (ps = mr, pb = nr).
type kernel struct {
	mr, nr int
	tile   func(ko, ki int, a []float32, rs, os, ps int, b []float32, pb int, c []float32, ldc int, load bool)
}

// view is a matrix A whose element (i, o·ki + q), o < ko, q < ki, is a[i·rs + o·os + q·ps].
type view struct {
	a          []float32
	rs, os, ps int
	ko, ki     int
}

// at returns the offset of element (i, o·ki + q).
func (v *view) at(i, o, q int) int { return i*v.rs + o*v.os + q*v.ps }

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
	checkOperand("A", transA, m, k, a, lda)
	A := view{a: a, rs: lda, ps: 1, ko: 1, ki: k}
	if transA {
		A.rs, A.ps = 1, lda
	}
	if transB && m > 0 && n > 0 && k > 0 {
		ws.b.pack(kern, true, k, n, b, ldb)
		ws.mul(kern, m, n, &A, &ws.b, nil, 0, c, ldc, acc)
		return
	}
	checkOperand("B", false, k, n, b, ldb)
	ws.mul(kern, m, n, &A, nil, b, ldb, c, ldc, acc)
}

// MulStrided computes C ← A·B, or C ← C + A·B when acc is true, for an m×(ko·ki)
// matrix A read in place with three strides, element (i, o·ki + q) at
// a[i·rs + o·os + q·ps] (o < ko, q < ki), a (ko·ki)×n matrix B (B_pj at b[p·ldb + j])
// and an m×n matrix C (C_ij at c[i·ldc + j]). The patches of a convolution are such a
// matrix: for output pixels i along a row of a channel-last image with c channels and
// row length w, kernel rows o < k and the k·c values q of each, rs = c, os = w·c,
// ps = 1 — so a convolution needs no im2col copy. Rounding as for Mul; the strides must
// not be negative.
func (ws *Workspace) MulStrided(m, n, ko, ki int, a []float32, rs, os, ps int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	if m <= 0 || n <= 0 {
		return
	}
	if rs < 0 || os < 0 || ps < 0 {
		panic("gemm: MulStrided: negative stride")
	}
	A := view{a: a, rs: rs, os: os, ps: ps, ko: max(ko, 0), ki: max(ki, 0)}
	if A.ko > 0 && A.ki > 0 && len(a) <= A.at(m-1, A.ko-1, A.ki-1) {
		panic(fmt.Sprintf("gemm: MulStrided: A's last element is at %d but a has %d elements", A.at(m-1, A.ko-1, A.ki-1), len(a)))
	}
	checkOperand("B", false, A.ko*A.ki, n, b, ldb)
	ws.mul(ws.kernel(), m, n, &A, nil, b, ldb, c, ldc, acc)
}

// MulPacked is Mul with B packed by Pack.
func (ws *Workspace) MulPacked(transA bool, m int, a []float32, lda int, b *Packed, c []float32, ldc int, acc bool) {
	kern := ws.kernel()
	if b.kern != kern {
		panic("gemm: MulPacked: B was packed for another kernel")
	}
	checkOperand("A", transA, m, b.k, a, lda)
	A := view{a: a, rs: lda, ps: 1, ko: 1, ki: b.k}
	if transA {
		A.rs, A.ps = 1, lda
	}
	ws.mul(kern, m, b.n, &A, b, nil, 0, c, ldc, acc)
}

func (ws *Workspace) kernel() *kernel {
	if ws.kern == nil {
		return best
	}
	return ws.kern
}

// mul runs the blocked product of A by B, with B either packed (bp) or in place (b,
// ldb). The depth k = ko·ki is cut into blocks of about kc: whole rows o when ki ≤ kc,
// else pieces of kc values of one row; either way in increasing order of p, so every
// element of C is one fma chain in the order of p.
func (ws *Workspace) mul(kern *kernel, m, n int, A *view, bp *Packed, b []float32, ldb int, c []float32, ldc int, acc bool) {
	if m <= 0 || n <= 0 {
		return
	}
	checkOperand("C", false, m, n, c, ldc)
	k := A.ko * A.ki
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
	ob, qb := max(1, kc/A.ki), min(A.ki, kc) // a block: ob rows o, or qb values q of one row
	for j0 := 0; j0 < n; j0 += nc {
		s1 := (min(j0+nc, n) + nr - 1) / nr
		for o0, q0 := 0, 0; o0 < A.ko; {
			no, nq := min(ob, A.ko-o0), A.ki // the block: rows o0…o0+no−1, or values q0…q0+nq−1 of row o0
			if A.ki > kc {
				no, nq = 1, min(qb, A.ki-q0)
			}
			p0, kb := o0*A.ki+q0, no*nq
			load := acc || p0 > 0
			for i := 0; i < m; i += mr {
				// A sliver of the last rows < mr rows is read in place from row
				// m − mr on (shift rows earlier), its first shift rows computed and
				// dropped; only if m < mr is it packed with zero rows.
				rows, shift := min(mr, m-i), 0
				ap, ko, ki, rs, os, ps := A.a[A.at(i, o0, q0):], no, nq, A.rs, A.os, A.ps
				switch {
				case rows < mr && m >= mr:
					shift = mr - rows
					ap = A.a[A.at(i-shift, o0, q0):]
				case rows < mr:
					ap, ko, ki, rs, os, ps = ws.a, 1, kb, 1, 0, mr
					packSliverA(ap[:mr*kb], mr, A, i, rows, o0, no, q0, nq)
				}
				for s := j0 / nr; s < s1; s++ {
					bs, pb := sliverB(s, p0)
					cols := min(nr, n-s*nr)
					ct := c[i*ldc+s*nr:]
					if rows == mr && cols == nr {
						kern.tile(ko, ki, ap, rs, os, ps, bs, pb, ct, ldc, load)
						continue
					}
					ws.edgeTile(kern, ko, ki, ap, rs, os, ps, bs, pb, ct, ldc, rows, cols, shift, load)
				}
			}
			if A.ki > kc && q0+nq < A.ki {
				q0 += nq
			} else {
				o0, q0 = o0+no, 0
			}
		}
	}
}

// edgeTile computes a tile that sticks out of C through ws.edge: the tile's rows
// shift…shift+rows−1 and columns 0…cols−1 are rows 0…rows−1 and columns 0…cols−1 of the
// tile of C at c (its other rows are computed from the A sliver and dropped).
func (ws *Workspace) edgeTile(kern *kernel, ko, ki int, a []float32, rs, os, ps int, b []float32, pb int, c []float32, ldc, rows, cols, shift int, load bool) {
	nr := kern.nr
	edge := ws.edge[:kern.mr*nr]
	if load {
		for r := range rows {
			copy(edge[(shift+r)*nr:(shift+r)*nr+cols], c[r*ldc:])
		}
	}
	kern.tile(ko, ki, a, rs, os, ps, b, pb, edge, nr, load)
	for r := range rows {
		copy(c[r*ldc:r*ldc+cols], edge[(shift+r)*nr:])
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

// packSliverA copies the rows < mr rows of A from row i on, over the block of rows
// o0…o0+no−1 (values q0…q0+nq−1 of each), into dst as a packed mr×(no·nq) sliver
// (element (r, p) at dst[p·mr + r]), zero in the missing rows.
func packSliverA(dst []float32, mr int, A *view, i, rows, o0, no, q0, nq int) {
	clear(dst)
	for r := range rows {
		for o := range no {
			for q := range nq {
				dst[(o*nq+q)*mr+r] = A.a[A.at(i+r, o0+o, q0+q)]
			}
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
