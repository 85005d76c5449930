package smoothing_test

import (
	"fmt"

	"github.com/rabcert/rab/smoothing"
)

// Model k of an ensemble trains on its own noisy copy of the data, drawn from the stream
// of (seed, k); the copy is the same however the models are scheduled.
func ExampleNoise_PerturbData() {
	noise, err := smoothing.Gaussian(0.5)
	if err != nil {
		panic(err)
	}
	X := [][]float64{{1, 2}, {3, 4}}
	const seed, k = 2023, 0
	a, _ := noise.PerturbData(smoothing.Stream(seed, k), X)
	b, _ := noise.PerturbData(smoothing.Stream(seed, k), X)
	fmt.Println(noise, len(a), len(a[0]), a[1][1] == b[1][1], X[1][1])
	// Output: N(0, 0.5²I) 2 2 true 4
}

// The test-time noise u_k of Algorithm 1 is drawn from a stream seeded by the hash of the
// trained model's bytes, and added into a reusable buffer.
func ExampleSeedFromModel() {
	noise, _ := smoothing.Uniform(-1, 1)
	modelBytes := []byte("serialised model k")
	rng := smoothing.Stream(smoothing.SeedFromModel(modelBytes), 0)
	x := []float64{0.5, 0.5, 0.5}
	buf := make([]float64, len(x))
	if err := noise.Perturb(rng, buf, x); err != nil {
		panic(err)
	}
	inside := true
	for _, v := range buf {
		inside = inside && v >= -0.5 && v < 1.5
	}
	fmt.Println(inside)
	// Output: true
}
