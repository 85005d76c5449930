package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// plots draws the paper's Fig. 4 (certified accuracy on the clean test rows against
// the radius, blending attack, one curve per σ of -plot-sigmas) and Fig. 5 (the same at
// the table's σ, with and without the test-time noise) from the blending scenario and
// its result; the curve at the table's σ reuses the table's certificates.
func (t trainer) plots(ctx context.Context, out io.Writer, blend experiment.Scenario, res experiment.Result, test dataset.Set) error {
	cfg := t.cfg
	title := fmt.Sprintf("MNIST, N = %d fine-tuned CNNs, blending attack ‖δ‖ = %g", cfg.models, cfg.norm)
	if cfg.plotPath != "" {
		p := experiment.Plot{Title: title, Labels: test.Y, MaxRadius: cfg.maxRadius}
		for _, sigma := range cfg.plotSigmas {
			name := fmt.Sprintf("σ = %g", sigma)
			certs := res.CleanCerts
			if sigma != cfg.sigma {
				var err error
				if certs, err = t.certifyAt(ctx, blend, sigma, name, test); err != nil {
					return err
				}
			}
			p.Curves = append(p.Curves, experiment.Curve{Name: name, Certs: certs})
		}
		if err := p.Save(cfg.plotPath); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nCertified accuracy against radius (all %d clean test rows, blending attack, σ ∈ %v; the paper's Fig. 4) written to %s\n", len(test.X), cfg.plotSigmas.String(), cfg.plotPath)
	}
	if cfg.noisePlot == "" || len(res.Variants) == 0 {
		return nil
	}
	p := experiment.Plot{Title: fmt.Sprintf("%s, σ = %g", title, cfg.sigma), Labels: test.Y, MaxRadius: cfg.maxRadius, Curves: []experiment.Curve{
		{Name: "with test-time noise", Certs: res.CleanCerts},
		{Name: "without test-time noise", Certs: res.Variants[0].CleanCerts},
	}}
	if err := p.Save(cfg.noisePlot); err != nil {
		return err
	}
	fmt.Fprintf(out, "Certified accuracy against radius with and without the test-time noise (the paper's Fig. 5) written to %s\n", cfg.noisePlot)
	return nil
}

// certifyAt trains the RAB ensemble on the scenario at noise σ and certifies the test
// rows.
func (t trainer) certifyAt(ctx context.Context, s experiment.Scenario, sigma float64, stage string, test dataset.Set) ([]rab.Certificate, error) {
	e, err := t.ensemble(ctx, s, sigma, stage)
	if err != nil {
		return nil, err
	}
	m, err := t.certifier(e, stage)
	if err != nil {
		return nil, err
	}
	return m.CertifyBatch(ctx, test.X)
}
