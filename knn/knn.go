package knn

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// DefaultK is the default number of neighbours (the paper's Table 2 uses K = 3).
const DefaultK = 3

// DefaultTolerance is the default target for the reported truncation error bound.
const DefaultTolerance = 1e-10

// Limits that keep time and memory bounded (New rejects larger values):
const (
	// MaxClasses is the largest number of classes C. The vote costs O(C·K³) per
	// (point, bucket) pair: C = 1000 takes about 1 s per Spambase input.
	MaxClasses = 1024
	// MaxLevels is the largest number of levels L.
	MaxLevels = 1 << 16
	// MaxEdgeRatio is the largest b_{L−1}/σ² (last finite edge over σ²). The CDF tables
	// grow as √(b/σ²): 10⁸ keeps them near 10⁴ entries per edge. The default edges
	// stay below 2.6·10⁶; larger ratios mean edges far beyond the noise scale, where
	// the quantisation says nothing the last bucket does not.
	MaxEdgeRatio = 1e8
)

// Smoother is the exactly smoothed K-NN classifier of Theorem 3 (Appendix B of the
// RAB paper): every training point x_i receives independent N(0, σ²I) noise, squared
// distances to the input are quantised into L buckets, the K first points by (bucket,
// training index) vote, and a class tie goes to the smallest label. Probabilities
// returns P(prediction = c) for that random training set, computed exactly (up to a
// reported truncation bound), without sampling.
//
// A Smoother is safe for concurrent use.
type Smoother struct {
	x        []float64 // n×d, row-major copy of the training inputs
	y        []int
	n, d     int
	k        int
	classes  int
	sigma    float64
	edges    []float64 // b_1 … b_{L−1}
	table    *cdfTable // edges in χ² units
	workers  int
	tol      float64
	progress func(done, total int)
	pool     sync.Pool
}

// New builds a Smoother from training inputs X (n rows of equal dimension d) and labels
// y. WithSigma is required; a nil option is an error. X and y are copied.
func New(X [][]float64, y []int, opts ...Option) (*Smoother, error) {
	cfg := config{k: DefaultK, workers: runtime.GOMAXPROCS(0), tol: DefaultTolerance}
	if err := applyOptions("New", &cfg, opts, Option.apply); err != nil {
		return nil, err
	}
	s, err := build(X, y, cfg)
	if err != nil {
		return nil, fmt.Errorf("knn: New: %w", err)
	}
	return s, nil
}

// Sigma returns the noise standard deviation σ.
func (s *Smoother) Sigma() float64 { return s.sigma }

// K returns the number of neighbours.
func (s *Smoother) K() int { return s.k }

// Classes returns the number of classes C.
func (s *Smoother) Classes() int { return s.classes }

// Dim returns the input dimension d.
func (s *Smoother) Dim() int { return s.d }

// Len returns the number of training points n.
func (s *Smoother) Len() int { return s.n }

// Levels returns the number of similarity levels L = len(Edges())+1.
func (s *Smoother) Levels() int { return len(s.edges) + 1 }

// Edges returns a copy of the finite bucket edges b_1 < … < b_{L−1} (squared distance).
func (s *Smoother) Edges() []float64 { return append([]float64(nil), s.edges...) }

// Tolerance returns the target truncation tolerance (see WithTolerance).
func (s *Smoother) Tolerance() float64 { return s.tol }

// Probabilities returns P(h(D+ε, x) = c) for every class c, where h is the quantised
// K-NN rule and ε the Gaussian noise on the training points. The values lie in [0, 1]
// and sum to 1; each is exact up to the bound reported by ProbabilitiesWithError.
func (s *Smoother) Probabilities(x []float64) ([]float64, error) {
	ev, err := s.evaluateOne("Probabilities", x, 0)
	return ev.Probs, err
}

// ProbabilitiesWithError is Probabilities with a bound on its error: for every class c,
//
//	|probs[c] − P(h(D+ε, x) = c)| ≤ errBound,
//
// where P is the exact probability of the quantised model (the Smoother's edges). The
// bound adds up every truncation (training points too far to matter, buckets outside
// the window holding the K-th neighbour, series tails, negligible probabilities set to
// zero), the renormalisation to a sum of 1 and a worst-case bound on floating-point
// rounding, assuming exp and log are accurate to a few ulps. With the default
// tolerance it is typically ~10⁻¹¹ (see WithTolerance). A certificate should use
// probs[A] − errBound and probs[B] + errBound.
func (s *Smoother) ProbabilitiesWithError(x []float64) (probs []float64, errBound float64, err error) {
	ev, err := s.evaluateOne("ProbabilitiesWithError", x, 0)
	return ev.Probs, ev.ErrBound, err
}

