package gorgonia

import (
	"encoding/binary"
	"math"
	"sync"
	"testing"

	"github.com/rabcert/rab/ensemble"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyModels returns a small MLP and a small CNN with random weights.
func tinyModels() map[string]*Model {
	return map[string]*Model{
		KindMLP: newModel(randomNetwork(arch{inputs: 5, hidden: []int{4, 3}, classes: 3}, 1)),
		KindCNN: newModel(randomNetwork(arch{cnn: true, h: 5, w: 4, c: 2, inputs: 40, filters: []int{3}, hidden: []int{2}, classes: 2}, 2)),
	}
}

// TestMarshalRoundTrip: Decode(MarshalBinary) gives a model with the same kind, the
// same bytes and the same predictions.
func TestMarshalRoundTrip(t *testing.T) {
	d := loadDigits(t)
	l, err := NewMLP(WithEpochs(2))
	require.NoError(t, err)
	models := tinyModels()
	models["trained"] = fit(t, l, smallDigits(d), 5)
	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			data := marshal(t, m)
			back, err := Decode(data)
			require.NoError(t, err)
			assert.Equal(t, m.Kind(), back.Kind())
			assert.Equal(t, m.net.inputs, back.InputDim())
			assert.Equal(t, data, marshal(t, back))
			X := randomRows(50, m.net.inputs, 3)
			if name == "trained" {
				X = d.testX
			}
			want, got := make([]int, len(X)), make([]int, len(X))
			require.NoError(t, m.Predict(X, want))
			require.NoError(t, back.Predict(X, got))
			assert.Equal(t, want, got)
		})
	}
}

// TestKindsAreRegistered: the package registers its kinds with ensemble at init, so a
// second registration panics.
func TestKindsAreRegistered(t *testing.T) {
	for _, kind := range []string{KindMLP, KindCNN} {
		assert.Panics(t, func() {
			ensemble.RegisterDecoder(kind, func([]byte) (ensemble.Model, error) { return nil, nil })
		}, kind)
	}
}

// TestSerialisedLayout pins the header of format version 1 and the position of the
// first weight, independently of encode.
func TestSerialisedLayout(t *testing.T) {
	m := tinyModels()[KindMLP]
	data := marshal(t, m)
	header := []byte("RABGORG\x00")
	header = append(header, 1, 0, 1) // version 1, type MLP
	for _, v := range []uint32{5, 2, 4, 3, 3} {
		header = binary.LittleEndian.AppendUint32(header, v) // inputs, hidden count, widths, classes
	}
	require.Equal(t, header, data[:len(header)])
	assert.Equal(t, m.net.params[0][0], math.Float64frombits(binary.LittleEndian.Uint64(data[len(header):])))
	assert.Len(t, data, len(header)+8*(5*4+4+4*3+3+3*3+3))
}

// patch returns a copy of data with b written at offset off.
func patch(data []byte, off int, b ...byte) []byte {
	out := append([]byte(nil), data...)
	copy(out[off:], b)
	return out
}

func TestDecodeRejectsCorruptBytes(t *testing.T) {
	mlp := marshal(t, tinyModels()[KindMLP])
	cnn := marshal(t, tinyModels()[KindCNN])
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	nan := binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN()))
	cnnNoBlocks := append([]byte("RABGORG\x00"), 1, 0, 2) // version 1, type CNN
	for _, v := range []uint32{8, 8, 1, 0, 0, 10} {       // 8×8×1, no blocks, no hidden layer, 10 classes
		cnnNoBlocks = binary.LittleEndian.AppendUint32(cnnNoBlocks, v)
	}
	// MLP header offsets: 11 inputs, 15 hidden count, 19 and 23 widths, 27 classes,
	// 31 first weight. CNN: 11 h, 15 w, 19 c, 23 block count, 27 filters.
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"not a model", []byte("hello, world, this is not a model"), "bad magic"},
		{"version", patch(mlp, 8, 2), "format version 2, this package reads version 1"},
		{"type", patch(mlp, 10, 9), "unknown architecture type 9"},
		{"trailing byte", append(append([]byte(nil), mlp...), 0), "bytes follow the header"},
		{"missing weight", mlp[:len(mlp)-8], "bytes follow the header"},
		{"NaN weight", patch(mlp, 31, nan...), "parameter tensor 0 value 0 is NaN"},
		{"zero inputs", patch(mlp, 11, u32(0)...), "need at least 1 input"},
		{"one class", patch(mlp, 27, u32(1)...), "1 classes"},
		{"huge width", patch(mlp, 19, u32(1<<30)...), "more than the maximum"},
		{"many layers", patch(mlp, 15, u32(1000)...), "hidden width count is 1000"},
		{"wide layer, short data", patch(mlp, 19, u32(1<<20)...), "bytes follow the header"},
		{"zero width", patch(mlp, 23, u32(0)...), "hidden layer 1 has width 0"},
		{"CNN too small", patch(cnn, 11, u32(1)...), "too small"},
		{"CNN no blocks", cnnNoBlocks, "0 convolution blocks"},
		{"CNN zero channels", patch(cnn, 19, u32(0)...), "image shape 5×4×0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode(tc.data)
			assert.Nil(t, m)
			require.ErrorIs(t, err, ensemble.ErrCorrupt)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "gorgonia: decoding model")
		})
	}
	for _, data := range [][]byte{mlp, cnn} {
		for n := range len(data) {
			_, err := Decode(data[:n])
			require.ErrorIs(t, err, ensemble.ErrCorrupt, "truncated to %d of %d bytes", n, len(data))
		}
	}
}

