package main

import (
	"bytes"
	"context"
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
	require.NoError(t, run(context.Background(), cfg, &out))
	text := out.String()
	for _, want := range []string{"3681 training rows, 30 test rows, 56 features", "clean", "one-pixel", "four-pixel", "blending", "cert (19)", "cert (r rows)", "368"} {
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
	assert.Equal(t, 0, newVanillaKNN(X, y, 2, 3).predict([]float64{0}))
	assert.Equal(t, 1, newVanillaKNN(X, y, 2, 1).predict([]float64{0}))
	assert.Equal(t, 0, newVanillaKNN(X, y, 2, 2).predict([]float64{0}), "a 1–1 tie goes to the smallest label")
}
