package defense

import (
	"cmp"
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Result is what a defence found in n training rows.
type Result struct {
	// Flagged lists the rows flagged as poisoned, in ascending order.
	Flagged []int
	// Scores holds one score per row, comparable within the row's class: the larger,
	// the more suspicious. Each defence documents what it is.
	Scores []float64
	// Groups holds, for ActivationClustering and SCAn, the group of each row within its
	// class: 0 for the larger of the two, 1 for the smaller (on equal sizes, the group
	// of the class's first row is 0). It is nil for the other defences.
	Groups []int
	// ClassScores holds, for SCAn, the test statistic J of every class (0 for a class
	// without rows). It is nil for the other defences.
	ClassScores []float64
}

// Kept returns the rows not flagged, in ascending order: the training set to retrain
// on.
func (r *Result) Kept() []int {
	kept := make([]int, 0, len(r.Scores)-len(r.Flagged))
	for i := range r.Scores {
		if _, found := slices.BinarySearch(r.Flagged, i); !found {
			kept = append(kept, i)
		}
	}
	return kept
}

// newResult returns a Result for n rows with room for the scores.
func newResult(n int) *Result { return &Result{Scores: make([]float64, n)} }

// finish sets the flagged rows to the union of the per-class lists, in ascending
// order.
func (r *Result) finish(perClass [][]int) *Result {
	r.Flagged = slices.Concat(perClass...)
	slices.Sort(r.Flagged)
	return r
}

// budget is ⌈f·n⌉ for 0 < f < 1, computed with a relative slack of 10⁻¹² so that the
// binary representation error of decimal fractions does not add a row (1.5·0.1·100
// is 15.000000000000002 in float64 and gives 15).
func budget(f float64, n int) int {
	return int(math.Ceil(f * float64(n) * (1 - 1e-12)))
}

// flagTop scores the rows of every class with score, given the class's rows (scaled
// by ds.scale) centred on their mean, and flags the budget(f, n_c) rows of largest
// score in each class (ties to the lower row index). A score is homogeneous of degree
// p in the representations: it is reported in their units, divided by ds.scale^p.
func (ds *labelledSet) flagTop(ctx context.Context, workers int, f float64, p int, score func(A *mat.Dense) ([]float64, error)) (*Result, error) {
	unit := math.Pow(ds.scale, -float64(p))
	res := newResult(len(ds.X))
	flagged := make([][]int, len(ds.byClass))
	err := ds.forEachClass(ctx, workers, func(k int) error {
		c := ds.byClass[k]
		A, _ := ds.centred(c)
		scores, err := score(A)
		if err != nil {
			return err
		}
		for r, i := range c.rows {
			res.Scores[i] = scores[r]
		}
		order := slices.Clone(c.rows)
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(res.Scores[b], res.Scores[a]) })
		flagged[k] = order[:budget(f, len(c.rows))]
		for _, i := range c.rows {
			res.Scores[i] *= unit
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res.finish(flagged), nil
}
