package gorgonia

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/buildcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fit trains l on the digits training rows and returns the *Model.
func fit(t *testing.T, l *Learner, d digits, seed uint64) *Model {
	t.Helper()
	m, err := l.Fit(context.Background(), d.trainX, d.trainY, 10, seed)
	require.NoError(t, err)
	require.IsType(t, &Model{}, m)
	return m.(*Model)
}

// marshal returns m's bytes.
func marshal(t *testing.T, m *Model) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	return b
}

// TestLearnsDigits trains on the seeded 1,400/397 split of digits (seed 1) and
// requires more than 95% clean test accuracy; issue 5's acceptance criterion for the
// MLP is 90%, and the margin leaves room for other machines' rounding. Measured here:
//   - default MLP (64 → 64 ReLU → 10, Adam η = 0.005, 20 epochs, batches of 32): 97.7%;
//   - default CNN (conv3×3, 16 filters → ReLU → 2×2 max-pool → 256 → 10), 10 epochs to
//     keep the race run short: 97.0%;
//   - MLP with SGD η = 0.1, 10 epochs: 96.5%; with momentum η = 0.01, 10 epochs: 96.2%.
func TestLearnsDigits(t *testing.T) {
	d := loadDigits(t)
	for _, tc := range []struct {
		name  string
		kind  string
		build func() (*Learner, error)
	}{
		{"MLP", KindMLP, func() (*Learner, error) { return NewMLP() }},
		{"CNN", KindCNN, func() (*Learner, error) { return NewCNN(WithImageShape(8, 8, 1), WithEpochs(10)) }},
		{"MLP SGD", KindMLP, func() (*Learner, error) { return NewMLP(WithOptimizer(SGD), WithLearningRate(0.1), WithEpochs(10)) }},
		{"MLP momentum", KindMLP, func() (*Learner, error) {
			return NewMLP(WithOptimizer(Momentum), WithLearningRate(0.01), WithEpochs(10))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := tc.build()
			require.NoError(t, err)
			m := fit(t, l, d, 1)
			assert.Equal(t, tc.kind, m.Kind())
			acc := accuracy(t, m, d.testX, d.testY)
			t.Logf("%s: clean test accuracy %.4f", tc.name, acc)
			assert.Greater(t, acc, 0.95)
		})
	}
}

// smallDigits is the first 300 training rows of digits, for the fast tests.
func smallDigits(d digits) digits {
	d.trainX, d.trainY = d.trainX[:300], d.trainY[:300]
	return d
}

// TestDeterminism: the same seed gives bit-identical bytes and predictions, also with
// a single OS thread (Gorgonia's im2col and gonum's GEMM use goroutines); a different
// seed gives different bytes.
func TestDeterminism(t *testing.T) {
	d := smallDigits(loadDigits(t))
	mlp, err := NewMLP(WithEpochs(3))
	require.NoError(t, err)
	cnn, err := NewCNN(WithImageShape(8, 8, 1), WithFilters(4), WithEpochs(2), WithBatchSize(50))
	require.NoError(t, err)
	for name, l := range map[string]*Learner{"mlp": mlp, "cnn": cnn} {
		t.Run(name, func(t *testing.T) {
			a, b := fit(t, l, d, 42), fit(t, l, d, 42)
			require.Equal(t, marshal(t, a), marshal(t, b))
			predA, predB := make([]int, len(d.testX)), make([]int, len(d.testX))
			require.NoError(t, a.Predict(d.testX, predA))
			require.NoError(t, b.Predict(d.testX, predB))
			assert.Equal(t, predA, predB)

			procs := runtime.GOMAXPROCS(1)
			single := fit(t, l, d, 42)
			runtime.GOMAXPROCS(procs)
			assert.Equal(t, marshal(t, a), marshal(t, single), "GOMAXPROCS=1 changed the model")

			assert.NotEqual(t, marshal(t, a), marshal(t, fit(t, l, d, 43)))
		})
	}
}

