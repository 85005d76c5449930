package ensemble_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/smoothing"
)

// Train N = 100 logistic-regression members, each on its own noisy copy of the data
// (Algorithm 1), and count their votes on two test points.
func ExampleTrain() {
	X := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {4, 4}, {4, 5}, {5, 4}, {5, 5}}
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}
	learner, err := logistic.New()
	if err != nil {
		panic(err)
	}
	noise, err := smoothing.Gaussian(1)
	if err != nil {
		panic(err)
	}
	e, err := ensemble.Train(context.Background(), X, y, learner, noise,
		ensemble.WithModels(100), ensemble.WithSeed(2023))
	if err != nil {
		panic(err)
	}
	for _, x := range [][]float64{{0.5, 0.5}, {4.5, 4.5}} {
		counts, err := e.Votes(context.Background(), x)
		if err != nil {
			panic(err)
		}
		fmt.Println(x, counts)
	}
	// Output:
	// [0.5 0.5] [97 3]
	// [4.5 4.5] [2 98]
}

// Save an ensemble to one stream and load it back: the loaded members vote exactly as
// before. Importing ensemble/logistic registers the decoder Load needs.
func ExampleEnsemble_Save() {
	X := [][]float64{{0}, {1}, {2}, {3}}
	y := []int{0, 0, 1, 1}
	learner, _ := logistic.New()
	noise, _ := smoothing.Uniform(-1, 1)
	e, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(50))
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer
	if err := e.Save(&file); err != nil {
		panic(err)
	}
	loaded, err := ensemble.Load(&file)
	if err != nil {
		panic(err)
	}
	before, _ := e.Votes(context.Background(), []float64{1.4})
	after, _ := loaded.Votes(context.Background(), []float64{1.4})
	fmt.Println(loaded.Len(), loaded.Noise(), before, after)
	// Output: 50 U([-1, 1]) [27 23] [27 23]
}

// Estimate bounds the top class's probability from the votes (Algorithm 2, lines 1–4);
// the certified radius then follows from PA and PB (package bound).
func ExampleEnsemble_Estimate() {
	X := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {4, 4}, {4, 5}, {5, 4}, {5, 5}}
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}
	learner, _ := logistic.New()
	noise, _ := smoothing.Gaussian(1)
	e, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(100))
	if err != nil {
		panic(err)
	}
	x := []float64{4.5, 4.5}
	counts, _ := e.Votes(context.Background(), x)
	est, err := e.Estimate(context.Background(), x, 0.001)
	if err != nil {
		panic(err)
	}
	// A unanimous vote of N = 100 gives the Clopper–Pearson bound (two classes: one
	// bound at level α/2) pA = (α/2)^(1/N) = 0.0005^(1/100) = 0.92681, and pB = 1 − pA.
	fmt.Printf("votes %v: class %d, pA ≥ %.4f, pB ≤ %.4f, abstain %v\n", counts, est.Class, est.PA, est.PB, est.Abstain)
	// Output: votes [0 100]: class 1, pA ≥ 0.9268, pB ≤ 0.0732, abstain false
}

// Train the members of one ensemble in two shards — on two machines, say — and merge
// them: the result is the ensemble Train builds in one call, byte for byte.
func ExampleMerge() {
	X := [][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {4, 4}, {4, 5}, {5, 4}, {5, 5}}
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}
	learner, _ := logistic.New()
	noise, _ := smoothing.Gaussian(1)
	const n, shards = 100, 2
	var files []bytes.Buffer
	for i := range shards { // each iteration could run on its own machine
		lo, hi, err := ensemble.ShardRange(n, i, shards)
		if err != nil {
			panic(err)
		}
		sh, err := ensemble.TrainShard(context.Background(), X, y, learner, noise, lo, hi,
			ensemble.WithModels(n), ensemble.WithSeed(2023))
		if err != nil {
			panic(err)
		}
		var file bytes.Buffer
		if err := sh.Save(&file); err != nil {
			panic(err)
		}
		files = append(files, file)
		fmt.Printf("shard %d: members [%d, %d)\n", i, lo, hi)
	}
	var loaded []*ensemble.Shard
	for i := range files {
		sh, err := ensemble.LoadShard(&files[i])
		if err != nil {
			panic(err)
		}
		loaded = append(loaded, sh)
	}
	merged, err := ensemble.Merge(loaded...)
	if err != nil {
		panic(err)
	}
	whole, _ := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(n), ensemble.WithSeed(2023))
	var a, b bytes.Buffer
	_ = merged.Save(&a)
	_ = whole.Save(&b)
	fmt.Println("same file as Train:", bytes.Equal(a.Bytes(), b.Bytes()))
	// Output:
	// shard 0: members [0, 50)
	// shard 1: members [50, 100)
	// same file as Train: true
}
