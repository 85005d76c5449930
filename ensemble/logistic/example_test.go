package logistic_test

import (
	"context"
	"fmt"

	"github.com/rabcert/rab/ensemble/logistic"
)

func ExampleLearner_Fit() {
	X := [][]float64{{0, 0}, {0, 1}, {1, 0}, {5, 5}, {5, 6}, {6, 5}}
	y := []int{0, 0, 0, 1, 1, 1}
	learner, err := logistic.New(logistic.WithL2(1e-3))
	if err != nil {
		panic(err)
	}
	model, err := learner.Fit(context.Background(), X, y, 2, 0)
	if err != nil {
		panic(err)
	}
	pred := make([]int, 2)
	if err := model.Predict([][]float64{{0.5, 0.5}, {5.5, 5.5}}, pred); err != nil {
		panic(err)
	}
	fmt.Println(pred)
	// Output: [0 1]
}
