package rab

import (
	"context"
	"encoding/json"
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

// TestFlipRadius pins FlipRadius and CertifiesAttack on a hand-made certificate.
func TestFlipRadius(t *testing.T) {
	c := Certificate{Radius: 1.5, LabelFlips: &LabelFlips{Shift: []float64{0.125, 0.25, 0.5}, Radius: []float64{0.75, 0.25, 0}}}
	for k, want := range []float64{1.5, 0.75, 0.25, 0, 0} {
		assert.Equal(t, want, c.FlipRadius(k), "k = %d", k)
	}
	assert.Zero(t, c.FlipRadius(-1))
	assert.True(t, c.CertifiesAttack(1.49, 0), "no row poisoned: R > 0")
	assert.True(t, c.CertifiesAttack(0.74, 1))
	assert.False(t, c.CertifiesAttack(0.75, 1), "strict, as eq. (12)")
	assert.True(t, c.CertifiesAttack(0.17, 2), "0.17·√2 ≈ 0.240 < 0.25")
	assert.False(t, c.CertifiesAttack(0.18, 2), "0.18·√2 ≈ 0.255")
	assert.False(t, c.CertifiesAttack(0, 3), "3 flips not certified")
	assert.False(t, c.CertifiesAttack(0, 4), "beyond WithLabelFlips(3)")
	assert.False(t, c.CertifiesAttack(0, -1))
	c.Abstained = true
	assert.False(t, c.CertifiesAttack(0, 0))
	assert.Zero(t, Certificate{Radius: 2}.FlipRadius(1), "no LabelFlips")
	assert.Equal(t, 2.0, Certificate{Radius: 2}.FlipRadius(0))
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

// TestCertificateJSON pins the documented JSON form: field names, order, number
// format and the norm's name, and reads it back.
func TestCertificateJSON(t *testing.T) {
	cases := []struct {
		cert Certificate
		json string
	}{
		{Certificate{Class: 1, PA: 0.9725, PB: 0.0275, Radius: 1.9290000000000003, Norm: L2},
			`{"class":1,"pa":0.9725,"pb":0.0275,"radius":1.9290000000000003,"abstained":false,"norm":"L2"}`},
		{Certificate{Class: 0, PA: 0.4, PB: 0.6, Abstained: true, Norm: L1},
			`{"class":0,"pa":0.4,"pb":0.6,"radius":0,"abstained":true,"norm":"L1"}`},
		{Certificate{Class: 1, PA: 0.9, PB: 0.1, Radius: 1, Quantisation: &Quantisation{Ties: 0.25, LastBucket: 1e-11}},
			`{"class":1,"pa":0.9,"pb":0.1,"radius":1,"abstained":false,"norm":"L2","quantisation":{"ties":0.25,"last_bucket":1e-11}}`},
		{Certificate{Class: 0, PA: 0.95, PB: 0.05, Radius: 1.5, Quantisation: &Quantisation{Ties: 0.5, LastBucket: 0},
			LabelFlips: &LabelFlips{Shift: []float64{0.125, 0.25, 0.5}, Radius: []float64{0.75, 0.25, 0}}},
			`{"class":0,"pa":0.95,"pb":0.05,"radius":1.5,"abstained":false,"norm":"L2","quantisation":{"ties":0.5,"last_bucket":0},"label_flips":{"shift":[0.125,0.25,0.5],"radius":[0.75,0.25,0]}}`},
		{Certificate{Class: 7, PA: 1 - 0x1p-53, PB: 1e-300, Radius: math.MaxFloat64},
			`{"class":7,"pa":0.9999999999999999,"pb":1e-300,"radius":1.7976931348623157e+308,"abstained":false,"norm":"L2"}`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.cert)
		require.NoError(t, err)
		assert.Equal(t, c.json, string(got))
		var back Certificate
		require.NoError(t, json.Unmarshal(got, &back))
		assert.Equal(t, c.cert, back)
	}
	var c Certificate
	err := json.Unmarshal([]byte(`{"norm":"L3"}`), &c)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, `norm "L3": want "L2" or "L1"`)
	_, err = json.Marshal(Certificate{Norm: 5})
	assert.ErrorIs(t, err, ErrInvalidInput)
}

// TestCertificatesHaveFiniteRadius: the most extreme votes and probabilities either
// smoother can produce give PA < 1, so a finite radius, and marshal to JSON.
func TestCertificatesHaveFiniteRadius(t *testing.T) {
	X := [][]float64{{0}, {0}, {0}, {100}}
	y := []int{0, 0, 0, 1}
	for _, opts := range [][]Option{
		{WithKNN(3), WithSigma(1e-3)},
		{WithSigma(1e-3), WithModels(DefaultModels)},
		{WithUniform(-1e-3, 1e-3), WithModels(200), WithAlpha(0.5)},
	} {
		certs, err := Certify(context.Background(), X, y, [][]float64{{0}}, opts...)
		require.NoError(t, err)
		c := certs[0]
		assert.Less(t, c.PA, 1.0)
		assert.False(t, math.IsInf(c.Radius, 0), "%+v", c)
		assert.False(t, c.Abstained)
		_, err = json.Marshal(c)
		assert.NoError(t, err)
	}
}

// TestKNNCertificateReportsQuantisation reproduces the audit of issue 11 through rab:
// at σ = 1 with features ×10⁴ every training point lies in the last bucket, so the
// first three rows (class 0) vote for an input inside the class-1 cluster and the
// certificate claims class 0 with PA ≈ 1 — true for the quantised classifier, and now
// reported: Quantisation says the vote rests entirely on the last bucket and the row
// order. With features on the scale of σ nothing does. Ensemble certificates carry no
// Quantisation.
func TestKNNCertificateReportsQuantisation(t *testing.T) {
	train := func(scale float64) ([][]float64, []int, []float64) {
		// A 3×3 grid of class 0 at the origin, then one of class 1 around (5, 5).
		X := make([][]float64, 18)
		y := make([]int, 18)
		for i := range X {
			c := i / 9
			X[i] = []float64{scale * float64(5*c+i%3-1), scale * float64(5*c+i/3%3-1)}
			y[i] = c
		}
		return X, y, []float64{5 * scale, 5 * scale}
	}
	X, y, x := train(1e4)
	certs, err := Certify(context.Background(), X, y, [][]float64{x}, WithKNN(3), WithSigma(1))
	require.NoError(t, err)
	c := certs[0]
	assert.Equal(t, 0, c.Class)
	assert.Greater(t, c.PA, 1-1e-9)
	require.NotNil(t, c.Quantisation)
	assert.Equal(t, 1.0, c.Quantisation.LastBucket)
	assert.Equal(t, 1.0, c.Quantisation.Ties)

	X, y, x = train(1)
	certs, err = Certify(context.Background(), X, y, [][]float64{x}, WithKNN(3), WithSigma(1))
	require.NoError(t, err)
	c = certs[0]
	assert.Equal(t, 1, c.Class)
	require.NotNil(t, c.Quantisation)
	assert.Less(t, c.Quantisation.LastBucket, 1e-9)
	assert.Less(t, c.Quantisation.Ties, 0.5)

	certs, err = Certify(context.Background(), X, y, [][]float64{x}, WithModels(100), WithSigma(1))
	require.NoError(t, err)
	assert.Nil(t, certs[0].Quantisation)
	js, err := json.Marshal(certs[0])
	require.NoError(t, err)
	assert.NotContains(t, string(js), "quantisation")
}
