package bound_test

import (
	"fmt"

	"github.com/rabcert/rab/bound"
)

// A smoothed classifier whose top class has probability at least 0.8412303
// while every other class has at most 0.1587697 (Φ(±1)) is certified against
// poisoning of total L2 norm below σ/2·(1 − (−1)) = σ, slightly less here
// since Φ⁻¹(0.8412303) = 0.99953.
func ExampleGaussianRadius() {
	r, err := bound.GaussianRadius(1, 0.8412303, 0.1587697)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6f\n", r)
	// Output: 0.999527
}

// Algorithm 2: 1000 models voted over 3 classes; bound the class
// probabilities at 99.9% confidence jointly, then certify a pattern added to
// r = 5 training instances under Gaussian noise σ = 0.5.
func ExampleEstimate() {
	counts := []int{12, 951, 37}
	est, err := bound.Estimate(counts, 0.001)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("class %d, pA ≥ %.4f, pB ≤ %.4f, abstain: %v\n", est.Class, est.PA, est.PB, est.Abstain)
	r, err := bound.GaussianPatternRadius(0.5, est.PA, est.PB, 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("certified for ‖δ‖₂ < %.4f\n", r)
	// Output:
	// class 1, pA ≥ 0.9218, pB ≤ 0.0633, abstain: false
	// certified for ‖δ‖₂ < 0.3293
}

// With Hoeffding bounds, as in the paper's reference code, the same votes
// give looser bounds.
func ExampleWithHoeffding() {
	est, err := bound.Estimate([]int{12, 951, 37}, 0.001, bound.WithHoeffding())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("pA ≥ %.4f, pB ≤ %.4f\n", est.PA, est.PB)
	// Output: pA ≥ 0.8850, pB ≤ 0.1030
}

// Reject an ensemble that could only ever abstain: with α = 0.001 and 10
// classes even a unanimous vote needs 15 models (log₂(2·10/0.001) ≈ 14.3).
func ExampleMinVotes() {
	fmt.Println(bound.MinVotes(0.001, 10))
	// Output: 15
}

// The largest per-coordinate magnitude of a pattern on all 784 pixels of r =
// 10 training images that uniform noise U([−1, 1]) certifies.
func ExampleUniformPatternRadius() {
	eps, err := bound.UniformPatternRadius(-1, 1, 0.99, 0.005, 784, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3g\n", eps)
	// Output: 0.000173
}
