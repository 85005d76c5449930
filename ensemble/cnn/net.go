package cnn

import (
	"math"

	"github.com/rabcert/rab/internal/detmath"
	"github.com/rabcert/rab/internal/gemm"
)

// network is an architecture with its parameters, float32, in layout order.
type network struct {
	arch
	lay    layout
	params []float32
}

// weights returns the weight matrix and the bias of a layer at offsets w and b with
// out outputs.
func (n *network) weights(params []float32, w, b, out int) (W, bias []float32) {
	return params[w:b], params[b : b+out]
}

// slab holds the activations of up to rows input rows through the network, and the
// scratch of their backward pass. A slab is used by one goroutine at a time.
type slab struct {
	rows   int         // capacity in input rows
	in     []float32   // rows × inputs, the input images
	labels []int       // rows labels, when training
	cols   [][]float32 // per convolution block, when training: its im2col matrix
	pad    [][]float32 // per convolution block, when predicting: its zero-padded input
	conv   [][]float32 // per convolution block: its output before the ReLU and pool
	pool   [][]float32 // per convolution block: its pooled output
	arg    [][]int32   // per convolution block: the windows' maxima (see poolForward)
	act    [][]float32 // per fully connected layer: its output (the last: the logits)
	// Backward scratch: two gradients of activations, the gradient of a convolution's
	// output and of its im2col matrix.
	dA, dB, dConv, dCols []float32
	exps                 []float64 // one value per class, for softmaxGrad
	ws                   gemm.Workspace
}

// newSlab allocates a slab of rows input rows for the layout; the backward scratch
// only if training.
func newSlab(l *layout, inputs, rows int, training bool) *slab {
	s := &slab{rows: rows, in: make([]float32, rows*inputs)}
	for _, g := range l.convs {
		if training {
			s.cols = append(s.cols, make([]float32, rows*g.ho*g.wo*g.taps()))
		} else {
			hp, wp := g.h+2*g.pad, g.w+2*g.pad
			s.pad = append(s.pad, make([]float32, rows*hp*wp*g.c*min(g.pad, 1)))
		}
		s.conv = append(s.conv, make([]float32, rows*g.ho*g.wo*g.f))
		s.pool = append(s.pool, make([]float32, rows*g.hp*g.wp*g.f))
		s.arg = append(s.arg, make([]int32, rows*g.hp*g.wp*g.f))
	}
	for _, d := range l.denses {
		s.act = append(s.act, make([]float32, rows*d.out))
	}
	if training {
		s.labels = make([]int, rows)
		act, cols := l.scratchPerRow()
		s.dA, s.dB = make([]float32, rows*act), make([]float32, rows*act)
		s.dConv, s.dCols = make([]float32, rows*act), make([]float32, rows*cols)
		s.exps = make([]float64, l.denses[len(l.denses)-1].out)
	}
	return s
}

// forward runs the first r rows of s.in through the network and returns the logits,
// an r×classes matrix in s.act. It reports whether an activation overflowed float32
// (inputs or weights too large): from finite values, every fma chain gives a finite
// value or ±Inf, never NaN, and a +Inf would reach the next layer only through a ReLU
// or pool, which check for it; so without overflow every activation is finite.
//
// A training slab keeps each convolution's im2col matrix for the backward pass; a
// predicting slab reads the patches in place (convolve). Both compute every output as
// the same fma chain, so they give the same bits.
func (n *network) forward(s *slab, r int) (logits []float32, overflow bool) {
	x := s.in[:r*n.inputs()]
	for l := range n.lay.convs {
		g := &n.lay.convs[l]
		rows, taps := r*g.ho*g.wo, g.taps()
		W, bias := n.weights(n.params, g.wOff, g.bOff, g.f)
		out := s.conv[l][:rows*g.f]
		fillBias(out, bias, rows)
		if s.cols != nil {
			cols := s.cols[l][:rows*taps]
			im2col(cols, x, r, g)
			s.ws.Mul(false, false, rows, g.f, taps, cols, taps, W, g.f, out, g.f, true)
		} else {
			n.convolve(s, l, x, r, W, out)
		}
		x = s.pool[l][:r*g.hp*g.wp*g.f]
		overflow = poolForward(x, s.arg[l], out, r, g) || overflow
	}
	for l := range n.lay.denses {
		d := &n.lay.denses[l]
		W, bias := n.weights(n.params, d.wOff, d.bOff, d.out)
		out := s.act[l][:r*d.out]
		fillBias(out, bias, r)
		s.ws.Mul(false, false, r, d.out, d.in, x, d.in, W, d.out, out, d.out, true)
		if d.relu {
			overflow = relu(out) || overflow
		}
		x = out
	}
	for _, v := range x {
		if !(math.Abs(float64(v)) <= math.MaxFloat32) {
			overflow = true
		}
	}
	return x, overflow
}

// convolve adds to out (its rows start at the bias) the convolution of block l of the r
// images x with the weights W, reading each output row's patches in place (gemm's
// MulStrided): for output row i of image m, patch row di of pixel j starts at input
// (i + di, j) of the padded image and holds k·c contiguous values, which are the taps
// (di·k + dj)·c + ch of W in order.
func (n *network) convolve(s *slab, l int, x []float32, r int, W, out []float32) {
	g := &n.lay.convs[l]
	h, w := g.h, g.w
	if g.pad > 0 {
		x = padImages(s.pad[l], x, r, g)
		h, w = h+2*g.pad, w+2*g.pad
	}
	image, row := h*w*g.c, w*g.c
	for m := range r {
		for i := range g.ho {
			a := x[m*image+i*row:]
			c := out[((m*g.ho+i)*g.wo)*g.f:]
			s.ws.MulStrided(g.wo, g.f, g.k, g.k*g.c, a, g.c, row, 1, W, g.f, c, g.f, true)
		}
	}
}

