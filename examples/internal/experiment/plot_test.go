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
