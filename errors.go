package rab

import "github.com/rabcert/rab/internal/errs"

// Errors callers can test for with errors.Is. Every error of rab and of its
// sub-packages about the caller's input wraps ErrInvalidInput, every error about bytes
// that cannot be decoded wraps ErrCorrupt; a cancelled context gives an error wrapping
// ctx.Err() and neither; anything else (a failing learner, a writer's error) is a
// failure of the work itself.
var (
	// ErrInvalidInput is wrapped by every error about what the caller passed: data
	// (NaN, ragged rows, dimension mismatch, labels outside [0, C), one class), options
	// (σ ≤ 0, α outside (0, 1), N too small for α, K > n, a nil option or one of the
	// other smoother), a nil context, reader, writer or ensemble, an empty Model or
	// batch.
	ErrInvalidInput = errs.ErrInvalidInput
	// ErrCorrupt is wrapped by every error about bytes that cannot be decoded: a model
	// file that is truncated, bit-flipped, of an unknown version or followed by other
	// data.
	ErrCorrupt = errs.ErrCorrupt
)

// InputError is an ErrInvalidInput that locates the problem in a matrix of inputs (a
// training set or a batch to certify): errors.As(err, &ie) with ie of type
// *InputError gives the Row and Feature (column) at fault, -1 where the problem is
// not tied to one, and Msg, the message without its location.
type InputError = errs.InputError
