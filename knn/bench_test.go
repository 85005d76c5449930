package knn

import (
	"context"
	"testing"
)

// benchSmoother builds a Spambase-scale Smoother (n = 3680 training rows, 56 raw
// features, σ = 0.5, L = 200) with K neighbours; with classes = 10 the labels are
// synthetic (row index mod 10).
func benchSmoother(b *testing.B, k, classes int) (*Smoother, [][]float64) {
	b.Helper()
	sp := loadSpambase(b)
	y := sp.trainY
	if classes != 2 {
		y = make([]int, len(sp.trainY))
		for i := range y {
			y[i] = i % classes
		}
	}
	s, err := New(sp.trainX, y, WithSigma(0.5), WithK(k), WithClasses(classes), WithWorkers(1))
	if err != nil {
		b.Fatal(err)
	}
	// Warm the lazily computed CDF rows so that the loop measures steady state.
	if _, err := s.ProbabilitiesBatch(context.Background(), sp.testX[:64]); err != nil {
		b.Fatal(err)
	}
	return s, sp.testX
}

func benchProbabilities(b *testing.B, k, classes int) {
	s, X := benchSmoother(b, k, classes)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Probabilities(X[i%len(X)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSpambaseK3C2 is the target setting (≤ 10 ms per input, one core).
func BenchmarkSpambaseK3C2(b *testing.B) { benchProbabilities(b, 3, 2) }

// BenchmarkSpambaseK1C10 uses 10 synthetic classes.
func BenchmarkSpambaseK1C10(b *testing.B) { benchProbabilities(b, 1, 10) }

// BenchmarkSpambaseK5C10 uses 10 synthetic classes.
func BenchmarkSpambaseK5C10(b *testing.B) { benchProbabilities(b, 5, 10) }

// BenchmarkSpambaseBatchK3C2 evaluates 64 inputs per op with ProbabilitiesBatch on all
// cores (GOMAXPROCS workers).
func BenchmarkSpambaseBatchK3C2(b *testing.B) {
	sp := loadSpambase(b)
	s, err := New(sp.trainX, sp.trainY, WithSigma(0.5), WithK(3))
	if err != nil {
		b.Fatal(err)
	}
	X := sp.testX[:64]
	if _, err := s.ProbabilitiesBatch(context.Background(), X); err != nil { // warm the CDF rows
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.ProbabilitiesBatch(context.Background(), X); err != nil {
			b.Fatal(err)
		}
	}
}
