package rab

import (
	"context"
	"crypto/sha256"
	"io"

	"github.com/rabcert/rab/smoothing"
)

// backend is one smoother behind a Model: the exact K-NN (knnBackend) or an ensemble
// (ensembleBackend). A backend is immutable and safe for concurrent use.
type backend interface {
	kind() Kind
	classes() int
	// dim is the input dimension, 0 while unknown (see Model.Dim).
	dim() int
	// describe reports what the trained model fixes.
	describe() description
	// dataSHA256 is the training data's hash (Model.DataSHA256); ok false if unknown.
	dataSHA256() (sum [sha256.Size]byte, ok bool)
	// memberSHA256 is ensemble member k's hash (Model.MemberSHA256); ok false for the
	// K-NN smoother and any k out of range.
	memberSHA256(k int) (sum [sha256.Size]byte, ok bool)
	// certify certifies X, which Model has checked: non-empty, finite, rectangular and
	// of dimension dim() if that is known.
	certify(ctx context.Context, X [][]float64) ([]Certificate, error)
	// save writes the backend's payload of the model file (see persist.go).
	save(w io.Writer) error
}

// description is what a trained model fixes, as Model's accessors report it; fields of
// the other smoother are zero.
type description struct {
	noise     smoothing.Noise
	alpha     float64   // ensembles
	k, levels int       // K-NN
	edges     []float64 // K-NN
	flips     int       // K-NN: r of WithLabelFlips
	models    int       // ensembles
	seed      uint64    // ensembles
}
