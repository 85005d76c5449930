package defense

import "github.com/rabcert/rab/internal/errs"

// ErrInvalidInput is wrapped by every error about the caller's input: data (empty,
// NaN or infinite values, ragged rows, labels outside [0, C), a class with a single
// row, a clean set of another dimension or of one class), options (ε, t or f out of
// range, k or restarts below 1, a nil option) and a nil context. It is the same value
// as rab.ErrInvalidInput.
var ErrInvalidInput = errs.ErrInvalidInput

// InputError is an ErrInvalidInput that locates the problem in a matrix of inputs:
// errors.As(err, &ie) gives the row and feature at fault (-1 where the problem is not
// tied to one).
type InputError = errs.InputError
