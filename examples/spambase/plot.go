package main

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/dataset"
)

// plotPoints is the number of radii at which each curve is evaluated.
const plotPoints = 200

// curve is one line of the plot: certificates of all clean test rows.
type curve struct {
	name  string
	certs []rab.Certificate
}

// plotFig4 draws the paper's Fig. 4 for Spambase: certified accuracy on all test rows
// against the radius, for the blending attack and each σ of cfg.plotSigmas. The curve
// at the table's σ reuses the table's model; the others are trained here.
func plotFig4(ctx context.Context, cfg config, blend scenario, blendCerts []rab.Certificate, test dataset.Set) error {
	var curves []curve
	for _, sigma := range cfg.plotSigmas {
		certs := blendCerts
		if sigma != cfg.sigma {
			c := cfg
			c.sigma = sigma
			model, err := trainRAB(ctx, c, blend, fmt.Sprintf("σ = %g", sigma))
			if err != nil {
				return err
			}
			if certs, err = model.CertifyBatch(ctx, test.X); err != nil {
				return err
			}
		}
		curves = append(curves, curve{fmt.Sprintf("σ = %g", sigma), certs})
	}
	return savePlot(cfg, curves, test.Y)
}

// savePlot writes the curves as a PNG to cfg.plotPath.
func savePlot(cfg config, curves []curve, labels []int) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Spambase, exact smoothed %d-NN, blending attack ‖δ‖ = %g", cfg.k, cfg.norm)
	p.X.Label.Text = "radius R (L2 norm of the backdoor)"
	p.Y.Label.Text = "certified accuracy"
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	maxRadius := cfg.maxRadius
	if maxRadius <= 0 {
		maxRadius = largestRadius(curves) * 1.05
	}
	var lines []any
	for _, c := range curves {
		pts, err := certifiedCurve(c.certs, labels, maxRadius)
		if err != nil {
			return err
		}
		lines = append(lines, c.name, pts)
	}
	if err := plotutil.AddLines(p, lines...); err != nil {
		return err
	}
	p.Legend.Top = true
	return p.Save(6*vg.Inch, 4*vg.Inch, cfg.plotPath)
}

// largestRadius returns the largest finite certified radius of the curves (1 if none).
func largestRadius(curves []curve) float64 {
	largest := 0.0
	for _, c := range curves {
		for _, cert := range c.certs {
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
