// Command misplaced does not compile: TestMisplacedOptionsDoNotCompile builds it and
// expects exactly the errors marked ERROR, each matching its regular expression.
package main

import "github.com/rabcert/rab/ensemble/gorgonia"

func main() {
	// The training options and WithHidden compile for both architectures.
	_, _ = gorgonia.NewMLP(gorgonia.WithEpochs(1), gorgonia.WithBatchSize(8), gorgonia.WithLearningRate(0.1), gorgonia.WithOptimizer(gorgonia.SGD), gorgonia.WithHidden(4))
	_, _ = gorgonia.NewCNN(gorgonia.WithEpochs(1), gorgonia.WithHidden(4), gorgonia.WithFilters(2), gorgonia.WithImageShape(8, 8, 1))

	// The CNN's own options do not compile for an MLP.
	_, _ = gorgonia.NewMLP(gorgonia.WithFilters(4))          // ERROR "CNNOption does not implement .*MLPOption"
	_, _ = gorgonia.NewMLP(gorgonia.WithImageShape(8, 8, 1)) // ERROR "CNNOption does not implement .*MLPOption"
}
