package ensemble

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// blockRows is the number of inputs a member predicts in one call: it bounds each
// worker's scratch to blockRows·d values however large the batch.
const blockRows = 256

// Votes returns the vote counts of the members on x, counts[c] = |{k : h_k(x + u_k) = c}|
// (eq. (17) times N; Algorithm 2, line 1), with len(counts) = Classes(). The members
// vote in parallel: on Train's WithWorkers goroutines for a trained ensemble, else on
// GOMAXPROCS (see WithVoteWorkers). x must be finite and have Dim() features (it fixes
// Dim if unknown; see FromModels). A member that fails, panics or predicts a class
// outside [0, C) fails the call with an error naming it. Votes stops with ctx.Err() when
// ctx is cancelled.
func (e *Ensemble) Votes(ctx context.Context, x []float64) ([]int, error) {
	counts, err := e.VotesBatch(ctx, [][]float64{x})
	if err != nil {
		return nil, err
	}
	return counts[0], nil
}

// VotesBatch returns Votes for every row of X: counts[i][c] is the number of members
// voting c on X[i]. X must have at least one row; an empty batch is an error wrapping
// ErrInvalidInput.
//
// The work is member-major: a worker takes one member and runs the whole batch through
// it in chunks of up to 256 rows, one Predict call per chunk, so a large member's
// weights are read once per chunk, not once per input, and stay in the worker's cache
// from chunk to chunk. With fewer members than workers, each member's chunks are split
// between several workers. Every worker counts into its own array; the counts are sums
// of integers, so they do not depend on the number of workers or on scheduling.
func (e *Ensemble) VotesBatch(ctx context.Context, X [][]float64) ([][]int, error) {
	if err := e.usable("votes"); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errs.Invalid("ensemble: votes: nil context: pass context.Background() or a real context")
	}
	if len(X) == 0 {
		return nil, errs.Invalid("ensemble: votes: no inputs: X has no rows; pass at least one input")
	}
	d, err := check.Matrix(X)
	if err != nil {
		return nil, fmt.Errorf("ensemble: votes: %w", err)
	}
	if err := e.s.fixDim(d); err != nil {
		return nil, fmt.Errorf("ensemble: votes: %w", err)
	}
	c := e.s.classes
	flat := make([]int, len(X)*c)
	counts := make([][]int, len(X))
	for i := range counts {
		counts[i] = flat[i*c : (i+1)*c : (i+1)*c]
	}
	workers := e.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	v := newVoting(e, X, d, workers)
	workers = min(workers, v.tasks)
	extra := make([]*[]int, workers-1) // the other workers' counts, merged below
	var wg sync.WaitGroup
	for w := range extra {
		extra[w] = zeroCounts(len(flat))
		wg.Go(func() { v.work(ctx, *extra[w]) })
	}
	v.work(ctx, flat)
	wg.Wait()
	for _, part := range extra {
		for i, n := range *part {
			flat[i] += n
		}
		countsPool.Put(part)
	}
	if v.err != nil {
		return nil, v.err
	}
	if v.stopped.Load() { // cancelled before every task ran
		return nil, fmt.Errorf("ensemble: votes: %w", ctx.Err())
	}
	return counts, nil
}

// voting is one VotesBatch call. Its tasks are (member, group of chunks) pairs in
// member-major order, handed to workers through next: member k = task / groups runs
// the chunks of group task % groups.
type voting struct {
	e      *Ensemble
	X      [][]float64
	d      int
	chunks int // chunks of up to blockRows rows
	groups int // groups of chunks per member: 1 unless members are fewer than workers
	tasks  int // members × groups

	next    atomic.Int64
	stopped atomic.Bool
	errMu   sync.Mutex
	err     error
	errK    int
}

// newVoting plans the tasks of a call on X for the given number of workers.
func newVoting(e *Ensemble, X [][]float64, d, workers int) *voting {
	chunks := (len(X) + blockRows - 1) / blockRows
	n := len(e.s.members)
	groups := min(chunks, (workers+n-1)/n)
	return &voting{e: e, X: X, d: d, chunks: chunks, groups: groups, tasks: n * groups}
}

