package knn

import (
	"math"
	"sync"
	"sync/atomic"
)

// Interpolation of the CDF values in μ, one table per edge: each value the pipeline
// uses costs O(1) instead of the O(√μ) series of eval.
//
// F_e(μ) = F(t_e; d, 2μ) is smooth in μ. A grid shared by all edges cuts v = √μ into
// cells of width δ (gridStep): cell i is μ ∈ [(iδ)², ((i+1)δ)²], with mid-point m_i and
// half-width h_i, and local coordinate u = (μ − m_i)/h_i ∈ [−1, 1]. As the grid does not
// depend on the edge, a training point's cell and u serve every edge. Edge e keeps a
// polynomial of degree n−1 (gridNodes) in u on each cell where F_e is neither within
// oneTol of 1 (cells below lo) nor within zeroTol of 0 (cells above hi); the constants outside
// come with the bound of F_e at the first cell beyond, evaluated at μ moved by a margin
// that covers the rounding of a computed μ.
//
// The polynomial interpolates F_e at n nodes μ_j = m + h·u_j, the floats nearest the
// Chebyshev points u_j = cos((2j+1)π/(2n)) mapped onto the cell (so F is evaluated
// where the node is, and the node's rounding costs nothing), computed with eval
// (rigorous node error e_j). Its error on the cell is bounded by:
//
//   - the interpolation remainder of the exact values at those nodes:
//     |ω(u)|/n! · h^n · sup|F^{(n)}|, |ω| ≤ 2^{1−n} + nη(2+η)^{n−1} for nodes within η
//     of the Chebyshev points, and
//     |F^{(n)}(μ)| = |Σ_k w_k^{(n)}(μ)(H_k − ½)| ≤ ½ Σ_k |w_k^{(n)}| ≤ ½√(n!/μ^n) (Cauchy–
//     Schwarz with the Charlier orthogonality Σ_k w_k c_n(k)² = n!/μ^n of w^{(n)} = w·c_n),
//     or ≤ 2^{n−1} (n-th differences of H ∈ [0, 1]) at μ = 0;
//   - the node errors, times the Lebesgue constant Λ_n ≤ 1 + (2/π) ln n of the
//     Chebyshev nodes;
//   - the stored coefficients: p − p̃ is a polynomial of degree n−1, so it is bounded by
//     Λ_n times its values at the nodes, which the build measures (with Horner's rule
//     and its rounding bound);
//   - the rounding of the evaluation (Estrin's scheme), 20.1u·Σ|c_k|;
//   - the rounding of the edge x itself (relative ε), through x|∂F/∂x|.
//
// Each evaluation adds the effect of the relative error of its μ (the squared distance,
// the cell location and u) through |∂F/∂μ|. Both sensitivities follow from
// ∂F/∂μ = −Σ_k w_k g_{a+k}(x) and x ∂F/∂x = Σ_k w_k (a+k) g_{a+k}(x) (as x g_{ν−1}(x) =
// ν g_ν(x)): with ρ_k = g_{a+k}/H_k ≤ 1, they are at most max ρ_k·F and
// max (a+k)ρ_k·F over the Poisson windows of the cell, plus the terms outside them;
// and at most max g and x·max g. In the transition ρ ≈ 1/√x, far sharper than F. Cells are built when first
// used, under a lock per edge, and read without one once marked ready.

const (
	gridStep  = 0.25 // δ: cell i holds √μ ∈ [iδ, (i+1)δ)
	gridNodes = 16   // n: interpolation nodes per cell
	// zeroTol and oneTol are the largest F (above the cells) and 1 − F (below them) an
	// edge treats as 0 and 1. zeroTol lies above eval's absolute floor (3·2^-62);
	// oneTol is about what a polynomial would err by near F = 1 (eval's relative error
	// bound there is a few 10⁻¹⁵), so the constant loses nothing.
	zeroTol = 0x1p-58
	oneTol  = 0x1p-46
	// maxGridCell is the first cell index treated as beyond every edge: μ ≥
	// (2^24·δ)² ≈ 1.8·10¹³ exceeds every edge (b/σ² ≤ MaxEdgeRatio), and below it the
	// cell geometry is exact in float64.
	maxGridCell = 1 << 24
)

