package rab

import (
	"context"
	"testing"
	"time"

	"github.com/rabcert/rab/internal/dataset"
)

// spambaseSplit returns the 3,681 training rows and the test rows of the seeded
// 80/20 split of Spambase.
func spambaseSplit(b *testing.B) (train, test dataset.Set) {
	all, err := dataset.SpambaseRAB()
	if err != nil {
		b.Fatal(err)
	}
	train, test = dataset.Split(all, 0.2, 1)
	return train, test
}

// benchmarkCertify certifies 64 Spambase test rows per op with a model trained on the
// 3,681 training rows of the seeded 80/20 split.
func benchmarkCertify(b *testing.B, opts ...Option) {
	train, test := spambaseSplit(b)
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

// BenchmarkCertifyKNNLabelFlips32 is BenchmarkCertifyKNN with WithLabelFlips(32).
func BenchmarkCertifyKNNLabelFlips32(b *testing.B) {
	benchmarkCertify(b, WithKNN(3), WithSigma(0.5), WithLabelFlips(32))
}

// BenchmarkCertifyEnsemble: 1,000 logistic-regression members, σ = 0.5, α = 0.001.
func BenchmarkCertifyEnsemble(b *testing.B) {
	benchmarkCertify(b, WithSigma(0.5), WithModels(1000))
}

// BenchmarkCertifyKNNLabelFlips measures the cost of WithLabelFlips(32) over plain
// certification (issue 15: at most 1.5× per input) interleaved, so that both see the
// same load: each op certifies the same 64 Spambase test rows with the plain model and
// with the one certifying 32 relabelled rows (exact smoothed 3-NN, σ = 0.5, L = 200,
// CDF tables built before timing), and the benchmark reports both times per input
// and their ratio.
func BenchmarkCertifyKNNLabelFlips(b *testing.B) {
	train, test := spambaseSplit(b)
	X := test.X[:64]
	models := make([]*Model, 2)
	for i, opts := range [][]Option{{}, {WithLabelFlips(32)}} {
		m, err := Train(context.Background(), train.X, train.Y, append(opts, WithKNN(3), WithSigma(0.5))...)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.CertifyBatch(context.Background(), X); err != nil { // build the CDF cells
			b.Fatal(err)
		}
		models[i] = m
	}
	var elapsed [2]time.Duration
	b.ResetTimer()
	for b.Loop() {
		for i, m := range models {
			start := time.Now()
			if _, err := m.CertifyBatch(context.Background(), X); err != nil {
				b.Fatal(err)
			}
			elapsed[i] += time.Since(start)
		}
	}
	perInput := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*len(X)) }
	b.ReportMetric(perInput(elapsed[0]), "plain-ns/input")
	b.ReportMetric(perInput(elapsed[1]), "flips-ns/input")
	b.ReportMetric(float64(elapsed[1])/float64(elapsed[0]), "flips/plain")
}
