package knn

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNearestFirst checks the partial selection against a full sort, on random
// distances with many ties (so that the index order matters), sorted and reversed
// inputs (quickselect's bad cases) and every k from 0 to n.
func TestNearestFirst(t *testing.T) {
	rng := newRand(61)
	for _, n := range []int{0, 1, 2, 17, 40, 300, 1000} {
		for pattern := range 4 {
			a := make([]rankedPoint, n)
			for i := range a {
				var lam float64
				switch pattern {
				case 0:
					lam = float64(rng.IntN(7)) // ties
				case 1:
					lam = rng.Float64()
				case 2:
					lam = float64(i)
				case 3:
					lam = float64(n - i)
				}
				a[i] = rankedPoint{lam, int32(i)}
			}
			want := slices.Clone(a)
			slices.SortFunc(want, compareRanked)
			for _, k := range []int{0, 1, n / 3, n / 2, n - 1, n} {
				if k < 0 || k > n {
					continue
				}
				got := slices.Clone(a)
				nearestFirst(got, k)
				require.Equal(t, want[:k], got[:k], "n=%d pattern %d k=%d", n, pattern, k)
				slices.SortFunc(got, compareRanked)
				require.Equal(t, want, got, "a permutation: n=%d pattern %d k=%d", n, pattern, k)
			}
		}
	}
}
