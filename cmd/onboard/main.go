// Command onboard turns a spreadsheet of new hires into accounts at
// NetSapiens, Acefone, Fone Dynamics and Cove: it validates every row
// against each vendor's rules, then creates the records through
// rate-limited workers and writes a result workbook.
//
// This package only wires flags to the packages under internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/onboard/onboard/internal/terminal"
)

// Exit codes shared by every command.
const (
	exitOK          = 0
	exitRowsInvalid = 1 // some rows invalid or failed
	exitUnusable    = 2 // unusable input, config or arguments
	exitInterrupted = 130
)

// exitError carries an exit code and an optional message to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitWith returns an error that makes main exit with code, printing err
// when it is not nil.
func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// usageError is a mistake on the command line (a missing or extra
// argument, an unknown flag); it exits with exitUnusable. An argument
// error is printed after the command's name ("onboard validate: give
// ..."); a flag error after "onboard:" like every other error, followed
// by a pointer to the command's --help.
type usageError struct {
	command string // the command's path, e.g. "onboard validate"
	err     error
	flag    bool
}

func (e *usageError) Error() string { return e.err.Error() }

func (e *usageError) Unwrap() error { return e.err }

// needInput accepts exactly one argument, the input file, and otherwise
// says what is missing or extra: "onboard validate: give the spreadsheet
// to check, e.g. onboard validate new-hires.xlsx".
func needInput(what, example string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0 || (len(args) == 1 && strings.TrimSpace(args[0]) == ""):
			return &usageError{command: cmd.CommandPath(), err: fmt.Errorf("give %s, e.g. %s", what, example)}
		case len(args) > 1:
			return &usageError{command: cmd.CommandPath(),
				err: fmt.Errorf("%s; give only %s, e.g. %s", extraArgs(cmd, args[1:]), what, example)}
		}
		return nil
	}
}

// noArgs accepts no arguments and otherwise names the extra ones.
func noArgs(example string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		return &usageError{command: cmd.CommandPath(),
			err: fmt.Errorf("%s; this command takes only options, e.g. %s", extraArgs(cmd, args), example)}
	}
}

// extraArgs says which arguments are one too many, with a hint when one
// looks like a file that belongs after a flag the command has.
func extraArgs(cmd *cobra.Command, extra []string) string {
	quoted := make([]string, len(extra))
	yaml := false
	for i, a := range extra {
		quoted[i] = fmt.Sprintf("%q", a)
		lower := strings.ToLower(a)
		yaml = yaml || strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml")
	}
	msg := quoted[0] + " is extra"
	if len(quoted) > 1 {
		msg = strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1] + " are extra"
	}
	if yaml {
		var flags []string
		for _, name := range []string{"plan", "config"} {
			if cmd.Flags().Lookup(name) != nil {
				flags = append(flags, "--"+name)
			}
		}
		if len(flags) > 0 {
			msg += " (a YAML file goes right after " + strings.Join(flags, " or ") + ")"
		}
	}
	return msg
}

// flagError adds "did you mean --dry-run?" to an unknown flag such as
// --dryrun, comparing it with the flags of the command it was given to.
func flagError(cmd *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if errors.As(err, &ne) {
		typed := ne.GetSpecifiedName()
		if group := ne.GetSpecifiedShortnames(); group != "" {
			// "-dryrun" is read as the one-letter flags d, r, y...: when
			// the first letter is unknown, take it as a long flag with a
			// dash missing.
			typed = ""
			if strings.HasPrefix(group, ne.GetSpecifiedName()) && len(group) > 1 {
				typed = group
			}
		}
		if s := suggestFlag(cmd, typed); s != "" {
			err = fmt.Errorf("%w (did you mean --%s?)", err, s)
		}
	}
	return &usageError{command: cmd.CommandPath(), err: err, flag: true}
}

// suggestFlag returns the visible flag of cmd closest to typed, or "" when
// none is close: at most two edits away, or typed is the start of it.
func suggestFlag(cmd *cobra.Command, typed string) string {
	typed = strings.ToLower(strings.TrimLeft(typed, "-"))
	if len(typed) < 2 {
		return ""
	}
	best, bestDist := "", 3
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		d := levenshtein.ComputeDistance(typed, f.Name)
		if d > len(f.Name)/2 {
			d = 3 // "--yes" is no suggestion for "--no"
		}
		if len(typed) >= 3 && strings.HasPrefix(f.Name, typed) {
			d = min(d, 2)
		}
		if d < bestDist { // VisitAll goes in name order: ties go to the first
			best, bestDist = f.Name, d
		}
	})
	return best
}

// subcommands lists onboard's commands in the order help shows them.
func subcommands() []func(*terminal.IO) *cobra.Command {
	return []func(*terminal.IO) *cobra.Command{
		newInitCmd,
		newRunCmd,
		newInboxCmd,
		newHistoryCmd,
		newValidateCmd,
		newTemplateCmd,
		newTargetsCmd,
		newSandboxCmd,
		newVersionCmd,
		newServeCmd,
		newUserCmd,
		newCheckCmd,
	}
}

// Help lists the commands in the order of subcommands, not alphabetically.
func init() { cobra.EnableCommandSorting = false }

func newRoot(io *terminal.IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "onboard",
		Short:         "Bulk onboarding: validate a spreadsheet of new hires and create their accounts",
		Version:       currentVersion().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("onboard {{.Version}}\n")
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(flagError)
	added := make(map[string]bool)
	for _, c := range subcommands() {
		sub := c(io)
		if added[sub.Name()] {
			continue
		}
		added[sub.Name()] = true
		root.AddCommand(sub)
	}
	return root
}

func main() {
	io := terminal.System()
	ctx, stop := interruptible(context.Background(), io)
	code := execute(ctx, io, newRoot(io), os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line without signal handling (tests) and
// returns the process exit code.
func run(io *terminal.IO, args []string) int {
	return execute(context.Background(), io, newRoot(io), args)
}

// interruptible is the one place signals are handled: the first Ctrl-C
// (or SIGTERM) cancels the context, so commands stop starting new work,
// let what is in flight finish and write what they have; a second one
// quits at once.
func interruptible(parent context.Context, io *terminal.IO) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-interrupts:
		case <-ctx.Done():
			return
		}
		fmt.Fprintln(io.ErrOut, "\ninterrupted: finishing what is in flight, then writing the state and report (Ctrl-C again quits at once)")
		cancel()
		if _, ok := <-interrupts; ok {
			fmt.Fprintln(io.ErrOut, "onboard: quit at once; the state is consistent, rerun to resume")
			os.Exit(exitInterrupted)
		}
	}()
	return ctx, func() { signal.Stop(interrupts); cancel() }
}

// execute runs root with args, prints any error for a person, and returns
// the exit code.
func execute(ctx context.Context, io *terminal.IO, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(io.ErrOut, "onboard:", ee.err)
		}
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.flag {
			fmt.Fprintln(io.ErrOut, "onboard:", ue.err)
			fmt.Fprintf(io.ErrOut, "Run '%s --help' for usage.\n", ue.command)
		} else {
			fmt.Fprintf(io.ErrOut, "%s: %v\n", ue.command, ue.err)
		}
		return exitUnusable
	}
	// Other cobra mistakes, such as an unknown command (with its
	// "Did you mean this?" suggestions).
	fmt.Fprintln(io.ErrOut, "onboard:", strings.TrimRight(err.Error(), "\n"))
	fmt.Fprintln(io.ErrOut, "Run 'onboard --help' for usage.")
	return exitUnusable
}
