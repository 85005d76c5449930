package knn

import (
	"math"
	"sync"
)

// Noncentral χ² CDF at a fixed set of edges, by its series: the exact evaluation
// behind the interpolation tables of interp.go (which the pipeline uses).
//
// For X ~ χ²(d, λ) and t > 0 (Johnson, Kotz & Balakrishnan, Continuous Univariate
// Distributions vol. 2, eq. 29.2),
//
//	F(t; d, λ) = Σ_{k≥0} w_k(λ/2) · P(d/2 + k, t/2),
//
// where w_k(μ) = e^{−μ} μ^k / k! is the Poisson(μ) mass and P(a, x) is the regularised
// lower incomplete gamma function. The edges t are fixed for a Smoother, so the values
// H_l[k] = P(d/2 + k, t_l/2) are computed once per edge (lazily, see cdfRow) and every
// evaluation is a dot product of a Poisson window with a row of H. Both factors are
// computed from their modes outwards with Loader's saddle-point formula, so λ of 10⁵
// and more neither overflows nor loses precision, and every truncation is bounded by a
// geometric tail bound (see cdfRow.compute and poissonWindow.fill).
//
// Every mass carries a proved bound on its relative error (dpois: a few ε near the
// mode, growing with bd0 where the mass is small; plus stepRel per recurrence step),
// and the evaluation adds them up term by term, so the reported error of F rests only
// on the assumed accuracy of math.Exp and math.Log (libmRel).

const (
	// tailH bounds each truncated tail of a row of H: P(a+k, x) ≤ tailH above the
	// stored band and 1 − P(a+k, x) ≤ tailH below it.
	tailH = 0x1p-62
	// tailP bounds each omitted tail of a Poisson window.
	tailP = 0x1p-62
	// restartP and restartH are the numbers of recurrence steps after which a Poisson
	// mass (per input) or a gamma mass (per edge, precomputed) is recomputed directly.
	restartP = 32
	restartH = 16
	// stepRel bounds the relative error one recurrence step adds to a mass: at most
	// three roundings (w·(k+1)·(1/μ) going down), 3u = 1.5ε.
	stepRel = 1.5 * eps
	// libmRel is the assumed accuracy of math.Exp and math.Log: 2 ulps, relative error
	// at most 2ε. (FreeBSD's algorithms, which Go's portable code follows, are proved to
	// 1 ulp; the amd64 assembly Exp is a shortened SLEEF kernel without a published
	// bound, hence the margin.) Every rounding bound of this file rests on it.
	libmRel = 2 * eps
	eps     = 0x1p-52
	// unit is the unit roundoff u = ε/2: a correctly rounded operation errs by at most u
	// relative.
	unit = eps / 2
)

// dpoisRaw returns e^{−μ} μ^x / Γ(x+1) for real x ≥ 0 and μ ≥ 0 (see dpois).
func dpoisRaw(x, mu float64) float64 {
	v, _ := dpois(x, mu)
	return v
}

// dpois returns e^{−μ} μ^x / Γ(x+1) for real x ≥ 0 and μ ≥ 0, computed with Loader's
// saddle-point expansion (C. Loader, "Fast and accurate computation of binomial
// probabilities", 2000), exp(−stirlerr(x) − bd0(x, μ)) / √(2πx), and a bound rel on
// its relative error. Unlike exp(x log μ − μ − lgamma(x+1)) it keeps full relative
// precision for x, μ ~ 10⁶. With x = a+k and μ = x_l it is also the gamma mass
// g_{a+k}(x_l) = P(a+k, x_l) − P(a+k+1, x_l).
//
// The bound: an absolute error δ = δ_stirlerr + δ_bd0 + u·(stirlerr + bd0) of the
// exponent (see stirlerrErr, bd0Err) is a relative error of at most δ + δ² of its
// exponential (δ ≤ 1; beyond, the bound is infinite unless the mass is below 2^-1074
// anyway); math.Exp adds libmRel; 2π·x, the square root and the division
// add 2.6u (π's rounding included). Near the mode bd0 ≈ 0 and rel ≈ 4ε; it grows with
// bd0, where the mass e^{−bd0} shrinks.
func dpois(x, mu float64) (v, rel float64) {
	switch {
	case mu == 0:
		if x == 0 {
			return 1, 0
		}
		return 0, 0
	case x == 0:
		return math.Exp(-mu), libmRel
	case math.IsInf(mu, 1): // an infinitely far point: no mass at any finite x
		return 0, 0
	}
	s, sErr := stirlerrErr(x)
	b, bErr := bd0Err(x, mu)
	v = math.Exp(-s-b) / math.Sqrt(2*math.Pi*x)
	delta := float64(1.001 * (sErr + bErr + float64(unit*(s+b))))
	if delta > 1 {
		if s+b-delta > 745.2 { // the exact mass is below 2^-1074 as well: 0 is exact enough
			return 0, 0
		}
		return v, math.Inf(1)
	}
	return v, float64(1.01 * (delta*(1+delta) + libmRel + 2.6*unit))
}

