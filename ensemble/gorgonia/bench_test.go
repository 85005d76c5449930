package gorgonia

import (
	"context"
	"testing"
)

// benchmarkFit times one Fit (one ensemble member) on the 1,400 digits training rows.
func benchmarkFit(b *testing.B, l *Learner, err error) {
	if err != nil {
		b.Fatal(err)
	}
	d := loadDigits(b)
	seed := uint64(0)
	for b.Loop() {
		seed++
		if _, err := l.Fit(context.Background(), d.trainX, d.trainY, 10, seed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitMLP: the default MLP, 64 → 64 → 10, 20 epochs of 43 batches of 32.
func BenchmarkFitMLP(b *testing.B) {
	l, err := NewMLP()
	benchmarkFit(b, l, err)
}

// BenchmarkFitCNN: the default CNN on 8×8×1, 20 epochs of 43 batches of 32.
func BenchmarkFitCNN(b *testing.B) {
	l, err := NewCNN(WithImageShape(8, 8, 1))
	benchmarkFit(b, l, err)
}

// benchmarkPredict times Predict of a model trained with seed 1 on digits, batch rows
// per call, and reports the time per row and, from it, the votes per second of an
// ensemble of N = 1000 such models on one core: 1 / (1000 × time per row).
func benchmarkPredict(b *testing.B, l *Learner, err error, batch int) {
	if err != nil {
		b.Fatal(err)
	}
	d := loadDigits(b)
	trained, err := l.Fit(context.Background(), d.trainX, d.trainY, 10, 1)
	if err != nil {
		b.Fatal(err)
	}
	X := d.testX[:batch]
	out := make([]int, batch)
	b.ReportAllocs()
	for b.Loop() {
		if err := trained.Predict(X, out); err != nil {
			b.Fatal(err)
		}
	}
	perRow := float64(b.Elapsed().Nanoseconds()) / float64(b.N*batch)
	b.ReportMetric(perRow, "ns/row")
	b.ReportMetric(1e9/(1000*perRow), "votes/s(N=1000)")
}

func BenchmarkPredictMLPRow(b *testing.B) {
	l, err := NewMLP()
	benchmarkPredict(b, l, err, 1)
}

func BenchmarkPredictMLPBatch(b *testing.B) {
	l, err := NewMLP()
	benchmarkPredict(b, l, err, 256)
}

func BenchmarkPredictCNNRow(b *testing.B) {
	l, err := NewCNN(WithImageShape(8, 8, 1))
	benchmarkPredict(b, l, err, 1)
}
