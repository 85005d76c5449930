package onnx

import (
	"fmt"
	"slices"
	"strings"
)

// Opset range in which onnx-go v0.5.0 runs the supported operators correctly.
const (
	minOpset = 9
	maxOpset = 13
)

// maxElements bounds the element count of every declared or stored tensor, so that a
// corrupt or hostile file cannot make Load allocate without bound.
const maxElements = 1 << 26

// signature is what the checks learn about a model that passes them.
type signature struct {
	input, output string // names of the data input and of the output
	inputShape    []int  // input shape without the batch dimension
	inputDim      int    // product of inputShape
	classes       int    // output width
	batch         int    // batch size of the runtime graph, see chooseBatch
}

// graphView gives the node checks access to the rest of the graph.
type graphView struct {
	g      *graphInfo
	output string
}

// initializer returns the initializer feeding input i of n, or an error naming what n
// needs it for.
func (v graphView) initializer(n nodeInfo, i int, what string) (tensorInfo, error) {
	t, ok := v.g.inits[n.inputs[i]]
	if !ok {
		return t, fmt.Errorf("input %d (%s) must be a constant initializer, not the computed tensor %q", i, what, n.inputs[i])
	}
	return t, nil
}

// opCheck validates one node of a supported operator type beyond its arity.
type opCheck struct {
	minIn, maxIn int
	check        func(v graphView, n nodeInfo) error
}