// stirlerrHalves holds stirlerr(k/2) for k = 0..30, computed with mpmath at 40 digits
// by testdata/gen_stirlerr.py (they agree with R's nmath table sferr_halves).
var stirlerrHalves = [31]float64{
	0.0,                      // n = 0.0
	0.15342640972002734529,   // n = 0.5
	0.08106146679532725822,   // n = 1.0
	0.054814121051917653896,  // n = 1.5
	0.041340695955409294094,  // n = 2.0
	0.033162873519936287485,  // n = 2.5
	0.027677925684998339149,  // n = 3.0
	0.023746163656297495971,  // n = 3.5
	0.020790672103765093112,  // n = 4.0
	0.018488450532673185231,  // n = 4.5
	0.016644691189821192163,  // n = 5.0
	0.015134973221917378874,  // n = 5.5
	0.013876128823070747999,  // n = 6.0
	0.012810465242920226924,  // n = 6.5
	0.011896709945891770095,  // n = 7.0
	0.011104559758206917327,  // n = 7.5
	0.010411265261972096497,  // n = 8.0
	0.0097994161261588032984, // n = 8.5
	0.0092554621827127329177, // n = 9.0
	0.008768700134139385463,  // n = 9.5
	0.0083305634333628712565, // n = 10.0
	0.0079341145643140205472, // n = 10.5
	0.007573675487951840795,  // n = 11.0
	0.0072445543013203831795, // n = 11.5
	0.0069428401072095298657, // n = 12.0
	0.0066652470327076824424, // n = 12.5
	0.0064089941880042070684, // n = 13.0
	0.0061717122630394576475, // n = 13.5
	0.0059513701127588477356, // n = 14.0
	0.005746216513010115682,  // n = 14.5
	0.005554733551962801371,  // n = 15.0
}

// stirlerr returns log Γ(n+1) − (n+½) log n + n − ½ log 2π, the error of Stirling's
// approximation, for n > 0 (see stirlerrErr).
func stirlerr(n float64) float64 {
	s, _ := stirlerrErr(n)
	return s
}

// stirlerrErr returns stirlerr(n) and a bound on its absolute error: from a table at
// multiples of ½ up to 15 (the only small arguments here, as d/2 + k and k are),
// correctly rounded, so within u·|s| ≤ 0.08ε; from the asymptotic series above 15,
// whose first omitted term 691/(360360 n¹¹) is below 0.7ε at n ≥ 15.5 (the series
// alternates with decreasing terms) and whose rounding stays below 0.01ε; from
// Lgamma otherwise, with a generous 1000ε for its cancellation (no argument here
// takes that branch).
func stirlerrErr(n float64) (s, err float64) {
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	if n <= 15 {
		if h := 2 * n; h == math.Trunc(h) {
			s = stirlerrHalves[int(h)]
			return s, unit * s
		}
		lg, _ := math.Lgamma(n + 1)
		return lg - float64((n+0.5)*math.Log(n)) + n - float64(0.5*math.Log(2*math.Pi)), 1000 * eps
	}
	nn := n * n
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n, eps
}

// bd0 returns x log(x/np) + np − x ≥ 0 without cancellation (Loader 2000).
func bd0(x, np float64) float64 {
	b, _ := bd0Err(x, np)
	return b
}

