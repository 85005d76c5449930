package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/ensemble"
	"github.com/rabcert/rab/ensemble/logistic"
	"github.com/rabcert/rab/smoothing"
)

// TestExitStatus: through the binary, usage mistakes exit 2 with the usage on stderr,
// failures exit 1, help exits 0, as Go commands do.
func TestExitStatus(t *testing.T) {
	dir := exampleDir(t)
	for _, tc := range []struct {
		args       []string
		code       int
		stdout     string // a substring, "" for empty output
		stderrHas  string
		stderrNone bool
	}{
		{args: nil, code: 2, stderrHas: "The commands are:"},
		{args: []string{"help"}, code: 0, stdout: "The commands are:", stderrNone: true},
		{args: []string{"help", "train"}, code: 0, stdout: "rab train [flags] data.csv", stderrNone: true},
		{args: []string{"help", "nope"}, code: 2, stderrHas: "rab help nope: unknown command"},
		{args: []string{"nope"}, code: 2, stderrHas: "rab nope: unknown command"},
		{args: []string{"train", "-h"}, code: 0, stderrHas: "usage: rab train [flags] data.csv"},
		{args: []string{"certify", "-help"}, code: 0, stderrHas: "-format format"},
		{args: []string{"train", "-nope"}, code: 2, stderrHas: "flag provided but not defined: -nope"},
		{args: []string{"train", "-models", "x", "example-train.csv"}, code: 2, stderrHas: `invalid value "x" for flag -models`},
		{args: []string{"train", "-sigma", "1"}, code: 2, stderrHas: "want one CSV file of training data, got 0 arguments"},
		{args: []string{"train", "-sigma", "1", "nonexistent.csv"}, code: 1, stderrHas: "rab train: open nonexistent.csv: no such file"},
		{args: []string{"certify", "-model", "nonexistent.rab", "example-test.csv"}, code: 1, stderrHas: "rab certify: nonexistent.rab: open nonexistent.rab"},
		{args: []string{"certify", "-model", "example-test.csv", "example-test.csv"}, code: 1, stderrHas: "rab certify: example-test.csv: rab: Load: "},
		{args: []string{"inspect"}, code: 2, stderrHas: "usage: rab inspect [flags] file..."},
		{args: []string{"merge"}, code: 2, stderrHas: "no shard files"},
	} {
		r := runRab(t, dir, tc.args...)
		assert.Equal(t, tc.code, r.code, "rab %q: %s", tc.args, r.stderr)
		if tc.stdout == "" {
			assert.Empty(t, r.stdout, "rab %q", tc.args)
		} else {
			assert.Contains(t, r.stdout, tc.stdout, "rab %q", tc.args)
		}
		if tc.stderrNone {
			assert.Empty(t, r.stderr, "rab %q", tc.args)
		} else {
			assert.Contains(t, r.stderr, tc.stderrHas, "rab %q", tc.args)
		}
	}
}

