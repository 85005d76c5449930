package experiment

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

// countCommand counts to -n, reporting its progress under the stage "counting"; -fail
// makes it fail after writing.
type countCommand struct {
	n    int
	fail bool
}

func (c *countCommand) Register(fs *flag.FlagSet) {
	fs.IntVar(&c.n, "n", c.n, "count to n")
	fs.BoolVar(&c.fail, "fail", c.fail, "fail")
}

func (c *countCommand) Run(_ context.Context, out io.Writer, progress func(stage string, done, total int)) error {
	for i := 1; progress != nil && i <= c.n; i++ {
		progress("counting", i, c.n)
	}
	fmt.Fprintf(out, "counted to %d\n", c.n)
	if c.fail {
		return errors.New("boom")
	}
	return nil
}

// TestExecute checks the exit status and both outputs: the report on stdout, progress
// bars ("counting", on a terminal only) and errors on stderr.
func TestExecute(t *testing.T) {
	for _, tc := range []struct {
		name             string
		args             []string
		code             int
		wantOut, wantErr string
	}{
		{"defaults", nil, 0, "counted to 2\n", "counting"},
		{"flag", []string{"-n", "5"}, 0, "counted to 5\n", "counting"},
		{"quiet", []string{"-quiet"}, 0, "counted to 2\n", ""},
		{"failure", []string{"-fail"}, 1, "counted to 2\n", "count: boom\n"},
		{"help", []string{"-h"}, 0, "", "Usage of count:"},
		{"unknown flag", []string{"-m", "1"}, 2, "", "flag provided but not defined: -m"},
		{"bad value", []string{"-n", "x"}, 2, "", `invalid value "x" for flag -n`},
		{"argument", []string{"-n", "1", "more"}, 2, "", `count: unexpected argument "more"`},
	} {
		var stdout, stderr bytes.Buffer
		code := execute(context.Background(), "count", &countCommand{n: 2}, tc.args, &stdout, &stderr, true)
		assert.Equal(t, tc.code, code, tc.name)
		assert.Equal(t, tc.wantOut, stdout.String(), tc.name)
		assert.Contains(t, stderr.String(), tc.wantErr, tc.name)
		if tc.wantErr == "" {
			assert.Empty(t, stderr.String(), tc.name)
		}
	}
}

// TestNoProgressBarsOffTerminal: when standard error is a file or pipe, nothing is
// drawn there, with or without -quiet.
func TestNoProgressBarsOffTerminal(t *testing.T) {
	for _, args := range [][]string{nil, {"-quiet"}} {
		var stdout, stderr bytes.Buffer
		code := execute(context.Background(), "count", &countCommand{n: 100}, args, &stdout, &stderr, false)
		assert.Zero(t, code)
		assert.Equal(t, "counted to 100\n", stdout.String())
		assert.Empty(t, stderr.String(), "%v", args)
	}
}
