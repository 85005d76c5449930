package main

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
)

func TestReadTable(t *testing.T) {
	const data = "\uFEFFa, b ,label\n1,2.5,0\n-3e2, 4 ,1.0\n\"5\",6,2\r\n"
	tab, err := readTable(strings.NewReader(data), "d.csv", labelColumn(""))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "label"}, tab.header)
	assert.Equal(t, []string{"a", "b"}, tab.featureNames())
	assert.Equal(t, 2, tab.labelCol)
	assert.Equal(t, [][]float64{{1, 2.5}, {-300, 4}, {5, 6}}, tab.X)
	assert.Equal(t, []int{0, 1, 2}, tab.y)

	tab, err = readTable(strings.NewReader("y,a\n1,7\n0,8\n"), "d.csv", labelColumn("y"))
	require.NoError(t, err)
	assert.Equal(t, [][]float64{{7}, {8}}, tab.X)
	assert.Equal(t, []int{1, 0}, tab.y)

	tab, err = readTable(strings.NewReader("a,b\n1,2\n"), "d.csv", inputColumns("", 2))
	require.NoError(t, err)
	assert.Equal(t, -1, tab.labelCol)
	assert.Nil(t, tab.y)
	assert.Equal(t, [][]float64{{1, 2}}, tab.X)
}

// TestReadTableErrors: every malformed file is an error naming the file, the line and
// the column, wrapping rab.ErrInvalidInput.
func TestReadTableErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		pick       columnPicker
		want       string
	}{
		{"empty", "", labelColumn(""), "d.csv: empty file: want a header row"},
		{"header only", "a,label\n", labelColumn(""), "d.csv: no rows after the header"},
		{"ragged row", "a,b,label\n1,2,0\n1,2\n", labelColumn(""), "d.csv:3: 2 columns, the header has 3"},
		{"long row", "a,b,label\n1,2,0,4\n", labelColumn(""), "d.csv:2: 4 columns, the header has 3"},
		{"not a number", "a,b,label\n1,2,0\n1,x7,1\n", labelColumn(""), `d.csv:3: column "b" (column 2): "x7" is not a finite number`},
		{"empty cell", "a,b,label\n,2,0\n", labelColumn(""), `d.csv:2: column "a" (column 1): "" is not a finite number`},
		{"NaN", "a,b,label\n1,NaN,0\n", labelColumn(""), `d.csv:2: column "b" (column 2): "NaN" is not a finite number`},
		{"infinity", "a,b,label\n-Inf,1,0\n", labelColumn(""), `d.csv:2: column "a" (column 1): "-Inf" is not a finite number`},
		{"overflow", "a,b,label\n1e999,1,0\n", labelColumn(""), `"1e999" is not a finite number`},
		{"text label", "a,label\n1,spam\n", labelColumn(""), `d.csv:2: label column "label": "spam" is not a class`},
		{"fractional label", "a,label\n1,0.5\n", labelColumn(""), `"0.5" is not a class`},
		{"negative label", "a,label\n1,-1\n", labelColumn(""), `"-1" is not a class`},
		{"missing label column", "a,b\n1,2\n", labelColumn("y"), `d.csv: no column "y" in the header (columns: a, b)`},
		{"label column twice", "y,a,y\n1,2,3\n", labelColumn("y"), `d.csv: the header names column "y" twice (columns 1 and 3)`},
		{"one column", "label\n1\n", labelColumn(""), "d.csv: one column only"},
		{"only the label column", "y\n1\n", labelColumn("y"), `the label column "y" is the only column`},
		{"bare quote", "a,label\n1\"2,0\n", labelColumn(""), "d.csv:2:2: malformed CSV"},
		{"wrong width for the model", "a,b,c,d\n1,2,3,4\n", inputColumns("", 2), "d.csv: 4 feature columns, the model takes 2 features"},
		{"wrong width with a label", "a,b,c\n1,2,3\n", inputColumns("c", 3), "d.csv: 2 feature columns, the model takes 3 features"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readTable(strings.NewReader(tc.data), "d.csv", tc.pick)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, errors.Is(err, rab.ErrInvalidInput), "%v does not wrap rab.ErrInvalidInput", err)
		})
	}
}

// TestInputColumns: which column certify takes for the label.
func TestInputColumns(t *testing.T) {
	header := []string{"a", "b", "c"}
	for _, tc := range []struct {
		label string
		dim   int
		want  int
	}{
		{"", 3, -1}, // as many columns as features: no label
		{"", 2, 2},  // one more: the last is the label
		{"", 0, -1}, // dimension unknown: all features
		{"a", 2, 0},
		{"b", 0, 1},
	} {
		col, err := inputColumns(tc.label, tc.dim)(header)
		require.NoError(t, err, "%+v", tc)
		assert.Equal(t, tc.want, col, "%+v", tc)
	}
}

// FuzzReadTable: any input is a table of finite numbers with labels in range, or an
// error wrapping rab.ErrInvalidInput; never a panic.
func FuzzReadTable(f *testing.F) {
	for _, seed := range []string{
		"a,b,label\n1,2,0\n3,4,1\n", "\uFEFFa,label\n1e3,1.0\n", "a,b\n1\n", "a,label\nNaN,0\n",
		"a,label\n\"1\n2\",0\n", "a,label\n1,x\n", "", "label\n", "a,a,label\n1,2,3\n",
	} {
		f.Add(seed, "")
		f.Add(seed, "a")
	}
	f.Fuzz(func(t *testing.T, data, label string) {
		tab, err := readTable(strings.NewReader(data), "f.csv", labelColumn(label))
		if err != nil {
			require.ErrorIs(t, err, rab.ErrInvalidInput)
			return
		}
		require.NotEmpty(t, tab.X)
		require.Len(t, tab.y, len(tab.X))
		for i, row := range tab.X {
			require.Len(t, row, len(tab.header)-1)
			for _, v := range row {
				require.False(t, math.IsNaN(v) || math.IsInf(v, 0))
			}
			require.GreaterOrEqual(t, tab.y[i], 0)
		}
	})
}
