package knn

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarshalRoundTrip(t *testing.T) {
	X, y := randomData(newRand(51), 40, 3, 3, 1)
	s, err := New(X, y, WithSigma(0.6), WithK(5), WithClasses(4), WithLevels(60), WithTolerance(1e-9))
	require.NoError(t, err)
	data, err := s.MarshalBinary()
	require.NoError(t, err)
	r, err := Unmarshal(data, WithWorkers(1))
	require.NoError(t, err)
	assert.Equal(t, s.Sigma(), r.Sigma())
	assert.Equal(t, s.K(), r.K())
	assert.Equal(t, s.Classes(), r.Classes())
	assert.Equal(t, s.Edges(), r.Edges())
	assert.Equal(t, s.Dim(), r.Dim())
	assert.Equal(t, s.Len(), r.Len())
	assert.Equal(t, 1e-9, r.Tolerance())
	for _, x := range X[:5] {
		want, wantErr, err := s.ProbabilitiesWithError(x)
		require.NoError(t, err)
		got, gotErr, err := r.ProbabilitiesWithError(x)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, wantErr, gotErr)
	}
	again, err := r.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, data, again)
	r, err = Unmarshal(data, WithTolerance(1e-6))
	require.NoError(t, err)
	assert.Equal(t, 1e-6, r.Tolerance())

	// A small model of many classes (more classes than bytes) round-trips too.
	many, err := New([][]float64{{0}, {1}}, []int{0, 1}, WithSigma(1), WithK(1), WithClasses(MaxClasses), WithEdges([]float64{1}))
	require.NoError(t, err)
	data, err = many.MarshalBinary()
	require.NoError(t, err)
	require.Less(t, len(data), MaxClasses)
	r, err = Unmarshal(data)
	require.NoError(t, err)
	assert.Equal(t, MaxClasses, r.Classes())
}

func TestUnmarshalRejectsCorruptData(t *testing.T) {
	X, y := randomData(newRand(52), 10, 2, 2, 1)
	s, err := New(X, y, WithSigma(0.6))
	require.NoError(t, err)
	data, err := s.MarshalBinary()
	require.NoError(t, err)

	// Re-seal a modified body with a valid checksum, to reach the validation behind it.
	reseal := func(mod func(b []byte)) []byte {
		b := append([]byte(nil), data...)
		mod(b)
		body := b[:len(b)-4]
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(body))
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated", data[:len(data)-9], "checksum"},
		{"header only", data[:20], "too short"},
		{"flipped byte", func() []byte { b := append([]byte(nil), data...); b[len(b)/2] ^= 0x40; return b }(), "checksum"},
		{"bad magic", reseal(func(b []byte) { b[0] = 'X' }), "bad magic"},
		{"bad version", reseal(func(b []byte) { b[6] = 9 }), "version 9"},
		{"huge n", reseal(func(b []byte) { binary.LittleEndian.PutUint64(b[8:], 1<<40) }), "inconsistent"},
		{"K > n", reseal(func(b []byte) { binary.LittleEndian.PutUint64(b[24:], 11) }), "inconsistent"},
		{"sigma 0", reseal(func(b []byte) { binary.LittleEndian.PutUint64(b[48:], 0) }), "σ must be"},
		{"label ≥ C", reseal(func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-8:], 7) }), "outside [0, 2)"},
	} {
		r, err := Unmarshal(tc.data)
		assert.Nil(t, r, tc.name)
		require.ErrorIs(t, err, ErrCorrupt, tc.name)
		assert.NotErrorIs(t, err, ErrInvalidInput, tc.name)
		assert.Contains(t, err.Error(), "knn: Unmarshal: ", tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
	// Trailing data after a valid model is corrupt too.
	_, err = Unmarshal(append(append([]byte(nil), data...), 0))
	assert.ErrorIs(t, err, ErrCorrupt)
	// A bad runtime option is the caller's fault, not the file's.
	for _, o := range []LoadOption{WithWorkers(0), WithTolerance(2)} {
		_, err = Unmarshal(data, o)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.NotErrorIs(t, err, ErrCorrupt)
	}
}