// chebNodes holds the interpolation nodes u_j = cos((2j+1)π/(2n)), chebCos[k][j] =
// cos(k(2j+1)π/(2n)) the discrete cosine transform that gives the Chebyshev
// coefficients of the interpolant, and chebMono[k] the monomial coefficients of T_k
// (integers, exact). Their rounding does not matter for the bound, which measures the
// polynomial at the nodes.
var chebNodes, chebCos, chebMono = interpolationBasis(gridNodes)

func interpolationBasis(n int) (nodes []float64, cos, mono [][]float64) {
	nodes = make([]float64, n)
	cos, mono = make([][]float64, n), make([][]float64, n)
	for j := range nodes {
		nodes[j] = math.Cos((2*float64(j) + 1) * math.Pi / (2 * float64(n)))
	}
	for k := range n {
		cos[k], mono[k] = make([]float64, n), make([]float64, n)
		for j := range n {
			cos[k][j] = math.Cos(float64(k) * (2*float64(j) + 1) * math.Pi / (2 * float64(n)))
		}
		switch k { // T_k = 2u·T_{k−1} − T_{k−2}
		case 0:
			mono[k][0] = 1
		case 1:
			mono[k][1] = 1
		default:
			for i := range n {
				if i > 0 {
					mono[k][i] += 2 * mono[k-1][i-1]
				}
				mono[k][i] -= mono[k-2][i]
			}
		}
	}
	return nodes, cos, mono
}

// interpolant returns the monomial coefficients (in u) of a polynomial through the
// values at the nodes nodeU (within 10⁻⁹ or so of chebNodes), and its degree: the
// discrete cosine transform gives the interpolant at chebNodes, and one correction,
// the same transform of its residuals at nodeU, moves it onto nodeU. Trailing
// Chebyshev coefficients are dropped while their magnitudes sum to at most drop (they
// are below the node errors, and the monomial basis would amplify their noise). None
// of this needs to be exact: the build measures the result at the nodes.
func interpolant(values, nodeU *[gridNodes]float64, drop float64) (coef [gridNodes]float64, degree int) {
	coef, degree = chebyshevFit(values, drop)
	c := cellPoly{coef: coef}
	var residuals [gridNodes]float64
	for j, u := range nodeU {
		residuals[j] = values[j] - c.horner(u)
	}
	corr, corrDegree := chebyshevFit(&residuals, drop)
	for k := range coef {
		coef[k] += corr[k]
	}
	return coef, max(degree, corrDegree)
}

// chebyshevFit returns the monomial coefficients of the polynomial through values at
// chebNodes, dropping trailing Chebyshev coefficients that sum to at most drop.
func chebyshevFit(values *[gridNodes]float64, drop float64) (coef [gridNodes]float64, degree int) {
	const n = gridNodes
	var cheb [n]float64
	for k := range n {
		var s float64
		for j, v := range values {
			s += chebCos[k][j] * v
		}
		cheb[k] = s * 2 / n
		if k == 0 {
			cheb[k] /= 2
		}
	}
	degree = n - 1
	for dropped := 0.0; degree > 0; degree-- {
		if dropped += math.Abs(cheb[degree]); dropped > drop {
			break
		}
	}
	for k := 0; k <= degree; k++ {
		for i := 0; i <= k; i++ {
			coef[i] += chebMono[k][i] * cheb[k]
		}
	}
	return coef, degree
}

// gridPoint is a μ located on the grid.
type gridPoint struct {
	mu      float64
	cell    int     // maxGridCell for μ beyond the grid (and for +Inf)
	u       float64 // (μ − m_cell)/h_cell, clamped to [−1, 1]
	muScale float64 // 1.01·(lamRel + 3.1ε)·μ: the μ error per unit of |∂F/∂μ|
}

// locate returns μ's cell and local coordinate. Rounding of √μ may put μ in a
// neighbouring cell, at its boundary; either way the polynomial is evaluated at a μ'
// with |μ' − μ| ≤ 3ε·μ + εδ²/2 (u errs by 2u, the clamp by less), which muScale and
// edgeCells.muFloor account for together with the error lamRel of μ itself.
func (tb *cdfTable) locate(mu float64) gridPoint {
	v := math.Sqrt(mu)
	if !(v < maxGridCell*gridStep) {
		return gridPoint{mu: mu, cell: maxGridCell}
	}
	i := int(v * (1 / gridStep))
	mid, half := cellGeometry(i)
	u := (mu - mid) / half
	return gridPoint{mu: mu, cell: i, u: min(max(u, -1), 1), muScale: float64(1.01 * (tb.lamRel + 3.1*eps) * mu)}
}

