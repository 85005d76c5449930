package rab

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load, seeded with a K-NN and an ensemble file and
// their truncations and corruptions. No input panics or is accepted with trailing data;
// every error wraps ErrCorrupt (a bytes.Reader never fails otherwise); and a model
// that loads saves back to the same bytes and certifies an input of its dimension.
func FuzzLoad(f *testing.F) {
	X, y := blobs(6, 30)
	for _, opts := range [][]Option{
		{WithKNN(1), WithSigma(0.5), WithLevels(5)},
		{WithUniform(-0.5, 0.5), WithModels(12), WithAlpha(0.2)},
	} {
		m, err := Train(context.Background(), X, y, opts...)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			f.Fatal(err)
		}
		data := buf.Bytes()
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(append(bytes.Clone(data), 0))
		f.Add(flip(data, headerSize+40))
	}
	f.Add([]byte("RABMODEL"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(bytes.NewReader(data), WithWorkers(1))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrInvalidInput) {
				t.Fatalf("Load: %v: want ErrCorrupt alone", err)
			}
			return
		}
		var again bytes.Buffer
		if err := m.Save(&again); err != nil {
			t.Fatalf("a loaded model does not save: %v", err)
		}
		if !bytes.Equal(again.Bytes(), data) {
			t.Fatalf("a loaded model saves to other bytes (%d, read %d)", again.Len(), len(data))
		}
		if d := m.Dim(); d > 0 && d <= 1<<10 {
			if _, err := m.Certify(context.Background(), make([]float64, d)); err != nil {
				t.Fatalf("a loaded model cannot certify: %v", err)
			}
		}
	})
}
