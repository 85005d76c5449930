package ensemble

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"

	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/smoothing"
)

// Train runs Algorithm 1: it trains N members (WithModels), member k by
//
//	rng := smoothing.Stream(seed, k)
//	D_k := noise.PerturbData(rng, X)     // D + ε_k, ε_k drawn row by row (line 2–3)
//	h_k := learner.Fit(ctx, D_k, y, C, rng.Uint64())   // the next draw of the same stream (line 4)
//
// and draws its test-time noise u_k from smoothing.Stream(smoothing.SeedFromModel(b_k), 0),
// b_k being h_k's MarshalBinary bytes when Fit returned it (line 5). Member k depends
// only on (seed, k) and the inputs, so the ensemble is the same for any number of
// workers and any scheduling, and TrainShard can train any range of members elsewhere.
//
// X must be non-empty, rectangular and finite, y must hold one label in [0, C) per row,
// with C = max(y) + 1 unless WithClasses says otherwise, and C ≥ 2. Train never modifies
// X or y.
//
// A member counted twice, or changed by a later fit, would pass for several independent
// votes and over-claim. So once every member is trained, Train checks the learner's
// contract: no two members are the same object, every member still marshals to the
// bytes b_k recorded when its fit returned (Train keeps their SHA-256, not the bytes),
// and no two members have identical bytes. Then, for every member whose kind has a
// registered decoder, Train decodes a fresh model from b_k and certifies with that: the
// model that votes is exactly the bytes that seed u_k and that Save writes. Members
// without a decoder vote as the learner returned them.
//
// Train stops when ctx is cancelled and returns an error wrapping ctx.Err(); ctx is
// passed on to Fit. If a member fails, Train stops and returns an error naming the
// member's index k. Errors about the inputs, the options, the learner or its models
// wrap ErrInvalidInput.
func Train(ctx context.Context, X [][]float64, y []int, learner BaseLearner, noise smoothing.Noise, opts ...Option) (*Ensemble, error) {
	cfg, err := newConfig("Train", opts)
	if err != nil {
		return nil, err
	}
	s, err := trainMembers(ctx, "Train", X, y, learner, noise, cfg, 0, cfg.models)
	if err != nil {
		return nil, err
	}
	return &Ensemble{s: s, testNoise: true, workers: cfg.workers}, nil
}

