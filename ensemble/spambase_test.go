package ensemble_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/dataset"
)

// TestSpambaseMajorityVote trains N = 40 members with σ = 0.5 on Spambase and checks
// the majority vote's test accuracy, with and without test-time noise. A single clean
// logistic model reaches about 93%; Gaussian noise on the raw features costs a few
// points (Section 6.1.3 of the paper).
func TestSpambaseMajorityVote(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 40 members on Spambase")
	}
	s, err := dataset.SpambaseRAB()
	require.NoError(t, err)
	train, test := dataset.Split(s, 0.2, 1)
	e, err := ensemble.Train(context.Background(), train.X, train.Y, newLogistic(t), gaussian(t, 0.5), ensemble.WithModels(40), ensemble.WithSeed(1))
	require.NoError(t, err)
	for _, view := range []*ensemble.Ensemble{e, e.WithoutTestNoise()} {
		correct := 0
		for i, counts := range votes(t, view, test.X) {
			if counts[test.Y[i]] > counts[1-test.Y[i]] {
				correct++
			}
		}
		acc := float64(correct) / float64(len(test.X))
		t.Logf("test noise %v: majority-vote accuracy %.4f", view.TestNoise(), acc)
		assert.Greater(t, acc, 0.85)
	}
}
