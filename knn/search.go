package knn

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
