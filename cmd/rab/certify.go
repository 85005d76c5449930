package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/errs"
)

var certifyCommand = &command{
	name:  "certify",
	args:  "data.csv",
	short: "certify the prediction of a model for every row of a CSV file",
	long: `Certify reads a model file (-model, default model.rab) and inputs from a CSV
file ("-" for standard input), and writes one certificate per input row, in the
rows' order, to standard output (or to the file -o names).

The CSV file's first row names the columns; every other row is one input, a
finite number in every feature column, the features in the order of the
training data. A label column is optional: certify ignores the column -label
names, or else the last column when the file has one column more than the model
has features. When there is a label column, certify prints a summary to standard
error: how many rows are predicted correctly, how many are certified correctly
(correct and not abstained) and how many abstained. Labels are not used
otherwise.

A certificate gives the predicted class, a lower bound pa on the smoothed
classifier's probability of that class, an upper bound pb on that of every other
class, and the certified radius: no backdoor in the training data whose norm is
below the radius — sqrt(Σ‖δ_i‖₂²) over the poisoned training rows for Gaussian
noise (norm L2), Σ‖δ_i‖₁ for uniform noise (norm L1) — can have changed the
prediction. Abstained is true when pa ≤ pb: the class is then the most likely
one but nothing is certified and the radius is 0. An ensemble's certificates
hold with probability 1 − α (the α saved in the model, or -alpha).

The exact K-NN smoother's certificates also bound two probabilities of its
quantisation of distances (rab.Quantisation): ties, that the K-th and (K+1)-th
nearest neighbours share a distance level, and last_bucket, that the K-th
neighbour lies beyond the last finite level — near 1, the certificate is sound
but useless: scale the features or choose σ on the scale of their distances.

With -format csv (the default) the output is a CSV file with the header
class,pa,pb,radius,abstained,norm, followed by ties,last_bucket for a K-NN
model; with -format jsonl it is one JSON object per line, the JSON form of
rab.Certificate:

	{"class":1,"pa":0.97,"pb":0.03,"radius":1.93,"abstained":false,"norm":"L2"}

with "quantisation":{"ties":…,"last_bucket":…} at the end for a K-NN model.

With -label-flips r (exact K-NN models only) every certificate also says how
far the prediction holds when up to k ≤ r training rows may also have been
relabelled (rab.WithLabelFlips): R_k is the radius certified for any training
set that differs from the given one in the labels of at most k rows and by
feature changes of total L2 norm below R_k. The CSV output gains the columns
flip_radius_1 … flip_radius_r; the JSON form ends with
"label_flips":{"shift":[M_1,…,M_r],"radius":[R_1,…,R_r]}, M_k bounding how far
k relabelled rows move a class probability.

Numbers are written in the shortest form that reads back to the same float64,
in both formats.

A progress bar is drawn on standard error when it is a terminal.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		f := &certifyFlags{}
		fs.StringVar(&f.model, "model", "model.rab", "model `file` written by rab train or rab merge")
		fs.StringVar(&f.format, "format", "csv", "output `format`: csv or jsonl")
		fs.StringVar(&f.out, "o", "", "output `file` (default standard output)")
		fs.StringVar(&f.label, "label", "", "`name` of the label column, if any (default: the last column when there is one column more than the model has features)")
		fs.Float64Var(&f.alpha, "alpha", 0, "ensembles: probability `α` that a certificate is wrong (default the α saved in the model)")
		fs.IntVar(&f.flips, "label-flips", 0, "exact K-NN models: also certify up to `r` relabelled training rows (columns flip_radius_1 … flip_radius_r)")
		fs.IntVar(&f.workers, "workers", 0, "`number` of goroutines certifying (default all cores); the certificates do not depend on it")
		return func(ctx context.Context, e *env, args []string) error { return f.run(ctx, e, fs, args) }
	},
}

type certifyFlags struct {
	model, format, out, label string
	alpha                     float64
	workers, flips            int
}

func (f *certifyFlags) run(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	set := setFlags(fs)
	switch {
	case len(args) != 1:
		return usagef("want one CSV file of inputs, got %d arguments", len(args))
	case f.format != "csv" && f.format != "jsonl":
		return usagef("-format %q: want csv or jsonl", f.format)
	case set["alpha"] && !(f.alpha > 0 && f.alpha < 1):
		return usagef("-alpha %v: want 0 < α < 1", f.alpha)
	case f.workers < 0:
		return usagef("-workers %d: want at least 1 (or 0 for all cores)", f.workers)
	case f.flips < 0:
		return usagef("-label-flips %d: want r ≥ 0 relabelled rows", f.flips)
	}
	if set["alpha"] || f.flips > 0 {
		if err := f.checkModel(set["alpha"]); err != nil {
			return err
		}
	}
	var opts []rab.LoadOption
	if set["alpha"] {
		opts = append(opts, rab.WithAlpha(f.alpha))
	}
	if f.workers > 0 {
		opts = append(opts, rab.WithWorkers(f.workers))
	}
	if f.flips > 0 {
		opts = append(opts, rab.WithLabelFlips(f.flips))
	}
	if bar := progressBar(e, "certifying"); bar != nil {
		opts = append(opts, rab.WithProgress(bar))
	}
	m, err := loadModel(f.model, opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", f.model, err)
	}
	t, err := readTableFile(e, args[0], inputColumns(f.label, m.Dim()))
	if err != nil {
		return err
	}
	certs, err := m.CertifyBatch(ctx, t.X)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return writeCertificates(w, f.format, certs, f.flips) }
	if f.out == "" {
		w := bufio.NewWriter(e.stdout)
		if err := write(w); err != nil {
			return err
		}
		err = w.Flush()
	} else {
		err = writeFileAtomic(f.out, write)
	}
	if err == nil && t.y != nil {
		err = summarize(e.stderr, certs, t.y)
	}
	return err
}

// checkModel checks that the model suits the flags that only one kind of model
// takes, so that a mistake is reported with the flag's name: -alpha needs an
// ensemble of at least bound.MinVotes(α, C) members; -label-flips an exact K-NN model
// (an ensemble would need label noise in training).
func (f *certifyFlags) checkModel(alpha bool) error {
	m, err := loadModel(f.model)
	if err != nil {
		return fmt.Errorf("%s: %w", f.model, err)
	}
	if f.flips > 0 && m.Kind() != rab.KindKNN {
		return usagef("-label-flips with %s, an ensemble: only exact K-NN models (rab train -knn K) certify relabelled rows; drop -label-flips", f.model)
	}
	if !alpha {
		return nil
	}
	if m.Kind() != rab.KindEnsemble {
		return usagef("-alpha with %s, an exact K-NN model: its certificates do not depend on α; drop -alpha", f.model)
	}
	if err := checkEnsembleSize(m.Models(), m.Classes(), f.alpha); err != nil {
		return usagef("-alpha %v with %s: its %d %v", f.alpha, f.model, m.Models(), err)
	}
	return nil
}

// loadModel reads the model file at path.
func loadModel(path string, opts ...rab.LoadOption) (*rab.Model, error) {
	f, r, kind, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if kind == shardFile {
		return nil, fmt.Errorf("a shard file, not a model: assemble the shards with rab merge first")
	}
	return rab.Load(r, opts...)
}

// inputColumns picks the label column of inputs to certify: the one called label, or
// else the last when there is one column more than the model's dim features (dim 0:
// unknown, all columns are features).
func inputColumns(label string, dim int) columnPicker {
	return func(header []string) (int, error) {
		col := -1
		switch {
		case label != "":
			var err error
			if col, err = findColumn(header, label); err != nil {
				return 0, err
			}
		case dim > 0 && len(header) == dim+1:
			col = len(header) - 1
		}
		features := len(header)
		if col >= 0 {
			features--
		}
		if dim > 0 && features != dim {
			return 0, errs.Invalid("%d feature columns, the model takes %d features: want %d columns, plus optionally a label column (the last, or the one -label names)", features, dim, dim)
		}
		return col, nil
	}
}

// writeCertificates writes certs to w as CSV or JSON Lines; in CSV, flips > 0 adds the
// columns flip_radius_1 … flip_radius_flips.
func writeCertificates(w io.Writer, format string, certs []rab.Certificate, flips int) error {
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		for _, c := range certs {
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
		return nil
	}
	cw := csv.NewWriter(w)
	header := []string{"class", "pa", "pb", "radius", "abstained", "norm"}
	quantised := len(certs) > 0 && certs[0].Quantisation != nil // the exact K-NN smoother's
	if quantised {
		header = append(header, "ties", "last_bucket")
	}
	for k := 1; k <= flips; k++ {
		header = append(header, "flip_radius_"+strconv.Itoa(k))
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, c := range certs {
		rec := []string{strconv.Itoa(c.Class), jsonNumber(c.PA), jsonNumber(c.PB), jsonNumber(c.Radius), strconv.FormatBool(c.Abstained), c.Norm.String()}
		if quantised {
			rec = append(rec, jsonNumber(c.Quantisation.Ties), jsonNumber(c.Quantisation.LastBucket))
		}
		for k := 1; k <= flips; k++ {
			rec = append(rec, jsonNumber(c.FlipRadius(k)))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonNumber formats v as encoding/json does (the shortest form that reads back to
// v), so that the CSV and JSON Lines outputs spell every number the same way.
// Certificates' numbers are finite, which is all encoding/json needs.
func jsonNumber(v float64) string {
	b, err := json.Marshal(v)
	if err != nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return string(b)
}

// summarize prints how the certificates fare against the labels.
func summarize(w io.Writer, certs []rab.Certificate, labels []int) error {
	var correct, certified, abstained int
	for i, c := range certs {
		switch {
		case c.Abstained:
			abstained++
		case c.Class == labels[i]:
			certified++
		}
		if c.Class == labels[i] {
			correct++
		}
	}
	percent := func(k int) float64 { return 100 * float64(k) / float64(len(certs)) }
	_, err := fmt.Fprintf(w, "rab certify: %d rows: %d predicted correctly (%.1f%%), %d certified correctly (%.1f%%), %d abstained (%.1f%%)\n",
		len(certs), correct, percent(correct), certified, percent(certified), abstained, percent(abstained))
	return err
}
