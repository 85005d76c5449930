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
	maxRadius := p.MaxRadius
	if maxRadius <= 0 {
		maxRadius = LargestRadius(p.Curves) * 1.05
	}
	return saveCurves(path, p.Title, "radius R (L2 norm of the backdoor)", p.Curves, func(c Curve) (plotter.XYs, error) {
		return CertifiedCurve(c.Certs, p.Labels, maxRadius, plotPoints)
	})
}

// FlipPlot is certified accuracy on the clean test rows against the number r of
// poisoned training rows, each relabelled and carrying a pattern of L2 norm Norm
// (rab.Certificate.FlipRadius(r) > Norm·√r): one curve per set of certificates, made
// with rab.WithLabelFlips(MaxRows) or more.
type FlipPlot struct {
	Title   string
	Curves  []Curve
	Labels  []int
	Norm    float64
	MaxRows int
}

// Save writes the plot as Plot.Save does.
func (p FlipPlot) Save(path string) error {
	xLabel := fmt.Sprintf("poisoned training rows r (relabelled, ‖δ‖ = %g each)", p.Norm)
	return saveCurves(path, p.Title, xLabel, p.Curves, func(c Curve) (plotter.XYs, error) {
		return FlipCurve(c.Certs, p.Labels, p.Norm, p.MaxRows)
	})
}

// FlipCurve evaluates CertifiedRelabelled at r = 0, 1, …, maxRows relabelled rows
// carrying a pattern of the given norm each (total norm norm·√r).
func FlipCurve(certs []rab.Certificate, labels []int, norm float64, maxRows int) (plotter.XYs, error) {
	if len(certs) != len(labels) || len(certs) == 0 {
		return nil, fmt.Errorf("experiment: %d certificates but %d labels: want one label per certificate, at least one", len(certs), len(labels))
	}
	pts := make(plotter.XYs, maxRows+1)
	for r := range pts {
		pts[r].X, pts[r].Y = float64(r), CertifiedRelabelled(certs, labels, norm*math.Sqrt(float64(r)), r)
	}
	return pts, nil
}

// saveCurves draws one line per curve, of the points curve gives, with certified
// accuracy on the y axis, and saves the plot as a 6×4 inch image to path.
func saveCurves(path, title, xLabel string, curves []Curve, curve func(Curve) (plotter.XYs, error)) error {
	pl := plot.New()
	pl.Title.Text = title
	pl.X.Label.Text = xLabel
	pl.Y.Label.Text = "certified accuracy on clean test rows"
	pl.Y.Min, pl.Y.Max = 0, 1
	pl.Add(plotter.NewGrid())
	var lines []any
	for _, c := range curves {
		pts, err := curve(c)
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
