package logistic

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
)

// Defaults of the options.
const (
	DefaultIterations = 10
	DefaultL2         = 1e-4
)

// Option configures New.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	iterations int
	l2         float64
}

// WithIterations sets the maximum number of L-BFGS iterations of a fit (default
// DefaultIterations). A fit stops earlier when every gradient coordinate is below 1e-6.
// Each iteration costs about two passes over the data (one, once the line search
// accepts full steps). The default is a budget, not convergence: on Spambase it reaches
// the converged test accuracy within about half a percentage point at a third of the
// cost of 30 iterations; raise it when the fit itself matters more than N·fit time.
func WithIterations(n int) Option { return optionFunc(func(c *config) { c.iterations = n }) }

// WithL2 sets the L2 penalty λ on the weights of the standardised features (default
// DefaultL2); the intercepts are not penalised. λ > 0 keeps the problem strictly convex,
// so the fit is well defined even for separable data.
func WithL2(lambda float64) Option { return optionFunc(func(c *config) { c.l2 = lambda }) }

// Learner fits multinomial logistic regression models. It implements
// ensemble.BaseLearner and is safe for concurrent use.
type Learner struct {
	cfg config
}

var (
	_ ensemble.BaseLearner = (*Learner)(nil)
	_ ensemble.Describer   = (*Learner)(nil)
)

// New returns a Learner configured by opts. A nil option or an invalid value is an
// error wrapping ensemble.ErrInvalidInput.
func New(opts ...Option) (*Learner, error) {
	cfg := config{iterations: DefaultIterations, l2: DefaultL2}
	for i, opt := range opts {
		if opt == nil {
			return nil, errs.Invalid("logistic: New: option %d is nil", i)
		}
		opt.apply(&cfg)
	}
	if cfg.iterations < 1 {
		return nil, errs.Invalid("logistic: New: WithIterations(%d): want at least 1 iteration", cfg.iterations)
	}
	if !(cfg.l2 > 0) || math.IsInf(cfg.l2, 0) {
		return nil, errs.Invalid("logistic: New: WithL2(%v): want a finite λ > 0", cfg.l2)
	}
	return &Learner{cfg: cfg}, nil
}

// Describe returns Kind and the learner's settings as JSON with a fixed field order
// and the shortest decimal form that round-trips each number, e.g.
// {"iterations":10,"l2":0.0001}: equal settings give equal strings on every machine.
// It implements ensemble.Describer, so ensemble.Merge can check that shards agree.
func (l *Learner) Describe() (kind, config string) {
	js, _ := json.Marshal(struct {
		Iterations int     `json:"iterations"`
		L2         float64 `json:"l2"`
	}{l.cfg.iterations, l.cfg.l2}) // cannot fail: an int and a finite float
	return Kind, string(js)
}

// Fit fits a model to (X, y) and returns it as a *Model. The fit is deterministic (full
// batch, zero start), so seed is not used. Fit does not modify X or y and returns
// ctx.Err() if ctx is cancelled during the fit. Bad inputs are errors wrapping
// ensemble.ErrInvalidInput (an *ensemble.InputError naming the row and feature where
// there is one).
func (l *Learner) Fit(ctx context.Context, X [][]float64, y []int, classes int, seed uint64) (ensemble.Model, error) {
	d, err := check.Data(X, y, classes)
	if err != nil {
		return nil, fmt.Errorf("logistic: Fit: %w", err)
	}
	p := newProblem(X, y, d, classes, l.cfg.l2)
	theta := make([]float64, dims(d, classes))
	if err := minimize(ctx, p.eval, theta, l.cfg.iterations); err != nil {
		return nil, fmt.Errorf("logistic: Fit: %w", err)
	}
	m := p.model(theta)
	if err := m.checkFinite(); err != nil {
		return nil, errs.Invalid("logistic: Fit: %w: features too large to standardise in float64; rescale them", err)
	}
	return m, nil
}
