package cnn

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refCase is one network of testdata/reference.json (written by
// testdata/gen_reference.py with PyTorch, in float64 on float32-rounded weights and
// inputs, in PyTorch's layouts).
type refCase struct {
	Name            string
	H, W, C         int
	Kernel, Padding int
	Filters, Hidden []int
	Classes         int
	X               []float64 // batch × c × h × w
	Y               []int
	Params, Grads   [][]float64 // per tensor, in PyTorch's parameter order
	Logits          []float64   // batch × classes
	Steps           map[string][][]float64
}

func loadReference(t *testing.T) []refCase {
	t.Helper()
	data, err := os.ReadFile("testdata/reference.json")
	require.NoError(t, err)
	var ref struct{ Cases []refCase }
	require.NoError(t, json.Unmarshal(data, &ref))
	require.Len(t, ref.Cases, 2)
	return ref.Cases
}

// network returns the case's network with its parameters in this package's layout.
func (rc *refCase) network(t *testing.T) *network {
	t.Helper()
	a := arch{h: rc.H, w: rc.W, c: rc.C, kernel: rc.Kernel, padding: rc.Padding, filters: rc.Filters, hidden: rc.Hidden, classes: rc.Classes}
	lay, err := a.layout()
	require.NoError(t, err)
	n := &network{arch: a, lay: lay}
	n.params = toFloat32Slice(rc.fromTorch(t, &lay, rc.Params))
	return n
}

// fromTorch converts per-tensor values in PyTorch's layouts into one vector in this
// package's layout: a conv weight (f, c, di, dj) goes to row (di·k + dj)·c + ch, column
// f of Wt; a linear weight (out, in) to row in, column out of W, where the first
// linear layer's input index ch·hp·wp + i·wp + j (PyTorch flattens channel first) is
// this package's (i·wp + j)·f + ch (channel last).
func (rc *refCase) fromTorch(t *testing.T, lay *layout, tensors [][]float64) []float64 {
	t.Helper()
	require.Len(t, tensors, 2*(len(lay.convs)+len(lay.denses)))
	out := make([]float64, lay.params)
	for l, g := range lay.convs {
		w, b := tensors[2*l], tensors[2*l+1]
		require.Len(t, w, g.f*g.taps())
		for f := range g.f {
			for ch := range g.c {
				for di := range g.k {
					for dj := range g.k {
						out[g.wOff+((di*g.k+dj)*g.c+ch)*g.f+f] = w[((f*g.c+ch)*g.k+di)*g.k+dj]
					}
				}
			}
		}
		copy(out[g.bOff:], b)
	}
	last := lay.convs[len(lay.convs)-1]
	for l, d := range lay.denses {
		w, b := tensors[2*(len(lay.convs)+l)], tensors[2*(len(lay.convs)+l)+1]
		require.Len(t, w, d.in*d.out)
		for o := range d.out {
			for in := range d.in {
				ours := in
				if l == 0 { // PyTorch's (ch, i, j) → (i, j, ch)
					ch, pix := in/(last.hp*last.wp), in%(last.hp*last.wp)
					ours = pix*last.f + ch
				}
				out[d.wOff+ours*d.out+o] = w[o*d.in+in]
			}
		}
		copy(out[d.bOff:], b)
	}
	return out
}

// inputs returns the batch in this package's channel-last layout.
func (rc *refCase) inputs() []float32 {
	batch := len(rc.Y)
	out := make([]float32, len(rc.X))
	for n := range batch {
		for ch := range rc.C {
			for i := range rc.H {
				for j := range rc.W {
					out[n*rc.H*rc.W*rc.C+(i*rc.W+j)*rc.C+ch] = float32(rc.X[((n*rc.C+ch)*rc.H+i)*rc.W+j])
				}
			}
		}
	}
	return out
}

func toFloat32Slice(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// assertClose checks got against want elementwise within tol·max|want| + floor.
func assertClose(t *testing.T, want []float64, got []float32, tol, floor float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	scale := 0.0
	for _, v := range want {
		scale = max(scale, math.Abs(v))
	}
	for i := range want {
		if diff := math.Abs(float64(got[i]) - want[i]); diff > tol*scale+floor {
			assert.Failf(t, "value differs", "%s[%d]: got %v, want %v (difference %.3g, allowed %.3g)", what, i, got[i], want[i], diff, tol*scale+floor)
			return
		}
	}
}

// TestAgainstPyTorch: the logits, the gradients of the mean cross-entropy and three
// steps of each optimiser agree with PyTorch's (float64) to 1e-5 of each tensor's
// largest value, on a padded network whose pools drop a row and a column and on an
// unpadded one without hidden layer.
func TestAgainstPyTorch(t *testing.T) {
	for _, rc := range loadReference(t) {
		t.Run(rc.Name, func(t *testing.T) {
			n := rc.network(t)
			batch := len(rc.Y)
			s := newSlab(&n.lay, n.inputs(), batch, true)
			copy(s.in, rc.inputs())
			logits, overflow := n.forward(s, batch)
			require.False(t, overflow)
			assertClose(t, rc.Logits, logits, 1e-5, 0, "logits")

			var tr transposed
			tr.pack(n, n.params)
			grad := make([]float32, n.lay.params)
			n.backward(s, batch, rc.Y, batch, grad, &tr)
			assertClose(t, rc.fromTorch(t, &n.lay, rc.Grads), grad, 1e-5, 0, "gradient")

			g32 := toFloat32Slice(rc.fromTorch(t, &n.lay, rc.Grads))
			for name, opt := range map[string]Optimizer{"adam": Adam, "sgd": SGD, "momentum": Momentum} {
				lr := 0.1
				if opt == Adam {
					lr = 1e-3
				}
				tn := &network{arch: n.arch, lay: n.lay, params: append([]float32(nil), n.params...)}
				tr := &trainer{cfg: &config{optimizer: opt, rate: lr}, net: tn, m: make([]float32, n.lay.params), v: make([]float32, n.lay.params), pow1: 1, pow2: 1}
				for range 3 {
					tr.steps++
					tr.pow1, tr.pow2 = tr.pow1*beta1, tr.pow2*beta2
					tr.update(0, n.lay.params, append([]float32(nil), g32...))
				}
				assertClose(t, rc.fromTorch(t, &n.lay, rc.Steps[name]), tn.params, 0, 1e-6, name)
			}
		})
	}
}
