package knn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVoteMethodsAgree checks the vote algorithms (tally enumeration, the per-count
// prefix/suffix products and, for two classes, the direct sum) against each other and
// against the total probability Σ_w V_w = [z^{K−1}] Π_c D_c, on random count
// distributions.
func TestVoteMethodsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for C := 1; C <= 6; C++ {
		for K := 1; K <= 6; K++ {
			s := &Smoother{k: K, classes: C}
			ws := newWorkspace(s)
			for rep := range 20 {
				for c := range C {
					ws.voteDist[c] = make([]float64, K)
					for g := range K {
						if rng.IntN(4) > 0 || g == 0 {
							ws.voteDist[c][g] = rng.Float64()
						}
					}
				}
				ws.ownClass = rep % C
				clear(ws.winProb)
				ws.voteTallies(0, K-1, 1, 0, 0)
				byTally := append([]float64(nil), ws.winProb...)
				if C == 2 {
					clear(ws.winProb)
					ws.voteTwoClasses()
					for w := range C {
						require.InDelta(t, byTally[w], ws.winProb[w], 1e-12*(1+byTally[w]), "two classes K=%d w=%d", K, w)
					}
				}
				clear(ws.winProb)
				ws.voteByCount()
				prod := resetPoly(make([]float64, K))
				for c := range C {
					next := make([]float64, K)
					convInto(next, prod, ws.voteDist[c])
					prod = next
				}
				var sum float64
				for w := range C {
					require.InDelta(t, byTally[w], ws.winProb[w], 1e-12*(1+byTally[w]), "C=%d K=%d w=%d", C, K, w)
					sum += ws.winProb[w]
				}
				assert.InDelta(t, prod[K-1], sum, 1e-12*(1+sum), "C=%d K=%d", C, K)
			}
		}
	}
}

// TestVoteTieRule pins the tie rule on hand-made tallies.
func TestVoteTieRule(t *testing.T) {
	s := &Smoother{k: 4, classes: 3}
	for _, enumerate := range []bool{true, false} {
		ws := newWorkspace(s)
		ws.enumerateTallies = enumerate
		// Own class 2; the 3 others are certainly one of class 1 and two of class 0:
		// tally (2, 1, 1) → class 0.
		ws.voteDist[0] = []float64{0, 0, 1, 0}
		ws.voteDist[1] = []float64{0, 1, 0, 0}
		ws.voteDist[2] = []float64{1, 0, 0, 0}
		ws.ownClass = 2
		ws.vote()
		assert.Equal(t, []float64{1, 0, 0}, ws.winProb, "enumerate=%v", enumerate)
		// Own class 2, others one of class 2 and two of class 1: tally (0, 2, 2) → 1.
		ws.voteDist[0] = []float64{1, 0, 0, 0}
		ws.voteDist[1] = []float64{0, 0, 1, 0}
		ws.voteDist[2] = []float64{0, 1, 0, 0}
		ws.vote()
		assert.Equal(t, []float64{0, 1, 0}, ws.winProb, "enumerate=%v", enumerate)
	}
}

// TestTwoClassVoteTieRule pins the two-class vote's tie rule (K = 4, a 2–2 tally goes
// to class 0 whichever class the K-th point has) and majorities.
func TestTwoClassVoteTieRule(t *testing.T) {
	ws := newWorkspace(&Smoother{k: 4, classes: 2})
	for _, tc := range []struct {
		own       int
		ownBefore []float64 // own class count among the 3 before
		want      []float64
	}{
		{1, []float64{0, 1, 0, 0}, []float64{1, 0}}, // 2–2: class 0
		{0, []float64{0, 1, 0, 0}, []float64{1, 0}}, // 2–2: class 0
		{1, []float64{0, 0, 1, 0}, []float64{0, 1}}, // class 1 has 3
		{0, []float64{1, 0, 0, 0}, []float64{0, 1}}, // class 0 has 1
	} {
		ws.ownClass = tc.own
		ws.voteDist[tc.own] = tc.ownBefore
		other := make([]float64, 4)
		for g, v := range tc.ownBefore {
			if v != 0 {
				other[3-g] = 1
			}
		}
		ws.voteDist[1-tc.own] = other
		ws.vote()
		assert.Equal(t, tc.want, ws.winProb, "own %d, before %v", tc.own, tc.ownBefore)
	}
}
