package main

import (
	"context"
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/rabcert/rab/defense"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// defences returns the paper's representation-based baselines in its column order:
// AC, Spectral Signatures and Sphere as experiment.Baselines sets them, and SCAn with
// its trusted clean set drawn from the pretraining rows pre (the data this setting
// trusts already): the harness's default, a tenth of the clean fine-tuning rows, is 6
// rows for 10 classes, too few for SCAn's per-class estimate.
func (t trainer) defences(pre dataset.Set) []experiment.Defence {
	var out []experiment.Defence
	for _, d := range experiment.Baselines(t.cfg.seed) {
		if d.Name != "SCAn" {
			out = append(out, d)
		}
	}
	clean := balanced(pre, t.cfg.scanClean)
	return append(out, experiment.Defence{
		Name: "SCAn",
		Setting: fmt.Sprintf("SCAn: EM on a clean set of %d pretraining rows (trusted, as all pretraining rows are here), the smaller group of the class of largest J removed;\n"+
			"            every representation is projected on the span of the clean set's centred representations first, which changes no statistic of SCAn's (see scanSpan)", len(clean.X)),
		Flag: func(ctx context.Context, s experiment.Scenario, reps [][]float64) ([]int, error) {
			m, err := t.vanilla(ctx, s)
			if err != nil {
				return nil, err
			}
			cleanReps, err := m.Hidden(clean.X)
			if err != nil {
				return nil, err
			}
			basis, err := scanSpan(cleanReps)
			if err != nil {
				return nil, err
			}
			res, err := defense.SCAn(ctx, project(cleanReps, basis), clean.Y, project(reps, basis), s.Y,
				defense.WithClasses(dataset.MNISTClasses), defense.WithWorkers(experiment.Workers(t.cfg.workers)))
			if err != nil {
				return nil, err
			}
			return res.Flagged, nil
		},
	})
}

// balanced returns n rows of s (all of them if n ≥ len(s.X)) spread over its classes:
// the first ⌈n/C⌉ rows of each class, in s's order, then cut to n in that order, so
// that SCAn's clean set has rows of every class the pretraining rows have.
func balanced(s dataset.Set, n int) dataset.Set {
	per := (n + s.Classes - 1) / s.Classes
	taken := make([]int, s.Classes)
	out := dataset.Set{Names: s.Names, Classes: s.Classes}
	for i, label := range s.Y {
		if len(out.X) == n {
			break
		}
		if taken[label] < per {
			taken[label]++
			out.X, out.Y = append(out.X, s.X[i]), append(out.Y, label)
		}
	}
	return out
}

// scanSpan returns an orthonormal basis (as the columns of a d×k matrix) of the span of
// the centred rows of the clean set's representations C: the right singular vectors of
// C − mean whose singular values exceed 10⁻¹⁰ of the largest.
//
// SCAn (package defense) reads the representations only through S_μ, S_ε, their
// pseudo-inverses and quadratic forms in F = S_ε⁺, and both covariances are estimated
// from the centred clean rows, so they, F and every statistic live in that span:
// projecting on it changes J and the discriminants only by rounding (checked against
// the full 512-dimensional computation by TestSCAnSpan), while SCAn's per-iteration
// eigendecompositions shrink from 512 to at most k < |clean| dimensions (on 100 clean
// rows, 90 ms instead of 80 s).
func scanSpan(C [][]float64) (*mat.Dense, error) {
	n, d := len(C), len(C[0])
	A := mat.NewDense(n, d, nil)
	for i, row := range C {
		A.SetRow(i, row)
	}
	for j := range d {
		mean := mat.Sum(A.ColView(j)) / float64(n)
		for i := range n {
			A.Set(i, j, A.At(i, j)-mean)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(A, mat.SVDThin) {
		return nil, errors.New("SCAn: the SVD of the clean set's representations did not converge")
	}
	values := svd.Values(nil)
	k := 0
	for k < len(values) && values[k] > 1e-10*values[0] {
		k++
	}
	var V mat.Dense
	svd.VTo(&V)
	return mat.DenseCopyOf(V.Slice(0, d, 0, max(k, 1))), nil
}

// project returns the coordinates of the rows X in the basis (the rows times basis).
func project(X [][]float64, basis *mat.Dense) [][]float64 {
	_, k := basis.Dims()
	out := make([][]float64, len(X))
	for i, x := range X {
		var v mat.VecDense
		v.MulVec(basis.T(), mat.NewVecDense(len(x), x))
		out[i] = make([]float64, k)
		copy(out[i], v.RawVector().Data)
	}
	return out
}
