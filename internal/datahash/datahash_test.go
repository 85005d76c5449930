package datahash

import (
	"encoding/hex"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSum: the reference value is ensemble/testdata/gen_datasha256.py's, computed from
// the documented layout with Python's struct and hashlib.
func TestSum(t *testing.T) {
	X := [][]float64{{1, 2}, {3.5, math.Copysign(0, -1)}}
	got := Sum(X, []int{0, 1, -3})
	assert.Equal(t, "ef8b6210026978fa8b7c09d094b2689310f5cfdc630dd7b9ed2c3f898a247826", hex.EncodeToString(got[:]))
	assert.NotEqual(t, Sum([][]float64{{1, 2}, {3}}, nil), Sum([][]float64{{1}, {2, 3}}, nil), "row lengths are part of the hash")
	assert.NotEqual(t, got, Sum([][]float64{{1, 2}, {3.5, 0}}, []int{0, 1, -3}), "−0 and +0 differ")
}

// TestSumFlat: the flat form hashes the same rows to the same value.
func TestSumFlat(t *testing.T) {
	X := [][]float64{{1, 2, 3}, {-4, 5.25, math.Inf(1)}}
	y := []int{2, 0}
	assert.Equal(t, Sum(X, y), SumFlat([]float64{1, 2, 3, -4, 5.25, math.Inf(1)}, 2, 3, y))
	assert.Equal(t, Sum(nil, nil), SumFlat(nil, 0, 3, nil))
}
