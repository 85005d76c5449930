package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeWalkthrough runs the commands of the root README.md's section "Train on
// many machines" (lines starting with "$ ", run by bash in a directory laid out like
// the repository, with the rab binary first in PATH) and checks that each prints what
// the README shows.
func TestReadmeWalkthrough(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("the walk-through needs bash")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, section, found := strings.Cut(string(readme), "## Train on many machines\n")
	require.True(t, found, "README.md has no section \"Train on many machines\"")
	_, block, found := strings.Cut(section, "```console\n")
	require.True(t, found, "the section has no console block")
	block, _, found = strings.Cut(block, "```\n")
	require.True(t, found)

	dir := t.TempDir()
	data := filepath.Join(dir, "cmd", "rab", "testdata")
	require.NoError(t, os.MkdirAll(data, 0o755))
	require.NoError(t, os.CopyFS(data, os.DirFS(exampleDir(t))))
	path := filepath.Dir(binary(t)) + string(os.PathListSeparator) + os.Getenv("PATH")

	steps := strings.Split(block, "$ ")
	require.Empty(t, steps[0], "the block must start with a command")
	require.Len(t, steps, 6)
	for _, step := range steps[1:] {
		command, want, _ := strings.Cut(step, "\n")
		cmd := exec.Command(bash, "-c", command)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "PATH="+path)
		got, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", command, got)
		require.Equal(t, want, string(got), "README.md shows other output for %s", command)
	}
}
