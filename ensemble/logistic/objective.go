package logistic

import "math"

// problem is the regularised softmax cross-entropy of a training set in the
// baseline-category parameterisation (class 0's scores are fixed at 0, which removes
// the softmax's redundant degree of freedom and, for two classes, makes this ordinary
// binary logistic regression):
//
//	f(W, b) = (1/n) Σ_i [log Σ_c exp(z_ic) − z_{i,y_i}] + (λ/2)‖W‖²,
//	z_i0 = 0,  z_ic = b_c + Σ_j s_j (x_ij − μ_j) W_cj  for c = 1 … C−1,
//
// over the features standardised by their means μ_j and inverse standard deviations
// s_j (s_j = 0 for a constant feature, which then carries no weight). Standardising
// makes one L-BFGS configuration work for features of any scale. The data are read in
// place: the standardised copy is never built.
type problem struct {
	X       [][]float64
	y       []int
	d, c    int
	l2      float64
	mean    []float64 // μ_j
	scale   []float64 // s_j
	v       []float64 // effective weights V_cj = s_j W_cj, (c−1)×d class-major
	centred []float64 // x_ij − μ_j of the current row
	z       []float64 // scores, then residuals p_ic − [y_i = c], of the current row
}

func newProblem(X [][]float64, y []int, d, c int, l2 float64) *problem {
	p := &problem{
		X: X, y: y, d: d, c: c, l2: l2,
		mean: make([]float64, d), scale: make([]float64, d), v: make([]float64, (c-1)*d),
		centred: make([]float64, d), z: make([]float64, c),
	}
	n := float64(len(X))
	for _, row := range X {
		for j, x := range row {
			p.mean[j] += x
		}
	}
	for j := range p.mean {
		p.mean[j] /= n
	}
	variance := make([]float64, d)
	for _, row := range X {
		for j, x := range row {
			dx := x - p.mean[j]
			variance[j] += float64(dx * dx)
		}
	}
	for j, ss := range variance {
		if s := 1 / math.Sqrt(ss/n); ss > 0 && !math.IsInf(s, 0) {
			p.scale[j] = s
		}
	}
	return p
}

// dims returns the length of θ for d features and c classes: W ((c−1)×d) and b (c−1).
func dims(d, c int) int { return (c - 1) * (d + 1) }

// eval returns f(θ) and writes ∇f(θ) into grad. θ holds W ((c−1)×d, class-major) and
// then b (c−1): the parameters of classes 1 … c−1.
func (p *problem) eval(theta, grad []float64) float64 {
	d, free := p.d, p.c-1
	w, b := theta[:free*d], theta[free*d:]
	gw, gb := grad[:free*d], grad[free*d:]
	for k := range free {
		for j, s := range p.scale {
			p.v[k*d+j] = float64(w[k*d+j] * s)
		}
	}
	clear(grad)
	normalisers := logProduct{mantissa: 1}
	var sumZy float64
	z, centred := p.z, p.centred
	for i, row := range p.X {
		for j, x := range row[:d] {
			centred[j] = x - p.mean[j]
		}
		z[0] = 0
		for k := range free {
			z[k+1] = b[k] + dot(centred, p.v[k*d:(k+1)*d])
		}
		normaliser, zy := softmaxResidual(z, p.y[i])
		normalisers.mul(normaliser)
		sumZy += zy
		for k, r := range z[1:] {
			gb[k] += r
			axpy(r, centred, gw[k*d:(k+1)*d])
		}
	}
	invN := 1 / float64(len(p.X))
	var norm float64
	for k := range free {
		for j, s := range p.scale {
			wkj := w[k*d+j]
			norm += float64(wkj * wkj)
			gw[k*d+j] = float64(gw[k*d+j]*float64(s*invN)) + float64(p.l2*wkj)
		}
	}
	for k := range gb {
		gb[k] *= invN
	}
	loss := normalisers.log() - sumZy // Σ_i log Σ_c exp(z_ic − m_i) − (z_{i,y_i} − m_i)
	return float64(loss*invN) + float64(0.5*float64(p.l2*norm))
}

// softmaxResidual replaces the scores z by the residuals softmax(z) − e_y, and returns
// the normaliser Σ_c exp(z_c − m) ∈ [1, c] and z_y − m, with m the maximum score: the
// row's cross-entropy is log(normaliser) − (z_y − m).
func softmaxResidual(z []float64, y int) (normaliser, zy float64) {
	top := 0
	for k, v := range z {
		if v > z[top] {
			top = k
		}
	}
	m := z[top]
	zy = z[y] - m
	for k, v := range z {
		if k == top {
			z[k] = 1 // exp(0), exactly
		} else {
			z[k] = exp(v - m)
		}
		normaliser += z[k]
	}
	inv := 1 / normaliser
	for k := range z {
		z[k] *= inv
	}
	z[y]--
	return normaliser, zy
}

// logProduct accumulates Σ log(v_i) for v_i ≥ 1 as log(Π v_i), so that a fit calls log
// once per evaluation instead of once per row. The product is kept below 2⁵⁰⁰ by
// moving factors of 2⁵⁰⁰ (exactly) into a separate exponent.
type logProduct struct {
	mantissa float64
	exponent int
}

func (l *logProduct) mul(v float64) {
	l.mantissa *= v
	if l.mantissa > 0x1p500 {
		l.mantissa *= 0x1p-500
		l.exponent += 500
	}
}

func (l *logProduct) log() float64 {
	return log(l.mantissa) + float64(float64(l.exponent)*ln2Hi) + float64(float64(l.exponent)*ln2Lo)
}

// model converts the optimum θ to a Model that scores raw inputs exactly as eval does
// (class 0 with zero weights and intercept).
func (p *problem) model(theta []float64) *Model {
	d, c := p.d, p.c
	weights := make([]float64, c*d)
	for k := 1; k < c; k++ {
		for j, s := range p.scale {
			weights[k*d+j] = float64(theta[(k-1)*d+j] * s)
		}
	}
	return newModel(d, c, append([]float64(nil), p.mean...), weights, append([]float64{0}, theta[(c-1)*d:]...))
}
