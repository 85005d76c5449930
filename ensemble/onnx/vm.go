package onnx

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"
)

// directVM is a gorgonia.VM that evaluates an expression graph in the calling goroutine,
// one operator's Do after another in topological order. Gorgonia's own machines run
// the graph in a goroutine they start for every run, where a panic inside an operator
// cannot be recovered and kills the program; here it unwinds to Model.run, which
// returns it as an error. It is also faster on small models: no goroutine, channel or
// OS-thread lock per run.
type directVM struct {
	nodes    gorgonia.Nodes   // operator nodes, inputs before the nodes that use them
	operands []gorgonia.Nodes // operands[i]: the arguments of nodes[i], in order
	args     []gorgonia.Value // scratch for operator arguments
}

// newDirectVM prepares the evaluation order of g.
func newDirectVM(g *gorgonia.ExprGraph) (*directVM, error) {
	sorted, err := gorgonia.Sort(g) // consumers before the nodes they read
	if err != nil {
		return nil, err
	}
	vm := &directVM{}
	for _, n := range slices.Backward(sorted) {
		var operands gorgonia.Nodes
		for it := g.From(n.ID()); it.Next(); {
			operands = append(operands, it.Node().(*gorgonia.Node))
		}
		if n.Op() != nil && len(operands) > 0 { // not an input or a constant
			vm.nodes = append(vm.nodes, n)
			vm.operands = append(vm.operands, operands)
		}
	}
	return vm, nil
}

// RunAll evaluates every operator node and binds its value to it.
func (vm *directVM) RunAll() error {
	for i, n := range vm.nodes {
		vm.args = vm.args[:0]
		for _, c := range vm.operands[i] {
			v := c.Value()
			if v == nil {
				return fmt.Errorf("operand %v of %v has no value", c, n)
			}
			vm.args = append(vm.args, v)
		}
		v, err := n.Op().Do(vm.args...)
		if err != nil {
			return fmt.Errorf("%v: %w", n.Op(), err)
		}
		if err := gorgonia.UnsafeLet(n, v); err != nil {
			return fmt.Errorf("%v: %w", n.Op(), err)
		}
	}
	clear(vm.args)
	return nil
}

// Reset does nothing: every run recomputes every node.
func (vm *directVM) Reset() {}

// Close does nothing: the machine holds no resources.
func (vm *directVM) Close() error { return nil }