// TestTrainUsageErrors: flags that do not go together, or values out of range, are
// usage errors (status 2) that name the flag, before any data is read.
func TestTrainUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-models", "10"}, "give the smoothing noise: -sigma σ (Gaussian) or -uniform a,b"},
		{[]string{"-sigma", "1", "-uniform=-1,1"}, "not both"},
		{[]string{"-sigma", "0"}, "-sigma 0: want a finite σ > 0"},
		{[]string{"-sigma", "-1"}, "-sigma -1: want a finite σ > 0"},
		{[]string{"-sigma", "1", "-classes", "1"}, "-classes 1: want at least 2"},
		{[]string{"-sigma", "1", "-workers", "-1"}, "-workers -1"},
		{[]string{"-sigma", "1", "-models", "0"}, "-models 0: want at least 1"},
		{[]string{"-sigma", "1", "-alpha", "1"}, "-alpha 1: want 0 < α < 1"},
		{[]string{"-sigma", "1", "-levels", "10"}, "-levels configures the exact K-NN smoother: add -knn K"},
		{[]string{"-sigma", "1", "-shard", "0/2", "-alpha", "0.01"}, "-alpha with -shard: α is not a property of the members; give it to rab merge"},
		{[]string{"-knn", "3", "-uniform=-1,1"}, "-uniform with -knn: the exact K-NN smoother needs Gaussian noise"},
		{[]string{"-knn", "3", "-sigma", "1", "-models", "10"}, "-models configures ensembles; the exact K-NN smoother (-knn) trains no models"},
		{[]string{"-knn", "3", "-sigma", "1", "-shard", "0/2"}, "-shard configures ensembles"},
		{[]string{"-knn", "3", "-sigma", "1", "-alpha", "0.1"}, "-alpha configures ensembles"},
		{[]string{"-knn", "0", "-sigma", "1"}, "-knn 0: want K ≥ 1"},
		{[]string{"-knn", "3", "-sigma", "1", "-levels", "1"}, "-levels 1: want at least 2"},
		{[]string{"-sigma", "1", "-learner", "svm"}, `-learner "svm": want one of logistic, mlp, cnn`},
		{[]string{"-sigma", "1", "-epochs", "3"}, "-epochs configures the mlp and cnn learner, not -learner logistic"},
		{[]string{"-sigma", "1", "-learner", "mlp", "-l2", "0.1"}, "-l2 configures the logistic learner, not -learner mlp"},
		{[]string{"-sigma", "1", "-learner", "mlp", "-image", "8x8x1"}, "-image configures the cnn learner, not -learner mlp"},
		{[]string{"-sigma", "1", "-learner", "cnn"}, "-learner cnn needs -image HxWxC"},
		{[]string{"-sigma", "1", "-learner", "mlp", "-kernel", "3"}, "-kernel configures the cnn learner, not -learner mlp"},
		{[]string{"-sigma", "1", "-models", "10", "-shard", "3/20"}, "-shard 3/20 with -models 10"},
	} {
		r := runFunc("", append(append([]string{"train"}, tc.args...), "data.csv")...)
		assert.Equal(t, 2, r.code, "%q: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%q", tc.args)
		assert.Contains(t, r.stderr, "usage: rab train [flags] data.csv", "%q", tc.args)
	}
	for _, tc := range []struct{ flag, value, want string }{
		{"-uniform", "1", `"1": want a,b with finite a < b`},
		{"-uniform", "1,-1", `want a,b with finite a < b`},
		{"-uniform", "0,Inf", `want a,b with finite a < b`},
		{"-shard", "4/4", `"4/4": want i/m with 0 ≤ i < m`},
		{"-shard", "1", `want i/m`},
		{"-shard", "-1/4", `want i/m`},
		{"-hidden", "4,x", `want positive integers separated by commas`},
		{"-hidden", "0", `want positive integers`},
		{"-image", "8x8", `want HxWxC`},
		{"-image", "8x0x1", `want HxWxC with positive integers`},
	} {
		r := runFunc("", "train", tc.flag, tc.value, "data.csv")
		assert.Equal(t, 2, r.code, "%s %s", tc.flag, tc.value)
		assert.Contains(t, r.stderr, tc.want, "%s %s", tc.flag, tc.value)
	}
}

