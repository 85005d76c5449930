package dataset

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/rabcert/rab/internal/errs"
)

//go:embed spambase.csv
var spambaseCSV []byte

//go:embed digits.csv
var digitsCSV []byte

// Set is a labelled data set: row i of X has label Y[i] in [0, Classes).
type Set struct {
	Names   []string // feature names, one per column of X
	X       [][]float64
	Y       []int
	Classes int
}

// Spambase returns the 4,601 Spambase e-mails with their 57 raw features and the label
// 1 = spam, 0 = not spam.
func Spambase() (Set, error) { return parse(spambaseCSV, 2) }

// SpambaseRAB returns Spambase with the 56 features the RAB paper's reference code
// feeds its K-NN: the 54 word and character frequencies raw, then
// capitalAve/capitalTotal and capitalLong/capitalTotal (capitalTotal ≥ 1 in every row).
// No scaling is applied.
func SpambaseRAB() (Set, error) {
	raw, err := Spambase()
	if err != nil {
		return Set{}, err
	}
	const capitalAve, capitalLong, capitalTotal = 54, 55, 56
	out := Set{Y: raw.Y, Classes: raw.Classes, X: make([][]float64, len(raw.X))}
	out.Names = append(append([]string(nil), raw.Names[:capitalAve]...),
		"capitalAve/capitalTotal", "capitalLong/capitalTotal")
	for i, row := range raw.X {
		x := make([]float64, 0, capitalAve+2)
		x = append(x, row[:capitalAve]...)
		x = append(x, row[capitalAve]/row[capitalTotal], row[capitalLong]/row[capitalTotal])
		out.X[i] = x
	}
	return out, nil
}

// Digits returns the 1,797 8×8 handwritten digits: 64 pixel intensities in 0..16
// (row-major) and the digit 0..9 as label.
func Digits() (Set, error) { return parse(digitsCSV, 10) }

// parse reads a CSV with a header whose last column is an integer label in
// [0, classes) and whose other columns are finite numbers. A malformed file is an error
// wrapping ErrCorrupt.
func parse(data []byte, classes int) (Set, error) {
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil {
		return Set{}, errs.Corrupt("dataset: CSV header: %w", unexpected(err))
	}
	d := len(header) - 1
	s := Set{Names: header[:d], Classes: classes}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return Set{}, errs.Corrupt("dataset: CSV line %d: %w", line, err)
		}
		x := make([]float64, d)
		for j := range x {
			x[j], err = strconv.ParseFloat(rec[j], 64)
			if err != nil || math.IsInf(x[j], 0) || math.IsNaN(x[j]) {
				return Set{}, errs.Corrupt("dataset: CSV line %d column %s: %q is not a finite number", line, header[j], rec[j])
			}
		}
		label, err := strconv.Atoi(rec[d])
		if err != nil || label < 0 || label >= classes {
			return Set{}, errs.Corrupt("dataset: CSV line %d: label %q is not an integer in [0, %d)", line, rec[d], classes)
		}
		s.X = append(s.X, x)
		s.Y = append(s.Y, label)
	}
}

// Split shuffles s with a PCG generator seeded by seed and returns the first
// round(testFraction·n) shuffled rows as test and the rest as train. The rows are shared
// with s, not copied.
func Split(s Set, testFraction float64, seed uint64) (train, test Set) {
	n := len(s.X)
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(n)
	nTest := int(testFraction*float64(n) + 0.5)
	pick := func(idx []int) Set {
		out := Set{Names: s.Names, Classes: s.Classes, X: make([][]float64, len(idx)), Y: make([]int, len(idx))}
		for i, j := range idx {
			out.X[i], out.Y[i] = s.X[j], s.Y[j]
		}
		return out
	}
	return pick(perm[nTest:]), pick(perm[:nTest])
}

// Head returns the first n rows of s (all of them if n ≥ len(s.X)), sharing storage.
func Head(s Set, n int) Set {
	n = min(n, len(s.X))
	return Set{Names: s.Names, X: s.X[:n], Y: s.Y[:n], Classes: s.Classes}
}
