package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
)

// blendCertificates returns the certificates of all test rows by the model trained on
// the blending scenario at a given σ (with label flips, see trainRAB): at the table's
// σ the table's certificates, at any other σ a model trained once and shared by both
// plots.
func blendCertificates(ctx context.Context, cfg config, blend experiment.Scenario, tableCerts []rab.Certificate, test dataset.Set) func(sigma float64) ([]rab.Certificate, error) {
	cache := map[float64][]rab.Certificate{cfg.sigma: tableCerts}
	return func(sigma float64) ([]rab.Certificate, error) {
		if certs, ok := cache[sigma]; ok {
			return certs, nil
		}
		c := cfg
		c.sigma = sigma
		model, err := trainRAB(ctx, c, blend, fmt.Sprintf("σ = %g", sigma))
		if err != nil {
			return nil, err
		}
		certs, err := model.CertifyBatch(ctx, test.X)
		if err != nil {
			return nil, err
		}
		cache[sigma] = certs
		return certs, nil
	}
}

// curves returns one curve per σ, of the certificates certsAt gives.
func curves(sigmas []float64, certsAt func(float64) ([]rab.Certificate, error)) ([]experiment.Curve, error) {
	var out []experiment.Curve
	for _, sigma := range sigmas {
		certs, err := certsAt(sigma)
		if err != nil {
			return nil, err
		}
		out = append(out, experiment.Curve{Name: fmt.Sprintf("σ = %g", sigma), Certs: certs})
	}
	return out, nil
}

// plotFig4 draws the paper's Fig. 4 for Spambase: certified accuracy on all test rows
// against the radius, for the blending attack and each σ of cfg.plotSigmas.
func plotFig4(cfg config, certsAt func(float64) ([]rab.Certificate, error), test dataset.Set) error {
	cs, err := curves(cfg.plotSigmas, certsAt)
	if err != nil {
		return err
	}
	p := experiment.Plot{
		Title:     fmt.Sprintf("Spambase, exact smoothed %d-NN, blending attack ‖δ‖ = %g", cfg.k, cfg.norm),
		Labels:    test.Y,
		MaxRadius: cfg.maxRadius,
		Curves:    cs,
	}
	return p.Save(cfg.plotPath)
}

// flipTableRows are the r at which plotFlips prints the curves' values.
var flipTableRows = []int{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 368}

// plotFlips draws certified accuracy on all test rows against the number r of
// poisoned training rows, each relabelled and carrying a pattern of norm ‖δ‖ (the
// blending attack's model, each σ of cfg.flipSigmas; the attack poisoned poisoned
// rows), writes it to cfg.flipPlot and prints the curves' values at a few r.
func plotFlips(out io.Writer, cfg config, certsAt func(float64) ([]rab.Certificate, error), test dataset.Set, poisoned int) error {
	if cfg.flipRows < 0 {
		return fmt.Errorf("-flip-rows %d: want at least 0 poisoned rows", cfg.flipRows)
	}
	cs, err := curves(cfg.flipSigmas, certsAt)
	if err != nil {
		return err
	}
	p := experiment.FlipPlot{
		Title:   fmt.Sprintf("Spambase, exact smoothed %d-NN: r rows relabelled, ‖δ‖ = %g each", cfg.k, cfg.norm),
		Labels:  test.Y,
		Norm:    cfg.norm,
		MaxRows: cfg.flipRows,
		Curves:  cs,
	}
	if err := p.Save(cfg.flipPlot); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nCertified accuracy on all test rows against r poisoned training rows, each relabelled and carrying ‖δ‖₂ = %g\n", cfg.norm)
	fmt.Fprintf(out, "(FlipRadius(r) > ‖δ‖·√r; the models trained on the blending attack's training set, r = %d rows poisoned):\n", poisoned)
	var head strings.Builder
	fmt.Fprintf(&head, "%10s", "r")
	for _, r := range flipTableRows {
		fmt.Fprintf(&head, "%7d", r)
	}
	fmt.Fprintln(out, head.String())
	for _, c := range cs {
		var line strings.Builder
		fmt.Fprintf(&line, "%10s", c.Name)
		for _, r := range flipTableRows {
			fmt.Fprintf(&line, "%7s", fmt.Sprintf("%.1f%%", 100*experiment.CertifiedRelabelled(c.Certs, test.Y, cfg.norm*math.Sqrt(float64(r)), r)))
		}
		fmt.Fprintln(out, line.String())
	}
	for _, c := range cs {
		if class, ok := constant(c.Certs); ok {
			fmt.Fprintf(out, "%s predicts class %d for every test row: its certificates are a constant classifier's.\n", c.Name, class)
		}
	}
	fmt.Fprintf(out, "written to %s (r up to %d)\n", cfg.flipPlot, cfg.flipRows)
	return nil
}

// constant reports whether every certificate predicts the same class, and which.
func constant(certs []rab.Certificate) (class int, ok bool) {
	for _, c := range certs {
		if c.Class != certs[0].Class {
			return 0, false
		}
	}
	return certs[0].Class, len(certs) > 0
}