// trainMembers checks the inputs and trains the members lo … hi−1 of an ensemble of
// cfg.models (Train's recipe); call names the caller in errors.
func trainMembers(ctx context.Context, call string, X [][]float64, y []int, learner BaseLearner, noise smoothing.Noise, cfg config, lo, hi int) (*shared, error) {
	if ctx == nil {
		return nil, errs.Invalid("ensemble: %s: nil context: pass context.Background() or a real context", call)
	}
	if learner == nil {
		return nil, errs.Invalid("ensemble: %s: nil learner", call)
	}
	inferred := cfg.set&setClasses == 0 && len(y) > 0
	if inferred {
		cfg.classes = max(slices.Max(y)+1, 2) // labels below 0 are reported by check.Data
	}
	d, err := check.Data(X, y, cfg.classes)
	if err == nil && inferred && slices.Max(y) == 0 {
		err = errs.Invalid("all labels are 0: the number of classes cannot be inferred; set WithClasses")
	}
	if err != nil {
		return nil, fmt.Errorf("ensemble: %s: %w", call, err)
	}
	s := &shared{noise: noise, classes: cfg.classes, seed: cfg.seed, dim: d, members: make([]*member, hi-lo),
		data: DataSHA256(X, y), hasData: true}
	if err := s.validate(); err != nil {
		return nil, errs.Invalid("ensemble: %s: %w", call, err)
	}
	t := trainer{cfg: cfg, call: call, X: X, y: y, d: d, learner: learner, s: s, lo: lo, hi: hi}
	if err := t.run(ctx); err != nil {
		return nil, err
	}
	if err := t.verify(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// trainer trains the members lo … hi−1 of an ensemble; s.members[k−lo] is member k.
type trainer struct {
	cfg     config
	call    string
	X       [][]float64
	y       []int
	d       int
	learner BaseLearner
	s       *shared
	lo, hi  int

	mu   sync.Mutex // guards done; serialises progress calls
	done int        // members trained
}

func (t *trainer) run(ctx context.Context) error {
	k, err := forEach(ctx, t.cfg.workers, t.hi-t.lo, func(ctx context.Context, i int, buf []byte) ([]byte, error) {
		buf, err := t.train(ctx, t.lo+i, buf)
		if err == nil {
			t.finish()
		}
		return buf, err
	})
	switch {
	case k >= 0:
		return fmt.Errorf("ensemble: %s: member %d: %w", t.call, t.lo+k, err)
	case err != nil:
		return fmt.Errorf("ensemble: %s: stopped after %d of %d members: %w", t.call, t.done, t.hi-t.lo, err)
	}
	return nil
}

// train trains member k, records the digest of its bytes and draws its test-time
// noise. buf is marshal scratch, returned for reuse. A panic in the learner is returned
// as an error; every error but the learner's own wraps ErrInvalidInput.
func (t *trainer) train(ctx context.Context, k int, buf []byte) (_ []byte, err error) {
	defer recoverPanic(&err)
	rng := smoothing.Stream(t.cfg.seed, k)
	noisy, err := t.s.noise.PerturbData(rng, t.X)
	if err != nil {
		return buf, err
	}
	model, err := t.learner.Fit(ctx, noisy, t.y, t.s.classes, rng.Uint64())
	if err != nil {
		return buf, err
	}
	if model == nil {
		return buf, errs.Invalid("learner returned a nil Model and no error")
	}
	if d := modelDim(model); d != 0 && d != t.d {
		return buf, errs.Invalid("model reports input dimension %d for training data of dimension %d", d, t.d)
	}
	data, err := marshal(model, buf)
	if err != nil {
		return buf, errs.Invalid("%w", err)
	}
	m := newMember(model, data)
	m.drawNoise(t.s.noise, make([]float64, t.d))
	t.s.members[k-t.lo] = m
	return data, nil
}

// finish counts a trained member and reports progress.
func (t *trainer) finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done++
	if t.cfg.progress != nil {
		t.cfg.progress(t.done, t.hi-t.lo)
	}
}

// verify checks, once every member is trained, that the learner kept its contract
// (see Train) and replaces each member that has a registered decoder by a model decoded
// from its recorded bytes. It keeps one digest per member, never all their bytes.
func (t *trainer) verify(ctx context.Context) error {
	same := make(map[any]int)
	for i, m := range t.s.members {
		if key, ok := identity(m.model); ok {
			if j, dup := same[key]; dup {
				return errs.Invalid("ensemble: %s: the learner returned members %d and %d as the same %T object: one model counted twice, with identical bytes, would pass for two independent votes and over-claim; Fit must return a new Model on every call", t.call, t.lo+j, t.lo+i, m.model)
			}
			same[key] = i
		}
	}
	if err := t.s.checkDistinct(); err != nil {
		return errs.Invalid("ensemble: %s: the learner returned %w", t.call, err)
	}
	i, err := forEach(ctx, t.cfg.workers, len(t.s.members), func(_ context.Context, i int, buf []byte) ([]byte, error) {
		return t.s.members[i].refresh(buf)
	})
	switch {
	case i >= 0:
		return fmt.Errorf("ensemble: %s: member %d: %w", t.call, t.lo+i, err)
	case err != nil:
		return fmt.Errorf("ensemble: %s: checking the members: %w", t.call, err)
	}
	return nil
}

// refresh re-marshals the member's model, checks that its bytes are still those
// recorded when it was made, and if its kind has a registered decoder replaces the
// model by one decoded from those bytes. buf is scratch, returned for reuse.
func (m *member) refresh(buf []byte) ([]byte, error) {
	data, err := marshal(m.model, buf)
	if err != nil {
		return buf, errs.Invalid("%w", err)
	}
	if sha256.Sum256(data) != m.digest {
		return data, errs.Invalid("its bytes changed after Fit returned it (another fit modified it?): members must be independent; Fit must return a new Model on every call, which no later call modifies")
	}
	decode, ok := lookupDecoder(m.kind)
	if m.kind == "" || !ok {
		return data, nil
	}
	fresh, data, err := decodeMember(decode, m.kind, data, m.digest, data)
	if err != nil {
		return data, errs.Invalid("%v", err)
	}
	if d, want := modelDim(fresh), len(m.noise); d != 0 && d != want {
		return data, errs.Invalid("the decoded %q model reports input dimension %d for training data of dimension %d", m.kind, d, want)
	}
	m.model = fresh
	return data, nil
}

// forEach calls fn(ctx, i, buf) for i = 0 … n−1, in order of i, on up to workers
// goroutines, each passing its scratch buffer buf from call to call. The first call
// that fails cancels the context passed to the others; an error returned once that
// context is cancelled (by a failure or by the caller) is not counted as a failure.
// forEach returns the lowest failed index and its error; else −1 and ctx.Err() if it
// stopped before every call succeeded; else −1 and nil.
func forEach(ctx context.Context, workers, n int, fn func(ctx context.Context, i int, buf []byte) ([]byte, error)) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex // guards next, done, failed, first
		next   int
		done   int // calls that succeeded
		failed = -1
		first  error
		wg     sync.WaitGroup
	)
	claim := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next == n || failed >= 0 || ctx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range min(workers, n) {
		wg.Go(func() {
			var buf []byte
			for i, ok := claim(); ok; i, ok = claim() {
				var err error
				buf, err = fn(ctx, i, buf)
				mu.Lock()
				switch {
				case err == nil:
					done++
				case ctx.Err() == nil && (failed < 0 || i < failed):
					failed, first = i, err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	switch {
	case failed >= 0:
		return failed, first
	case done < n:
		return -1, ctx.Err()
	}
	return -1, nil
}

// recoverPanic turns a panic in a learner's Fit or a model's Predict into an error in
// *err, so that one faulty member fails the call instead of the program.
func recoverPanic(err *error) {
	if r := recover(); r != nil {
		*err = errs.Invalid("panic: %v", r)
	}
}
