package rab

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/knn"
	"github.com/rabcert/rab/smoothing"
)

// Model is a trained smoothed classifier: either the exact smoothed K-NN of Theorem 3 or
// an ensemble of N noisy base models (Algorithm 1). It is safe for concurrent use.
type Model struct {
	knn      *knn.Smoother      // exact K-NN smoother, or nil
	ens      *ensemble.Ensemble // ensemble, or nil
	alpha    float64            // α of ensemble certificates
	progress func(done, total int)
}

// Train trains a smoothed classifier on the (possibly poisoned) training set X, y.
//
// With WithKNN(k) it builds the exact smoothed K-NN classifier (no sampling, exact
// certificates; needs WithSigma). Otherwise it trains an ensemble of WithModels(N) base
// models (default 1000, learner from WithLearner, default multinomial logistic
// regression), model k on X plus its own noise (Algorithm 1). Options are validated, and
// the ensemble size checked against bound.MinVotes, before any work starts.
func Train(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Model, error) {
	cfg := newConfig(defaultConfig(), opts)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := &Model{alpha: cfg.alpha, progress: cfg.progress}
	var err error
	if cfg.useKNN {
		m.knn, err = trainKNN(X, y, &cfg)
	} else {
		m.ens, err = trainEnsemble(ctx, X, y, &cfg)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func trainKNN(X [][]float64, y []int, cfg *config) (*knn.Smoother, error) {
	opts := []knn.Option{knn.WithSigma(cfg.sigma), knn.WithK(cfg.k), knn.WithLevels(cfg.levels), knn.WithWorkers(cfg.workers)}
	if cfg.classes != 0 {
		opts = append(opts, knn.WithClasses(cfg.classes))
	}
	s, err := knn.New(X, y, opts...)
	if err != nil {
		return nil, fmt.Errorf("rab: %w", err)
	}
	if s.Classes() < 2 {
		return nil, errors.New("rab: every training label is 0: certification needs at least 2 classes; pass WithClasses(2) (or more) if the other classes exist but are absent from this training set")
	}
	return s, nil
}

func trainEnsemble(ctx context.Context, X [][]float64, y []int, cfg *config) (*ensemble.Ensemble, error) {
	noise, err := cfg.noise()
	if err != nil {
		return nil, err
	}
	classes := cfg.classes
	if classes == 0 { // inferred by ensemble.Train, which also reports bad labels
		classes = max(maxLabel(y)+1, 2)
	}
	if err := checkEnsembleSize(cfg.models, classes, cfg.alpha); err != nil {
		return nil, err
	}
	learner := cfg.learner
	if learner == nil {
		if learner, err = logistic.New(); err != nil {
			return nil, err
		}
	}
	opts := []ensemble.Option{
		ensemble.WithModels(cfg.models), ensemble.WithSeed(cfg.seed),
		ensemble.WithWorkers(cfg.workers),
	}
	if cfg.classes != 0 {
		opts = append(opts, ensemble.WithClasses(cfg.classes))
	}
	if cfg.progress != nil {
		opts = append(opts, ensemble.WithProgress(cfg.progress))
	}
	e, err := ensemble.Train(ctx, X, y, learner, noise, opts...)
	if err != nil {
		return nil, fmt.Errorf("rab: %w", err)
	}
	return e, nil
}

// noise returns the configured smoothing distribution.
func (c *config) noise() (smoothing.Noise, error) {
	if c.uniform {
		return smoothing.Uniform(c.a, c.b)
	}
	return smoothing.Gaussian(c.sigma)
}

// maxLabel returns the largest label, or -1 for none; Train's callees reject bad labels.
func maxLabel(y []int) int {
	m := -1
	for _, v := range y {
		m = max(m, v)
	}
	return m
}

// FromEnsemble wraps an ensemble built elsewhere — members trained in another framework
// and loaded with ensemble.FromModels (e.g. ONNX files through package ensemble/onnx),
// or an ensemble read with ensemble.Load — as a Model that certifies with Algorithm 2.
// Only WithAlpha, WithWorkers and WithProgress apply; the ensemble must have at least
// bound.MinVotes(α, classes) members.
func FromEnsemble(e *ensemble.Ensemble, opts ...Option) (*Model, error) {
	if e == nil {
		return nil, errors.New("rab: FromEnsemble: nil ensemble")
	}
	cfg := newConfig(defaultConfig(), opts)
	if err := cfg.validateCertifying(); err != nil {
		return nil, err
	}
	if err := checkEnsembleSize(e.Len(), e.Classes(), cfg.alpha); err != nil {
		return nil, err
	}
	return &Model{ens: e.WithVoteWorkers(cfg.workers), alpha: cfg.alpha, progress: cfg.progress}, nil
}

// checkEnsembleSize rejects an ensemble of n members that can only ever abstain.
func checkEnsembleSize(n, classes int, alpha float64) error {
	if need := bound.MinVotes(alpha, max(classes, 2)); n < need {
		return fmt.Errorf("rab: %d models are too few for α = %v and %d classes: fewer than %d models can only ever abstain; use WithModels(%d) or more", n, alpha, classes, need, need)
	}
	return nil
}

// Kind returns "knn" for the exact smoothed K-NN, "ensemble" for an ensemble, and ""
// for an empty Model.
func (m *Model) Kind() string {
	switch {
	case m.check() != nil:
		return ""
	case m.knn != nil:
		return "knn"
	}
	return "ensemble"
}

// Classes returns the number of classes C (0 for an empty Model).
func (m *Model) Classes() int {
	switch m.Kind() {
	case "knn":
		return m.knn.Classes()
	case "ensemble":
		return m.ens.Classes()
	}
	return 0
}

// Dim returns the input dimension d the model certifies (0 for an empty Model, and 0
// for an ensemble of members that do not report it until its first certification).
func (m *Model) Dim() int {
	switch m.Kind() {
	case "knn":
		return m.knn.Dim()
	case "ensemble":
		return m.ens.Dim()
	}
	return 0
}

// Certify returns the certificate of one input x.
func (m *Model) Certify(ctx context.Context, x []float64) (Certificate, error) {
	certs, err := m.certifyChunk(ctx, [][]float64{x})
	if err != nil {
		return Certificate{}, err
	}
	return certs[0], nil
}

// certifyChunkSize is how many inputs CertifyBatch certifies between progress reports.
const certifyChunkSize = 32

// CertifyBatch returns the certificates of the inputs X, in order, using all workers. It
// stops with ctx.Err() when ctx is cancelled and reports progress (inputs certified)
// through WithProgress.
func (m *Model) CertifyBatch(ctx context.Context, X [][]float64) ([]Certificate, error) {
	if len(X) == 0 {
		return nil, errors.New("rab: CertifyBatch: no inputs")
	}
	out := make([]Certificate, 0, len(X))
	for start := 0; start < len(X); start += certifyChunkSize {
		certs, err := m.certifyChunk(ctx, X[start:min(start+certifyChunkSize, len(X))])
		if err != nil {
			return nil, err
		}
		out = append(out, certs...)
		if m.progress != nil {
			m.progress(len(out), len(X))
		}
	}
	return out, nil
}

// check rejects a Model that was not made by Train, FromEnsemble or Load.
func (m *Model) check() error {
	if m == nil || (m.knn == nil && m.ens == nil) {
		return errors.New("rab: empty Model: make it with Train, FromEnsemble or Load")
	}
	return nil
}

// certifyChunk certifies a few inputs with the model's smoother.
func (m *Model) certifyChunk(ctx context.Context, X [][]float64) ([]Certificate, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.knn != nil {
		return m.certifyKNN(ctx, X)
	}
	return m.certifyEnsemble(ctx, X)
}

// certifyKNN turns exact K-NN class probabilities into certificates: PA is the top
// probability minus the reported numerical error, PB the runner-up plus the error
// (capped at 1 − PA), each moved one float64 step outwards against the rounding of the
// subtraction and addition, and Radius is Corollary 1's bound on them.
func (m *Model) certifyKNN(ctx context.Context, X [][]float64) ([]Certificate, error) {
	probs, errBounds, err := m.knn.ProbabilitiesBatchWithError(ctx, X)
	if err != nil {
		return nil, fmt.Errorf("rab: %w", err)
	}
	certs := make([]Certificate, len(X))
	for i, p := range probs {
		class, runnerUp := topTwo(p)
		pA := max(0, math.Nextafter(p[class]-errBounds[i], 0))
		pB := min(1, math.Nextafter(p[runnerUp]+errBounds[i], 1), math.Nextafter(1-pA, 1))
		if certs[i], err = gaussianCertificate(m.knn.Sigma(), class, pA, pB); err != nil {
			return nil, err
		}
	}
	return certs, nil
}

// certifyEnsemble counts the members' votes and turns them into certificates with
// Algorithm 2 (bound.Estimate).
func (m *Model) certifyEnsemble(ctx context.Context, X [][]float64) ([]Certificate, error) {
	votes, err := m.ens.VotesBatch(ctx, X)
	if err != nil {
		return nil, fmt.Errorf("rab: %w", err)
	}
	noise := m.ens.Noise()
	certs := make([]Certificate, len(X))
	for i, counts := range votes {
		est, err := bound.Estimate(counts, m.alpha)
		if err != nil {
			return nil, fmt.Errorf("rab: %w", err)
		}
		if noise.Kind() == smoothing.KindUniform {
			a, b := noise.Bounds()
			certs[i], err = uniformCertificate(a, b, est)
		} else {
			certs[i], err = gaussianCertificate(noise.Sigma(), est.Class, est.PA, est.PB)
		}
		if err != nil {
			return nil, err
		}
	}
	return certs, nil
}

// gaussianCertificate builds an L2 certificate from bounds pA on the top class and pB on
// every other class (Corollary 1); it abstains when pA ≤ pB.
func gaussianCertificate(sigma float64, class int, pA, pB float64) (Certificate, error) {
	c := Certificate{Class: class, PA: pA, PB: pB, Norm: L2, Abstained: pA <= pB}
	if c.Abstained {
		return c, nil
	}
	r, err := bound.GaussianRadius(sigma, pA, pB)
	if err != nil {
		return Certificate{}, fmt.Errorf("rab: %w", err)
	}
	c.Radius = r
	return c, nil
}

// uniformCertificate builds an L1 certificate (bound.UniformL1Radius) from Algorithm 2's
// estimate under uniform smoothing U([a, b]).
func uniformCertificate(a, b float64, est bound.Estimation) (Certificate, error) {
	c := Certificate{Class: est.Class, PA: est.PA, PB: est.PB, Norm: L1, Abstained: est.Abstain}
	if c.Abstained {
		return c, nil
	}
	r, err := bound.UniformL1Radius(a, b, est.PA, est.PB)
	if err != nil {
		return Certificate{}, fmt.Errorf("rab: %w", err)
	}
	c.Radius = r
	return c, nil
}

// topTwo returns the most probable class (ties: smallest label) and the most probable
// other class.
func topTwo(p []float64) (top, runnerUp int) {
	top, runnerUp = 0, -1
	for c := 1; c < len(p); c++ {
		switch {
		case p[c] > p[top]:
			top, runnerUp = c, top
		case runnerUp < 0 || p[c] > p[runnerUp]:
			runnerUp = c
		}
	}
	return top, runnerUp
}

// Certify trains a smoothed classifier on X, y and certifies the inputs tests, in one
// call: Train(ctx, X, y, opts...) followed by CertifyBatch(ctx, tests). The test inputs
// are checked (non-empty, finite, one length, that of X's rows) before training.
func Certify(ctx context.Context, X [][]float64, y []int, tests [][]float64, opts ...Option) ([]Certificate, error) {
	if err := checkInputs(tests, X); err != nil {
		return nil, err
	}
	m, err := Train(ctx, X, y, opts...)
	if err != nil {
		return nil, err
	}
	return m.CertifyBatch(ctx, tests)
}

// checkInputs rejects test inputs that CertifyBatch would reject after training: none
// at all, ragged rows, a NaN or infinity, or a length other than that of the first
// training row.
func checkInputs(tests, X [][]float64) error {
	d, err := check.Matrix(tests)
	if err != nil {
		return fmt.Errorf("rab: Certify: test inputs: %w", err)
	}
	if len(X) > 0 && len(X[0]) != d {
		return fmt.Errorf("rab: Certify: test inputs have %d features, the training rows have %d", d, len(X[0]))
	}
	return nil
}
