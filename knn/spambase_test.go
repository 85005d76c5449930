package knn

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// spambase holds testdata/spambase.csv with the RAB reference code's 56 features:
// the 54 word/character frequencies raw, capitalAve/capitalTotal and
// capitalLong/capitalTotal. Rows are shuffled with a fixed seed; the first 80 % are
// the training split.
type spambase struct {
	trainX, testX [][]float64
	trainY, testY []int
}

var (
	spamOnce sync.Once
	spamData spambase
	spamErr  error
)

func loadSpambase(tb testing.TB) spambase {
	tb.Helper()
	spamOnce.Do(func() { spamData, spamErr = readSpambase("testdata/spambase.csv") })
	require.NoError(tb, spamErr)
	return spamData
}

func readSpambase(path string) (spambase, error) {
	f, err := os.Open(path)
	if err != nil {
		return spambase{}, err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return spambase{}, err
	}
	var X [][]float64
	var y []int
	for _, rec := range records[1:] {
		v := make([]float64, len(rec))
		for i, s := range rec {
			if v[i], err = strconv.ParseFloat(s, 64); err != nil {
				return spambase{}, err
			}
		}
		row := append(v[:54:54], v[54]/v[56], v[55]/v[56])
		X = append(X, row)
		y = append(y, int(v[57]))
	}
	rng := rand.New(rand.NewPCG(2023, 4))
	rng.Shuffle(len(X), func(i, j int) { X[i], X[j] = X[j], X[i]; y[i], y[j] = y[j], y[i] })
	cut := len(X) * 8 / 10
	return spambase{trainX: X[:cut], testX: X[cut:], trainY: y[:cut], testY: y[cut:]}, nil
}