// cellGeometry returns the mid-point and half-width of cell i, exactly (i < 2^24).
func cellGeometry(i int) (mid, half float64) {
	a, b := float64(i)*gridStep, float64(i+1)*gridStep
	return (a*a + b*b) / 2, (b*b - a*a) / 2
}

// cellPoly is an edge's interpolant on one cell.
type cellPoly struct {
	ready  atomic.Bool // set once the other fields are final
	degree int32
	err    float64            // bound on |F − p| over the cell, evaluation rounding included
	rho    float64            // |∂F/∂μ| ≤ rho·F + tailSlope on the cell (see sensitivities)
	coef   [gridNodes]float64 // monomial coefficients in u, zero above degree
}

// horner evaluates the polynomial at u by Horner's rule, for the build's checks: each
// of the 15 steps rounds twice, so |horner − p(u)| ≤ 30.3u·Σ|c_k| for |u| ≤ 1.
func (c *cellPoly) horner(u float64) float64 {
	f := c.coef[len(c.coef)-1]
	for k := len(c.coef) - 2; k >= 0; k-- {
		f = float64(f*u) + c.coef[k]
	}
	return f
}

// Rounding bounds per unit of Σ|c_k|: Horner's rule (horner) and Estrin's scheme
// (evalRow), whose four levels of independent multiply-adds replace Horner's chain
// of fifteen: a term passes through at most nine roundings and powers of u that err
// by at most 10u in all (u² by u, u⁴ by 3u, the last factor u⁴·u⁴ by 6u).
const (
	hornerRounding = 30.3 * unit
	estrinRounding = 20.1 * unit
)

// edgeCells is one edge's table. Its cells are contiguous, so that points of similar
// λ read nearby memory.
type edgeCells struct {
	once            sync.Once
	lo, hi          int     // cells [lo, hi] hold polynomials
	gPeak           float64 // bounds |∂F/∂μ| (see cdfRow)
	tailSlope       float64 // 1.01(2·tailP·gPeak + tailH): |∂F/∂μ| outside the windows
	muFloor         float64 // εδ²·gPeak: the absolute part of the μ error of a cell
	cells           []cellPoly
	oneErr, zeroErr float64    // bounds on 1 − F below cell lo and on F above cell hi
	build           sync.Mutex // serialises the building of cells
}

// at returns F(t_e; d, 2μ) for the located μ, which errs by the relative tb.lamRel,
// and a bound on its error: evalRow for one point.
func (tb *cdfTable) at(e int, gp gridPoint) (f, errBound float64) {
	grid, active := [1]gridPoint{gp}, [1]int32{0}
	above, aboveErr, row := [1]float64{1}, [1]float64{0}, [1]float64{0}
	_, errBound, _ = tb.located(e).evalRow(tb, e, grid[:], active[:], above[:], aboveErr[:], row[:], -1)
	return row[0], errBound
}

// located returns edge e's table, its cells located on first use.
func (tb *cdfTable) located(e int) *edgeCells {
	ec := &tb.edges[e]
	ec.once.Do(func() { tb.locateCells(e) })
	return ec
}

