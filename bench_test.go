package rab

import (
	"context"
	"testing"

	"github.com/rabcert/rab/internal/dataset"
)

// benchmarkCertify certifies 64 Spambase test rows per op with a model trained on the
// 3,681 training rows of the seeded 80/20 split.
func benchmarkCertify(b *testing.B, opts ...Option) {
	all, err := dataset.SpambaseRAB()
	if err != nil {
		b.Fatal(err)
	}
	train, test := dataset.Split(all, 0.2, 1)
	m, err := Train(context.Background(), train.X, train.Y, opts...)
	if err != nil {
		b.Fatal(err)
	}
	X := test.X[:64]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.CertifyBatch(context.Background(), X); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(X)), "ns/input")
}

// BenchmarkCertifyKNN: exact smoothed 3-NN, σ = 0.5, L = 200 (the paper's Spambase setting).
func BenchmarkCertifyKNN(b *testing.B) {
	benchmarkCertify(b, WithKNN(3), WithSigma(0.5))
}

// BenchmarkCertifyEnsemble: 1,000 logistic-regression members, σ = 0.5, α = 0.001.
func BenchmarkCertifyEnsemble(b *testing.B) {
	benchmarkCertify(b, WithSigma(0.5), WithModels(1000))
}
