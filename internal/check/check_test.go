package check

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestData(t *testing.T) {
	d, err := Data([][]float64{{1, 2, 3}, {4, 5, 6}}, []int{0, 2}, 3)
	require.NoError(t, err)
	assert.Equal(t, 3, d)
	cases := map[string]struct {
		X       [][]float64
		y       []int
		classes int
		want    string
	}{
		"no rows":     {nil, nil, 2, "empty data"},
		"no columns":  {[][]float64{{}}, []int{0}, 2, "empty data"},
		"ragged":      {[][]float64{{1}, {1, 2}}, []int{0, 1}, 2, "row 1: 2 features, row 0 has 1"},
		"NaN":         {[][]float64{{1}, {math.NaN()}}, []int{0, 1}, 2, "row 1, feature 0: value NaN"},
		"-Inf":        {[][]float64{{math.Inf(-1)}}, []int{0}, 2, "row 0, feature 0: value -Inf"},
		"labels":      {[][]float64{{1}}, []int{0, 1}, 2, "2 labels for 1 rows"},
		"classes":     {[][]float64{{1}}, []int{0}, 1, "1 classes: want at least 2"},
		"label range": {[][]float64{{1}, {2}}, []int{1, 2}, 2, "row 1: label 2 is outside [0, 2)"},
		"negative":    {[][]float64{{1}}, []int{-1}, 2, "row 0: label -1 is outside [0, 2)"},
	}
	for name, c := range cases {
		_, err := Data(c.X, c.y, c.classes)
		assert.ErrorContains(t, err, c.want, name)
	}
}
