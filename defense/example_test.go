package defense_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/defense"
)

// Spectral signatures on a poisoned training set: 400 representations of two classes
// in 5 dimensions, of which the attacker moved 20 by a trigger and relabelled them to
// class 0. The defence removes the top 1.5·ε of each class; retrain on the rest.
func Example() {
	src := rand.NewPCG(1, 2)
	uniform := func() float64 { return float64(src.Uint64()>>11)*0x1p-52 - 1 } // in [−1, 1)
	X, y := make([][]float64, 400), make([]int, 400)
	for i := range X {
		y[i] = i % 2
		X[i] = []float64{3 * float64(y[i]), uniform(), uniform(), uniform(), uniform()}
	}
	trigger, err := attack.Custom(attack.Tabular(5), []float64{0, 4, 0, 0, 0})
	if err != nil {
		panic(err)
	}
	poisoned, err := attack.Poison(X, y, trigger, attack.WithRate(0.05), attack.WithSeed(7))
	if err != nil {
		panic(err)
	}

	res, err := defense.SpectralSignatures(context.Background(), poisoned.X, poisoned.Y, defense.WithPoisonRate(0.1))
	if err != nil {
		panic(err)
	}
	caught := 0
	for _, i := range poisoned.Indices {
		if slices.Contains(res.Flagged, i) {
			caught++
		}
	}
	fmt.Printf("flagged %d rows, %d of the %d poisoned; retrain on %d rows\n",
		len(res.Flagged), caught, poisoned.R, len(res.Kept()))
	// Output: flagged 60 rows, 20 of the 20 poisoned; retrain on 340 rows
}
