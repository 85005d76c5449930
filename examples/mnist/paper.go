package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"

	"github.com/rabcert/rab/examples/internal/experiment"
)

// paperRow is one MNIST row of the paper's Table 1 (or C.3, all-to-all), in percent:
// benign accuracy vanilla / RAB, empirical robust accuracy vanilla / RAB / AC /
// Spectral / Sphere / NC / SCAn / Mixup, certified accuracy (eq. (19)).
type paperRow struct {
	benignVanilla, benignRAB              float64
	robustVanilla, robustRAB              float64
	ac, spectral, sphere, nc, scan, mixup float64
	cert                                  float64
}

// paperTable1 and paperTableC3 are the paper's MNIST rows of Table 1 and Table C.3, by
// pattern.
var (
	paperTable1 = map[string]paperRow{
		"one-pixel":  {benignVanilla: 92.7, benignRAB: 92.6, robustRAB: 41.2, ac: 64.3, spectral: 3.4, sphere: 3.1, nc: 76.2, scan: 45.6, mixup: 34.5, cert: 23.5},
		"four-pixel": {benignVanilla: 92.7, benignRAB: 92.6, robustRAB: 40.7, ac: 56.9, spectral: 2.8, sphere: 2.1, nc: 79.9, scan: 45.4, mixup: 33.2, cert: 24.1},
		blendName:    {benignVanilla: 92.9, benignRAB: 92.6, robustRAB: 39.6, ac: 63.6, spectral: 3.0, sphere: 1.8, nc: 63.0, scan: 44.7, mixup: 28.3, cert: 23.1},
	}
	paperTableC3 = map[string]paperRow{
		"one-pixel":  {benignVanilla: 91.5, benignRAB: 90.2, robustRAB: 51.2, ac: 17.3, spectral: 3.0, sphere: 2.8, nc: 28.4, scan: 4.9, mixup: 37.1, cert: 24.4},
		"four-pixel": {benignVanilla: 91.6, benignRAB: 91.3, robustRAB: 60.3, ac: 16.1, spectral: 2.7, sphere: 1.8, nc: 30.0, scan: 1.8, mixup: 38.7, cert: 39.9},
		blendName:    {benignVanilla: 91.5, benignRAB: 91.2, robustRAB: 59.7, ac: 15.4, spectral: 3.0, sphere: 1.8, nc: 30.1, scan: 4.7, mixup: 34.6, cert: 39.1},
	}
)

// paperExtra are the paper's other MNIST figures, in percent, by pattern: Table C.7
// without test-time augmentation (RAB, RAB-cert; with it they are Table 1's), Table
// C.8's abstain rate, Table C.9's mean ± sd over 5 runs (RAB, RAB-cert).
type paperExtra struct {
	noAugRobust, noAugCert float64
	abstain                float64
	runsRobust, runsCert   [2]float64 // mean, sd
}

var paperExtras = map[string]paperExtra{
	"one-pixel":  {noAugRobust: 27.0, noAugCert: 12.7, abstain: 3.32, runsRobust: [2]float64{40.79, 0.72}, runsCert: [2]float64{23.36, 0.52}},
	"four-pixel": {noAugRobust: 27.4, noAugCert: 12.8, abstain: 3.21, runsRobust: [2]float64{40.27, 0.87}, runsCert: [2]float64{24.37, 0.49}},
	blendName:    {noAugRobust: 26.2, noAugCert: 12.1, abstain: 3.02, runsRobust: [2]float64{40.72, 0.65}, runsCert: [2]float64{23.58, 0.88}},
}

