package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/defense"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// TestMain removes the small MNIST of smallMNIST after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if small.dir != "" {
		os.RemoveAll(small.dir)
	}
	os.Exit(code)
}

// small is the small MNIST the tests share, written once.
var small struct {
	once sync.Once
	dir  string
	err  error
}

// smallMNIST returns a directory holding the first 400 training and 40 test rows of
// MNIST as the four gzipped IDX files: a small MNIST for -data.
func smallMNIST(t *testing.T) string {
	t.Helper()
	small.once.Do(func() { small.dir, small.err = writeMNIST(400, 40) })
	require.NoError(t, small.err)
	return small.dir
}

// writeMNIST writes the first train training and test test rows of MNIST (the
// GoMNIST module's files: headers with the counts changed, then the first rows' bytes)
// into a new temporary directory.
func writeMNIST(train, test int) (string, error) {
	src, err := dataset.MNISTDir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "rab-mnist-")
	if err != nil {
		return "", err
	}
	for _, f := range []struct {
		name        string
		header, row int // header bytes (magic, sizes), bytes per row
		rows        int
	}{
		{"train-images-idx3-ubyte.gz", 16, 784, train}, {"train-labels-idx1-ubyte.gz", 8, 1, train},
		{"t10k-images-idx3-ubyte.gz", 16, 784, test}, {"t10k-labels-idx1-ubyte.gz", 8, 1, test},
	} {
		in, err := os.Open(filepath.Join(src, f.name))
		if err != nil {
			return "", err
		}
		z, err := gzip.NewReader(in)
		if err != nil {
			return "", err
		}
		data := make([]byte, f.header+f.rows*f.row)
		_, err = io.ReadFull(z, data)
		in.Close()
		if err != nil {
			return "", err
		}
		binary.BigEndian.PutUint32(data[4:], uint32(f.rows))
		var out bytes.Buffer
		w := gzip.NewWriter(&out)
		w.Write(data)
		if err := w.Close(); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), out.Bytes(), 0o600); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// smallConfig runs the whole experiment on a few hundred rows: 400 training rows (60
// fine-tuning, 340 pretraining), 40 test rows, N = 15 one-epoch members (the fewest
// that can certify at α = 0.001 with 10 classes).
func smallConfig(t *testing.T) config {
	cfg := defaultConfig()
	cfg.dataDir = smallMNIST(t)
	cfg.models, cfg.epochs, cfg.pretrainEpochs, cfg.testRows = 15, 1, 1, 0
	cfg.scanClean = 50
	cfg.plotSigmas = experiment.Sigmas{0.5, 1}
	cfg.plotPath = filepath.Join(t.TempDir(), "fig4.png")
	cfg.noisePlot = filepath.Join(t.TempDir(), "fig5.png")
	return cfg
}

// TestSmoke runs the example on the small MNIST: every table, both figures. Under
// -short (the race detector's run in CI) the clean training set, the defences and the
// figures are left out, and 9 members certify at α = 0.05.
func TestSmoke(t *testing.T) {
	cfg := smallConfig(t)
	if testing.Short() {
		cfg.defences, cfg.plotPath, cfg.noisePlot, cfg.clean = false, "", "", false
		cfg.models, cfg.alpha, cfg.testRows = 9, 0.05, 20
	}
	var out bytes.Buffer
	require.NoError(t, cfg.Run(context.Background(), &out, nil))
	text := out.String()
	for _, want := range []string{
		"MNIST: 60 fine-tuning rows, 340 pretraining rows (disjoint)",
		"ASSUMED CLEAN", "Fine-tuning: Adam, η = 0.001, 1 epochs, minibatches of 10",
		"pixel (23, 23)\n", "pixels (23, 25), (24, 24), (25, 23), (25, 25)\n", "blending   ‖δ‖₂ = 0.1 on all 784 pixels\n",
		"target class 0, clipped to [0, 1]", "one-pixel", "four-pixel", "blending", "fooled rows", "cert (19)", "cert (r rows)",
		"  6  ", // r = ⌊0.1 · 60⌋ poisoned rows
		"no test noise: RAB", "Abstain rate", "The paper's Table 1", "one-pixel, paper", "blending, here",
		"The paper's Table C.7", "The paper's Table C.8",
	} {
		assert.Contains(t, text, want)
	}
	if testing.Short() {
		return
	}
	for _, want := range []string{"N = 15 members", "AC removed", "SCAn removed", "EM on a clean set of 50 pretraining rows", "the paper's Fig. 4", "the paper's Fig. 5"} {
		assert.Contains(t, text, want)
	}
	for _, path := range []string{cfg.plotPath, cfg.noisePlot} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Greater(t, info.Size(), int64(1000), path)
	}
}

