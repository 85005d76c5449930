package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/ensemble"
)

var mergeCommand = &command{
	name:  "merge",
	args:  "shard.rab...",
	short: "assemble an ensemble's model file from its shard files",
	long: `Merge reads the shard files that rab train -shard i/m wrote, checks that they
belong to one ensemble and writes its model file to the file -o names (default
model.rab): the same file, bit for bit, as rab train without -shard would have
written with the same data and flags, and with -alpha as given here.

The shards may be given in any order. Merge checks that they agree on the
ensemble size N, the seed, the noise, the number of classes, the input
dimension, the learner and its settings and the SHA-256 of the training data;
that together they hold every member 0 … N−1 exactly once (a missing or an
overlapping shard is an error naming the members concerned); and that every
member's bytes match the SHA-256 recorded when it was trained (a truncated or
altered file is an error).

An argument that contains *, ? or [ and names no file is a pattern that merge
expands itself (path/filepath.Match syntax), so that it works where no shell
expands it, e.g. in a Kubernetes container: rab merge 'shards/shard-*.rab'.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		f := &mergeFlags{}
		fs.StringVar(&f.out, "o", "model.rab", "output model `file`")
		fs.Float64Var(&f.alpha, "alpha", rab.DefaultAlpha, "probability `α` that a certificate is wrong, saved in the model (rab certify -alpha overrides it)")
		return f.run
	},
}

type mergeFlags struct {
	out   string
	alpha float64
}

func (f *mergeFlags) run(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("no shard files: want the files that rab train -shard i/m wrote, all m of them")
	}
	if !(f.alpha > 0 && f.alpha < 1) {
		return usagef("-alpha %v: want 0 < α < 1", f.alpha)
	}
	paths, err := expandPatterns(args)
	if err != nil {
		return err
	}
	shards := make([]*ensemble.Shard, len(paths))
	for i, path := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if shards[i], err = loadShard(path); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	ens, err := ensemble.Merge(shards...)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, shardLegend(paths, shards))
	}
	if err := checkEnsembleSize(ens.Len(), ens.Classes(), f.alpha); err != nil {
		return fmt.Errorf("the shards' %d %v", ens.Len(), err)
	}
	m, err := rab.FromEnsemble(ens, rab.WithAlpha(f.alpha))
	if err != nil {
		return err
	}
	return writeFileAtomic(f.out, m.Save)
}

// expandPatterns returns the files args name: each argument is a file, or a pattern
// with *, ? or [ that names no file and is expanded to the files it matches.
func expandPatterns(args []string) ([]string, error) {
	var paths []string
	for _, arg := range args {
		if _, err := os.Stat(arg); err == nil || !strings.ContainsAny(arg, "*?[") {
			paths = append(paths, arg)
			continue
		}
		matches, err := filepath.Glob(arg)
		switch {
		case err != nil:
			return nil, fmt.Errorf("pattern %q: %w", arg, err)
		case len(matches) == 0:
			return nil, fmt.Errorf("pattern %q matches no file", arg)
		}
		paths = append(paths, matches...)
	}
	return paths, nil
}

// loadShard reads the shard file at path.
func loadShard(path string) (*ensemble.Shard, error) {
	f, r, kind, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if kind == modelFile {
		return nil, fmt.Errorf("a model file, not a shard: rab merge takes the shard files of rab train -shard i/m")
	}
	return readShard(r)
}

// readShard reads a shard file, which must hold nothing else.
func readShard(r *bufio.Reader) (*ensemble.Shard, error) {
	sh, err := ensemble.LoadShard(r)
	if err != nil {
		return nil, err
	}
	if _, err := r.Peek(1); err == nil {
		return nil, fmt.Errorf("trailing data after the shard: the file must hold one shard and nothing else")
	}
	return sh, nil
}

// shardLegend lists the shards by their position in the arguments, which Merge's
// errors refer to, with their files and ranges.
func shardLegend(paths []string, shards []*ensemble.Shard) string {
	var b strings.Builder
	b.WriteString("the shards, in the order given:")
	for i, sh := range shards {
		lo, hi := sh.Range()
		fmt.Fprintf(&b, "\n\tshard %d: %s: members [%d, %d) of %d", i, paths[i], lo, hi, sh.Models())
	}
	return b.String()
}
