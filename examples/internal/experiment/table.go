package experiment

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/attack"
)

// WriteTable writes the results as the paper's Tables 1 and 2, after a header that
// describes the attack and the columns.
func (h Harness) WriteTable(w io.Writer, results []Result) error {
	a := h.Attack
	clip := ""
	if a.Clip != nil {
		clip = fmt.Sprintf(", clipped to [%g, %g]", a.Clip.Lo, a.Clip.Hi)
	}
	fmt.Fprintf(w, "\nBackdoor: ‖δ‖₂ = %g on %.0f%% of the training rows, %s%s:\n", a.Norm, 100*a.Rate, a.goal(), clip)
	for i, p := range a.Patterns {
		fmt.Fprintf(w, "  %-10s ‖δ‖₂ = %g on %s\n", a.name(i), p.Norm(), Where(p))
	}
	fmt.Fprintf(w, "Benign accuracy on the clean test rows; robust accuracy on the triggered test rows that fooled the vanilla %s\n", h.VanillaName)
	if a.AllToAll {
		fmt.Fprintf(w, "(fooled rows: test rows, every one triggered, that the vanilla %s assigns to (y+1) mod %d; vanilla robust is 0%% on them by construction).\n", h.VanillaName, a.Classes)
	} else {
		fmt.Fprintf(w, "(fooled rows: triggered test rows, i.e. those not of the target class, that the vanilla %s assigns to the target; vanilla robust is 0%% on them by construction).\n", h.VanillaName)
	}
	fmt.Fprintln(w, "cert (19): certified accuracy as the paper's eq. (19), R > ‖δ‖ (as if one training row were poisoned);")
	fmt.Fprintln(w, "cert (r rows): for the attack actually run, R > √(Σ‖δ_i‖²) over its r poisoned rows (eq. (12); ≈ ‖δ‖·√r, eq. (13)).")
	flips := ""
	if h.LabelFlips {
		fmt.Fprintln(w, "cert (r rows + labels): the attack run, its r rows relabelled too: R_r > √(Σ‖δ_i‖²), R_r the radius left when r labels may differ (rab.Certificate.FlipRadius(r)).")
		flips = "cert (r rows + labels)\t"
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pattern\tvanilla acc\tRAB acc\tcert acc (clean, R>‖δ‖)\tfooled rows\tvanilla robust\tRAB robust\tcert (19)\tr\t√Σ‖δ_i‖²\tcert (r rows)\t"+flips)
	for _, r := range results {
		if !r.Attacked() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t", r.Name, pct(r.VanillaAcc), pct(r.RABAcc), pct(r.CleanCertAtNorm))
			if h.LabelFlips {
				fmt.Fprint(tw, "-\t")
			}
			fmt.Fprintln(tw)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%d\t%.4f\t%s\t", r.Name, pct(r.VanillaAcc), pct(r.RABAcc),
			pct(r.CleanCertAtNorm), r.Fooled, r.Triggered, r.onFooled(r.VanillaRobust), r.onFooled(r.RABRobust),
			r.onFooled(r.CertEq19), r.Rows, r.TotalNorm, r.onFooled(r.CertAttack))
		if h.LabelFlips {
			fmt.Fprintf(tw, "%s\t", r.onFooled(r.CertFlips))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeUntriggered(w, h.VanillaName, results)
	if err := h.writeDefences(w, results); err != nil {
		return err
	}
	return h.writeVariants(w, results)
}

// writeUntriggered says, for every attack that fooled rows, how many of them the vanilla
// classifier assigns to the attacker's target without the trigger too.
func writeUntriggered(w io.Writer, vanilla string, results []Result) {
	first := true
	for _, r := range results {
		if r.Fooled == 0 {
			continue
		}
		if first {
			fmt.Fprintf(w, "Fooled rows that the vanilla %s assigns to the target without the trigger as well (its own errors, not the backdoor's doing):\n", vanilla)
			first = false
		}
		fmt.Fprintf(w, "  %-10s %d of %d\n", r.Name, r.FooledUntriggered, r.Fooled)
	}
}

// writeVariants writes the robust and certified accuracy on the fooled rows of the RAB
// model and of each of its variants (the paper's Table C.7), then their benign and
// certified accuracy on the clean test rows.
func (h Harness) writeVariants(w io.Writer, results []Result) error {
	if len(h.Variants) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nThe RAB model and its variants (as the paper's Table C.7): robust and certified accuracy on the fooled rows, then on the clean test rows")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "pattern\tRAB\tRAB-cert (19)\tcert (r rows)")
	for _, v := range h.Variants {
		fmt.Fprintf(tw, "\t%s: RAB\tRAB-cert (19)\tcert (r rows)", v.Name)
	}
	fmt.Fprint(tw, "\t\tclean: RAB acc\tcert acc")
	for _, v := range h.Variants {
		fmt.Fprintf(tw, "\t%s: RAB acc\tcert acc", v.Name)
	}
	fmt.Fprintln(tw, "\t")
	for _, r := range results {
		fmt.Fprint(tw, r.Name)
		if !r.Attacked() {
			fmt.Fprint(tw, strings.Repeat("\t-", 3*(1+len(r.Variants))))
		} else {
			fmt.Fprintf(tw, "\t%s\t%s\t%s", r.onFooled(r.RABRobust), r.onFooled(r.CertEq19), r.onFooled(r.CertAttack))
			for _, v := range r.Variants {
				fmt.Fprintf(tw, "\t%s\t%s\t%s", r.onFooled(v.RABRobust), r.onFooled(v.CertEq19), r.onFooled(v.CertAttack))
			}
		}
		fmt.Fprintf(tw, "\t\t%s\t%s", pct(r.RABAcc), pct(r.CleanCertAtNorm))
		for _, v := range r.Variants {
			fmt.Fprintf(tw, "\t%s\t%s", pct(v.RABAcc), pct(v.CleanCertAtNorm))
		}
		fmt.Fprintln(tw, "\t")
	}
	return tw.Flush()
}

// WriteAbstain writes the share of certificates that abstain (PA ≤ PB: nothing
// certified), as the paper's Table C.8: on the clean test rows and on the fooled rows,
// for the RAB model and each of its variants.
func (h Harness) WriteAbstain(w io.Writer, results []Result) error {
	fmt.Fprintln(w, "\nAbstain rate (as the paper's Table C.8): certificates with PA ≤ PB, which certify nothing")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "pattern\tclean rows\tfooled rows")
	for _, v := range h.Variants {
		fmt.Fprintf(tw, "\t%s: clean\tfooled", v.Name)
	}
	fmt.Fprintln(tw, "\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s", r.Name, pct(AbstainRate(r.CleanCerts)), r.abstainFooled(r.FooledCerts))
		for _, v := range r.Variants {
			fmt.Fprintf(tw, "\t%s\t%s", pct(AbstainRate(v.CleanCerts)), r.abstainFooled(v.FooledCerts))
		}
		fmt.Fprintln(tw, "\t")
	}
	return tw.Flush()
}

// abstainFooled formats the abstain rate of the fooled rows' certificates: "-" for the
// clean training set, "n/a" when the attack fooled none.
func (r Result) abstainFooled(certs []rab.Certificate) string {
	if !r.Attacked() {
		return "-"
	}
	return r.onFooled(AbstainRate(certs))
}

// Where says which entries a pattern sets: "feature 25", "features 25, 26",
// "pixel (7, 7)", "all 64 pixels". Rows of the tabular shape 1×d×1 (attack.Tabular)
// have features; grey images have pixels (row, column); images of several channels
// have entries (row, column, channel).
func Where(p attack.Pattern) string {
	s, idx := p.Shape(), p.Indices()
	tabular := s.H == 1 && s.C == 1
	if len(idx) == p.Dim() {
		if tabular {
			return fmt.Sprintf("all %d features", s.W)
		}
		return fmt.Sprintf("all %d pixels", s.H*s.W)
	}
	singular, plural := "entry", "entries"
	switch {
	case tabular:
		singular, plural = "feature", "features"
	case s.C == 1:
		singular, plural = "pixel", "pixels"
	}
	at := make([]string, len(idx))
	for i, j := range idx {
		h, w, c := s.Coords(j)
		switch {
		case tabular:
			at[i] = strconv.Itoa(j)
		case s.C == 1:
			at[i] = fmt.Sprintf("(%d, %d)", h, w)
		default:
			at[i] = fmt.Sprintf("(%d, %d, %d)", h, w, c)
		}
	}
	if len(idx) == 1 {
		return singular + " " + at[0]
	}
	return plural + " " + strings.Join(at, ", ")
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// onFooled formats a rate over the fooled rows, or "n/a" when the attack fooled none.
func (r Result) onFooled(v float64) string {
	if r.Fooled == 0 {
		return "n/a"
	}
	return pct(v)
}
