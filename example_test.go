package rab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math"
	"strings"

	"github.com/rabcert/rab"
)

// The README's quick start: train the exact smoothed 3-NN on six points and certify two
// inputs. TestReadmeQuickStart keeps README.md in sync with this function's body.
func Example() {
	X := [][]float64{{0, 0}, {0.2, 0.1}, {0.1, 0.3}, {2, 2}, {2.1, 1.8}, {1.9, 2.2}}
	y := []int{0, 0, 0, 1, 1, 1}
	tests := [][]float64{{0.1, 0.1}, {2, 2}}
	certs, err := rab.Certify(context.Background(), X, y, tests, rab.WithKNN(3), rab.WithSigma(1))
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range certs {
		// Radius bounds sqrt(Σ‖δ_i‖²) over all poisoned rows; one pattern δ added to
		// r rows is certified while ‖δ‖ < Radius/√r.
		fmt.Printf("class %d  pA %.3f  radius %.3f  ‖δ‖=0.1 on 4 rows certified: %v\n",
			c.Class, c.PA, c.Radius, c.CertifiesPattern(0.1, 4))
	}
	// Output:
	// class 0  pA 0.985  radius 2.181  ‖δ‖=0.1 on 4 rows certified: true
	// class 1  pA 0.973  radius 1.929  ‖δ‖=0.1 on 4 rows certified: true
}

// An ensemble of 200 logistic-regression models, each trained on the data plus its own
// Gaussian noise (Algorithm 1); certificates hold with probability 1 − α (Algorithm 2).
func ExampleTrain() {
	var X [][]float64
	var y []int
	for i := range 40 {
		v := float64(i%20) / 10
		X = append(X, []float64{v, v + 0.1})
		y = append(y, i%20/10)
	}
	model, err := rab.Train(context.Background(), X, y,
		rab.WithSigma(0.25), rab.WithModels(200), rab.WithAlpha(0.001), rab.WithSeed(1))
	if err != nil {
		log.Fatal(err)
	}
	c, err := model.Certify(context.Background(), []float64{1.8, 1.9})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: class %d, abstained %v, radius %.2f\n", model.Kind(), c.Class, c.Abstained, c.Radius)
	// Output: ensemble: class 1, abstained false, radius 0.45
}

// A saved model reads back with everything it was trained with; only how it certifies
// (α for ensembles, workers, progress) can be set on Load.
func ExampleLoad() {
	X := [][]float64{{0, 0}, {0.2, 0.1}, {0.1, 0.3}, {2, 2}, {2.1, 1.8}, {1.9, 2.2}}
	y := []int{0, 0, 0, 1, 1, 1}
	model, err := rab.Train(context.Background(), X, y, rab.WithKNN(3), rab.WithSigma(1), rab.WithLevels(50))
	if err != nil {
		log.Fatal(err)
	}
	var file bytes.Buffer
	if err := model.Save(&file); err != nil {
		log.Fatal(err)
	}
	loaded, err := rab.Load(&file, rab.WithWorkers(2))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loaded.Kind(), loaded.Noise(), "K", loaded.K(), "L", loaded.Levels(), "classes", loaded.Classes(), "d", loaded.Dim())
	c, err := loaded.Certify(context.Background(), []float64{2, 2})
	if err != nil {
		log.Fatal(err)
	}
	js, _ := json.Marshal(c)
	fmt.Println(string(js))
	// Output:
	// knn N(0, 1²I) K 3 L 50 classes 2 d 2
	// {"class":1,"pa":0.9381214082066405,"pb":0.06187859179335941,"radius":1.5391930100171216,"abstained":false,"norm":"L2","quantisation":{"ties":0.37551452125216356,"last_bucket":6.608040130629688e-13}}
}

// Errors say what is wrong and can be told apart: the caller's input wraps
// ErrInvalidInput (with the row and feature of a bad value), a damaged file ErrCorrupt.
func Example_errors() {
	X := [][]float64{{0, 0}, {0.2, 0.1}, {2, 2}, {2.1, 1.8}}
	y := []int{0, 0, 1, 1}
	model, err := rab.Train(context.Background(), X, y, rab.WithKNN(1), rab.WithSigma(1))
	if err != nil {
		log.Fatal(err)
	}
	_, err = model.CertifyBatch(context.Background(), [][]float64{{0, 0}, {1, math.NaN()}})
	var ie *rab.InputError
	fmt.Println(errors.Is(err, rab.ErrInvalidInput), errors.As(err, &ie), ie.Row, ie.Feature)
	fmt.Println(err)

	_, err = rab.Train(context.Background(), X, y, rab.WithSigma(1), rab.WithLevels(10))
	fmt.Println(err)

	_, err = rab.Load(strings.NewReader("RABMODEL, then 37 bytes that are no header at all"))
	fmt.Println(errors.Is(err, rab.ErrCorrupt), err)
	// Output:
	// true true 1 1
	// rab: CertifyBatch: inputs: row 1, feature 1: value NaN: values must be finite
	// rab: Train: WithLevels(10) configures the exact K-NN smoother: add WithKNN(k) or drop it
	// true rab: Load: header fails its SHA-256 check: file corrupt
}

// Label flips certified with the patterns: 24 training rows around the input, the
// smoothing σ on their scale, so that no one row decides the vote. FlipRadius(k) is the
// radius left when k rows may also have been relabelled; CertifiesAttack asks about the
// attack of eq. (2), rows relabelled and each carrying a pattern of the given norm.
func ExampleWithLabelFlips() {
	var X [][]float64
	var y []int
	for i := range 24 {
		angle := float64(i) * math.Pi / 12
		X = append(X, []float64{math.Cos(angle), math.Sin(angle)})
		y = append(y, min(i%6, 1)) // every sixth row is class 0
	}
	model, err := rab.Train(context.Background(), X, y, rab.WithKNN(3), rab.WithSigma(2), rab.WithLabelFlips(4))
	if err != nil {
		log.Fatal(err)
	}
	c, err := model.Certify(context.Background(), []float64{0, 0})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("class %d, pA %.3f\n", c.Class, c.PA)
	for k := range 5 {
		fmt.Printf("%d rows relabelled: radius %.3f\n", k, c.FlipRadius(k))
	}
	fmt.Println("‖δ‖ = 0.05 on 2 relabelled rows certified:", c.CertifiesAttack(0.05, 2))
	// Output:
	// class 1, pA 0.933
	// 0 rows relabelled: radius 2.998
	// 1 rows relabelled: radius 1.532
	// 2 rows relabelled: radius 0.644
	// 3 rows relabelled: radius 0.000
	// 4 rows relabelled: radius 0.000
	// ‖δ‖ = 0.05 on 2 relabelled rows certified: true
}