// bd0Err returns bd0(x, np) and a bound on its absolute error.
//
// Series branch (|x − np| < 0.1(x+np)): with v = (x−np)/(x+np), bd0 = A + Σ_{j≥1}
// 2x v^{2j+1}/(2j+1), A = (x−np)v ≥ 0, the sum at most 0.067A in magnitude (|v| < 0.1),
// so bd0 ≥ 0.933A. v errs by 3u, A by 5u, term j by (5+8j)u, each of the at most nine
// additions by u of a partial sum ≤ 1.067A, and the series stops once a term is below
// u of the sum: in all at most 16.6u·A ≤ 8.9ε·bd0, budgeted as 12ε·bd0.
//
// Direct branch: fl(x/np) errs by u, math.Log by libmRel, so log(x/np) by
// u + 4u|L| (L = log(x/np)); the product, the sum and the difference add u each of
// x|L|, x|L| + np and bd0: at most u·(x + np + 6x|L| + bd0), budgeted with 1%.
func bd0Err(x, np float64) (b, err float64) {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1, float64(12 * eps * s1)
			}
			s = s1
		}
		return s, float64(12 * eps * s)
	}
	l := math.Log(x / np)
	b = float64(x*l) + np - x
	return b, float64(1.01 * unit * (x + np + float64(6*x*math.Abs(l)) + b))
}

// cdfRow holds H[k] = P(a+k, x) for k in [kOne, kZero] at one edge x = t/2, with a
// bound hErr[k] on the absolute error of each. For k < kOne, 1 − P(a+k, x) ≤ 1.01·tailH
// (treated as 1); for k > kZero, P(a+k, x) ≤ 1.01·tailH (treated as 0); the 1% covers
// the error of the computed masses that the truncation tests use.
type cdfRow struct {
	once  sync.Once
	x     float64
	kOne  int
	kZero int
	vals  []float64
	hErr  []float64
	// rho[k] ≥ g_{a+k}(x)/P(a+k, x), the share of H[k] its first mass holds; below the
	// band the ratio is at most rho at kOne (g grows and H shrinks with k there).
	rho   []float64
	gPeak float64 // an upper bound on max_k g_{a+k}(x), which bounds F_d − F_{d+2} at this edge
}

// massErr returns the absolute error bound v·rel of a mass v with relative error bound
// rel, infinite when rel is (even for v = 0, whose exact value is then unknown).
func massErr(v, rel float64) float64 {
	if math.IsInf(rel, 1) {
		return rel
	}
	return float64(v * rel)
}

// massWalk computes masses by recurrence from an anchor, recomputing one directly with
// dpois every restart steps, and tracks each mass's relative error bound: the anchor's
// plus stepRel per step since.
type massWalk struct {
	direct  func(k int) (float64, float64)
	restart int
	anchor  int
}

// next returns the mass at k from the mass prev (relative error prevRel) at the
// neighbouring index, with ratio the factor from prev to k.
func (w massWalk) next(k int, prev, prevRel, ratio float64) (v, rel float64) {
	if (k-w.anchor)%w.restart == 0 {
		return w.direct(k)
	}
	return prev * ratio, float64(prevRel + stepRel*1.001)
}

