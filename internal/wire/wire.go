// Package wire reads the little-endian headers of the module's model formats
// (ensemble/cnn, ensemble/gorgonia): counts and widths checked against limits before
// anything is allocated from them.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrTruncated reports bytes that end inside the header.
var ErrTruncated = errors.New("truncated header")

// Reader reads header fields from Data, remembering the first error in Err: after an
// error every read returns a zero value.
type Reader struct {
	Data []byte // the bytes not read yet
	Err  error
}

// Next returns the next n bytes, or nil (and Err = ErrTruncated) if fewer are left.
func (r *Reader) Next(n int) []byte {
	if r.Err != nil {
		return nil
	}
	if len(r.Data) < n {
		r.Err = ErrTruncated
		return nil
	}
	b := r.Data[:n]
	r.Data = r.Data[n:]
	return b
}

// Count reads a uint32 and checks that it is at most limit; what names it in the error.
func (r *Reader) Count(what string, limit int) int {
	b := r.Next(4)
	if b == nil {
		return 0
	}
	v := binary.LittleEndian.Uint32(b)
	if uint64(v) > uint64(limit) {
		r.Err = fmt.Errorf("%s is %d, more than the maximum %d", what, v, limit)
		return 0
	}
	return int(v)
}

// List reads a uint32 count of at most maxCount, then that many uint32 values of at
// most limit each.
func (r *Reader) List(what string, maxCount, limit int) []int {
	n := r.Count(what+" count", maxCount)
	out := make([]int, 0, n)
	for i := 0; i < n && r.Err == nil; i++ {
		out = append(out, r.Count(what, limit))
	}
	return out
}
