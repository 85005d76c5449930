package defense

import (
	"context"
	"fmt"

	"github.com/rabcert/rab/internal/errs"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Iteration limits of SCAn.
const (
	// emMaxIterations and emTolerance stop the EM estimate of S_μ and S_ε: at most
	// emMaxIterations, or once ‖ΔS_μ‖_F + ‖ΔS_ε‖_F ≤ emTolerance·(‖S_μ‖_F + ‖S_ε‖_F).
	emMaxIterations = 1000
	emTolerance     = 1e-12
	// maxUntangleIterations bounds the two-group split of a class (the SCAn authors'
	// limit).
	maxUntangleIterations = 100
)

// SCAn is the Statistical Contamination Analyzer of Tang, Wang, Tang and Zhang ("Demon
// in the Variant: Statistical Analysis of DNNs for Robust Backdoor Contamination
// Detection", USENIX Security 2021, Section 4), with the RAB paper's adaptation
// (Section 7.1.3): flag the smaller group of the most anomalous class.
//
// # Decomposition (SCAn Section 4.2)
//
// A representation is r = μ_c + ε: an identity μ_c ~ N(0, S_μ) shared by its class c
// and a variation ε ~ N(0, S_ε) shared by all classes. SCAn estimates S_μ and S_ε on a
// small clean set (cleanX, cleanY), centred on its mean m, by the EM algorithm of
// Chen et al. ("Bayesian Face Revisited: A Joint Formulation", ECCV 2012): starting
// from the class means, alternate
//
//	E-step: μ_c = S_μ (S_ε + n_c S_μ)⁺ Σ_{i∈c} r_i    (the posterior mean of μ_c),
//	        ε_i = r_i − μ_{c(i)},
//	M-step: S_μ = cov({μ_{c(i)}}_i),  S_ε = cov({ε_i}_i)
//
// (sample covariances over the rows, as in the authors' code), until
// ‖ΔS_μ‖_F + ‖ΔS_ε‖_F ≤ 10⁻¹²·(‖S_μ‖_F + ‖S_ε‖_F) or after 1000 iterations. ⁺ is the
// Moore–Penrose pseudo-inverse, so representations confined to a subspace (the output
// probability vectors of a classifier sum to 1) are handled; F = S_ε⁺.
//
// # Untangling and the test statistic (SCAn Section 4.3)
//
// Each class c of the training set (X, y), centred on m, is split into two groups that
// share S_ε: from the sign of the projection on the top principal direction of the
// S_ε-whitened class, the groups' means μ_1, μ_2 are computed and every row goes to
// group 1 exactly when (r_i − (μ_1 + μ_2)/2)ᵀ F (μ_1 − μ_2) > 0 (the linear
// discriminant of the two Gaussians), until no row moves (at most 100 rounds). The
// log-likelihood ratio of the two-group model against the one-group model of the
// decomposition, with μ̂_c = S_μ (S_ε + n_c S_μ)⁺ Σ_{i∈c} r_i, is per row
//
//	J_c = (1/n_c) Σ_{i∈c} [ ‖r_i − μ̂_c‖²_F − ‖r_i − μ_{z_i}‖²_F ],   ‖v‖²_F = vᵀ F v,
//
// the statistic of the authors' code. SCAn proper flags a class whose anomaly index
// |J_c − median J| / (1.4826·MAD J) exceeds e²; with two classes that index is the same
// for both, so the RAB paper instead takes the class of largest J as the most
// anomalous and flags its smaller group (two groups of equal size flag nothing).
//
// Result.ClassScores holds J_c, Result.Groups each row's group (0 the larger, 1 the
// smaller), and Result.Scores the discriminant toward the smaller group of its class,
// (r_i − (μ_s + μ_l)/2)ᵀ F (μ_s − μ_l), positive in the smaller group. The clean set
// must hold rows of at least two classes, with the training set's dimension; no slice
// is modified.
func SCAn(ctx context.Context, cleanX [][]float64, cleanY []int, X [][]float64, y []int, opts ...SCAnOption) (*Result, error) {
	ds, cfg, err := prepare(ctx, "SCAn", X, y, opts, SCAnOption.applySCAn)
	if err != nil {
		return nil, err
	}
	clean, err := newDataset(cleanX, cleanY, &cfg)
	switch {
	case err != nil:
		return nil, fmt.Errorf("defense: SCAn: clean set: %w", err)
	case clean.d != ds.d:
		return nil, errs.Invalid("defense: SCAn: clean set has %d features, the training set %d: want the same representation", clean.d, ds.d)
	case len(clean.byClass) < 2:
		return nil, errs.Invalid("defense: SCAn: clean set holds only class %d: want rows of at least 2 classes to estimate the identity covariance S_μ", clean.byClass[0].label)
	}
	// One scale for both sets: the decomposition of the clean set applies to the
	// training set. J and the discriminants do not depend on it.
	ds.scale = min(ds.scale, clean.scale)
	clean.scale = ds.scale
	g, err := fitGlobal(ctx, clean)
	if err != nil {
		return nil, err
	}
	res := newResult(len(X))
	res.Groups = make([]int, len(X))
	res.ClassScores = make([]float64, ds.classes)
	err = ds.forEachClass(ctx, cfg.workers, func(k int) error {
		c := ds.byClass[k]
		J, err := g.untangle(ds.rowsAround(c, g.mean), c, res)
		res.ClassScores[c.label] = J
		return err
	})
	if err != nil {
		return nil, err
	}
	return res.finish([][]int{res.smallerGroupOfTop(ds)}), nil
}

// smallerGroupOfTop returns the rows of the smaller group of the class of largest J
// (the lowest label on ties), if its groups differ in size.
func (r *Result) smallerGroupOfTop(ds *labelledSet) []int {
	top := ds.byClass[0]
	for _, c := range ds.byClass[1:] {
		if r.ClassScores[c.label] > r.ClassScores[top.label] {
			top = c
		}
	}
	var small []int
	for _, i := range top.rows {
		if r.Groups[i] == 1 {
			small = append(small, i)
		}
	}
	if 2*len(small) == len(top.rows) {
		return nil
	}
	return small
}

// rowsAround returns the rows of class c, scaled, minus m.
func (ds *labelledSet) rowsAround(c class, m []float64) *mat.Dense {
	R := ds.rows(c.rows)
	for r := range c.rows {
		floats.Sub(R.RawRowView(r), m)
	}
	return R
}

// globalModel is SCAn's decomposition r = μ + ε of representations centred on mean.
type globalModel struct {
	mean   []float64
	Su, Se *mat.SymDense
	F      *mat.SymDense // S_ε⁺
}

// fitGlobal estimates S_μ and S_ε on the clean set by EM.
func fitGlobal(ctx context.Context, clean *labelledSet) (*globalModel, error) {
	all := make([]int, len(clean.X))
	for i := range all {
		all[i] = i
	}
	R := clean.rows(all)
	mean := centre(R)
	sums := make([]*mat.VecDense, len(clean.byClass))
	mu := make([]*mat.VecDense, len(clean.byClass))
	for k, c := range clean.byClass {
		sums[k] = mat.NewVecDense(clean.d, nil)
		for _, i := range c.rows {
			floats.Add(sums[k].RawVector().Data, R.RawRowView(i))
		}
		mu[k] = mat.NewVecDense(clean.d, nil)
		mu[k].ScaleVec(1/float64(len(c.rows)), sums[k])
	}
	Su, Se := clean.covariances(R, mu)
	for range emMaxIterations {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for k, c := range clean.byClass {
			var err error
			if mu[k], err = posteriorMean(Su, Se, len(c.rows), sums[k]); err != nil {
				return nil, err
			}
		}
		nextSu, nextSe := clean.covariances(R, mu)
		var dSu, dSe mat.Dense
		dSu.Sub(nextSu, Su)
		dSe.Sub(nextSe, Se)
		Su, Se = nextSu, nextSe
		if mat.Norm(&dSu, 2)+mat.Norm(&dSe, 2) <= emTolerance*(mat.Norm(Su, 2)+mat.Norm(Se, 2)) {
			break
		}
	}
	F, err := symFunc(Se, inverse)
	if err != nil {
		return nil, err
	}
	return &globalModel{mean: mean, Su: Su, Se: Se, F: F}, nil
}

// posteriorMean returns S_μ (S_ε + n S_μ)⁺ s: the posterior mean of the identity of a
// class of n rows summing to s.
func posteriorMean(Su, Se *mat.SymDense, n int, s *mat.VecDense) (*mat.VecDense, error) {
	var A mat.SymDense
	A.ScaleSym(float64(n), Su)
	A.AddSym(&A, Se)
	P, err := symFunc(&A, inverse)
	if err != nil {
		return nil, err
	}
	var t, mu mat.VecDense
	t.MulVec(P, s)
	mu.MulVec(Su, &t)
	return &mu, nil
}

// covariances returns the sample covariances (normalised by n − 1) over the rows of R
// of their class identities μ_{c(i)} and of their variations R_i − μ_{c(i)}.
func (ds *labelledSet) covariances(R *mat.Dense, mu []*mat.VecDense) (Su, Se *mat.SymDense) {
	n, d := R.Dims()
	U := mat.NewDense(n, d, nil)
	for k, c := range ds.byClass {
		for _, i := range c.rows {
			U.SetRow(i, mu[k].RawVector().Data)
		}
	}
	var E mat.Dense
	E.Sub(R, U)
	return sampleCov(U), sampleCov(&E)
}

// sampleCov returns the sample covariance of the rows of A, normalised by n − 1.
func sampleCov(A *mat.Dense) *mat.SymDense {
	n, d := A.Dims()
	mean := make([]float64, d)
	for i := range n {
		for j, v := range A.RawRowView(i) {
			mean[j] += v / float64(n)
		}
	}
	C := mat.NewDense(n, d, nil)
	for i := range n {
		row := C.RawRowView(i)
		for j, v := range A.RawRowView(i) {
			row[j] = v - mean[j]
		}
	}
	var S mat.SymDense
	S.SymOuterK(1/float64(n-1), C.T())
	return &S
}

// untangle splits class c (its rows R, centred on the global mean) into two groups,
// records the rows' groups and scores in res, and returns the class's statistic J.
func (g *globalModel) untangle(R *mat.Dense, c class, res *Result) (float64, error) {
	z, err := g.initialSplit(R)
	if err != nil {
		return 0, err
	}
	var mus [2]*mat.VecDense
	var sizes [2]int
	for range maxUntangleIterations {
		mus, sizes = groupMeans(R, z)
		if sizes[0] == 0 || sizes[1] == 0 {
			return 0, nil // one group: nothing to untangle (all rows keep group 0)
		}
		w, b := g.discriminant(mus[1], mus[0])
		moved := false
		for r := range z {
			side := 0
			if floats.Dot(R.RawRowView(r), w) > b {
				side = 1
			}
			moved = moved || side != z[r]
			z[r] = side
		}
		if !moved {
			break
		}
	}
	mus, sizes = groupMeans(R, z)
	if sizes[0] == 0 || sizes[1] == 0 {
		return 0, nil
	}
	small := 0
	if sizes[1] < sizes[0] || (sizes[1] == sizes[0] && z[0] == 0) {
		small = 1
	}
	w, b := g.discriminant(mus[small], mus[1-small])
	_, d := R.Dims()
	sum := make([]float64, d)
	for r := range z {
		row := R.RawRowView(r)
		floats.Add(sum, row)
		if z[r] == small {
			res.Groups[c.rows[r]] = 1
		}
		res.Scores[c.rows[r]] = floats.Dot(row, w) - b
	}
	muHat, err := posteriorMean(g.Su, g.Se, len(z), mat.NewVecDense(d, sum))
	if err != nil {
		return 0, err
	}
	J := 0.0
	e0, e1 := mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)
	for r := range z {
		row := R.RawRowView(r)
		floats.SubTo(e0.RawVector().Data, row, muHat.RawVector().Data)
		floats.SubTo(e1.RawVector().Data, row, mus[z[r]].RawVector().Data)
		J += mat.Inner(e0, g.F, e0) - mat.Inner(e1, g.F, e1)
	}
	return J / float64(len(z)), nil
}

// initialSplit splits the rows of R by the sign of their projection on the top
// principal direction of the S_ε-whitened, centred rows.
func (g *globalModel) initialSplit(R *mat.Dense) ([]int, error) {
	W, err := symFunc(g.Se, inverseSqrt)
	if err != nil {
		return nil, err
	}
	n, _ := R.Dims()
	A := mat.DenseCopyOf(R)
	centre(A)
	var Y mat.Dense
	Y.Mul(A, W)
	V, _, err := components(&Y)
	if err != nil {
		return nil, err
	}
	var proj mat.VecDense
	proj.MulVec(&Y, V.ColView(0))
	z := make([]int, n)
	for r := range z {
		if proj.AtVec(r) > 0 {
			z[r] = 1
		}
	}
	return z, nil
}

// discriminant returns w = F(μ_a − μ_b) and b = wᵀ(μ_a + μ_b)/2: rᵀw > b exactly
// when r is nearer μ_a than μ_b in the metric F.
func (g *globalModel) discriminant(a, b *mat.VecDense) ([]float64, float64) {
	var diff, mid, w mat.VecDense
	diff.SubVec(a, b)
	mid.AddVec(a, b)
	mid.ScaleVec(0.5, &mid)
	w.MulVec(g.F, &diff)
	return w.RawVector().Data, mat.Dot(&w, &mid)
}

// groupMeans returns the means and sizes of the rows of R in groups 0 and 1.
func groupMeans(R *mat.Dense, z []int) ([2]*mat.VecDense, [2]int) {
	_, d := R.Dims()
	mus := [2]*mat.VecDense{mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)}
	var sizes [2]int
	for r, side := range z {
		floats.Add(mus[side].RawVector().Data, R.RawRowView(r))
		sizes[side]++
	}
	for side, size := range sizes {
		if size > 0 {
			mus[side].ScaleVec(1/float64(size), mus[side])
		}
	}
	return mus, sizes
}
