package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// deployDir is the repository's deploy directory.
var deployDir = filepath.Join("..", "..", "deploy")

// jobManifest is the part of a Kubernetes Job manifest that holds its command line
// (deploy/kubernetes decodes the whole manifests strictly into the API types).
type jobManifest struct {
	Spec struct {
		Completions int `yaml:"completions"`
		Template    struct {
			Spec struct {
				Containers []struct {
					Args       []string `yaml:"args"`
					WorkingDir string   `yaml:"workingDir"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// jobArgs returns the container args of the Job manifest in file, and its completions.
func jobArgs(t *testing.T, file string) (args []string, completions int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(deployDir, "kubernetes", file))
	require.NoError(t, err)
	var job jobManifest
	require.NoError(t, yaml.Unmarshal(data, &job), file)
	require.Len(t, job.Spec.Template.Spec.Containers, 1, file)
	return job.Spec.Template.Spec.Containers[0].Args, job.Spec.Completions
}

// slurmArgs returns the arguments of the rab train line of deploy/slurm/train.sbatch
// and the number of tasks of its array, 0-(m-1).
func slurmArgs(t *testing.T) (args []string, tasks int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(deployDir, "slurm", "train.sbatch"))
	require.NoError(t, err)
	array := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindSubmatch(data)
	require.NotNil(t, array, "train.sbatch has no #SBATCH --array=0-(m-1)")
	last, err := strconv.Atoi(string(array[1]))
	require.NoError(t, err)
	for line := range strings.Lines(string(data)) {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "rab" {
			for _, f := range fields[1:] {
				args = append(args, strings.Trim(f, `"'`))
			}
		}
	}
	require.NotEmpty(t, args, "train.sbatch has no rab command")
	return args, last + 1
}

// TestDeployCommandLines: the rab command lines of the Kubernetes Jobs and of the
// Slurm array are valid for rab's real flags, split the members into as many shards
// as the Job has completions (the array has tasks), and — run by the binary in a
// directory standing for the shared volume, one process per index — produce the
// model file that rab train without -shard writes.
func TestDeployCommandLines(t *testing.T) {
	train, completions := jobArgs(t, "train-job.yaml")
	merge, _ := jobArgs(t, "merge-job.yaml")
	slurm, tasks := slurmArgs(t)
	require.Equal(t, "train", train[0])
	require.Equal(t, "merge", merge[0])
	require.Equal(t, slurm[0], "train")

	for _, tc := range []struct {
		name, index string // the index's variable in the command line
		args        []string
		shards      int
	}{
		{"kubernetes", "$(JOB_COMPLETION_INDEX)", train, completions},
		{"slurm", "$SLURM_ARRAY_TASK_ID", slurm, tasks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shard := slices.Index(tc.args, "-shard")
			require.GreaterOrEqual(t, shard, 0, "%q", tc.args)
			require.Equal(t, tc.index+"/"+strconv.Itoa(tc.shards), tc.args[shard+1], "-shard i/m, m the number of shards")

			// Every index's command line passes rab train's flag checks: the in-process
			// run fails only where it opens the data file, which is not here.
			data := tc.args[len(tc.args)-1]
			for i := range tc.shards {
				args := substitute(tc.args, tc.index, i)
				r := runFunc("", args...)
				require.Equal(t, 1, r.code, "%q: %s", args, r.stderr)
				require.Equal(t, fmt.Sprintf("rab train: open %s: no such file or directory\n", data), r.stderr)
			}
		})
	}

	if testing.Short() {
		return
	}
	// The Kubernetes flow end to end (2,000 logistic members, a few seconds), with
	// the example data as train.csv.
	dir := t.TempDir()
	example, err := os.ReadFile(filepath.Join("testdata", "example-train.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, train[len(train)-1]), example, 0o644))
	for i := range completions {
		mustRab(t, dir, substitute(train, "$(JOB_COMPLETION_INDEX)", i)...)
	}
	mustRab(t, dir, merge...)
	shard := slices.Index(train, "-shard")
	oneProcess := append(slices.Clone(train[:shard]), train[shard+2:]...)
	mustRab(t, dir, append(oneProcess[:1:1], append([]string{"-o", "one.rab"}, oneProcess[1:]...)...)...)
	out := merge[slices.Index(merge, "-o")+1]
	want, err := fileSHA256(filepath.Join(dir, "one.rab"))
	require.NoError(t, err)
	got, err := fileSHA256(filepath.Join(dir, out))
	require.NoError(t, err)
	require.Equal(t, want, got, "the Jobs' model differs from one process's")
}

// substitute returns args with the variable replaced by i.
func substitute(args []string, variable string, i int) []string {
	out := make([]string, len(args))
	for j, a := range args {
		out[j] = strings.ReplaceAll(a, variable, strconv.Itoa(i))
	}
	return out
}
