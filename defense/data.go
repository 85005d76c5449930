package defense

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// minClassRows is the fewest rows a class that occurs must have: every defence
// compares a row with the rest of its class.
const minClassRows = 2

// class is the rows of one label, in ascending order.
type class struct {
	label int
	rows  []int
}

// labelledSet is a validated set of representations with labels, grouped by class.
type labelledSet struct {
	X       [][]float64
	d       int
	classes int
	byClass []class // the classes that occur, by ascending label
	// scale is the power of two the defences multiply X by, so that the largest
	// magnitude lies in [1/2, 1): squares and sums of squares of any finite input
	// neither overflow nor underflow, and, a power of two being exact, every other
	// value is the same bit for bit as without it (subnormal values aside).
	scale float64
}

// newDataset checks X and y (finite, equal-length rows; one label per row in
// [0, classes); at least minClassRows rows in every class that occurs) and groups the
// rows by label. classes is max(y)+1 unless the config sets it.
func newDataset(X [][]float64, y []int, cfg *config) (*labelledSet, error) {
	d, err := check.Matrix(X)
	if err != nil {
		return nil, err
	}
	classes := cfg.classes
	if cfg.set&setClasses == 0 {
		classes = 0
		for _, c := range y {
			classes = max(classes, c+1)
		}
		if classes > MaxClasses {
			return nil, errs.At(-1, -1, "labels up to %d: want at most %d classes", classes-1, MaxClasses)
		}
	}
	if err := check.Labels(y, len(X), classes); err != nil {
		return nil, err
	}
	ds := &labelledSet{X: X, d: d, classes: classes, scale: unitScale(X)}
	order := make([]int, len(y))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return y[a] - y[b] })
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && y[order[end]] == y[order[start]] {
			end++
		}
		rows := order[start:end:end]
		if len(rows) < minClassRows {
			return nil, errs.At(rows[0], -1, "class %d has %d row: want at least %d rows in every class that occurs", y[rows[0]], len(rows), minClassRows)
		}
		ds.byClass = append(ds.byClass, class{label: y[rows[0]], rows: rows})
		start = end
	}
	return ds, nil
}

// unitScale returns 2⁻ᵉ for the largest magnitude m ∈ [2ᵉ⁻¹, 2ᵉ) in X (1 if X is
// all zeros).
func unitScale(X [][]float64) float64 {
	m := 0.0
	for _, row := range X {
		for _, v := range row {
			m = max(m, math.Abs(v))
		}
	}
	if m == 0 {
		return 1
	}
	_, e := math.Frexp(m)
	return math.Ldexp(1, -e)
}

// rows copies the given rows of X, times scale, into a dense matrix.
func (ds *labelledSet) rows(rows []int) *mat.Dense {
	A := mat.NewDense(len(rows), ds.d, nil)
	for r, i := range rows {
		floats.ScaleTo(A.RawRowView(r), ds.scale, ds.X[i])
	}
	return A
}

// centred returns the rows of class c, scaled, as a dense matrix centred on their
// mean, and the mean.
func (ds *labelledSet) centred(c class) (*mat.Dense, []float64) {
	A := ds.rows(c.rows)
	return A, centre(A)
}

// centre subtracts from every row of A the mean of the rows, and returns the mean.
func centre(A *mat.Dense) []float64 {
	n, d := A.Dims()
	mean := make([]float64, d)
	for r := range n {
		for j, v := range A.RawRowView(r) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for r := range n {
		row := A.RawRowView(r)
		for j := range row {
			row[j] -= mean[j]
		}
	}
	return mean
}

// forEachClass calls fn(k) for every class index k of ds.byClass, on up to workers
// goroutines. A class is skipped once a lower one has failed (or met a cancelled ctx),
// so every class up to the lowest failing one runs, and the error returned, that of
// the lowest failing class, is the same for any number of workers.
func (ds *labelledSet) forEachClass(ctx context.Context, workers int, fn func(k int) error) error {
	n := len(ds.byClass)
	errList := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var firstFailed atomic.Int64 // lowest class index whose call failed, or n
	firstFailed.Store(int64(n))
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if int64(k) > firstFailed.Load() {
					continue
				}
				if errList[k] = ctx.Err(); errList[k] == nil {
					errList[k] = fn(k)
				}
				for f := firstFailed.Load(); errList[k] != nil && int64(k) < f; f = firstFailed.Load() {
					firstFailed.CompareAndSwap(f, int64(k))
				}
			}
		}()
	}
	for k := range n {
		next <- k
	}
	close(next)
	wg.Wait()
	for _, err := range errList {
		if err != nil {
			return err
		}
	}
	return nil
}

// prepare validates the options and the data of a defence named fn.
func prepare[O any](ctx context.Context, fn string, X [][]float64, y []int, opts []O, apply func(O, *config)) (*labelledSet, config, error) {
	if ctx == nil {
		return nil, config{}, errs.Invalid("defense: %s: nil context", fn)
	}
	cfg, err := newConfig(fn, opts, apply)
	if err != nil {
		return nil, cfg, err
	}
	ds, err := newDataset(X, y, &cfg)
	if err != nil {
		return nil, cfg, fmt.Errorf("defense: %s: %w", fn, err)
	}
	return ds, cfg, nil
}
