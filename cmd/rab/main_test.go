package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// rabBinary is the rab command, built into a temporary directory that TestMain
// removes, once, by the first test that runs it (not by fuzzing workers, which only
// call functions).
var (
	rabBinary  string
	buildOnce  sync.Once
	buildError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rab-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rabBinary = filepath.Join(dir, "rab")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary returns the path of the rab binary, building it on first use.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command(goTool(), "build", "-o", rabBinary, ".").CombinedOutput()
		if err != nil {
			buildError = fmt.Errorf("building rab: %v\n%s", err, out)
		}
	})
	if buildError != nil {
		t.Fatal(buildError)
	}
	return rabBinary
}

// goTool returns the go command of the toolchain running the test.
func goTool() string {
	if path := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(path) {
		return path
	}
	return "go"
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// result is what one run of the command printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// rabCmd returns the command running the rab binary with args in dir.
func rabCmd(t testing.TB, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	return cmd
}

// runRab runs the rab binary with args in dir.
func runRab(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := rabCmd(t, dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running rab %q: %v", args, err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// mustRab runs the rab binary with args in dir and fails the test unless it succeeds.
func mustRab(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := runRab(t, dir, args...)
	require.Equal(t, 0, r.code, "rab %q failed: %s", args, r.stderr)
	return r
}

// runFunc runs the command line args through run, in this process, with the given
// standard input.
func runFunc(stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	e := &env{stdin: bytes.NewBufferString(stdin), stdout: &stdout, stderr: &stderr}
	code := run(context.Background(), e, args)
	return result{stdout.String(), stderr.String(), code}
}

// exampleDir returns a fresh directory holding the example CSV files of testdata.
func exampleDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"example-train.csv", "example-test.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return dir
}
