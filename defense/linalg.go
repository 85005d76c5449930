package defense

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// components returns the right singular vectors of the centred n×d matrix A as the
// columns of a d×min(n, d) matrix, by decreasing singular value, with the singular
// values. Each vector's sign makes its entry of largest magnitude (the first such)
// positive, so the principal components are unique wherever the singular values are
// distinct.
func components(A *mat.Dense) (*mat.Dense, []float64, error) {
	var svd mat.SVD
	if !svd.Factorize(A, mat.SVDThinV) {
		return nil, nil, fmt.Errorf("defense: the singular value decomposition did not converge")
	}
	var V mat.Dense
	svd.VTo(&V)
	d, k := V.Dims()
	for j := range k {
		big := 0
		for i := range d {
			if math.Abs(V.At(i, j)) > math.Abs(V.At(big, j)) {
				big = i
			}
		}
		if V.At(big, j) < 0 {
			for i := range d {
				V.Set(i, j, -V.At(i, j))
			}
		}
	}
	return &V, svd.Values(nil), nil
}

// reduce returns the centred n×d matrix A projected on its first k principal
// components (A·V_k, the n×k principal component scores, as scikit-learn's
// PCA(k).fit_transform), or A itself when d ≤ k, as ART does. If whiten is set, each
// column of scores is divided by its standard deviation s_j/√(n−1); a component whose
// singular value is at most n·d·ε_machine·s_1 has no variance to scale and is set to 0.
func reduce(A *mat.Dense, k int, whiten bool) (*mat.Dense, error) {
	n, d := A.Dims()
	if d <= k {
		return A, nil
	}
	V, s, err := components(A)
	if err != nil {
		return nil, err
	}
	k = min(k, len(s))
	var Z mat.Dense
	Z.Mul(A, V.Slice(0, d, 0, k))
	if !whiten {
		return &Z, nil
	}
	floor := float64(n*d) * 0x1p-52 * s[0]
	for j := range k {
		scale := 0.0
		if s[j] > floor {
			scale = math.Sqrt(float64(n-1)) / s[j]
		}
		for i := range n {
			Z.Set(i, j, Z.At(i, j)*scale)
		}
	}
	return &Z, nil
}

// symFunc returns f(S) = Σ_{λ_j > tol} f(λ_j) q_j q_jᵀ for the symmetric matrix S
// with eigenpairs (λ_j, q_j), tol = d·ε_machine·max|λ| (the cut-off of MATLAB's pinv,
// which the SCAn authors used): with f(λ) = 1/λ it is the Moore–Penrose
// pseudo-inverse S⁺, with f(λ) = 1/√λ the whitening matrix (S⁺)^½.
func symFunc(S *mat.SymDense, f func(float64) float64) (*mat.SymDense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(S, true) {
		return nil, fmt.Errorf("defense: the eigendecomposition did not converge")
	}
	values := eig.Values(nil)
	var Q mat.Dense
	eig.VectorsTo(&Q)
	d := len(values)
	top := 0.0
	for _, v := range values {
		top = max(top, math.Abs(v))
	}
	tol := float64(d) * 0x1p-52 * top
	P := mat.NewSymDense(d, nil)
	for j, v := range values {
		if v > tol {
			P.SymRankOne(P, f(v), Q.ColView(j))
		}
	}
	return P, nil
}

func inverse(v float64) float64     { return 1 / v }
func inverseSqrt(v float64) float64 { return 1 / math.Sqrt(v) }
