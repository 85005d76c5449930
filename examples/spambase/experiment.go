package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
	"github.com/rabcert/rab/internal/dataset"
)

// Feature indices of the tabular patterns, as in the RAB reference code: one-pixel on
// feature 25, four-pixel on features 25, 26, 27 and 50 of the 56 prepared features.
var (
	onePixelFeature   = 25
	fourPixelFeatures = [4]int{25, 26, 27, 50}
)

// scenario is one row of the table: a training set, clean or poisoned by a pattern.
type scenario struct {
	name     string
	pattern  *attack.Pattern // nil for clean data
	poisoned *attack.Poisoned
	clean    dataset.Set // the unpoisoned training set
}

// trainingSet returns the scenario's training rows and labels.
func (s scenario) trainingSet() ([][]float64, []int) {
	if s.poisoned != nil {
		return s.poisoned.X, s.poisoned.Y
	}
	return s.clean.X, s.clean.Y
}

// result is what one scenario measures.
type result struct {
	name                  string
	vanillaAcc, rabAcc    float64
	fooled                int     // triggered test rows on which the attack fooled the vanilla K-NN
	vanillaRobust         float64 // vanilla accuracy on those rows (0 by construction)
	rabRobust             float64 // RAB accuracy on those rows
	certEq19, certAttack  float64 // certified accuracy on those rows: R > ‖δ‖ and R > √Σ‖δ_i‖²
	rows                  int     // poisoned training rows r
	singleNorm, totalNorm float64 // ‖δ‖ as added to one row, and √(Σ_i ‖δ_i‖²) over the r rows
	cleanCerts            []rab.Certificate
	cleanCertAtNorm       float64 // certified accuracy on all clean test rows at ‖δ‖ (Fig. 4's view)
}

// run performs the whole experiment and writes the table (and the plot) .
func run(ctx context.Context, cfg config, out io.Writer) error {
	data, err := dataset.SpambaseRAB()
	if err != nil {
		return err
	}
	train, test := dataset.Split(data, 0.2, cfg.seed)
	if cfg.testRows > 0 {
		test = dataset.Head(test, cfg.testRows)
	}
	scenarios, err := makeScenarios(cfg, train)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Spambase: %d training rows, %d test rows, %d features; exact smoothed K-NN, K = %d, σ = %g, L = %d\n",
		len(train.X), len(test.X), len(train.X[0]), cfg.k, cfg.sigma, cfg.levels)
	var results []result
	for _, s := range scenarios {
		r, err := evaluate(ctx, cfg, s, train, test)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		results = append(results, r)
	}
	if err := printTable(out, cfg, results); err != nil {
		return err
	}
	if cfg.plotPath == "" {
		return nil
	}
	blend := len(scenarios) - 1
	if err := plotFig4(ctx, cfg, scenarios[blend], results[blend].cleanCerts, test); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nCertified accuracy against radius (all test rows, blending attack, σ ∈ %v; the paper's Fig. 4) written to %s\n", cfg.plotSigmas, cfg.plotPath)
	return nil
}

// makeScenarios builds the clean scenario and the three poisoned training sets.
func makeScenarios(cfg config, train dataset.Set) ([]scenario, error) {
	d := len(train.X[0])
	one, err := attack.OnePixelFeatures(d, onePixelFeature, cfg.norm)
	if err != nil {
		return nil, err
	}
	four, err := attack.FourPixelFeatures(d, fourPixelFeatures, cfg.norm)
	if err != nil {
		return nil, err
	}
	blend, err := attack.Blend(attack.Tabular(d), cfg.norm, cfg.seed)
	if err != nil {
		return nil, err
	}
	out := []scenario{{name: "clean", clean: train}}
	for _, p := range []attack.Pattern{one, four, blend} {
		poisoned, err := attack.Poison(train.X, train.Y, p, attack.WithRate(cfg.rate),
			attack.WithTarget(cfg.target), attack.WithSeed(cfg.seed))
		if err != nil {
			return nil, err
		}
		out = append(out, scenario{name: p.Kind().String(), pattern: &p, poisoned: poisoned, clean: train})
	}
	return out, nil
}

// evaluate trains vanilla and smoothed K-NN on the scenario's training set and measures
// them on the clean and the triggered test rows.
func evaluate(ctx context.Context, cfg config, s scenario, train, test dataset.Set) (result, error) {
	X, y := s.trainingSet()
	res := result{name: s.name}
	vanilla := newVanillaKNN(X, y, train.Classes, cfg.k)
	res.vanillaAcc = accuracy(vanilla.predictAll(test.X), test.Y)

	model, err := trainRAB(ctx, cfg, s, s.name)
	if err != nil {
		return result{}, err
	}
	if res.cleanCerts, err = model.CertifyBatch(ctx, test.X); err != nil {
		return result{}, err
	}
	res.rabAcc = accuracy(classes(res.cleanCerts), test.Y)
	if res.cleanCertAtNorm, err = rab.CertifiedAccuracy(res.cleanCerts, test.Y, cfg.norm); err != nil {
		return result{}, err
	}
	if s.poisoned == nil {
		return res, nil
	}
	return evaluateAttack(ctx, cfg, s, model, vanilla, test, res)
}

