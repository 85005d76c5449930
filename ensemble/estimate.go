package ensemble

import (
	"context"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/internal/errs"
)

// Estimate runs the estimation step of Algorithm 2 on x: the members' Votes, then
// bound.Estimate(counts, α, opts...) — the top class yA with a lower confidence bound
// PA on its probability and an upper bound PB on every other class's, jointly valid
// with probability at least 1 − α. The certified radius follows from PA and PB (package
// bound; the top-level rab package combines them).
//
// With fewer than bound.MinVotes(α, C) members even a unanimous vote abstains, so
// Estimate rejects such an ensemble with an error saying how many members are needed.
// That minimum is for the default Clopper–Pearson bounds; with bound.WithHoeffding
// about 1.39 times as many are needed, and fewer give Abstain.
func (e *Ensemble) Estimate(ctx context.Context, x []float64, alpha float64, opts ...bound.Option) (bound.Estimation, error) {
	if err := e.usable("Estimate"); err != nil {
		return bound.Estimation{}, err
	}
	if !(alpha > 0 && alpha < 1) {
		return bound.Estimation{}, errs.Invalid("ensemble: Estimate: α = %v: want 0 < α < 1", alpha)
	}
	if need := bound.MinVotes(alpha, e.s.classes); e.Len() < need {
		return bound.Estimation{}, errs.Invalid("ensemble: Estimate: N = %d members can only ever abstain at α = %g with %d classes: train at least N = %d (bound.MinVotes)", e.Len(), alpha, e.s.classes, need)
	}
	counts, err := e.Votes(ctx, x)
	if err != nil {
		return bound.Estimation{}, err
	}
	est, err := bound.Estimate(counts, alpha, opts...)
	if err != nil {
		return bound.Estimation{}, errs.Invalid("ensemble: Estimate: %w", err)
	}
	return est, nil
}