// TestParallelFit trains members concurrently, each goroutine with its own graph and
// machine, and checks they equal the same members trained one after another (run
// with -race to check for data races).
func TestParallelFit(t *testing.T) {
	d := smallDigits(loadDigits(t))
	mlp, err := NewMLP(WithEpochs(2))
	require.NoError(t, err)
	cnn, err := NewCNN(WithImageShape(8, 8, 1), WithFilters(4), WithEpochs(1), WithBatchSize(50))
	require.NoError(t, err)
	learners := []*Learner{mlp, mlp, cnn, cnn, mlp}
	seeds := []uint64{1, 2, 1, 2, 1}
	got := make([][]byte, len(learners))
	var wg sync.WaitGroup
	for i := range learners {
		wg.Go(func() {
			m, err := learners[i].Fit(context.Background(), d.trainX, d.trainY, 10, seeds[i])
			if assert.NoError(t, err) {
				got[i], err = m.MarshalBinary()
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	for i := range learners {
		assert.Equal(t, marshal(t, fit(t, learners[i], d, seeds[i])), got[i], "member %d", i)
	}
	assert.Equal(t, got[0], got[4])
}

// TestFitDoesNotModifyInput checks that Fit leaves X and y as they were.
func TestFitDoesNotModifyInput(t *testing.T) {
	d := smallDigits(loadDigits(t))
	X := make([][]float64, len(d.trainX))
	for i, x := range d.trainX {
		X[i] = append([]float64(nil), x...)
	}
	y := append([]int(nil), d.trainY...)
	l, err := NewCNN(WithImageShape(8, 8, 1), WithFilters(2), WithEpochs(1))
	require.NoError(t, err)
	fit(t, l, d, 3)
	assert.Equal(t, X, d.trainX)
	assert.Equal(t, y, d.trainY)
}

// TestBatchLargerThanData: with fewer rows than the batch size, each epoch is one
// batch of all rows; the MLP still learns (memorises) 20 digits.
func TestBatchLargerThanData(t *testing.T) {
	d := loadDigits(t)
	X, y := d.trainX[:20], d.trainY[:20]
	l, err := NewMLP(WithEpochs(60))
	require.NoError(t, err)
	m, err := l.Fit(context.Background(), X, y, 10, 9)
	require.NoError(t, err)
	assert.Equal(t, 1.0, accuracy(t, m, X, y))
}

// countingContext reports cancellation from the after-th call of Err on.
type countingContext struct {
	context.Context
	calls, after int
}

func (c *countingContext) Err() error {
	c.calls++
	if c.calls >= c.after {
		return context.Canceled
	}
	return nil
}

// TestFitHonoursCancellation: Fit checks the context before every minibatch step, so
// a context cancelled after a few steps stops training right away.
func TestFitHonoursCancellation(t *testing.T) {
	d := smallDigits(loadDigits(t))
	l, err := NewMLP(WithEpochs(1000))
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Fit(cancelled, d.trainX, d.trainY, 10, 1)
	assert.ErrorIs(t, err, context.Canceled)

	ctx := &countingContext{Context: context.Background(), after: 5}
	_, err = l.Fit(ctx, d.trainX, d.trainY, 10, 1)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 5, ctx.calls, "Fit went on after the context was cancelled")
}

// TestFitDiverges: an absurd learning rate drives the weights to infinity, which Fit
// reports instead of returning a broken model.
func TestFitDiverges(t *testing.T) {
	d := smallDigits(loadDigits(t))
	l, err := NewMLP(WithOptimizer(SGD), WithLearningRate(1e300), WithEpochs(2))
	require.NoError(t, err)
	_, err = l.Fit(context.Background(), d.trainX, d.trainY, 10, 1)
	require.Error(t, err)
	assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
	assert.Contains(t, err.Error(), "diverged")
}

func TestFitRejectsBadInput(t *testing.T) {
	mlp, err := NewMLP()
	require.NoError(t, err)
	cnn, err := NewCNN(WithImageShape(2, 2, 1))
	require.NoError(t, err)
	good := [][]float64{{0, 1, 0, 1}, {1, 0, 1, 0}}
	for _, tc := range []struct {
		name    string
		l       *Learner
		X       [][]float64
		y       []int
		classes int
		want    string
	}{
		{"no rows", mlp, nil, nil, 2, "empty data"},
		{"label count", mlp, good, []int{0}, 2, "1 labels for 2 rows"},
		{"one class", mlp, good, []int{0, 0}, 1, "1 classes: want at least 2"},
		{"label too large", mlp, good, []int{0, 2}, 2, "row 1: label 2 is outside [0, 2)"},
		{"negative label", mlp, good, []int{-1, 0}, 2, "row 0: label -1 is outside [0, 2)"},
		{"ragged", mlp, [][]float64{{0, 1}, {1}}, []int{0, 1}, 2, "row 1: 1 features, row 0 has 2"},
		{"empty rows", mlp, [][]float64{{}, {}}, []int{0, 1}, 2, "empty data"},
		{"NaN", mlp, [][]float64{{0, 1}, {math.NaN(), 0}}, []int{0, 1}, 2, "row 1, feature 0: value NaN"},
		{"Inf", mlp, [][]float64{{0, math.Inf(-1)}, {1, 0}}, []int{0, 1}, 2, "row 0, feature 1: value -Inf"},
		{"too many classes", mlp, good, []int{0, 1}, maxWidth + 1, "at most 1048576"},
		{"CNN width", cnn, [][]float64{{0, 1, 0}, {1, 0, 1}}, []int{0, 1}, 2, "rows have width 3 but the CNN's image shape 2×2×1 needs 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.l.Fit(context.Background(), tc.X, tc.y, tc.classes, 1)
			assert.Nil(t, m)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestConstructorsRejectBadOptions: invalid values and nil options are errors wrapping
// ErrInvalidInput that name the constructor. (A nil option used to be skipped; the
// module's option idiom, CONTRIBUTING.md, makes it an error.)
func TestConstructorsRejectBadOptions(t *testing.T) {
	shape := WithImageShape(8, 8, 1)
	for _, tc := range []struct {
		name string
		mlp  []MLPOption // NewMLP's options, if cnn is nil
		cnn  []CNNOption
		want string
	}{
		{"nil MLP option", []MLPOption{WithEpochs(2), nil}, nil, "gorgonia: NewMLP: option 1 is nil"},
		{"nil CNN option", nil, []CNNOption{shape, nil}, "gorgonia: NewCNN: option 1 is nil"},
		{"zero epochs", []MLPOption{WithEpochs(0)}, nil, "gorgonia: NewMLP: WithEpochs(0)"},
		{"zero batch", []MLPOption{WithBatchSize(0)}, nil, "WithBatchSize(0)"},
		{"zero rate", []MLPOption{WithLearningRate(0)}, nil, "WithLearningRate(0)"},
		{"NaN rate", []MLPOption{WithLearningRate(math.NaN())}, nil, "WithLearningRate(NaN)"},
		{"Inf rate", []MLPOption{WithLearningRate(math.Inf(1))}, nil, "WithLearningRate(+Inf)"},
		{"optimizer", []MLPOption{WithOptimizer(Optimizer(7))}, nil, "unknown optimizer"},
		{"hidden width", []MLPOption{WithHidden(8, 0)}, nil, "hidden layer 1 has width 0"},
		{"CNN without shape", nil, []CNNOption{WithEpochs(2)}, "pass WithImageShape"},
		{"CNN bad shape", nil, []CNNOption{WithImageShape(8, -1, 1)}, "image shape 8×-1×1"},
		{"CNN too small", nil, []CNNOption{WithImageShape(3, 3, 1), WithFilters(4, 4)}, "too small for 2 convolution blocks"},
		{"CNN no blocks", nil, []CNNOption{shape, WithFilters()}, "0 convolution blocks"},
		{"CNN zero filters", nil, []CNNOption{shape, WithFilters(0)}, "block 0 has 0 filters"},
		{"CNN too wide", nil, []CNNOption{shape, WithFilters(1 << 15)}, "more than 1048576"},
		{"CNN epochs", nil, []CNNOption{shape, WithEpochs(-1)}, "gorgonia: NewCNN: WithEpochs(-1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l *Learner
			var err error
			if tc.cnn != nil {
				l, err = NewCNN(tc.cnn...)
			} else {
				l, err = NewMLP(tc.mlp...)
			}
			assert.Nil(t, l)
			assert.ErrorIs(t, err, ensemble.ErrInvalidInput)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestMisplacedOptionsDoNotCompile: WithFilters and WithImageShape are CNNOptions,
// which NewMLP does not take (testdata/misplaced).
func TestMisplacedOptionsDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildcheck.Expect(t, "testdata/misplaced")
}

// TestDescribe: the description names the kind and every setting, and differs when a
// setting does.
func TestDescribe(t *testing.T) {
	mlp, err := NewMLP(WithHidden(8), WithEpochs(3))
	require.NoError(t, err)
	kind, config := mlp.Describe()
	assert.Equal(t, KindMLP, kind)
	assert.Equal(t, `{"epochs":3,"batchSize":32,"learningRate":0.005,"optimizer":"Adam","hidden":[8]}`, config)
	cnn, err := NewCNN(WithImageShape(8, 8, 1), WithFilters(4, 2))
	require.NoError(t, err)
	kind, config = cnn.Describe()
	assert.Equal(t, KindCNN, kind)
	assert.Equal(t, `{"epochs":20,"batchSize":32,"learningRate":0.005,"optimizer":"Adam","hidden":[],"filters":[4,2],"image":[8,8,1]}`, config)
	other, err := NewMLP(WithHidden(8), WithEpochs(3), WithOptimizer(SGD))
	require.NoError(t, err)
	_, otherConfig := other.Describe()
	assert.NotEqual(t, otherConfig, config)
}

// TestOptionsAreCopied: changing the slice passed to WithHidden afterwards does not
// change the learner.
func TestOptionsAreCopied(t *testing.T) {
	widths := []int{3}
	l, err := NewMLP(WithHidden(widths...))
	require.NoError(t, err)
	widths[0] = 0
	assert.Equal(t, []int{3}, l.arch.hidden)
}

func TestOptimizerString(t *testing.T) {
	assert.Equal(t, "Adam", Adam.String())
	assert.Equal(t, "SGD", SGD.String())
	assert.Equal(t, "Momentum", Momentum.String())
	assert.Equal(t, "Optimizer(9)", Optimizer(9).String())
}

// TestErrorsAreNotPanics: graph-construction failures surface as errors.
func TestErrorsAreNotPanics(t *testing.T) {
	err := func() (err error) {
		defer recoverPanic(&err)
		must(nil, errors.New("boom"))
		return nil
	}()
	assert.EqualError(t, err, "gorgonia: building the training graph: boom")
	err = func() (err error) {
		defer recoverPanic(&err)
		var m map[string]int
		m["x"] = 1 // a runtime panic, as a Gorgonia bug would raise
		return nil
	}()
	assert.ErrorContains(t, err, "gorgonia: internal panic")
}
