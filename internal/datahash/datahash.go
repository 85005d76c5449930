package datahash

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
)

// domain starts every hashed stream, so that the hash of training data cannot equal
// that of other bytes the module hashes.
const domain = "rab/ensemble.DataSHA256/v1"

// Sum returns the SHA-256 of the domain string "rab/ensemble.DataSHA256/v1" followed,
// all little-endian, by the number of rows as a uint64, each row as its length (uint64)
// followed by its values' IEEE 754 bits (uint64 each), the number of labels (uint64)
// and each label as an int64.
func Sum(X [][]float64, y []int) [sha256.Size]byte {
	d := newDigest(len(X))
	for _, row := range X {
		d.row(row)
	}
	return d.sum(y)
}

// SumFlat returns Sum of the n rows of d values stored row-major in x (len(x) = n·d),
// without building them as [][]float64.
func SumFlat(x []float64, n, d int, y []int) [sha256.Size]byte {
	dg := newDigest(n)
	for i := range n {
		dg.row(x[i*d : (i+1)*d])
	}
	return dg.sum(y)
}

// digest writes the layout of Sum into a SHA-256 through one reused buffer.
type digest struct {
	h   hash.Hash
	buf []byte
}

func newDigest(rows int) *digest {
	d := &digest{h: sha256.New()}
	d.h.Write([]byte(domain))
	d.buf = binary.LittleEndian.AppendUint64(d.buf, uint64(rows))
	return d
}

func (d *digest) row(row []float64) {
	d.buf = binary.LittleEndian.AppendUint64(d.buf, uint64(len(row)))
	for _, v := range row {
		d.buf = binary.LittleEndian.AppendUint64(d.buf, math.Float64bits(v))
	}
	d.flush()
}

func (d *digest) sum(y []int) [sha256.Size]byte {
	d.buf = binary.LittleEndian.AppendUint64(d.buf, uint64(len(y)))
	for _, c := range y {
		d.buf = binary.LittleEndian.AppendUint64(d.buf, uint64(int64(c)))
	}
	d.flush()
	var sum [sha256.Size]byte
	return [sha256.Size]byte(d.h.Sum(sum[:0]))
}

func (d *digest) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}
