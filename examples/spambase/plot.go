package main

import (
	"context"
	"fmt"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// plotFig4 draws the paper's Fig. 4 for Spambase: certified accuracy on all test rows
// against the radius, for the blending attack and each σ of cfg.plotSigmas. The curve
// at the table's σ reuses the table's certificates; the others are trained here.
func plotFig4(ctx context.Context, cfg config, blend experiment.Scenario, blendCerts []rab.Certificate, test dataset.Set) error {
	p := experiment.Plot{
		Title:     fmt.Sprintf("Spambase, exact smoothed %d-NN, blending attack ‖δ‖ = %g", cfg.k, cfg.norm),
		Labels:    test.Y,
		MaxRadius: cfg.maxRadius,
	}
	for _, sigma := range cfg.plotSigmas {
		name := fmt.Sprintf("σ = %g", sigma)
		certs := blendCerts
		if sigma != cfg.sigma {
			c := cfg
			c.sigma = sigma
			model, err := trainRAB(ctx, c, blend, name)
			if err != nil {
				return err
			}
			if certs, err = model.CertifyBatch(ctx, test.X); err != nil {
				return err
			}
		}
		p.Curves = append(p.Curves, experiment.Curve{Name: name, Certs: certs})
	}
	return p.Save(cfg.plotPath)
}
