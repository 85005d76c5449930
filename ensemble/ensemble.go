package ensemble

import (
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/smoothing"
)

// MaxClasses is the largest number of classes an Ensemble supports; vote counts take
// C integers per input.
const MaxClasses = 1 << 20

// MaxModels is the largest ensemble size N that Train and Load accept (N members are
// held in memory at once).
const MaxModels = 1 << 20

// Ensemble is a collection of N trained members {(h_k, u_k)} (Algorithm 1) with the
// smoothing noise they were trained with and the number of classes. Its methods are
// safe for concurrent use: each member is locked while it predicts, so members need not
// be safe for concurrent use themselves. Build one with Train, FromModels, Merge or Load;
// a zero (or nil) Ensemble has no members: its accessors return zero values, and
// Votes, VotesBatch, Estimate and Save return an error.
type Ensemble struct {
	s         *shared
	testNoise bool // vote on x + u_k (Algorithm 1); false: on x
	workers   int  // goroutines that vote; 0: GOMAXPROCS
}

// shared is the state common to an Ensemble and its WithoutTestNoise view.
type shared struct {
	members []*member
	noise   smoothing.Noise
	classes int
	seed    uint64
	data    [sha256.Size]byte // DataSHA256 of the training data, if hasData
	hasData bool              // false for FromModels: the training data is unknown

	dimMu sync.Mutex
	dim   int // input dimension d; 0 until known (see FromModels)
}

// FromModels returns an Ensemble of members trained elsewhere, e.g. N networks trained
// in another framework on noisy copies of the data drawn with the given noise. Member
// k's test-time noise u_k is drawn from smoothing.Stream(smoothing.SeedFromModel(b_k), 0)
// with b_k its MarshalBinary bytes, exactly as for members trained by Train.
//
// THE CERTIFICATE IS ONLY AS GOOD AS THE TRAINING THAT PRODUCED THESE MODELS, AND
// FromModels CANNOT CHECK IT. The bounds of Algorithm 2 hold only if the models are
// independent draws of the smoothed classifier: model k trained on the training set
// plus its own independent noise ε_k (every feature of every row, drawn from noise),
// no model trained on or tuned to the test inputs, and no two models sharing a fit
// (package ensemble/onnx lists what the training side must do). Train enforces this
// recipe; FromModels takes it on trust. What it does check: no model is nil, every
// model marshals, no two models have identical bytes (one model counted twice would
// pass for two independent votes and over-claim), Dimensioned models agree on the input
// dimension, and models that report their number of classes (a Classes() int method)
// report classes.
//
// u_k has one coordinate per input feature. If the models implement Dimensioned, they
// must agree on InputDim and the noise is drawn at once. Otherwise the dimension is
// fixed by the first call to Votes, VotesBatch or Estimate, and later calls with inputs
// of another length are rejected. This is deterministic: u_k of length d is the first
// d draws of its stream, whenever it is drawn.
//
// The models must not change after FromModels: their bytes fix u_k, and Save checks
// them. The models must not be used elsewhere while the Ensemble votes unless they are
// safe for concurrent use. Seed returns 0 for an Ensemble built by FromModels, and
// DataSHA256 reports no hash.
func FromModels(models []Model, noise smoothing.Noise, classes int) (*Ensemble, error) {
	if len(models) == 0 {
		return nil, errs.Invalid("ensemble: FromModels: no models: want at least 1")
	}
	members := make([]*member, len(models))
	for k, model := range models {
		if model == nil {
			return nil, errs.Invalid("ensemble: FromModels: model %d is nil", k)
		}
		data, err := marshal(model, nil)
		if err != nil {
			return nil, errs.Invalid("ensemble: FromModels: model %d: %w", k, err)
		}
		if c, ok := model.(classed); ok && c.Classes() != classes {
			return nil, errs.Invalid("ensemble: FromModels: model %d has %d classes, the ensemble %d: pass the models' number of classes", k, c.Classes(), classes)
		}
		members[k] = newMember(model, data)
	}
	s, err := newShared(members, noise, classes, 0, 0)
	if err != nil {
		return nil, errs.Invalid("ensemble: FromModels: %w", err)
	}
	return &Ensemble{s: s, testNoise: true}, nil
}

// classed is implemented by models that know their number of classes.
type classed interface{ Classes() int }

