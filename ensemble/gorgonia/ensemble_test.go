package gorgonia

import (
	"bytes"
	"context"
	"testing"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsembleTrainSaveLoad runs Algorithm 1 with Gorgonia members through package
// ensemble: the ensemble is bit-identical for 1 and 2 workers, Save → Load gives the
// same votes (Load finds this package's decoders by kind), and every member votes.
func TestEnsembleTrainSaveLoad(t *testing.T) {
	d := smallDigits(loadDigits(t))
	noise, err := smoothing.Gaussian(0.25)
	require.NoError(t, err)
	mlp, err := NewMLP(WithEpochs(3))
	require.NoError(t, err)
	cnn, err := NewCNN(WithImageShape(8, 8, 1), WithFilters(4), WithEpochs(2))
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		learner *Learner
		models  int
	}{"mlp": {mlp, 6}, "cnn": {cnn, 3}} {
		t.Run(name, func(t *testing.T) {
			var saved [2][]byte
			var e *ensemble.Ensemble
			for i, workers := range []int{1, 2} {
				var err error
				e, err = ensemble.Train(context.Background(), d.trainX, d.trainY, tc.learner, noise,
					ensemble.WithModels(tc.models), ensemble.WithSeed(11), ensemble.WithWorkers(workers), ensemble.WithClasses(10))
				require.NoError(t, err)
				var buf bytes.Buffer
				require.NoError(t, e.Save(&buf))
				saved[i] = buf.Bytes()
			}
			require.Equal(t, saved[0], saved[1], "worker count changed the ensemble")

			loaded, err := ensemble.Load(bytes.NewReader(saved[0]))
			require.NoError(t, err)
			X := d.testX[:20]
			want, err := e.VotesBatch(context.Background(), X)
			require.NoError(t, err)
			got, err := loaded.VotesBatch(context.Background(), X)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			for i, counts := range got {
				total := 0
				for _, c := range counts {
					total += c
				}
				assert.Equal(t, tc.models, total, "input %d", i)
			}
		})
	}
}
