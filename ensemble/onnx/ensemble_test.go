package onnx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/onnx"
	"github.com/rabcert/rab/smoothing"
)

// ensembleReference is testdata/ensemble.json, written by testdata/gen_models.py: shared
// inputs and each member's argmax on them, computed with numpy.
type ensembleReference struct {
	Models []string    `json:"models"`
	Inputs [][]float64 `json:"inputs"`
	Argmax [][]int     `json:"argmax"`
}

func readEnsembleReference(t *testing.T) ensembleReference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "ensemble.json"))
	require.NoError(t, err)
	var ref ensembleReference
	require.NoError(t, json.Unmarshal(data, &ref))
	return ref
}

func testdataPaths(names []string) []string {
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = filepath.Join("testdata", name)
	}
	return paths
}

// TestEnsembleOfONNXMembers certifies-style use: ONNX members in an ensemble.Ensemble.
// Without test-time noise the vote counts are the numpy argmaxes counted; with noise the
// votes are deterministic and survive Save and Load through the registered decoder.
func TestEnsembleOfONNXMembers(t *testing.T) {
	ctx := context.Background()
	ref := readEnsembleReference(t)
	models, err := onnx.LoadFiles(testdataPaths(ref.Models))
	require.NoError(t, err)
	noise, err := smoothing.Gaussian(0.5)
	require.NoError(t, err)
	e, err := ensemble.FromModels(models, noise, 3)
	require.NoError(t, err)
	require.Equal(t, 4, e.Dim())

	for i, x := range ref.Inputs {
		want := make([]int, 3)
		for _, c := range ref.Argmax[i] {
			want[c]++
		}
		got, err := e.WithoutTestNoise().Votes(ctx, x)
		require.NoError(t, err)
		assert.Equal(t, want, got, "row %d", i)
	}

	noisy, err := e.VotesBatch(ctx, ref.Inputs)
	require.NoError(t, err)
	for _, counts := range noisy {
		assert.Equal(t, len(models), counts[0]+counts[1]+counts[2])
	}
	again, err := e.VotesBatch(ctx, ref.Inputs)
	require.NoError(t, err)
	assert.Equal(t, noisy, again)

	var file bytes.Buffer
	require.NoError(t, e.Save(&file))
	loaded, err := ensemble.Load(&file)
	require.NoError(t, err)
	fromFile, err := loaded.VotesBatch(ctx, ref.Inputs)
	require.NoError(t, err)
	assert.Equal(t, noisy, fromFile)

	_, err = e.Votes(ctx, []float64{1, 2, 3})
	require.Error(t, err)
}

// Load three ONNX classifiers trained elsewhere and count their votes on an input,
// each member seeing the input plus its own Gaussian noise (Algorithm 1).
func ExampleLoadFiles() {
	models, err := onnx.LoadFiles([]string{
		"testdata/linear.onnx", "testdata/mlp.onnx", "testdata/deep.onnx",
	})
	if err != nil {
		panic(err)
	}
	first := models[0].(*onnx.Model)
	fmt.Println("features:", first.InputDim(), "classes:", first.Classes())

	noise, err := smoothing.Gaussian(0.5)
	if err != nil {
		panic(err)
	}
	e, err := ensemble.FromModels(models, noise, first.Classes())
	if err != nil {
		panic(err)
	}
	counts, err := e.Votes(context.Background(), []float64{0.2, -1.1, 0.7, 0.4})
	if err != nil {
		panic(err)
	}
	fmt.Println("votes:", counts)
	// Output:
	// features: 4 classes: 3
	// votes: [1 1 1]
}

// Read a model's raw output: linear.onnx ends in Softmax, so its scores are class
// probabilities (numpy gives the same to 4 decimals); Predict returns their argmax.
func ExampleModel_Scores() {
	m, err := onnx.LoadFile("testdata/linear.onnx")
	if err != nil {
		panic(err)
	}
	x := []float64{0.2, -1.1, 0.7, 0.4}
	scores := make([]float64, m.Classes())
	if err := m.Scores(x, scores); err != nil {
		panic(err)
	}
	class := make([]int, 1)
	if err := m.Predict([][]float64{x}, class); err != nil {
		panic(err)
	}
	fmt.Printf("scores: %.4f, class: %d\n", scores, class[0])
	// Output:
	// scores: [0.2647 0.6887 0.0466], class: 1
}

// BenchmarkVotes measures Votes of an ensemble of 100 mlp.onnx members (4 → 8 → 3) on
// one input with test-time noise, on all cores.
func BenchmarkVotes(b *testing.B) {
	paths := make([]string, 100)
	for i := range paths {
		paths[i] = filepath.Join("testdata", "mlp.onnx")
	}
	models, err := onnx.LoadFiles(paths)
	require.NoError(b, err)
	noise, err := smoothing.Gaussian(0.5)
	require.NoError(b, err)
	e, err := ensemble.FromModels(models, noise, 3)
	require.NoError(b, err)
	x := []float64{0.2, -1.1, 0.7, 0.4}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Votes(context.Background(), x); err != nil {
			b.Fatal(err)
		}
	}
}
