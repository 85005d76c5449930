package knn_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rabcert/rab/knn"
)

// Example builds the smoothed 3-NN for a toy two-class training set and evaluates the
// exact class probabilities, with the reported error bound, for two inputs.
func Example() {
	X := [][]float64{{0, 0}, {0.2, 0.1}, {0.1, 0.3}, {2, 2}, {2.2, 1.9}, {1.8, 2.1}}
	y := []int{0, 0, 0, 1, 1, 1}
	s, err := knn.New(X, y, knn.WithSigma(1), knn.WithK(3))
	if err != nil {
		log.Fatal(err)
	}
	p, bound, err := s.ProbabilitiesWithError([]float64{0.3, 0.2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("P(class 0) = %.4f, P(class 1) = %.4f, error ≤ 1e-10: %v\n", p[0], p[1], bound <= 1e-10)

	batch, err := s.ProbabilitiesBatch(context.Background(), [][]float64{{1, 1}, {2, 2}})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range batch {
		fmt.Printf("%.4f %.4f\n", p[0], p[1])
	}
	// Output:
	// P(class 0) = 0.9734, P(class 1) = 0.0266, error ≤ 1e-10: true
	// 0.6009 0.3991
	// 0.0269 0.9731
}
