package defense

import (
	"context"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Sphere is the sphere defence (Steinhardt, Koh and Liang, "Certified Defenses for
// Data Poisoning Attacks", NeurIPS 2017, Section 2: remove the points outside a ball
// around their class centroid) in the form the RAB paper evaluates (Section 7.1.3):
// reduce the dimension, then remove the top 15 % of each class by distance from its
// centroid. For each class c it projects the centred representations on their first k
// principal components (WithDims, default DefaultDims; representations of at most k
// features are used as they are), scores each row by its distance from the centroid
// in that space,
//
//	s_i = ‖V_kᵀ(r_i − r̂)‖₂,
//
// and flags the ⌈f·n_c⌉ rows of largest s_i (ties to the lower row index), f being
// WithFraction (default DefaultSphereFraction). Result.Scores holds s_i.
//
// The RAB paper does not say which reduction it uses; PCA keeps the k directions of
// largest variance, and with k ≥ rank it leaves distances unchanged.
//
// X holds the representations of the training rows and y their labels; neither is
// modified.
func Sphere(ctx context.Context, X [][]float64, y []int, opts ...SphereOption) (*Result, error) {
	ds, cfg, err := prepare(ctx, "Sphere", X, y, opts, SphereOption.applySphere)
	if err != nil {
		return nil, err
	}
	return ds.flagTop(ctx, cfg.workers, cfg.fraction, 1, func(A *mat.Dense) ([]float64, error) {
		Z, err := reduce(A, cfg.dims, false)
		if err != nil {
			return nil, err
		}
		n, _ := Z.Dims()
		scores := make([]float64, n)
		for r := range scores {
			scores[r] = floats.Norm(Z.RawRowView(r), 2)
		}
		return scores, nil
	})
}
