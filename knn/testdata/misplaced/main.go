// Command misplaced does not compile: TestMisplacedOptionsDoNotCompile builds it and
// expects exactly the errors marked ERROR, each matching its regular expression.
package main

import "github.com/rabcert/rab/knn"

func main() {
	var (
		X    [][]float64
		y    []int
		data []byte
	)

	// Each option compiles where it applies.
	_, _ = knn.New(X, y, knn.WithSigma(1), knn.WithK(3), knn.WithClasses(2), knn.WithLevels(50))
	_, _ = knn.New(X, y, knn.WithSigma(1), knn.WithEdges([]float64{1, 2}))
	_, _ = knn.New(X, y, knn.WithWorkers(1), knn.WithTolerance(1e-9), knn.WithProgress(nil))
	_, _ = knn.Unmarshal(data, knn.WithWorkers(1), knn.WithTolerance(1e-9), knn.WithProgress(nil))

	// And nowhere else: the model is fixed by the saved bytes.
	_, _ = knn.Unmarshal(data, knn.WithSigma(1))               // ERROR "knn.Option does not implement knn.LoadOption"
	_, _ = knn.Unmarshal(data, knn.WithK(1))                   // ERROR "knn.Option does not implement knn.LoadOption"
	_, _ = knn.Unmarshal(data, knn.WithClasses(2))             // ERROR "knn.Option does not implement knn.LoadOption"
	_, _ = knn.Unmarshal(data, knn.WithLevels(5))              // ERROR "knn.Option does not implement knn.LoadOption"
	_, _ = knn.Unmarshal(data, knn.WithEdges([]float64{1, 2})) // ERROR "knn.Option does not implement knn.LoadOption"
}
