package wire

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReader(t *testing.T) {
	data := []byte("ab")
	for _, v := range []uint32{2, 7, 9, 70} {
		data = binary.LittleEndian.AppendUint32(data, v)
	}
	r := &Reader{Data: data}
	assert.Equal(t, []byte("ab"), r.Next(2))
	assert.Equal(t, []int{7, 9}, r.List("width", 2, 10))
	assert.NoError(t, r.Err)
	assert.Zero(t, r.Count("classes", 69))
	assert.EqualError(t, r.Err, "classes is 70, more than the maximum 69")
	assert.Nil(t, r.Next(0), "reads after an error return nothing")

	r = &Reader{Data: binary.LittleEndian.AppendUint32(nil, 3)}
	assert.Equal(t, []int{}, r.List("width", 2, 10))
	assert.EqualError(t, r.Err, "width count is 3, more than the maximum 2")
	r = &Reader{Data: []byte{1, 0}}
	assert.Zero(t, r.Count("x", 10))
	assert.ErrorIs(t, r.Err, ErrTruncated)
}
