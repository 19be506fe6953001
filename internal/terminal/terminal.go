// Package terminal is the one place that knows whether onboard talks to a
// person at a terminal or to a script, cron job or CI log.
package terminal

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IO is the process's standard streams and what they are connected to.
type IO struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// InTTY, OutTTY and ErrTTY say whether stdin, stdout and stderr are
	// terminals.
	InTTY, OutTTY, ErrTTY bool
}

// System returns the process's real streams.
func System() *IO {
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY: isTerminal(os.Stdin), OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
	}
}

// Interactive reports whether a person is watching stderr, so a progress
// bar (rather than periodic log lines) is the right way to show progress.
func (io *IO) Interactive() bool {
	return io.ErrTTY && os.Getenv("CI") == "" && os.Getenv("TERM") != "dumb"
}

// CanPrompt reports whether a person can answer a question on stdin.
func (io *IO) CanPrompt() bool { return io.InTTY && io.ErrTTY }

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
