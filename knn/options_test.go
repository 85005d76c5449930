package knn

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/errs"
)

// TestModelOptionsDoNotApplyToUnmarshal pins, by reflection, what the compiler
// enforces: Unmarshal takes LoadOptions, which the model options (σ, K, classes,
// levels, edges) are not, so `Unmarshal(data, WithK(1))` does not compile ("Option
// does not implement LoadOption"), while the runtime options apply to both calls.
func TestModelOptionsDoNotApplyToUnmarshal(t *testing.T) {
	loadOption := reflect.TypeFor[LoadOption]()
	assert.False(t, reflect.TypeFor[Option]().Implements(loadOption))
	for name, o := range map[string]Option{
		"WithSigma": WithSigma(1), "WithK": WithK(1), "WithClasses": WithClasses(2),
		"WithLevels": WithLevels(5), "WithEdges": WithEdges([]float64{1}),
	} {
		_, isLoad := o.(LoadOption)
		assert.False(t, isLoad, "%s must not be a LoadOption", name)
	}
	for name, o := range map[string]RuntimeOption{
		"WithWorkers": WithWorkers(1), "WithTolerance": WithTolerance(1e-9),
		"WithProgress": WithProgress(func(int, int) {}),
	} {
		var _ Option = o
		var _ LoadOption = o
		assert.NotNil(t, o, name)
	}
}

func TestNilOptionIsAnError(t *testing.T) {
	X, y := tinyData()
	s, err := New(X, y, WithSigma(1), nil)
	assert.Nil(t, s)
	require.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "knn: New: option 2 is nil")

	good, err := New(X, y, WithSigma(1))
	require.NoError(t, err)
	data, err := good.MarshalBinary()
	require.NoError(t, err)
	s, err = Unmarshal(data, WithWorkers(1), WithTolerance(1e-9), nil)
	assert.Nil(t, s)
	require.ErrorIs(t, err, errs.ErrInvalidInput)
	assert.EqualError(t, err, "knn: Unmarshal: option 3 is nil")
}