// TestTrainFromStdinAndCertifyErrors: "-" reads standard input; the training data's
// errors and certify's usage errors are reported as documented.
func TestTrainFromStdinAndCertifyErrors(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.rab")
	data := "a,b,label\n0,0,0\n0.1,0.2,0\n1,1,1\n0.9,1.1,1\n"
	r := runFunc(data, "train", "-knn", "1", "-sigma", "0.5", "-o", model, "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stdout)
	require.Empty(t, r.stderr)

	r = runFunc("a,b\n0,0\n1,1\n", "certify", "-model", model, "-format", "jsonl", "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, 2, strings.Count(r.stdout, "\n"))
	require.Empty(t, r.stderr, "no label column, no summary")

	r = runFunc("a,b,label\n0,0,0\n1,1,1\n", "certify", "-model", model, "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "rab certify: 2 rows: 2 predicted correctly (100.0%), 2 certified correctly (100.0%), 0 abstained (0.0%)\n", r.stderr)

	out := filepath.Join(dir, "certs.csv")
	r = runFunc("a,b\n0,0\n", "certify", "-model", model, "-o", out, "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stdout)
	written, err := os.ReadFile(out)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(written), "class,pa,pb,radius,abstained,norm,ties,last_bucket\n0,"), string(written))

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-format", "xml", "-"}, 2, `-format "xml": want csv or jsonl`},
		{[]string{"-alpha", "2", "-"}, 2, "-alpha 2: want 0 < α < 1"},
		{[]string{"-workers", "-2", "-"}, 2, "-workers -2"},
		{[]string{"a.csv", "b.csv"}, 2, "want one CSV file of inputs, got 2 arguments"},
		{[]string{"-alpha", "0.1", "-"}, 2, "-alpha with " + model + ", an exact K-NN model: its certificates do not depend on α; drop -alpha"},
	} {
		r := runFunc("a,b\n0,0\n", append([]string{"certify", "-model", model}, tc.args...)...)
		assert.Equal(t, tc.code, r.code, "%q: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, "%q", tc.args)
	}

	r = runFunc("a,b,label\n0,0,0\n1,x,1\n", "train", "-knn", "1", "-sigma", "0.5", "-o", model, "-")
	require.Equal(t, 1, r.code)
	require.Equal(t, "rab train: standard input:3: column \"b\" (column 2): \"x\" is not a finite number\n", r.stderr)

	r = runFunc("a,b,label\n0,0,1\n1,1,1\n", "train", "-models", "20", "-sigma", "0.5", "-o", model, "-")
	require.Equal(t, 1, r.code)
	require.Equal(t, "rab train: standard input: every label is 1: certification needs at least 2 classes; give -classes C if the other classes exist but are absent from this data\n", r.stderr)

	r = runFunc("a,b,label\n0,0,1\n1,1,1\n", "train", "-models", "20", "-sigma", "0.5", "-classes", "2", "-o", model, "-")
	require.Equal(t, 0, r.code, "with -classes, one class in the data is fine: %s", r.stderr)

	r = runFunc("a,b,label\n0,0,0\n1,1,2\n", "train", "-models", "20", "-sigma", "0.5", "-classes", "2", "-o", model, "-")
	require.Equal(t, 1, r.code)
	require.Equal(t, "rab train: standard input: label 2 with -classes 2: want labels 0 to 1\n", r.stderr)

	r = runFunc("a,b,label\n0,0,0\n1,1,1\n", "train", "-models", "10", "-sigma", "0.5", "-o", model, "-")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "rab train: -models 10 members are too few for α = 0.001 and 2 classes: fewer than 11 can only ever abstain; use -models 11 or more, or a larger -alpha\n")
}

// TestInspect: rab inspect prints what the files hold.
func TestInspect(t *testing.T) {
	dir := exampleDir(t)
	mustRab(t, dir, "train", "-knn", "3", "-sigma", "0.5", "-levels", "40", "-o", "knn.rab", "example-train.csv")
	mustRab(t, dir, "train", "-models", "20", "-uniform=-1,1", "-seed", "9", "-alpha", "0.01", "-o", "ens.rab", "example-train.csv")
	mustRab(t, dir, "train", "-shard", "1/3", "-models", "20", "-sigma", "2", "-seed", "9", "-classes", "3", "example-train.csv")

	sum := func(name string) string {
		s, err := fileSHA256(filepath.Join(dir, name))
		require.NoError(t, err)
		return hex.EncodeToString(s[:])
	}
	trainX, trainY := readCSV(t, filepath.Join(dir, "example-train.csv"))
	data := ensemble.DataSHA256(trainX, trainY)
	dataLine := "data:      sha256 " + hex.EncodeToString(data[:])
	r := mustRab(t, dir, "inspect", "knn.rab", "ens.rab")
	want := "file:      knn.rab sha256 " + sum("knn.rab") + "\n" +
		"kind:      knn\n" +
		"k:         3\n" +
		"levels:    40\n" +
		"noise:     gaussian(sigma=0.5)\n" +
		"classes:   2\n" +
		"dimension: 57\n" +
		dataLine + "\n" +
		"\n" +
		"file:      ens.rab sha256 " + sum("ens.rab") + "\n" +
		"kind:      ensemble\n" +
		"models:    20\n" +
		"noise:     uniform(a=-1,b=1)\n" +
		"alpha:     0.01\n" +
		"seed:      9\n" +
		"classes:   2\n" +
		"dimension: 57\n" +
		dataLine + "\n"
	require.Equal(t, want, r.stdout)

	// With -members, an ensemble's member hashes: those of the library's model.
	lib, err := rab.Train(context.Background(), trainX, trainY, rab.WithModels(20), rab.WithUniform(-1, 1), rab.WithSeed(9))
	require.NoError(t, err)
	r = mustRab(t, dir, "inspect", "-members", "ens.rab")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 9+20)
	require.Equal(t, dataLine, lines[8])
	for k, line := range lines[9:] {
		member, ok := lib.MemberSHA256(k)
		require.True(t, ok)
		require.Equal(t, fmt.Sprintf("member %-3s sha256 %x", strconv.Itoa(k)+":", member), line)
	}
	r = mustRab(t, dir, "inspect", "-members", "knn.rab")
	require.Equal(t, want[:strings.Index(want, "\n\n")+1], r.stdout, "a K-NN model has no members")

	// An ensemble of members trained elsewhere does not know its training data.
	writeFromModels(t, filepath.Join(dir, "elsewhere.rab"), trainX, trainY)
	r = mustRab(t, dir, "inspect", "elsewhere.rab")
	require.Contains(t, r.stdout, "dimension: 57\ndata:      unknown (an ensemble of members trained elsewhere: ensemble.FromModels)\n")

	r = mustRab(t, dir, "inspect", "-members", "shard-1-of-3.rab")
	lines = strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Equal(t, []string{
		"file:      shard-1-of-3.rab sha256 " + sum("shard-1-of-3.rab"),
		"kind:      shard",
		"members:   [6, 13) of 20",
		"noise:     gaussian(sigma=2)",
		"seed:      9",
		"classes:   3",
		"dimension: 57",
		`learner:   logistic {"iterations":10,"l2":0.0001}`,
	}, lines[:8])
	require.Regexp(t, `^data:      sha256 [0-9a-f]{64}$`, lines[8])
	require.Len(t, lines, 9+7)
	for k, line := range lines[9:] {
		require.Regexp(t, `^member `+strconv.Itoa(6+k)+`: +sha256 [0-9a-f]{64}$`, line)
	}

	r = runRab(t, dir, "inspect", "example-test.csv")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "rab inspect: example-test.csv: rab: Load: not a rab model file")
}

