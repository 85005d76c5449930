package errs

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInputErrorLocatesAndWraps(t *testing.T) {
	cases := []struct {
		row, feature int
		want         string
	}{
		{3, 7, "row 3, feature 7: value NaN: values must be finite"},
		{3, -1, "row 3: value NaN: values must be finite"},
		{-1, 7, "feature 7: value NaN: values must be finite"},
		{-1, -1, "value NaN: values must be finite"},
	}
	for _, c := range cases {
		err := fmt.Errorf("knn: New: %w", At(c.row, c.feature, "value %v: values must be finite", "NaN"))
		assert.Equal(t, "knn: New: "+c.want, err.Error())
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.NotErrorIs(t, err, ErrCorrupt)
		var ie *InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, c.row, ie.Row)
		assert.Equal(t, c.feature, ie.Feature)
	}
}

func TestInvalidAndCorruptKeepMessageAndCause(t *testing.T) {
	err := fmt.Errorf("rab: Load: %w", Corrupt("reading header: %w (file truncated)", io.ErrUnexpectedEOF))
	assert.Equal(t, "rab: Load: reading header: unexpected EOF (file truncated)", err.Error())
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.NotErrorIs(t, err, ErrInvalidInput)

	err = Invalid("WithAlpha(%v): want 0 < α < 1", 2.0)
	assert.Equal(t, "WithAlpha(2): want 0 < α < 1", err.Error())
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.NotErrorIs(t, err, ErrCorrupt)
	var ie *InputError
	assert.False(t, errors.As(err, &ie), "Invalid carries no location")
}
