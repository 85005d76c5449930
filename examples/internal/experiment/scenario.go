package experiment

import (
	"fmt"

	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/internal/dataset"
)

// Attack is the backdoor attack of an experiment: every pattern poisons its own copy of
// the training set, and triggers the test rows, with the same norm, rate and target.
type Attack struct {
	// Patterns are the backdoor patterns δ, one poisoned scenario each.
	Patterns []attack.Pattern
	// Names, if set, name the patterns (and their scenarios) in order; an empty or
	// missing name is the pattern's kind, e.g. "four-pixel".
	Names []string
	// Norm is the patterns' ‖δ‖₂, at which the clean test rows' certified accuracy is
	// measured.
	Norm float64
	// Rate is the fraction of training rows poisoned.
	Rate float64
	// Target is the attacker's target class of an all-to-one attack.
	Target int
	// AllToAll, if set, makes the attack all-to-all (the paper's Appendix C.1): each
	// poisoned row is relabelled from y to (y+1) mod Classes, and every test row is
	// triggered, the attacker's target being (y+1) mod Classes; Target is not used.
	AllToAll bool
	// Classes is the number of classes C; an all-to-all attack needs it.
	Classes int
	// Seed draws the poisoned rows.
	Seed uint64
	// Clip, if not nil, clips poisoned and triggered rows to its range.
	Clip *Range
}

// Range is a closed interval [Lo, Hi].
type Range struct{ Lo, Hi float64 }

// Scenario is one row of the table: a training set, clean or poisoned by a pattern.
type Scenario struct {
	// Name is "clean" or the pattern's name (Attack.Names), by default its kind, e.g.
	// "four-pixel".
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
	opts := []attack.PoisonOption{attack.WithRate(a.Rate), attack.WithSeed(a.Seed)}
	if a.AllToAll {
		opts = append(opts, attack.WithAllToAll(a.Classes))
	} else {
		opts = append(opts, attack.WithTarget(a.Target))
	}
	if a.Clip != nil {
		opts = append(opts, a.clip())
	}
	for i, p := range a.Patterns {
		poisoned, err := attack.Poison(train.X, train.Y, p, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, Scenario{Name: a.name(i), X: poisoned.X, Y: poisoned.Y, Pattern: p, Poisoned: poisoned})
	}
	return out, nil
}

// name returns the name of pattern i: Names[i], or the pattern's kind.
func (a Attack) name(i int) string {
	if i < len(a.Names) && a.Names[i] != "" {
		return a.Names[i]
	}
	return a.Patterns[i].Kind().String()
}

// trigger returns the test rows the attack triggers with the pattern added: those not
// of the target class, or every row for an all-to-all attack.
func (a Attack) trigger(test dataset.Set, p attack.Pattern) (*attack.Triggered, error) {
	switch {
	case a.AllToAll && a.Clip != nil:
		return attack.TriggerAllToAll(test.X, test.Y, p, a.Classes, a.clip())
	case a.AllToAll:
		return attack.TriggerAllToAll(test.X, test.Y, p, a.Classes)
	case a.Clip != nil:
		return attack.Trigger(test.X, test.Y, p, a.Target, a.clip())
	}
	return attack.Trigger(test.X, test.Y, p, a.Target)
}

// goal describes what the attacker wants the triggered rows classified as.
func (a Attack) goal() string {
	if a.AllToAll {
		return fmt.Sprintf("all-to-all, label y relabelled (y+1) mod %d", a.Classes)
	}
	return fmt.Sprintf("target class %d", a.Target)
}

// clip returns the clipping option of poisoning and triggering; a.Clip must be set.
func (a Attack) clip() attack.ApplyOption { return attack.WithClip(a.Clip.Lo, a.Clip.Hi) }
