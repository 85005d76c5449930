package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
)

// reference is testdata/reference.json, written by testdata/gen_models.py from plain
// numpy implementations of each operator (float64 arithmetic on the float32 weights).
type reference map[string]struct {
	Inputs  [][]float64 `json:"inputs"`
	Outputs [][]float64 `json:"outputs"`
	Argmax  []int       `json:"argmax"`
}

func readReference(t testing.TB) reference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	require.NoError(t, err)
	var ref reference
	require.NoError(t, json.Unmarshal(data, &ref))
	require.Len(t, ref, 7)
	return ref
}

func loadTestModel(t testing.TB, name string) *Model {
	t.Helper()
	m, err := LoadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return m
}

// TestScoresMatchReference checks every output of every accepted test model against
// numpy within 1e-5 (float32 evaluation of tiny models), and Predict's argmax exactly.
// Each row is evaluated twice, in both orders, to catch state leaking between runs.
func TestScoresMatchReference(t *testing.T) {
	for name, ref := range readReference(t) {
		t.Run(name, func(t *testing.T) {
			m := loadTestModel(t, name)
			require.Equal(t, len(ref.Inputs[0]), m.InputDim())
			require.Equal(t, len(ref.Outputs[0]), m.Classes())
			scores := make([]float64, m.Classes())
			for pass := 0; pass < 2; pass++ {
				for k := range ref.Inputs {
					i := k
					if pass == 1 {
						i = len(ref.Inputs) - 1 - k
					}
					require.NoError(t, m.Scores(ref.Inputs[i], scores))
					assert.InDeltaSlice(t, ref.Outputs[i], scores, 1e-5, "row %d pass %d", i, pass)
				}
			}
			got := make([]int, len(ref.Inputs))
			require.NoError(t, m.Predict(ref.Inputs, got))
			assert.Equal(t, ref.Argmax, got)
		})
	}
}

// TestLoadRejects checks that each model in testdata/reject fails at load time, before
// anything runs, with an error naming the reason (see gen_models.py for the models).
func TestLoadRejects(t *testing.T) {
	for file, want := range map[string]string{
		"logsoftmax.onnx":     "operator LogSoftmax is not supported",
		"concat.onnx":         "operator Concat is not supported",
		"gemm_no_c.onnx":      "Gemm without C",
		"softmax_axis0.onnx":  "axis 0 unsupported",
		"softmax_3d.onnx":     "input 0 has shape [batch, 3, 1], want 2 dims: onnx-go v0.5.0 computes Softmax correctly on 2-D inputs only",
		"gemm_shape.onnx":     "A has 5 columns but B has 4 rows",
		"opset8.onnx":         "opset 8 is outside the supported range 9–13",
		"opset14.onnx":        "opset 14 is outside the supported range 9–13",
		"output_3d.onnx":      `output "y" must be a float32 tensor [batch, classes]`,
		"input_dynamic.onnx":  `input "x" dimension 1 must have a fixed positive size`,
		"input_double.onnx":   `input "x" must be a float32 tensor`,
		"two_inputs.onnx":     "2 data inputs",
		"conv_group.onnx":     "group 2 unsupported",
		"conv_asym_pads.onnx": "pads [0 0 1 1] unsupported",
	} {
		t.Run(file, func(t *testing.T) {
			m, err := LoadFile(filepath.Join("testdata", "reject", file))
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Contains(t, err.Error(), "unsupported model")
			assert.Contains(t, err.Error(), want)
			assert.Contains(t, err.Error(), file)
		})
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "reject"))
	require.NoError(t, err)
	assert.Len(t, entries, 14, "every reject model is tested")
}

