package knn

import (
	"math/bits"
	"slices"
)

// searchFirst returns the smallest v in [lo, hi] with ok(v), or hi if there is none;
// ok must be monotone (false … false true … true).
func searchFirst(lo, hi int, ok func(int) bool) int {
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// searchLast returns the largest v in [lo, hi] with ok(v), or lo if there is none;
// ok must be monotone (true … true false … false).
func searchLast(lo, hi int, ok func(int) bool) int {
	for lo < hi {
		mid := int(uint(lo+hi+1) >> 1)
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// nearestFirst reorders a so that a[:k] holds its k smallest points by (λ, index), in
// that order, by quickselect (median-of-three pivots; a full sort of what is left
// after 2·log₂(n)+8 rounds keeps the worst case at O(n log n)) and a sort of a[:k].
func nearestFirst(a []rankedPoint, k int) {
	lo, hi := 0, len(a)
	for round := 0; hi-lo > 16 && lo < k && k < hi; round++ {
		if round > 2*bits.Len(uint(len(a)))+8 {
			slices.SortFunc(a[lo:hi], compareRanked)
			break
		}
		mid := int(uint(lo+hi) >> 1)
		// Median of a[lo], a[mid], a[hi−1] to a[hi−1] as the pivot.
		if compareRanked(a[mid], a[lo]) < 0 {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if compareRanked(a[hi-1], a[lo]) < 0 {
			a[hi-1], a[lo] = a[lo], a[hi-1]
		}
		if compareRanked(a[mid], a[hi-1]) < 0 {
			a[mid], a[hi-1] = a[hi-1], a[mid]
		}
		pivot, store := a[hi-1], lo
		for j := lo; j < hi-1; j++ {
			if compareRanked(a[j], pivot) < 0 {
				a[store], a[j] = a[j], a[store]
				store++
			}
		}
		a[store], a[hi-1] = a[hi-1], a[store]
		if store >= k {
			hi = store // the k smallest lie in a[:store]
		} else {
			lo = store + 1 // a[:store+1] are among them
		}
	}
	if lo < k && k < hi { // the rest of the k smallest are among the few in a[lo:hi]
		slices.SortFunc(a[lo:hi], compareRanked)
	}
	slices.SortFunc(a[:k], compareRanked)
}

// compareRanked orders points by (λ, index); indices are distinct, so no two points
// compare equal.
func compareRanked(a, b rankedPoint) int {
	switch {
	case a.lambda < b.lambda:
		return -1
	case a.lambda > b.lambda:
		return 1
	}
	return int(a.index - b.index)
}