// TestRunsAndAllToAll: -runs 2 prints the mean ± sd table, -all-to-all the paper's
// Table C.3 (on the small MNIST, without defences and figures).
func TestRunsAndAllToAll(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 12 small ensembles")
	}
	cfg := smallConfig(t)
	cfg.runs, cfg.allToAll, cfg.clean, cfg.defences, cfg.plotPath, cfg.noisePlot = 2, true, false, false, "", ""
	var out bytes.Buffer
	require.NoError(t, cfg.Run(context.Background(), &out, nil))
	text := out.String()
	for _, want := range []string{
		"=== Run 1 of 2, seed 1", "=== Run 2 of 2, seed 2", "Over 2 runs (seeds 1 to 2; mean ± sample standard deviation)",
		"all-to-all, label y relabelled (y+1) mod 10", "The paper's Table C.3 (all-to-all)", "blending, here",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "one-pixel, paper  -", "no Table C.9 row for all-to-all")
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		change func(*config)
		want   string
	}{
		{func(c *config) { c.fineTuneRows = 1 }, "-finetune-rows 1: want 2 to 399 of the 400 training rows"},
		{func(c *config) { c.pretrainRows = 341 }, "-pretrain-rows 341: want 0 (all) to 340"},
		{func(c *config) { c.runs = 0 }, "-runs 0"},
		{func(c *config) { c.testRows = -1 }, "-test-rows -1"},
		{func(c *config) { c.scanClean = 19 }, "-scan-clean 19: want at least 20 rows, two of each class"},
	} {
		cfg := defaultConfig()
		tc.change(&cfg)
		assert.ErrorContains(t, cfg.validate(400), tc.want)
	}
	assert.NoError(t, defaultConfig().validate(60000))
}

// TestSplit: the fine-tuning and pretraining rows are disjoint, of the sizes asked,
// and the same for the same seed.
func TestSplit(t *testing.T) {
	train := dataset.Set{Classes: 10}
	for i := range 100 {
		train.X, train.Y = append(train.X, []float64{float64(i)}), append(train.Y, i%10)
	}
	fine, pre := split(train, 6, 0, 1)
	require.Len(t, fine.X, 6)
	require.Len(t, pre.X, 94)
	var ids []int
	for _, s := range []dataset.Set{fine, pre} {
		for i, x := range s.X {
			ids = append(ids, int(x[0]))
			assert.Equal(t, int(x[0])%10, s.Y[i], "labels travel with their rows")
		}
	}
	slices.Sort(ids)
	assert.Equal(t, 100, len(slices.Compact(ids)), "every row once")
	again, _ := split(train, 6, 10, 1)
	assert.Equal(t, fine, again)
	other, _ := split(train, 6, 0, 2)
	assert.NotEqual(t, fine.X, other.X)
	_, some := split(train, 6, 10, 1)
	assert.Equal(t, pre.X[:10], some.X)
}

// TestBlendPattern: the non-negative blending pattern is |δ| of package attack's, on
// every pixel, with the same norm.
func TestBlendPattern(t *testing.T) {
	p, err := blendPattern(0.1, 3)
	require.NoError(t, err)
	signed, err := attack.Blend(imageShape, 0.1, 3)
	require.NoError(t, err)
	require.Equal(t, signed.Indices(), p.Indices())
	negative := 0
	for k, v := range p.Values() {
		assert.Equal(t, math.Abs(signed.Values()[k]), v)
		if signed.Values()[k] < 0 {
			negative++
		}
	}
	assert.Greater(t, negative, 300, "about half of the signed entries are negative")
	assert.InDelta(t, 0.1, p.Norm(), 1e-15)
	assert.GreaterOrEqual(t, p.Norm(), 0.1*(1-1e-15))
}