// evalRow evaluates F at this edge (index e of tb, located) for the points listed in
// active, indices into grid: each value, clamped to at most above[r] (F grows with
// the edge) with the bound of the clamp, goes to row[r] and its bound into rowErr,
// and above[r], aboveErr[r] take them; values at most zero go nowhere but into moved
// (with their bounds) and drop out of the returned list of points still active, which
// reuses active's memory. It is the pipeline's hot loop, hence one function with the
// polynomial written out (Estrin's scheme, see estrinRounding).
func (ec *edgeCells) evalRow(tb *cdfTable, e int, grid []gridPoint, active []int32, above, aboveErr, row []float64, zero float64) (kept []int32, rowErr, moved float64) {
	kept = active[:0]
	for _, r := range active {
		gp := &grid[r]
		var f, fe float64
		switch {
		case gp.cell > ec.hi:
			f, fe = 0, ec.zeroErr
		case gp.cell < ec.lo:
			f, fe = 1, ec.oneErr
		default:
			c := &ec.cells[gp.cell-ec.lo]
			if !c.ready.Load() {
				tb.buildCell(e, gp.cell)
			}
			k, u := &c.coef, gp.u
			u2 := u * u
			u4 := u2 * u2
			q0, q1 := float64(k[1]*u)+k[0], float64(k[3]*u)+k[2]
			q2, q3 := float64(k[5]*u)+k[4], float64(k[7]*u)+k[6]
			q4, q5 := float64(k[9]*u)+k[8], float64(k[11]*u)+k[10]
			q6, q7 := float64(k[13]*u)+k[12], float64(k[15]*u)+k[14]
			r0, r1 := float64(q1*u2)+q0, float64(q3*u2)+q2
			r2, r3 := float64(q5*u2)+q4, float64(q7*u2)+q6
			s0, s1 := float64(r1*u4)+r0, float64(r3*u4)+r2
			f = float64(s1*u4*u4) + s0
			// F lies in [0, 1]: clamping only reduces the error. (Comparisons rather
			// than min and max, which also order NaNs and signed zeros and cost more.)
			if f < 0 {
				f = 0
			} else if f > 1 {
				f = 1
			}
			slope := float64(c.rho*(f+c.err)) + ec.tailSlope // ≥ |∂F/∂μ| on the cell
			fe = c.err + float64(slope*gp.muScale) + ec.muFloor
		}
		if f > above[r] { // a clamped value errs by at most the bound above it
			f, fe = above[r], fe+aboveErr[r]
		}
		if f <= zero {
			moved += f + fe
			continue
		}
		row[r], rowErr = f, rowErr+fe
		above[r], aboveErr[r] = f, fe
		kept = append(kept, r)
	}
	return kept, rowErr, moved
}

// muMargin is the relative distance by which the constant regions are checked beyond
// their cells: a computed μ in a cell beyond hi (below lo) comes from an exact μ within
// this margin of the cell boundary.
func (tb *cdfTable) muMargin() float64 { return 2 * (tb.lamRel + 2*eps) }

// locateCells finds the cells [lo, hi] of edge e where F is neither within oneTol of 1
// nor within zeroTol of 0, and the bounds of the constants outside; F is decreasing in
// μ. The bounds are those at the first cell beyond, whatever the searches found.
func (tb *cdfTable) locateCells(e int) {
	ec := &tb.edges[e]
	r, margin := tb.row(e), tb.muMargin()
	var w poissonWindow
	upper := func(mu float64) float64 { // an upper bound on F(μ)
		w.fill(mu, r.kZero)
		f, fe := tb.eval(&w, e)
		return f + fe
	}
	lowerGap := func(mu float64) float64 { // an upper bound on 1 − F(μ)
		w.fill(mu, r.kZero)
		f, fe := tb.eval(&w, e)
		return (1 - f) + fe
	}
	startOf := func(i int) float64 { mid, half := cellGeometry(i); return (mid - half) * (1 - margin) }
	endOf := func(i int) float64 { mid, half := cellGeometry(i); return (mid + half) * (1 + margin) }
	top := min(int((math.Sqrt(r.x)+16)/gridStep), maxGridCell-1)
	for top < maxGridCell-1 && upper(startOf(top)) > zeroTol {
		top = min(2*top, maxGridCell-1)
	}
	beyond := searchFirst(0, top, func(i int) bool { return upper(startOf(i)) <= zeroTol })
	ec.hi, ec.zeroErr = beyond-1, upper(startOf(beyond))
	ec.lo = searchFirst(0, beyond, func(i int) bool { return lowerGap(endOf(i)) > oneTol })
	if ec.lo > 0 {
		ec.oneErr = lowerGap(endOf(ec.lo - 1))
	}
	ec.cells = make([]cellPoly, max(ec.hi-ec.lo+1, 0))
	ec.gPeak = r.gPeak
	ec.tailSlope = float64(1.01 * (float64(2*tailP*r.gPeak) + tailH))
	ec.muFloor = float64(eps * gridStep * gridStep * r.gPeak)
}

