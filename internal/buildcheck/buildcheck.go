// Package buildcheck lets a test show that code does not compile. The code is a
// package under testdata (which go build ./... and go vet ./... skip) whose lines that
// must not compile end in a comment
//
//	// ERROR "regular expression"
//
// as in the Go distribution's own test suite. Expect builds the package with the go
// command and fails the test unless the build fails with at least one error on every
// marked line, matching its expression, and no error elsewhere.
package buildcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// compileError is one line of the compiler's output: file:line:column: message.
var compileError = regexp.MustCompile(`^(.+\.go):(\d+):\d+: (.*)$`)

// marker is an ERROR comment: the expression is everything between its quotes.
var marker = regexp.MustCompile(`// ERROR "(.*)"\s*$`)

// Expect builds the package in dir (e.g. "testdata/misplaced", relative to the test's
// package) and checks its errors against the ERROR comments of its files.
func Expect(t testing.TB, dir string) {
	t.Helper()
	want, err := markers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatalf("buildcheck: no ERROR comments in %s", dir)
	}
	cmd := exec.Command("go", "build", "-gcflags=-e", "-o", os.DevNull, "./"+filepath.ToSlash(dir))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("buildcheck: %s compiles; want errors on %d lines", dir, len(want))
	}
	got := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		m := compileError.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		key := filepath.Base(m[1]) + ":" + m[2]
		got[key] = append(got[key], m[3])
	}
	if len(got) == 0 {
		t.Fatalf("buildcheck: go build %s failed without compile errors:\n%s", dir, out)
	}
	for key, re := range want {
		msgs, ok := got[key]
		if !ok {
			t.Errorf("%s: compiles; want an error matching %q", key, re)
			continue
		}
		if !anyMatch(re, msgs) {
			t.Errorf("%s: errors %q; want one matching %q", key, msgs, re)
		}
	}
	for key, msgs := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("%s: unexpected error %q", key, msgs)
		}
	}
}

// markers returns the expression of every ERROR comment in the .go files of dir, by
// "file.go:line".
func markers(dir string) (map[string]*regexp.Regexp, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	want := map[string]*regexp.Regexp{}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(src))
		for n := 1; sc.Scan(); n++ {
			m := marker.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			re, err := regexp.Compile(m[1])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n, err)
			}
			want[filepath.Base(name)+":"+strconv.Itoa(n)] = re
		}
	}
	return want, nil
}

func anyMatch(re *regexp.Regexp, msgs []string) bool {
	for _, m := range msgs {
		if re.MatchString(m) {
			return true
		}
	}
	return false
}
