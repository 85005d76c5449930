package rab

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/internal/check"
	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/smoothing"
)

// Kind names the smoother of a Model.
type Kind uint8

const (
	// KindKNN is the exact smoothed K-nearest-neighbour classifier of Theorem 3, made by
	// Train with WithKNN.
	KindKNN Kind = iota + 1
	// KindEnsemble is an ensemble of N models trained on noisy copies of the data
	// (Algorithm 1), certified with Algorithm 2.
	KindEnsemble
)

// String returns "knn" or "ensemble" ("Kind(0)" for the Kind of an empty Model).
func (k Kind) String() string {
	switch k {
	case KindKNN:
		return "knn"
	case KindEnsemble:
		return "ensemble"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Model is a trained smoothed classifier: either the exact smoothed K-NN of Theorem 3 or
// an ensemble of N noisy base models (Algorithm 1). Make it with Train, FromEnsemble or
// Load; the zero Model is empty, its methods return errors and its accessors zero
// values. It is safe for concurrent use.
type Model struct {
	b        backend
	progress func(done, total int)
}

// Train trains a smoothed classifier on the (possibly poisoned) training set X, y.
//
// With WithKNN(k) it builds the exact smoothed K-NN classifier (no sampling, exact
// certificates; needs WithSigma). Otherwise it trains an ensemble of WithModels(N) base
// models (default DefaultModels, learner from WithLearner, default multinomial
// logistic regression), model k on X plus its own noise (Algorithm 1). An option of
// the other smoother is an error naming it. Options are validated, and the ensemble
// size checked against bound.MinVotes, before any work starts.
//
// X must be non-empty, rectangular and finite, y one label in [0, C) per row. Without
// WithClasses, C is the largest label + 1, and a training set whose labels are all the
// same class (whichever) is an error: pass WithClasses if the other classes exist but
// are absent from it. Train never modifies X or y. A cancelled ctx stops it with an
// error wrapping ctx.Err().
func Train(ctx context.Context, X [][]float64, y []int, opts ...Option) (*Model, error) {
	return train("Train", ctx, X, y, opts)
}

// train is Train for call (Train or Certify).
func train(call string, ctx context.Context, X [][]float64, y []int, opts []Option) (*Model, error) {
	if ctx == nil {
		return nil, errNilContext(call)
	}
	cfg, err := trainConfig(call, opts)
	if err != nil {
		return nil, err
	}
	if err := checkLabels(len(X), y, &cfg); err != nil {
		return nil, fmt.Errorf("rab: %s: %w", call, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rab: %s: %w", call, err)
	}
	var b backend
	if cfg.set&setKNN != 0 {
		b, err = trainKNN(X, y, &cfg)
	} else {
		b, err = trainEnsemble(ctx, X, y, &cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("rab: %s: %w", call, err)
	}
	return &Model{b: b, progress: cfg.progress}, nil
}

// checkLabels rejects a training set of n rows and one class unless WithClasses
// declares more. Other label problems (a count other than n, labels outside [0, C))
// are left to the smoothers, which locate them.
func checkLabels(n int, y []int, cfg *config) error {
	if cfg.set&setClasses != 0 || len(y) != n || n == 0 || y[0] < 0 {
		return nil
	}
	for _, v := range y {
		if v != y[0] {
			return nil
		}
	}
	return errs.Invalid("every training label is %d: certification needs at least 2 classes; pass WithClasses(C) if the other classes exist but are absent from this training set", y[0])
}

// FromEnsemble wraps an ensemble built elsewhere — members trained in another framework
// and loaded with ensemble.FromModels (e.g. ONNX files through package ensemble/onnx),
// or an ensemble read with ensemble.Load — as a Model that certifies with Algorithm 2.
// Only LoadOptions apply (WithAlpha, WithWorkers, WithProgress; WithLabelFlips is an
// error: ensembles do not certify label flips); the ensemble must have at least
// bound.MinVotes(α, classes) members.
func FromEnsemble(e *ensemble.Ensemble, opts ...LoadOption) (*Model, error) {
	if e == nil {
		return nil, errs.Invalid("rab: FromEnsemble: nil ensemble: build one with ensemble.Train, ensemble.FromModels or ensemble.Load")
	}
	cfg, err := loadConfig("FromEnsemble", opts)
	if err != nil {
		return nil, err
	}
	if err := cfg.checkNoFlips(); err != nil {
		return nil, fmt.Errorf("rab: FromEnsemble: %w", err)
	}
	b, err := newEnsembleBackend(e, &cfg)
	if err != nil {
		return nil, fmt.Errorf("rab: FromEnsemble: %w", err)
	}
	return &Model{b: b, progress: cfg.progress}, nil
}

// Certify trains a smoothed classifier on X, y and certifies the inputs tests, in one
// call: Train(ctx, X, y, opts...) followed by CertifyBatch(ctx, tests). The test inputs
// are checked (non-empty, finite, one length, that of X's rows) before training.
func Certify(ctx context.Context, X [][]float64, y []int, tests [][]float64, opts ...Option) ([]Certificate, error) {
	d := 0
	if len(X) > 0 {
		d = len(X[0])
	}
	if err := checkInputs("Certify", "test inputs", tests, d); err != nil {
		return nil, err
	}
	m, err := train("Certify", ctx, X, y, opts)
	if err != nil {
		return nil, err
	}
	return m.CertifyBatch(ctx, tests)
}

// Kind returns the model's smoother: KindKNN or KindEnsemble (0 for an empty Model).
func (m *Model) Kind() Kind { return get(m, backend.kind) }

// Classes returns the number of classes C.
func (m *Model) Classes() int { return get(m, backend.classes) }

// Dim returns the input dimension d the model certifies (0 for an ensemble of members
// that do not report it, until its first certification fixes it).
func (m *Model) Dim() int { return get(m, backend.dim) }

// Noise returns the smoothing noise: N(0, σ²I) for the K-NN smoother, the noise the
// ensemble's members were trained with otherwise.
func (m *Model) Noise() smoothing.Noise { return m.describe().noise }

// Alpha returns the probability α that an ensemble certificate is wrong (0 for the
// K-NN smoother, whose certificates are exact).
func (m *Model) Alpha() float64 { return m.describe().alpha }

// K returns K of the K-NN smoother (0 for an ensemble).
func (m *Model) K() int { return m.describe().k }

// Levels returns the number of distance levels L of the K-NN smoother (0 for an
// ensemble).
func (m *Model) Levels() int { return m.describe().levels }

// Edges returns a copy of the K-NN smoother's finite bucket edges b_1 < … < b_{L−1}
// in squared distance (nil for an ensemble).
func (m *Model) Edges() []float64 { return m.describe().edges }

// Models returns the ensemble size N (0 for the K-NN smoother).
func (m *Model) Models() int { return m.describe().models }

// Seed returns the seed the ensemble was trained with (0 for the K-NN smoother and for
// ensembles built by ensemble.FromModels).
func (m *Model) Seed() uint64 { return m.describe().seed }

// LabelFlips returns the number r of relabelled training rows the model's
// certificates also certify (WithLabelFlips; 0 when not given, and for ensembles).
func (m *Model) LabelFlips() int { return m.describe().flips }

// DataSHA256 returns the SHA-256 of the training data X, y in the layout of
// ensemble.DataSHA256, which ties a model and its file to the data it was trained on.
// For the K-NN smoother it is computed from the training rows the model stores
// (knn.Smoother.DataSHA256, O(n·d) per call); for an ensemble it is the hash that
// ensemble.Train or ensemble.Merge recorded and the model file keeps
// (ensemble.Ensemble.DataSHA256). Both kinds trained on the same X and y report the
// same hash. ok is false for an ensemble built by ensemble.FromModels, whose training
// data is unknown, and for an empty Model.
func (m *Model) DataSHA256() (sum [sha256.Size]byte, ok bool) {
	if m == nil || m.b == nil {
		return sum, false
	}
	return m.b.dataSHA256()
}

// MemberSHA256 returns the SHA-256 of ensemble member k's bytes (0 ≤ k < Models()):
// the hash the model file records and from which the member's test-time noise u_k is
// seeded (ensemble.Ensemble.MemberSHA256). ok is false for any other k, for the K-NN
// smoother and for an empty Model.
func (m *Model) MemberSHA256(k int) (sum [sha256.Size]byte, ok bool) {
	if m == nil || m.b == nil {
		return sum, false
	}
	return m.b.memberSHA256(k)
}

func (m *Model) describe() description {
	if m == nil || m.b == nil {
		return description{}
	}
	return m.b.describe()
}

// get returns f of the backend, or the zero value for an empty Model.
func get[T any](m *Model, f func(backend) T) T {
	var zero T
	if m == nil || m.b == nil {
		return zero
	}
	return f(m.b)
}

// Certify returns the certificate of one input x.
func (m *Model) Certify(ctx context.Context, x []float64) (Certificate, error) {
	certs, err := m.certify("Certify", ctx, [][]float64{x}, false)
	if err != nil {
		return Certificate{}, err
	}
	return certs[0], nil
}

// certifyChunkSize is how many inputs CertifyBatch certifies between progress reports.
const certifyChunkSize = 32

// CertifyBatch returns the certificates of the inputs X, in order, using all workers.
// X must be non-empty, finite and rectangular, of the model's dimension. It stops with
// an error wrapping ctx.Err() when ctx is cancelled and reports progress (inputs
// certified) through WithProgress.
func (m *Model) CertifyBatch(ctx context.Context, X [][]float64) ([]Certificate, error) {
	return m.certify("CertifyBatch", ctx, X, true)
}

// certify checks the call and X, then certifies X in chunks, reporting progress after
// each if report is set.
func (m *Model) certify(call string, ctx context.Context, X [][]float64, report bool) ([]Certificate, error) {
	if err := m.check(call); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errNilContext(call)
	}
	if err := checkInputs(call, "inputs", X, m.b.dim()); err != nil {
		return nil, err
	}
	out := make([]Certificate, 0, len(X))
	for start := 0; start < len(X); start += certifyChunkSize {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("rab: %s: %w", call, err)
		}
		certs, err := m.b.certify(ctx, X[start:min(start+certifyChunkSize, len(X))])
		if err != nil {
			return nil, fmt.Errorf("rab: %s: %w", call, err)
		}
		out = append(out, certs...)
		if report && m.progress != nil {
			m.progress(len(out), len(X))
		}
	}
	return out, nil
}

// check rejects a Model that was not made by Train, FromEnsemble or Load.
func (m *Model) check(call string) error {
	if m == nil || m.b == nil {
		return errs.Invalid("rab: %s: empty Model: make it with Train, FromEnsemble or Load", call)
	}
	return nil
}

// checkInputs rejects inputs (named what in messages) that cannot be certified: none
// at all, ragged rows, a NaN or infinity, or a length other than d (unless d is 0,
// unknown).
func checkInputs(call, what string, X [][]float64, d int) error {
	got, err := check.Matrix(X)
	if err != nil {
		return fmt.Errorf("rab: %s: %s: %w", call, what, err)
	}
	if d != 0 && got != d {
		return errs.Invalid("rab: %s: %s have %d features, the training rows have %d", call, what, got, d)
	}
	return nil
}

func errNilContext(call string) error {
	return errs.Invalid("rab: %s: nil context: pass context.Background() or a request's context", call)
}
