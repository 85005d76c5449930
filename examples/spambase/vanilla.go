package main

import (
	"fmt"
	"slices"
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

type neighbour struct {
	dist  float64
	index int
}

func (v *vanillaKNN) predict(x []float64) int {
	nb := make([]neighbour, len(v.X))
	for i, row := range v.X {
		var d float64
		for j, a := range row {
			diff := a - x[j]
			d += diff * diff
		}
		nb[i] = neighbour{d, i}
	}
	slices.SortFunc(nb, func(a, b neighbour) int {
		if a.dist != b.dist {
			if a.dist < b.dist {
				return -1
			}
			return 1
		}
		return a.index - b.index
	})
	votes := make([]int, v.classes)
	for _, n := range nb[:v.k] {
		votes[v.y[n.index]]++
	}
	best := 0
	for c, n := range votes {
		if n > votes[best] {
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
