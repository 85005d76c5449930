package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/smoothing"
)

var inspectCommand = &command{
	name:  "inspect",
	args:  "file...",
	short: "describe model and shard files",
	long: `Inspect reads model files (written by rab train or rab merge) and shard files
(written by rab train -shard), verifies them as rab certify and rab merge would,
and prints what each holds, one "name: value" line per property:

	file       the file's name and its SHA-256
	kind       knn, ensemble or shard
	k, levels  the K-NN smoother's K and number of distance levels L
	models     an ensemble's size N
	members    a shard's members [lo, hi) of N
	noise      gaussian(sigma=σ) or uniform(a=a,b=b)
	alpha      an ensemble's level α
	seed       the ensemble's seed
	classes    the number of classes C
	dimension  the number of features d
	learner    a shard's base learner and its settings
	data       the SHA-256 of the training data (ensemble.DataSHA256, for a K-NN
	           model of the training rows it holds), or unknown for an ensemble
	           of members trained elsewhere (ensemble.FromModels)

With -members, inspect also lists the SHA-256 of each member of an ensemble or a
shard. A file that is truncated or corrupt is an error.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		f := &inspectFlags{}
		fs.BoolVar(&f.members, "members", false, "list the SHA-256 of every member of an ensemble or a shard")
		return f.run
	},
}

type inspectFlags struct{ members bool }

func (f *inspectFlags) run(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("no files: want model or shard files")
	}
	w := bufio.NewWriter(e.stdout)
	for i, path := range args {
		if err := ctx.Err(); err != nil {
			return err
		}
		props, err := f.describe(path)
		if err != nil {
			w.Flush()
			return fmt.Errorf("%s: %w", path, err)
		}
		if i > 0 {
			w.WriteString("\n")
		}
		tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
		for _, p := range props {
			fmt.Fprintf(tw, "%s:\t%s\n", p[0], p[1])
		}
		tw.Flush()
	}
	return w.Flush()
}

// describe returns the properties of the model or shard file at path.
func (f *inspectFlags) describe(path string) ([][2]string, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	file, r, kind, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	props := [][2]string{{"file", path + " " + sha256Text(sum)}}
	if kind == shardFile {
		sh, err := readShard(r)
		if err != nil {
			return nil, err
		}
		return append(props, f.shardProps(sh)...), nil
	}
	m, err := rab.Load(r)
	if err != nil {
		return nil, err
	}
	return append(props, f.modelProps(m)...), nil
}

// modelProps returns the properties of a model.
func (f *inspectFlags) modelProps(m *rab.Model) [][2]string {
	props := [][2]string{{"kind", m.Kind().String()}}
	if m.Kind() == rab.KindKNN {
		props = append(props, [][2]string{{"k", strconv.Itoa(m.K())}, {"levels", strconv.Itoa(m.Levels())}, {"noise", noiseText(m.Noise())}}...)
	} else {
		props = append(props, [][2]string{{"models", strconv.Itoa(m.Models())}, {"noise", noiseText(m.Noise())},
			{"alpha", strconv.FormatFloat(m.Alpha(), 'g', -1, 64)}, {"seed", strconv.FormatUint(m.Seed(), 10)}}...)
	}
	data := "unknown (an ensemble of members trained elsewhere: ensemble.FromModels)"
	if sum, ok := m.DataSHA256(); ok {
		data = sha256Text(sum)
	}
	props = append(props, [][2]string{{"classes", strconv.Itoa(m.Classes())}, {"dimension", strconv.Itoa(m.Dim())}, {"data", data}}...)
	return append(props, f.memberProps(0, m.Models(), m.MemberSHA256)...)
}

// shardProps returns the properties of a shard.
func (f *inspectFlags) shardProps(sh *ensemble.Shard) [][2]string {
	lo, hi := sh.Range()
	kind, config := sh.Learner()
	data := sh.DataSHA256()
	props := [][2]string{
		{"kind", "shard"},
		{"members", fmt.Sprintf("[%d, %d) of %d", lo, hi, sh.Models())},
		{"noise", noiseText(sh.Noise())},
		{"seed", strconv.FormatUint(sh.Seed(), 10)},
		{"classes", strconv.Itoa(sh.Classes())},
		{"dimension", strconv.Itoa(sh.Dim())},
		{"learner", kind + " " + config},
		{"data", sha256Text(data)},
	}
	return append(props, f.memberProps(lo, hi, sh.MemberSHA256)...)
}

// memberProps returns, with -members, the SHA-256 of members lo … hi−1.
func (f *inspectFlags) memberProps(lo, hi int, memberSHA256 func(k int) ([sha256.Size]byte, bool)) [][2]string {
	if !f.members {
		return nil
	}
	var props [][2]string
	for k := lo; k < hi; k++ {
		sum, _ := memberSHA256(k)
		props = append(props, [2]string{"member " + strconv.Itoa(k), sha256Text(sum)})
	}
	return props
}

// sha256Text returns "sha256 " and the hash in hexadecimal.
func sha256Text(sum [sha256.Size]byte) string { return "sha256 " + hex.EncodeToString(sum[:]) }

// noiseText returns the noise's exact text form, e.g. gaussian(sigma=0.5).
func noiseText(n smoothing.Noise) string {
	text, err := n.MarshalText()
	if err != nil {
		return n.String()
	}
	return string(text)
}

// fileKind is what a file's first bytes say it holds.
type fileKind int

const (
	unknownFile fileKind = iota
	modelFile            // written by rab.Model.Save
	shardFile            // written by ensemble.Shard.Save
)

// openFile opens the file at path for reading, buffered, and tells from its first
// bytes what it holds.
func openFile(path string) (*os.File, *bufio.Reader, fileKind, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, unknownFile, err
	}
	r := bufio.NewReader(f)
	kind := unknownFile
	switch magic, _ := r.Peek(8); string(magic) {
	case "RABMODEL":
		kind = modelFile
	case "RABSHARD":
		kind = shardFile
	}
	return f, r, kind, nil
}
