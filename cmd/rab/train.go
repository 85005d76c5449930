package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/bound"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
)

var trainCommand = &command{
	name:  "train",
	args:  "data.csv",
	short: "train a smoothed classifier, or one shard of an ensemble, on a CSV file",
	long: `Train reads the training data from a CSV file ("-" for standard input) and
writes the trained model to the file -o names (default model.rab).

The file's first row names the columns. Every other row is one training input:
a finite number in every feature column and, in the label column, its class
0, 1, …, C−1 (an integer, possibly written 1.0). The label column is the last
one unless -label names it. C is the largest label + 1 unless -classes says
otherwise.

With -knn K, train builds the exact smoothed K-nearest-neighbour classifier of
Theorem 3 of the RAB paper: no sampling, exact certificates. It needs -sigma and
takes -levels. Otherwise train trains an ensemble of -models N base models
(Algorithm 1), member k on the data plus its own noise: Gaussian N(0, σ²) with
-sigma σ, or uniform U([a, b]) with -uniform a,b. Its certificates hold with
probability 1 − α (-alpha). Member k depends only on the data, the flags and
(-seed, k): the same command gives a bit-identical model file on any machine and
with any -workers.

The -learner flag chooses the ensemble's base learner: logistic (multinomial
logistic regression, pure Go, a few milliseconds per member), mlp (a multilayer
perceptron, package ensemble/gorgonia) or cnn (a convolutional network for
images, package ensemble/cnn, which needs -image; by default the paper's MNIST
network). The flags marked "logistic:", "mlp, cnn:" or "cnn:" below configure
them; a flag of another learner than the chosen one is an error. Networks see
the features as they are: scale them first (e.g. pixels to [0, 1]).

With -shard i/m, train trains only the i-th of m near-equal slices of the N
members (0 ≤ i < m) and writes a shard file (default shard-i-of-m.rab), so that
the members can be trained by m processes on m machines, e.g. a Kubernetes
Indexed Job or a Slurm job array (see deploy/kubernetes). Give every shard the
same data and flags; rab merge then checks that the shards belong together and
assembles the model file train would have written without -shard, bit for bit.
The level α is not a property of the members: it is given to rab merge. A shard
records its learner as the learner's package describes it, so shards written by
a Go program with ensemble.TrainShard and the same data, learner settings, N,
seed and noise merge with these.

A progress bar is drawn on standard error when it is a terminal.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		f := &trainFlags{}
		f.register(fs)
		return func(ctx context.Context, e *env, args []string) error { return f.run(ctx, e, fs, args) }
	},
}

// trainFlags are the flags of rab train.
type trainFlags struct {
	out     string
	label   string
	classes int
	sigma   float64
	uniform interval
	knn     int
	levels  int
	models  int
	seed    uint64
	alpha   float64
	workers int
	shard   shardSpec
	learner learnerFlags
}

func (f *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "output `file` (default model.rab; with -shard i/m, shard-i-of-m.rab)")
	fs.StringVar(&f.label, "label", "", "`name` of the label column (default the last column)")
	fs.IntVar(&f.classes, "classes", 0, "number of classes `C` (default the largest label + 1)")
	fs.Float64Var(&f.sigma, "sigma", 0, "Gaussian smoothing noise N(0, σ²) with this `σ` > 0 (L2 certificates)")
	fs.Var(&f.uniform, "uniform", "uniform smoothing noise U([a, b]) on `a,b`, e.g. -uniform=-1,1 (L1 certificates; ensembles only)")
	fs.IntVar(&f.knn, "knn", 0, "train the exact smoothed K-NN classifier with this `K` instead of an ensemble")
	fs.IntVar(&f.levels, "levels", rab.DefaultLevels, "K-NN: number of distance levels `L`")
	fs.IntVar(&f.models, "models", rab.DefaultModels, "ensemble size `N`")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the ensemble's random draws")
	fs.Float64Var(&f.alpha, "alpha", rab.DefaultAlpha, "probability `α` that an ensemble certificate is wrong (not with -shard: see rab merge)")
	fs.IntVar(&f.workers, "workers", 0, "`number` of members trained at once (default all cores); the model does not depend on it")
	fs.Var(&f.shard, "shard", "train only shard i of m of the ensemble, `i/m` with 0 ≤ i < m")
	f.learner.register(fs)
}

// ensembleFlags are the flags that configure ensembles only.
var ensembleFlags = []string{"uniform", "models", "seed", "alpha", "shard", "learner", "iterations", "l2", "epochs", "batch", "lr", "hidden", "filters", "image"}

// check validates the flags and arguments before any work starts.
func (f *trainFlags) check(set map[string]bool, args []string) error {
	if len(args) != 1 {
		return usagef("want one CSV file of training data, got %d arguments", len(args))
	}
	switch {
	case set["sigma"] == set["uniform"]:
		return usagef("give the smoothing noise: -sigma σ (Gaussian) or -uniform a,b (uniform), not both")
	case set["sigma"] && !(f.sigma > 0 && !math.IsInf(f.sigma, 0)):
		return usagef("-sigma %v: want a finite σ > 0", f.sigma)
	case set["classes"] && f.classes < 2:
		return usagef("-classes %d: want at least 2", f.classes)
	case f.workers < 0:
		return usagef("-workers %d: want at least 1 (or 0 for all cores)", f.workers)
	}
	if set["knn"] {
		return f.checkKNN(set)
	}
	switch {
	case set["levels"]:
		return usagef("-levels configures the exact K-NN smoother: add -knn K or drop it")
	case f.models < 1:
		return usagef("-models %d: want at least 1", f.models)
	case !(f.alpha > 0 && f.alpha < 1):
		return usagef("-alpha %v: want 0 < α < 1", f.alpha)
	case set["shard"] && set["alpha"]:
		return usagef("-alpha with -shard: α is not a property of the members; give it to rab merge (or rab certify)")
	}
	if _, _, err := f.shardRange(set); err != nil {
		return err
	}
	return f.learner.check(set)
}

// checkKNN validates the flags of the K-NN smoother.
func (f *trainFlags) checkKNN(set map[string]bool) error {
	for _, name := range ensembleFlags {
		switch {
		case !set[name]:
		case name == "uniform":
			return usagef("-uniform with -knn: the exact K-NN smoother needs Gaussian noise: use -sigma")
		default:
			return usagef("-%s configures ensembles; the exact K-NN smoother (-knn) trains no models: drop one of them", name)
		}
	}
	switch {
	case f.knn < 1:
		return usagef("-knn %d: want K ≥ 1", f.knn)
	case f.levels < 2:
		return usagef("-levels %d: want at least 2", f.levels)
	}
	return nil
}

func (f *trainFlags) run(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	set := setFlags(fs)
	if err := f.check(set, args); err != nil {
		return err
	}
	t, err := readTableFile(e, args[0], labelColumn(f.label))
	if err != nil {
		return err
	}
	classes := f.classes
	if !set["classes"] {
		if classes = maxLabel(t.y) + 1; !slices.ContainsFunc(t.y, func(v int) bool { return v != t.y[0] }) {
			return fmt.Errorf("%s: every label is %d: certification needs at least 2 classes; give -classes C if the other classes exist but are absent from this data", t.name, t.y[0])
		}
	}
	if m := maxLabel(t.y); m >= classes {
		return fmt.Errorf("%s: label %d with -classes %d: want labels 0 to %d", t.name, m, classes, classes-1)
	}
	if !set["knn"] && !set["shard"] {
		if err := checkEnsembleSize(f.models, classes, f.alpha); err != nil {
			return usagef("-models %d %v", f.models, err)
		}
	}
	if set["shard"] {
		return f.trainShard(ctx, e, set, t, classes)
	}
	opts, err := f.options(set)
	if err != nil {
		return err
	}
	if bar := progressBar(e, "training"); bar != nil {
		opts = append(opts, rab.WithProgress(bar))
	}
	m, err := rab.Train(ctx, t.X, t.y, opts...)
	if err != nil {
		return err
	}
	return writeFileAtomic(f.output(), m.Save)
}

// options returns the rab.Train options of the flags (except progress).
func (f *trainFlags) options(set map[string]bool) ([]rab.Option, error) {
	var opts []rab.Option
	if set["sigma"] {
		opts = append(opts, rab.WithSigma(f.sigma))
	} else {
		opts = append(opts, rab.WithUniform(f.uniform.a, f.uniform.b))
	}
	if set["classes"] {
		opts = append(opts, rab.WithClasses(f.classes))
	}
	if f.workers > 0 {
		opts = append(opts, rab.WithWorkers(f.workers))
	}
	if set["knn"] {
		return append(opts, rab.WithKNN(f.knn), rab.WithLevels(f.levels)), nil
	}
	learner, err := f.learner.build(set)
	if err != nil {
		return nil, err
	}
	return append(opts, rab.WithModels(f.models), rab.WithSeed(f.seed), rab.WithAlpha(f.alpha), rab.WithLearner(learner)), nil
}

// trainShard trains the members of shard i of m and writes the shard file.
func (f *trainFlags) trainShard(ctx context.Context, e *env, set map[string]bool, t *table, classes int) error {
	lo, hi, err := f.shardRange(set)
	if err != nil {
		return err
	}
	noise, err := f.noise(set)
	if err != nil {
		return err
	}
	learner, err := f.learner.build(set)
	if err != nil {
		return err
	}
	// Every shard reads the same labels (Merge checks their hash), so they agree on C.
	opts := []ensemble.Option{ensemble.WithModels(f.models), ensemble.WithSeed(f.seed), ensemble.WithClasses(classes)}
	if f.workers > 0 {
		opts = append(opts, ensemble.WithWorkers(f.workers))
	}
	if bar := progressBar(e, "training"); bar != nil {
		opts = append(opts, ensemble.WithProgress(bar))
	}
	sh, err := ensemble.TrainShard(ctx, t.X, t.y, learner, noise, lo, hi, opts...)
	if err != nil {
		return err
	}
	return writeFileAtomic(f.output(), sh.Save)
}

// shardRange returns the members [lo, hi) of -shard i/m, if given.
func (f *trainFlags) shardRange(set map[string]bool) (lo, hi int, err error) {
	if !set["shard"] {
		return 0, f.models, nil
	}
	if lo, hi, err = ensemble.ShardRange(f.models, f.shard.i, f.shard.m); err != nil {
		return 0, 0, usagef("-shard %v with -models %d: %v", &f.shard, f.models, err)
	}
	return lo, hi, nil
}

// noise returns the smoothing noise of the flags.
func (f *trainFlags) noise(set map[string]bool) (smoothing.Noise, error) {
	if set["sigma"] {
		return smoothing.Gaussian(f.sigma)
	}
	return smoothing.Uniform(f.uniform.a, f.uniform.b)
}

// output returns the output file's name.
func (f *trainFlags) output() string {
	switch {
	case f.out != "":
		return f.out
	case f.shard.m > 0:
		return fmt.Sprintf("shard-%d-of-%d.rab", f.shard.i, f.shard.m)
	}
	return "model.rab"
}

// checkEnsembleSize rejects an ensemble of n members that could only ever abstain at
// level α (bound.MinVotes), saying which flags to change.
func checkEnsembleSize(n, classes int, alpha float64) error {
	if need := bound.MinVotes(alpha, classes); n < need {
		return fmt.Errorf("members are too few for α = %v and %d classes: fewer than %d can only ever abstain; use -models %d or more, or a larger -alpha", alpha, classes, need, need)
	}
	return nil
}

// maxLabel returns the largest label, or -1 for none.
func maxLabel(y []int) int {
	m := -1
	for _, v := range y {
		m = max(m, v)
	}
	return m
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// progressBar returns a progress callback drawing a bar labelled stage on standard
// error, or nil when standard error is not a terminal.
func progressBar(e *env, stage string) func(done, total int) {
	if !e.progress {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription(stage),
				progressbar.OptionClearOnFinish(), progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
		}
		_ = bar.Set(done)
		if done == total {
			_ = bar.Finish()
		}
	}
}

// interval is a flag a,b: the support of uniform noise.
type interval struct{ a, b float64 }

func (v *interval) String() string {
	if *v == (interval{}) {
		return ""
	}
	return fmt.Sprintf("%v,%v", v.a, v.b)
}

func (v *interval) Set(s string) error {
	as, bs, ok := strings.Cut(s, ",")
	a, errA := strconv.ParseFloat(strings.TrimSpace(as), 64)
	b, errB := strconv.ParseFloat(strings.TrimSpace(bs), 64)
	if !ok || errA != nil || errB != nil || !(a < b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return fmt.Errorf("%q: want a,b with finite a < b, e.g. -uniform=-1,1", s)
	}
	v.a, v.b = a, b
	return nil
}

// shardSpec is a flag i/m: shard i of m.
type shardSpec struct{ i, m int }

func (s *shardSpec) String() string {
	if s.m == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.m)
}

func (s *shardSpec) Set(v string) error {
	is, ms, ok := strings.Cut(v, "/")
	i, errI := strconv.Atoi(is)
	m, errM := strconv.Atoi(ms)
	if !ok || errI != nil || errM != nil || m < 1 || i < 0 || i >= m {
		return fmt.Errorf("%q: want i/m with 0 ≤ i < m, e.g. 0/4 for the first of 4 shards", v)
	}
	s.i, s.m = i, m
	return nil
}
