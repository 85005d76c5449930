package defense

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/rabcert/rab/internal/dataset"
	"github.com/stretchr/testify/require"
)

// spambaseScale returns the representations of the Spambase example's training set:
// its 3,681 rows of 56 features (the split of examples/spambase), or the K = 3 vote
// shares (v/3, 1 − v/3) a K-NN would output for them (drawn here: 80 % unanimous for
// the row's label), with a clean set of every tenth row for SCAn.
func spambaseScale(b *testing.B, vectors bool) (X [][]float64, y []int, cleanX [][]float64, cleanY []int) {
	data, err := dataset.SpambaseRAB()
	require.NoError(b, err)
	train, _ := dataset.Split(data, 0.2, 1)
	X, y = train.X, train.Y
	if vectors {
		rng := rand.New(rand.NewPCG(1, 2))
		X = make([][]float64, len(y))
		for i, label := range y {
			votes := 3 * (1 - label)
			if rng.IntN(5) == 0 {
				votes += 1 - 2*(1-label)
			}
			X[i] = []float64{float64(votes) / 3, float64(3-votes) / 3}
		}
	}
	for i := 0; i < len(X); i += 10 {
		cleanX, cleanY = append(cleanX, X[i]), append(cleanY, y[i])
	}
	return X, y, cleanX, cleanY
}

func benchmarkDefence(b *testing.B, run func(X [][]float64, y []int, cleanX [][]float64, cleanY []int) error) {
	for _, rep := range []struct {
		name    string
		vectors bool
	}{{"features", false}, {"vectors", true}} {
		b.Run(rep.name, func(b *testing.B) {
			X, y, cleanX, cleanY := spambaseScale(b, rep.vectors)
			b.ReportAllocs()
			for b.Loop() {
				if err := run(X, y, cleanX, cleanY); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSpectralSignatures(b *testing.B) {
	benchmarkDefence(b, func(X [][]float64, y []int, _ [][]float64, _ []int) error {
		_, err := SpectralSignatures(context.Background(), X, y)
		return err
	})
}

func BenchmarkActivationClustering(b *testing.B) {
	benchmarkDefence(b, func(X [][]float64, y []int, _ [][]float64, _ []int) error {
		_, err := ActivationClustering(context.Background(), X, y)
		return err
	})
}

func BenchmarkSphere(b *testing.B) {
	benchmarkDefence(b, func(X [][]float64, y []int, _ [][]float64, _ []int) error {
		_, err := Sphere(context.Background(), X, y)
		return err
	})
}

func BenchmarkSCAn(b *testing.B) {
	benchmarkDefence(b, func(X [][]float64, y []int, cleanX [][]float64, cleanY []int) error {
		_, err := SCAn(context.Background(), cleanX, cleanY, X, y)
		return err
	})
}
