package experiment

import (
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/internal/dataset"
)

// Attack is the backdoor attack of an experiment: every pattern poisons its own copy of
// the training set, and triggers the test rows, with the same norm, rate and target.
type Attack struct {
	// Patterns are the backdoor patterns δ, one poisoned scenario each.
	Patterns []attack.Pattern
	// Norm is the patterns' ‖δ‖₂, at which the clean test rows' certified accuracy is
	// measured.
	Norm float64
	// Rate is the fraction of training rows poisoned.
	Rate float64
	// Target is the attacker's target class.
	Target int
	// Seed draws the poisoned rows.
	Seed uint64
	// Clip, if not nil, clips poisoned and triggered rows to its range.
	Clip *Range
}

// Range is a closed interval [Lo, Hi].
type Range struct{ Lo, Hi float64 }

// Scenario is one row of the table: a training set, clean or poisoned by a pattern.
type Scenario struct {
	// Name is "clean" or the pattern's kind, e.g. "four-pixel".
	Name string
	// X and Y are the training set.
	X [][]float64
	Y []int
	// Pattern is the pattern that poisoned the training set, and Poisoned the attack's
	// record of it; both are zero for the clean training set.
	Pattern  attack.Pattern
	Poisoned *attack.Poisoned
}

// Scenarios returns one scenario per pattern of a, training set train poisoned by it
// (attack.Poison; train is not modified), preceded by the clean training set if clean
// is set.
func (a Attack) Scenarios(train dataset.Set, clean bool) ([]Scenario, error) {
	var out []Scenario
	if clean {
		out = append(out, Scenario{Name: "clean", X: train.X, Y: train.Y})
	}
	opts := []attack.PoisonOption{attack.WithRate(a.Rate), attack.WithTarget(a.Target), attack.WithSeed(a.Seed)}
	if a.Clip != nil {
		opts = append(opts, a.clip())
	}
	for _, p := range a.Patterns {
		poisoned, err := attack.Poison(train.X, train.Y, p, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, Scenario{Name: p.Kind().String(), X: poisoned.X, Y: poisoned.Y, Pattern: p, Poisoned: poisoned})
	}
	return out, nil
}

// trigger returns the test rows not of the target class with the pattern added.
func (a Attack) trigger(test dataset.Set, p attack.Pattern) (*attack.Triggered, error) {
	if a.Clip == nil {
		return attack.Trigger(test.X, test.Y, p, a.Target)
	}
	return attack.Trigger(test.X, test.Y, p, a.Target, a.clip())
}

// clip returns the clipping option of poisoning and triggering; a.Clip must be set.
func (a Attack) clip() attack.ApplyOption { return attack.WithClip(a.Clip.Lo, a.Clip.Hi) }