// Evaluate returns the class probabilities of ProbabilitiesWithError together with
// the quantisation diagnostics Ties and LastBucket (see Evaluation), computed in the
// same pass.
func (s *Smoother) Evaluate(x []float64) (Evaluation, error) {
	return s.evaluateOne("Evaluate", x, withDiagnostics)
}

// EvaluateWithMembership is Evaluate together with the membership probabilities
// m_j = P(training point j is among the K voters) (Evaluation.Membership), computed in
// the same pass; they bound how far relabelling training rows can move the class
// probabilities (see Membership.FlipBound and the package documentation, "Label
// flips"). The class probabilities and diagnostics are those of Evaluate, bit for bit.
func (s *Smoother) EvaluateWithMembership(x []float64) (Evaluation, error) {
	return s.evaluateOne("EvaluateWithMembership", x, withDiagnostics|withMembership)
}

// ProbabilitiesBatch evaluates Probabilities for every row of X on WithWorkers
// goroutines. It stops early with ctx's error when ctx is cancelled. Results do not
// depend on the number of workers. X must have at least one row.
func (s *Smoother) ProbabilitiesBatch(ctx context.Context, X [][]float64) ([][]float64, error) {
	evs, err := s.evaluateBatch(ctx, "ProbabilitiesBatch", X, 0)
	if err != nil {
		return nil, err
	}
	probs := make([][]float64, len(evs))
	for i, ev := range evs {
		probs[i] = ev.Probs
	}
	return probs, nil
}

// ProbabilitiesBatchWithError is ProbabilitiesBatch with the per-input error bounds of
// ProbabilitiesWithError.
func (s *Smoother) ProbabilitiesBatchWithError(ctx context.Context, X [][]float64) ([][]float64, []float64, error) {
	evs, err := s.evaluateBatch(ctx, "ProbabilitiesBatchWithError", X, 0)
	if err != nil {
		return nil, nil, err
	}
	probs := make([][]float64, len(evs))
	bounds := make([]float64, len(evs))
	for i, ev := range evs {
		probs[i], bounds[i] = ev.Probs, ev.ErrBound
	}
	return probs, bounds, nil
}

// EvaluateBatch is Evaluate for every row of X, run as ProbabilitiesBatch is.
func (s *Smoother) EvaluateBatch(ctx context.Context, X [][]float64) ([]Evaluation, error) {
	return s.evaluateBatch(ctx, "EvaluateBatch", X, withDiagnostics)
}

// EvaluateBatchWithMembership is EvaluateWithMembership for every row of X, run as
// ProbabilitiesBatch is.
func (s *Smoother) EvaluateBatchWithMembership(ctx context.Context, X [][]float64) ([]Evaluation, error) {
	return s.evaluateBatch(ctx, "EvaluateBatchWithMembership", X, withDiagnostics|withMembership)
}

// evaluateOne validates x and evaluates it for the public method call.
func (s *Smoother) evaluateOne(call string, x []float64, parts evalParts) (Evaluation, error) {
	if err := s.checkInput(x, -1); err != nil {
		return Evaluation{}, fmt.Errorf("knn: %s: %w", call, err)
	}
	ws := s.getWorkspace()
	defer s.pool.Put(ws)
	return ws.evaluate(x, parts), nil
}

// evaluateBatch validates every row of X, then evaluates them on the Smoother's
// workers, reporting progress, for the public method call.
func (s *Smoother) evaluateBatch(ctx context.Context, call string, X [][]float64, parts evalParts) ([]Evaluation, error) {
	if ctx == nil {
		return nil, errs.Invalid("knn: %s: nil context: pass context.Background() or a context that can be cancelled", call)
	}
	if len(X) == 0 {
		return nil, errs.Invalid("knn: %s: no inputs: X has no rows", call)
	}
	for i, x := range X {
		if err := s.checkInput(x, i); err != nil {
			return nil, fmt.Errorf("knn: %s: %w", call, err)
		}
	}
	evs := make([]Evaluation, len(X))
	var (
		next, done atomic.Int64
		mu         sync.Mutex
		wg         sync.WaitGroup
	)
	for range min(s.workers, len(X)) {
		wg.Go(func() {
			ws := s.getWorkspace()
			defer s.pool.Put(ws)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(X) {
					return
				}
				evs[i] = ws.evaluate(X[i], parts)
				if s.progress != nil {
					mu.Lock()
					s.progress(int(done.Add(1)), len(X))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("knn: %s: %w", call, err)
	}
	return evs, nil
}

// checkInput validates a test input; row ≥ 0 names its batch row in the error.
func (s *Smoother) checkInput(x []float64, row int) error {
	if len(x) != s.d {
		return errs.At(row, -1, "input has %d features, the training set has %d", len(x), s.d)
	}
	return check.Row(row, x)
}

func (s *Smoother) getWorkspace() *workspace {
	if ws, ok := s.pool.Get().(*workspace); ok {
		return ws
	}
	return newWorkspace(s)
}
