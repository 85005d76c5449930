package rab

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatternRadius(t *testing.T) {
	c := Certificate{Class: 1, PA: 0.9, PB: 0.1, Radius: 2}
	assert.Equal(t, 2.0, c.PatternRadius(1))
	assert.InDelta(t, 1.0, c.PatternRadius(4), 1e-15, "eq. (13): R/√r")
	assert.InDelta(t, 2/math.Sqrt(10), c.PatternRadius(10), 1e-15)
	assert.Zero(t, c.PatternRadius(0))
	l1 := Certificate{Radius: 2, Norm: L1}
	assert.Equal(t, 0.5, l1.PatternRadius(4), "L1: r copies of δ have norm r‖δ‖₁")
	assert.Zero(t, Certificate{Radius: 2, Abstained: true}.PatternRadius(1))
}

func TestCertifies(t *testing.T) {
	c := Certificate{Radius: 1}
	assert.True(t, c.Certifies(0.999))
	assert.False(t, c.Certifies(1), "the bound of eq. (12) is strict")
	assert.True(t, c.CertifiesPattern(0.49, 4))
	assert.False(t, c.CertifiesPattern(0.5, 4))
	assert.False(t, c.CertifiesPattern(0.1, 0))
	assert.False(t, Certificate{Radius: 1, Abstained: true}.Certifies(0))
	assert.Equal(t, "L1", L1.String())
	assert.Equal(t, "L2", L2.String())
}

func TestCertifiedAccuracy(t *testing.T) {
	certs := []Certificate{
		{Class: 0, Radius: 0.5},                  // right, R = 0.5
		{Class: 1, Radius: 0.2},                  // right, R = 0.2
		{Class: 1, Radius: 0.9},                  // wrong class
		{Class: 0, Radius: 0.0, Abstained: true}, // abstained
	}
	labels := []int{0, 1, 0, 0}
	for _, c := range []struct{ norm, want float64 }{{0, 0.5}, {0.1, 0.5}, {0.2, 0.25}, {0.4999, 0.25}, {0.5, 0}} {
		got, err := CertifiedAccuracy(certs, labels, c.norm)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "norm %v", c.norm)
	}
	_, err := CertifiedAccuracy(certs, labels[:3], 0)
	assert.ErrorContains(t, err, "4 certificates but 3 labels")
	_, err = CertifiedAccuracy(nil, nil, 0)
	assert.Error(t, err)
	for _, norm := range []float64{-1, math.NaN(), math.Inf(1)} {
		_, err = CertifiedAccuracy(certs, labels, norm)
		assert.Error(t, err, "norm %v", norm)
	}
}

func TestTopTwo(t *testing.T) {
	for _, c := range []struct {
		p             []float64
		top, runnerUp int
	}{
		{[]float64{0.2, 0.8}, 1, 0},
		{[]float64{0.5, 0.5}, 0, 1},
		{[]float64{0.1, 0.3, 0.6}, 2, 1},
		{[]float64{0.6, 0.3, 0.1}, 0, 1},
		{[]float64{0.3, 0.1, 0.3, 0.3}, 0, 2},
	} {
		top, runnerUp := topTwo(c.p)
		assert.Equal(t, [2]int{c.top, c.runnerUp}, [2]int{top, runnerUp}, "%v", c.p)
	}
}
