package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// A command is one of rab's subcommands.
type command struct {
	name  string
	args  string // what follows "rab name [flags]" on the usage line
	short string // one line for the list of commands
	long  string // the help text, before the list of flags
	// flags registers the command's flags on fs and returns the function that runs
	// the command with the positional arguments once fs has parsed its flags.
	flags func(fs *flag.FlagSet) func(ctx context.Context, env *env, args []string) error
}

// commands lists the subcommands in the order of `rab help`.
var commands = []*command{trainCommand, mergeCommand, certifyCommand, inspectCommand}

// env is what a command reads and writes besides files.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// progress is true when stderr is a terminal: long work then draws a progress bar.
	progress bool
}

// A usageError is a mistake on the command line: rab prints it with the command's
// usage and exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, progress: term.IsTerminal(int(os.Stderr.Fd()))}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command line args (without the program name) and returns the exit
// status: 0 on success, 1 if the work failed, 2 for a usage mistake.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		mainUsage(e.stderr)
		return 2
	}
	name, args := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return help(e, args)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "rab %s: unknown command\nRun 'rab help' for usage.\n", name)
		return 2
	}
	fs, runCmd := cmd.flagSet(e.stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // the flag package printed the usage
		}
		return 2 // the flag package printed the error and the usage
	}
	err := runCmd(ctx, e, fs.Args())
	var uerr *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &uerr):
		fmt.Fprintf(e.stderr, "rab %s: %v\n", cmd.name, err)
		fmt.Fprintf(e.stderr, "usage: %s\nRun 'rab help %s' for details.\n", cmd.usageLine(), cmd.name)
		return 2
	default:
		fmt.Fprintf(e.stderr, "rab %s: %v\n", cmd.name, err)
		return 1
	}
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// flagSet returns the command's flag set, printing errors and usage to w, and the
// function that runs the command.
func (c *command) flagSet(w io.Writer) (*flag.FlagSet, func(context.Context, *env, []string) error) {
	fs := flag.NewFlagSet("rab "+c.name, flag.ContinueOnError)
	fs.SetOutput(w)
	runCmd := c.flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: %s\nRun 'rab help %s' for details.\n\nFlags:\n\n", c.usageLine(), c.name)
		printFlags(w, fs)
	}
	return fs, runCmd
}

func (c *command) usageLine() string { return "rab " + c.name + " [flags] " + c.args }

// helpText returns the command's full help: usage line, text and flags.
func (c *command) helpText() string {
	var b strings.Builder
	fs, _ := c.flagSet(&b)
	fmt.Fprintf(&b, "Usage:\n\n\t%s\n\n%s\nFlags:\n\n", c.usageLine(), c.long)
	printFlags(&b, fs)
	return b.String()
}

// printFlags lists the flags of fs, each as a line "-name value" and an indented line
// saying what it does and its default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "\t-%s%s\n\t    %s\n", f.Name, name, usage)
	})
}

// mainText is the help of rab itself.
func mainText() string {
	var list strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&list, "\t%-8s %s\n", c.name, c.short)
	}
	return strings.Replace(mainHelp, "{{commands}}\n", list.String(), 1)
}

const mainHelp = `Rab trains smoothed classifiers on data in CSV files and certifies their
predictions against training-data poisoning and backdoor attacks, with RAB (Weber
et al., "RAB: Provable Robustness Against Backdoor Attacks", IEEE S&P 2023) as
the Go library github.com/rabcert/rab implements it. Install it with

	go install github.com/rabcert/rab/cmd/rab@latest

Usage:

	rab <command> [flags] [arguments]

The commands are:

{{commands}}

Use "rab help <command>" for more information about a command.

A model is trained once and certifies new inputs for as long as it is kept:

	rab train -sigma 0.25 -models 1000 -o model.rab train.csv
	rab certify -model model.rab test.csv

The members of an ensemble can be trained in shards, by as many processes on as
many machines, and merged into the same model file, bit for bit:

	rab train -shard 0/4 -sigma 0.25 -models 1000 train.csv   # … to -shard 3/4
	rab merge -o model.rab shard-*-of-4.rab

The exit status is 0 on success, 1 when the work fails (unreadable or malformed
data, a corrupt file, shards that do not belong together) and 2 for a mistake on
the command line (an unknown command or flag, a missing argument, a flag value
out of range, flags that do not go together). Flags come before the arguments.
`

func mainUsage(w io.Writer) { io.WriteString(w, mainText()) }

// help runs "rab help [command]": the help goes to stdout.
func help(e *env, args []string) int {
	switch {
	case len(args) == 0:
		io.WriteString(e.stdout, mainText())
		return 0
	case len(args) > 1:
		fmt.Fprintln(e.stderr, "usage: rab help [command]")
		return 2
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(e.stderr, "rab help %s: unknown command\nRun 'rab help' for usage.\n", args[0])
		return 2
	}
	io.WriteString(e.stdout, cmd.helpText())
	return 0
}
