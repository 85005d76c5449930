// Command misplaced does not compile: TestMisplacedOptionsDoNotCompile builds it and
// expects exactly the errors marked ERROR, each matching its regular expression.
package main

import (
	"context"

	"github.com/rabcert/rab/defense"
)

func main() {
	var (
		ctx context.Context
		X   [][]float64
		y   []int
	)

	// Each option compiles where it applies.
	_, _ = defense.SpectralSignatures(ctx, X, y, defense.WithClasses(2), defense.WithWorkers(1), defense.WithPoisonRate(0.1))
	_, _ = defense.ActivationClustering(ctx, X, y, defense.WithClasses(2), defense.WithWorkers(1), defense.WithDims(5),
		defense.WithSizeThreshold(0.5), defense.WithRestarts(3), defense.WithSeed(1), defense.WithWhitening())
	_, _ = defense.Sphere(ctx, X, y, defense.WithClasses(2), defense.WithWorkers(1), defense.WithDims(5), defense.WithFraction(0.2))
	_, _ = defense.SCAn(ctx, X, y, X, y, defense.WithClasses(2), defense.WithWorkers(1))

	// And nowhere else.
	_, _ = defense.SpectralSignatures(ctx, X, y, defense.WithDims(3))           // ERROR "defense.ReductionOption does not implement defense.SpectralOption"
	_, _ = defense.SpectralSignatures(ctx, X, y, defense.WithFraction(0.2))     // ERROR "defense.SphereOption does not implement defense.SpectralOption"
	_, _ = defense.ActivationClustering(ctx, X, y, defense.WithPoisonRate(0.1)) // ERROR "defense.SpectralOption does not implement defense.ClusteringOption"
	_, _ = defense.ActivationClustering(ctx, X, y, defense.WithFraction(0.2))   // ERROR "defense.SphereOption does not implement defense.ClusteringOption"
	_, _ = defense.Sphere(ctx, X, y, defense.WithSeed(1))                       // ERROR "defense.ClusteringOption does not implement defense.SphereOption"
	_, _ = defense.Sphere(ctx, X, y, defense.WithPoisonRate(0.1))               // ERROR "defense.SpectralOption does not implement defense.SphereOption"
	_, _ = defense.SCAn(ctx, X, y, X, y, defense.WithDims(3))                   // ERROR "defense.ReductionOption does not implement defense.SCAnOption"
	_, _ = defense.SCAn(ctx, X, y, X, y, defense.WithSizeThreshold(0.3))        // ERROR "defense.ClusteringOption does not implement defense.SCAnOption"
}