// trainRAB trains the exact smoothed K-NN on the scenario's training set, reporting
// progress under the given stage name.
func trainRAB(ctx context.Context, cfg config, s scenario, stage string) (*rab.Model, error) {
	X, y := s.trainingSet()
	opts := []rab.Option{rab.WithKNN(cfg.k), rab.WithSigma(cfg.sigma), rab.WithLevels(cfg.levels), rab.WithClasses(2)}
	if cfg.workers > 0 {
		opts = append(opts, rab.WithWorkers(cfg.workers))
	}
	if cfg.progress != nil {
		opts = append(opts, rab.WithProgress(func(done, total int) { cfg.progress(stage, done, total) }))
	}
	return rab.Train(ctx, X, y, opts...)
}

// evaluateAttack measures the smoothed model on the triggered test rows that fooled the
// vanilla K-NN: empirical robust accuracy, and certified accuracy twice — as the
// paper's eq. (19) (R > ‖δ‖, as if one row were poisoned) and for the attack actually
// run (R > √(Σ_i ‖δ_i‖²) over the r poisoned rows, eq. (12), ≈ ‖δ‖·√r as eq. (13)).
func evaluateAttack(ctx context.Context, cfg config, s scenario, model *rab.Model, vanilla *vanillaKNN, test dataset.Set, res result) (result, error) {
	trig, err := attack.Trigger(test.X, test.Y, *s.pattern, cfg.target)
	if err != nil {
		return result{}, err
	}
	var fooledX [][]float64
	var fooledY []int
	for i, x := range trig.X {
		if vanilla.predict(x) == cfg.target {
			fooledX = append(fooledX, x)
			fooledY = append(fooledY, trig.Labels[i])
		}
	}
	res.fooled = len(fooledX)
	res.rows = s.poisoned.R
	res.singleNorm = max(s.poisoned.MaxNorm, trig.MaxNorm)
	res.totalNorm = s.poisoned.TotalNorm
	if res.fooled == 0 {
		return res, nil
	}
	certs, err := model.CertifyBatch(ctx, fooledX)
	if err != nil {
		return result{}, err
	}
	res.rabRobust = accuracy(classes(certs), fooledY)
	if res.certEq19, err = rab.CertifiedAccuracy(certs, fooledY, res.singleNorm); err != nil {
		return result{}, err
	}
	if res.certAttack, err = rab.CertifiedAccuracy(certs, fooledY, res.totalNorm); err != nil {
		return result{}, err
	}
	return res, nil
}

func classes(certs []rab.Certificate) []int {
	out := make([]int, len(certs))
	for i, c := range certs {
		out[i] = c.Class
	}
	return out
}

func accuracy(pred, labels []int) float64 {
	correct := 0
	for i, p := range pred {
		if p == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(labels))
}

// printTable writes the Table 2-like summary.
func printTable(out io.Writer, cfg config, results []result) error {
	fmt.Fprintf(out, "\nBackdoor: ‖δ‖₂ = %g on %.0f%% of the training rows, target class %d.\n", cfg.norm, 100*cfg.rate, cfg.target)
	fmt.Fprintln(out, "Benign accuracy on the clean test rows; robust accuracy on the triggered test rows that fooled the vanilla K-NN.")
	fmt.Fprintln(out, "cert (19): certified accuracy as the paper's eq. (19), R > ‖δ‖ (as if one training row were poisoned);")
	fmt.Fprintln(out, "cert (r rows): for the attack actually run, R > √(Σ‖δ_i‖²) over its r poisoned rows (eq. (12); ≈ ‖δ‖·√r, eq. (13)).")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pattern\tvanilla acc\tRAB acc\tcert acc (clean, R>‖δ‖)\tfooled rows\tvanilla robust\tRAB robust\tcert (19)\tr\t√Σ‖δ_i‖²\tcert (r rows)\t")
	for _, r := range results {
		if r.rows == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t\n", r.name, pct(r.vanillaAcc), pct(r.rabAcc), pct(r.cleanCertAtNorm))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%.4f\t%s\t\n", r.name, pct(r.vanillaAcc), pct(r.rabAcc),
			pct(r.cleanCertAtNorm), r.fooled, robust(r, r.vanillaRobust), robust(r, r.rabRobust), robust(r, r.certEq19),
			r.rows, r.totalNorm, robust(r, r.certAttack))
	}
	return tw.Flush()
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// robust formats a rate over the fooled rows, or "n/a" when the attack fooled none.
func robust(r result, v float64) string {
	if r.fooled == 0 {
		return "n/a"
	}
	return pct(v)
}
