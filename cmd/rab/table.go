package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/errs"
)

// A table is a CSV file of numbers: a header row naming the columns, then one row per
// input, every cell a finite number; one column may hold the labels, integers 0, 1, ….
type table struct {
	name     string   // the file's name in messages
	header   []string // all the columns, the label column included
	labelCol int      // index in header of the label column, or -1
	X        [][]float64
	y        []int // nil without a label column
}

// A columnPicker chooses the label column from the header: its index, or -1 for none.
type columnPicker func(header []string) (int, error)

// openInput opens path for reading; "-" is standard input.
func openInput(e *env, path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(e.stdin), nil
	}
	return os.Open(path)
}

// readTableFile reads the CSV file at path ("-": standard input) with readTable.
func readTableFile(e *env, path string, pick columnPicker) (*table, error) {
	f, err := openInput(e, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := path
	if path == "-" {
		name = "standard input"
	}
	return readTable(f, name, pick)
}

// readTable reads a CSV table from r; name names it in errors, which give the line
// and the column's name.
func readTable(r io.Reader, name string, pick columnPicker) (*table, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	cr.ReuseRecord = true
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, errs.Invalid("%s: empty file: want a header row naming the columns, then one row per input", name)
	case err != nil:
		return nil, csvError(name, err)
	}
	t := &table{name: name, header: make([]string, len(header))}
	for j, h := range header {
		t.header[j] = strings.TrimSpace(h)
	}
	t.header[0] = strings.TrimPrefix(t.header[0], "\uFEFF") // a byte-order mark, as spreadsheets write
	if t.labelCol, err = pick(t.header); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := t.add(rec, line); err != nil {
			return nil, err
		}
	}
	if len(t.X) == 0 {
		return nil, errs.Invalid("%s: no rows after the header", name)
	}
	return t, nil
}

// add parses one record, found on the given line.
func (t *table) add(rec []string, line int) error {
	if len(rec) != len(t.header) {
		return errs.Invalid("%s:%d: %d columns, the header has %d: every row needs one value per column", t.name, line, len(rec), len(t.header))
	}
	row := make([]float64, 0, t.features())
	for j, cell := range rec {
		cell = strings.TrimSpace(cell)
		if j == t.labelCol {
			label, err := parseLabel(cell)
			if err != nil {
				return errs.Invalid("%s:%d: label column %q: %v", t.name, line, t.header[j], err)
			}
			t.y = append(t.y, label)
			continue
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return errs.Invalid("%s:%d: column %q (column %d): %q is not a finite number", t.name, line, t.header[j], j+1, cell)
		}
		row = append(row, v)
	}
	t.X = append(t.X, row)
	return nil
}

// features returns the number of feature columns.
func (t *table) features() int {
	if t.labelCol >= 0 {
		return len(t.header) - 1
	}
	return len(t.header)
}

// featureNames returns the header without the label column.
func (t *table) featureNames() []string {
	names := make([]string, 0, t.features())
	for j, h := range t.header {
		if j != t.labelCol {
			names = append(names, h)
		}
	}
	return names
}

// parseLabel parses a class label: a non-negative integer, possibly written as a
// float ("1.0", "1e0"), as numeric tools often write them.
func parseLabel(cell string) (int, error) {
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil || v != math.Trunc(v) || v < 0 || v >= ensemble.MaxClasses {
		return 0, fmt.Errorf("%q is not a class: labels must be integers 0, 1, …, C−1 (map names such as \"spam\" to numbers first)", cell)
	}
	return int(v), nil
}

// csvError describes a malformed CSV file.
func csvError(name string, err error) error {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return errs.Invalid("%s:%d:%d: malformed CSV: %v", name, perr.Line, perr.Column, perr.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// labelColumn returns the picker of the column called name, or of the last column for
// an empty name: the training data's label column.
func labelColumn(name string) columnPicker {
	return func(header []string) (int, error) {
		if name == "" {
			if len(header) < 2 {
				return 0, errs.Invalid("one column only: want feature columns and a label column (the last, or the one -label names)")
			}
			return len(header) - 1, nil
		}
		return findColumn(header, name)
	}
}

// findColumn returns the index of the one column called name.
func findColumn(header []string, name string) (int, error) {
	found := -1
	for j, h := range header {
		if h != name {
			continue
		}
		if found >= 0 {
			return 0, errs.Invalid("the header names column %q twice (columns %d and %d): rename one", name, found+1, j+1)
		}
		found = j
	}
	if found < 0 {
		return 0, errs.Invalid("no column %q in the header (columns: %s)", name, strings.Join(header, ", "))
	}
	if len(header) < 2 {
		return 0, errs.Invalid("the label column %q is the only column: want feature columns too", name)
	}
	return found, nil
}