// newShared returns the state of an ensemble of the given members. dim is the input
// dimension if known, else 0; Dimensioned members must agree with it and each other.
// If the dimension is known, every u_k is drawn. Its errors carry no sentinel: the
// callers know whether the members came from the caller or from a file.
func newShared(members []*member, noise smoothing.Noise, classes int, seed uint64, dim int) (*shared, error) {
	s := &shared{members: members, noise: noise, classes: classes, seed: seed}
	if err := s.validate(); err != nil {
		return nil, err
	}
	if err := s.checkDistinct(); err != nil {
		return nil, err
	}
	for k, m := range members {
		d := modelDim(m.model)
		switch {
		case d < 0:
			return nil, fmt.Errorf("member %d reports input dimension %d", k, d)
		case d > 0 && dim > 0 && d != dim:
			return nil, fmt.Errorf("member %d takes inputs of dimension %d, but the ensemble's inputs have dimension %d", k, d, dim)
		case d > 0:
			dim = d
		}
	}
	if dim > 0 {
		if err := s.fixDim(dim); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkDistinct rejects members with identical bytes: the same model counted twice
// would pass for two independent draws of the smoothed classifier and over-claim. It
// keeps one digest per member, never their bytes.
func (s *shared) checkDistinct() error {
	first := make(map[[sha256.Size]byte]int, len(s.members))
	for k, m := range s.members {
		if j, dup := first[m.digest]; dup {
			return fmt.Errorf("members %d and %d have identical bytes: one model counted twice would pass for two independent votes and over-claim; give each member its own noisy training set", j, k)
		}
		first[m.digest] = k
	}
	return nil
}

// validate checks the noise and the number of classes.
func (s *shared) validate() error {
	if s.noise.Kind() == 0 {
		return smoothing.ErrZeroNoise
	}
	if s.classes < 2 || s.classes > MaxClasses {
		return fmt.Errorf("%d classes: want 2 to %d", s.classes, MaxClasses)
	}
	return nil
}

// fixDim records the input dimension d, drawing every member's u_k if it was unknown,
// and fails if a different dimension was recorded before.
func (s *shared) fixDim(d int) error {
	s.dimMu.Lock()
	defer s.dimMu.Unlock()
	switch s.dim {
	case d:
		return nil
	case 0:
		flat := make([]float64, len(s.members)*d)
		for k, m := range s.members {
			m.drawNoise(s.noise, flat[k*d:(k+1)*d:(k+1)*d])
		}
		s.dim = d
		return nil
	}
	return errs.At(-1, -1, "inputs have %d features, the ensemble's members take %d", d, s.dim)
}

// empty is the state of a zero Ensemble or Shard: accessors return zero values, the
// other methods an error.
var empty = &shared{}

// state returns e's state, or empty for a zero or nil Ensemble.
func (e *Ensemble) state() *shared {
	if e == nil || e.s == nil {
		return empty
	}
	return e.s
}

// usable returns an error wrapping ErrInvalidInput for a zero or nil Ensemble.
func (e *Ensemble) usable(call string) error {
	if e == nil || e.s == nil {
		return errs.Invalid("ensemble: %s: zero Ensemble: build one with Train, FromModels, Merge or Load", call)
	}
	return nil
}

// WithoutTestNoise returns a view of e whose members vote on x itself instead of
// x + u_k. It shares e's members. The paper reports that voting without test-time noise
// loses accuracy (Section 6.1.3); the view exists to measure that. Certificates from
// either are sound: h_k(· + u_k) and h_k are both deterministic functions of the noisy
// training set.
func (e *Ensemble) WithoutTestNoise() *Ensemble {
	if e == nil {
		return &Ensemble{}
	}
	return &Ensemble{s: e.s, testNoise: false, workers: e.workers}
}

// WithVoteWorkers returns a view of the ensemble, sharing its members, whose Votes and
// VotesBatch run on n goroutines (n < 1: GOMAXPROCS, the default of loaded and
// FromModels ensembles; Train's ensembles vote on its WithWorkers). The counts do not
// depend on n.
func (e *Ensemble) WithVoteWorkers(n int) *Ensemble {
	if e == nil {
		return &Ensemble{}
	}
	return &Ensemble{s: e.s, testNoise: e.testNoise, workers: max(n, 0)}
}

// TestNoise reports whether members vote on x + u_k (true unless the Ensemble came from
// WithoutTestNoise).
func (e *Ensemble) TestNoise() bool { return e != nil && e.testNoise }

// Len returns the number of members N.
func (e *Ensemble) Len() int { return len(e.state().members) }

// Classes returns the number of classes C.
func (e *Ensemble) Classes() int { return e.state().classes }

// Noise returns the smoothing noise of training and of u_k.
func (e *Ensemble) Noise() smoothing.Noise { return e.state().noise }

// Seed returns the seed Train was given (0 for FromModels).
func (e *Ensemble) Seed() uint64 { return e.state().seed }

// DataSHA256 returns the SHA-256 of the training data X, y (the function DataSHA256):
// of the data Train was given, the one Merge's shards record, or the one Load read from
// the file. ok is false for an Ensemble built by FromModels, whose training data is
// unknown, and for a zero Ensemble.
func (e *Ensemble) DataSHA256() (sum [sha256.Size]byte, ok bool) {
	s := e.state()
	return s.data, s.hasData
}

// Dim returns the input dimension d, or 0 if it is not known yet (see FromModels).
func (e *Ensemble) Dim() int {
	s := e.state()
	s.dimMu.Lock()
	defer s.dimMu.Unlock()
	return s.dim
}

// Models returns the members h_1 … h_N in order, in a new slice. The models must not be
// used while the Ensemble votes, unless they are safe for concurrent use.
func (e *Ensemble) Models() []Model {
	members := e.state().members
	out := make([]Model, len(members))
	for k, m := range members {
		out[k] = m.model
	}
	return out
}

// MemberSHA256 returns the SHA-256 of member k's bytes (0 ≤ k < Len()), the hash Save
// records and from which u_k is seeded; ok is false for any other k.
func (e *Ensemble) MemberSHA256(k int) (sum [sha256.Size]byte, ok bool) {
	members := e.state().members
	if k < 0 || k >= len(members) {
		return sum, false
	}
	return members[k].digest, true
}
