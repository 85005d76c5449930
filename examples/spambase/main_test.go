package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmoke runs the whole example on the first 30 test rows.
func TestSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.testRows = 30
	cfg.plotPath = filepath.Join(t.TempDir(), "plot.png")
	cfg.flipPlot = filepath.Join(t.TempDir(), "flips.png")
	var out bytes.Buffer
	require.NoError(t, cfg.Run(context.Background(), &out, nil))
	text := out.String()
	for _, want := range []string{
		"3681 training rows, 30 test rows, 56 features",
		"on feature 25\n", "on features 25, 26, 27, 50\n", "on all 56 features\n",
		"clean", "one-pixel", "four-pixel", "blending", "fooled rows", "vanilla robust", "cert (19)", "cert (r rows)",
		"  368  ", // r = ⌊0.1 · 3681⌋ poisoned rows
		"as the paper's comparison", "AC removed", "Spectral removed", "Sphere removed", "SCAn removed",
		"the row itself among them",
		"cert (r rows + labels)", "each relabelled and carrying ‖δ‖₂ = 0.1", "r = 368 rows poisoned",
		"   σ = 0.5  ", "written to " + cfg.flipPlot + " (r up to 64)",
	} {
		assert.Contains(t, text, want)
	}
	for _, path := range []string{cfg.plotPath, cfg.flipPlot} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Greater(t, info.Size(), int64(1000))
	}
}

// TestVanillaKNN checks the plain K-NN rule on a hand-made example: distances to x = 0
// are 1, 1, 2, 3 with labels 1, 0, 0, 1; the tie at distance 1 keeps both, K = 3 takes
// rows 0, 1, 2 (labels 1, 0, 0), so the vote is 0; with K = 1 row 0 wins the tie.
func TestVanillaKNN(t *testing.T) {
	X := [][]float64{{1}, {-1}, {2}, {3}}
	y := []int{1, 0, 0, 1}
	predict := func(k int) int {
		v, err := newVanillaKNN(X, y, 2, k)
		require.NoError(t, err)
		return v.predict([]float64{0})
	}
	assert.Equal(t, 0, predict(3))
	assert.Equal(t, 1, predict(1))
	assert.Equal(t, 0, predict(2), "a 1–1 tie goes to the smallest label")
	for _, k := range []int{0, 5} {
		_, err := newVanillaKNN(X, y, 2, k)
		assert.ErrorContains(t, err, fmt.Sprintf("K = %d: want 1 ≤ K ≤ 4 training rows", k))
	}

	// The output vectors of the training rows: row 0 (at 1) has neighbours 0, 2 and 1
	// (squared distances 0, 1, 4; row 3 is at 4 too, but later), labels 1, 0, 0; left
	// out, rows 2, 1, 3. Row 3 (at 3) has rows 3, 2, 0: labels 1, 0, 1.
	v, err := newVanillaKNN(X, y, 2, 3)
	require.NoError(t, err)
	third := 1.0 / 3
	assert.Equal(t, [][]float64{{2 * third, third}, {2 * third, third}, {third, 2 * third}, {third, 2 * third}}, v.trainingVotes(2, false))
	assert.Equal(t, []float64{third * 2, third}, v.votes(X[0], 0))
}

// TestNearestIsTheSortedOrder: the one-pass selection of the K nearest rows is the
// first K of the full sort by (squared distance, index), ties included.
func TestNearestIsTheSortedOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	X := make([][]float64, 200)
	for i := range X {
		X[i] = []float64{float64(rng.IntN(5)), float64(rng.IntN(5))} // many ties
	}
	for _, k := range []int{1, 3, 7, 200} {
		v, err := newVanillaKNN(X, make([]int, len(X)), 2, k)
		require.NoError(t, err)
		for _, x := range [][]float64{{0, 0}, {2, 2}, {4.5, 1}} {
			order := make([]int, len(X))
			for i := range order {
				order[i] = i
			}
			dist := func(i int) float64 { return (X[i][0]-x[0])*(X[i][0]-x[0]) + (X[i][1]-x[1])*(X[i][1]-x[1]) }
			slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(dist(a), dist(b)) })
			assert.Equal(t, order[:k], v.nearest(x, -1), "K = %d, x = %v", k, x)
		}
	}
}
