package onnx

import (
	"fmt"
	"slices"
	"strings"
)

// batchDim stands for the batch size in inferred shapes.
const batchDim = -1

// graphView infers, node by node, the shape of every computed tensor. Computed tensors
// derive from the model input and keep the batch on axis 0, which the operator checks
// preserve: no operator mixes rows.
type graphView struct {
	g      *graphInfo
	shapes map[string][]int // computed tensors; axis 0 is batchDim
}

// opCheck describes a supported operator: its arity and a function that checks a node's
// inputs and attributes and returns its output shape.
type opCheck struct {
	minIn, maxIn int
	infer        func(v *graphView, n nodeInfo) ([]int, error)
}

// supported lists the operators Load accepts, with the conditions under which onnx-go
// v0.5.0 computes them correctly. Keep doc.go in sync.
var supported = map[string]opCheck{
	"Add":                {2, 2, inferAdd},
	"BatchNormalization": {5, 5, inferBatchNorm},
	"Conv":               {2, 3, inferConv},
	"Flatten":            {1, 1, inferFlatten},
	"Gemm":               {2, 3, inferGemm},
	"GlobalAveragePool":  {1, 1, inferGlobalAveragePool},
	"MatMul":             {2, 2, inferMatMul},
	"MaxPool":            {1, 1, inferMaxPool},
	"Relu":               {1, 1, inferSame},
	"Reshape":            {2, 2, inferReshape},
	"Sigmoid":            {1, 1, inferSame},
	"Softmax":            {1, 1, inferSoftmax},
	"Tanh":               {1, 1, inferSame},
}

