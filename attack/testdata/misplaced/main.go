// Command misplaced does not compile: TestMisplacedOptionsDoNotCompile builds it and
// expects exactly the errors marked ERROR, each matching its regular expression.
package main

import "github.com/rabcert/rab/attack"

func main() {
	var (
		X [][]float64
		y []int
		p attack.Pattern
		x []float64
	)

	// Each option compiles where it applies.
	_, _ = attack.Poison(X, y, p, attack.WithRate(0.1), attack.WithTarget(1), attack.WithSeed(2), attack.WithClasses(3), attack.WithClip(0, 1))
	_, _ = attack.Poison(X, y, p, attack.WithAllToAll(3))
	_, _ = attack.Trigger(X, y, p, 0, attack.WithClasses(3), attack.WithClip(0, 1))
	_, _ = attack.TriggerAllToAll(X, y, p, 3, attack.WithClip(0, 1))
	_, _ = p.Apply(x, attack.WithClip(0, 1))
	_, _ = p.ApplyTo(x, x, attack.WithClip(0, 1))
	_, _ = attack.OnePixel(attack.Tabular(4), 1, attack.AtPixel(0, 1), attack.InChannel(0))

	// And nowhere else.
	_, _ = attack.Trigger(X, y, p, 0, attack.WithRate(0.1))             // ERROR "attack.PoisonOption does not implement attack.TriggerOption"
	_, _ = attack.Trigger(X, y, p, 0, attack.WithTarget(1))             // ERROR "attack.PoisonOption does not implement attack.TriggerOption"
	_, _ = attack.Trigger(X, y, p, 0, attack.WithAllToAll(2))           // ERROR "attack.PoisonOption does not implement attack.TriggerOption"
	_, _ = attack.Trigger(X, y, p, 0, attack.WithSeed(1))               // ERROR "attack.PoisonOption does not implement attack.TriggerOption"
	_, _ = attack.TriggerAllToAll(X, y, p, 3, attack.WithSeed(1))       // ERROR "attack.PoisonOption does not implement attack.ApplyOption"
	_, _ = attack.TriggerAllToAll(X, y, p, 3, attack.WithClasses(3))    // ERROR "attack.TriggerOption does not implement attack.ApplyOption"
	_, _ = attack.TriggerAllToAll(X, y, p, 3, attack.WithRate(0.1))     // ERROR "attack.PoisonOption does not implement attack.ApplyOption"
	_, _ = p.Apply(x, attack.WithRate(0.5))                             // ERROR "attack.PoisonOption does not implement attack.ApplyOption"
	_, _ = p.Apply(x, attack.WithClasses(2))                            // ERROR "attack.TriggerOption does not implement attack.ApplyOption"
	_, _ = p.ApplyTo(x, x, attack.WithTarget(1))                        // ERROR "attack.PoisonOption does not implement attack.ApplyOption"
	_, _ = attack.OnePixel(attack.Tabular(4), 1, attack.WithClip(0, 1)) // ERROR "attack.ApplyOption does not implement attack.PatternOption"
	_, _ = attack.Poison(X, y, p, attack.AtPixel(0, 0))                 // ERROR "attack.PatternOption does not implement attack.PoisonOption"
}
