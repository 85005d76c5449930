package experiment

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/rabcert/rab"
)

// plotPoints is the number of radii at which each curve of a Plot is evaluated.
const plotPoints = 200

// Plot is certified accuracy on the clean test rows against the radius, as the paper's
// Fig. 4: one curve per set of certificates.
type Plot struct {
	Title  string
	Curves []Curve
	// Labels are the true labels of the certified rows, the same for every curve.
	Labels []int
	// MaxRadius is the largest radius on the x axis; 0 puts it 5% past the largest
	// finite certified radius (LargestRadius).
	MaxRadius float64
}

// Curve is one line of a Plot: the certificates of the test rows, in order.
type Curve struct {
	Name  string
	Certs []rab.Certificate
}

// Save writes the plot as a 6×4 inch PNG (or another format, by the file's extension)
// to path.
func (p Plot) Save(path string) error {
	pl := plot.New()
	pl.Title.Text = p.Title
	pl.X.Label.Text = "radius R (L2 norm of the backdoor)"
	pl.Y.Label.Text = "certified accuracy on clean test rows"
	pl.Y.Min, pl.Y.Max = 0, 1
	pl.Add(plotter.NewGrid())
	maxRadius := p.MaxRadius
	if maxRadius <= 0 {
		maxRadius = LargestRadius(p.Curves) * 1.05
	}
	var lines []any
	for _, c := range p.Curves {
		pts, err := CertifiedCurve(c.Certs, p.Labels, maxRadius, plotPoints)
		if err != nil {
			return fmt.Errorf("curve %q: %w", c.Name, err)
		}
		lines = append(lines, c.Name, pts)
	}
	if err := plotutil.AddLines(pl, lines...); err != nil {
		return err
	}
	pl.Legend.Top = true
	return pl.Save(6*vg.Inch, 4*vg.Inch, path)
}

// LargestRadius returns the largest finite certified radius of the curves, or 1 if
// there is none above 0.
func LargestRadius(curves []Curve) float64 {
	largest := 0.0
	for _, c := range curves {
		for _, cert := range c.Certs {
			if !math.IsInf(cert.Radius, 0) {
				largest = max(largest, cert.Radius)
			}
		}
	}
	if largest == 0 {
		return 1
	}
	return largest
}

// CertifiedCurve evaluates rab.CertifiedAccuracy (eq. (19) with ‖δ‖ replaced by the
// radius) at points ≥ 2 radii evenly spaced over [0, maxRadius].
func CertifiedCurve(certs []rab.Certificate, labels []int, maxRadius float64, points int) (plotter.XYs, error) {
	if points < 2 {
		return nil, fmt.Errorf("experiment: %d points: want at least 2", points)
	}
	pts := make(plotter.XYs, points)
	for i := range pts {
		radius := maxRadius * float64(i) / float64(points-1)
		acc, err := rab.CertifiedAccuracy(certs, labels, radius)
		if err != nil {
			return nil, err
		}
		pts[i].X, pts[i].Y = radius, acc
	}
	return pts, nil
}
