package knn

import (
	"crypto/sha256"

	"github.com/rabcert/rab/internal/datahash"
)

// DataSHA256 returns the SHA-256 of the Smoother's training data, computed from the
// rows and labels it stores (O(n·d) per call), in the layout of ensemble.DataSHA256: a
// Smoother and an ensemble trained on the same X and y report the same hash, which ties
// a saved model to the data it was built from.
func (s *Smoother) DataSHA256() [sha256.Size]byte { return datahash.SumFlat(s.x, s.n, s.d, s.y) }
