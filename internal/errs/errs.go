package errs

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidInput is wrapped by every error about a caller's input: data (NaN,
	// ragged rows, dimension mismatch, labels outside [0, C)), options (σ ≤ 0,
	// α outside (0, 1), N too small for α, K > n, a nil or misplaced option), a nil
	// context, reader or model, an empty batch.
	ErrInvalidInput = errors.New("invalid input")
	// ErrCorrupt is wrapped by every error about bytes that cannot be decoded: a
	// truncated, bit-flipped, unknown-version or trailing-garbage model file, shard or
	// member encoding, a malformed data file.
	ErrCorrupt = errors.New("corrupt data")
)

// InputError is an ErrInvalidInput that locates the problem in a matrix of inputs:
// errors.As(err, &ie) gives the row and feature (column) at fault, -1 where the
// problem is not tied to one.
type InputError struct {
	Row     int    // row index, or -1
	Feature int    // feature (column) index, or -1
	Msg     string // what is wrong and how to fix it, without a location
}

// Error returns "row R, feature F: Msg", leaving out the parts that are -1.
func (e *InputError) Error() string {
	switch {
	case e.Row >= 0 && e.Feature >= 0:
		return fmt.Sprintf("row %d, feature %d: %s", e.Row, e.Feature, e.Msg)
	case e.Row >= 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Msg)
	case e.Feature >= 0:
		return fmt.Sprintf("feature %d: %s", e.Feature, e.Msg)
	}
	return e.Msg
}

// Unwrap returns ErrInvalidInput, so that errors.Is(err, ErrInvalidInput) holds.
func (e *InputError) Unwrap() error { return ErrInvalidInput }

// At returns an InputError at row and feature (either may be -1) with a formatted
// message.
func At(row, feature int, format string, args ...any) error {
	return &InputError{Row: row, Feature: feature, Msg: fmt.Sprintf(format, args...)}
}

// Invalid returns an error with a formatted message (which may wrap other errors with
// %w) that also wraps ErrInvalidInput. The message is not changed.
func Invalid(format string, args ...any) error {
	return &kindError{kind: ErrInvalidInput, err: fmt.Errorf(format, args...)}
}

// Corrupt returns an error with a formatted message (which may wrap other errors with
// %w, e.g. io.ErrUnexpectedEOF) that also wraps ErrCorrupt. The message is not changed.
func Corrupt(format string, args ...any) error {
	return &kindError{kind: ErrCorrupt, err: fmt.Errorf(format, args...)}
}

// kindError is a message that also wraps one of the sentinels.
type kindError struct {
	kind error // ErrInvalidInput or ErrCorrupt
	err  error // the message and whatever it wraps
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }
