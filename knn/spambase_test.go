package knn

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/internal/dataset"
)

// spambase holds the embedded Spambase data with the RAB reference code's 56 features
// (dataset.SpambaseRAB: the 54 word/character frequencies raw, capitalAve/capitalTotal
// and capitalLong/capitalTotal), split 80/20 with a fixed seed.
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
	spamOnce.Do(func() {
		var all dataset.Set
		if all, spamErr = dataset.SpambaseRAB(); spamErr == nil {
			train, test := dataset.Split(all, 0.2, 2023)
			spamData = spambase{trainX: train.X, testX: test.X, trainY: train.Y, testY: test.Y}
		}
	})
	require.NoError(tb, spamErr)
	return spamData
}
