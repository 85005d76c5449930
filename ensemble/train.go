package ensemble

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/smoothing"
)

// Train runs Algorithm 1: it trains N members (WithModels), member k by
//
//	rng := smoothing.Stream(seed, k)
//	D_k := noise.PerturbData(rng, X)     // D + ε_k, ε_k drawn row by row (line 2–3)
//	h_k := learner.Fit(ctx, D_k, y, C, rng.Uint64())   // the next draw of the same stream (line 4)
//
// and draws its test-time noise u_k from smoothing.Stream(smoothing.SeedFromModel(b_k), 0),
// b_k being h_k's MarshalBinary bytes (line 5). Member k depends only on (seed, k), so
// the ensemble is the same for any number of workers and any scheduling.
//
// X must be non-empty, rectangular and finite, y must hold one label in [0, C) per row,
// with C = max(y) + 1 unless WithClasses says otherwise, and C ≥ 2. Train never modifies
// X or y.
//
// Train stops when ctx is cancelled and returns an error wrapping ctx.Err(); ctx is
// passed on to Fit. If a member fails, Train stops and returns an error naming the
// member's index k.
func Train(ctx context.Context, X [][]float64, y []int, learner BaseLearner, noise smoothing.Noise, opts ...Option) (*Ensemble, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if learner == nil {
		return nil, errors.New("ensemble: Train: nil learner")
	}
	inferred := !cfg.classesSet && len(y) > 0
	if inferred {
		cfg.classes = max(slices.Max(y)+1, 2) // labels below 0 are reported by check.Data
	}
	d, err := check.Data(X, y, cfg.classes)
	if err == nil && inferred && slices.Max(y) == 0 {
		err = errors.New("all labels are 0: the number of classes cannot be inferred; set WithClasses")
	}
	if err != nil {
		return nil, fmt.Errorf("ensemble: Train: %w", err)
	}
	s := &shared{noise: noise, classes: cfg.classes, seed: cfg.seed, dim: d, members: make([]*member, cfg.models)}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("ensemble: Train: %w", err)
	}
	t := trainer{cfg: cfg, X: X, y: y, d: d, learner: learner, s: s}
	if err := t.run(ctx); err != nil {
		return nil, err
	}
	if err := s.checkDistinct(); err != nil {
		return nil, fmt.Errorf("ensemble: Train: the learner returned %w", err)
	}
	return &Ensemble{s: s, testNoise: true, workers: t.cfg.workers}, nil
}

// trainer trains the members of s in parallel.
type trainer struct {
	cfg     config
	X       [][]float64
	y       []int
	d       int
	learner BaseLearner
	s       *shared

	mu     sync.Mutex // guards next, done, failed, err; serialises progress calls
	next   int        // next member index to train
	done   int        // members trained
	failed int        // index of the failed member with the lowest index, or -1
	err    error      // its error
}

func (t *trainer) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t.failed = -1
	workers := min(t.cfg.workers, t.cfg.models)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k, ok := t.claim(ctx); ok; k, ok = t.claim(ctx) {
				err := t.train(ctx, k)
				switch {
				case err == nil:
					t.finish()
				case ctx.Err() != nil: // cancelled by the caller or by another member's failure
					return
				default:
					t.fail(k, err)
					cancel()
				}
			}
		})
	}
	wg.Wait()
	if t.failed >= 0 {
		return fmt.Errorf("ensemble: Train: member %d: %w", t.failed, t.err)
	}
	if t.done < t.cfg.models {
		return fmt.Errorf("ensemble: Train: stopped after %d of %d members: %w", t.done, t.cfg.models, ctx.Err())
	}
	return nil
}

// claim returns the next member to train, or false when all are claimed or training
// must stop.
func (t *trainer) claim(ctx context.Context) (int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next == t.cfg.models || t.failed >= 0 || ctx.Err() != nil {
		return 0, false
	}
	t.next++
	return t.next - 1, true
}

// train trains member k and draws its test-time noise. A panic in the learner is
// returned as an error.
func (t *trainer) train(ctx context.Context, k int) (err error) {
	defer recoverPanic(&err)
	rng := smoothing.Stream(t.cfg.seed, k)
	noisy, err := t.s.noise.PerturbData(rng, t.X)
	if err != nil {
		return err
	}
	model, err := t.learner.Fit(ctx, noisy, t.y, t.s.classes, rng.Uint64())
	if err != nil {
		return err
	}
	if model == nil {
		return errors.New("learner returned a nil Model and no error")
	}
	if d := modelDim(model); d != 0 && d != t.d {
		return fmt.Errorf("model reports input dimension %d for training data of dimension %d", d, t.d)
	}
	m, err := newMember(model)
	if err != nil {
		return err
	}
	m.drawNoise(t.s.noise, make([]float64, t.d))
	t.s.members[k] = m
	return nil
}

// fail records the failure of member k, keeping the lowest index.
func (t *trainer) fail(k int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failed < 0 || k < t.failed {
		t.failed, t.err = k, err
	}
}

// finish counts a trained member and reports progress.
func (t *trainer) finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done++
	if t.cfg.progress != nil {
		t.cfg.progress(t.done, t.cfg.models)
	}
}

// recoverPanic turns a panic in a learner's Fit or a model's Predict into an error in
// *err, so that one faulty member fails the call instead of the program.
func recoverPanic(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("panic: %v", r)
	}
}
