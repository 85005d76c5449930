package rab

import (
	"fmt"

	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/internal/errs"
	"github.com/rabcert/rab/smoothing"
)

// certifier turns bounds on the smoothed classifier's class probabilities into
// certificates for one smoothing noise.
type certifier struct {
	norm   Norm
	radius func(pA, pB float64) (float64, error)
}

// certifierFor is the one mapping from smoothing noise to certificates: Gaussian noise
// N(0, σ²I) certifies an L2 radius (Corollary 1, bound.GaussianRadius), uniform noise
// U([a, b]) an L1 radius (Corollary 2, bound.UniformL1Radius). Any other noise is an
// error: no radius is ever computed for a distribution it was not derived for.
func certifierFor(n smoothing.Noise) (certifier, error) {
	switch n.Kind() {
	case smoothing.KindGaussian:
		sigma := n.Sigma()
		return certifier{L2, func(pA, pB float64) (float64, error) { return bound.GaussianRadius(sigma, pA, pB) }}, nil
	case smoothing.KindUniform:
		a, b := n.Bounds()
		return certifier{L1, func(pA, pB float64) (float64, error) { return bound.UniformL1Radius(a, b, pA, pB) }}, nil
	}
	return certifier{}, errs.Invalid("noise %v: rab certifies Gaussian and uniform smoothing only", n)
}

// certificate certifies class from a lower bound pA on its probability and an upper
// bound pB on that of every other class; it abstains when pA ≤ pB.
func (c certifier) certificate(class int, pA, pB float64) (Certificate, error) {
	cert := Certificate{Class: class, PA: pA, PB: pB, Norm: c.norm, Abstained: pA <= pB}
	if cert.Abstained {
		return cert, nil
	}
	r, err := c.radius(pA, pB)
	if err != nil {
		return Certificate{}, fmt.Errorf("rab: %w", err)
	}
	cert.Radius = r
	return cert, nil
}
