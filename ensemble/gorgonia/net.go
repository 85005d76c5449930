package gorgonia

import (
	"errors"
	"fmt"
)

// kernel is the side of every convolution kernel; pool the side and stride of every
// max-pool window.
const (
	kernel = 3
	pool   = 2
)

// arch is a network architecture: for a CNN, convolution blocks (3×3 convolution with
// zero padding 1 and a bias per filter → ReLU → 2×2 max-pool, stride 2), then for both
// architectures fully connected ReLU layers of the hidden widths, then a fully connected
// layer of classes logits.
type arch struct {
	cnn     bool
	inputs  int   // input width: h·w·c for a CNN
	h, w, c int   // CNN only: input image shape
	filters []int // CNN only: filters of each convolution block
	hidden  []int
	classes int
}

// validate checks an architecture whose classes may still be unknown (0): the layer
// widths, and for a CNN that the image survives every pooling and that no layer holds
// more than maxWidth activations per row, which also bounds every parameter tensor.
func (a *arch) validate() error {
	if len(a.hidden) > maxLayers {
		return fmt.Errorf("%d hidden layers, more than the maximum %d", len(a.hidden), maxLayers)
	}
	for i, n := range a.hidden {
		if n < 1 || n > maxWidth {
			return fmt.Errorf("hidden layer %d has width %d, want 1..%d", i, n, maxWidth)
		}
	}
	if a.classes != 0 && (a.classes < 2 || a.classes > maxWidth) {
		return fmt.Errorf("%d classes, want 2..%d", a.classes, maxWidth)
	}
	if !a.cnn {
		if a.inputs < 0 || a.inputs > maxWidth {
			return fmt.Errorf("input width %d, want 1..%d", a.inputs, maxWidth)
		}
		return nil
	}
	if a.h < 1 || a.w < 1 || a.c < 1 || a.h > maxWidth || a.w > maxWidth || a.c > maxWidth || a.h*a.w*a.c > maxWidth {
		return fmt.Errorf("image shape %d×%d×%d: need positive sides and at most %d values", a.h, a.w, a.c, maxWidth)
	}
	if len(a.filters) == 0 || len(a.filters) > maxLayers {
		return fmt.Errorf("%d convolution blocks, want 1..%d", len(a.filters), maxLayers)
	}
	h, w := a.h, a.w
	for i, f := range a.filters {
		if f < 1 || f > maxWidth {
			return fmt.Errorf("convolution block %d has %d filters, want 1..%d", i, f, maxWidth)
		}
		if h < pool || w < pool {
			return fmt.Errorf("image shape %d×%d×%d is too small for %d convolution blocks: block %d gets %d×%d, but its 2×2 max-pool needs at least 2×2", a.h, a.w, a.c, len(a.filters), i, h, w)
		}
		if f*h*w > maxWidth {
			return fmt.Errorf("convolution block %d produces %d×%d×%d activations, more than %d", i, f, h, w, maxWidth)
		}
		h, w = h/pool, w/pool
	}
	return nil
}

// features returns the width of the input to the first fully connected layer: the
// input width for an MLP, the flattened output of the last pooling for a CNN.
func (a *arch) features() int {
	if !a.cnn {
		return a.inputs
	}
	h, w := a.pooled()
	return a.filters[len(a.filters)-1] * h * w
}

// pooled returns the height and width after the last convolution block.
func (a *arch) pooled() (h, w int) {
	h, w = a.h, a.w
	for range a.filters {
		h, w = h/pool, w/pool
	}
	return h, w
}

// paramShapes returns the shapes of the parameter tensors in their canonical order,
// the order of Fit's initialisation and of the serialised weights: for each
// convolution block its filter (filters, in channels, 3, 3) and bias (filters); then
// for each fully connected layer its weight matrix (in, out) and bias (out).
func (a *arch) paramShapes() [][]int {
	var shapes [][]int
	in := a.c
	for _, f := range a.filters {
		shapes = append(shapes, []int{f, in, kernel, kernel}, []int{f})
		in = f
	}
	in = a.features()
	for _, out := range append(append([]int{}, a.hidden...), a.classes) {
		shapes = append(shapes, []int{in, out}, []int{out})
		in = out
	}
	return shapes
}

// fanIn returns the number of inputs of each unit of the layer whose weight tensor
// has the given shape: in channels · 3 · 3 for a filter, in for a matrix.
func fanIn(shape []int) int {
	n := 1
	for _, d := range shape[1:] {
		n *= d
	}
	return n
}

// size returns the number of values of a tensor of the given shape.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// maxActivations returns the largest number of activations of any layer for one row,
// the size of each of the two scratch buffers of the forward pass.
func (a *arch) maxActivations() int {
	m := max(a.inputs, a.features(), a.classes)
	h, w := a.h, a.w
	for _, f := range a.filters {
		m = max(m, f*h*w)
		h, w = h/pool, w/pool
	}
	for _, n := range a.hidden {
		m = max(m, n)
	}
	return m
}

// network is an architecture with its parameters, in paramShapes order.
type network struct {
	arch
	params [][]float64
}

