package defense

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rabcert/rab/attack"
	"github.com/stretchr/testify/require"
)

// gaussian returns perClass[c] rows of class c for every c, in class order: row i of
// class c is N(means[c], I_d) drawn from the seed.
func gaussian(seed uint64, d int, perClass []int, means [][]float64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var X [][]float64
	var y []int
	for c, n := range perClass {
		for range n {
			row := make([]float64, d)
			for j := range row {
				row[j] = rng.NormFloat64()
				if means != nil {
					row[j] += means[c][j]
				}
			}
			X = append(X, row)
			y = append(y, c)
		}
	}
	return X, y
}

// planted is a poisoned training set in representation space with a known answer.
type planted struct {
	X        [][]float64
	y        []int
	poisoned []int // ascending
	target   int
	// cleanX, cleanY are a separate clean sample of the same distribution (SCAn's
	// trusted set).
	cleanX [][]float64
	cleanY []int
}

// Geometry of the planted tests: two classes of 500 rows in d = 20 dimensions,
// N(0, I) and N(6·e_0, I); attack.Poison moves 5 % of all rows (50, drawn from class
// 1) by the trigger δ = 6·e_1 and relabels them to class 0. In class 0 the 50
// poisoned representations form a cluster at distance √72 ≈ 8.5 σ from the 500 clean
// ones: 9.1 % of the class.
const (
	plantedD        = 20
	plantedPerClass = 500
	plantedShift    = 6.0
	plantedRate     = 0.05
)

func newPlanted(t testing.TB, seed uint64) planted {
	t.Helper()
	means := [][]float64{make([]float64, plantedD), make([]float64, plantedD)}
	means[1][0] = plantedShift
	X, y := gaussian(seed, plantedD, []int{plantedPerClass, plantedPerClass}, means)
	delta := make([]float64, plantedD)
	delta[1] = plantedShift
	p, err := attack.Custom(attack.Tabular(plantedD), delta)
	require.NoError(t, err)
	poisoned, err := attack.Poison(X, y, p, attack.WithRate(plantedRate), attack.WithTarget(0), attack.WithSeed(seed))
	require.NoError(t, err)
	cleanX, cleanY := gaussian(seed+1000, plantedD, []int{50, 50}, means)
	return planted{X: poisoned.X, y: poisoned.Y, poisoned: poisoned.Indices, target: 0, cleanX: cleanX, cleanY: cleanY}
}

// recallPrecision returns the fraction of the poisoned rows that are flagged and the
// fraction of the flagged rows that are poisoned.
func recallPrecision(flagged, poisoned []int) (recall, precision float64) {
	hits := 0
	for _, i := range flagged {
		if _, ok := slices.BinarySearch(poisoned, i); ok {
			hits++
		}
	}
	return float64(hits) / float64(len(poisoned)), float64(hits) / float64(len(flagged))
}

// perClassCounts counts the flagged rows of every class.
func perClassCounts(flagged, y []int, classes int) []int {
	counts := make([]int, classes)
	for _, i := range flagged {
		counts[y[i]]++
	}
	return counts
}

// sameBits reports whether a and b hold the same rows bit for bit (NaN included).
func sameBits(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	})
}

// deepCopy returns a copy of X and y to check that a call leaves them unchanged.
func deepCopy(X [][]float64, y []int) ([][]float64, []int) {
	out := make([][]float64, len(X))
	for i, row := range X {
		out[i] = slices.Clone(row)
	}
	return out, slices.Clone(y)
}
