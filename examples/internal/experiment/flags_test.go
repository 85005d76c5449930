package experiment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSigmas(t *testing.T) {
	var s Sigmas
	require.NoError(t, s.Set("0.2, 0.5,1"))
	assert.Equal(t, Sigmas{0.2, 0.5, 1}, s)
	assert.Equal(t, "0.2,0.5,1", s.String())
	for _, bad := range []string{"", "0.2,", "-1", "0", "NaN", "x"} {
		assert.Error(t, s.Set(bad), "%q", bad)
	}
	assert.Equal(t, Sigmas{0.2, 0.5, 1}, s, "a bad list changes nothing")
}
