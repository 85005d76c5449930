package synth

import "math/rand/v2"

// Blobs returns n points per class in d dimensions. Class c is centred at ±sep on
// coordinate c mod d (+ for c < d, − for the next d classes, and so on alternating),
// with uniform scatter in [−1, 1) on every coordinate: for sep > 2 and at most 2d
// classes the classes are linearly separable. Only integer-based draws are used, so
// the data are the same on every machine.
func Blobs(n, d, classes int, sep float64, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := make([][]float64, 0, n*classes)
	y := make([]int, 0, n*classes)
	for c := range classes {
		for range n {
			x := make([]float64, d)
			for j := range x {
				x[j] = 2*rng.Float64() - 1
			}
			x[c%d] += sep * float64(1-2*(c/d%2))
			X = append(X, x)
			y = append(y, c)
		}
	}
	return X, y
}
