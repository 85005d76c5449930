package gorgonia

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// digits is testdata/digits.csv: 8×8×1 images scaled to [0, 1] by /16, split by a
// seeded shuffle into 1,400 training and 397 test rows.
type digits struct {
	trainX, testX [][]float64
	trainY, testY []int
}

const digitsTrain = 1400

func loadDigits(tb testing.TB) digits {
	tb.Helper()
	f, err := os.Open("testdata/digits.csv")
	require.NoError(tb, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	require.NoError(tb, err)
	records = records[1:] // header
	require.Len(tb, records, 1797)
	X := make([][]float64, len(records))
	y := make([]int, len(records))
	for i, rec := range records {
		require.Len(tb, rec, 65)
		X[i] = make([]float64, 64)
		for j := range 64 {
			v, err := strconv.ParseFloat(rec[j], 64)
			require.NoError(tb, err)
			X[i][j] = v / 16
		}
		y[i], err = strconv.Atoi(rec[64])
		require.NoError(tb, err)
	}
	perm := rand.New(rand.NewPCG(2023, 5)).Perm(len(X))
	var d digits
	for r, i := range perm {
		if r < digitsTrain {
			d.trainX, d.trainY = append(d.trainX, X[i]), append(d.trainY, y[i])
		} else {
			d.testX, d.testY = append(d.testX, X[i]), append(d.testY, y[i])
		}
	}
	return d
}

// accuracy returns the fraction of rows of X that m classifies as y.
func accuracy(tb testing.TB, m interface {
	Predict([][]float64, []int) error
}, X [][]float64, y []int) float64 {
	tb.Helper()
	pred := make([]int, len(X))
	require.NoError(tb, m.Predict(X, pred))
	correct := 0
	for i := range y {
		if pred[i] == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(y))
}
