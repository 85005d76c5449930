package attack

import (
	"fmt"
	"math"
	"slices"

	"github.com/rabcert/rab/internal/errs"
)

// Poisoned is a training set with a backdoor planted in it.
type Poisoned struct {
	// X and Y are the poisoned copy of the training set: the rows Indices carry the
	// pattern and the attacker's label, every other row is an unchanged copy.
	X [][]float64
	Y []int
	// Indices are the poisoned rows, ascending.
	Indices []int
	// R = len(Indices) is the number of instances carrying the pattern: the r of
	// Corollary 1, eq. (13), whose radius bound scales with 1/√r.
	R int
	// Norms[k] is the norm actually added to row Indices[k], as [Applied.Norm]:
	// rounded up, and lowered by clipping.
	Norms []float64
	// MaxNorm is the largest of Norms.
	MaxNorm float64
	// TotalNorm is √(Σₖ Norms[k]²) rounded up: the left-hand side of Corollary 1,
	// eq. (12), which a certified radius must exceed.
	TotalNorm float64
}

// Poison plants the backdoor p in a copy of the training set X with labels y; X and
// y are not modified.
//
// It poisons r = ⌊rate·n·(1 + 10⁻¹²)⌋ of the n rows ([WithRate], default 10 %),
// drawn uniformly without replacement from the seed ([WithSeed]; same seed, same
// rows, on every machine). All-to-one (default, [WithTarget], target 0): as in the
// paper's reference implementation the rows are drawn among those whose label is not
// already the target, receive the pattern, and are relabelled to the target.
// All-to-all ([WithAllToAll], Appendix C.1): the rows are drawn among all rows and
// relabelled from y to (y+1) mod C. [WithClip] clips the touched entries, and
// [WithClasses] declares the class count C (default max(y)+1).
//
// Errors: empty or ragged X, rows of a length other than p.Dim(), non-finite
// entries or entries outside the clip range, len(y) ≠ len(X), labels or target
// outside [0, C), r = 0, or fewer eligible rows than r.
func Poison(X [][]float64, y []int, p Pattern, opts ...PoisonOption) (*Poisoned, error) {
	cfg, err := newConfig("Poison", opts, PoisonOption.poison)
	if err != nil {
		return nil, err
	}
	if err := cfg.checkData(X, y, p); err != nil {
		return nil, err
	}
	n := len(X)
	r := int(math.Floor(cfg.rate * float64(n) * (1 + 1e-12)))
	if r == 0 {
		return nil, errs.Invalid("attack: poison rate %v of %d rows poisons no row: ⌊rate·n⌋ = 0; raise the rate to at least %v", cfg.rate, n, 1/float64(n))
	}
	pool := make([]int, 0, n)
	for i, label := range y {
		if cfg.allToAll || label != cfg.target {
			pool = append(pool, i)
		}
	}
	if r > len(pool) {
		return nil, errs.Invalid("attack: poison rate %v of %d rows asks for %d poisoned rows, but only %d rows have a label other than the target %d", cfg.rate, n, r, len(pool), cfg.target)
	}
	chosen := sample(pool, r, cfg.seed)

	out := &Poisoned{X: copyRows(X, nil), Y: slices.Clone(y), Indices: chosen, R: r, Norms: make([]float64, r)}
	var total sumSquares
	for k, i := range chosen {
		a, err := p.addTo(out.X[i], out.X[i], &cfg)
		if err != nil {
			return nil, fmt.Errorf("%w in row %d", err, i)
		}
		out.Y[i] = cfg.label(y[i])
		out.Norms[k] = a.Norm
		out.MaxNorm = max(out.MaxNorm, a.Norm)
		total.add(a.Norm)
	}
	out.TotalNorm = total.bound()
	return out, nil
}

// Triggered is a backdoored test set: test rows with the pattern added.
type Triggered struct {
	// X are the triggered rows, in their original order.
	X [][]float64
	// Labels are the rows' original (true) labels.
	Labels []int
	// Targets are the labels the attacker wants predicted: the target, or
	// (label+1) mod C for an all-to-all attack.
	Targets []int
	// Indices are the rows' indices in the original test set, ascending.
	Indices []int
	// Norms[k] is the norm actually added to X[k], as [Applied.Norm].
	Norms []float64
	// MaxNorm is the largest of Norms.
	MaxNorm float64
}

