package cnn

import "fmt"

// pool is the side and stride of every max-pool window.
const pool = 2

// arch is a network architecture: convolution blocks (k×k convolution with zero
// padding p and a bias per filter → ReLU → 2×2 max-pool, stride 2), then fully
// connected ReLU layers of the hidden widths, then a fully connected layer of classes
// logits. classes is 0 until Fit knows it.
type arch struct {
	h, w, c int // input image shape
	kernel  int
	padding int
	filters []int
	hidden  []int
	classes int
}

// inputs returns the width of an input row, h·w·c.
func (a *arch) inputs() int { return a.h * a.w * a.c }

// conv is the geometry of one convolution block, on input rows of h×w×c values
// (channel-last): the convolution maps them to ho×wo×f, the pool to hp×wp×f. Its
// parameters are the weight matrix Wt, (k·k·c)×f row-major with row (di·k + dj)·c + ch
// the kernel tap (di, dj) of input channel ch, at params[w:], and the bias, f values at
// params[b:].
type conv struct {
	h, w, c    int
	ho, wo, f  int
	hp, wp     int
	k, pad     int
	wOff, bOff int
}

// taps returns k·k·c, the length of one im2col row.
func (g *conv) taps() int { return g.k * g.k * g.c }

// dense is the geometry of one fully connected layer: in inputs, out outputs, weight
// matrix W, in×out row-major, at params[w:], bias at params[b:], a ReLU if relu.
type dense struct {
	in, out    int
	wOff, bOff int
	relu       bool
}

// layout is an architecture's layers and the size of its parameter vector; the
// parameters are stored in one slice in layer order, each layer's weights then bias.
type layout struct {
	convs  []conv
	denses []dense
	params int
}

// features returns the width of the first fully connected layer's input: the
// flattened (channel-last) output of the last pool.
func (l *layout) features() int {
	g := l.convs[len(l.convs)-1]
	return g.hp * g.wp * g.f
}

// layout checks the architecture (classes may still be 0) and returns its layers. Every
// size is bounded before it is multiplied, so that no product overflows.
func (a *arch) layout() (layout, error) {
	var l layout
	switch {
	case a.h < 1 || a.w < 1 || a.c < 1 || a.h > maxSide || a.w > maxSide || a.c > maxUnits || a.h*a.w*a.c > maxUnits:
		return l, fmt.Errorf("image shape %d×%d×%d: want positive sides of at most %d and at most %d values", a.h, a.w, a.c, maxSide, maxUnits)
	case a.kernel < 1 || a.kernel > maxKernel:
		return l, fmt.Errorf("kernel side %d: want 1 to %d", a.kernel, maxKernel)
	case a.padding < 0 || a.padding >= a.kernel:
		return l, fmt.Errorf("padding %d: want 0 to kernel side − 1 = %d", a.padding, a.kernel-1)
	case len(a.filters) < 1 || len(a.filters) > maxLayers:
		return l, fmt.Errorf("%d convolution blocks: want 1 to %d", len(a.filters), maxLayers)
	case len(a.hidden) > maxLayers:
		return l, fmt.Errorf("%d hidden layers: want at most %d", len(a.hidden), maxLayers)
	case a.classes != 0 && (a.classes < 2 || a.classes > maxUnits):
		return l, fmt.Errorf("%d classes: want 2 to %d", a.classes, maxUnits)
	}
	h, w, c := a.h, a.w, a.c
	for i, f := range a.filters {
		ho, wo := h+2*a.padding-a.kernel+1, w+2*a.padding-a.kernel+1
		switch {
		case f < 1 || f > maxUnits:
			return l, fmt.Errorf("convolution block %d has %d filters: want 1 to %d", i, f, maxUnits)
		case ho < pool || wo < pool:
			return l, fmt.Errorf("image shape %d×%d×%d is too small for %d convolution blocks of kernel %d, padding %d: block %d gets %d×%d and its convolution gives %d×%d, but the 2×2 max-pool needs at least 2×2",
				a.h, a.w, a.c, len(a.filters), a.kernel, a.padding, i, h, w, max(ho, 0), max(wo, 0))
		case ho*wo > maxUnits/f:
			return l, fmt.Errorf("convolution block %d gives %d×%d×%d activations per input: want at most %d", i, ho, wo, f, maxUnits)
		case ho*wo*a.kernel*a.kernel > maxTaps/c:
			return l, fmt.Errorf("convolution block %d has %d×%d outputs of %d×%d×%d taps each: want at most %d taps per input", i, ho, wo, a.kernel, a.kernel, c, maxTaps)
		}
		g := conv{h: h, w: w, c: c, ho: ho, wo: wo, f: f, hp: ho / pool, wp: wo / pool, k: a.kernel, pad: a.padding}
		if err := l.add(&g.wOff, &g.bOff, g.taps(), f); err != nil {
			return l, err
		}
		l.convs = append(l.convs, g)
		h, w, c = g.hp, g.wp, f
	}
	in := l.features()
	for i, out := range append(append([]int{}, a.hidden...), max(a.classes, 2)) {
		if out < 1 || out > maxUnits {
			return l, fmt.Errorf("hidden layer %d has width %d: want 1 to %d", i, out, maxUnits)
		}
		d := dense{in: in, out: out, relu: i < len(a.hidden)}
		if err := l.add(&d.wOff, &d.bOff, in, out); err != nil {
			return l, err
		}
		l.denses = append(l.denses, d)
		in = out
	}
	return l, nil
}

// add allocates an rows×cols weight matrix and a bias of cols values at the end of the
// parameter vector, keeping it within maxParams (rows, cols ≤ 2³² so rows·cols cannot
// overflow).
func (l *layout) add(wOff, bOff *int, rows, cols int) error {
	if rows*cols > maxParams-l.params-cols {
		return fmt.Errorf("more than %d parameters", maxParams)
	}
	*wOff = l.params
	*bOff = l.params + rows*cols
	l.params += rows*cols + cols
	return nil
}

// scratchPerRow returns the largest activation count per input row of any layer, and
// the largest im2col size (outputs × taps) per input row.
func (l *layout) scratchPerRow() (act, cols int) {
	for _, g := range l.convs {
		act = max(act, g.ho*g.wo*g.f, g.h*g.w*g.c)
		cols = max(cols, g.ho*g.wo*g.taps())
	}
	for _, d := range l.denses {
		act = max(act, d.in, d.out)
	}
	return act, cols
}

// slabRows returns the number of rows of a slab, the unit of work of a training step:
// slabMax rows, fewer for networks so large that the scratch of a slab would pass
// slabBudget values. It depends on the architecture only, so a fit does not depend on
// the number of threads.
func (l *layout) slabRows() int {
	act, cols := l.scratchPerRow()
	return max(1, min(slabMax, slabBudget/max(act, cols)))
}

// slabMax and slabBudget size the slabs; see slabRows.
const (
	slabMax    = 32
	slabBudget = 1 << 21
)