// writeFromModels writes to path the model file of an ensemble.FromModels ensemble of
// 20 logistic members trained on X, y.
func writeFromModels(t *testing.T, path string, X [][]float64, y []int) {
	t.Helper()
	learner, err := logistic.New()
	require.NoError(t, err)
	noise, err := smoothing.Gaussian(0.5)
	require.NoError(t, err)
	trained, err := ensemble.Train(context.Background(), X, y, learner, noise, ensemble.WithModels(20))
	require.NoError(t, err)
	e, err := ensemble.FromModels(trained.Models(), noise, 2)
	require.NoError(t, err)
	m, err := rab.FromEnsemble(e, rab.WithAlpha(0.01))
	require.NoError(t, err)
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, m.Save(f))
	require.NoError(t, f.Close())
}

// TestProgress: with a terminal on standard error, train and certify draw progress
// bars there (and nothing else); without one they print nothing (see
// TestTrainFromStdinAndCertifyErrors).
func TestProgress(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.rab")
	data := "a,b,label\n0,0,0\n0.1,0.2,0\n1,1,1\n0.9,1.1,1\n"
	for _, tc := range []struct {
		args  []string
		stage string
	}{
		{[]string{"train", "-models", "20", "-sigma", "0.5", "-o", model, "-"}, "training"},
		{[]string{"certify", "-model", model, "-format", "jsonl", "-"}, "certifying"},
	} {
		var stdout, stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(data + strings.Repeat("0.5,0.5,1\n", 2000)), stdout: &stdout, stderr: &stderr, progress: true}
		require.Equal(t, 0, run(context.Background(), e, tc.args), stderr.String())
		assert.Contains(t, stderr.String(), tc.stage)
		assert.NotContains(t, stdout.String(), tc.stage)
	}
}
