package experiment

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

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
	fmt.Fprintf(w, "\nBackdoor: ‖δ‖₂ = %g on %.0f%% of the training rows, target class %d%s:\n", a.Norm, 100*a.Rate, a.Target, clip)
	for _, p := range a.Patterns {
		fmt.Fprintf(w, "  %-10s ‖δ‖₂ = %g on %s\n", p.Kind(), p.Norm(), Where(p))
	}
	fmt.Fprintf(w, "Benign accuracy on the clean test rows; robust accuracy on the triggered test rows that fooled the vanilla %s\n", h.VanillaName)
	fmt.Fprintf(w, "(fooled rows: triggered test rows, i.e. those not of the target class, that the vanilla %s assigns to the target; vanilla robust is 0%% on them by construction).\n", h.VanillaName)
	fmt.Fprintln(w, "cert (19): certified accuracy as the paper's eq. (19), R > ‖δ‖ (as if one training row were poisoned);")
	fmt.Fprintln(w, "cert (r rows): for the attack actually run, R > √(Σ‖δ_i‖²) over its r poisoned rows (eq. (12); ≈ ‖δ‖·√r, eq. (13)).")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pattern\tvanilla acc\tRAB acc\tcert acc (clean, R>‖δ‖)\tfooled rows\tvanilla robust\tRAB robust\tcert (19)\tr\t√Σ‖δ_i‖²\tcert (r rows)\t")
	for _, r := range results {
		if !r.Attacked() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t\n", r.Name, pct(r.VanillaAcc), pct(r.RABAcc), pct(r.CleanCertAtNorm))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%d\t%.4f\t%s\t\n", r.Name, pct(r.VanillaAcc), pct(r.RABAcc),
			pct(r.CleanCertAtNorm), r.Fooled, r.Triggered, r.onFooled(r.VanillaRobust), r.onFooled(r.RABRobust),
			r.onFooled(r.CertEq19), r.Rows, r.TotalNorm, r.onFooled(r.CertAttack))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return h.writeDefences(w, results)
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
