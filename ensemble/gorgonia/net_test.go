package gorgonia

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// randomNetwork returns a network of architecture a with seeded random weights and
// biases (initParams leaves biases at zero, which would hide bias bugs).
func randomNetwork(a arch, seed uint64) *network {
	rng := rand.New(rand.NewPCG(seed, 1))
	params := initParams(&a, rng)
	for i, s := range a.paramShapes() {
		if len(s) == 1 {
			for j := range params[i] {
				params[i][j] = 0.1 * rng.NormFloat64()
			}
		}
	}
	return &network{arch: a, params: params}
}

// randomRows returns n rows of width values in [0, 1), about a quarter of them zero.
func randomRows(n, width int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	X := make([][]float64, n)
	for i := range X {
		X[i] = make([]float64, width)
		for j := range X[i] {
			if rng.IntN(4) > 0 {
				X[i][j] = rng.Float64()
			}
		}
	}
	return X
}

// gorgoniaLogits runs Gorgonia's forward pass of the training graph of n on the rows
// X (one batch) and returns the (len(X), classes) logits, row-major.
func gorgoniaLogits(t *testing.T, n *network, X [][]float64) []float64 {
	t.Helper()
	gr, err := newGraph(&n.arch, len(X), n.params)
	require.NoError(t, err)
	vm := G.NewTapeMachine(gr.g)
	defer vm.Close()
	xs := make([]float64, len(X)*n.inputs)
	ys := make([]float64, len(X)*n.classes)
	idx := make([]int, len(X))
	for i := range idx {
		idx[i] = i
	}
	n.fillBatch(xs, ys, X, make([]int, len(X)), idx)
	require.NoError(t, G.Let(gr.x, tensor.New(tensor.WithShape(gr.x.Shape()...), tensor.WithBacking(xs))))
	require.NoError(t, G.Let(gr.y, tensor.New(tensor.WithShape(gr.y.Shape()...), tensor.WithBacking(ys))))
	require.NoError(t, vm.RunAll())
	return append([]float64(nil), gr.logits.Value().Data().([]float64)...)
}

// TestForwardMatchesGorgonia checks the plain-Go inference of Model against
// Gorgonia's forward pass of the training graph, on random weights and inputs, for
// an MLP and for CNNs with several channels, odd image sides (pooling drops the last
// row or column) and two convolution blocks. Summation order differs (gonum's GEMM
// versus plain loops), so logits agree to rounding, 1e-12 relative.
func TestForwardMatchesGorgonia(t *testing.T) {
	for name, a := range map[string]arch{
		"mlp 64→64→10":            {inputs: 64, hidden: []int{64}, classes: 10},
		"mlp 5→7→3→4":             {inputs: 5, hidden: []int{7, 3}, classes: 4},
		"mlp 6→2 (no hidden)":     {inputs: 6, hidden: []int{}, classes: 2},
		"cnn 8×8×1 [16] → 10":     {cnn: true, h: 8, w: 8, c: 1, inputs: 64, filters: []int{16}, hidden: []int{}, classes: 10},
		"cnn 7×5×2 [3 4] [6] → 3": {cnn: true, h: 7, w: 5, c: 2, inputs: 70, filters: []int{3, 4}, hidden: []int{6}, classes: 3},
		"cnn 6×9×3 [5] [4] → 2":   {cnn: true, h: 6, w: 9, c: 3, inputs: 162, filters: []int{5}, hidden: []int{4}, classes: 2},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, a.validate())
			n := randomNetwork(a, 7)
			X := randomRows(23, a.inputs, 8)
			want := gorgoniaLogits(t, n, X)
			m := newModel(n)
			buf := make([]float64, 2*a.maxActivations())
			pred := make([]int, len(X))
			require.NoError(t, m.Predict(X, pred))
			for i, x := range X {
				got := n.logits(x, buf[:len(buf)/2], buf[len(buf)/2:])
				require.Len(t, got, a.classes)
				best := 0
				for k, v := range got {
					w := want[i*a.classes+k]
					assert.InDelta(t, w, v, 1e-12*(1+abs(w)), "row %d class %d", i, k)
					if w > want[i*a.classes+best] {
						best = k
					}
				}
				assert.Equal(t, best, pred[i], "row %d: Predict against Gorgonia's argmax", i)
			}
		})
	}
}

func abs(v float64) float64 { return max(v, -v) }

// TestToPlanar checks the channel-last → channel-planar layout change on a 2×3×2
// image whose value encodes its position: x[(i·w + j)·c + k] = 100k + 10i + j must land
// at planar index (k·h + i)·w + j.
func TestToPlanar(t *testing.T) {
	const h, w, c = 2, 3, 2
	x := make([]float64, h*w*c)
	for i := range h {
		for j := range w {
			for k := range c {
				x[(i*w+j)*c+k] = float64(100*k + 10*i + j)
			}
		}
	}
	dst := make([]float64, len(x))
	toPlanar(dst, x, h, w, c)
	assert.Equal(t, []float64{0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112}, dst)
}

// TestConvAndPoolByHand checks conv3x3 and maxPool on a 3×3 one-channel image against
// values worked out by hand.
func TestConvAndPoolByHand(t *testing.T) {
	img := []float64{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}
	// Filter 0 picks the pixel to the upper left (kernel position (0, 0)), bias 0.5;
	// filter 1 is −1 at the centre, bias 0 (so the ReLU zeroes it everywhere).
	filt := []float64{
		1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, -1, 0, 0, 0, 0,
	}
	out := make([]float64, 2*9)
	conv3x3(out, img, 1, 3, 3, filt, []float64{0.5, 0}, 2)
	assert.Equal(t, []float64{
		0.5, 0.5, 0.5,
		0.5, 1.5, 2.5,
		0.5, 4.5, 5.5,
		0, 0, 0, 0, 0, 0, 0, 0, 0,
	}, out)
	pooled := make([]float64, 2)
	maxPool(pooled, out, 2, 3, 3) // 3×3 → 1×1: max of the top-left 2×2 window
	assert.Equal(t, []float64{1.5, 0}, pooled)
}
