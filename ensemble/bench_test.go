package ensemble_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/internal/dense"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

// spambase returns the Spambase split used by the benchmarks: 3,681 training rows and
// 920 test rows, 56 features.
func spambase(b testing.TB) (train, test dataset.Set) {
	s, err := dataset.SpambaseRAB()
	if err != nil {
		b.Fatal(err)
	}
	train, test = dataset.Split(s, 0.2, 1)
	return train, test
}

// BenchmarkTrainSpambase trains N = 100 and N = 1,000 logistic members (σ = 0.5,
// default options, all cores) per operation; ns/member is the figure to multiply by N.
func BenchmarkTrainSpambase(b *testing.B) {
	train, _ := spambase(b)
	learner, _ := logistic.New()
	noise, _ := smoothing.Gaussian(0.5)
	for _, members := range []int{100, 1000} {
		b.Run(fmt.Sprintf("N=%d", members), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ensemble.Train(context.Background(), train.X, train.Y, learner, noise, ensemble.WithModels(members)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*members), "ns/member")
		})
	}
}

var (
	big     *ensemble.Ensemble
	bigErr  error
	bigOnce sync.Once
)

// spambaseEnsemble trains N = 1,000 logistic members on Spambase once per benchmark
// binary (a few seconds).
func spambaseEnsemble(b *testing.B) *ensemble.Ensemble {
	train, _ := spambase(b)
	bigOnce.Do(func() {
		learner, _ := logistic.New()
		noise, _ := smoothing.Gaussian(0.5)
		big, bigErr = ensemble.Train(context.Background(), train.X, train.Y, learner, noise, ensemble.WithModels(1000))
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return big
}

// BenchmarkVotesSpambase: the votes of N = 1,000 members on one input.
func BenchmarkVotesSpambase(b *testing.B) {
	e := spambaseEnsemble(b)
	_, test := spambase(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := e.Votes(context.Background(), test.X[i%len(test.X)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVotesBatchSpambase: the votes of N = 1,000 members on the 920 test inputs.
func BenchmarkVotesBatchSpambase(b *testing.B) {
	e := spambaseEnsemble(b)
	_, test := spambase(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.VotesBatch(context.Background(), test.X); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(test.X)), "ns/input")
}

// BenchmarkSaveSpambase and BenchmarkLoadSpambase write and read N = 1,000 members.
func BenchmarkSaveSpambase(b *testing.B) {
	e := spambaseEnsemble(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := e.Save(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkLoadSpambase(b *testing.B) {
	e := spambaseEnsemble(b)
	var buf bytes.Buffer
	if err := e.Save(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ensemble.Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// Reference-CNN-sized members: dense.Model with d = 784 (an MNIST image), h = 350,
// C = 10 has 277,900 float32 parameters, 1.11 MB, as the reference CNN of issue 12.
const denseD, denseH, denseC = 784, 350, 10

// denseEnsemble returns an ensemble of n dense members built by FromModels.
func denseEnsemble(b testing.TB, n int) *ensemble.Ensemble {
	models := make([]ensemble.Model, n)
	for k := range models {
		models[k] = dense.New(denseD, denseH, denseC, uint64(k))
	}
	noise, _ := smoothing.Gaussian(0.5)
	e, err := ensemble.FromModels(models, noise, denseC)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkVotesBatchDense: 20 members of 1.1 MB each vote on 1,135 inputs (the size
// of issue 12's MNIST 1-vs-0 test set); votes/s is members × inputs per second.
func BenchmarkVotesBatchDense(b *testing.B) {
	e := denseEnsemble(b, 20)
	rng := rand.New(rand.NewPCG(1, 2))
	X := make([][]float64, 1135)
	for i := range X {
		X[i] = make([]float64, denseD)
		for j := range X[i] {
			X[i][j] = rng.Float64()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.VotesBatch(context.Background(), X); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*e.Len()*len(X))/b.Elapsed().Seconds(), "votes/s")
}

// BenchmarkTrainProcessesSpambase: wall time of training N = 1,000 logistic members on
// Spambase (σ = 0.5) in one process (Train, then Save), and in two processes at once
// (TrainShard of half the members each, Save), then LoadShard, Merge and Save here;
// each iteration runs both, one after the other, so that they see the same load. Both
// end with the same ensemble file; process start-up and file I/O are included. It
// reports the mean wall time of each, their ratio, and the child processes' CPU time.
// Run with -benchtime 3x.
func BenchmarkTrainProcessesSpambase(b *testing.B) {
	const n = 1000
	var wall, cpu [2]time.Duration
	var want []byte
	for b.Loop() {
		for i, m := range []int{0, 2} { // 0: Train in one process
			start := time.Now()
			e, used := trainInProcesses(b, "spambase", n, m, b.TempDir())
			var buf bytes.Buffer
			if err := e.Save(&buf); err != nil {
				b.Fatal(err)
			}
			wall[i] += time.Since(start)
			cpu[i] += used
			if want == nil {
				want = buf.Bytes()
			} else if !bytes.Equal(want, buf.Bytes()) {
				b.Fatal("the processes' ensembles differ")
			}
		}
	}
	for i, name := range []string{"1proc", "2proc"} {
		b.ReportMetric(wall[i].Seconds()/float64(b.N), "wall-s/"+name)
		b.ReportMetric(cpu[i].Seconds()/float64(b.N), "cpu-s/"+name)
	}
	b.ReportMetric(wall[0].Seconds()/wall[1].Seconds(), "speedup")
}
