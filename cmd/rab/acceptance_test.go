package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/cnn"
	"github.com/rabcert/rab/ensemble/gorgonia"
	"github.com/rabcert/rab/smoothing"
)

// exampleFlags are the README walk-through's training flags: 64 logistic members,
// σ = 0.25, seed 1.
var exampleFlags = []string{"-models", "64", "-sigma", "0.25", "-seed", "1"}

// trainShardsConcurrently runs rab train -shard i/m for every i at once, each in its
// own process, with the flags and the training file, in dir; the shards are written
// to shard-i-of-m.rab.
func trainShardsConcurrently(t *testing.T, dir string, m int, flags []string, data string) {
	t.Helper()
	cmds := make([]*exec.Cmd, m)
	outputs := make([]bytes.Buffer, m)
	for i := range cmds {
		args := append([]string{"train", "-shard", fmt.Sprintf("%d/%d", i, m)}, flags...)
		cmds[i] = rabCmd(t, dir, append(args, data)...)
		cmds[i].Stdout, cmds[i].Stderr = &outputs[i], &outputs[i]
		require.NoError(t, cmds[i].Start())
	}
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "shard %d/%d: %s", i, m, outputs[i].String())
	}
}

// TestShardsInFourProcesses is issue 14's acceptance test: the same ensemble of N = 64
// logistic members trained once in one process and once as 4 shards in 4 concurrent
// processes, merged, gives a model file with the same SHA-256 and identical
// certificates.
func TestShardsInFourProcesses(t *testing.T) {
	dir := exampleDir(t)
	mustRab(t, dir, append(append([]string{"train", "-o", "one.rab"}, exampleFlags...), "example-train.csv")...)
	trainShardsConcurrently(t, dir, 4, exampleFlags, "example-train.csv")
	// Out of order, to show that order does not matter.
	mustRab(t, dir, "merge", "-o", "merged.rab", "shard-2-of-4.rab", "shard-0-of-4.rab", "shard-3-of-4.rab", "shard-1-of-4.rab")

	one, err := fileSHA256(filepath.Join(dir, "one.rab"))
	require.NoError(t, err)
	merged, err := fileSHA256(filepath.Join(dir, "merged.rab"))
	require.NoError(t, err)
	require.Equal(t, one, merged, "the merged model file differs from the one trained in one process")

	certOne := mustRab(t, dir, "certify", "-model", "one.rab", "-format", "jsonl", "example-train.csv")
	certMerged := mustRab(t, dir, "certify", "-model", "merged.rab", "-format", "jsonl", "example-train.csv")
	require.Equal(t, certOne.stdout, certMerged.stdout)
	require.Equal(t, 400, strings.Count(certOne.stdout, "\n"))
	require.Contains(t, certOne.stdout, `"abstained":false`, "a test that certifies nothing would compare nothing")
}

