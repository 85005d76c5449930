package knn

import (
	"math"
	"sync"
)

// Noncentral χ² CDF at a fixed set of edges.
//
// For X ~ χ²(d, λ) and t > 0 (Johnson, Kotz & Balakrishnan, Continuous Univariate
// Distributions vol. 2, eq. 29.2),
//
//	F(t; d, λ) = Σ_{k≥0} w_k(λ/2) · P(d/2 + k, t/2),
//
// where w_k(μ) = e^{−μ} μ^k / k! is the Poisson(μ) mass and P(a, x) is the regularised
// lower incomplete gamma function. The edges t are fixed for a Smoother, so the values
// H_l[k] = P(d/2 + k, t_l/2) are computed once per edge (lazily, see cdfRow) and every
// evaluation is a short dot product of a Poisson window with a row of H. Both factors
// are computed from their modes outwards with Loader's saddle-point formula, so λ of 10⁵
// and more neither overflows nor loses precision, and every truncation is bounded by a
// geometric tail bound (see cdfRow.compute and poissonWindow.fill).

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
	// relMassP and relMassH bound the relative error of a mass computed by dpoisRaw
	// (budget dpoisRel) followed by fewer than restart recurrence steps of at most 3
	// roundings each.
	relMassP = dpoisRel + 3*restartP*eps
	relMassH = dpoisRel + 3*restartH*eps
	// dpoisRel budgets the relative error of dpoisRaw. Cancellation in bd0's direct
	// branch makes it grow with x·|log(x/μ)|: against mpmath at 50 digits it measured
	// 28ε at (x, μ) = (100, 80), 99ε at (300.5, 210), 120ε at (1000, 800) and 224ε at
	// (2000, 1600). Where that product is large the mass e^{−bd0} is negligible, so the
	// absolute error stays small; the budget of 1024ε is a measured margin, not a
	// proof, and assumes exp and log accurate to a few ulps.
	dpoisRel = 1024 * eps
	eps      = 0x1p-52
)

// dpoisRaw returns e^{−μ} μ^x / Γ(x+1) for real x ≥ 0 and μ ≥ 0, computed with
// Loader's saddle-point expansion (C. Loader, "Fast and accurate computation of
// binomial probabilities", 2000): exp(−stirlerr(x) − bd0(x, μ)) / √(2πx). Unlike
// exp(x log μ − μ − lgamma(x+1)) it keeps full relative precision for x, μ ~ 10⁶.
// With x = a+k and μ = x_l it is also the gamma mass g_{a+k}(x_l) = P(a+k, x_l) −
// P(a+k+1, x_l).
func dpoisRaw(x, mu float64) float64 {
	switch {
	case mu == 0:
		if x == 0 {
			return 1
		}
		return 0
	case x == 0:
		return math.Exp(-mu)
	case math.IsInf(mu, 1): // an infinitely far point: no mass at any finite x
		return 0
	}
	return math.Exp(-stirlerr(x)-bd0(x, mu)) / math.Sqrt(2*math.Pi*x)
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
// approximation, for n > 0: from a table at multiples of ½ up to 15 (the only small
// arguments here, as d/2 + k and k are), from the asymptotic series above 15
// (truncation < 1e-16 relative), and from Lgamma otherwise.
func stirlerr(n float64) float64 {
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	if n <= 15 {
		if h := 2 * n; h == math.Trunc(h) {
			return stirlerrHalves[int(h)]
		}
		lg, _ := math.Lgamma(n + 1)
		return lg - float64((n+0.5)*math.Log(n)) + n - float64(0.5*math.Log(2*math.Pi))
	}
	nn := n * n
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 returns x log(x/np) + np − x ≥ 0 without cancellation (Loader 2000).
func bd0(x, np float64) float64 {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1
			}
			s = s1
		}
		return s
	}
	return float64(x*math.Log(x/np)) + np - x
}

