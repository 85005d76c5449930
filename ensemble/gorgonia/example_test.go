package gorgonia_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/gorgonia"
	"github.com/rabcert/rab/smoothing"
)

// Train an MLP on two well-separated clusters and classify new points.
func ExampleNewMLP() {
	X := [][]float64{
		{0.1, 0.2}, {0.2, 0.1}, {0.0, 0.3}, {0.3, 0.2}, // class 0
		{0.9, 0.8}, {0.8, 0.9}, {1.0, 0.7}, {0.7, 1.0}, // class 1
	}
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}
	learner, err := gorgonia.NewMLP(gorgonia.WithHidden(16), gorgonia.WithEpochs(100), gorgonia.WithBatchSize(4))
	if err != nil {
		log.Fatal(err)
	}
	model, err := learner.Fit(context.Background(), X, y, 2, 42)
	if err != nil {
		log.Fatal(err)
	}
	pred := make([]int, 2)
	if err := model.Predict([][]float64{{0.15, 0.15}, {0.85, 0.85}}, pred); err != nil {
		log.Fatal(err)
	}
	fmt.Println(pred)
	// Output: [0 1]
}

// Train a CNN to tell vertical from horizontal bars in 4×4 one-channel images, then
// save and reload it.
func ExampleNewCNN() {
	bar := func(vertical bool, at int) []float64 {
		img := make([]float64, 16) // index (i·4 + j)·1 + 0 for row i, column j
		for k := range 4 {
			if vertical {
				img[k*4+at] = 1
			} else {
				img[at*4+k] = 1
			}
		}
		return img
	}
	var X [][]float64
	var y []int
	for at := range 4 {
		X = append(X, bar(true, at), bar(false, at))
		y = append(y, 1, 0)
	}
	learner, err := gorgonia.NewCNN(gorgonia.WithImageShape(4, 4, 1), gorgonia.WithFilters(4),
		gorgonia.WithEpochs(100), gorgonia.WithBatchSize(8))
	if err != nil {
		log.Fatal(err)
	}
	trained, err := learner.Fit(context.Background(), X, y, 2, 7)
	if err != nil {
		log.Fatal(err)
	}
	data, err := trained.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	model, err := gorgonia.Decode(data)
	if err != nil {
		log.Fatal(err)
	}
	pred := make([]int, len(X))
	if err := model.Predict(X, pred); err != nil {
		log.Fatal(err)
	}
	fmt.Println(model.Kind(), pred)
	// Output: gorgonia-cnn [1 0 1 0 1 0 1 0]
}

// Train an ensemble of noisy MLPs (RAB's Algorithm 1) with package ensemble and count
// the members' votes on a new point.
func ExampleNewMLP_ensemble() {
	X := [][]float64{
		{0.1, 0.2}, {0.2, 0.1}, {0.0, 0.3}, {0.3, 0.2}, // class 0
		{0.9, 0.8}, {0.8, 0.9}, {1.0, 0.7}, {0.7, 1.0}, // class 1
	}
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}
	learner, err := gorgonia.NewMLP(gorgonia.WithHidden(16), gorgonia.WithEpochs(100), gorgonia.WithBatchSize(4))
	if err != nil {
		log.Fatal(err)
	}
	noise, err := smoothing.Gaussian(0.1)
	if err != nil {
		log.Fatal(err)
	}
	e, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(10), ensemble.WithSeed(1))
	if err != nil {
		log.Fatal(err)
	}
	votes, err := e.Votes(context.Background(), []float64{0.1, 0.1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("votes per class:", votes)
	// Output: votes per class: [10 0]
}