// buildCell computes edge e's interpolant on cell i and its error bound (see the
// comment at the top of this file), unless another goroutine has.
func (tb *cdfTable) buildCell(e, i int) {
	const n = gridNodes
	ec := &tb.edges[e]
	ec.build.Lock()
	defer ec.build.Unlock()
	c := &ec.cells[i-ec.lo]
	if c.ready.Load() {
		return
	}
	r := tb.row(e)
	mid, half := cellGeometry(i)
	muA, muB := mid-half, mid+half
	var w poissonWindow
	var values, nodeU [n]float64
	var nodeErr, shift float64
	for j, u := range chebNodes {
		mu := mid + u*half // the node used: its coordinate is nodeU[j], within 2.01u exactly
		nodeU[j] = (mu - mid) / half
		shift = max(shift, math.Abs(nodeU[j]-u))
		w.fill(mu, r.kZero)
		f, fe := tb.eval(&w, e)
		values[j], nodeErr = f, max(nodeErr, fe)
	}
	var degree int
	c.coef, degree = interpolant(&values, &nodeU, nodeErr/16)
	c.degree = int32(degree)
	var sumAbs, slope float64 // Σ|c_k| and Σ k|c_k| ≥ |p'| on [−1, 1]
	for k, v := range c.coef[:c.degree+1] {
		sumAbs += math.Abs(v)
		slope += float64(k) * math.Abs(v)
	}
	var residual float64
	for j, u := range nodeU {
		residual = max(residual, float64(math.Abs(c.horner(u)-values[j])*(1+eps)))
	}
	residual += float64(hornerRounding * sumAbs) // horner against the polynomial
	residual += float64(2.02 * unit * slope)     // nodeU against the exact coordinates
	// The nodes lie within η of the Chebyshev points: the computed shift, the rounding
	// of the coordinates and of math.Cos.
	eta := float64(shift*(1+eps)) + 6.1*unit
	lebesgue := 1.001 + 2/math.Pi*math.Log(n)
	// F is largest at μ_A; the windows at μ_A and μ_B bound those of the cell.
	w.fill(muA, r.kZero)
	fA, fAErr := tb.eval(&w, e)
	lo := w.lo
	w.fill(muB, r.kZero)
	var nuRho float64
	c.rho, nuRho = r.shareBounds(tb.a, lo, w.hi)
	// The edge x errs by ε: x·|∂F/∂x| ≤ νρ·F + the terms outside the windows.
	tailX := float64(1.01 * (tb.a + muB + float64(w.hi) + 2) * (2*tailP + tailH))
	edgeErr := float64(1.01 * eps * min(float64(nuRho*(fA+fAErr))+tailX, float64(r.x*r.gPeak)))
	c.err = float64(1.01*(interpolationRemainder(muA, half, eta)+float64(lebesgue*(nodeErr+residual))+float64(estrinRounding*sumAbs))) + edgeErr
	c.ready.Store(true)
}

// interpolationRemainder bounds |F − p*| on a cell starting at μ_A with half-width h,
// p* interpolating the exact F at nodes within η of the Chebyshev points:
//
//	|ω|/n! · h^n · min(½√(n!/μ_A^n), 2^{n−1}) = ½|ω| · min((h/√μ_A)^n/√(n!), (2h)^n/n!)
//
// with |ω(u)| = Π|u − u_j| ≤ 2^{1−n} + nη(2+η)^{n−1}; the 1% covers the rounding of
// this computation.
func interpolationRemainder(muA, half, eta float64) float64 {
	const n = gridNodes
	nf := float64(n)
	lgN, _ := math.Lgamma(nf + 1) // log n!
	omega := math.Pow(2, 1-nf) + nf*eta*math.Pow(2+eta, nf-1)
	bound := math.Exp(nf*math.Log(2*half) - lgN)
	if muA > 0 {
		bound = min(bound, math.Exp(nf*math.Log(half/math.Sqrt(muA))-lgN/2))
	}
	return 1.01 * omega / 2 * bound
}

// evalRow's polynomial is written for 16 coefficients.
const _ = uint(gridNodes-16) + uint(16-gridNodes)