// cdfRow holds H[k] = P(a+k, x) for k in [kOne, kZero] at one edge x = t/2.
// For k < kOne, 1 − P(a+k, x) ≤ tailH (treated as 1); for k > kZero,
// P(a+k, x) ≤ tailH (treated as 0). Each stored value has relative error at most
// relMassH + 4ε and misses at most tailH of absolute mass.
type cdfRow struct {
	once  sync.Once
	x     float64
	kOne  int
	kZero int
	vals  []float64
	gPeak float64 // max_k g_{a+k}(x)·(1 + relMass), bounds F_d − F_{d+2} at this edge
}

// compute fills the row. The gamma masses g_ν(x) = e^{−x} x^ν / Γ(ν+1), ν = a+k, are
// unimodal in k with the mode at ν ≈ x; going up, g_{ν+1}/g_ν = x/(ν+1) < 1 gives
// P(ν+1, x) = Σ_{m>ν} g_m ≤ g_{ν+1} / (1 − x/(ν+2)); going down, g_{ν−1}/g_ν = ν/x
// gives 1 − P(ν, x) ≤ g_ν · ν/(x − ν) for ν < x (the chain ends in Q(ν mod 1, x) ≤
// g_{ν mod 1}(x)·(ν mod 1)/x, which continues the same geometric bound).
// H is the upper cumulative sum of g, computed with compensated summation.
func (r *cdfRow) compute(a float64) {
	x := r.x
	kp := 0
	if x > a {
		kp = int(math.Floor(x - a))
	}
	mass := func(k int, prev float64, fromBelow bool) float64 {
		if (k-kp)%restartH == 0 {
			return dpoisRaw(a+float64(k), x)
		}
		if fromBelow {
			return prev * x / (a + float64(k))
		}
		return prev * (a + float64(k) + 1) / x
	}
	// Walk up from the mode to kZero.
	up := []float64{dpoisRaw(a+float64(kp), x)}
	for k := kp; ; k++ {
		next := mass(k+1, up[len(up)-1], true)
		nu := a + float64(k) + 2
		if nu > x && next/(1-x/nu) <= tailH {
			r.kZero = k
			break
		}
		up = append(up, next)
	}
	// Walk down from the mode to kOne.
	var down []float64 // masses for k = kp-1, kp-2, ...
	r.kOne = kp
	g := up[0]
	for k := kp; k > 0; k-- {
		nu := a + float64(k)
		if nu < x && g*nu/(x-nu) <= tailH {
			break
		}
		g = mass(k-1, g, false)
		down = append(down, g)
		r.kOne = k - 1
	}
	n := r.kZero - r.kOne + 1
	r.vals = make([]float64, n)
	for i := range n {
		k := r.kOne + i
		if k >= kp {
			r.vals[i] = up[k-kp]
		} else {
			r.vals[i] = down[kp-1-k]
		}
		r.gPeak = max(r.gPeak, r.vals[i]*(1+relMassH))
	}
	// Upper cumulative sums (Neumaier).
	var sum, comp float64
	for i := n - 1; i >= 0; i-- {
		v := r.vals[i]
		t := sum + v
		if math.Abs(sum) >= math.Abs(v) {
			comp += (sum - t) + v
		} else {
			comp += (v - t) + sum
		}
		sum = t
		r.vals[i] = min(sum+comp, 1)
	}
}

// cdfTable evaluates F(t_l; d, λ) at the edges t_l (χ² units) of a Smoother.
type cdfTable struct {
	a      float64 // d/2
	lamRel float64 // relative error bound of a computed λ (see squaredDistance)
	rows   []cdfRow
}