// supportedNames returns the supported operator types, sorted.
func supportedNames() []string {
	names := make([]string, 0, len(supported))
	for name := range supported {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// checkNode applies the generic and the operator-specific conditions to one node and
// records the shape of its output.
func (v *graphView) checkNode(n nodeInfo) error {
	if n.domain != "" && n.domain != "ai.onnx" {
		return fmt.Errorf("operator domain %q is not supported; only the default ai.onnx domain is", n.domain)
	}
	op, ok := supported[n.opType]
	if !ok {
		return fmt.Errorf("operator %s is not supported by this package (onnx-go v0.5.0); supported operators: %s", n.opType, strings.Join(supportedNames(), ", "))
	}
	if len(n.inputs) < op.minIn || len(n.inputs) > op.maxIn {
		want := fmt.Sprint(op.minIn)
		if op.maxIn > op.minIn {
			want += fmt.Sprintf(" to %d", op.maxIn)
		}
		return fmt.Errorf("has %d inputs, want %s", len(n.inputs), want)
	}
	if slices.Contains(n.inputs, "") {
		return fmt.Errorf("omitted optional inputs are not supported")
	}
	if len(n.outputs) != 1 {
		return fmt.Errorf("has %d outputs, want 1 (optional extra outputs are not supported)", len(n.outputs))
	}
	name := n.outputs[0]
	if _, dup := v.shapes[name]; dup {
		return fmt.Errorf("output %q is defined twice", name)
	}
	if _, dup := v.g.inits[name]; dup {
		return fmt.Errorf("output %q is also an initializer", name)
	}
	shape, err := op.infer(v, n)
	if err != nil {
		return err
	}
	if len(shape) == 0 || shape[0] != batchDim {
		return fmt.Errorf("output shape %s has lost the batch axis", shapeString(shape))
	}
	for _, d := range shape[1:] {
		if d < 1 {
			return fmt.Errorf("output shape %s is empty", shapeString(shape))
		}
	}
	if _, ok := elements(toInt64s(shape[1:])); !ok {
		return fmt.Errorf("output shape %s has more than %d elements per row", shapeString(shape), maxElements)
	}
	v.shapes[name] = shape
	return nil
}

// data returns the shape of input i of n, which must be computed from the model input.
func (v *graphView) data(n nodeInfo, i int) ([]int, error) {
	name := n.inputs[i]
	if s, ok := v.shapes[name]; ok {
		return s, nil
	}
	if _, ok := v.g.inits[name]; ok {
		return nil, fmt.Errorf("input %d must be computed from the model input, not the constant %q", i, name)
	}
	return nil, fmt.Errorf("input %q is not defined by an earlier node (nodes must be in topological order)", name)
}

// dataRank is data with a required rank.
func (v *graphView) dataRank(n nodeInfo, i, rank int) ([]int, error) {
	s, err := v.data(n, i)
	if err == nil && len(s) != rank {
		err = fmt.Errorf("input %d has shape %s, want %d dims", i, shapeString(s), rank)
	}
	return s, err
}

// constant returns input i of n, which must be an initializer, and its shape as ints.
func (v *graphView) constant(n nodeInfo, i int, what string) (tensorInfo, []int, error) {
	t, ok := v.g.inits[n.inputs[i]]
	if !ok {
		return t, nil, fmt.Errorf("input %d (%s) must be a constant initializer, not the computed tensor %q", i, what, n.inputs[i])
	}
	dims := make([]int, len(t.dims))
	for j, d := range t.dims {
		dims[j] = int(d)
	}
	return t, dims, nil
}

// constantRank is constant with a required rank.
func (v *graphView) constantRank(n nodeInfo, i int, what string, rank int) ([]int, error) {
	_, s, err := v.constant(n, i, what)
	if err == nil && len(s) != rank {
		err = fmt.Errorf("%s has shape %v, want %d dims", what, s, rank)
	}
	return s, err
}

func inferSame(v *graphView, n nodeInfo) ([]int, error) {
	return v.data(n, 0)
}

// inferAdd broadcasts numpy-style. onnx-go matches that or fails, given that the batch
// size differs from every other dimension (chooseBatch).
func inferAdd(v *graphView, n nodeInfo) ([]int, error) {
	var shapes [2][]int
	computed := 0
	for i := range shapes {
		if s, ok := v.shapes[n.inputs[i]]; ok {
			shapes[i] = s
			computed++
			continue
		}
		_, s, err := v.constant(n, i, "addend")
		if err != nil {
			return nil, fmt.Errorf("input %q is neither computed by an earlier node nor an initializer", n.inputs[i])
		}
		shapes[i] = s
	}
	if computed == 0 {
		return nil, fmt.Errorf("both addends are constants; fold them")
	}
	a, b := shapes[0], shapes[1]
	if len(a) < len(b) {
		a, b = b, a
	}
	out := slices.Clone(a)
	for j := range b {
		i := len(a) - len(b) + j
		switch {
		case a[i] == b[j] || b[j] == 1:
		case a[i] == 1:
			out[i] = b[j]
		default:
			return nil, fmt.Errorf("shapes %s and %s do not broadcast", shapeString(shapes[0]), shapeString(shapes[1]))
		}
	}
	return out, nil
}

func inferGemm(v *graphView, n nodeInfo) ([]int, error) {
	if len(n.inputs) == 2 {
		return nil, fmt.Errorf("Gemm without C fails in onnx-go v0.5.0; give it a zero bias")
	}
	if !attrIs(n, "transA", 0) {
		return nil, fmt.Errorf("transA 1 unsupported")
	}
	a, err := v.dataRank(n, 0, 2)
	if err != nil {
		return nil, err
	}
	b, err := v.constantRank(n, 1, "B", 2)
	if err != nil {
		return nil, err
	}
	k, cols := b[0], b[1]
	switch n.attrs["transB"].i {
	case 0:
	case 1:
		k, cols = cols, k
	default:
		return nil, fmt.Errorf("transB %d invalid", n.attrs["transB"].i)
	}
	if a[1] != k {
		return nil, fmt.Errorf("A has %d columns but B has %d rows", a[1], k)
	}
	// onnx-go computes Gemm in place into C when C has as many elements as the output:
	// C must be a constant broadcast along the batch, which chooseBatch keeps smaller.
	_, c, err := v.constant(n, 2, "C")
	if err != nil {
		return nil, err
	}
	bias := len(c) == 0 ||
		(len(c) == 1 && (c[0] == 1 || c[0] == cols)) ||
		(len(c) == 2 && c[0] == 1 && (c[1] == 1 || c[1] == cols))
	if !bias {
		return nil, fmt.Errorf("C of shape %v unsupported; want a bias of shape [%d], [1, %d] or a scalar", c, cols, cols)
	}
	return []int{a[0], cols}, nil
}

func inferMatMul(v *graphView, n nodeInfo) ([]int, error) {
	a, err := v.dataRank(n, 0, 2)
	if err != nil {
		return nil, err
	}
	w, err := v.constantRank(n, 1, "weights", 2)
	if err != nil {
		return nil, err
	}
	if a[1] != w[0] {
		return nil, fmt.Errorf("input has %d columns but the weights have %d rows", a[1], w[0])
	}
	return []int{a[0], w[1]}, nil
}

// window holds the spatial attributes Conv and MaxPool share.
type window struct {
	kernel, stride [2]int
	pad            int
}

// readWindow reads kernel_shape (required, 2-D), strides (≥ 1) and pads. onnx-go
// misreads the ONNX pads order [h_begin, w_begin, h_end, w_end], so all pads must be
// equal.
func readWindow(n nodeInfo) (window, error) {
	var w window
	k := ints(n, "kernel_shape")
	if len(k) != 2 || k[0] < 1 || k[1] < 1 {
		return w, fmt.Errorf("kernel_shape must be given with 2 positive entries (2-D), got %v", k)
	}
	s := ints(n, "strides")
	if s == nil {
		s = []int64{1, 1}
	}
	if len(s) != 2 || s[0] < 1 || s[1] < 1 || s[0] > maxElements || s[1] > maxElements {
		return w, fmt.Errorf("strides must have 2 positive entries, got %v", s)
	}
	w.kernel, w.stride = [2]int{int(k[0]), int(k[1])}, [2]int{int(s[0]), int(s[1])}
	if p := ints(n, "pads"); p != nil {
		if len(p) != 4 || !allEqual(p, p[0]) || p[0] < 0 || p[0] >= min(k[0], k[1]) {
			return w, fmt.Errorf("pads %v unsupported: onnx-go v0.5.0 handles only equal padding on every side, smaller than the kernel", p)
		}
		w.pad = int(p[0])
	}
	if d := ints(n, "dilations"); !allEqual(d, 1) {
		return w, fmt.Errorf("dilations %v unsupported, only 1", d)
	}
	return w, nil
}

// apply returns the output shape of the window sliding over x [batch, C, H, W] with
// channels output channels.
func (w window) apply(x []int, channels int) ([]int, error) {
	out := []int{x[0], channels, 0, 0}
	for i := range 2 {
		span := x[2+i] + 2*w.pad - w.kernel[i]
		if span < 0 {
			return nil, fmt.Errorf("kernel %v larger than the padded input %s", w.kernel, shapeString(x))
		}
		out[2+i] = span/w.stride[i] + 1
	}
	return out, nil
}

// windowInput returns the [batch, C, H, W] input of a Conv or MaxPool node and its
// window. auto_pad must be NOTSET, or VALID (no padding) if allowValid.
func (v *graphView) windowInput(n nodeInfo, allowValid bool) ([]int, window, error) {
	x, err := v.dataRank(n, 0, 4)
	if err != nil {
		return nil, window{}, err
	}
	win, err := readWindow(n)
	if err != nil {
		return nil, window{}, err
	}
	switch pad := n.attrs["auto_pad"].s; {
	case pad == "" || pad == "NOTSET":
	case pad == "VALID" && allowValid:
		win.pad = 0
	default:
		return nil, window{}, fmt.Errorf("auto_pad %s unsupported; use explicit pads", pad)
	}
	return x, win, nil
}

func inferConv(v *graphView, n nodeInfo) ([]int, error) {
	x, win, err := v.windowInput(n, true)
	if err != nil {
		return nil, err
	}
	if !attrIs(n, "group", 1) {
		return nil, fmt.Errorf("group %d unsupported: onnx-go v0.5.0 ignores the attribute, only group 1 is computed correctly", n.attrs["group"].i)
	}
	w, err := v.constantRank(n, 1, "weights", 4)
	if err != nil {
		return nil, err
	}
	if w[1] != x[1] || w[2] != win.kernel[0] || w[3] != win.kernel[1] {
		return nil, fmt.Errorf("weights of shape %v do not fit input %s and kernel_shape %v", w, shapeString(x), win.kernel)
	}
	if len(n.inputs) == 3 {
		b, err := v.constantRank(n, 2, "bias", 1)
		if err != nil {
			return nil, err
		}
		if b[0] != w[0] {
			return nil, fmt.Errorf("bias has %d entries for %d output channels", b[0], w[0])
		}
	}
	return win.apply(x, w[0])
}

func inferMaxPool(v *graphView, n nodeInfo) ([]int, error) {
	x, win, err := v.windowInput(n, false)
	if err != nil {
		return nil, err
	}
	if !attrIs(n, "ceil_mode", 0) {
		return nil, fmt.Errorf("ceil_mode 1 unsupported")
	}
	if _, ok := n.attrs["dilations"]; ok {
		return nil, fmt.Errorf("dilations unsupported")
	}
	return win.apply(x, x[1])
}

func inferBatchNorm(v *graphView, n nodeInfo) ([]int, error) {
	x, err := v.dataRank(n, 0, 4)
	if err != nil {
		return nil, err
	}
	if !attrIs(n, "spatial", 1) {
		return nil, fmt.Errorf("spatial 0 unsupported")
	}
	for i, what := range []string{"scale", "bias", "mean", "var"} {
		s, err := v.constantRank(n, i+1, what, 1)
		if err != nil {
			return nil, err
		}
		if s[0] != x[1] {
			return nil, fmt.Errorf("%s has %d entries for %d channels", what, s[0], x[1])
		}
	}
	return x, nil
}

func inferGlobalAveragePool(v *graphView, n nodeInfo) ([]int, error) {
	x, err := v.dataRank(n, 0, 4)
	if err != nil {
		return nil, err
	}
	return []int{x[0], x[1], 1, 1}, nil
}

func inferFlatten(v *graphView, n nodeInfo) ([]int, error) {
	if !attrIs(n, "axis", 1) {
		return nil, fmt.Errorf("axis %d unsupported: only axis 1 keeps the batch rows apart", n.attrs["axis"].i)
	}
	x, err := v.data(n, 0)
	if err != nil {
		return nil, err
	}
	if len(x) < 2 {
		return nil, fmt.Errorf("input has shape %s, want at least 2 dims", shapeString(x))
	}
	return []int{x[0], product(x[1:])}, nil
}

func inferReshape(v *graphView, n nodeInfo) ([]int, error) {
	x, err := v.data(n, 0)
	if err != nil {
		return nil, err
	}
	t, _, err := v.constant(n, 1, "shape")
	if err != nil {
		return nil, err
	}
	s := t.int64s
	if t.dataType != dataTypeInt64 || len(t.dims) != 1 || len(s) == 0 || s[0] != 0 || slices.ContainsFunc(s, func(d int64) bool { return d < 0 || d > maxElements }) {
		return nil, fmt.Errorf("shape %v unsupported: it must be a 1-D int64 initializer starting with 0 (keep the batch dimension), without -1 (onnx-go v0.5.0 miscomputes -1)", s)
	}
	out := []int{x[0]}
	for i, d := range s[1:] {
		switch {
		case d > 0:
			out = append(out, int(d))
		case i+1 < len(x):
			out = append(out, x[i+1])
		default:
			return nil, fmt.Errorf("shape %v copies dimension %d of a %d-D input", s, i+1, len(x))
		}
	}
	if product(out[1:]) != product(x[1:]) {
		return nil, fmt.Errorf("cannot reshape %s to %s", shapeString(x), shapeString(out))
	}
	return out, nil
}

func inferSoftmax(v *graphView, n nodeInfo) ([]int, error) {
	x, err := v.dataRank(n, 0, 2)
	if err != nil {
		return nil, fmt.Errorf("%w: onnx-go v0.5.0 computes Softmax correctly on 2-D inputs only", err)
	}
	if a, ok := n.attrs["axis"]; ok && a.i != 1 && a.i != -1 {
		return nil, fmt.Errorf("axis %d unsupported; onnx-go v0.5.0 always normalises axis 1 of a 2-D input", a.i)
	}
	return x, nil
}

// attrIs reports whether attribute name is absent or equal to want.
func attrIs(n nodeInfo, name string, want int64) bool {
	a, ok := n.attrs[name]
	return !ok || a.i == want
}

// ints returns attribute name as a list of ints, or nil when absent.
func ints(n nodeInfo, name string) []int64 {
	return n.attrs[name].ints
}

// allEqual reports whether every element of xs equals want.
func allEqual(xs []int64, want int64) bool {
	for _, x := range xs {
		if x != want {
			return false
		}
	}
	return true
}

// product returns the product of dims (1 for none), or maxElements+1 if that is more.
func product(dims []int) int {
	p := 1
	for _, d := range dims {
		if d > 0 && p > maxElements/d {
			return maxElements + 1
		}
		p *= d
	}
	return p
}

func toInt64s(xs []int) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = int64(x)
	}
	return out
}

// shapeString formats an inferred shape, writing the batch axis as "batch".
func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d == batchDim {
			parts[i] = "batch"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