// errNonFinite reports a NaN or infinite activation in the forward pass.
var errNonFinite = errors.New("non-finite activation (an input too large in magnitude?)")

// logits runs the forward pass of one input row x (flat, channel-last for a CNN)
// using the two scratch buffers a and b of maxActivations values each, and returns the
// logits, a slice of a or b. It is the plain-Go mirror of the training graph of
// newGraph; products are wrapped in float64 conversions so that no architecture fuses
// them into FMA instructions and the result is bit-identical everywhere.
func (n *network) logits(x, a, b []float64) []float64 {
	cur := x
	p := 0
	if n.cnn {
		h, w, c := n.h, n.w, n.c
		toPlanar(a, x, h, w, c)
		for _, f := range n.filters {
			conv3x3(b, a[:c*h*w], c, h, w, n.params[p], n.params[p+1], f)
			maxPool(a, b, f, h, w)
			c, h, w = f, h/pool, w/pool
			p += 2
		}
		cur = a[:c*h*w]
		a, b = b, a
	}
	for i := 0; i < len(n.hidden)+1; i++ {
		out := n.classes
		if i < len(n.hidden) {
			out = n.hidden[i]
		}
		dense(a[:out], cur, n.params[p], n.params[p+1], i < len(n.hidden))
		cur = a[:out]
		a, b = b, a
		p += 2
	}
	return cur
}

// toPlanar copies a channel-last h×w×c image x into dst in channel-planar order
// (c, h, w), the layout of Gorgonia's Conv2d.
func toPlanar(dst, x []float64, h, w, c int) {
	for i := 0; i < h*w; i++ {
		for k := 0; k < c; k++ {
			dst[k*h*w+i] = x[i*c+k]
		}
	}
}

// conv3x3 writes into dst the (filters, h, w) output of a 3×3 convolution of the
// (c, h, w) planes src with zero padding 1 and stride 1, plus bias, through a ReLU:
// dst[o][i][j] = max(0, bias[o] + Σ_{k,di,dj} filt[o][k][di][dj]·src[k][i+di−1][j+dj−1])
// (cross-correlation, as Gorgonia's Conv2d computes it).
func conv3x3(dst, src []float64, c, h, w int, filt, bias []float64, filters int) {
	for o := 0; o < filters; o++ {
		out := dst[o*h*w : (o+1)*h*w]
		clear(out)
		for k := 0; k < c; k++ {
			plane := src[k*h*w : (k+1)*h*w]
			for di := 0; di < kernel; di++ {
				for dj := 0; dj < kernel; dj++ {
					wt := filt[((o*c+k)*kernel+di)*kernel+dj]
					// Output (i, j) reads input (i+di−1, j+dj−1); keep both in range.
					i0, i1 := max(0, 1-di), min(h, h+1-di)
					j0, j1 := max(0, 1-dj), min(w, w+1-dj)
					for i := i0; i < i1; i++ {
						src := (i+di-1)*w + dj - 1 // input index of output (i, 0)
						axpy(out[i*w+j0:i*w+j1], wt, plane[src+j0:src+j1])
					}
				}
			}
		}
		for i, v := range out {
			out[i] = relu(v + bias[o])
		}
	}
}

// maxPool writes into dst the 2×2, stride 2 max-pool of the (c, h, w) planes src:
// (c, ⌊h/2⌋, ⌊w/2⌋) planes; a trailing odd row or column is dropped, as in Gorgonia's
// MaxPool2D without padding.
func maxPool(dst, src []float64, c, h, w int) {
	ph, pw := h/pool, w/pool
	for k := 0; k < c; k++ {
		plane := src[k*h*w : (k+1)*h*w]
		out := dst[k*ph*pw : (k+1)*ph*pw]
		for i := 0; i < ph; i++ {
			top, bottom := plane[2*i*w:], plane[(2*i+1)*w:]
			for j := 0; j < pw; j++ {
				out[i*pw+j] = max(top[2*j], top[2*j+1], bottom[2*j], bottom[2*j+1])
			}
		}
	}
}

// dense writes dst = x·W + bias (through a ReLU if hidden), where W is the
// len(x)×len(dst) row-major weight matrix. Zero inputs (frequent after a ReLU and in
// images) are skipped: they add exactly zero.
func dense(dst, x, W, bias []float64, hidden bool) {
	out := len(dst)
	clear(dst)
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		axpy(dst, xi, W[i*out:(i+1)*out])
	}
	for j, v := range dst {
		v += bias[j]
		if hidden {
			v = relu(v)
		}
		dst[j] = v
	}
}

// axpy adds a·x to dst (len(dst) == len(x)). The float64 conversion keeps the
// product from being fused with the addition into an FMA instruction, which would
// change the rounding on some architectures.
func axpy(dst []float64, a float64, x []float64) {
	dst = dst[:len(x)]
	for j, v := range x {
		dst[j] += float64(a * v)
	}
}

// relu returns max(0, v), and NaN for NaN so that Predict reports it.
func relu(v float64) float64 {
	if v < 0 {
		return 0
	}
	return v
}
