package knn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/buildcheck"
	"github.com/rabcert/rab/internal/errs"
)

// TestMisplacedOptionsDoNotCompile: Unmarshal takes LoadOptions, which the model
// options (σ, K, classes, levels, edges) are not, so passing one is a compile error
// (testdata/misplaced, which also shows where each option does compile).
func TestMisplacedOptionsDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildcheck.Expect(t, "testdata/misplaced")
}

func TestNilOptionIsAnError(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(1), nil)
	assert.Nil(t, s)
	require.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "knn: New: option 1 is nil")

	good, err := New(X, y, WithSigma(1))
	require.NoError(t, err)
	data, err := good.MarshalBinary()
	require.NoError(t, err)
	s, err = Unmarshal(data, WithWorkers(1), WithTolerance(1e-9), nil)
	assert.Nil(t, s)
	require.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "knn: Unmarshal: option 2 is nil")
}
