package main

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/rabcert/rab"
)

// plotPoints is the number of radii at which each curve is evaluated.
const plotPoints = 200

// savePlot writes to cfg.plotPath the certified accuracy on all clean test rows against
// the radius, one curve per training set (as the paper's Fig. 4 plots it per σ).
func savePlot(cfg config, results []result, labels []int) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Digits, RAB: %d × %s, σ = %g", cfg.models, describe(cfg, cfg.epochs), cfg.sigma)
	p.X.Label.Text = "radius R (L2 norm of the backdoor)"
	p.Y.Label.Text = "certified accuracy on clean test rows"
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	maxRadius := largestRadius(results) * 1.05
	var lines []any
	for _, r := range results {
		pts, err := certifiedCurve(r.cleanCerts, labels, maxRadius)
		if err != nil {
			return err
		}
		lines = append(lines, "trained on "+r.name, pts)
	}
	if err := plotutil.AddLines(p, lines...); err != nil {
		return err
	}
	p.Legend.Top = true
	return p.Save(6*vg.Inch, 4*vg.Inch, cfg.plotPath)
}

// largestRadius returns the largest finite certified radius of the results (1 if none).
func largestRadius(results []result) float64 {
	largest := 0.0
	for _, r := range results {
		for _, cert := range r.cleanCerts {
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

// certifiedCurve evaluates CertifiedAccuracy (eq. (19) with ‖δ‖ replaced by the radius)
// at plotPoints radii in [0, maxRadius].
func certifiedCurve(certs []rab.Certificate, labels []int, maxRadius float64) (plotter.XYs, error) {
	pts := make(plotter.XYs, plotPoints)
	for i := range pts {
		radius := maxRadius * float64(i) / float64(plotPoints-1)
		acc, err := rab.CertifiedAccuracy(certs, labels, radius)
		if err != nil {
			return nil, err
		}
		pts[i].X, pts[i].Y = radius, acc
	}
	return pts, nil
}
