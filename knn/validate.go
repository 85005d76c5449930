package knn

import (
	"fmt"
	"math"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// The range of σ: σ² and every default edge must be normal, finite float64 values
// (σ² = 2^±1000, edges up to ≈ 3·10⁶σ²), so that λ = ‖x_j − x‖²/σ² and b_l/σ² keep
// their relative precision.
const (
	minSigma = 0x1p-500 // ≈ 3.05e-151
	maxSigma = 0x1p500  // ≈ 3.27e+150
)

// minEdgeRatio is the smallest edge over σ², the smallest normal float64: at a
// subnormal ratio the CDF's error bound is NaN (FuzzUnmarshal found the edge 2.6e-310
// at σ ≈ 0.51).
const minEdgeRatio = 0x1p-1022 // ≈ 2.23e-308

// build validates the training set and the options of cfg and returns the Smoother.
// Its errors wrap errs.ErrInvalidInput and carry no package prefix.
func build(X [][]float64, y []int, cfg config) (*Smoother, error) {
	d, err := check.Matrix(X)
	if err != nil {
		return nil, fmt.Errorf("training set: %w", err)
	}
	classes, err := checkLabels(y, len(X), cfg)
	if err != nil {
		return nil, err
	}
	if cfg.set&setSigma == 0 {
		return nil, errs.Invalid("noise level missing: pass WithSigma(σ) with σ > 0")
	}
	if err := checkSigma(cfg.sigma, fmt.Sprintf("WithSigma(%v)", cfg.sigma)); err != nil {
		return nil, err
	}
	if cfg.k < 1 || cfg.k > len(X) {
		return nil, errs.Invalid("WithK(%d): K must lie in [1, n] = [1, %d]", cfg.k, len(X))
	}
	if err := checkRuntime(cfg); err != nil {
		return nil, err
	}
	edges, err := resolveEdges(cfg, d)
	if err != nil {
		return nil, err
	}
	sigma2 := cfg.sigma * cfg.sigma
	t := make([]float64, len(edges))
	for i, b := range edges {
		t[i] = b / sigma2
		if !(t[i] >= minEdgeRatio) || !(t[i] <= MaxEdgeRatio) || (i > 0 && !(t[i] > t[i-1])) {
			return nil, errs.Invalid("edge %d (%v) divided by σ² = %v is %v: want increasing values in [%.3g, %g]; put the edges on the scale of σ² (squared-distance units) or use a larger σ", i, b, sigma2, t[i], minEdgeRatio, MaxEdgeRatio)
		}
	}
	flat := make([]float64, 0, len(X)*d)
	for _, row := range X {
		flat = append(flat, row...)
	}
	return &Smoother{
		x:        flat,
		y:        append([]int(nil), y...),
		n:        len(X),
		d:        d,
		k:        cfg.k,
		classes:  classes,
		sigma:    cfg.sigma,
		edges:    edges,
		table:    sharedCDFTable(d, t),
		workers:  cfg.workers,
		tol:      cfg.tol,
		progress: cfg.progress,
	}, nil
}

// checkLabels checks the n labels y against WithClasses (if given) and the limits, and
// returns the number of classes: WithClasses, else max(y)+1. A training set of one
// class is valid whichever class it is: the Smoother predicts that class with
// probability 1.
func checkLabels(y []int, n int, cfg config) (classes int, err error) {
	if len(y) != n {
		return 0, errs.Invalid("%d labels for %d training rows: want one label per row", len(y), n)
	}
	limit := MaxClasses
	if cfg.set&setClasses != 0 {
		switch {
		case cfg.classes > MaxClasses:
			return 0, errs.Invalid("WithClasses(%d): at most %d classes are supported", cfg.classes, MaxClasses)
		case cfg.classes < 1:
			return 0, errs.Invalid("WithClasses(%d): need at least 1 class", cfg.classes)
		}
		limit = cfg.classes
	}
	maxY := 0
	for i, v := range y {
		switch {
		case v < 0:
			return 0, errs.At(i, -1, "label %d is negative: labels must lie in [0, C)", v)
		case v >= limit && cfg.set&setClasses != 0:
			return 0, errs.At(i, -1, "label %d outside [0, %d) set by WithClasses", v, limit)
		case v >= limit:
			return 0, errs.At(i, -1, "label %d: at most %d classes are supported (labels in [0, %d))", v, MaxClasses, MaxClasses)
		}
		maxY = max(maxY, v)
	}
	if cfg.set&setClasses != 0 {
		return cfg.classes, nil
	}
	return maxY + 1, nil
}

// checkSigma checks that σ (named by label in the message) is finite, positive and
// within the representable range [minSigma, maxSigma].
func checkSigma(sigma float64, label string) error {
	switch {
	case !(sigma > 0) || math.IsInf(sigma, 1):
		return errs.Invalid("%s: σ must be finite and > 0", label)
	case sigma < minSigma || sigma > maxSigma:
		return errs.Invalid("%s: σ is outside the representable range [%.3g, %.3g] (σ² and the squared distances over σ² must be normal float64 values); rescale the features and σ together", label, minSigma, maxSigma)
	}
	return nil
}

// checkRuntime checks the runtime options of cfg.
func checkRuntime(cfg config) error {
	if cfg.workers < 1 {
		return errs.Invalid("WithWorkers(%d): need at least 1 worker", cfg.workers)
	}
	if !(cfg.tol > 0 && cfg.tol <= 1e-3) {
		return errs.Invalid("WithTolerance(%v): tolerance must lie in (0, 1e-3]", cfg.tol)
	}
	return nil
}

// resolveEdges validates WithEdges / WithLevels and returns the finite edges.
func resolveEdges(cfg config, d int) ([]float64, error) {
	if cfg.set&setEdges == 0 {
		levels := DefaultLevels
		if cfg.set&setLevels != 0 {
			levels = cfg.levels
		}
		return defaultEdges(d, cfg.sigma, levels)
	}
	edges := cfg.edges
	if len(edges) == 0 {
		return nil, errs.Invalid("WithEdges: need at least one finite edge (L ≥ 2 levels)")
	}
	if len(edges)+1 > MaxLevels {
		return nil, errs.Invalid("WithEdges: %d edges give %d levels, more than the %d supported", len(edges), len(edges)+1, MaxLevels)
	}
	if cfg.set&setLevels != 0 && cfg.levels != len(edges)+1 {
		return nil, errs.Invalid("WithLevels(%d) contradicts WithEdges with %d edges (L = %d); give one or make them agree", cfg.levels, len(edges), len(edges)+1)
	}
	for i, b := range edges {
		if math.IsNaN(b) || math.IsInf(b, 0) || b <= 0 {
			return nil, errs.Invalid("WithEdges: edge %d is %v; edges must be finite and > 0", i, b)
		}
		if i > 0 && !(b > edges[i-1]) {
			return nil, errs.Invalid("WithEdges: edges must be strictly increasing, but edge %d (%v) ≤ edge %d (%v)", i, b, i-1, edges[i-1])
		}
	}
	return edges, nil
}
