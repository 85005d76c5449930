package attack

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBlendMatchesReference checks the seeded noise against an independent
// reimplementation of PCG-DXSM and the scaling (testdata/gen_reference.py).
func TestBlendMatchesReference(t *testing.T) {
	for _, ref := range blendReference {
		p, err := Blend(Tabular(ref.d), ref.norm, ref.seed)
		require.NoError(t, err)
		got := p.Delta()
		require.Len(t, got, ref.d)
		for i, want := range ref.delta {
			assert.InDelta(t, want, got[i], 4e-16*ref.norm, "d=%d seed=%d entry %d", ref.d, ref.seed, i)
		}
	}
}

// TestSampleMatchesReference checks row selection against the same reference.
func TestSampleMatchesReference(t *testing.T) {
	for _, ref := range sampleReference {
		pool := make([]int, ref.n)
		for i := range pool {
			pool[i] = i
		}
		assert.Equal(t, ref.want, sample(pool, ref.k, ref.seed), "n=%d k=%d seed=%d", ref.n, ref.k, ref.seed)
	}
}

// TestSampleUniform: over many seeds every row of a pool of 20 is chosen with
// frequency k/n = 1/4. With 4000 seeds the count per row is Binomial(4000, 1/4):
// mean 1000, standard deviation √(4000·0.25·0.75) ≈ 27.4; the tolerance is 5σ.
func TestSampleUniform(t *testing.T) {
	const n, k, seeds = 20, 5, 4000
	var counts [n]int
	pool := make([]int, n)
	for seed := range uint64(seeds) {
		for i := range pool {
			pool[i] = i
		}
		for _, i := range sample(pool, k, seed) {
			counts[i]++
		}
	}
	sd := math.Sqrt(seeds * 0.25 * 0.75)
	for i, c := range counts {
		assert.InDelta(t, 1000, c, 5*sd, "row %d", i)
	}
}

// TestUintNMatchesReference covers the rejection step of Lemire's method.
func TestUintNMatchesReference(t *testing.T) {
	for _, ref := range uintNReference {
		src := rand.NewPCG(ref.seed, streamPoison)
		for k, want := range ref.want {
			assert.Equal(t, want, uintN(src, ref.n), "n=%d seed=%d draw %d", ref.n, ref.seed, k)
		}
	}
}
