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

// maxElements bounds the element count of every declared or stored tensor (per batch
// row for computed tensors), so that a corrupt or hostile file cannot make Load
// allocate without bound: 2²² float32 values are 16 MiB, enough for the small networks
// an ensemble member is (a 224×224 image with 64 channels has 3.2·10⁶).
const maxElements = 1 << 22

// signature is what the checks learn about a model that passes them.
type signature struct {
	input, output string // names of the data input and of the output
	inputShape    []int  // input shape without the batch dimension
	inputDim      int    // product of inputShape
	classes       int    // output width
	batch         int    // batch size of the runtime graph, see chooseBatch
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
	v := &graphView{g: g, shapes: map[string][]int{sig.input: append([]int{batchDim}, sig.inputShape...)}}
	for i, n := range g.nodes {
		if err := v.checkNode(n); err != nil {
			return nil, fmt.Errorf("node %d (%s): %w", i, strings.TrimSpace(n.opType+" "+n.name), err)
		}
	}
	out, ok := v.shapes[sig.output]
	if !ok {
		return nil, fmt.Errorf("output %q is not computed by any node", sig.output)
	}
	if !slices.Equal(out, []int{batchDim, sig.classes}) {
		return nil, fmt.Errorf("output %q is computed with shape %s but declared [batch, %d]", sig.output, shapeString(out), sig.classes)
	}
	sig.batch = chooseBatch(g, v.shapes)
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
	for _, n := range g.nodes {
		if slices.Contains(n.inputs, out.name) {
			return nil, fmt.Errorf("output %q is also consumed by node %s %q; onnx-go only reads outputs no node consumes", out.name, n.opType, n.name)
		}
	}
	return sig, nil
}

// chooseBatch returns the batch size of the runtime graph: the smallest integer ≥ 2
// that is not the size of any declared, constant or computed dimension.
//
// Not 1, because at batch size 1 onnx-go writes Gemm results into the bias C, corrupting
// it for the next run. Not a size that occurs elsewhere in the graph, because onnx-go
// broadcasts a 1-D operand along whichever axis has its length, and the batch axis must
// not be mistaken for it. Each row is evaluated alone in the first slot of the batch,
// the other slots hold zeros, so a row's output never depends on the other rows.
func chooseBatch(g *graphInfo, computed map[string][]int) int {
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
	for _, dims := range computed {
		for _, d := range dims {
			used[int64(d)] = true
		}
	}
	b := int64(2)
	for used[b] {
		b++
	}
	return int(b)
}
