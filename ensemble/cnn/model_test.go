package cnn

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyModel returns a model of a small architecture with random weights.
func tinyModel(t testing.TB) *Model {
	t.Helper()
	return newModel(randomNetwork(t, arch{h: 5, w: 4, c: 2, kernel: 3, padding: 1, filters: []int{3}, hidden: []int{2}, classes: 3}, 2))
}

func randomRows(rng *rand.Rand, n, d int) [][]float64 {
	X := make([][]float64, n)
	for i := range X {
		X[i] = make([]float64, d)
		for j := range X[i] {
			X[i][j] = rng.Float64()
		}
	}
	return X
}

// TestMarshalRoundTrip: Decode(MarshalBinary) gives a model with the same bytes, kind,
// shape and predictions; AppendBinary appends the same bytes.
func TestMarshalRoundTrip(t *testing.T) {
	m := tinyModel(t)
	data := marshal(t, m)
	back, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, data, marshal(t, back))
	assert.Equal(t, Kind, back.Kind())
	assert.Equal(t, 40, back.InputDim())
	assert.Equal(t, 3, back.Classes())
	X := randomRows(rand.New(rand.NewPCG(1, 1)), 150, 40) // three blocks of Predict
	want, got := make([]int, len(X)), make([]int, len(X))
	require.NoError(t, m.Predict(X, want))
	require.NoError(t, back.Predict(X, got))
	assert.Equal(t, want, got)
	appended, err := m.AppendBinary([]byte("prefix"))
	require.NoError(t, err)
	assert.Equal(t, append([]byte("prefix"), data...), appended)
}

// TestPredictIsPerRow: a row's prediction does not depend on the rows around it or on
// the block it falls in (every row's activations are their own fma chains).
func TestPredictIsPerRow(t *testing.T) {
	m := tinyModel(t)
	X := randomRows(rand.New(rand.NewPCG(2, 2)), 130, 40)
	all := make([]int, len(X))
	require.NoError(t, m.Predict(X, all))
	for i := range X {
		one := make([]int, 1)
		require.NoError(t, m.Predict(X[i:i+1], one))
		require.Equal(t, all[i], one[0], "row %d", i)
	}
}

// TestSerialisedLayout pins the header of format version 1 and the position of the
// first parameter, independently of AppendBinary.
func TestSerialisedLayout(t *testing.T) {
	m := tinyModel(t)
	data := marshal(t, m)
	header := []byte("RABCNN\x00\x00")
	header = append(header, 1, 0) // version 1
	for _, v := range []uint32{5, 4, 2, 3, 1, 1, 3, 1, 2, 3} {
		header = binary.LittleEndian.AppendUint32(header, v) // h, w, c, k, p, blocks, filters, hidden count, width, classes
	}
	require.Equal(t, header, data[:len(header)])
	assert.Equal(t, m.net.params[0], math.Float32frombits(binary.LittleEndian.Uint32(data[len(header):])))
	// conv 3·3·2 → 3, pooled 2×2×3 = 12 features → 2 → 3.
	assert.Len(t, data, len(header)+4*(18*3+3+12*2+2+2*3+3))
}

// patch returns a copy of data with b written at offset off.
func patch(data []byte, off int, b ...byte) []byte {
	out := append([]byte(nil), data...)
	copy(out[off:], b)
	return out
}

func TestDecodeRejectsCorruptBytes(t *testing.T) {
	data := marshal(t, tinyModel(t))
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	nan := binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(math.NaN())))
	// Offsets: 10 h, 14 w, 18 c, 22 kernel, 26 padding, 30 block count, 34 filters,
	// 38 hidden count, 42 width, 46 classes, 50 first parameter.
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"not a model", []byte("hello, world, this is not a model"), "bad magic"},
		{"gorgonia model", []byte("RABGORG\x00\x01\x00"), "bad magic"},
		{"version", patch(data, 8, 2), "format version 2, this package reads version 1"},
		{"truncated header", data[:30], "truncated header"},
		{"trailing byte", append(append([]byte(nil), data...), 0), "bytes follow the header"},
		{"missing parameter", data[:len(data)-4], "bytes follow the header"},
		{"NaN parameter", patch(data, 50, nan...), "parameter 0 is NaN"},
		{"one class", patch(data, 46, u32(1)...), "1 classes"},
		{"zero width", patch(data, 42, u32(0)...), "hidden layer 0 has width 0"},
		{"huge height", patch(data, 10, u32(1<<30)...), "more than the maximum"},
		{"many blocks", patch(data, 30, u32(1000)...), "filters count is 1000"},
		{"padding ≥ kernel", patch(data, 26, u32(3)...), "padding 3"},
		{"too small", patch(data, 22, u32(9)...), "too small"},
		{"zero channels", patch(data, 18, u32(0)...), "image shape 5×4×0"},
		{"wide layer, short data", patch(data, 42, u32(1<<20)...), "bytes follow the header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode(tc.data)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, ensemble.ErrCorrupt)
			assert.ErrorContains(t, err, tc.want)
			assert.ErrorContains(t, err, "cnn: decoding a model")
		})
	}
}

