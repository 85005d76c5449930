package knn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
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
	return newSmoother(X, y, cfg)
}

func newSmoother(X [][]float64, y []int, cfg config) (*Smoother, error) {
	n := len(X)
	if n == 0 {
		return nil, errors.New("knn: empty training set: X has no rows")
	}
	d := len(X[0])
	if d == 0 {
		return nil, errors.New("knn: training rows have dimension 0")
	}
	flat := make([]float64, 0, n*d)
	for i, row := range X {
		if len(row) != d {
			return nil, fmt.Errorf("knn: ragged training set: row %d has %d features, row 0 has %d", i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("knn: training row %d feature %d is %v; inputs must be finite", i, j, v)
			}
		}
		flat = append(flat, row...)
	}
	if len(y) != n {
		return nil, fmt.Errorf("knn: %d labels for %d training rows", len(y), n)
	}
	maxY := 0
	for i, v := range y {
		if v < 0 {
			return nil, fmt.Errorf("knn: label %d of training row %d is negative; labels must lie in [0, C)", v, i)
		}
		maxY = max(maxY, v)
	}
	classes := maxY + 1
	if maxY >= MaxClasses {
		return nil, fmt.Errorf("knn: label %d of a training row: at most %d classes are supported (labels in [0, %d))", maxY, MaxClasses, MaxClasses)
	}
	if cfg.set&setClasses != 0 {
		if cfg.classes > MaxClasses {
			return nil, fmt.Errorf("knn: WithClasses(%d): at most %d classes are supported", cfg.classes, MaxClasses)
		}
		if cfg.classes < 1 {
			return nil, fmt.Errorf("knn: WithClasses(%d): need at least 1 class", cfg.classes)
		}
		if maxY >= cfg.classes {
			return nil, fmt.Errorf("knn: label %d outside [0, %d) set by WithClasses", maxY, cfg.classes)
		}
		classes = cfg.classes
	}
	if cfg.set&setSigma == 0 {
		return nil, errors.New("knn: noise level missing: pass WithSigma(σ) with σ > 0")
	}
	if !(cfg.sigma > 0) || math.IsInf(cfg.sigma, 1) {
		return nil, fmt.Errorf("knn: WithSigma(%v): σ must be finite and > 0", cfg.sigma)
	}
	if cfg.k < 1 || cfg.k > n {
		return nil, fmt.Errorf("knn: WithK(%d): K must lie in [1, n] = [1, %d]", cfg.k, n)
	}
	if cfg.workers < 1 {
		return nil, fmt.Errorf("knn: WithWorkers(%d): need at least 1 worker", cfg.workers)
	}
	if !(cfg.tol > 0 && cfg.tol <= 1e-3) {
		return nil, fmt.Errorf("knn: WithTolerance(%v): tolerance must lie in (0, 1e-3]", cfg.tol)
	}
	edges, err := resolveEdges(cfg, d)
	if err != nil {
		return nil, err
	}
	t := make([]float64, len(edges))
	for i, b := range edges {
		t[i] = b / (cfg.sigma * cfg.sigma)
		if !(t[i] > 0) || !(t[i] <= MaxEdgeRatio) || (i > 0 && !(t[i] > t[i-1])) {
			return nil, fmt.Errorf("knn: edge %d (%v) divided by σ² = %v is %v: want increasing values in (0, %g]; put the edges on the scale of σ² (squared-distance units) or use a larger σ", i, b, cfg.sigma*cfg.sigma, t[i], MaxEdgeRatio)
		}
	}
	return &Smoother{
		x:        flat,
		y:        append([]int(nil), y...),
		n:        n,
		d:        d,
		k:        cfg.k,
		classes:  classes,
		sigma:    cfg.sigma,
		edges:    edges,
		table:    newCDFTable(d, t),
		workers:  cfg.workers,
		tol:      cfg.tol,
		progress: cfg.progress,
	}, nil
}

