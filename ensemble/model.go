package ensemble

import (
	"context"
	"sort"
	"sync"

	"github.com/rabcert/rab/internal/errs"
)

// BaseLearner trains one base classifier h_k (Algorithm 1, line 4). Fit receives the
// noisy training set D + ε_k: rows of equal length, finite values, labels in
// [0, classes). When Train calls it, X is a fresh copy that the model may keep; y is the
// caller's slice. Every bit of the fit's randomness must come from seed, so that the
// same inputs give the same model on any machine. Fit must not modify X or y, must stop
// early with ctx.Err() when ctx is cancelled, must be safe to call from several
// goroutines at once, and must return a new Model on every call, which no later call
// modifies: the members must be independent fits.
//
// Train checks what it can of this contract (see Train). Models whose kind has a
// registered decoder (Kinded and RegisterDecoder) get the strongest check: the members
// that vote are decoded afresh from the bytes each fit's model had when it returned.
type BaseLearner interface {
	Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (Model, error)
}

// Model is a trained base classifier.
//
// Predict writes the predicted class of each row of X into out (len(out) == len(X)). It
// must not modify X. An Ensemble never calls it with no rows (VotesBatch rejects an
// empty batch), so a Model may treat an empty X as an error. A Model need not be safe for concurrent use: an Ensemble never
// calls one Model from two goroutines at once.
//
// MarshalBinary returns the model's serialised bytes; their SHA-256 seeds the model's
// test-time noise (Algorithm 1, line 5) and they are what Save writes. A model that is
// to be saved and loaded must also implement [Kinded] and have its kind registered with
// [RegisterDecoder]. A model whose bytes are large should also implement
// encoding.BinaryAppender (AppendBinary with the same bytes): Train, Save and Load then
// marshal every member into one reused buffer instead of allocating its size each time.
type Model interface {
	Predict(X [][]float64, out []int) error
	MarshalBinary() ([]byte, error)
}

// Kinded is implemented by models that can be saved: Kind names the decoder, registered
// with RegisterDecoder, that turns the model's MarshalBinary bytes back into a Model.
type Kinded interface {
	Kind() string
}

// Dimensioned is implemented by models that know the length d of the inputs they take.
// The test-time noise u_k of a member has length d (Algorithm 1, line 5); when the
// members passed to FromModels or read by Load are Dimensioned, u_k is drawn at once,
// otherwise on the first vote (see FromModels).
type Dimensioned interface {
	InputDim() int
}

// Decoder rebuilds a Model from the bytes its MarshalBinary returned. It must reject
// malformed bytes with an error, never panic, and must not keep data after it returns:
// Load and Train reuse the buffer for the next member. Its errors need not wrap
// ErrCorrupt: Load wraps them.
type Decoder func(data []byte) (Model, error)

var (
	decodersMu sync.RWMutex
	decoders   = map[string]Decoder{}
)

// RegisterDecoder makes the decoder for models of the given kind available to Load. It
// is meant to be called from the init function of the package that defines the model,
// the way image/png registers its format with package image. Registering an empty kind,
// a nil decoder or the same kind twice is a programming error and panics, as
// database/sql.Register does.
func RegisterDecoder(kind string, decode Decoder) {
	decodersMu.Lock()
	defer decodersMu.Unlock()
	if kind == "" || decode == nil {
		panic("ensemble: RegisterDecoder needs a non-empty kind and a non-nil decoder")
	}
	if _, dup := decoders[kind]; dup {
		panic("ensemble: RegisterDecoder called twice for kind " + kind)
	}
	decoders[kind] = decode
}

// lookupDecoder returns the decoder registered for kind, if any.
func lookupDecoder(kind string) (Decoder, bool) {
	decodersMu.RLock()
	defer decodersMu.RUnlock()
	dec, ok := decoders[kind]
	return dec, ok
}

// decoder returns the decoder registered for kind, or an error naming the kinds that
// are registered.
func decoder(kind string) (Decoder, error) {
	if dec, ok := lookupDecoder(kind); ok {
		return dec, nil
	}
	decodersMu.RLock()
	known := make([]string, 0, len(decoders))
	for k := range decoders {
		known = append(known, k)
	}
	decodersMu.RUnlock()
	sort.Strings(known)
	return nil, errs.Corrupt("no decoder registered for model kind %q (registered: %v); import the package that defines it, e.g. _ \"github.com/rabcert/rab/ensemble/gorgonia\"", kind, known)
}
