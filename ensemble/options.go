package ensemble

import (
	"fmt"
	"runtime"
)

// DefaultModels is the number of members N that Train fits unless WithModels says
// otherwise.
const DefaultModels = 1000

// Option configures Train.
type Option func(*config)

type config struct {
	models     int
	seed       uint64
	workers    int
	progress   func(done, total int)
	classes    int // if classesSet; else max(y) + 1
	classesSet bool
}

// WithModels sets the number of members N (default DefaultModels). N must be at least
// 1; certifying at level α needs N ≥ bound.MinVotes(α, classes) (see Estimate).
func WithModels(n int) Option { return func(c *config) { c.models = n } }

// WithSeed sets the seed from which all of Train's randomness derives (default 0):
// member k's training noise and fit seed come from smoothing.Stream(seed, k).
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithWorkers sets the number of members trained at once (default runtime.GOMAXPROCS).
// The ensemble does not depend on it.
func WithWorkers(n int) Option { return func(c *config) { c.workers = n } }

// WithProgress makes Train call report(done, total) after each member is trained, with
// done increasing from 1 to total = N. Calls come from one goroutine at a time, under
// the lock that hands out members: report should return quickly, or it stalls every
// worker.
func WithProgress(report func(done, total int)) Option {
	return func(c *config) { c.progress = report }
}

// WithClasses sets the number of classes C (default max(y) + 1). Use it when the
// training labels do not include the highest class.
func WithClasses(n int) Option { return func(c *config) { c.classes, c.classesSet = n, true } }

// newConfig applies opts to the defaults and validates the result.
func newConfig(opts []Option) (config, error) {
	cfg := config{models: DefaultModels, workers: runtime.GOMAXPROCS(0)}
	for i, opt := range opts {
		if opt == nil {
			return cfg, fmt.Errorf("ensemble: option %d is nil", i)
		}
		opt(&cfg)
	}
	if cfg.models < 1 || cfg.models > MaxModels {
		return cfg, fmt.Errorf("ensemble: WithModels(%d): want 1 to %d members", cfg.models, MaxModels)
	}
	if cfg.workers < 1 {
		return cfg, fmt.Errorf("ensemble: WithWorkers(%d): want at least 1 worker", cfg.workers)
	}
	if cfg.classesSet && (cfg.classes < 2 || cfg.classes > MaxClasses) {
		return cfg, fmt.Errorf("ensemble: WithClasses(%d): want 2 to %d classes", cfg.classes, MaxClasses)
	}
	return cfg, nil
}
