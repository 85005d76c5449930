package check

import (
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// Matrix returns the common row length d of X. It fails if X has no rows, a row has no
// columns, rows differ in length, or a value is NaN or infinite. Every error is an
// *errs.InputError naming the row (and feature) at fault.
func Matrix(X [][]float64) (d int, err error) {
	if len(X) == 0 || len(X[0]) == 0 {
		return 0, errs.At(-1, -1, "empty data: want at least one row with at least one column")
	}
	d = len(X[0])
	for i, row := range X {
		if len(row) != d {
			return 0, errs.At(i, -1, "%d features, row 0 has %d: rows must have equal length", len(row), d)
		}
		if err := Row(i, row); err != nil {
			return 0, err
		}
	}
	return d, nil
}

// Finite fails with an *errs.InputError naming the feature if x holds a NaN or an
// infinity.
func Finite(x []float64) error { return Row(-1, x) }

// Row is Finite for row i of a matrix: its error names row and feature.
func Row(i int, x []float64) error {
	for j, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errs.At(i, j, "value %v: values must be finite", v)
		}
	}
	return nil
}

// Labels checks that y has n entries, that classes ≥ 2, and that every label is in
// [0, classes). Every error wraps errs.ErrInvalidInput; a bad label is an
// *errs.InputError naming its row.
func Labels(y []int, n, classes int) error {
	if len(y) != n {
		return errs.At(-1, -1, "%d labels for %d rows: want one label per row", len(y), n)
	}
	if classes < 2 {
		return errs.At(-1, -1, "%d classes: want at least 2", classes)
	}
	for i, c := range y {
		if c < 0 || c >= classes {
			return errs.At(i, -1, "label %d is outside [0, %d)", c, classes)
		}
	}
	return nil
}

// Data checks a labelled training set (Matrix and Labels) and returns its row length.
func Data(X [][]float64, y []int, classes int) (d int, err error) {
	if d, err = Matrix(X); err != nil {
		return 0, err
	}
	return d, Labels(y, len(X), classes)
}
