package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// BackupName is the name of the last good copy of the state, written by
// Store.Checkpoint next to FileName.
const BackupName = FileName + ".bak"

// ReconcileHint is the way out when the state cannot be trusted.
const ReconcileHint = "rerun with --reconcile, which looks every record up at the vendor before creating it"

// problem is what verification found wrong, in plain words.
type problem struct{ what string }

func (p *problem) Error() string { return p.what }

func damage(what string) error { return &problem{what: what} }

// DamagedError is returned by Open when the state file cannot be trusted:
// cut short, empty, overwritten, inconsistent, or crashing the database
// library. Nothing was written to the file. Its message says what is wrong
// and the way out.
type DamagedError struct {
	Path    string // the damaged file
	Problem string // what is wrong, in plain words
	// Backup is the path of state.db.bak when it exists; BackupTime is
	// when it was saved and BackupProblem why it cannot be used either
	// ("" when it verified).
	Backup        string
	BackupTime    time.Time
	BackupProblem string
	Err           error // the underlying error, if any
}

func (e *DamagedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "state file %s is damaged: %s. ", e.Path, e.Problem)
	switch {
	case e.Backup == "":
		b.WriteString("There is no " + BackupName + " to restore; " + ReconcileHint)
	case e.BackupProblem != "":
		fmt.Fprintf(&b, "%s is damaged too (%s); %s", BackupName, e.BackupProblem, ReconcileHint)
	default:
		b.WriteString("Restore " + BackupName + " (kept from the last successful run) or " + ReconcileHint)
		if !e.BackupTime.IsZero() {
			fmt.Fprintf(&b, " (the backup was saved %s)", stamp(e.BackupTime))
		}
	}
	b.WriteString(".")
	return b.String()
}

func (e *DamagedError) Unwrap() error { return e.Err }

// Recovery says how Open got past a damaged state file; see
// Options.UseBackup and Options.SetAsideDamaged.
type Recovery struct {
	Damage     *DamagedError // what was wrong with state.db
	FromBackup bool          // state.db.bak was copied into place
	BackupTime time.Time     // when that backup was saved
	Fresh      bool          // no usable backup: the run starts with an empty state
	KeptAs     string        // where the damaged file was moved (never deleted)
}

// String is the message to show the person running onboard.
func (r *Recovery) String() string {
	kept := ""
	if r.KeptAs != "" {
		kept = "; the damaged file was kept as " + filepath.Base(r.KeptAs)
	}
	if r.FromBackup {
		return fmt.Sprintf("%s was damaged (%s); used %s from %s%s. Records sent after that time are not in it: look them up at the vendor before creating them (--reconcile)",
			FileName, r.Damage.Problem, BackupName, stamp(r.BackupTime), kept)
	}
	return fmt.Sprintf("%s was damaged (%s) and no usable %s was found; started with an empty state%s. Every record must be looked up at the vendor before it is created (--reconcile)",
		FileName, r.Damage.Problem, BackupName, kept)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// panicked turns a panic recovered from bbolt into a damage problem.
func panicked(r any) error {
	return damage(fmt.Sprintf("reading it crashed the database library (%v)", r))
}

// asProblem reports whether err is a damage finding (not an I/O or lock
// error) and returns its text.
func asProblem(err error) (string, bool) {
	var p *problem
	if errors.As(err, &p) {
		return p.what, true
	}
	return "", false
}
