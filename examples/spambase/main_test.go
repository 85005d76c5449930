package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmoke runs the whole example on the first 30 test rows.
func TestSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.testRows = 30
	cfg.plotPath = filepath.Join(t.TempDir(), "plot.png")
	var out bytes.Buffer
	require.NoError(t, cfg.Run(context.Background(), &out, nil))
	text := out.String()
	for _, want := range []string{
		"3681 training rows, 30 test rows, 56 features",
		"on feature 25\n", "on features 25, 26, 27, 50\n", "on all 56 features\n",
		"clean", "one-pixel", "four-pixel", "blending", "fooled rows", "vanilla robust", "cert (19)", "cert (r rows)",
		"  368  ", // r = ⌊0.1 · 3681⌋ poisoned rows
	} {
		assert.Contains(t, text, want)
	}
	info, err := os.Stat(cfg.plotPath)
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(1000))
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
}