// TestMergeRejects: rab merge refuses shards that do not make one ensemble, each with
// an error naming the problem, and writes no model file.
func TestMergeRejects(t *testing.T) {
	dir := exampleDir(t)
	trainShardsConcurrently(t, dir, 4, exampleFlags, "example-train.csv")
	good := []string{"shard-0-of-4.rab", "shard-1-of-4.rab", "shard-2-of-4.rab", "shard-3-of-4.rab"}
	mustRab(t, dir, append([]string{"merge", "-o", "ok.rab"}, good...)...)

	// Shard 3/4 again with one thing changed, and a shard of another split.
	variant := func(name string, flags ...string) {
		args := append([]string{"train", "-shard", "3/4", "-o", name}, flags...)
		mustRab(t, dir, append(args, "example-train.csv")...)
	}
	variant("seed.rab", "-models", "64", "-sigma", "0.25", "-seed", "2")
	variant("sigma.rab", "-models", "64", "-sigma", "0.5", "-seed", "1")
	variant("uniform.rab", "-models", "64", "-uniform=-0.5,0.5", "-seed", "1")
	variant("iterations.rab", "-models", "64", "-sigma", "0.25", "-seed", "1", "-iterations", "5")
	variant("models.rab", "-models", "65", "-sigma", "0.25", "-seed", "1")
	mustRab(t, dir, append([]string{"train", "-shard", "1/2", "-o", "half.rab"}, append(exampleFlags, "example-train.csv")...)...)

	// The training data with one value changed, and the labels with one label changed.
	train, err := os.ReadFile(filepath.Join(dir, "example-train.csv"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(train), "\n")
	row := strings.Split(strings.TrimSuffix(lines[5], "\n"), ",")
	row[3] += "1"
	edited := strings.Join(lines[:5], "") + strings.Join(row, ",") + "\n" + strings.Join(lines[6:], "")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "edited.csv"), []byte(edited), 0o644))
	mustRab(t, dir, append([]string{"train", "-shard", "3/4", "-o", "data.rab"}, append(exampleFlags, "edited.csv")...)...)

	shard3, err := os.ReadFile(filepath.Join(dir, good[3]))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "truncated.rab"), shard3[:len(shard3)-100], 0o644))
	flipped := bytes.Clone(shard3)
	flipped[len(flipped)-1000] ^= 0x10 // in the members' bytes
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flipped.rab"), flipped, 0o644))
	header := bytes.Clone(shard3)
	header[100] ^= 0x01 // in the manifest
	require.NoError(t, os.WriteFile(filepath.Join(dir, "header.rab"), header, 0o644))

	for _, tc := range []struct {
		name   string
		shards []string
		want   []string // in the error message
	}{
		{"missing shard", good[:3], []string{"members 48 to 63 are in no shard", "train and add the shard [48, 64)"}},
		{"missing first shard", good[1:], []string{"members 0 to 15 are in no shard"}},
		{"overlapping shard", append(good[:], "half.rab"), []string{"overlap on members", "shard 4: half.rab: members [32, 64) of 64"}},
		{"same shard twice", append(good[:], good[1]), []string{"overlap on members 16 to 31"}},
		{"other seed", append(good[:3:3], "seed.rab"), []string{"shard 3 has seed 2, shard 0 has seed 1", "shard 3: seed.rab"}},
		{"other sigma", append(good[:3:3], "sigma.rab"), []string{"noise", "0.5", "0.25"}},
		{"other noise", append(good[:3:3], "uniform.rab"), []string{"noise U([-0.5, 0.5])"}},
		{"other learner configuration", append(good[:3:3], "iterations.rab"), []string{`learner configuration "{\"iterations\":5`}},
		{"other ensemble size", append(good[:3:3], "models.rab"), []string{"N = 65 members", "N = 64 members"}},
		{"other training data", append(good[:3:3], "data.rab"), []string{"training-data SHA-256"}},
		{"truncated shard", append(good[:3:3], "truncated.rab"), []string{"truncated.rab:", "truncated"}},
		{"bit-flipped member", append(good[:3:3], "flipped.rab"), []string{"flipped.rab:", "SHA-256 mismatch", "corrupt"}},
		{"bit-flipped manifest", append(good[:3:3], "header.rab"), []string{"header.rab:", "corrupt"}},
		{"model file", append(good[:3:3], "ok.rab"), []string{"ok.rab: a model file, not a shard"}},
		{"no such file", append(good[:3:3], "nonexistent.rab"), []string{"nonexistent.rab", "no such file"}},
		{"pattern without match", []string{"shards/*.rab"}, []string{`pattern "shards/*.rab" matches no file`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runRab(t, dir, append([]string{"merge", "-o", "bad.rab"}, tc.shards...)...)
			require.Equal(t, 1, r.code, "stderr: %s", r.stderr)
			require.True(t, strings.HasPrefix(r.stderr, "rab merge: "), r.stderr)
			for _, want := range tc.want {
				require.Contains(t, r.stderr, want)
			}
			require.NoFileExists(t, filepath.Join(dir, "bad.rab"))
		})
	}

	r := runRab(t, dir, append([]string{"merge", "-alpha", "1e-30", "-o", "bad.rab"}, good...)...)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "the shards' 64 members are too few for α = 1e-30 and 2 classes: fewer than 101 can only ever abstain")
	require.NoFileExists(t, filepath.Join(dir, "bad.rab"))
	r = runRab(t, dir, "certify", "-model", "ok.rab", "-alpha", "1e-30", "example-test.csv")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "-alpha 1e-30 with ok.rab: its 64 members are too few")
}

