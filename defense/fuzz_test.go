package defense

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

// FuzzDefences feeds every defence (SCAn with the data as its own clean set, see
// defences) small matrices decoded from bytes — ragged rows,
// NaN and infinities, repeated rows, odd labels included — and checks that it never
// panics, that it rejects input only with ErrInvalidInput, and that a result is well
// formed: one score per row, no NaN score, flagged rows ascending, distinct and in
// range.
func FuzzDefences(f *testing.F) {
	f.Add([]byte{6, 2, 0, 10, 20, 1, 30, 40, 0, 50, 60, 1, 70, 80, 0, 90, 100, 1, 110, 120})
	f.Add([]byte{8, 3, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2})
	f.Add([]byte{4, 1, 0, 255, 0, 254, 1, 7, 1, 8})
	f.Add([]byte{5, 12, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		X, y := decodeRows(data)
		for _, d := range defences(t) {
			res, err := d.run(context.Background(), X, y)
			checkOutcome(t, d.name, X, res, err)
		}
	})
}

// decodeRows reads n = data[0] % 24 rows of d = data[1] % 8 + 1 features; each row is
// a label byte (label = b % 4, or −1 for 255) then d value bytes (b − 128, 255 is NaN,
// 254 is +Inf); a row cut short by the end of data is ragged.
func decodeRows(data []byte) ([][]float64, []int) {
	if len(data) < 2 {
		return nil, nil
	}
	n, d := int(data[0]%24), int(data[1]%8)+1
	data = data[2:]
	var X [][]float64
	var y []int
	for range n {
		if len(data) == 0 {
			break
		}
		label := int(data[0] % 4)
		if data[0] == 255 {
			label = -1
		}
		data = data[1:]
		row := make([]float64, 0, d)
		for len(row) < d && len(data) > 0 {
			switch b := data[0]; b {
			case 255:
				row = append(row, math.NaN())
			case 254:
				row = append(row, math.Inf(1))
			default:
				row = append(row, float64(b)-128)
			}
			data = data[1:]
		}
		X, y = append(X, row), append(y, label)
	}
	return X, y
}

func checkOutcome(t *testing.T, name string, X [][]float64, res *Result, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("%s: error %v does not wrap ErrInvalidInput", name, err)
		}
		return
	}
	if len(res.Scores) != len(X) {
		t.Fatalf("%s: %d scores for %d rows", name, len(res.Scores), len(X))
	}
	for i, s := range res.Scores {
		if math.IsNaN(s) {
			t.Fatalf("%s: score of row %d is NaN", name, i)
		}
	}
	if !slices.IsSorted(res.Flagged) || len(slices.Compact(slices.Clone(res.Flagged))) != len(res.Flagged) {
		t.Fatalf("%s: flagged rows %v not ascending and distinct", name, res.Flagged)
	}
	for _, i := range res.Flagged {
		if i < 0 || i >= len(X) {
			t.Fatalf("%s: flagged row %d outside [0, %d)", name, i, len(X))
		}
	}
}
