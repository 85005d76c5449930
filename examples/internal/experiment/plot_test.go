package experiment

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/plotter"

	"github.com/rabcert/rab"
)

// certs and labels: rows 0–2 are correct with radii 0.5, 1 and +Inf, row 3 is wrong
// (radius 2), row 4 is correct but abstains.
var (
	handCerts = []rab.Certificate{
		{Class: 0, Radius: 0.5}, {Class: 1, Radius: 1}, {Class: 1, Radius: math.Inf(1)},
		{Class: 0, Radius: 2}, {Class: 1, Abstained: true},
	}
	handLabels = []int{0, 1, 1, 1, 1}
)

// TestCertifiedCurve checks eq. (19) at radii 0, 0.5, 1, 1.5, 2: a row counts when it is
// correct, not abstained, and its radius exceeds the radius strictly. At 0: rows 0–2
// (3/5); at 0.5: rows 1, 2 (row 0's 0.5 is not > 0.5); at 1: row 2 only; beyond: row 2.
func TestCertifiedCurve(t *testing.T) {
	pts, err := CertifiedCurve(handCerts, handLabels, 2, 5)
	require.NoError(t, err)
	assert.Equal(t, plotter.XYs{{X: 0, Y: 0.6}, {X: 0.5, Y: 0.4}, {X: 1, Y: 0.2}, {X: 1.5, Y: 0.2}, {X: 2, Y: 0.2}}, pts)

	_, err = CertifiedCurve(handCerts, handLabels, 2, 1)
	assert.ErrorContains(t, err, "1 points")
	_, err = CertifiedCurve(handCerts, handLabels[:4], 2, 5)
	assert.ErrorContains(t, err, "5 certificates but 4 labels")
}

func TestLargestRadius(t *testing.T) {
	curves := []Curve{{Name: "a", Certs: handCerts[:2]}, {Name: "b", Certs: handCerts[2:]}}
	assert.Equal(t, 2.0, LargestRadius(curves), "+Inf is skipped; 2 is the largest finite radius, even of a wrong row")
	assert.Equal(t, 1.0, LargestRadius([]Curve{{Certs: handCerts[4:]}}), "nothing certified: 1")
	assert.Equal(t, 1.0, LargestRadius(nil))
}

// TestPlotSave writes a plot and reads it back: a 6×4 inch PNG at gonum plot's
// default 96 dpi is 576×384 pixels.
func TestPlotSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.png")
	p := Plot{Title: "test", Labels: handLabels, Curves: []Curve{{Name: "hand", Certs: handCerts}, {Name: "twice", Certs: handCerts}}}
	require.NoError(t, p.Save(path))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	assert.Equal(t, 576, cfg.Width)
	assert.Equal(t, 384, cfg.Height)

	p.Labels = handLabels[:2]
	assert.ErrorContains(t, p.Save(path), `curve "hand"`)
}

// TestFlipCurve: certificates with label-flip radii, ‖δ‖ = 0.1 per row. Row 0 keeps
// FlipRadius 0.5, 0.3, 0.2 for 1–3 rows (0.1·√3 ≈ 0.173 < 0.2: certified up to 3);
// row 1 only 0.15 for one row; row 2 is wrong; row 3 abstains. At r = 0 the radius
// must exceed 0: rows 0 and 1.
func TestFlipCurve(t *testing.T) {
	flips := func(radii ...float64) *rab.LabelFlips {
		return &rab.LabelFlips{Shift: make([]float64, len(radii)), Radius: radii}
	}
	certs := []rab.Certificate{
		{Class: 0, Radius: 1, LabelFlips: flips(0.5, 0.3, 0.2)},
		{Class: 1, Radius: 0.4, LabelFlips: flips(0.15, 0, 0)},
		{Class: 1, Radius: 2, LabelFlips: flips(2, 2, 2)},
		{Class: 0, Abstained: true, LabelFlips: flips(0, 0, 0)},
	}
	labels := []int{0, 1, 0, 0}
	pts, err := FlipCurve(certs, labels, 0.1, 4)
	require.NoError(t, err)
	assert.Equal(t, plotter.XYs{{X: 0, Y: 0.5}, {X: 1, Y: 0.5}, {X: 2, Y: 0.25}, {X: 3, Y: 0.25}, {X: 4, Y: 0}}, pts)
	assert.Equal(t, 0.25, CertifiedRelabelled(certs, labels, 0.35, 1), "0.35 < 0.5 for row 0 only")
	_, err = FlipCurve(certs, labels[:3], 0.1, 4)
	assert.ErrorContains(t, err, "4 certificates but 3 labels")

	path := filepath.Join(t.TempDir(), "flips.png")
	p := FlipPlot{Title: "test", Labels: labels, Norm: 0.1, MaxRows: 4, Curves: []Curve{{Name: "hand", Certs: certs}}}
	require.NoError(t, p.Save(path))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	assert.Equal(t, 576, cfg.Width)
}
