package logistic

import (
	"context"
	"testing"

	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

// BenchmarkFitSpambase fits one model (default options) on a noisy copy (σ = 0.5) of
// the Spambase training split: 3,681 rows × 56 features, 2 classes.
func BenchmarkFitSpambase(b *testing.B) {
	s, err := dataset.SpambaseRAB()
	if err != nil {
		b.Fatal(err)
	}
	train, _ := dataset.Split(s, 0.2, 1)
	noise, _ := smoothing.Gaussian(0.5)
	X, _ := noise.PerturbData(smoothing.Stream(1, 0), train.X)
	l, _ := New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Fit(context.Background(), X, train.Y, 2, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictSpambase predicts the 920 rows of the Spambase test split.
func BenchmarkPredictSpambase(b *testing.B) {
	s, _ := dataset.SpambaseRAB()
	train, test := dataset.Split(s, 0.2, 1)
	l, _ := New()
	m, err := l.Fit(context.Background(), train.X, train.Y, 2, 0)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]int, len(test.X))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Predict(test.X, out); err != nil {
			b.Fatal(err)
		}
	}
}
