package attack

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// PCG stream constants keep the generators of different purposes independent when
// a caller uses the same seed for both.
const (
	streamBlend  = 0x7261622d626c656e // "rab-blen"
	streamPoison = 0x7261622d706f6973 // "rab-pois"
)

// uintN returns a uniform integer in [0, n) for n > 0 from src by Lemire's
// nearly-divisionless rejection method (ACM TOMACS 2019), unbiased and defined by
// the source's outputs alone, so it does not depend on the Go release.
func uintN(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// sample returns k distinct elements of pool drawn uniformly by a partial
// Fisher–Yates shuffle of pool (which it reorders), in ascending order.
func sample(pool []int, k int, seed uint64) []int {
	src := rand.NewPCG(seed, streamPoison)
	for i := range k {
		j := i + int(uintN(src, uint64(len(pool)-i)))
		pool[i], pool[j] = pool[j], pool[i]
	}
	chosen := pool[:k:k]
	slices.Sort(chosen)
	return chosen
}
