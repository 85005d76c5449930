package experiment

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/rabcert/rab/defense"
)

// Defence is an empirical backdoor defence of the paper's comparison (Section 7.1.3):
// it flags training rows from their representations, and the vanilla classifier is
// retrained on the rest.
type Defence struct {
	// Name heads the defence's column, e.g. "AC".
	Name string
	// Setting describes its parameters for the table's header.
	Setting string
	// Flag returns the rows of the scenario's training set that the defence removes,
	// given their representations reps (one per row).
	Flag func(ctx context.Context, s Scenario, reps [][]float64) ([]int, error)
}

// DefenceResult is what a defence did on one poisoned scenario.
type DefenceResult struct {
	Name string
	// Robust is the accuracy on the fooled test rows of the vanilla classifier
	// retrained on the rows the defence kept: the paper's empirical robust accuracy.
	Robust float64
	// Removed counts the training rows the defence removed, Caught the poisoned rows
	// among them.
	Removed, Caught int
}

// TrustedPercent is the share, in percent, of the clean training rows that SCAn may
// use as its trusted clean set (the SCAn authors' code uses 10 %).
const TrustedPercent = 10

// Baselines returns the paper's four representation-based baselines in its column
// order, with the settings it states: AC and Spectral Signatures with ART's defaults,
// Sphere removing 15 % of each class, SCAn with a small clean set (a seeded 10 % of
// the rows the attack left clean, the defender's trusted data). Neural Cleanse and
// Mixup need a network (see package defense).
func Baselines(seed uint64) []Defence {
	return []Defence{
		{Name: "AC", Setting: "Activation Clustering with ART's defaults: PCA to 10 dimensions (none for fewer features), 2-means, the smaller cluster of every class removed (cluster_analysis=\"smaller\")",
			Flag: func(ctx context.Context, s Scenario, reps [][]float64) ([]int, error) {
				return flagged(defense.ActivationClustering(ctx, reps, s.Y, defense.WithSizeThreshold(0.5), defense.WithSeed(seed)))
			}},
		{Name: "Spectral", Setting: fmt.Sprintf("Spectral Signatures with ART's defaults: the top 1.5·ε of every class removed, ε = %g", defense.DefaultPoisonRate),
			Flag: func(ctx context.Context, s Scenario, reps [][]float64) ([]int, error) {
				return flagged(defense.SpectralSignatures(ctx, reps, s.Y))
			}},
		{Name: "Sphere", Setting: fmt.Sprintf("Sphere: the %.0f%% of every class farthest from its centroid (after PCA to 10 dimensions) removed", 100*defense.DefaultSphereFraction),
			Flag: func(ctx context.Context, s Scenario, reps [][]float64) ([]int, error) {
				return flagged(defense.Sphere(ctx, reps, s.Y))
			}},
		{Name: "SCAn", Setting: fmt.Sprintf("SCAn: EM on a clean set (%d%% of the clean training rows, drawn with the seed), the smaller group of the class of largest J removed", TrustedPercent),
			Flag: func(ctx context.Context, s Scenario, reps [][]float64) ([]int, error) {
				rows := trustedRows(s, seed)
				cleanX, cleanY := make([][]float64, len(rows)), make([]int, len(rows))
				for j, i := range rows {
					cleanX[j], cleanY[j] = reps[i], s.Y[i]
				}
				return flagged(defense.SCAn(ctx, cleanX, cleanY, reps, s.Y))
			}},
	}
}

func flagged(res *defense.Result, err error) ([]int, error) {
	if err != nil {
		return nil, err
	}
	return res.Flagged, nil
}

