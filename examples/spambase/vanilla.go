package main

import (
	"fmt"
	"slices"
	"sync"
)

// vanillaKNN is the plain K-NN classifier without smoothing: exact Euclidean distances,
// ties in distance broken by the lower training index, majority vote with ties going to
// the smallest label — the rule the smoothed K-NN randomises.
type vanillaKNN struct {
	X       [][]float64
	y       []int
	classes int
	k       int
}

// newVanillaKNN returns the K-NN classifier of the training rows X with labels y in
// [0, classes); K must lie in [1, len(X)].
func newVanillaKNN(X [][]float64, y []int, classes, k int) (*vanillaKNN, error) {
	if k < 1 || k > len(X) {
		return nil, fmt.Errorf("vanilla K-NN: K = %d: want 1 ≤ K ≤ %d training rows", k, len(X))
	}
	return &vanillaKNN{X: X, y: y, classes: classes, k: k}, nil
}

// nearest returns the indices of the K training rows nearest x, by (squared distance,
// index): the first K of the full order, kept by insertion in one pass.
func (v *vanillaKNN) nearest(x []float64, skip int) []int {
	type neighbour struct {
		dist  float64
		index int
	}
	best := make([]neighbour, 0, v.k+1)
	for i, row := range v.X {
		if i == skip {
			continue
		}
		var d float64
		for j, a := range row {
			diff := a - x[j]
			d += diff * diff
		}
		if len(best) == v.k && d >= best[v.k-1].dist {
			continue // not nearer than the K-th (a tie keeps the lower index, already in)
		}
		at := len(best)
		for at > 0 && d < best[at-1].dist {
			at--
		}
		best = slices.Insert(best, at, neighbour{d, i})
		best = best[:min(len(best), v.k)]
	}
	out := make([]int, len(best))
	for i, n := range best {
		out[i] = n.index
	}
	return out
}

// votes returns the share of the K nearest training rows of each class: the K-NN's
// output prediction vector, the representation the paper's baselines read for K-NN
// (Appendix C.4). skip, if a training row's index, leaves that row out.
func (v *vanillaKNN) votes(x []float64, skip int) []float64 {
	shares := make([]float64, v.classes)
	for _, i := range v.nearest(x, skip) {
		shares[v.y[i]] += 1 / float64(v.k)
	}
	return shares
}

// predict is the majority of the K nearest rows' labels, a tie going to the smallest
// label.
func (v *vanillaKNN) predict(x []float64) int {
	shares := v.votes(x, -1)
	best := 0
	for c, s := range shares {
		if s > shares[best] {
			best = c
		}
	}
	return best
}

// predictAll predicts every row of X; it is an experiment.Classifier.
func (v *vanillaKNN) predictAll(X [][]float64) ([]int, error) {
	out := make([]int, len(X))
	for i, x := range X {
		out[i] = v.predict(x)
	}
	return out, nil
}

// trainingVotes returns the output vector of every training row, the row itself among
// its neighbours as the trained model sees it, or left out if leaveOneOut is set; the
// rows are split among workers goroutines.
func (v *vanillaKNN) trainingVotes(workers int, leaveOneOut bool) [][]float64 {
	out := make([][]float64, len(v.X))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(v.X); i += workers {
				skip := -1
				if leaveOneOut {
					skip = i
				}
				out[i] = v.votes(v.X[i], skip)
			}
		})
	}
	wg.Wait()
	return out
}