// padImages copies the r images x (each g.h×g.w×g.c) into dst with g.pad zeros on
// every side and returns dst.
func padImages(dst, x []float32, r int, g *conv) []float32 {
	p, c := g.pad, g.c
	w := g.w + 2*p
	dst = dst[:r*(g.h+2*p)*w*c]
	clear(dst)
	for m := range r {
		for i := range g.h {
			src := x[(m*g.h+i)*g.w*c : (m*g.h+i+1)*g.w*c]
			copy(dst[((m*(g.h+2*p)+i+p)*w+p)*c:], src)
		}
	}
	return dst
}

// transposed holds, for one training step, the transposed weight matrices packed for
// the products that propagate gradients to a layer's input: Wtᵀ of every convolution
// block but the first, Wᵀ of every fully connected layer.
type transposed struct {
	convs, denses []gemm.Packed
}

// pack packs the transposed weights of params.
func (t *transposed) pack(n *network, params []float32) {
	if t.convs == nil {
		t.convs = make([]gemm.Packed, len(n.lay.convs))
		t.denses = make([]gemm.Packed, len(n.lay.denses))
	}
	for l := 1; l < len(n.lay.convs); l++ {
		g := &n.lay.convs[l]
		t.convs[l].Pack(true, g.f, g.taps(), params[g.wOff:g.bOff], g.f)
	}
	for l := range n.lay.denses {
		d := &n.lay.denses[l]
		t.denses[l].Pack(true, d.out, d.in, params[d.wOff:d.bOff], d.out)
	}
}

// backward writes into grad (one value per parameter) the gradient,
// with respect to the parameters, of Σ_rows loss / batch over the r rows of the last
// forward pass of s, whose labels are y; loss is the cross-entropy of the softmax of
// the logits. t holds the transposed weights of the forward pass's parameters.
func (n *network) backward(s *slab, r int, y []int, batch int, grad []float32, t *transposed) {
	last := len(n.lay.denses) - 1
	classes := n.lay.denses[last].out
	d := s.dA[:r*classes]
	softmaxGrad(d, s.act[last][:r*classes], y, classes, batch, s.exps)
	other := s.dB
	for l := last; l >= 0; l-- {
		dl := &n.lay.denses[l]
		x := n.denseInput(s, l, r)
		gW, gb := n.weights(grad, dl.wOff, dl.bOff, dl.out)
		s.ws.Mul(true, false, dl.in, dl.out, r, x, dl.in, d, dl.out, gW, dl.out, false)
		colSums(gb, d, r)
		dx := other[:r*dl.in]
		s.ws.MulPacked(false, r, d, dl.out, &t.denses[l], dx, dl.in, false)
		if l > 0 {
			reluMask(dx, x)
		}
		d, other = dx, d[:cap(d)]
	}
	for l := len(n.lay.convs) - 1; l >= 0; l-- {
		g := &n.lay.convs[l]
		rows, taps := r*g.ho*g.wo, g.taps()
		dConv := s.dConv[:rows*g.f]
		poolBackward(dConv, rows*g.f, d, s.arg[l])
		gW, gb := n.weights(grad, g.wOff, g.bOff, g.f)
		s.ws.Mul(true, false, taps, g.f, rows, s.cols[l][:rows*taps], taps, dConv, g.f, gW, g.f, false)
		colSums(gb, dConv, rows)
		if l == 0 {
			break
		}
		dCols := s.dCols[:rows*taps]
		s.ws.MulPacked(false, rows, dConv, g.f, &t.convs[l], dCols, taps, false)
		dx := other[:r*g.h*g.w*g.c]
		col2im(dx, dCols, r, g)
		d, other = dx, d[:cap(d)]
	}
}

// denseInput returns the input of fully connected layer l for the r rows of s.
func (n *network) denseInput(s *slab, l, r int) []float32 {
	if l > 0 {
		return s.act[l-1][:r*n.lay.denses[l-1].out]
	}
	return s.pool[len(s.pool)-1][:r*n.lay.features()]
}

// softmaxGrad writes into d the gradient of Σ_rows loss / batch with respect to the
// r×classes logits z: (softmax(z_i) − onehot(y_i)) / batch, with
// softmax(z)_c = exp(z_c − max z) / Σ_c' exp(z_c' − max z), computed in float64 with
// detmath.Exp (the same bits on every machine) and rounded once to float32; exps is
// scratch for classes values.
func softmaxGrad(d, z []float32, y []int, classes, batch int, exps []float64) {
	exps = exps[:classes]
	inv := 1 / float64(batch)
	for i := range len(z) / classes {
		zi, di := z[i*classes:(i+1)*classes], d[i*classes:(i+1)*classes]
		m := zi[0]
		for _, v := range zi {
			m = max(m, v)
		}
		sum := 0.0
		for c, v := range zi {
			e := detmath.Exp(float64(v) - float64(m))
			sum += e
			exps[c] = e
		}
		for c, e := range exps {
			p := e / sum
			if c == y[i] {
				p--
			}
			di[c] = float32(p * inv)
		}
	}
}
