package rab

import (
	"context"
	"crypto/sha256"
	"io"
	"math"

	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/knn"
	"github.com/rabcert/rab/smoothing"
)

// knnBackend is the exact smoothed K-NN classifier of Theorem 3 (package knn).
type knnBackend struct {
	s     *knn.Smoother
	noise smoothing.Noise // N(0, σ²I) with the smoother's σ
	cert  certifier
	flips int // WithLabelFlips: certify up to this many relabelled rows
}

// maxKNNBytes bounds the K-NN payload length read from a file: a corrupt length field
// must not make Load allocate without limit.
const maxKNNBytes = 1 << 34

// trainKNN builds the exact smoothed K-NN classifier of cfg (validated by trainConfig).
func trainKNN(X [][]float64, y []int, cfg *config) (backend, error) {
	opts := []knn.Option{knn.WithSigma(cfg.noise.Sigma()), knn.WithK(cfg.k), knn.WithWorkers(cfg.workers)}
	if cfg.set&setEdges != 0 {
		opts = append(opts, knn.WithEdges(cfg.edges))
	} else {
		opts = append(opts, knn.WithLevels(cfg.levels))
	}
	if cfg.set&setClasses != 0 {
		opts = append(opts, knn.WithClasses(cfg.classes))
	}
	s, err := knn.New(X, y, opts...)
	if err != nil {
		return nil, err
	}
	return newKNNBackend(s, cfg)
}

// loadKNN reads the payload that knnBackend.save wrote.
func loadKNN(r io.Reader, cfg *config) (backend, error) {
	if cfg.set&setAlpha != 0 {
		return nil, errs.Invalid("%s: the file holds an exact K-NN model, whose certificates do not depend on α: drop WithAlpha", cfg.describe(setAlpha))
	}
	data, err := readBlock(r, "K-NN payload", maxKNNBytes)
	if err != nil {
		return nil, err
	}
	s, err := knn.Unmarshal(data, knn.WithWorkers(cfg.workers))
	if err != nil { // the bytes passed their SHA-256: whoever wrote them wrote a bad model
		return nil, errs.Corrupt("K-NN payload: %w", err)
	}
	return newKNNBackend(s, cfg)
}

// newKNNBackend certifies with s, and with cfg's label flips, which cannot exceed
// the training rows.
func newKNNBackend(s *knn.Smoother, cfg *config) (backend, error) {
	if cfg.flips > s.Len() {
		return nil, errs.Invalid("%s: the training set has %d rows: no more can be relabelled", cfg.describe(setLabelFlips), s.Len())
	}
	noise, err := smoothing.Gaussian(s.Sigma())
	if err != nil {
		return nil, err
	}
	cert, err := certifierFor(noise)
	if err != nil {
		return nil, err
	}
	return &knnBackend{s: s, noise: noise, cert: cert, flips: cfg.flips}, nil
}

func (b *knnBackend) kind() Kind   { return KindKNN }
func (b *knnBackend) classes() int { return b.s.Classes() }
func (b *knnBackend) dim() int     { return b.s.Dim() }

func (b *knnBackend) dataSHA256() ([sha256.Size]byte, bool) { return b.s.DataSHA256(), true }

func (b *knnBackend) memberSHA256(int) (sum [sha256.Size]byte, ok bool) { return sum, false }

func (b *knnBackend) describe() description {
	return description{noise: b.noise, k: b.s.K(), levels: b.s.Levels(), edges: b.s.Edges(), flips: b.flips}
}

// certify turns exact K-NN class probabilities into certificates: PA is the top
// probability minus the reported numerical error, PB the runner-up plus the error
// (capped at 1 − PA), each moved one float64 step outwards against the rounding of the
// subtraction and addition, and the radius is Corollary 1's bound on them.
//
// The quantisation diagnostics come from the same evaluation, each raised by its
// error bound (one float64 step outwards) and capped at 1; with WithLabelFlips, so do
// the label-flip bounds (labelFlips).
func (b *knnBackend) certify(ctx context.Context, X [][]float64) ([]Certificate, error) {
	evaluate := b.s.EvaluateBatch
	if b.flips > 0 {
		evaluate = b.s.EvaluateBatchWithMembership
	}
	evs, err := evaluate(ctx, X)
	if err != nil {
		return nil, err
	}
	certs := make([]Certificate, len(X))
	for i, ev := range evs {
		p, errBound := ev.Probs, ev.ErrBound
		class, runnerUp := topTwo(p)
		pA := max(0, math.Nextafter(p[class]-errBound, 0))
		pB := min(1, math.Nextafter(p[runnerUp]+errBound, 1), math.Nextafter(1-pA, 1))
		if certs[i], err = b.cert.certificate(class, pA, pB); err != nil {
			return nil, err
		}
		upper := func(v float64) float64 { return min(1, math.Nextafter(v+ev.DiagnosticsErrBound, 1)) }
		certs[i].Quantisation = &Quantisation{Ties: upper(ev.Ties), LastBucket: upper(ev.LastBucket)}
		if b.flips > 0 {
			if certs[i].LabelFlips, err = b.labelFlips(certs[i], ev.Membership.FlipBounds(b.flips)); err != nil {
				return nil, err
			}
		}
	}
	return certs, nil
}

// labelFlips returns the label-flip bounds of certificate c (package knn, "Label
// flips"): for k relabelled rows the shift bound M_k = shift[k−1] (upper bounds
// already), and Corollary 1's radius at pA − M_k and min(pB + M_k, 1 − (pA − M_k)),
// each moved one float64 step outwards, or 0 once pA − M_k ≤ pB + M_k (for every
// larger k too: M_k does not decrease). Each radius is capped at the one before, so
// that rounding cannot make them increase with k.
func (b *knnBackend) labelFlips(c Certificate, shift []float64) (*LabelFlips, error) {
	lf := &LabelFlips{Shift: shift, Radius: make([]float64, len(shift))}
	last := c.Radius
	for k, m := range shift {
		pA := max(0, math.Nextafter(c.PA-m, 0))
		pB := min(1, math.Nextafter(c.PB+m, 1), math.Nextafter(1-pA, 1))
		if c.Abstained || pA <= pB {
			break
		}
		r, err := b.cert.radius(pA, pB)
		if err != nil {
			return nil, err
		}
		last = min(last, r)
		lf.Radius[k] = last
	}
	return lf, nil
}

// save writes the smoother's bytes as one block.
func (b *knnBackend) save(w io.Writer) error {
	data, err := b.s.MarshalBinary()
	if err != nil {
		return err
	}
	return writeBlock(w, data)
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
