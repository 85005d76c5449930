package knn

import "github.com/rabcert/rab/internal/errs"

// Errors callers can test for with errors.Is and errors.As. They are the module's
// sentinels (rab.ErrInvalidInput is the same value as knn.ErrInvalidInput).
var (
	// ErrInvalidInput is wrapped by every error about the caller's input: the training
	// set, the options, a test input, a nil context, an empty batch.
	ErrInvalidInput = errs.ErrInvalidInput
	// ErrCorrupt is wrapped by every error of Unmarshal about its bytes.
	ErrCorrupt = errs.ErrCorrupt
)

// InputError is an ErrInvalidInput that locates the problem: the row of the training
// set or of the batch, and the feature, at fault (-1 where it is not tied to one).
type InputError = errs.InputError