// TestLoadCorrupt feeds Load empty, random, truncated and bit-flipped model bytes: it
// must return an error or a working model, never panic.
func TestLoadCorrupt(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "mlp.onnx"))
	require.NoError(t, err)

	_, err = Load(nil)
	require.ErrorContains(t, err, "empty model data")

	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 512)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	_, err = Load(garbage)
	require.ErrorContains(t, err, "onnx: ")

	_, err = Load(good[:len(good)/2])
	require.ErrorContains(t, err, "not a valid ONNX protobuf")
	assert.ErrorIs(t, err, ensemble.ErrCorrupt)
	assert.NotErrorIs(t, err, ensemble.ErrInvalidInput)

	x := [][]float64{{0.1, -0.2, 0.3, -0.4}}
	out := make([]int, 1)
	loaded := 0
	try := func(data []byte) {
		m, err := Load(data)
		if err != nil {
			assert.Nil(t, m)
			return
		}
		loaded++
		_ = m.Predict(x, out) // a flipped weight may still give a valid model
	}
	for n := range len(good) {
		try(good[:n])
	}
	for i := range good {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0xff
		try(bad)
	}
	t.Logf("%d of %d corrupted variants still loaded", loaded, 2*len(good))
}

// FuzzLoad checks that no input makes Load or Predict panic.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"linear.onnx", "mlp.onnx", "cnn.onnx", "reject/concat.onnx"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if err != nil {
			return
		}
		x := make([]float64, m.InputDim())
		_ = m.Predict([][]float64{x}, make([]int, 1))
	})
}

func TestPredictBadInput(t *testing.T) {
	m := loadTestModel(t, "mlp.onnx")
	out := make([]int, 1)

	err := m.Predict([][]float64{{1, 2, 3}}, out)
	require.ErrorContains(t, err, `onnx: row 0: input row has 3 features, the model's input "x" takes 4`)
	err = m.Predict([][]float64{{1, 2, 3, 4}, {1, 2, 3, 4, 5}}, make([]int, 2))
	require.ErrorContains(t, err, "row 1: input row has 5 features")
	err = m.Predict([][]float64{{1, 2, 3, 4}}, make([]int, 2))
	require.ErrorContains(t, err, "1 rows but output buffer of length 2")
	for _, empty := range [][][]float64{nil, {}} { // issue 11 (5): an empty batch is an error
		err = m.Predict(empty, []int{})
		require.ErrorIs(t, err, ensemble.ErrInvalidInput)
		require.EqualError(t, err, "onnx: Predict: no rows: X is empty; pass at least one input")
	}
	err = m.Predict([][]float64{{1, math.NaN(), 3, 4}}, out)
	require.ErrorContains(t, err, "input feature 1 is NaN")
	err = m.Predict([][]float64{{1, 2, math.Inf(-1), 4}}, out)
	require.ErrorContains(t, err, "input feature 2 is -Inf")
	var ie *ensemble.InputError
	require.ErrorAs(t, m.Predict([][]float64{{1, 2, 3, 4}, {1, 2, math.NaN(), 4}}, make([]int, 2)), &ie)
	assert.Equal(t, [2]int{1, 2}, [2]int{ie.Row, ie.Feature})
	require.ErrorAs(t, m.Scores([]float64{1, math.Inf(1), 3, 4}, make([]float64, 3)), &ie)
	assert.Equal(t, [2]int{-1, 1}, [2]int{ie.Row, ie.Feature})
	err = m.Scores([]float64{1, 2, 3, 4}, make([]float64, 2))
	require.ErrorContains(t, err, "scores has length 2, want Classes() = 3")

	// Errors leave the model usable, and Predict leaves X alone.
	X := [][]float64{{0.5, -1, 2, 0.25}}
	require.NoError(t, m.Predict(X, out))
	assert.Equal(t, [][]float64{{0.5, -1, 2, 0.25}}, X)
}

// TestMarshalBinary checks that a model's bytes are its file, that the registered
// decoder's Load rebuilds an identical model from them, and that the returned slice is
// a copy.
func TestMarshalBinary(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("testdata", "cnn.onnx"))
	require.NoError(t, err)
	m := loadTestModel(t, "cnn.onnx")
	assert.Equal(t, "onnx", m.Kind())
	var _ ensemble.Kinded = m

	data, err := m.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, file, data)
	data[0] ^= 0xff
	again, err := m.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, file, again)

	back, err := Load(again)
	require.NoError(t, err)
	ref := readReference(t)["cnn.onnx"]
	want, got := make([]int, len(ref.Inputs)), make([]int, len(ref.Inputs))
	require.NoError(t, m.Predict(ref.Inputs, want))
	require.NoError(t, back.Predict(ref.Inputs, got))
	assert.Equal(t, ref.Argmax, got)
	assert.Equal(t, want, got)
}

