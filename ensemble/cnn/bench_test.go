package cnn

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

// mnistBinary returns the first n MNIST training rows labelled 0 or 1.
func mnistBinary(tb testing.TB, n int) ([][]float64, []int) {
	tb.Helper()
	train, _, err := dataset.MNIST("")
	if err != nil {
		tb.Fatal(err)
	}
	var X [][]float64
	var y []int
	for i, label := range train.Y {
		if (label == 0 || label == 1) && len(X) < n {
			X, y = append(X, train.X[i]), append(y, label)
		}
	}
	return X, y
}

// referenceNet returns the reference MNIST network (2 classes) with random weights and
// a training slab whose inputs are the first rows of MNIST 1-vs-0.
func referenceNet(tb testing.TB, rows int) (*network, *slab, []int) {
	tb.Helper()
	a := arch{h: 28, w: 28, c: 1, kernel: DefaultKernel, filters: DefaultFilters(), hidden: DefaultHidden(), classes: 2}
	lay, err := a.layout()
	if err != nil {
		tb.Fatal(err)
	}
	n := &network{arch: a, lay: lay, params: initParams(&lay, newRNG(1, "init"))}
	s := newSlab(&lay, a.inputs(), rows, true)
	X, y := mnistBinary(tb, rows)
	copy(s.in, toFloat32(X, a.inputs()))
	return n, s, y
}

// BenchmarkEpoch times one epoch of the reference MNIST CNN (the defaults) on 1,280
// rows of MNIST 1-vs-0 (10 minibatches of 128), on 1 and 2 threads. cpu-ns/op is the
// CPU time of all threads.
func BenchmarkEpoch(b *testing.B) {
	X, y := mnistBinary(b, 1280)
	for _, threads := range []int{1, 2} {
		l, err := New(WithImageShape(28, 28, 1), WithEpochs(1), WithThreads(threads))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			cpuLoop(b, func() {
				if _, err := l.Fit(context.Background(), X, y, 2, 1); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkLayers times the stages of one slab of 32 rows through the reference
// network: im2col, pool and col2im of the convolutions, the whole forward and backward
// passes, and the packing of the transposed weights of a step.
func BenchmarkLayers(b *testing.B) {
	const rows = 32
	n, s, y := referenceNet(b, rows)
	n.forward(s, rows)
	g1, g2 := &n.lay.convs[0], &n.lay.convs[1]
	var t transposed
	t.pack(n, n.params)
	grad := make([]float32, n.lay.params)
	for _, stage := range []struct {
		name string
		run  func()
	}{
		{"conv1/im2col", func() { im2col(s.cols[0], s.in, rows, g1) }},
		{"conv1/pool", func() { poolForward(s.pool[0], s.arg[0], s.conv[0], rows, g1) }},
		{"conv2/im2col", func() { im2col(s.cols[1], s.pool[0], rows, g2) }},
		{"conv2/col2im", func() { col2im(s.dA, s.cols[1], rows, g2) }},
		{"forward", func() { n.forward(s, rows) }},
		{"backward", func() { n.backward(s, rows, y, 128, grad, &t) }},
		{"pack", func() { t.pack(n, n.params) }},
	} {
		b.Run(stage.name, func(b *testing.B) { cpuLoop(b, stage.run) })
	}
}

// BenchmarkPredict times Predict of the reference network on 256 rows, the block
// ensemble.VotesBatch hands a member, and reports votes per second of one core.
func BenchmarkPredict(b *testing.B) {
	X, _ := mnistBinary(b, 256)
	n, _, _ := referenceNet(b, 1)
	m := newModel(n)
	out := make([]int, len(X))
	b.ReportAllocs()
	cpuLoop(b, func() {
		if err := m.Predict(X, out); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(b.N*len(X))/b.Elapsed().Seconds(), "votes/s")
}

// liveBytesPerModel decodes n copies of data, keeps them, and returns the growth of
// the live heap per model.
func liveBytesPerModel(tb testing.TB, data []byte, n int) float64 {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	models := make([]*Model, n)
	for i := range models {
		m, err := Decode(data)
		if err != nil {
			tb.Fatal(err)
		}
		models[i] = m
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(models)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkMemberBytes reports the live heap of one decoded member of the reference
// MNIST network (2 classes: 276,930 float32 parameters, 1,107,720 bytes).
func BenchmarkMemberBytes(b *testing.B) {
	n, _, _ := referenceNet(b, 1)
	data, err := newModel(n).MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	per := 0.0
	for b.Loop() {
		per = liveBytesPerModel(b, data, 50)
	}
	b.ReportMetric(per, "bytes/member")
	b.ReportMetric(float64(len(data)), "file-bytes/member")
}

// BenchmarkVotesBatch times ensemble.VotesBatch on 20 members of the reference network
// (random weights: the cost does not depend on them) and 1,135 MNIST rows, the
// reference eval loop's job in bench/cnn, on 2 vote workers; it reports votes/s.
func BenchmarkVotesBatch(b *testing.B) {
	X, _ := mnistBinary(b, 1135)
	models := make([]ensemble.Model, 20)
	for k := range models {
		a := arch{h: 28, w: 28, c: 1, kernel: DefaultKernel, filters: DefaultFilters(), hidden: DefaultHidden(), classes: 2}
		lay, err := a.layout()
		if err != nil {
			b.Fatal(err)
		}
		models[k] = newModel(&network{arch: a, lay: lay, params: initParams(&lay, newRNG(uint64(k), "init"))})
	}
	noise, err := smoothing.Gaussian(0.5)
	if err != nil {
		b.Fatal(err)
	}
	e, err := ensemble.FromModels(models, noise, 2)
	if err != nil {
		b.Fatal(err)
	}
	e = e.WithVoteWorkers(2)
	cpuLoop(b, func() {
		if _, err := e.VotesBatch(context.Background(), X); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(b.N*len(models)*len(X))/b.Elapsed().Seconds(), "votes/s")
}
