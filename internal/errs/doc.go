// Package errs holds the error values that every rab package wraps, so that a caller
// can tell a problem with its own input, or a corrupt file, from a failure of the
// library with errors.Is, whichever package reported it:
//
//	errors.Is(err, errs.ErrInvalidInput) // the caller passed something it must fix
//	errors.Is(err, errs.ErrCorrupt)      // bytes or a file could not be decoded
//
// Package rab and the public packages re-export the two sentinels and InputError
// (rab.ErrInvalidInput is errs.ErrInvalidInput), so users never import this package.
// The messages carry no package prefix of their own: the callers add theirs.
package errs
