package knn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/datahash"
)

// TestDataSHA256: the hash of the stored rows is that of the X and y given to New
// (datahash.Sum, ensemble.DataSHA256's layout), survives MarshalBinary and Unmarshal,
// and changes with any value's bits.
func TestDataSHA256(t *testing.T) {
	X, y := randomData(newRand(52), 30, 4, 3, 1)
	X[3][1] = math.Copysign(0, -1)
	s, err := New(X, y, WithSigma(0.5), WithK(3))
	require.NoError(t, err)
	want := datahash.Sum(X, y)
	assert.Equal(t, want, s.DataSHA256())
	data, err := s.MarshalBinary()
	require.NoError(t, err)
	back, err := Unmarshal(data)
	require.NoError(t, err)
	assert.Equal(t, want, back.DataSHA256())

	X[3][1] = 0
	other, err := New(X, y, WithSigma(0.5), WithK(3))
	require.NoError(t, err)
	assert.NotEqual(t, want, other.DataSHA256(), "−0 and +0 are different data")
}