// compute fills the row. The gamma masses g_ν(x) = e^{−x} x^ν / Γ(ν+1), ν = a+k, are
// unimodal in k with the mode at ν ≈ x; going up, g_{ν+1}/g_ν = x/(ν+1) < 1 gives
// P(ν+1, x) = Σ_{m>ν} g_m ≤ g_{ν+1} / (1 − x/(ν+2)); going down, g_{ν−1}/g_ν = ν/x
// gives 1 − P(ν, x) ≤ g_ν · ν/(x − ν) for ν < x (the chain ends in Q(ν mod 1, x) ≤
// g_{ν mod 1}(x)·(ν mod 1)/x, which continues the same geometric bound).
// H is the upper cumulative sum of g, computed with compensated summation; its error
// bound adds the masses' own (Σ g·rel), the summation's (ε·H + 2nε²·H for n terms,
// Neumaier's bound for non-negative terms) and the truncated tail above kZero.
func (r *cdfRow) compute(a float64) {
	x := r.x
	kp := 0
	if x > a {
		kp = int(math.Floor(x - a))
	}
	walk := massWalk{direct: func(k int) (float64, float64) { return dpois(a+float64(k), x) }, restart: restartH, anchor: kp}
	// Walk up from the mode to kZero.
	g0, rel0 := walk.direct(kp)
	up, upRel := []float64{g0}, []float64{rel0}
	for k := kp; ; k++ {
		next, nextRel := walk.next(k+1, up[len(up)-1], upRel[len(upRel)-1], x/(a+float64(k+1)))
		nu := a + float64(k) + 2
		if nu > x && next/(1-x/nu) <= tailH {
			r.kZero = k
			break
		}
		up, upRel = append(up, next), append(upRel, nextRel)
	}
	// Walk down from the mode to kOne.
	var down, downRel []float64 // masses for k = kp-1, kp-2, ...
	r.kOne = kp
	g, gRel := g0, rel0
	for k := kp; k > 0; k-- {
		nu := a + float64(k)
		if nu < x && g*nu/(x-nu) <= tailH {
			break
		}
		g, gRel = walk.next(k-1, g, gRel, nu/x)
		down, downRel = append(down, g), append(downRel, gRel)
		r.kOne = k - 1
	}
	n := r.kZero - r.kOne + 1
	r.vals, r.hErr, r.rho = make([]float64, n), make([]float64, n), make([]float64, n)
	rel := make([]float64, n)
	for i := range n {
		k := r.kOne + i
		if k >= kp {
			r.vals[i], rel[i] = up[k-kp], upRel[k-kp]
		} else {
			r.vals[i], rel[i] = down[kp-1-k], downRel[kp-1-k]
		}
		r.gPeak = max(r.gPeak, float64(r.vals[i]*(1+rel[i])))
	}
	r.gPeak = float64(r.gPeak*(1+eps)) + 1.01*tailH
	// Upper cumulative sums (Neumaier), and their error bounds.
	var sum compensatedSum
	var mErr float64
	for i := n - 1; i >= 0; i-- {
		v := r.vals[i]
		mErr += massErr(v, rel[i])
		sum.add(v)
		h := min(sum.value(), 1)
		r.vals[i] = h
		summation := float64(eps+float64(2*float64(n)*eps*eps)) * h
		r.hErr[i] = float64(1.01*(mErr+summation)) + 1.01*tailH
	}
	// rho: H_k/g_{a+k} = Σ_{j≥0} Π_{i=1..j} x/(a+k+i) ≥ R_k, where R = 1 at an index
	// 10√x + 32 above kZero and R_k = 1 + x/(a+k+1)·R_{k+1} below (the terms beyond
	// dropped), each step rounded down by 5u: exact ratios, no cancellation, whatever
	// the size of H.
	ratio := 1.0
	for k := r.kZero + int(10*math.Sqrt(x)) + 32; k >= r.kOne; k-- {
		ratio = float64((1 + float64(float64(x/(a+float64(k+1)))*ratio)) * (1 - 5*unit))
		if k <= r.kZero {
			r.rho[k-r.kOne] = min(1, float64(1/ratio)*(1+unit))
		}
	}
}

// shareBounds returns ρ ≥ max g_{a+k}/H_k and νρ ≥ max (a+k)·g_{a+k}/H_k over k in
// [lo, hi] (clamped to the band, see rho).
func (r *cdfRow) shareBounds(a float64, lo, hi int) (rho, nuRho float64) {
	if hi > r.kZero { // above the band H ≤ tailH and the share may be anything
		return 1, a + float64(hi)
	}
	if hi < r.kOne {
		return r.rho[0], float64(float64((a+float64(r.kOne))*r.rho[0]) * (1 + eps))
	}
	for k := max(lo, r.kOne); k <= hi; k++ {
		v := r.rho[k-r.kOne]
		rho = max(rho, v)
		nuRho = max(nuRho, float64((a+float64(k))*v))
	}
	return rho, float64(nuRho * (1 + eps))
}

// cdfTable evaluates F(t_l; d, λ) at the edges t_l (χ² units) of a Smoother.
type cdfTable struct {
	a      float64 // d/2
	lamRel float64 // relative error bound of a computed λ (see squaredDistance)
	rows   []cdfRow
	edges  []edgeCells // interpolation tables (interp.go)
}

func newCDFTable(d int, t []float64) *cdfTable {
	tb := &cdfTable{a: float64(d) / 2, lamRel: squaredDistanceRel(d), rows: make([]cdfRow, len(t)), edges: make([]edgeCells, len(t))}
	for i, v := range t {
		tb.rows[i].x = v / 2
	}
	return tb
}

