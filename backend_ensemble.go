package rab

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/internal/errs"
)

// ensembleBackend is an ensemble of N noisy models (Algorithm 1) certified with
// Algorithm 2 at level α.
type ensembleBackend struct {
	e     *ensemble.Ensemble
	alpha float64
	cert  certifier
}

// trainEnsemble trains the ensemble of cfg (validated by trainConfig). The ensemble
// size is checked against bound.MinVotes before any member is trained.
func trainEnsemble(ctx context.Context, X [][]float64, y []int, cfg *config) (backend, error) {
	classes := cfg.classes
	if cfg.set&setClasses == 0 { // inferred by ensemble.Train, which also reports bad labels
		classes = max(maxLabel(y)+1, 2)
	}
	if err := checkEnsembleSize(cfg.models, classes, cfg.alpha); err != nil {
		return nil, err
	}
	cert, err := certifierFor(cfg.noise)
	if err != nil {
		return nil, err
	}
	learner := cfg.learner
	if learner == nil {
		if learner, err = logistic.New(); err != nil {
			return nil, err
		}
	}
	opts := []ensemble.Option{
		ensemble.WithModels(cfg.models), ensemble.WithSeed(cfg.seed), ensemble.WithWorkers(cfg.workers),
	}
	if cfg.set&setClasses != 0 {
		opts = append(opts, ensemble.WithClasses(cfg.classes))
	}
	if cfg.progress != nil {
		opts = append(opts, ensemble.WithProgress(cfg.progress))
	}
	e, err := ensemble.Train(ctx, X, y, learner, cfg.noise, opts...)
	if err != nil {
		return nil, err
	}
	return &ensembleBackend{e: e, alpha: cfg.alpha, cert: cert}, nil
}

// maxLabel returns the largest label, or -1 for none; Train's callees reject bad labels.
func maxLabel(y []int) int {
	m := -1
	for _, v := range y {
		m = max(m, v)
	}
	return m
}

// newEnsembleBackend certifies an ensemble made elsewhere (FromEnsemble, Load) at level
// cfg.alpha, voting on cfg.workers goroutines.
func newEnsembleBackend(e *ensemble.Ensemble, cfg *config) (backend, error) {
	if err := checkEnsembleSize(e.Len(), e.Classes(), cfg.alpha); err != nil {
		return nil, err
	}
	cert, err := certifierFor(e.Noise())
	if err != nil {
		return nil, err
	}
	return &ensembleBackend{e: e.WithVoteWorkers(cfg.workers), alpha: cfg.alpha, cert: cert}, nil
}

// checkEnsembleSize rejects an ensemble of n members that can only ever abstain.
func checkEnsembleSize(n, classes int, alpha float64) error {
	if need := bound.MinVotes(alpha, max(classes, 2)); n < need {
		return errs.Invalid("%d models are too few for α = %v and %d classes: fewer than %d models can only ever abstain; use WithModels(%d) or more, or a larger α", n, alpha, classes, need, need)
	}
	return nil
}

// loadEnsemble reads the payload that ensembleBackend.save wrote. α is the saved one
// unless cfg sets WithAlpha.
func loadEnsemble(r io.Reader, cfg *config) (backend, error) {
	if err := cfg.checkNoFlips(); err != nil {
		return nil, err
	}
	data, err := readBlock(r, "α", 8)
	if err != nil {
		return nil, err
	}
	if len(data) != 8 {
		return nil, errs.Corrupt("α block of %d bytes, want 8", len(data))
	}
	saved := math.Float64frombits(binary.LittleEndian.Uint64(data))
	if !(saved > 0 && saved < 1) {
		return nil, errs.Corrupt("saved α = %v is outside (0, 1)", saved)
	}
	if cfg.set&setAlpha == 0 {
		cfg.alpha = saved
	}
	e, err := ensemble.Load(r)
	if err != nil {
		return nil, err
	}
	return newEnsembleBackend(e, cfg)
}

func (b *ensembleBackend) kind() Kind   { return KindEnsemble }
func (b *ensembleBackend) classes() int { return b.e.Classes() }
func (b *ensembleBackend) dim() int     { return b.e.Dim() }

func (b *ensembleBackend) dataSHA256() ([sha256.Size]byte, bool) { return b.e.DataSHA256() }

func (b *ensembleBackend) memberSHA256(k int) ([sha256.Size]byte, bool) { return b.e.MemberSHA256(k) }

func (b *ensembleBackend) describe() description {
	return description{noise: b.e.Noise(), alpha: b.alpha, models: b.e.Len(), seed: b.e.Seed()}
}

// certify counts the members' votes and turns them into certificates with Algorithm 2
// (bound.Estimate at level α).
func (b *ensembleBackend) certify(ctx context.Context, X [][]float64) ([]Certificate, error) {
	votes, err := b.e.VotesBatch(ctx, X)
	if err != nil {
		return nil, err
	}
	certs := make([]Certificate, len(X))
	for i, counts := range votes {
		est, err := bound.Estimate(counts, b.alpha)
		if err != nil {
			return nil, err
		}
		if certs[i], err = b.cert.certificate(est.Class, est.PA, est.PB); err != nil {
			return nil, err
		}
	}
	return certs, nil
}

// save writes α as one block, then the ensemble's own stream (hash-checked itself).
func (b *ensembleBackend) save(w io.Writer) error {
	if err := writeBlock(w, binary.LittleEndian.AppendUint64(nil, math.Float64bits(b.alpha))); err != nil {
		return err
	}
	return b.e.Save(w)
}
