package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/examples/internal/experiment"
	"github.com/rabcert/rab/internal/dataset"
	"github.com/rabcert/rab/smoothing"
)

var (
	// radii of the certified-accuracy table: eq. (19) at these norms √(Σᵢ‖δᵢ‖²).
	radii = []float64{0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3}
	// poisonedRows are the numbers r of training rows carrying the trigger in the
	// trigger table (eq. (13): certified when R > ‖δ‖·√r).
	poisonedRows = []int{1, 2, 4, 9}
)

// digitShape is the layout of a digits row: an 8×8 grey image, row-major.
var digitShape = attack.Shape{H: 8, W: 8, C: 1}

// triggerTarget is the attacker's target class of the trigger section, as in the paper.
const triggerTarget = 0

// Run loads the members, certifies the held-out test rows (and, if cfg.triggerNorm > 0,
// the triggered ones) and writes the report to out, reporting the progress of
// certification to progress (nil: none); it makes the settings an experiment.Command.
func (cfg config) Run(ctx context.Context, out io.Writer, progress func(stage string, done, total int)) error {
	cfg.progress = progress
	if err := cfg.validate(); err != nil {
		return err
	}
	m, err := readManifest(members)
	if err != nil {
		return err
	}
	test, err := testSet(m)
	if err != nil {
		return err
	}
	if cfg.testRows > 0 {
		test = dataset.Head(test, cfg.testRows)
	}
	e, err := newEnsemble(members, m, cfg.workers)
	if err != nil {
		return err
	}
	// Reject an α that this many members can never certify before printing anything.
	if _, err := rab.FromEnsemble(e, rab.WithAlpha(cfg.alpha)); err != nil {
		return err
	}
	best, err := unanimousRadius(e, cfg.alpha)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ONNX ensemble: %d members (members/*.onnx, 64 → 16 → 10 MLPs trained by members/gen.py, each on the digits training split plus its own N(0, %g²I) noise)\n", e.Len(), m.Sigma)
	fmt.Fprintf(out, "Test: %d held-out digits rows; α = %g; a unanimous vote of %d members certifies at most R = %.3f\n\n", len(test.X), cfg.alpha, e.Len(), best)

	certs, err := certify(ctx, cfg, e, test.X, "certifying test rows")
	if err != nil {
		return err
	}
	if err := writeClean(out, certs, test.Y); err != nil {
		return err
	}
	if cfg.triggerNorm == 0 || !slices.ContainsFunc(test.Y, func(y int) bool { return y != triggerTarget }) {
		return nil // no trigger section asked for, or no test row to trigger
	}
	return triggerSection(ctx, cfg, out, e, test)
}

// validate checks the flags before any work starts.
func (cfg *config) validate() error {
	switch {
	case !(cfg.alpha > 0 && cfg.alpha < 1):
		return fmt.Errorf("-alpha %v: want 0 < α < 1", cfg.alpha)
	case cfg.testRows < 0:
		return fmt.Errorf("-test-rows %d: want 0 (all) or more", cfg.testRows)
	case cfg.workers < 0:
		return fmt.Errorf("-workers %d: want 0 (GOMAXPROCS) or more", cfg.workers)
	case !(cfg.triggerNorm >= 0) || math.IsInf(cfg.triggerNorm, 1):
		return fmt.Errorf("-trigger-norm %v: want a finite norm ≥ 0", cfg.triggerNorm)
	}
	return nil
}

// newEnsemble loads the members and wraps them with the Gaussian noise of their
// training: ensemble.FromModels draws each member's test-time noise u_k from the
// SHA-256 of its ONNX bytes (Algorithm 1, line 5).
func newEnsemble(fsys fs.FS, m manifest, workers int) (*ensemble.Ensemble, error) {
	models, err := loadMembers(fsys, m)
	if err != nil {
		return nil, err
	}
	noise, err := smoothing.Gaussian(m.Sigma)
	if err != nil {
		return nil, err
	}
	e, err := ensemble.FromModels(models, noise, m.Classes)
	if err != nil {
		return nil, err
	}
	return e.WithVoteWorkers(workers), nil
}

// certify certifies every row of X with Algorithm 2 through rab.FromEnsemble: the
// members' votes, bound.Estimate's simultaneous bounds PA, PB and, when PA > PB,
// Corollary 1's radius. It reports progress under the given stage name.
func certify(ctx context.Context, cfg config, e *ensemble.Ensemble, X [][]float64, stage string) ([]rab.Certificate, error) {
	m, err := rab.FromEnsemble(e, rab.WithAlpha(cfg.alpha), rab.WithWorkers(experiment.Workers(cfg.workers)),
		rab.WithProgress(experiment.Stage(cfg.progress, stage)))
	if err != nil {
		return nil, err
	}
	return m.CertifyBatch(ctx, X)
}

// unanimousRadius is the largest radius the ensemble can certify: that of a vote in
// which every member agrees (0 if even that abstains: too few members for α).
func unanimousRadius(e *ensemble.Ensemble, alpha float64) (float64, error) {
	counts := make([]int, e.Classes())
	counts[0] = e.Len()
	est, err := bound.Estimate(counts, alpha)
	if err != nil || est.Abstain {
		return 0, err
	}
	return bound.GaussianRadius(e.Noise().Sigma(), est.PA, est.PB)
}

// writeClean writes the smoothed classifier's accuracy, its abstention rate and the
// certified-accuracy table of the clean test rows.
func writeClean(out io.Writer, certs []rab.Certificate, labels []int) error {
	fmt.Fprintf(out, "smoothed accuracy %.3f (the members' majority vote, abstentions included)\n", accuracy(certs, labels))
	fmt.Fprintf(out, "abstention rate   %.3f (PA ≤ PB: nothing certified)\n\n", experiment.AbstainRate(certs))
	fmt.Fprintln(out, "Certified accuracy, eq. (19): correct and R > radius, where radius bounds √(Σᵢ‖δᵢ‖²) over all poisoned training rows")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "radius\tcertified accuracy\t")
	for _, r := range radii {
		acc, err := rab.CertifiedAccuracy(certs, labels, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%.2f\t%.3f\t\n", r, acc)
	}
	return tw.Flush()
}

// triggerSection certifies the test rows not of the target class with a four-pixel
// trigger added, and writes the fraction that are correct and certified against the
// same trigger in r training rows (eq. (13)).
func triggerSection(ctx context.Context, cfg config, out io.Writer, e *ensemble.Ensemble, test dataset.Set) error {
	p, err := attack.FourPixel(digitShape, cfg.triggerNorm)
	if err != nil {
		return err
	}
	trig, err := attack.Trigger(test.X, test.Y, p, triggerTarget, attack.WithClip(0, 1), attack.WithClasses(test.Classes))
	if err != nil {
		return err
	}
	certs, err := certify(ctx, cfg, e, trig.X, "certifying triggered rows")
	if err != nil {
		return err
	}
	fooled := 0
	for i, c := range certs {
		if c.Class == trig.Targets[i] {
			fooled++
		}
	}
	fmt.Fprintf(out, "\nFour-pixel trigger, ‖δ‖₂ = %g, on the %d test rows not of class %d (clipped to [0, 1]):\n", p.Norm(), len(trig.X), triggerTarget)
	fmt.Fprintf(out, "smoothed accuracy %.3f; predicted as the target %d: %.3f\n", accuracy(certs, trig.Labels), triggerTarget, float64(fooled)/float64(len(certs)))
	fmt.Fprintln(out, "Correct and certified although δ were added to the features of r training rows, labels unchanged (Corollary 1, eq. (13): R > ‖δ‖·√r)")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "r\t‖δ‖·√r\tcertified\t")
	for _, r := range poisonedRows {
		n := 0
		for i, c := range certs {
			if c.Class == trig.Labels[i] && c.CertifiesPattern(p.Norm(), r) {
				n++
			}
		}
		fmt.Fprintf(tw, "%d\t%.3f\t%.3f\t\n", r, p.Norm()*math.Sqrt(float64(r)), float64(n)/float64(len(certs)))
	}
	return tw.Flush()
}

// accuracy is the fraction of certificates whose class is the label.
func accuracy(certs []rab.Certificate, labels []int) float64 {
	return experiment.Accuracy(experiment.Classes(certs), labels)
}