// supported lists the operators Load accepts, with the conditions under which onnx-go
// v0.5.0 computes them correctly. Keep doc.go in sync.
var supported = map[string]opCheck{
	"Add":                {2, 2, nil},
	"BatchNormalization": {5, 5, checkBatchNorm},
	"Conv":               {2, 3, checkConv},
	"Flatten":            {1, 1, checkFlatten},
	"Gemm":               {2, 3, checkGemm},
	"GlobalAveragePool":  {1, 1, nil},
	"MatMul":             {2, 2, checkMatMul},
	"MaxPool":            {1, 1, checkMaxPool},
	"Relu":               {1, 1, nil},
	"Reshape":            {2, 2, checkReshape},
	"Sigmoid":            {1, 1, nil},
	"Softmax":            {1, 1, checkSoftmax},
	"Tanh":               {1, 1, nil},
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

// checkModel rejects models onnx-go v0.5.0 would fail on or compute wrongly, and
// returns the signature of the others.
func checkModel(m *modelInfo) (*signature, error) {
	g := m.graph
	if g == nil || len(g.nodes) == 0 {
		return nil, fmt.Errorf("model has no graph nodes")
	}
	if err := checkOpset(m.opsets); err != nil {
		return nil, err
	}
	if g.sparseInits > 0 {
		return nil, fmt.Errorf("sparse initializers are not supported; store them dense")
	}
	if err := checkTensors(g); err != nil {
		return nil, err
	}
	sig, err := checkInterface(g)
	if err != nil {
		return nil, err
	}
	v := graphView{g: g, output: sig.output}
	for i, n := range g.nodes {
		if err := checkNode(v, n); err != nil {
			return nil, fmt.Errorf("node %d (%s): %w", i, strings.TrimSpace(n.opType+" "+n.name), err)
		}
	}
	sig.batch = chooseBatch(g)
	return sig, nil
}

// checkOpset requires the default-domain opset to lie in [minOpset, maxOpset].
func checkOpset(opsets map[string]int64) error {
	version, ok := opsets[""]
	if !ok {
		version, ok = opsets["ai.onnx"]
	}
	if !ok {
		return fmt.Errorf("model imports no ai.onnx opset")
	}
	if version < minOpset || version > maxOpset {
		return fmt.Errorf("opset %d is outside the supported range %d–%d; re-export the model with an opset version in that range", version, minOpset, maxOpset)
	}
	return nil
}

// checkTensors requires initializers to be float32 or int64 tensors stored in the file
// with as many elements as their shape says, and bounds every declared shape.
func checkTensors(g *graphInfo) error {
	for name, t := range g.inits {
		if t.external {
			return fmt.Errorf("initializer %q is stored in an external file; save the model with all tensors inside it", name)
		}
		if t.dataType != dataTypeFloat && t.dataType != dataTypeInt64 {
			return fmt.Errorf("initializer %q has element type %d; only float32 (1) and int64 (7) are supported", name, t.dataType)
		}
		n, ok := elements(t.dims)
		if !ok || n != int64(t.stored) {
			return fmt.Errorf("initializer %q of shape %v holds %d elements", name, t.dims, t.stored)
		}
	}
	for _, list := range [][]valueInfo{g.inputs, g.outputs, g.valueInfos} {
		for _, vi := range list {
			var dims []int64
			for _, d := range vi.dims {
				if d.fixed {
					dims = append(dims, d.value)
				}
			}
			if _, ok := elements(dims); !ok {
				return fmt.Errorf("tensor %q has declared shape %v: negative or more than %d elements", vi.name, dims, maxElements)
			}
		}
	}
	return nil
}

// elements returns the element count of a tensor of the given shape, and false if a
// dimension is negative or the count exceeds maxElements.
func elements(dims []int64) (int64, bool) {
	n := int64(1)
	for _, d := range dims {
		if d < 0 || (d > 0 && n > maxElements/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// checkInterface requires one float input [batch, d1, …, dk] with fixed d1…dk and one
// float output [batch, classes] with fixed classes ≥ 2 that no node consumes.
func checkInterface(g *graphInfo) (*signature, error) {
	var inputs []valueInfo
	for _, in := range g.inputs {
		if _, isInit := g.inits[in.name]; !isInit {
			inputs = append(inputs, in)
		}
	}
	if len(inputs) != 1 || len(g.outputs) != 1 {
		return nil, fmt.Errorf("model has %d data inputs and %d outputs, want 1 and 1", len(inputs), len(g.outputs))
	}
	in, out := inputs[0], g.outputs[0]
	sig := &signature{input: in.name, output: out.name, inputDim: 1}
	if in.elemType != dataTypeFloat || !in.hasShape || len(in.dims) < 2 {
		return nil, fmt.Errorf("input %q must be a float32 tensor [batch, d1, …] of declared shape (elem type %d, %d dims)", in.name, in.elemType, len(in.dims))
	}
	for i, d := range in.dims[1:] {
		if !d.fixed || d.value <= 0 {
			return nil, fmt.Errorf("input %q dimension %d must have a fixed positive size; only the batch dimension may be symbolic", in.name, i+1)
		}
		sig.inputShape = append(sig.inputShape, int(d.value))
		sig.inputDim *= int(d.value)
	}
	if out.elemType != dataTypeFloat || !out.hasShape || len(out.dims) != 2 {
		return nil, fmt.Errorf("output %q must be a float32 tensor [batch, classes] of declared shape (elem type %d, %d dims)", out.name, out.elemType, len(out.dims))
	}
	if c := out.dims[1]; !c.fixed || c.value < 2 {
		return nil, fmt.Errorf("output %q must have a fixed number of classes ≥ 2 (one score per class), got dimension %+v", out.name, c)
	}
	sig.classes = int(out.dims[1].value)
	produced := false
	for _, n := range g.nodes {
		if slices.Contains(n.inputs, out.name) {
			return nil, fmt.Errorf("output %q is also consumed by node %s %q; onnx-go only reads outputs no node consumes", out.name, n.opType, n.name)
		}
		produced = produced || slices.Contains(n.outputs, out.name)
	}
	if !produced {
		return nil, fmt.Errorf("output %q is not computed by any node", out.name)
	}
	return sig, nil
}

// checkNode applies the generic and the operator-specific conditions to one node.
func checkNode(v graphView, n nodeInfo) error {
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
	if op.check == nil {
		return nil
	}
	return op.check(v, n)
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

// checkPool covers the spatial attributes Conv and MaxPool share: a 2-D kernel,
// symmetric equal padding (onnx-go misreads the ONNX pads order), 2-D strides.
func checkPool(n nodeInfo) error {
	if k := ints(n, "kernel_shape"); len(k) != 2 {
		return fmt.Errorf("kernel_shape must be given with 2 entries (2-D), got %v", k)
	}
	if p := ints(n, "pads"); len(p) > 0 && !allEqual(p, p[0]) {
		return fmt.Errorf("pads %v unsupported: onnx-go v0.5.0 handles only equal padding on every side", p)
	}
	if s := ints(n, "strides"); s != nil && len(s) != 2 {
		return fmt.Errorf("strides must have 2 entries, got %v", s)
	}
	if d := ints(n, "dilations"); !allEqual(d, 1) {
		return fmt.Errorf("dilations %v unsupported, only 1", d)
	}
	return nil
}

func checkConv(v graphView, n nodeInfo) error {
	if err := checkPool(n); err != nil {
		return err
	}
	if !attrIs(n, "group", 1) {
		return fmt.Errorf("group %d unsupported: onnx-go v0.5.0 ignores the attribute, only group 1 is computed correctly", n.attrs["group"].i)
	}
	if pad := n.attrs["auto_pad"].s; pad != "" && pad != "NOTSET" && pad != "VALID" {
		return fmt.Errorf("auto_pad %s unsupported; use explicit pads", pad)
	}
	w, err := v.initializer(n, 1, "weights")
	if err != nil {
		return err
	}
	if len(w.dims) != 4 {
		return fmt.Errorf("weights have %d dims, want 4 (2-D convolution)", len(w.dims))
	}
	if len(n.inputs) == 3 {
		_, err = v.initializer(n, 2, "bias")
	}
	return err
}

func checkMaxPool(_ graphView, n nodeInfo) error {
	if err := checkPool(n); err != nil {
		return err
	}
	if !attrIs(n, "ceil_mode", 0) {
		return fmt.Errorf("ceil_mode 1 unsupported")
	}
	if pad := n.attrs["auto_pad"].s; pad != "" && pad != "NOTSET" {
		return fmt.Errorf("auto_pad %s unsupported; use explicit pads", pad)
	}
	return nil
}

func checkBatchNorm(v graphView, n nodeInfo) error {
	if !attrIs(n, "spatial", 1) {
		return fmt.Errorf("spatial 0 unsupported")
	}
	for i, what := range []string{"scale", "bias", "mean", "var"} {
		if _, err := v.initializer(n, i+1, what); err != nil {
			return err
		}
	}
	return nil
}

func checkFlatten(_ graphView, n nodeInfo) error {
	if !attrIs(n, "axis", 1) {
		return fmt.Errorf("axis %d unsupported: only axis 1 keeps the batch rows apart", n.attrs["axis"].i)
	}
	return nil
}

func checkGemm(v graphView, n nodeInfo) error {
	if len(n.inputs) == 2 {
		return fmt.Errorf("Gemm without C fails in onnx-go v0.5.0; give it a zero bias")
	}
	if !attrIs(n, "transA", 0) {
		return fmt.Errorf("transA 1 unsupported")
	}
	// onnx-go computes Gemm in place into C when C has as many elements as the output:
	// C must be a constant broadcast along the batch, which chooseBatch keeps smaller.
	c, err := v.initializer(n, 2, "C")
	if err != nil {
		return err
	}
	if len(c.dims) > 2 || (len(c.dims) == 2 && c.dims[0] != 1) {
		return fmt.Errorf("C of shape %v unsupported; want a bias of shape [n] or [1, n]", c.dims)
	}
	return nil
}

func checkMatMul(v graphView, n nodeInfo) error {
	w, err := v.initializer(n, 1, "weights")
	if err != nil {
		return err
	}
	if len(w.dims) != 2 {
		return fmt.Errorf("weights have %d dims, want 2", len(w.dims))
	}
	return nil
}

func checkReshape(v graphView, n nodeInfo) error {
	s, err := v.initializer(n, 1, "shape")
	if err != nil {
		return err
	}
	if s.dataType != dataTypeInt64 || len(s.int64s) == 0 || s.int64s[0] != 0 || slices.ContainsFunc(s.int64s, func(d int64) bool { return d < 0 }) {
		return fmt.Errorf("shape %v unsupported: it must be int64, start with 0 (keep the batch dimension) and contain no -1 (onnx-go v0.5.0 miscomputes -1)", s.int64s)
	}
	return nil
}

func checkSoftmax(v graphView, n nodeInfo) error {
	if n.outputs[0] != v.output {
		return fmt.Errorf("Softmax is supported only as the last operator, on the [batch, classes] output")
	}
	if a, ok := n.attrs["axis"]; ok && a.i != 1 && a.i != -1 {
		return fmt.Errorf("axis %d unsupported; onnx-go v0.5.0 always normalises the class axis of a 2-D input", a.i)
	}
	return nil
}

// chooseBatch returns the batch size of the runtime graph: the smallest integer ≥ 2
// that is not the size of any declared or constant dimension.
//
// Not 1, because at batch size 1 onnx-go writes Gemm results into the bias C, corrupting
// it for the next run. Not a size that occurs elsewhere in the graph, because onnx-go
// broadcasts a 1-D operand along whichever axis has its length, and the batch axis must
// not be mistaken for it. Each row is evaluated alone in the first slot of the batch,
// the other slots hold zeros, so a row's output never depends on the other rows.
func chooseBatch(g *graphInfo) int {
	used := map[int64]bool{}
	for _, t := range g.inits {
		for _, d := range t.dims {
			used[d] = true
		}
		for _, d := range t.int64s {
			used[d] = true
		}
	}
	for _, list := range [][]valueInfo{g.inputs, g.outputs, g.valueInfos} {
		for _, vi := range list {
			for _, d := range vi.dims {
				used[d.value] = true
			}
		}
	}
	b := int64(2)
	for used[b] {
		b++
	}
	return int(b)
}