// writePaper writes our results beside the paper's: Table 1 (Table C.3 for an
// all-to-all attack), Table C.7 and Table C.8.
func writePaper(w io.Writer, cfg config, results []experiment.Result) error {
	table, rows := "Table 1", paperTable1
	if cfg.allToAll {
		table, rows = "Table C.3 (all-to-all)", paperTableC3
	}
	fmt.Fprintf(w, "\nThe paper's %s, MNIST rows (N = %d, σ = 0.5), and ours (N = %d, σ = %g, %d test rows). Robust accuracy on the fooled rows;\n", table, paperModels, cfg.models, cfg.sigma, len(results[0].CleanCerts))
	fmt.Fprintln(w, "each defence's: the vanilla CNN retrained on the rows it keeps; NC and Mixup are not run here (-: not measured).")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tbenign: vanilla\tRAB\trobust: vanilla\tRAB\tAC\tSpectral\tSphere\tNC\tSCAn\tMixup\tRAB-cert (19)\tcert (r rows)\t")
	for _, r := range results {
		paper, ok := rows[r.Name]
		if !ok || !r.Attacked() {
			continue
		}
		fmt.Fprintf(tw, "%s, paper\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\t\n", r.Name, pc(paper.benignVanilla), pc(paper.benignRAB),
			pc(paper.robustVanilla), pc(paper.robustRAB), pc(paper.ac), pc(paper.spectral), pc(paper.sphere), pc(paper.nc), pc(paper.scan), pc(paper.mixup), pc(paper.cert))
		fmt.Fprintf(tw, "%s, here\t%s\t%s\t%s\t%s", r.Name, frac(r.VanillaAcc), frac(r.RABAcc), fooled(r, r.VanillaRobust), fooled(r, r.RABRobust))
		for _, name := range []string{"AC", "Spectral", "Sphere", "NC", "SCAn", "Mixup"} {
			fmt.Fprintf(tw, "\t%s", defended(r, name))
		}
		fmt.Fprintf(tw, "\t%s\t%s\t\n", fooled(r, r.CertEq19), fooled(r, r.CertAttack))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if cfg.ablation {
		if err := writeTableC7(w, cfg, results); err != nil {
			return err
		}
	}
	return writeTableC8(w, cfg, results)
}

// writeTableC7 writes RAB's robust and certified accuracy on the fooled rows with and
// without the test-time noise, beside the paper's Table C.7.
func writeTableC7(w io.Writer, cfg config, results []experiment.Result) error {
	fmt.Fprintln(w, "\nThe paper's Table C.7 (MNIST) and ours: RAB's robust and certified accuracy (eq. (19)) on the fooled rows, with and without the test-time noise")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\twith: RAB\tRAB-cert\twithout: RAB\tRAB-cert\t")
	for _, r := range results {
		paper, ok := paperExtras[r.Name]
		if !ok || !r.Attacked() || len(r.Variants) == 0 {
			continue
		}
		if !cfg.allToAll {
			t1 := paperTable1[r.Name]
			fmt.Fprintf(tw, "%s, paper\t%s\t%s\t%s\t%s\t\n", r.Name, pc(t1.robustRAB), pc(t1.cert), pc(paper.noAugRobust), pc(paper.noAugCert))
		}
		v := r.Variants[0]
		fmt.Fprintf(tw, "%s, here\t%s\t%s\t%s\t%s\t\n", r.Name, fooled(r, r.RABRobust), fooled(r, r.CertEq19), fooled(r, v.RABRobust), fooled(r, v.CertEq19))
	}
	return tw.Flush()
}

// writeTableC8 writes the abstain rate beside the paper's Table C.8 (which does not say
// on which rows it is measured): ours on the fooled rows and on the clean test rows.
func writeTableC8(w io.Writer, cfg config, results []experiment.Result) error {
	fmt.Fprintln(w, "\nThe paper's Table C.8 (MNIST abstain rate, rows not stated) and ours, on the fooled rows and on the clean test rows")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tpaper\there: fooled rows\tclean rows\t")
	for _, r := range results {
		paper, ok := paperExtras[r.Name]
		if !ok || !r.Attacked() {
			continue
		}
		reported := "-"
		if !cfg.allToAll {
			reported = fmt.Sprintf("%.2f%%", paper.abstain)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", r.Name, reported, fooled(r, experiment.AbstainRate(r.FooledCerts)), frac2(experiment.AbstainRate(r.CleanCerts)))
	}
	return tw.Flush()
}

// writeRuns writes the mean and sample standard deviation over the runs of RAB's
// robust and certified accuracy on the fooled rows, beside the paper's Table C.9.
func writeRuns(w io.Writer, cfg config, runs [][]experiment.Result) {
	fmt.Fprintf(w, "\nOver %d runs (seeds %d to %d; mean ± sample standard deviation), beside the paper's Table C.9 (MNIST, 5 runs)\n", len(runs), cfg.seed, cfg.seed+uint64(len(runs))-1)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tbenign: RAB\trobust: RAB\tRAB-cert (19)\tcert (r rows)\tfooled rows\t")
	for k, r := range runs[0] {
		if !r.Attacked() {
			continue
		}
		if paper, ok := paperExtras[r.Name]; ok && !cfg.allToAll {
			fmt.Fprintf(tw, "%s, paper\t-\t%s\t%s\t-\t-\t\n", r.Name, pm(paper.runsRobust), pm(paper.runsCert))
		}
		stat := func(f func(experiment.Result) float64, onFooled bool) string {
			var vals []float64
			for _, run := range runs {
				if !onFooled || run[k].Fooled > 0 {
					vals = append(vals, 100*f(run[k]))
				}
			}
			return pm(meanSD(vals))
		}
		fmt.Fprintf(tw, "%s, here\t%s\t%s\t%s\t%s\t%s\t\n", r.Name,
			stat(func(r experiment.Result) float64 { return r.RABAcc }, false),
			stat(func(r experiment.Result) float64 { return r.RABRobust }, true),
			stat(func(r experiment.Result) float64 { return r.CertEq19 }, true),
			stat(func(r experiment.Result) float64 { return r.CertAttack }, true),
			fooledCounts(runs, k))
	}
	tw.Flush()
}

// fooledCounts lists the fooled rows of scenario k in every run.
func fooledCounts(runs [][]experiment.Result, k int) string {
	counts := make([]string, len(runs))
	for i, run := range runs {
		counts[i] = fmt.Sprint(run[k].Fooled)
	}
	return strings.Join(counts, ", ")
}

// meanSD returns the mean and the sample standard deviation (n − 1, gonum's
// stat.MeanStdDev; 0 for one value) of vals, or NaNs for none.
func meanSD(vals []float64) [2]float64 {
	if len(vals) == 1 {
		return [2]float64{vals[0], 0}
	}
	mean, sd := stat.MeanStdDev(vals, nil)
	return [2]float64{mean, sd}
}

// pc formats a percentage, frac a fraction as one, frac2 with two decimals, pm a mean
// and standard deviation in percent.
func pc(v float64) string    { return fmt.Sprintf("%.1f%%", v) }
func frac(v float64) string  { return pc(100 * v) }
func frac2(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }
func pm(v [2]float64) string { return fmt.Sprintf("%.2f±%.2f%%", v[0], v[1]) }

// fooled formats a rate over the fooled rows, "n/a" if the attack fooled none.
func fooled(r experiment.Result, v float64) string {
	if r.Fooled == 0 {
		return "n/a"
	}
	return frac(v)
}

// defended formats the robust accuracy after the named defence: "-" if it was not run.
func defended(r experiment.Result, name string) string {
	for _, d := range r.Defended {
		if d.Name == name {
			return frac(d.Robust)
		}
	}
	return "-"
}
