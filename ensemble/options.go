package ensemble

import (
	"runtime"

	"github.com/rabcert/rab/internal/errs"
)

// DefaultModels is the number of members N that Train and TrainShard fit unless
// WithModels says otherwise. Package rab refers to it.
const DefaultModels = 1000

// Option configures Train and TrainShard.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config collects the options of Train and TrainShard.
type config struct {
	models   int
	seed     uint64
	workers  int
	progress func(done, total int)
	classes  int // if set&setClasses; else max(y) + 1
	set      setBits
}

// setBits records which options were given, one bit per option that validation or
// defaults need to know about.
type setBits uint8

const setClasses setBits = 1 << iota

// WithModels sets the number of members N (default DefaultModels). N must be at least
// 1; certifying at level α needs N ≥ bound.MinVotes(α, classes) (see Estimate). For
// TrainShard, N is the size of the whole ensemble, not of the shard.
func WithModels(n int) Option { return optionFunc(func(c *config) { c.models = n }) }

// WithSeed sets the seed from which all of the training randomness derives (default
// 0): member k's training noise and fit seed come from smoothing.Stream(seed, k).
func WithSeed(seed uint64) Option { return optionFunc(func(c *config) { c.seed = seed }) }

// WithWorkers sets the number of members trained at once (default runtime.GOMAXPROCS).
// The members do not depend on it.
func WithWorkers(n int) Option { return optionFunc(func(c *config) { c.workers = n }) }

// WithProgress makes Train (TrainShard) call report(done, total) after each member is
// trained, with done increasing from 1 to total, the number of members trained by the
// call. Calls come from one goroutine at a time, under the lock that hands out members:
// report should return quickly, or it stalls every worker.
func WithProgress(report func(done, total int)) Option {
	return optionFunc(func(c *config) { c.progress = report })
}

// WithClasses sets the number of classes C (default max(y) + 1). Use it when the
// training labels do not include the highest class, and for shards, so that every
// shard agrees on C whatever its data.
func WithClasses(n int) Option {
	return optionFunc(func(c *config) { c.classes, c.set = n, c.set|setClasses })
}

// newConfig applies opts to the defaults and validates the result; call names the
// caller in errors.
func newConfig(call string, opts []Option) (config, error) {
	cfg := config{models: DefaultModels, workers: runtime.GOMAXPROCS(0)}
	for i, opt := range opts {
		if opt == nil {
			return cfg, errs.Invalid("ensemble: %s: option %d is nil", call, i)
		}
		opt.apply(&cfg)
	}
	switch {
	case cfg.models < 1 || cfg.models > MaxModels:
		return cfg, errs.Invalid("ensemble: %s: WithModels(%d): want 1 to %d members", call, cfg.models, MaxModels)
	case cfg.workers < 1:
		return cfg, errs.Invalid("ensemble: %s: WithWorkers(%d): want at least 1 worker", call, cfg.workers)
	case cfg.set&setClasses != 0 && (cfg.classes < 2 || cfg.classes > MaxClasses):
		return cfg, errs.Invalid("ensemble: %s: WithClasses(%d): want 2 to %d classes", call, cfg.classes, MaxClasses)
	}
	return cfg, nil
}
