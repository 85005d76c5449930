package attack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A 5×7×3 image: pixel (h, w) channel c at (h·7 + w)·3 + c.
func TestShapeIndexCoords(t *testing.T) {
	s := Shape{H: 5, W: 7, C: 3}
	assert.Equal(t, 105, s.Dim())
	assert.Equal(t, 0, s.Index(0, 0, 0))
	assert.Equal(t, 2, s.Index(0, 0, 2))
	assert.Equal(t, 3, s.Index(0, 1, 0))
	assert.Equal(t, 21, s.Index(1, 0, 0))
	assert.Equal(t, 29, s.Index(1, 2, 2))
	assert.Equal(t, 104, s.Index(4, 6, 2))
	for i := range s.Dim() {
		h, w, c := s.Coords(i)
		assert.True(t, s.Contains(h, w, c))
		assert.Equal(t, i, s.Index(h, w, c))
	}
	assert.False(t, s.Contains(5, 0, 0))
	assert.False(t, s.Contains(0, 7, 0))
	assert.False(t, s.Contains(0, 0, 3))
	assert.False(t, s.Contains(-1, 0, 0))
	assert.Equal(t, "5×7×3", s.String())
}

func TestTabular(t *testing.T) {
	s := Tabular(56)
	assert.Equal(t, Shape{H: 1, W: 56, C: 1}, s)
	assert.Equal(t, 56, s.Dim())
	assert.Equal(t, 25, s.Index(0, 25, 0))
}

func TestShapeValidate(t *testing.T) {
	assert.NoError(t, Shape{1, 1, 1}.validate())
	for _, s := range []Shape{{}, {0, 3, 3}, {3, 0, 3}, {3, 3, 0}, {-1, 3, 3}} {
		assert.ErrorContains(t, s.validate(), "is empty", "%v", s)
	}
	assert.ErrorContains(t, Shape{1 << 16, 1 << 16, 3}.validate(), "more than")
}