// FuzzDecode: Decode never panics, its errors wrap ErrCorrupt, and whatever it
// accepts re-encodes to the same bytes and predicts a valid class or an error.
func FuzzDecode(f *testing.F) {
	for _, m := range tinyModels() {
		data, err := m.MarshalBinary()
		require.NoError(f, err)
		f.Add(data)
		f.Add(data[:len(data)-1])
		f.Add(data[:20])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			require.ErrorIs(t, err, ensemble.ErrCorrupt)
			return
		}
		again, err := m.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, data, again)
		out := make([]int, 1)
		if m.Predict([][]float64{make([]float64, m.net.inputs)}, out) == nil {
			require.True(t, out[0] >= 0 && out[0] < m.net.classes)
		}
	})
}

func TestPredictRejectsBadInput(t *testing.T) {
	m := tinyModels()[KindCNN] // 5×4×2 images: 40 inputs
	good := make([]float64, 40)
	nan := make([]float64, 40)
	nan[7] = math.NaN()
	huge := make([]float64, 40)
	for i := range huge {
		huge[i] = math.MaxFloat64
	}
	for _, tc := range []struct {
		name string
		X    [][]float64
		out  []int
		want string
	}{
		{"out length", [][]float64{good, good}, make([]int, 1), "2 rows but len(out) = 1"},
		{"width", [][]float64{good, good[:39]}, make([]int, 2), "row 1: width 39, but the model takes 40 inputs"},
		{"NaN", [][]float64{nan}, make([]int, 1), "row 0, feature 7: value NaN"},
		{"Inf", [][]float64{{math.Inf(1)}}, make([]int, 1), "width 1"},
		{"overflow", [][]float64{good, huge}, make([]int, 2), "row 1: non-finite activation"},
		// An empty batch used to give no error; issue 11 makes it one, as for the other
		// models (logistic, onnx, cnn).
		{"no rows", nil, nil, "gorgonia: Predict: no rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := m.Predict(tc.X, tc.out)
			assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestPredictBatchSizes: predicting rows one at a time, in odd batches or all at once
// gives the same classes.
func TestPredictBatchSizes(t *testing.T) {
	for name, m := range tinyModels() {
		t.Run(name, func(t *testing.T) {
			X := randomRows(37, m.net.inputs, 4)
			all := make([]int, len(X))
			require.NoError(t, m.Predict(X, all))
			for _, batch := range []int{1, 5, 36} {
				got := make([]int, len(X))
				for i := 0; i < len(X); i += batch {
					end := min(i+batch, len(X))
					require.NoError(t, m.Predict(X[i:end], got[i:end]))
				}
				assert.Equal(t, all, got, "batch %d", batch)
			}
		})
	}
}

// TestPredictConcurrently: one Model serves several goroutines at once (run with
// -race).
func TestPredictConcurrently(t *testing.T) {
	m := tinyModels()[KindCNN]
	X := randomRows(40, m.net.inputs, 5)
	want := make([]int, len(X))
	require.NoError(t, m.Predict(X, want))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				got := make([]int, len(X))
				if assert.NoError(t, m.Predict(X, got)) {
					assert.Equal(t, want, got)
				}
			}
		})
	}
	wg.Wait()
}

// TestPredictDoesNotAllocate: one-row predictions reuse pooled scratch buffers.
// (Under the race detector sync.Pool drops items at random, so the test is skipped.)
func TestPredictDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	for name, m := range tinyModels() {
		X := randomRows(1, m.net.inputs, 6)
		out := make([]int, 1)
		allocs := testing.AllocsPerRun(100, func() { _ = m.Predict(X, out) })
		assert.Zero(t, allocs, name)
	}
}
