package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/examples/internal/progress"
)

// TestSmoke runs the whole example, clean training set included, with 20 one-epoch
// members and a two-epoch vanilla network on the first 30 test rows, on the default
// workers (GOMAXPROCS): ensemble/gorgonia builds its graphs under a mutex, so parallel
// training is race-free.
func TestSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.models, cfg.epochs, cfg.vanillaEpochs, cfg.testRows = 20, 1, 2, 30
	cfg.plotPath = filepath.Join(t.TempDir(), "plot.png")
	var out bytes.Buffer
	require.NoError(t, cfg.Run(context.Background(), &out, progress.Bar(io.Discard)))
	text := out.String()
	for _, want := range []string{
		"1438 training rows, 30 test rows", "20 × MLP (64 hidden, 1 epochs)", "one MLP (64 hidden, 2 epochs)",
		"pixel (7, 7)\n", "pixels (5, 7), (6, 6), (7, 5), (7, 7)\n", "all 64 pixels\n",
		"clean", "one-pixel", "four-pixel", "blending", "fooled rows", "vanilla robust", "cert (19)", "cert (r rows)",
		"  143  ", // r = ⌊0.1 · 1438⌋ poisoned rows
	} {
		assert.Contains(t, text, want)
	}
	info, err := os.Stat(cfg.plotPath)
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(1000))
}
