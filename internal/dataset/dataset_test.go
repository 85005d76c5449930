package dataset

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The row and class counts are those stated in the data sets' README.
func TestSpambase(t *testing.T) {
	s, err := SpambaseRAB()
	require.NoError(t, err)
	require.Len(t, s.X, 4601)
	require.Len(t, s.X[0], 56)
	spam := 0
	for _, y := range s.Y {
		spam += y
	}
	assert.Equal(t, 1813, spam)
	assert.Equal(t, "capitalLong/capitalTotal", s.Names[55])
	raw, err := Spambase()
	require.NoError(t, err)
	assert.Len(t, raw.X[0], 57)
	// First row of spambase.csv: capitalAve 3.756, capitalLong 61, capitalTotal 278.
	assert.InDelta(t, 3.756/278, s.X[0][54], 1e-15)
	assert.InDelta(t, 61.0/278, s.X[0][55], 1e-15)
}

func TestDigits(t *testing.T) {
	s, err := Digits()
	require.NoError(t, err)
	require.Len(t, s.X, 1797)
	require.Len(t, s.X[0], 64)
	assert.Equal(t, 10, s.Classes)
	assert.Equal(t, 0, s.Y[0])
}

func TestSplitIsSeededAndComplete(t *testing.T) {
	s, err := Digits()
	require.NoError(t, err)
	train, test := Split(s, 0.2, 7)
	assert.Len(t, test.X, 359) // round(0.2 · 1797) = 359
	assert.Len(t, train.X, 1797-359)
	train2, _ := Split(s, 0.2, 7)
	assert.Equal(t, train.Y, train2.Y)
	train3, _ := Split(s, 0.2, 8)
	assert.NotEqual(t, train.Y, train3.Y)
	assert.Len(t, Head(train, 10).X, 10)
}