// writeSmallCSV writes a small CSV training set on which every learner trains quickly
// (features in [0, 1]; Gorgonia's networks diverge on Spambase's unscaled counts).
func writeSmallCSV(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("x1,x2,x3,label\n")
	for i := range 48 {
		x1, x2, x3 := float64(i%8)/8, float64(i%6)/6, float64(i)/48
		fmt.Fprintf(&b, "%v,%v,%v,%d\n", x1, x2, x3, i%3)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// networkFlags are TestShardsOfNetworks' training flags: 24 small Gorgonia MLPs.
var networkFlags = []string{"-models", "24", "-sigma", "0.5", "-seed", "3", "-learner", "mlp", "-epochs", "2", "-hidden", "4"}

// TestShardsOfNetworks: shards of a Gorgonia MLP ensemble merge into the model file
// trained in one process, and a shard of another learner or network is rejected.
func TestShardsOfNetworks(t *testing.T) {
	dir := t.TempDir()
	writeSmallCSV(t, filepath.Join(dir, "small.csv"))
	flags := networkFlags
	mustRab(t, dir, append(append([]string{"train", "-o", "one.rab"}, flags...), "small.csv")...)
	trainShardsConcurrently(t, dir, 2, flags, "small.csv")
	mustRab(t, dir, "merge", "-o", "merged.rab", "shard-0-of-2.rab", "shard-1-of-2.rab")
	one, err := fileSHA256(filepath.Join(dir, "one.rab"))
	require.NoError(t, err)
	merged, err := fileSHA256(filepath.Join(dir, "merged.rab"))
	require.NoError(t, err)
	require.Equal(t, one, merged)

	r := mustRab(t, dir, "inspect", "shard-1-of-2.rab")
	require.Contains(t, r.stdout, `learner:   gorgonia-mlp {"epochs":2,"batchSize":32,"learningRate":0.005,"optimizer":"Adam","hidden":[4]}`)

	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-models", "24", "-sigma", "0.5", "-seed", "3"}, `learner kind "logistic"`},
		{append(flags[:len(flags):len(flags)], "-lr", "0.01"), `learningRate\":0.01`},
		{append(flags[:len(flags)-1:len(flags)-1], "8"), `hidden\":[8]`},
	} {
		mustRab(t, dir, append(append([]string{"train", "-shard", "1/2", "-o", "other.rab"}, tc.flags...), "small.csv")...)
		r := runRab(t, dir, "merge", "-o", "bad.rab", "shard-0-of-2.rab", "other.rab")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "shard 1 has learner")
		require.Contains(t, r.stderr, tc.want)
	}
}