// trustedRows draws ⌈TrustedPercent·m/100⌉ of the m training rows the attack left
// clean, in ascending order: those of the smallest keys mix(seed ⊕ mix(i)), a
// SplitMix64 hash, which no Go release changes.
func trustedRows(s Scenario, seed uint64) []int {
	var pool []int
	for i := range s.X {
		if _, poisoned := slices.BinarySearch(s.Poisoned.Indices, i); !poisoned {
			pool = append(pool, i)
		}
	}
	key := func(i int) uint64 { return mix(seed ^ mix(uint64(i))) }
	slices.SortFunc(pool, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
	chosen := pool[:(len(pool)*TrustedPercent+99)/100]
	slices.Sort(chosen)
	return chosen
}

// mix is the SplitMix64 finaliser.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// defend runs every defence on the poisoned scenario s, retrains the vanilla
// classifier on the rows each keeps and measures it on the fooled test rows.
func (h Harness) defend(ctx context.Context, s Scenario, fooledX [][]float64, fooledY []int) ([]DefenceResult, error) {
	if len(h.Defences) == 0 {
		return nil, nil
	}
	reps, err := h.Represent(ctx, s)
	if err != nil {
		return nil, err
	}
	if len(reps) != len(s.X) {
		return nil, fmt.Errorf("Represent returned %d representations for %d training rows", len(reps), len(s.X))
	}
	out := make([]DefenceResult, 0, len(h.Defences))
	for _, d := range h.Defences {
		removed, err := d.Flag(ctx, s, reps)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		kept := Scenario{Name: s.Name, Pattern: s.Pattern}
		res := DefenceResult{Name: d.Name, Removed: len(removed)}
		for i := range s.X {
			if _, gone := slices.BinarySearch(removed, i); gone {
				if _, poisoned := slices.BinarySearch(s.Poisoned.Indices, i); poisoned {
					res.Caught++
				}
				continue
			}
			kept.X, kept.Y = append(kept.X, s.X[i]), append(kept.Y, s.Y[i])
		}
		vanilla, err := h.TrainVanilla(ctx, kept)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		pred, err := predict(vanilla, fooledX)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		res.Robust = Accuracy(pred, fooledY)
		out = append(out, res)
	}
	return out, nil
}

// writeDefences writes the paper's comparison (Tables 1 and 2): the empirical robust
// accuracy of the vanilla classifier, of RAB and of the vanilla classifier retrained
// after each defence, then RAB's certified accuracy; and what each defence removed.
func (h Harness) writeDefences(w io.Writer, results []Result) error {
	if len(h.Defences) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nEmpirical robust accuracy on the fooled rows, as the paper's comparison: the vanilla %s retrained on the rows each defence keeps,\n", h.VanillaName)
	fmt.Fprintf(w, "the defences reading %s;\n", h.RepresentationName)
	fmt.Fprintln(w, "removed: the training rows each defence removed (poisoned ones among them, of the r poisoned rows).")
	for _, d := range h.Defences {
		fmt.Fprintf(w, "  %-9s %s\n", d.Name, d.Setting)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "pattern\tvanilla\tRAB")
	for _, d := range h.Defences {
		fmt.Fprintf(tw, "\t%s", d.Name)
	}
	fmt.Fprint(tw, "\tRAB-cert (19)\t")
	for _, d := range h.Defences {
		fmt.Fprintf(tw, "\t%s removed", d.Name)
	}
	fmt.Fprintln(tw, "\t")
	for _, r := range results {
		if !r.Attacked() {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s", r.Name, r.onFooled(r.VanillaRobust), r.onFooled(r.RABRobust))
		for k := range h.Defences {
			robust := "n/a" // the attack fooled no row: nothing to defend
			if k < len(r.Defended) {
				robust = pct(r.Defended[k].Robust)
			}
			fmt.Fprintf(tw, "\t%s", robust)
		}
		fmt.Fprintf(tw, "\t%s\t", r.onFooled(r.CertEq19))
		for k := range h.Defences {
			removed := "-"
			if k < len(r.Defended) {
				d := r.Defended[k]
				removed = fmt.Sprintf("%d (%d/%d)", d.Removed, d.Caught, r.Rows)
			}
			fmt.Fprintf(tw, "\t%s", removed)
		}
		fmt.Fprintln(tw, "\t")
	}
	return tw.Flush()
}