// TestMembersDeterministic: the members fine-tuned from the pretrained CNN are the same
// bytes for 1 and 2 workers (the ensemble's Save output, which holds every member),
// and differ from the pretrained network and from each other (ensemble.Train rejects
// identical members).
func TestMembersDeterministic(t *testing.T) {
	cfg := smallConfig(t)
	cfg.models = 3
	train, _, err := dataset.MNIST(cfg.dataDir)
	require.NoError(t, err)
	fine, pre := split(train, 60, 0, 1)
	pretrained, err := cfg.pretrain(context.Background(), pre)
	require.NoError(t, err)
	s := experiment.Scenario{Name: "clean", X: fine.X, Y: fine.Y}
	var saved [2][]byte
	for workers := 1; workers <= 2; workers++ {
		c := cfg
		c.workers = workers
		e, err := trainer{cfg: c, pretrained: pretrained}.ensemble(context.Background(), s, 0.5, "clean")
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, e.Save(&buf))
		saved[workers-1] = buf.Bytes()
		pre, err := pretrained.MarshalBinary()
		require.NoError(t, err)
		for _, m := range e.Models() {
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			assert.NotEqual(t, pre, b, "a member is fine-tuned")
		}
	}
	assert.Equal(t, saved[0], saved[1])
}

// TestSCAnSpan: SCAn on representations projected on the span of its clean set gives
// the statistics J of every class, the groups and the flagged rows of SCAn on the full
// representations (64 features, a clean set of 20 rows: a 19-dimensional span), to a
// relative 1e-9.
func TestSCAnSpan(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const d, classes = 64, 4
	centres := make([][]float64, classes)
	for c := range centres {
		centres[c] = make([]float64, d)
		for j := range d {
			centres[c][j] = 3 * rng.NormFloat64()
		}
	}
	row := func(c int, shift float64) []float64 {
		x := make([]float64, d)
		for j := range x {
			x[j] = centres[c][j] + rng.NormFloat64()
		}
		x[0] += shift
		return x
	}
	var cleanX, X [][]float64
	var cleanY, y []int
	for i := range 20 {
		cleanX, cleanY = append(cleanX, row(i%classes, 0)), append(cleanY, i%classes)
	}
	for i := range 80 {
		shift := 0.0
		if i%classes == 0 && i < 24 {
			shift = 8 // a planted group in class 0
		}
		X, y = append(X, row(i%classes, shift)), append(y, i%classes)
	}
	ctx := context.Background()
	full, err := defense.SCAn(ctx, cleanX, cleanY, X, y)
	require.NoError(t, err)
	basis, err := scanSpan(cleanX)
	require.NoError(t, err)
	_, k := basis.Dims()
	assert.Equal(t, 19, k)
	projected, err := defense.SCAn(ctx, project(cleanX, basis), cleanY, project(X, basis), y)
	require.NoError(t, err)
	require.Len(t, projected.ClassScores, classes)
	for c, J := range full.ClassScores {
		assert.InEpsilon(t, J, projected.ClassScores[c], 1e-9, "class %d", c)
	}
	assert.Equal(t, full.Groups, projected.Groups)
	assert.Equal(t, full.Flagged, projected.Flagged)
	assert.NotEmpty(t, full.Flagged)
}

func TestBalanced(t *testing.T) {
	s := dataset.Set{Classes: 3, Y: []int{0, 0, 0, 0, 1, 2, 1, 2, 2, 2}}
	for i := range s.Y {
		s.X = append(s.X, []float64{float64(i)})
	}
	b := balanced(s, 5) // ⌈5/3⌉ = 2 per class, in order: rows 0, 1, 4, 5, 6
	assert.Equal(t, []int{0, 0, 1, 2, 1}, b.Y)
	assert.Equal(t, [][]float64{{0}, {1}, {4}, {5}, {6}}, b.X)
	assert.Len(t, balanced(s, 100).X, 10)
}

func TestMeanSD(t *testing.T) {
	got := meanSD([]float64{1, 2, 3, 4})
	assert.Equal(t, 2.5, got[0])
	assert.InDelta(t, math.Sqrt(5.0/3), got[1], 1e-15) // Σ(x − 2.5)² = 5, over n − 1 = 3
	assert.Equal(t, [2]float64{7, 0}, meanSD([]float64{7}))
	assert.True(t, math.IsNaN(meanSD(nil)[0]))
}