// writeImageCSV writes 40 rows of 4×4×1 images with two classes to path.
func writeImageCSV(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	for j := range 16 {
		fmt.Fprintf(&b, "p%d,", j)
	}
	b.WriteString("label\n")
	for i := range 40 {
		for j := range 16 {
			fmt.Fprintf(&b, "%v,", float64((i*7+j*3)%11)/10)
		}
		fmt.Fprintf(&b, "%d\n", i%2)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// cnnFlags are TestShardsOfCNN's training flags: 12 small CNNs on 4×4 images.
var cnnFlags = []string{"-models", "12", "-sigma", "0.5", "-seed", "4", "-learner", "cnn", "-image", "4x4x1",
	"-kernel", "3", "-padding", "1", "-filters", "2", "-hidden=", "-epochs", "2", "-batch", "8"}

// TestShardsOfCNN: the same for package ensemble/cnn's networks, on 4×4 images.
func TestShardsOfCNN(t *testing.T) {
	dir := t.TempDir()
	writeImageCSV(t, filepath.Join(dir, "images.csv"))
	flags := cnnFlags
	mustRab(t, dir, append(append([]string{"train", "-o", "one.rab"}, flags...), "images.csv")...)
	trainShardsConcurrently(t, dir, 3, flags, "images.csv")
	mustRab(t, dir, "merge", "-o", "merged.rab", "shard-0-of-3.rab", "shard-1-of-3.rab", "shard-2-of-3.rab")
	one, err := fileSHA256(filepath.Join(dir, "one.rab"))
	require.NoError(t, err)
	merged, err := fileSHA256(filepath.Join(dir, "merged.rab"))
	require.NoError(t, err)
	require.Equal(t, one, merged)
	r := mustRab(t, dir, "inspect", "shard-0-of-3.rab")
	require.Contains(t, r.stdout, `learner:   cnn {"image":[4,4,1],"kernel":3,"padding":1,"filters":[2],"hidden":[],"epochs":2,"batchSize":8,"learningRate":0.001,"optimizer":"Adam"}`)
	r = mustRab(t, dir, "certify", "-model", "merged.rab", "-format", "jsonl", "images.csv")
	require.Equal(t, 40, strings.Count(r.stdout, "\n"))
}

// TestShardsOfLibraryAndCommand: for each network learner, a shard trained by the
// library (ensemble.TrainShard with the learner built from the package's options, the
// settings not named left to the package's defaults) and one trained by rab train
// -shard with the same settings merge, with rab merge, into the model file rab train
// writes in one process: the command records the learners' own descriptions.
func TestShardsOfLibraryAndCommand(t *testing.T) {
	for _, tc := range []struct {
		name    string
		write   func(*testing.T, string)
		flags   []string
		models  int
		seed    uint64
		learner func() (ensemble.BaseLearner, error)
	}{
		{"mlp", writeSmallCSV, networkFlags, 24, 3, func() (ensemble.BaseLearner, error) {
			return gorgonia.NewMLP(gorgonia.WithEpochs(2), gorgonia.WithHidden(4))
		}},
		{"cnn", writeImageCSV, cnnFlags, 12, 4, func() (ensemble.BaseLearner, error) {
			return cnn.New(cnn.WithImageShape(4, 4, 1), cnn.WithKernel(3), cnn.WithPadding(1), cnn.WithFilters(2),
				cnn.WithHidden(), cnn.WithEpochs(2), cnn.WithBatchSize(8))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data.csv")
			tc.write(t, data)
			mustRab(t, dir, append(append([]string{"train", "-o", "one.rab"}, tc.flags...), "data.csv")...)
			mustRab(t, dir, append(append([]string{"train", "-shard", "0/2"}, tc.flags...), "data.csv")...)

			X, y := readCSV(t, data)
			learner, err := tc.learner()
			require.NoError(t, err)
			noise, err := smoothing.Gaussian(0.5)
			require.NoError(t, err)
			lo, hi, err := ensemble.ShardRange(tc.models, 1, 2)
			require.NoError(t, err)
			sh, err := ensemble.TrainShard(context.Background(), X, y, learner, noise, lo, hi, ensemble.WithModels(tc.models), ensemble.WithSeed(tc.seed))
			require.NoError(t, err)
			f, err := os.Create(filepath.Join(dir, "library.rab"))
			require.NoError(t, err)
			require.NoError(t, sh.Save(f))
			require.NoError(t, f.Close())

			mustRab(t, dir, "merge", "-o", "merged.rab", "shard-0-of-2.rab", "library.rab")
			one, err := fileSHA256(filepath.Join(dir, "one.rab"))
			require.NoError(t, err)
			merged, err := fileSHA256(filepath.Join(dir, "merged.rab"))
			require.NoError(t, err)
			require.Equal(t, one, merged, "the model merged from a library shard and a command shard differs from rab train's")
		})
	}
}

// TestCertifyMatchesLibrary: rab certify on the README's example prints, in both
// formats, exactly the certificates that the library computes in this process from
// the same CSV files and settings, for each kind of model.
func TestCertifyMatchesLibrary(t *testing.T) {
	dir := exampleDir(t)
	trainX, trainY := readCSV(t, filepath.Join(dir, "example-train.csv"))
	testX, testY := readCSV(t, filepath.Join(dir, "example-test.csv"))
	for _, tc := range []struct {
		name  string
		flags []string
		opts  []rab.Option
	}{
		{"ensemble", exampleFlags, []rab.Option{rab.WithModels(64), rab.WithSigma(0.25), rab.WithSeed(1)}},
		{"uniform ensemble", []string{"-models", "32", "-uniform=-0.5,0.5", "-alpha", "0.01"}, []rab.Option{rab.WithModels(32), rab.WithUniform(-0.5, 0.5), rab.WithAlpha(0.01)}},
		{"knn", []string{"-knn", "3", "-sigma", "0.5", "-levels", "50"}, []rab.Option{rab.WithKNN(3), rab.WithSigma(0.5), rab.WithLevels(50)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustRab(t, dir, append(append([]string{"train", "-o", "model.rab"}, tc.flags...), "example-train.csv")...)
			m, err := rab.Train(context.Background(), trainX, trainY, tc.opts...)
			require.NoError(t, err)
			want, err := m.CertifyBatch(context.Background(), testX)
			require.NoError(t, err)

			jsonl := mustRab(t, dir, "certify", "-format", "jsonl", "example-test.csv")
			require.Equal(t, jsonLines(t, want), jsonl.stdout)

			out := mustRab(t, dir, "certify", "example-test.csv")
			recs, err := csv.NewReader(strings.NewReader(out.stdout)).ReadAll()
			require.NoError(t, err)
			header := []string{"class", "pa", "pb", "radius", "abstained", "norm"}
			if m.Kind() == rab.KindKNN {
				header = append(header, "ties", "last_bucket")
			}
			require.Equal(t, header, recs[0])
			require.Len(t, recs, len(want)+1)
			for i, c := range want {
				require.Equal(t, certificateFromCSV(t, recs[i+1]), c, "row %d", i)
			}
			require.Equal(t, summaryLine(want, testY), out.stderr)
		})
	}
}

// jsonLines returns the certificates as rab certify -format jsonl prints them: one
// JSON object (encoding/json of rab.Certificate) a line.
func jsonLines(t *testing.T, certs []rab.Certificate) string {
	t.Helper()
	var lines strings.Builder
	for _, c := range certs {
		b, err := json.Marshal(c)
		require.NoError(t, err)
		lines.Write(append(b, '\n'))
	}
	return lines.String()
}

// certificateFromCSV parses one record of rab certify's CSV output.
func certificateFromCSV(t *testing.T, rec []string) rab.Certificate {
	t.Helper()
	var c rab.Certificate
	var err error
	c.Class, err = strconv.Atoi(rec[0])
	require.NoError(t, err)
	for i, p := range []*float64{&c.PA, &c.PB, &c.Radius} {
		*p, err = strconv.ParseFloat(rec[i+1], 64)
		require.NoError(t, err)
	}
	c.Abstained, err = strconv.ParseBool(rec[4])
	require.NoError(t, err)
	require.NoError(t, c.Norm.UnmarshalText([]byte(rec[5])))
	if len(rec) == 8 {
		c.Quantisation = &rab.Quantisation{}
		for i, p := range []*float64{&c.Quantisation.Ties, &c.Quantisation.LastBucket} {
			*p, err = strconv.ParseFloat(rec[6+i], 64)
			require.NoError(t, err)
		}
	}
	return c
}

// summaryLine is rab certify's summary, computed independently of summarize.
func summaryLine(certs []rab.Certificate, labels []int) string {
	correct, certified, abstained := 0, 0, 0
	for i, c := range certs {
		if c.Class == labels[i] {
			correct++
			if !c.Abstained {
				certified++
			}
		}
		if c.Abstained {
			abstained++
		}
	}
	n := float64(len(certs))
	return fmt.Sprintf("rab certify: %d rows: %d predicted correctly (%.1f%%), %d certified correctly (%.1f%%), %d abstained (%.1f%%)\n",
		len(certs), correct, 100*float64(correct)/n, certified, 100*float64(certified)/n, abstained, 100*float64(abstained)/n)
}

// readCSV reads a numeric CSV file with a header whose last column is an integer
// label, independently of the command's reader.
func readCSV(t *testing.T, path string) ([][]float64, []int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	var X [][]float64
	var y []int
	for _, rec := range recs[1:] {
		row := make([]float64, len(rec)-1)
		for j := range row {
			row[j], err = strconv.ParseFloat(rec[j], 64)
			require.NoError(t, err)
		}
		label, err := strconv.Atoi(rec[len(rec)-1])
		require.NoError(t, err)
		X, y = append(X, row), append(y, label)
	}
	return X, y
}

// TestCertifyLabelFlips: rab certify -label-flips r prints, in both formats, the
// library's certificates made with rab.WithLabelFlips(r), the CSV with one
// flip_radius_k column per k; it is a usage error for an ensemble or a negative r.
func TestCertifyLabelFlips(t *testing.T) {
	dir := exampleDir(t)
	trainX, trainY := readCSV(t, filepath.Join(dir, "example-train.csv"))
	testX, _ := readCSV(t, filepath.Join(dir, "example-test.csv"))
	mustRab(t, dir, "train", "-o", "knn.rab", "-knn", "1", "-sigma", "2", "example-train.csv")
	m, err := rab.Train(context.Background(), trainX, trainY, rab.WithKNN(1), rab.WithSigma(2), rab.WithLabelFlips(2))
	require.NoError(t, err)
	want, err := m.CertifyBatch(context.Background(), testX)
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(want, func(c rab.Certificate) bool { return c.FlipRadius(1) > 0 }),
		"the test needs a certificate that survives a relabelled row")

	jsonl := mustRab(t, dir, "certify", "-model", "knn.rab", "-label-flips", "2", "-format", "jsonl", "example-test.csv")
	require.Equal(t, jsonLines(t, want), jsonl.stdout)

	out := mustRab(t, dir, "certify", "-model", "knn.rab", "-label-flips", "2", "example-test.csv")
	recs, err := csv.NewReader(strings.NewReader(out.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"class", "pa", "pb", "radius", "abstained", "norm", "ties", "last_bucket", "flip_radius_1", "flip_radius_2"}, recs[0])
	require.Len(t, recs, len(want)+1)
	for i, c := range want {
		assert.Equal(t, certificateFromCSV(t, recs[i+1][:8]), rab.Certificate{Class: c.Class, PA: c.PA, PB: c.PB, Radius: c.Radius,
			Abstained: c.Abstained, Norm: c.Norm, Quantisation: c.Quantisation}, "row %d", i)
		for k := 1; k <= 2; k++ {
			got, err := strconv.ParseFloat(recs[i+1][7+k], 64)
			require.NoError(t, err)
			assert.Equal(t, c.FlipRadius(k), got, "row %d, k = %d", i, k)
		}
	}

	mustRab(t, dir, "train", "-o", "ensemble.rab", "-models", "32", "-sigma", "1", "example-train.csv")
	r := runRab(t, dir, "certify", "-model", "ensemble.rab", "-label-flips", "1", "example-test.csv")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "-label-flips with ensemble.rab, an ensemble: only exact K-NN models")
	r = runRab(t, dir, "certify", "-model", "knn.rab", "-label-flips", "-1", "example-test.csv")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "-label-flips -1: want r ≥ 0")
}
