package knn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// FuzzUnmarshal feeds arbitrary bytes to Unmarshal: it must never panic, reject
// anything it cannot decode with an error wrapping ErrCorrupt (and nothing else), and
// return a Smoother that marshals back to the same bytes and evaluates an input. With
// reseal the last four bytes are replaced by the checksum of the others, so that the
// fuzzer reaches the validation behind the checksum. The seed corpus holds valid
// models of several shapes and a few damaged ones.
func FuzzUnmarshal(f *testing.F) {
	X, y := tinyData()
	for _, opts := range [][]Option{
		{WithSigma(1)},
		{WithSigma(0.5), WithK(5), WithClasses(4), WithEdges([]float64{0.5, 1, 2})},
		{WithSigma(2), WithK(1), WithLevels(3), WithTolerance(1e-6)},
	} {
		s, err := New(X, y, opts...)
		if err != nil {
			f.Fatal(err)
		}
		data, err := s.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
		f.Add(data[:len(data)/2], true)
		f.Add(append(append([]byte(nil), data...), 7), false)
	}
	f.Add([]byte(magic), false)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, data []byte, reseal bool) {
		if reseal && len(data) >= 4 {
			body := data[:len(data)-4]
			data = binary.LittleEndian.AppendUint32(append([]byte(nil), body...), crc32.ChecksumIEEE(body))
		}
		s, err := Unmarshal(data, WithWorkers(1))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error does not wrap ErrCorrupt alone: %v", err)
			}
			return
		}
		again, err := s.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("re-marshal differs (err %v)", err)
		}
		if s.Len()*s.Dim() > 1<<12 || s.Levels() > 1<<8 || s.K() > 8 || s.Classes() > 8 {
			return // decoded fine; too large to evaluate on every fuzz input (O(n·L·C·K³))
		}
		ev, err := s.Evaluate(make([]float64, s.Dim()))
		if err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
		var sum float64
		for _, p := range ev.Probs {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("probability %v outside [0, 1]", p)
			}
			sum += p
		}
		if !(sum > 1-1e-9 && sum < 1+1e-9) || !(ev.ErrBound >= 0) || !(ev.DiagnosticsErrBound >= 0) {
			t.Fatalf("probabilities sum to %v, bounds %v, %v", sum, ev.ErrBound, ev.DiagnosticsErrBound)
		}
	})
}