// Trigger returns the backdoored test set of an all-to-one attack, on which the
// paper measures attack success and robust accuracy: every row of X whose label is
// not target, with the pattern p added; rows already of the target class are left
// out. X and y are not modified. It accepts the options [WithClip] and
// [WithClasses] (labels and target must lie in [0, C), C defaulting to max(y)+1)
// and fails as [Poison] does on bad data, or when every row
// has the target label.
func Trigger(X [][]float64, y []int, p Pattern, target int, opts ...TriggerOption) (*Triggered, error) {
	cfg, err := newConfig("Trigger", opts, TriggerOption.trigger, withTarget(target))
	if err != nil {
		return nil, err
	}
	return trigger(X, y, p, &cfg)
}

// TriggerAllToAll returns the backdoored test set of an all-to-all attack
// (Appendix C.1): every row of X with the pattern p added, the attacker's target
// for a row of label y being (y+1) mod classes. X and y are not modified. It
// accepts the option [WithClip] and fails as [Poison] does on bad data.
func TriggerAllToAll(X [][]float64, y []int, p Pattern, classes int, opts ...ApplyOption) (*Triggered, error) {
	cfg, err := newConfig("TriggerAllToAll", opts, ApplyOption.apply, withAllToAll(classes))
	if err != nil {
		return nil, err
	}
	return trigger(X, y, p, &cfg)
}

func trigger(X [][]float64, y []int, p Pattern, cfg *config) (*Triggered, error) {
	if err := cfg.checkData(X, y, p); err != nil {
		return nil, err
	}
	var rows []int
	for i, label := range y {
		if cfg.allToAll || label != cfg.target {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return nil, errs.Invalid("attack: every one of the %d rows has the target label %d: nothing to trigger", len(X), cfg.target)
	}
	out := &Triggered{
		X:       copyRows(X, rows),
		Labels:  make([]int, len(rows)),
		Targets: make([]int, len(rows)),
		Indices: rows,
		Norms:   make([]float64, len(rows)),
	}
	for k, i := range rows {
		a, err := p.addTo(out.X[k], out.X[k], cfg)
		if err != nil {
			return nil, fmt.Errorf("%w in row %d", err, i)
		}
		out.Labels[k] = y[i]
		out.Targets[k] = cfg.label(y[i])
		out.Norms[k] = a.Norm
		out.MaxNorm = max(out.MaxNorm, a.Norm)
	}
	return out, nil
}

// label returns the label the attacker gives a row of label y.
func (cfg *config) label(y int) int {
	if cfg.allToAll {
		return (y + 1) % cfg.classes
	}
	return cfg.target
}

// checkData validates a data set for p and fixes the class count: declared, or
// max(y)+1.
func (cfg *config) checkData(X [][]float64, y []int, p Pattern) error {
	if err := p.check(); err != nil {
		return err
	}
	if len(X) == 0 {
		return errs.Invalid("attack: the data set has no rows")
	}
	if len(y) != len(X) {
		return errs.Invalid("attack: %d labels for %d rows", len(y), len(X))
	}
	for i, row := range X {
		if err := cfg.checkRow(row, p.Dim()); err != nil {
			return fmt.Errorf("attack: row %d %w", i, err)
		}
	}
	classes, how := cfg.classes, "declared with WithClasses"
	if classes == 0 {
		classes, how = slices.Max(y)+1, "inferred as max(y)+1; declare more with WithClasses"
	}
	for i, label := range y {
		if label < 0 || label >= classes {
			return errs.Invalid("attack: label y[%d] = %d outside [0, %d) (class count %s)", i, label, classes, how)
		}
	}
	if !cfg.allToAll && cfg.target >= classes {
		return errs.Invalid("attack: target label %d outside [0, %d) (class count %s)", cfg.target, classes, how)
	}
	cfg.classes = classes
	return nil
}

// copyRows deep-copies the rows of X listed in rows (all rows if rows is nil) into
// one backing array; each copy has capacity equal to its length, so appending to
// one never overwrites the next.
func copyRows(X [][]float64, rows []int) [][]float64 {
	if rows == nil {
		rows = make([]int, len(X))
		for i := range rows {
			rows[i] = i
		}
	}
	d := len(X[0])
	slab := make([]float64, len(rows)*d)
	out := make([][]float64, len(rows))
	for k, i := range rows {
		out[k] = slab[k*d : (k+1)*d : (k+1)*d]
		copy(out[k], X[i])
	}
	return out
}