// FuzzDecode: Decode never panics, and whatever it accepts marshals back to the same
// bytes and predicts without error.
func FuzzDecode(f *testing.F) {
	data := marshal(f, tinyModel(f))
	f.Add(data)
	f.Add(data[:len(data)-1])
	f.Add(data[:40])
	f.Add(patch(data, 42, 0, 0, 1, 0))
	f.Add([]byte("RABCNN\x00\x00\x01\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			require.ErrorIs(t, err, ensemble.ErrCorrupt)
			return
		}
		require.Equal(t, data, marshal(t, m))
		X := [][]float64{make([]float64, m.InputDim())}
		if err := m.Predict(X, make([]int, 1)); err != nil {
			require.ErrorIs(t, err, ensemble.ErrInvalidInput) // an overflowing activation
		}
	})
}

func TestPredictRejectsBadRows(t *testing.T) {
	m := tinyModel(t)
	row := func(v float64) []float64 {
		x := make([]float64, 40)
		x[7] = v
		return x
	}
	huge := make([]float64, 40)
	for j := range huge {
		huge[j] = 3e38
	}
	for _, tc := range []struct {
		name string
		X    [][]float64
		out  []int
		want string
	}{
		{"out length", [][]float64{row(0)}, make([]int, 2), "1 rows but len(out) = 2"},
		{"width", [][]float64{row(0), make([]float64, 39)}, make([]int, 2), "row 1: width 39, but the model takes 40 inputs"},
		{"NaN", [][]float64{row(math.NaN())}, make([]int, 1), "row 0, feature 7: value NaN"},
		{"float32 range", [][]float64{row(0), row(1e39)}, make([]int, 2), "row 1, feature 7: value 1e+39 is not a finite float32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := m.Predict(tc.X, tc.out)
			assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	for _, X := range [][][]float64{nil, {}} {
		err := m.Predict(X, nil)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.ErrorContains(t, err, "cnn: Predict: no rows")
	}

	// With every weight 1/2, each convolution output sums 18 products of 1.5e38.
	for i := range m.net.params {
		m.net.params[i] = 0.5
	}
	err := m.Predict([][]float64{huge}, make([]int, 1))
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.ErrorContains(t, err, "rows 0 to 0: an activation overflows float32")
}

// TestPredictAllocatesNothing: in the steady state Predict reuses pooled buffers.
func TestPredictAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	m := tinyModel(t)
	X := randomRows(rand.New(rand.NewPCG(3, 3)), 100, 40)
	out := make([]int, len(X))
	require.NoError(t, m.Predict(X, out))
	assert.Zero(t, testing.AllocsPerRun(20, func() { _ = m.Predict(X, out) }))
}

// TestKindIsRegistered: importing the package registers Kind with ensemble.
func TestKindIsRegistered(t *testing.T) {
	assert.Panics(t, func() {
		ensemble.RegisterDecoder(Kind, func([]byte) (ensemble.Model, error) { return nil, nil })
	})
}

// TestEnsembleRoundTrip trains a small ensemble of CNNs on the digits, saves and loads
// it, and checks that the loaded ensemble votes exactly as the trained one, and that
// the members do not depend on Train's number of workers.
func TestEnsembleRoundTrip(t *testing.T) {
	train, test := digits(t)
	X, y := train.X[:300], train.Y[:300]
	l := newLearner(t, digitsOptions(WithEpochs(2))...)
	noise, err := smoothing.Gaussian(0.2)
	require.NoError(t, err)
	e, err := ensemble.Train(context.Background(), X, y, l, noise, ensemble.WithModels(4), ensemble.WithSeed(3), ensemble.WithWorkers(2))
	require.NoError(t, err)
	single, err := ensemble.Train(context.Background(), X, y, l, noise, ensemble.WithModels(4), ensemble.WithSeed(3), ensemble.WithWorkers(1))
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, e.Save(&a))
	require.NoError(t, single.Save(&b))
	assert.Equal(t, a.Bytes(), b.Bytes(), "members depend on the number of workers")

	loaded, err := ensemble.Load(bytes.NewReader(a.Bytes()))
	require.NoError(t, err)
	want, err := e.VotesBatch(context.Background(), test.X)
	require.NoError(t, err)
	got, err := loaded.VotesBatch(context.Background(), test.X)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// TestHidden: the last hidden layer by hand on a network small enough to compute, its
// consistency with Predict on a random one, and its width without hidden layers.
func TestHidden(t *testing.T) {
	// 2×2 grey images, one 1×1 filter (weight 1, bias 0) → ReLU → 2×2 max-pool → one
	// hidden unit (weight 2, bias −0.5) → ReLU: for the image (0.1, 0.7, 0.3, 0.2) the
	// pool gives max = 0.7 and the hidden unit relu(2·0.7 − 0.5) = 0.9 (in float32);
	// for (0.1, 0.2, 0.1, 0.2), relu(0.4 − 0.5) = 0.
	n := randomNetwork(t, arch{h: 2, w: 2, c: 1, kernel: 1, filters: []int{1}, hidden: []int{1}, classes: 2}, 1)
	g, d := n.lay.convs[0], n.lay.denses[0]
	n.params[g.wOff], n.params[g.bOff] = 1, 0
	n.params[d.wOff], n.params[d.bOff] = 2, -0.5
	m := newModel(n)
	assert.Equal(t, 1, m.HiddenDim())
	h, err := m.Hidden([][]float64{{0.1, 0.7, 0.3, 0.2}, {0.1, 0.2, 0.1, 0.2}})
	require.NoError(t, err)
	assert.Equal(t, [][]float64{{float64(2*float32(0.7) - 0.5)}, {0}}, h)

	// The logits recomputed in float64 from Hidden's rows and the output layer's weights
	// pick Predict's class; each row's representation does not depend on its block.
	m = tinyModel(t)
	X := randomRows(rand.New(rand.NewPCG(3, 3)), 130, 40) // three blocks
	h, err = m.Hidden(X)
	require.NoError(t, err)
	pred := make([]int, len(X))
	require.NoError(t, m.Predict(X, pred))
	out := m.net.lay.denses[len(m.net.lay.denses)-1]
	for i, row := range h {
		require.Len(t, row, m.HiddenDim())
		best, bestZ := 0, math.Inf(-1)
		for c := range out.out {
			z := float64(m.net.params[out.bOff+c])
			for j, v := range row {
				assert.GreaterOrEqual(t, v, 0.0, "a ReLU output")
				z += v * float64(m.net.params[out.wOff+j*out.out+c])
			}
			if z > bestZ {
				best, bestZ = c, z
			}
		}
		assert.Equal(t, pred[i], best, "row %d", i)
		one, err := m.Hidden(X[i : i+1])
		require.NoError(t, err)
		assert.Equal(t, row, one[0], "row %d", i)
	}

	// Without hidden fully connected layers the representation is the last pool's output.
	bare := newModel(randomNetwork(t, arch{h: 28, w: 28, c: 1, kernel: 5, filters: DefaultFilters(), classes: 10}, 2))
	assert.Equal(t, 4*4*32, bare.HiddenDim())
}

func TestHiddenRejectsBadRows(t *testing.T) {
	m := tinyModel(t)
	for _, tc := range []struct {
		X    [][]float64
		want string
	}{
		{nil, "cnn: Hidden: no rows"},
		{[][]float64{make([]float64, 39)}, "cnn: Hidden: row 0: width 39, but the model takes 40 inputs"},
		{[][]float64{make([]float64, 40), {math.Inf(1)}}, "cnn: Hidden: row 1"},
	} {
		_, err := m.Hidden(tc.X)
		assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
		assert.ErrorContains(t, err, tc.want)
	}
}

// TestMemberMemory: a member of the reference MNIST network holds its parameters as
// float32 and little else, so 1,000 members fit in 1.5 GB: at most 1.5 MB each
// (measured: 1.11 MB, the parameters' 1,107,720 bytes plus the layout).
func TestMemberMemory(t *testing.T) {
	n, _, _ := referenceNet(t, 1)
	data := marshal(t, newModel(n))
	assert.Equal(t, 1107720, 4*n.lay.params)
	per := liveBytesPerModel(t, data, 50)
	t.Logf("%.0f bytes per member", per)
	assert.Less(t, per, 1.5e6)
}