// row returns the row of edge index e (edge t[e]), computing it on first use.
func (tb *cdfTable) row(e int) *cdfRow {
	r := &tb.rows[e]
	r.once.Do(func() { r.compute(tb.a) })
	return r
}

// poissonWindow holds Poisson(μ) masses w_k for k in [lo, hi] and bounds on their
// relative errors.
type poissonWindow struct {
	mu     float64
	lo, hi int
	w, rel []float64
	down   []float64
	downR  []float64
}

// fill computes the window for mean mu, never beyond kMax. The omitted lower tail
// Σ_{k<lo} w_k is at most tailP (w_{k−1}/w_k = k/μ, so Σ_{j<k} w_j ≤ w_k·(k/μ)/(1−k/μ));
// above hi either the omitted tail is at most tailP (w_{k+1}/w_k = μ/(k+1)) or
// hi = kMax. The tests use computed masses, so the tails are bounded by 1.01·tailP.
// Masses are recomputed directly every restartP steps from the mode.
func (p *poissonWindow) fill(mu float64, kMax int) {
	p.mu = mu
	k0 := kMax // the mode, capped; compared in float64 so that a huge μ cannot overflow int
	if mu < float64(kMax) {
		k0 = int(mu)
	}
	invMu := 1 / mu
	down, downR := p.down[:0], p.downR[:0]
	w0, rel0 := dpois(float64(k0), mu)
	g, gRel := w0, rel0
	p.lo = k0
	for k := k0; k > 0; k-- {
		rho := float64(k) * invMu
		if rho < 1 && g*rho/(1-rho) <= tailP {
			break
		}
		if (k-1-k0)%restartP == 0 {
			g, gRel = dpois(float64(k-1), mu)
		} else {
			g, gRel = g*float64(float64(k)*invMu), gRel+1.001*stepRel
		}
		down, downR = append(down, g), append(downR, gRel)
		p.lo = k - 1
	}
	w, rel := p.w[:0], p.rel[:0]
	for i := len(down) - 1; i >= 0; i-- {
		w, rel = append(w, down[i]), append(rel, downR[i])
	}
	w, rel = append(w, w0), append(rel, rel0)
	g, gRel = w0, rel0
	p.hi = k0
	for k := k0; k < kMax; k++ {
		r := mu / float64(k+1)
		if r < 1 && g*r/(1-r) <= tailP {
			break
		}
		if (k+1-k0)%restartP == 0 {
			g, gRel = dpois(float64(k+1), mu)
		} else {
			g, gRel = g*r, gRel+1.001*stepRel
		}
		w, rel = append(w, g), append(rel, gRel)
		p.hi = k + 1
	}
	p.w, p.rel, p.down, p.downR = w, rel, down, downR
}

// eval returns F(t_e; d, 2μ) for the Poisson window p and edge index e, and a bound
// on its absolute error for an exactly given μ and edge:
//
//   - the truncations: both Poisson tails (1.01·tailP each) and both gamma tails
//     (H treated as 1 below kOne and as 0 above kZero: 1.01·tailH in all, as Σ w ≤ 1);
//   - the masses' and H's own errors, Σ_k w_k (H_k rel_k + hErr_k) with H = 1 below
//     the band;
//   - the products (u each) and their compensated sum (ε·F + 2nε²·F).
//
// It requires that p was filled with kMax ≥ kZero of the row. lambdaErr adds the
// effect of errors in a computed λ.
func (tb *cdfTable) eval(p *poissonWindow, e int) (f, errBound float64) {
	r := tb.row(e)
	var sum compensatedSum
	var termErr float64
	for k := p.lo; k <= min(p.hi, r.kZero); k++ {
		w, rel := p.w[k-p.lo], p.rel[k-p.lo]
		if k < r.kOne {
			sum.add(w)
			termErr += massErr(w, rel)
			continue
		}
		h := r.vals[k-r.kOne]
		sum.add(float64(w * h))
		termErr += massErr(w, rel)*h + float64(w*r.hErr[k-r.kOne])
	}
	f = min(sum.value(), 1)
	n := float64(p.hi - p.lo + 1)
	rounding := float64(float64(1.5*eps+float64(2*n*eps*eps)) * f)
	return f, float64(1.01*(termErr+rounding)) + 2.02*tailP + 1.01*tailH
}
