package logistic

import (
	"context"
	"math"
)

// L-BFGS settings (Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithm 7.4
// with an Armijo backtracking line search).
const (
	memory     = 7    // correction pairs kept
	gradTol    = 1e-6 // stop when every gradient coordinate is below this
	armijo     = 1e-4 // sufficient-decrease constant c₁
	backtracks = 40   // step halvings before giving up on a direction
)

// minimize runs at most iterations L-BFGS iterations on f from x, and leaves the best
// point found in x. f(x, g) returns the objective and writes its gradient into g. Every
// operation is a fixed sequence of IEEE operations, so the result is deterministic.
// It returns ctx.Err() if ctx is cancelled.
func minimize(ctx context.Context, f func(x, g []float64) float64, x []float64, iterations int) error {
	n := len(x)
	buf := make([]float64, (6+2*memory)*n)
	next := func() []float64 { s := buf[:n:n]; buf = buf[n:]; return s }
	cur, g, trial, gTrial, dir := x, next(), next(), next(), next()
	sNew, yNew := next(), next()
	var s, y [memory][]float64
	var rho, alpha [memory]float64
	for i := range memory {
		s[i], y[i] = next(), next()
	}
	pairs, newest := 0, -1
	fx := f(cur, g)
	for range iterations {
		if err := ctx.Err(); err != nil {
			return err
		}
		if maxAbs(g) < gradTol {
			break
		}
		// Two-loop recursion: dir = −H·g with H the L-BFGS inverse-Hessian estimate.
		copy(dir, g)
		for m := range pairs {
			k := (newest - m + memory) % memory
			alpha[k] = rho[k] * dot(s[k], dir)
			axpy(-alpha[k], y[k], dir)
		}
		gamma := 1.0
		if pairs > 0 {
			gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest])
		}
		scale(gamma, dir)
		for m := pairs - 1; m >= 0; m-- {
			k := (newest - m + memory) % memory
			axpy(alpha[k]-rho[k]*dot(y[k], dir), s[k], dir)
		}
		scale(-1, dir)
		slope := dot(g, dir)
		if !(slope < 0) { // not a descent direction: restart from steepest descent
			pairs = 0
			copy(dir, g)
			scale(-1, dir)
			slope = -dot(g, g)
		}
		step, fTrial, ok := 1.0, 0.0, false
		for range backtracks {
			for i := range trial {
				trial[i] = cur[i] + float64(step*dir[i])
			}
			fTrial = f(trial, gTrial)
			if fTrial <= fx+float64(armijo*float64(step*slope)) {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			break // no decrease representable along dir: converged to working precision
		}
		for i := range trial {
			sNew[i] = trial[i] - cur[i]
			yNew[i] = gTrial[i] - g[i]
		}
		// Keep the pair only if it satisfies the curvature condition sᵀy > 0.
		if sy := dot(sNew, yNew); sy > 1e-12*dot(yNew, yNew) {
			newest = (newest + 1) % memory
			s[newest], sNew = sNew, s[newest]
			y[newest], yNew = yNew, y[newest]
			rho[newest] = 1 / sy
			pairs = min(pairs+1, memory)
		}
		cur, trial = trial, cur
		g, gTrial = gTrial, g
		fx = fTrial
	}
	copy(x, cur)
	return nil
}

// dot returns Σ a_i·b_i, summed in four interleaved partial sums (a fixed order, so the
// result is deterministic; the partial sums let the processor overlap the additions).
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += float64(a[i] * b[i])
		s1 += float64(a[i+1] * b[i+1])
		s2 += float64(a[i+2] * b[i+2])
		s3 += float64(a[i+3] * b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i] * b[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy sets y += a·x.
func axpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += float64(a * v)
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}