// resolveEdges validates WithEdges / WithLevels and returns the finite edges.
func resolveEdges(cfg config, d int) ([]float64, error) {
	if cfg.set&setEdges == 0 {
		levels := DefaultLevels
		if cfg.set&setLevels != 0 {
			levels = cfg.levels
		}
		return DefaultEdges(d, cfg.sigma, levels)
	}
	edges := cfg.edges
	if len(edges) == 0 {
		return nil, errors.New("knn: WithEdges: need at least one finite edge (L ≥ 2 levels)")
	}
	if len(edges)+1 > MaxLevels {
		return nil, fmt.Errorf("knn: WithEdges: %d edges give %d levels, more than the %d supported", len(edges), len(edges)+1, MaxLevels)
	}
	if cfg.set&setLevels != 0 && cfg.levels != len(edges)+1 {
		return nil, fmt.Errorf("knn: WithLevels(%d) contradicts WithEdges with %d edges (L = %d); give one or make them agree", cfg.levels, len(edges), len(edges)+1)
	}
	for i, b := range edges {
		if math.IsNaN(b) || math.IsInf(b, 0) || b <= 0 {
			return nil, fmt.Errorf("knn: WithEdges: edge %d is %v; edges must be finite and > 0", i, b)
		}
		if i > 0 && !(b > edges[i-1]) {
			return nil, fmt.Errorf("knn: WithEdges: edges must be strictly increasing, but edge %d (%v) ≤ edge %d (%v)", i, b, i-1, edges[i-1])
		}
	}
	return edges, nil
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
	p, _, err := s.ProbabilitiesWithError(x)
	return p, err
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
	if err := s.checkInput(x, -1); err != nil {
		return nil, 0, err
	}
	ws := s.getWorkspace()
	defer s.pool.Put(ws)
	probs = make([]float64, s.classes)
	errBound = ws.probabilities(x, probs)
	return probs, errBound, nil
}

// ProbabilitiesBatch evaluates Probabilities for every row of X on WithWorkers
// goroutines. It stops early with ctx's error when ctx is cancelled. Results do not
// depend on the number of workers.
func (s *Smoother) ProbabilitiesBatch(ctx context.Context, X [][]float64) ([][]float64, error) {
	p, _, err := s.ProbabilitiesBatchWithError(ctx, X)
	return p, err
}

// ProbabilitiesBatchWithError is ProbabilitiesBatch with the per-input error bounds of
// ProbabilitiesWithError.
func (s *Smoother) ProbabilitiesBatchWithError(ctx context.Context, X [][]float64) ([][]float64, []float64, error) {
	for i, x := range X {
		if err := s.checkInput(x, i); err != nil {
			return nil, nil, err
		}
	}
	probs := make([][]float64, len(X))
	bounds := make([]float64, len(X))
	var (
		next, done atomic.Int64
		mu         sync.Mutex
		wg         sync.WaitGroup
	)
	workers := min(s.workers, len(X))
	for range workers {
		wg.Go(func() {
			ws := s.getWorkspace()
			defer s.pool.Put(ws)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(X) {
					return
				}
				probs[i] = make([]float64, s.classes)
				bounds[i] = ws.probabilities(X[i], probs[i])
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
		return nil, nil, err
	}
	return probs, bounds, nil
}

// checkInput validates a test input; row ≥ 0 names its batch row in the error.
func (s *Smoother) checkInput(x []float64, row int) error {
	where := "input"
	if row >= 0 {
		where = fmt.Sprintf("input row %d", row)
	}
	if len(x) != s.d {
		return fmt.Errorf("knn: %s has %d features, the training set has %d", where, len(x), s.d)
	}
	for j, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("knn: %s feature %d is %v; inputs must be finite", where, j, v)
		}
	}
	return nil
}

func (s *Smoother) getWorkspace() *workspace {
	if ws, ok := s.pool.Get().(*workspace); ok {
		return ws
	}
	return newWorkspace(s)
}
