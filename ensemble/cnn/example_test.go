package cnn_test

import (
	"context"
	"fmt"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/cnn"
	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

// digits returns the 8×8 digits scaled to [0, 1], split 75/25.
func digits() (train, test dataset.Set) {
	d, err := dataset.Digits()
	if err != nil {
		panic(err)
	}
	for _, x := range d.X {
		for j := range x {
			x[j] /= 16
		}
	}
	return dataset.Split(d, 0.25, 1)
}

// A small CNN for 8×8 grey images: one block of 8 3×3 filters (padding 1), a hidden
// layer of 32, ten classes.
func Example() {
	train, test := digits()
	learner, err := cnn.New(
		cnn.WithImageShape(8, 8, 1), cnn.WithKernel(3), cnn.WithPadding(1),
		cnn.WithFilters(8), cnn.WithHidden(32),
		cnn.WithEpochs(5), cnn.WithBatchSize(32), cnn.WithLearningRate(0.01),
	)
	if err != nil {
		panic(err)
	}
	model, err := learner.FitModel(context.Background(), train.X, train.Y, 10, 1)
	if err != nil {
		panic(err)
	}
	pred := make([]int, len(test.X))
	if err := model.Predict(test.X, pred); err != nil {
		panic(err)
	}
	correct := 0
	for i, p := range pred {
		if p == test.Y[i] {
			correct++
		}
	}
	fmt.Printf("test accuracy %.3f\n", float64(correct)/float64(len(pred)))
	// Output: test accuracy 0.964
}

// The paper's transfer-learning setting: one network is pretrained on clean data,
// then each member of the smoothed ensemble fine-tunes all its parameters from it on a
// few rows plus its own Gaussian noise (Algorithm 1).
func ExampleWithInitialWeights() {
	train, test := digits()
	pretrain, err := cnn.New(
		cnn.WithImageShape(8, 8, 1), cnn.WithKernel(3), cnn.WithPadding(1),
		cnn.WithFilters(8), cnn.WithHidden(32),
		cnn.WithEpochs(5), cnn.WithBatchSize(32), cnn.WithLearningRate(0.01),
	)
	if err != nil {
		panic(err)
	}
	clean, fine := train.X[60:], train.X[:60] // disjoint: pretraining and fine-tuning rows
	pre, err := pretrain.FitModel(context.Background(), clean, train.Y[60:], 10, 1)
	if err != nil {
		panic(err)
	}
	tune, err := cnn.New(cnn.WithInitialWeights(pre), cnn.WithEpochs(3))
	if err != nil {
		panic(err)
	}
	noise, err := smoothing.Gaussian(0.5)
	if err != nil {
		panic(err)
	}
	e, err := ensemble.Train(context.Background(), fine, train.Y[:60], tune, noise, ensemble.WithModels(20), ensemble.WithClasses(10))
	if err != nil {
		panic(err)
	}
	votes, err := e.Votes(context.Background(), test.X[0])
	if err != nil {
		panic(err)
	}
	fmt.Println("label", test.Y[0], "votes", votes)
	// Output: label 9 votes [0 0 0 6 0 0 0 2 1 11]
}
