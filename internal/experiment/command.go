package experiment

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/rabcert/rab"
	"github.com/rabcert/rab/internal/progress"
)

// Command is an example program: its flags and its work.
type Command interface {
	// Register binds the command's settings to flags of fs.
	Register(fs *flag.FlagSet)
	// Run does the work with the settings of the command line, writing the report to
	// out and the progress of long stages to progress.
	Run(ctx context.Context, out io.Writer, progress func(stage string, done, total int)) error
}

// Main is the main function of the example program name: it parses the command line
// into cmd's flags and runs cmd with a context that an interrupt cancels, the report
// on standard output and progress bars on standard error. It exits with status 0 on
// success and after -h, 1 if cmd fails (printing "name: error" to standard error) and
// 2 on a bad command line.
func Main(name string, cmd Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := execute(ctx, name, cmd, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// execute is Main on the arguments args (without the program name) and the given
// outputs; it returns the exit status.
func execute(ctx context.Context, name string, cmd Command, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cmd.Register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // fs has printed the error and the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q: the settings are flags (-h lists them)\n", name, fs.Arg(0))
		return 2
	}
	if err := cmd.Run(ctx, stdout, progress.Bar(stderr)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

// RABOptions returns the options of package rab that every example sets from its
// flags: rab.WithWorkers(workers) unless workers is 0 (rab's default, GOMAXPROCS), and
// rab.WithProgress reporting to progress under the stage's name unless progress is nil.
func RABOptions(workers int, progress func(stage string, done, total int), stage string) []rab.Option {
	var opts []rab.Option
	if workers != 0 {
		opts = append(opts, rab.WithWorkers(workers))
	}
	if progress != nil {
		opts = append(opts, rab.WithProgress(func(done, total int) { progress(stage, done, total) }))
	}
	return opts
}
