package attack

import (
	"math"

	"github.com/rabcert/rab/internal/errs"
)

// Defaults of [Poison], from the paper (Section 7.1.5) and its reference
// implementation.
const (
	DefaultRate   = 0.1 // fraction of the training rows that carry the pattern
	DefaultTarget = 0   // label the poisoned rows are given (all-to-one attack)
)

// The option types nest, so that an option compiles exactly where it applies:
// WithClip is an ApplyOption, accepted by every call; WithClasses a TriggerOption,
// accepted by Trigger and Poison; WithRate, WithTarget, WithAllToAll and WithSeed are
// PoisonOptions, accepted by Poison alone. A nil option is an error.
type (
	// PoisonOption configures [Poison].
	PoisonOption interface{ poison(config) config }
	// TriggerOption configures [Trigger]; every TriggerOption is a PoisonOption.
	TriggerOption interface {
		PoisonOption
		trigger(config) config
	}
	// ApplyOption configures [Pattern.Apply], [Pattern.ApplyTo] and
	// [TriggerAllToAll]; every ApplyOption is a TriggerOption.
	ApplyOption interface {
		TriggerOption
		apply(config) config
	}
)

// The options record their value in a config passed by value, so that applying them
// allocates nothing (Pattern.ApplyTo is allocation-free).
type (
	poisonOption  func(config) config
	triggerOption func(config) config
	applyOption   func(config) config
)

func (f poisonOption) poison(c config) config   { return f(c) }
func (f triggerOption) poison(c config) config  { return f(c) }
func (f triggerOption) trigger(c config) config { return f(c) }
func (f applyOption) poison(c config) config    { return f(c) }
func (f applyOption) trigger(c config) config   { return f(c) }
func (f applyOption) apply(c config) config     { return f(c) }

// WithRate sets the fraction of the n training rows that [Poison] poisons, in
// (0, 1]: r = ⌊rate·n·(1 + 10⁻¹²)⌋ rows, which must come out at least 1. The
// factor absorbs the binary representation error of decimal rates (0.29·100 is
// 28.999… in float64 and gives 29). As in the paper's reference implementation, n
// counts every training row, while the rows are drawn among the eligible ones (see
// [Poison]). Default [DefaultRate].
func WithRate(rate float64) PoisonOption {
	return poisonOption(func(c config) config { c.rate = rate; c.set |= setRate; return c })
}

// WithTarget sets the label that [Poison] gives the poisoned rows (all-to-one
// attack). Default [DefaultTarget].
func WithTarget(label int) PoisonOption { return poisonOption(withTarget(label)) }

func withTarget(label int) func(config) config {
	return func(c config) config { c.target = label; c.set |= setTarget; return c }
}

// WithAllToAll makes [Poison] relabel each poisoned row from y to (y+1) mod classes
// (the all-to-all attack of the paper's Appendix C.1) instead of to one target.
func WithAllToAll(classes int) PoisonOption { return poisonOption(withAllToAll(classes)) }

func withAllToAll(classes int) func(config) config {
	return func(c config) config { c.allToAllClasses = classes; c.set |= setAllToAll; return c }
}

// WithClasses declares the number of classes C; labels must lie in [0, C). Without
// it, C is inferred as max(labels)+1.
func WithClasses(classes int) TriggerOption {
	return triggerOption(func(c config) config { c.classes = classes; c.set |= setClasses; return c })
}

// WithSeed sets the seed from which [Poison] chooses the poisoned rows. Default 0.
func WithSeed(seed uint64) PoisonOption {
	return poisonOption(func(c config) config { c.seed = seed; c.set |= setSeed; return c })
}

// WithClip clips every entry the pattern touches to [lo, hi] after adding δ, as an
// image must stay in its pixel range. Rows must lie inside [lo, hi]; clipping then
// only shrinks each change, and the norm actually added is reported. Either bound
// may be infinite.
func WithClip(lo, hi float64) ApplyOption {
	return applyOption(func(c config) config { c.lo, c.hi = lo, hi; c.set |= setClip; return c })
}

// optionSet records which options were given, one bit per option.
type optionSet uint8

const (
	setRate optionSet = 1 << iota
	setTarget
	setAllToAll
	setClasses
	setSeed
	setClip
)

// config is the result of a list of options; validate checks it.
type config struct {
	set             optionSet
	rate            float64
	target          int
	allToAllClasses int // C of WithAllToAll
	classes         int // C of WithClasses, 0 to infer it; checkData fixes it
	seed            uint64
	lo, hi          float64
	// Derived by validate.
	allToAll bool
	clip     bool
}

// newConfig applies opts (with apply, the method of the call's option type) and then
// fixed (the call's own settings) on top of the defaults, and validates the result.
// fn names the call in errors.
func newConfig[O any](fn string, opts []O, apply func(O, config) config, fixed ...func(config) config) (config, error) {
	cfg := config{rate: DefaultRate, target: DefaultTarget, lo: math.Inf(-1), hi: math.Inf(1)}
	for i, o := range opts {
		if any(o) == nil {
			return cfg, errs.Invalid("attack: %s: option %d is nil", fn, i)
		}
		cfg = apply(o, cfg)
	}
	for _, f := range fixed {
		cfg = f(cfg)
	}
	return cfg, cfg.validate()
}

// validate checks the options in one place and derives allToAll, clip and classes.
func (c *config) validate() error {
	has := func(bit optionSet) bool { return c.set&bit != 0 }
	switch {
	case has(setRate) && !(c.rate > 0 && c.rate <= 1):
		return errs.Invalid("attack: poison rate %v outside (0, 1]: it is the fraction of training rows to poison", c.rate)
	case has(setTarget) && c.target < 0:
		return errs.Invalid("attack: target label %d is negative: labels are class indices 0, 1, …", c.target)
	case has(setAllToAll) && c.allToAllClasses < 2:
		return errs.Invalid("attack: WithAllToAll(%d): a classifier needs at least 2 classes", c.allToAllClasses)
	case has(setClasses) && c.classes < 2:
		return errs.Invalid("attack: WithClasses(%d): a classifier needs at least 2 classes", c.classes)
	case has(setClasses) && has(setAllToAll) && c.classes != c.allToAllClasses:
		return errs.Invalid("attack: conflicting class counts %d and %d", c.classes, c.allToAllClasses)
	case has(setClip) && !(c.lo < c.hi):
		return errs.Invalid("attack: clip range [%v, %v] is empty or NaN: need lo < hi", c.lo, c.hi)
	case has(setTarget) && has(setAllToAll):
		return errs.Invalid("attack: WithTarget and WithAllToAll exclude each other: an attack is all-to-one or all-to-all")
	}
	if has(setAllToAll) {
		c.allToAll, c.classes = true, c.allToAllClasses
	}
	c.clip = has(setClip)
	return nil
}