// scratch is a worker's reusable buffers.
type scratch struct {
	noisy []float64   // blockRows·d values: the chunk plus u_k
	rows  [][]float64 // rows of noisy
	pred  []int       // predictions of the chunk
}

var (
	scratchPool = sync.Pool{New: func() any { return new(scratch) }}
	countsPool  = sync.Pool{New: func() any { return new([]int) }}
)

// zeroCounts returns a pooled count array of n zeros.
func zeroCounts(n int) *[]int {
	p := countsPool.Get().(*[]int)
	if cap(*p) < n {
		*p = make([]int, n)
	}
	*p = (*p)[:n]
	clear(*p)
	return p
}

// work runs tasks until none is left or the call fails, adding votes into counts.
func (v *voting) work(ctx context.Context, counts []int) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	members := v.e.s.members
	for !v.stopped.Load() {
		task := int(v.next.Add(1) - 1)
		if task >= v.tasks {
			return
		}
		k, group := task/v.groups, task%v.groups
		for chunk := group * v.chunks / v.groups; chunk < (group+1)*v.chunks/v.groups; chunk++ {
			if ctx.Err() != nil {
				v.stopped.Store(true)
				return
			}
			lo, hi := chunk*blockRows, min((chunk+1)*blockRows, len(v.X))
			if err := v.vote(members[k], lo, hi, sc, counts); err != nil {
				v.fail(k, err)
				break
			}
		}
	}
}

// vote adds member m's votes on the rows lo…hi−1 into counts.
func (v *voting) vote(m *member, lo, hi int, sc *scratch, counts []int) error {
	X := v.X[lo:hi]
	rows := X
	if v.e.testNoise {
		rows = sc.addNoise(X, m.noise, v.d)
	}
	pred := sc.predictions(len(X))
	if err := m.predict(rows, pred); err != nil {
		return errs.Invalid("predicting inputs %d to %d: %w", lo, hi-1, err)
	}
	c := v.e.s.classes
	for i, p := range pred {
		if p < 0 || p >= c {
			return errs.Invalid("predicted class %d for input %d: want a class in [0, %d)", p, lo+i, c)
		}
		counts[(lo+i)*c+p]++
	}
	return nil
}

// predict runs the member's model on rows under its lock. pred is first filled with −1,
// so that a model that returns without writing its predictions is reported as out of
// range instead of repeating the previous member's votes; a panic is returned as an
// error.
func (m *member) predict(rows [][]float64, pred []int) (err error) {
	for i := range pred {
		pred[i] = -1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer recoverPanic(&err)
	return m.model.Predict(rows, pred)
}

// fail records a member's error (the one with the lowest member index) and stops the
// call.
func (v *voting) fail(k int, err error) {
	v.errMu.Lock()
	defer v.errMu.Unlock()
	if v.err == nil || k < v.errK {
		v.errK = k
		v.err = fmt.Errorf("ensemble: votes: member %d: %w", k, err)
	}
	v.stopped.Store(true)
}

// addNoise returns the rows x_i + u, written into the scratch buffer.
func (sc *scratch) addNoise(X [][]float64, u []float64, d int) [][]float64 {
	if cap(sc.noisy) < len(X)*d {
		sc.noisy = make([]float64, blockRows*d)
	}
	if cap(sc.rows) < len(X) {
		sc.rows = make([][]float64, blockRows)
	}
	rows := sc.rows[:len(X)]
	for i, x := range X {
		row := sc.noisy[i*d : (i+1)*d : (i+1)*d]
		for j, xj := range x {
			row[j] = xj + u[j]
		}
		rows[i] = row
	}
	return rows
}

// predictions returns a prediction buffer for n rows.
func (sc *scratch) predictions(n int) []int {
	if cap(sc.pred) < n {
		sc.pred = make([]int, blockRows)
	}
	return sc.pred[:n]
}
