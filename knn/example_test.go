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

// ExampleSmoother_Evaluate shows the quantisation diagnostics: with features 10⁴ times
// larger than σ every squared distance lies beyond the last default edge, so the
// first K training rows (class 0) vote for an input inside the class-1 cluster;
// Evaluate says so. Scaling the features fixes it.
func ExampleSmoother_Evaluate() {
	X := [][]float64{{0, 0}, {0.2, 0.1}, {0.1, 0.3}, {2, 2}, {2.2, 1.9}, {1.8, 2.1}}
	y := []int{0, 0, 0, 1, 1, 1}
	x := []float64{2, 2}
	for _, scale := range []float64{1e4, 1} {
		Xs := make([][]float64, len(X))
		for i, row := range X {
			Xs[i] = []float64{scale * row[0], scale * row[1]}
		}
		s, err := knn.New(Xs, y, knn.WithSigma(1), knn.WithK(3))
		if err != nil {
			log.Fatal(err)
		}
		ev, err := s.Evaluate([]float64{scale * x[0], scale * x[1]})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("features ×%g: P(class 1) = %.4f, ties %.4f, last bucket %.4f\n", scale, ev.Probs[1], ev.Ties, ev.LastBucket)
	}
	// Output:
	// features ×10000: P(class 1) = 0.0000, ties 1.0000, last bucket 1.0000
	// features ×1: P(class 1) = 0.9731, ties 0.1105, last bucket 0.0000
}

// ExampleSmoother_EvaluateWithMembership shows the membership probabilities: each
// training row's probability to be among the 3 voters (they sum to K = 3), and the
// bounds M_r on how far relabelling any r rows can move a class probability.
func ExampleSmoother_EvaluateWithMembership() {
	X := [][]float64{{0, 0}, {0.2, 0.1}, {0.1, 0.3}, {2, 2}, {2.2, 1.9}, {1.8, 2.1}}
	y := []int{0, 0, 0, 1, 1, 1}
	s, err := knn.New(X, y, knn.WithSigma(1), knn.WithK(3))
	if err != nil {
		log.Fatal(err)
	}
	ev, err := s.EvaluateWithMembership([]float64{0.3, 0.2})
	if err != nil {
		log.Fatal(err)
	}
	m := ev.Membership
	var sum float64
	for i, j := range m.Index {
		fmt.Printf("row %d votes with probability %.4f\n", j, m.Probs[i])
		sum += m.Probs[i]
	}
	fmt.Printf("sum %.4f; M_1 = %.4f, M_2 = %.4f\n", sum, m.FlipBound(1), m.FlipBound(2))
	// Output:
	// row 0 votes with probability 0.8451
	// row 1 votes with probability 0.8520
	// row 2 votes with probability 0.8410
	// row 3 votes with probability 0.1600
	// row 4 votes with probability 0.1393
	// row 5 votes with probability 0.1625
	// sum 3.0000; M_1 = 0.8520, M_2 = 1.0000
}
