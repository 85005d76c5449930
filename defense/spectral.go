package defense

import (
	"context"

	"gonum.org/v1/gonum/mat"
)

// SpectralSignatures is the spectral-signature defence of Tran, Li and Madry
// ("Spectral Signatures in Backdoor Attacks", NeurIPS 2018, Algorithm 1). For each
// class c with representations R_c = {r_i}, it centres them, M = [r_i − r̂]_i with
// r̂ the class mean, takes the top right singular vector v of M and scores each row
//
//	τ_i = ((r_i − r̂)·v)²,
//
// then flags the ⌈1.5·ε·n_c⌉ rows of largest τ_i (ties to the lower row index), ε
// being the assumed poison rate (WithPoisonRate, default DefaultPoisonRate as in ART).
// Result.Scores holds τ_i.
//
// ART's SpectralSignatureDefense computes the same scores and keeps the rows below the
// (1 − 1.5·ε) quantile of each class (numpy's interpolated quantile), which removes
// the same number of rows up to one.
//
// X holds the representations of the training rows (features, or any model's
// activations or output vectors) and y their labels; neither is modified.
func SpectralSignatures(ctx context.Context, X [][]float64, y []int, opts ...SpectralOption) (*Result, error) {
	ds, cfg, err := prepare(ctx, "SpectralSignatures", X, y, opts, SpectralOption.applySpectral)
	if err != nil {
		return nil, err
	}
	return ds.flagTop(ctx, cfg.workers, SpectralMultiplier*cfg.rate, 2, func(A *mat.Dense) ([]float64, error) {
		V, _, err := components(A)
		if err != nil {
			return nil, err
		}
		var proj mat.VecDense
		proj.MulVec(A, V.ColView(0))
		scores := proj.RawVector().Data
		for r, v := range scores {
			scores[r] = v * v
		}
		return scores, nil
	})
}
