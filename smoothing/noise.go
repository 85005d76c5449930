package smoothing

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// Kind names a smoothing distribution.
type Kind int

const (
	// KindGaussian is isotropic Gaussian noise N(0, σ²I) (Corollary 1).
	KindGaussian Kind = iota + 1
	// KindUniform is coordinate-wise uniform noise U([a, b]) (Corollary 2).
	KindUniform
)

// String returns "gaussian" or "uniform".
func (k Kind) String() string {
	switch k {
	case KindGaussian:
		return "gaussian"
	case KindUniform:
		return "uniform"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ErrZeroNoise is returned by the methods of a Noise that was not made by Gaussian or
// Uniform. It wraps errs.ErrInvalidInput (rab.ErrInvalidInput).
var ErrZeroNoise = errs.Invalid("smoothing: zero Noise: construct it with Gaussian or Uniform")

// Noise is a smoothing distribution applied independently to every coordinate of every
// row. The zero value is not usable; construct it with Gaussian or Uniform. A Noise is
// an immutable value, safe for concurrent use.
type Noise struct {
	kind  Kind
	sigma float64 // Gaussian standard deviation σ
	a, b  float64 // Uniform support [a, b]
}

// Gaussian returns isotropic Gaussian noise N(0, σ²I), the smoothing distribution of
// Corollary 1 (eq. (12)). σ must be finite and positive.
func Gaussian(sigma float64) (Noise, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return Noise{}, errs.Invalid("smoothing: Gaussian σ = %v: want a finite σ > 0", sigma)
	}
	return Noise{kind: KindGaussian, sigma: sigma}, nil
}

// Uniform returns coordinate-wise uniform noise U([a, b]), the smoothing distribution of
// Corollary 2 (eq. (15)). a and b must be finite with a < b.
func Uniform(a, b float64) (Noise, error) {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return Noise{}, errs.Invalid("smoothing: Uniform [%v, %v]: bounds must be finite numbers", a, b)
	}
	if !(a < b) || math.IsInf(b-a, 0) {
		return Noise{}, errs.Invalid("smoothing: Uniform [%v, %v]: want a < b with finite width b − a", a, b)
	}
	return Noise{kind: KindUniform, a: a, b: b}, nil
}

// Kind returns the distribution's kind, or 0 for the zero Noise.
func (n Noise) Kind() Kind { return n.kind }

// Sigma returns σ of Gaussian noise, and 0 for uniform noise.
func (n Noise) Sigma() float64 { return n.sigma }

// Bounds returns [a, b] of uniform noise, and (0, 0) for Gaussian noise.
func (n Noise) Bounds() (a, b float64) { return n.a, n.b }

// String describes the distribution, e.g. "N(0, 0.5²I)" or "U([-1, 1])".
func (n Noise) String() string {
	switch n.kind {
	case KindGaussian:
		return fmt.Sprintf("N(0, %g²I)", n.sigma)
	case KindUniform:
		return fmt.Sprintf("U([%g, %g])", n.a, n.b)
	}
	return "smoothing.Noise{}"
}

// Sample draws one noise coordinate from rng: σ·Z with Z standard normal, or a + (b−a)·U
// with U uniform on [0, 1). It returns NaN for the zero Noise.
func (n Noise) Sample(rng *rand.Rand) float64 {
	switch n.kind {
	case KindGaussian:
		return float64(n.sigma * rng.NormFloat64())
	case KindUniform:
		return n.a + float64((n.b-n.a)*rng.Float64())
	}
	return math.NaN()
}

// Perturb writes x plus one noise draw per coordinate into dst, drawing from rng in
// coordinate order. dst and x must have the same length; dst may be x itself. It does
// not allocate.
func (n Noise) Perturb(rng *rand.Rand, dst, x []float64) error {
	if n.kind == 0 {
		return ErrZeroNoise
	}
	if len(dst) != len(x) {
		return errs.Invalid("smoothing: Perturb: dst has length %d, x has length %d: they must match", len(dst), len(x))
	}
	for j, v := range x {
		dst[j] = v + n.Sample(rng)
	}
	return nil
}

// PerturbData returns a noisy copy of the data set X: row i, coordinate j becomes
// X[i][j] + ε_ij with the ε drawn from rng row by row, coordinate by coordinate
// (D + ε_k in Algorithm 1, line 3). X is never modified. The rows of the result share
// one backing array. X must be non-empty, rectangular and finite.
func (n Noise) PerturbData(rng *rand.Rand, X [][]float64) ([][]float64, error) {
	if n.kind == 0 {
		return nil, ErrZeroNoise
	}
	d, err := check.Matrix(X)
	if err != nil {
		return nil, fmt.Errorf("smoothing: PerturbData: %w", err) // an *errs.InputError
	}
	flat := make([]float64, len(X)*d)
	out := make([][]float64, len(X))
	for i, row := range X {
		out[i] = flat[i*d : (i+1)*d : (i+1)*d]
		for j, v := range row {
			out[i][j] = v + n.Sample(rng)
		}
	}
	return out, nil
}
