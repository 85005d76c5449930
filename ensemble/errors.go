package ensemble

import "github.com/rabcert/rab/internal/errs"

// Errors callers can test for with errors.Is; they are the same values as
// rab.ErrInvalidInput and rab.ErrCorrupt.
var (
	// ErrInvalidInput is wrapped by every error about the caller's input: data (NaN,
	// ragged rows, dimension mismatch, labels outside [0, C)), options, a nil context,
	// learner, reader or model, a learner or model that breaks its contract, shards
	// that do not belong together.
	ErrInvalidInput = errs.ErrInvalidInput
	// ErrCorrupt is wrapped by every error about bytes that cannot be decoded: a
	// truncated, bit-flipped, unknown-version or otherwise malformed ensemble file,
	// shard file or member encoding.
	ErrCorrupt = errs.ErrCorrupt
)

// InputError is an ErrInvalidInput that locates the problem in a matrix of inputs:
// errors.As(err, &ie) gives the row and feature at fault (-1 where the problem is not
// tied to one).
type InputError = errs.InputError