func newCDFTable(d int, t []float64) *cdfTable {
	tb := &cdfTable{a: float64(d) / 2, lamRel: squaredDistanceRel(d), rows: make([]cdfRow, len(t))}
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

// poissonWindow holds Poisson(μ) masses w_k for k in [lo, hi] and their running sums.
type poissonWindow struct {
	mu     float64
	lo, hi int
	w, cum []float64
	down   []float64
}

// fill computes the window for mean mu, never beyond kMax. The omitted lower tail
// Σ_{k<lo} w_k is at most tailP (w_{k−1}/w_k = k/μ, so Σ_{j<k} w_j ≤ w_k·(k/μ)/(1−k/μ));
// above hi either the omitted tail is at most tailP (w_{k+1}/w_k = μ/(k+1)) or
// hi = kMax. Each w_k has relative error at most relMassP.
func (p *poissonWindow) fill(mu float64, kMax int) {
	p.mu = mu
	k0 := kMax // the mode, capped; compared in float64 so that a huge μ cannot overflow int
	if mu < float64(kMax) {
		k0 = int(mu)
	}
	invMu := 1 / mu
	mass := func(k int, prev float64, fromBelow bool) float64 {
		if (k-k0)%restartP == 0 {
			return dpoisRaw(float64(k), mu)
		}
		if fromBelow {
			return prev * mu / float64(k)
		}
		return prev * float64(k+1) * invMu
	}
	p.down = p.down[:0]
	w0 := dpoisRaw(float64(k0), mu)
	g := w0
	p.lo = k0
	for k := k0; k > 0; k-- {
		rho := float64(k) * invMu
		if rho < 1 && g*rho/(1-rho) <= tailP {
			break
		}
		g = mass(k-1, g, false)
		p.down = append(p.down, g)
		p.lo = k - 1
	}
	p.w = p.w[:0]
	for i := len(p.down) - 1; i >= 0; i-- {
		p.w = append(p.w, p.down[i])
	}
	p.w = append(p.w, w0)
	g = w0
	p.hi = k0
	for k := k0; k < kMax; k++ {
		r := mu / float64(k+1)
		if r < 1 && g*r/(1-r) <= tailP {
			break
		}
		g = mass(k+1, g, true)
		p.w = append(p.w, g)
		p.hi = k + 1
	}
	p.cum = p.cum[:0]
	var s float64
	for _, v := range p.w {
		s += v
		p.cum = append(p.cum, s)
	}
}

// eval returns F(t_e; d, 2μ) for the Poisson window p and edge index e, and a bound
// on its absolute error: the truncations (2·tailP + tailH); a relative bound covering
// the rounding of w, H and the sums; the effect of a relative error lamRel of the
// computed λ, via |∂F/∂λ| = ½(F_d − F_{d+2}) = ½Σ w_k g_{a+k}(x) ≤ ½·min(F, max g);
// and that of a relative error ε of the edge x, via |∂F/∂x| = Σ w_k g_{a+k−1}(x) ≤
// min(Σ w_k H_k (a+k)/x, max g). g bounds outside the stored band are below tailH.
// It requires that p was filled with kMax ≥ kZero of the row.
func (tb *cdfTable) eval(p *poissonWindow, e int) (f, errBound float64) {
	r := tb.row(e)
	// k < kOne: H treated as 1.
	if top := min(r.kOne-1, p.hi); top >= p.lo {
		f = p.cum[top-p.lo]
	}
	lo, hi := max(p.lo, r.kOne), min(p.hi, r.kZero)
	if lo <= hi {
		w := p.w[lo-p.lo : hi-p.lo+1]
		h := r.vals[lo-r.kOne : hi-r.kOne+1]
		var s float64
		for i, v := range w {
			s += float64(v * h[i])
		}
		f += s
	}
	f = min(f, 1)
	g := r.gPeak + tailH
	rel := relMassP + relMassH + float64(float64(p.hi-p.lo+4)*eps)
	var lamErr float64 // 0 when min(F, g) = 0, also for μ = +Inf (∞·0 would be NaN)
	if m := min(f, g); m > 0 {
		lamErr = tb.lamRel * p.mu * m
	}
	edgeErr := eps * min((tb.a+float64(p.hi))*f, r.x*g)
	return f, 2*tailP + tailH + float64(rel*f) + lamErr + edgeErr
}
