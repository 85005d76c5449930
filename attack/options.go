package attack

import (
	"fmt"
	"math"
)

// Defaults of [Poison], from the paper (Section 7.1.5) and its reference
// implementation.
const (
	DefaultRate   = 0.1 // fraction of the training rows that carry the pattern
	DefaultTarget = 0   // label the poisoned rows are given (all-to-one attack)
)

type optionKind uint8

const (
	optRate optionKind = iota + 1
	optTarget
	optAllToAll
	optClasses
	optSeed
	optClip
)

var optionNames = [...]string{
	0:           "zero Option",
	optRate:     "WithRate",
	optTarget:   "WithTarget",
	optAllToAll: "WithAllToAll",
	optClasses:  "WithClasses",
	optSeed:     "WithSeed",
	optClip:     "WithClip",
}

// Option configures [Poison], [Trigger], [TriggerAllToAll], [Pattern.Apply] and
// [Pattern.ApplyTo]. Each function documents the options it accepts and rejects
// the others with an error. Options are plain values: passing them allocates
// nothing.
type Option struct {
	kind optionKind
	x, y float64
	n    int
	seed uint64
}

// WithRate sets the fraction of the n training rows that [Poison] poisons, in
// (0, 1]: r = ⌊rate·n·(1 + 10⁻¹²)⌋ rows, which must come out at least 1. The
// factor absorbs the binary representation error of decimal rates (0.29·100 is
// 28.999… in float64 and gives 29). As in the paper's reference implementation, n
// counts every training row, while the rows are drawn among the eligible ones (see
// [Poison]). Default [DefaultRate].
func WithRate(rate float64) Option { return Option{kind: optRate, x: rate} }

// WithTarget sets the label that [Poison] gives the poisoned rows (all-to-one
// attack). Default [DefaultTarget].
func WithTarget(label int) Option { return Option{kind: optTarget, n: label} }

// WithAllToAll makes [Poison] relabel each poisoned row from y to (y+1) mod classes
// (the all-to-all attack of the paper's Appendix C.1) instead of to one target.
func WithAllToAll(classes int) Option { return Option{kind: optAllToAll, n: classes} }

// WithClasses declares the number of classes C; labels must lie in [0, C). Without
// it, C is inferred as max(labels)+1.
func WithClasses(classes int) Option { return Option{kind: optClasses, n: classes} }

// WithSeed sets the seed from which [Poison] chooses the poisoned rows. Default 0.
func WithSeed(seed uint64) Option { return Option{kind: optSeed, seed: seed} }

// WithClip clips every entry the pattern touches to [lo, hi] after adding δ, as an
// image must stay in its pixel range. Rows must lie inside [lo, hi]; clipping then
// only shrinks each change, and the norm actually added is reported. Either bound
// may be infinite.
func WithClip(lo, hi float64) Option { return Option{kind: optClip, x: lo, y: hi} }

// config is the validated result of a list of options.
type config struct {
	rate     float64
	target   int
	allToAll bool
	classes  int // 0: infer from the labels
	seed     uint64
	clip     bool
	lo, hi   float64
}

// newConfig applies opts on top of the defaults. fn names the caller in errors;
// allowed lists the options it accepts.
func newConfig(fn string, opts []Option, allowed ...optionKind) (config, error) {
	cfg := config{rate: DefaultRate, target: DefaultTarget, lo: math.Inf(-1), hi: math.Inf(1)}
	var seen [len(optionNames)]bool
	for _, o := range opts {
		if o.kind == 0 {
			return cfg, fmt.Errorf("attack: zero Option: build options with WithRate, WithTarget, WithAllToAll, WithClasses, WithSeed or WithClip")
		}
		if !accepts(allowed, o.kind) {
			return cfg, fmt.Errorf("attack: %s does not accept option %s", fn, optionNames[o.kind])
		}
		seen[o.kind] = true
		switch o.kind {
		case optRate:
			if !(o.x > 0 && o.x <= 1) {
				return cfg, fmt.Errorf("attack: poison rate %v outside (0, 1]: it is the fraction of training rows to poison", o.x)
			}
			cfg.rate = o.x
		case optTarget:
			if o.n < 0 {
				return cfg, fmt.Errorf("attack: target label %d is negative: labels are class indices 0, 1, …", o.n)
			}
			cfg.target = o.n
		case optAllToAll, optClasses:
			if o.n < 2 {
				return cfg, fmt.Errorf("attack: %s(%d): a classifier needs at least 2 classes", optionNames[o.kind], o.n)
			}
			if cfg.classes != 0 && cfg.classes != o.n {
				return cfg, fmt.Errorf("attack: conflicting class counts %d and %d", cfg.classes, o.n)
			}
			cfg.classes = o.n
			cfg.allToAll = cfg.allToAll || o.kind == optAllToAll
		case optSeed:
			cfg.seed = o.seed
		case optClip:
			if !(o.x < o.y) {
				return cfg, fmt.Errorf("attack: clip range [%v, %v] is empty or NaN: need lo < hi", o.x, o.y)
			}
			cfg.clip, cfg.lo, cfg.hi = true, o.x, o.y
		}
	}
	if seen[optTarget] && seen[optAllToAll] {
		return cfg, fmt.Errorf("attack: WithTarget and WithAllToAll exclude each other: an attack is all-to-one or all-to-all")
	}
	return cfg, nil
}

func accepts(allowed []optionKind, k optionKind) bool {
	for _, a := range allowed {
		if a == k {
			return true
		}
	}
	return false
}
