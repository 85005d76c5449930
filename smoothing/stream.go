package smoothing

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// streamDomain separates Stream's keys from any other use of SHA-256 in rab.
const streamDomain = "rab/smoothing.Stream/v1"

// modelDomain separates SeedFromModel's digests from Stream's keys.
const modelDomain = "rab/smoothing.SeedFromModel/v1"

// Stream returns the random generator of model k under the given seed: a ChaCha8
// generator (math/rand/v2) keyed by SHA-256("rab/smoothing.Stream/v1" ‖ seed ‖ k), with
// seed and k encoded as little-endian 64-bit integers.
//
// The stream is a function of (seed, k) only, so the k-th model's noise is the same
// whichever goroutine draws it and however many workers there are. Distinct (seed, k)
// pairs give independent-looking streams (distinct ChaCha8 keys).
func Stream(seed uint64, k int) *rand.Rand {
	var msg [len(streamDomain) + 16]byte
	copy(msg[:], streamDomain)
	binary.LittleEndian.PutUint64(msg[len(streamDomain):], seed)
	binary.LittleEndian.PutUint64(msg[len(streamDomain)+8:], uint64(k))
	return rand.New(rand.NewChaCha8(sha256.Sum256(msg[:])))
}

// SeedFromModel returns the seed of a trained model's test-time noise u_k (Algorithm 1,
// line 5): the first 8 bytes, little-endian, of SHA-256("rab/smoothing.SeedFromModel/v1"
// ‖ model), where model is the model's serialised bytes. The noise is then drawn from
// Stream(SeedFromModel(model), 0), a deterministic function of the trained model.
func SeedFromModel(model []byte) uint64 {
	h := sha256.New()
	h.Write([]byte(modelDomain))
	h.Write(model)
	var sum [sha256.Size]byte
	return binary.LittleEndian.Uint64(h.Sum(sum[:0]))
}
