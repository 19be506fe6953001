// Command onboard turns a spreadsheet of new hires into accounts at
// NetSapiens, Acefone, Fone Dynamics and Cove: it validates every row
// against each vendor's rules, then creates the records through
// rate-limited workers and writes a result workbook.
//
// This package only wires flags to the packages under internal/.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/connector"
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

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// commands holds the constructors of the subcommands; each command file
// adds its own in an init function.
var commands []func(*terminal.IO) *cobra.Command

func newRoot(io *terminal.IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "onboard",
		Short:         "Bulk onboarding: validate a spreadsheet of new hires and create their accounts",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	for _, c := range commands {
		root.AddCommand(c(io))
	}
	return root
}

func main() {
	connector.Version = version
	io := terminal.System()
	os.Exit(run(io, os.Args[1:]))
}

// run executes the command line and returns the process exit code.
func run(io *terminal.IO, args []string) int {
	root := newRoot(io)
	root.SetArgs(args)
	err := root.Execute()
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
	// Flag and argument mistakes from cobra.
	fmt.Fprintln(io.ErrOut, "onboard:", err)
	fmt.Fprintln(io.ErrOut, "Run 'onboard --help' for usage.")
	return exitUnusable
}
