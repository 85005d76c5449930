package experiment

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"

	"github.com/rabcert/rab/examples/internal/progress"
)

// Command is an example program: its flags and its work.
type Command interface {
	// Register binds the command's settings to flags of fs.
	Register(fs *flag.FlagSet)
	// Run does the work with the settings of the command line, writing the report to
	// out and the progress of long stages to progress, which is nil (no reports) when
	// standard error is not a terminal or with -quiet.
	Run(ctx context.Context, out io.Writer, progress func(stage string, done, total int)) error
}

// Main is the main function of the example program name: it parses the command line
// into cmd's flags (and -quiet) and runs cmd with a context that an interrupt cancels,
// the report on standard output and progress bars on standard error if it is a
// terminal and -quiet is not given. It exits with status 0 on success and after -h, 1
// if cmd fails (printing "name: error" to standard error) and 2 on a bad command line.
func Main(name string, cmd Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := execute(ctx, name, cmd, os.Args[1:], os.Stdout, os.Stderr, progress.IsTerminal(os.Stderr))
	stop()
	os.Exit(code)
}

// execute is Main on the arguments args (without the program name) and the given
// outputs, stderr being a terminal or not; it returns the exit status.
func execute(ctx context.Context, name string, cmd Command, args []string, stdout, stderr io.Writer, terminal bool) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("quiet", false, "draw no progress bars (they are drawn only when standard error is a terminal)")
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
	var report func(stage string, done, total int)
	if terminal && !*quiet {
		report = progress.Bar(stderr)
	}
	if err := cmd.Run(ctx, stdout, report); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

// Workers returns the value of an example's -workers flag for rab.WithWorkers: n, or
// GOMAXPROCS (rab's default) for 0. Anything else, a negative n included, is passed on
// for rab to reject.
func Workers(n int) int {
	if n == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// Stage returns the callback for rab.WithProgress that reports to progress under the
// stage's name, or nil (no reports) if progress is nil.
func Stage(progress func(stage string, done, total int), stage string) func(done, total int) {
	if progress == nil {
		return nil
	}
	return func(done, total int) { progress(stage, done, total) }
}
