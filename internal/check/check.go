package check

import (
	"errors"
	"fmt"
	"math"
)

// Matrix returns the common row length d of X. It fails if X has no rows, a row has no
// columns, rows differ in length, or a value is NaN or infinite.
func Matrix(X [][]float64) (d int, err error) {
	if len(X) == 0 || len(X[0]) == 0 {
		return 0, errors.New("empty data: want at least one row with at least one column")
	}
	d = len(X[0])
	for i, row := range X {
		if len(row) != d {
			return 0, fmt.Errorf("row %d has %d columns, row 0 has %d: rows must have equal length", i, len(row), d)
		}
		if err := Finite(row); err != nil {
			return 0, fmt.Errorf("row %d: %w", i, err)
		}
	}
	return d, nil
}

// Finite fails if x holds a NaN or an infinity.
func Finite(x []float64) error {
	for j, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("value %v at column %d: values must be finite", v, j)
		}
	}
	return nil
}

// Labels checks that y has n entries, that classes ≥ 2, and that every label is in
// [0, classes).
func Labels(y []int, n, classes int) error {
	if len(y) != n {
		return fmt.Errorf("%d labels for %d rows: want one label per row", len(y), n)
	}
	if classes < 2 {
		return fmt.Errorf("%d classes: want at least 2", classes)
	}
	for i, c := range y {
		if c < 0 || c >= classes {
			return fmt.Errorf("label y[%d] = %d is outside [0, %d)", i, c, classes)
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