func TestLoadFilesAndDir(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"deep.onnx", "linear.onnx", "mlp.onnx"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		// Names chosen so that lexical order differs from the order above.
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("member_%d.onnx", 2-i)), data, 0o600))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a model"), 0o600))
	models, err := LoadDir(dir)
	require.NoError(t, err)
	require.Len(t, models, 3)
	// member_0 is mlp.onnx: its reference argmax must come out first.
	ref := readReference(t)["mlp.onnx"]
	got := make([]int, len(ref.Inputs))
	require.NoError(t, models[0].Predict(ref.Inputs, got))
	assert.Equal(t, ref.Argmax, got)

	_, err = LoadDir(t.TempDir())
	require.ErrorContains(t, err, "no *.onnx files")
	_, err = LoadDir(filepath.Join(dir, "missing"))
	require.Error(t, err)
	_, err = LoadFiles(nil)
	require.ErrorContains(t, err, "no model files")
	_, err = LoadFiles([]string{filepath.Join("testdata", "mlp.onnx"), filepath.Join("testdata", "binary.onnx")})
	require.ErrorContains(t, err, "maps 4 features to 2 classes")
	_, err = LoadFiles([]string{filepath.Join("testdata", "mlp.onnx"), filepath.Join("testdata", "reject", "concat.onnx")})
	require.ErrorContains(t, err, "concat.onnx: unsupported model")
	assert.ErrorIs(t, err, ensemble.ErrCorrupt)
	_, err = LoadDir(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	_, err = LoadFiles([]string{filepath.Join("testdata", "mlp.onnx"), filepath.Join("testdata", "binary.onnx")})
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
}

// TestParallel loads and runs models in several goroutines at once, one model per
// goroutine; run with -race.
func TestParallel(t *testing.T) {
	ref := readReference(t)
	names := []string{"linear.onnx", "mlp.onnx", "cnn.onnx", "gap.onnx", "deep.onnx", "binary.onnx"}
	var wg sync.WaitGroup
	errs := make([]error, 2*len(names))
	preds := make([][]int, len(errs))
	for g := range errs {
		wg.Go(func() {
			name := names[g%len(names)]
			m, err := LoadFile(filepath.Join("testdata", name))
			if err != nil {
				errs[g] = err
				return
			}
			preds[g] = make([]int, len(ref[name].Inputs))
			for range 20 {
				if errs[g] = m.Predict(ref[name].Inputs, preds[g]); errs[g] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for g, err := range errs {
		require.NoError(t, err)
		assert.Equal(t, ref[names[g%len(names)]].Argmax, preds[g])
	}
}

func TestChooseBatch(t *testing.T) {
	for name, want := range map[string]int{"linear.onnx": 2, "binary.onnx": 3, "cnn.onnx": 5} {
		assert.Equal(t, want, loadTestModel(t, name).sig.batch, name)
	}
}

// BenchmarkPredictRow measures one Predict call on one row, the pattern of an ensemble
// vote (each member predicts its own noisy copy of x).
func BenchmarkPredictRow(b *testing.B) {
	for _, name := range []string{"mlp.onnx", "cnn.onnx"} {
		b.Run(name, func(b *testing.B) {
			m := loadTestModel(b, name)
			X := readReference(b)[name].Inputs[:1]
			out := make([]int, 1)
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Predict(X, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoad measures Load, which holds the package-level build mutex throughout.
func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "mlp.onnx"))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPanicsBecomeErrors bypasses the load-time checks to run a model whose Gemm
// operands do not fit (5 input columns, 4 weight rows): gonum's BLAS panics inside the
// operator, and the panic must come back as an error (with Gorgonia's own machines it
// would kill the program from a goroutine of theirs).
func TestPanicsBecomeErrors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "reject", "gemm_shape.onnx"))
	require.NoError(t, err)
	sig := &signature{input: "x", output: "logits", inputShape: []int{5}, inputDim: 5, classes: 3, batch: 2}
	m, err := build(data, sig)
	require.ErrorContains(t, err, "onnx-go cannot run the model: onnx-go panicked: blas: ")
	assert.Nil(t, m)
}
