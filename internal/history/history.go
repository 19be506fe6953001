// Package history keeps one record per run — from the CLI, the inbox, a
// schedule or the web — so `onboard history` and the server's history page
// can list past runs and show one run's per-person results again, and so
// the inbox can recognise a file whose content was already done.
//
// Records live in their own bbolt file, DIR/history.db, in the state
// directory next to state.db (which a running batch holds locked); each
// write opens the file, writes in one transaction and closes it, so a
// run, an inbox pass and a server can all record. A record holds counts,
// statuses, problems and vendor IDs — never a request body or a password.
package history

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/onboard/onboard/internal/outcome"
)

// FileName is the history database's name inside the state directory.
const FileName = "history.db"

// Sources of a run.
const (
	CLI      = "cli"
	Inbox    = "inbox"
	Schedule = "schedule"
	Web      = "web"
)

// Outcomes of a run, as the inbox sorts files.
const (
	Done        = "done"        // everything it could do was done (problems may be listed)
	Failed      = "failed"      // unusable, refused as a whole, or a record failed
	Duplicate   = "duplicate"   // the same content was done before; not run again
	Interrupted = "interrupted" // stopped before the end
	DryRun      = "dry run"     // nothing was sent
)

// lockTimeout bounds how long a write waits for another process.
const lockTimeout = 5 * time.Second

var (
	runsBucket = []byte("runs")
	doneBucket = []byte("done") // input SHA-256 → run ID of an inbox run that ended in done/
)

// Counts is a total and the count per status ("done_earlier": 3).
type Counts struct {
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

// Run is one past run.
type Run struct {
	ID        string    `json:"run_id"`
	Source    string    `json:"source"` // cli, inbox, schedule or web
	Input     string    `json:"input"`
	InputHash string    `json:"input_sha256,omitempty"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended"`
	Who       string    `json:"who,omitempty"`
	DryRun    bool      `json:"dry_run,omitempty"`
	Outcome   string    `json:"outcome"`
	Verdict   string    `json:"verdict,omitempty"`
	People    *Counts   `json:"people,omitempty"`
	Records   Counts    `json:"records"`
	Report    string    `json:"report,omitempty"`
	// Notes say what else happened (a file renamed on a name clash, the
	// earlier run a duplicate matches, why a file was unusable).
	Notes         []string         `json:"notes,omitempty"`
	SheetProblems []string         `json:"sheet_problems,omitempty"`
	Persons       []outcome.Person `json:"persons,omitempty"`
	Results       []outcome.Record `json:"results,omitempty"`
}

// FromResult makes the record of a finished run. The outcome is Done,
// Failed (a record failed or was not sent, or nothing was read),
// Interrupted or DryRun; the caller may override it.
func FromResult(res *outcome.Result, source string) Run {
	r := Run{ID: res.RunID, Source: source, Input: res.Input, Started: res.Start, Ended: res.End,
		Who: Who(), DryRun: res.DryRun, Verdict: res.Verdict(), Report: res.Report,
		SheetProblems: res.SheetProblems, Notes: res.Notices, Persons: res.People, Results: res.Records}
	r.Records = Counts{Total: len(res.Records), ByStatus: map[string]int{}}
	for st, n := range res.Counts() {
		r.Records.ByStatus[key(st.String())] = n
	}
	if res.People != nil {
		r.People = &Counts{Total: len(res.People), ByStatus: map[string]int{}}
		for st, n := range res.PeopleCounts() {
			r.People.ByStatus[key(st.String())] = n
		}
	}
	r.Outcome = OutcomeOf(res)
	return r
}

// OutcomeOf sorts a finished run: DryRun, Interrupted, Failed when any
// record failed or was not sent (or nothing was read), else Done.
func OutcomeOf(res *outcome.Result) string {
	switch {
	case res.DryRun:
		return DryRun
	case res.Interrupted:
		return Interrupted
	case len(res.Records)+len(res.People) == 0:
		return Failed
	case res.Count(outcome.Failed) > 0 || res.Count(outcome.NotSent) > 0:
		return Failed
	}
	return Done
}

func key(s string) string { return strings.ReplaceAll(s, " ", "_") }

// Who names the person or account the process runs as.
func Who() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// HashFile returns the hex SHA-256 of the file's content.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// RecordResult records a finished run of res.Input from source (the one
// call `onboard run` makes at its end). The input's hash is read now; a
// missing input only leaves it out.
func RecordResult(stateDir string, res *outcome.Result, source string) error {
	r := FromResult(res, source)
	if h, err := HashFile(res.Input); err == nil {
		r.InputHash = h
	}
	return Put(stateDir, r)
}

// Put stores r under its run ID, replacing an earlier record of the same
// run (a rerun after a crash). An inbox or schedule run that ended in
// Done also marks its input's content as done (see FindDone).
func Put(stateDir string, r Run) error {
	if r.ID == "" {
		return errors.New("history: a run record needs a run ID")
	}
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("history: encode run %s: %w", r.ID, err)
	}
	return update(stateDir, func(tx *bolt.Tx) error {
		if err := tx.Bucket(runsBucket).Put([]byte(r.ID), v); err != nil {
			return err
		}
		if r.Outcome == Done && r.InputHash != "" && (r.Source == Inbox || r.Source == Schedule) {
			return tx.Bucket(doneBucket).Put([]byte(r.InputHash), []byte(r.ID))
		}
		return nil
	})
}

// FindDone returns the inbox run that took a file with this content to
// done/, if any.
func FindDone(stateDir, hash string) (Run, bool, error) {
	var r Run
	found := false
	err := view(stateDir, func(tx *bolt.Tx) error {
		id := tx.Bucket(doneBucket).Get([]byte(hash))
		if id == nil {
			return nil
		}
		v := tx.Bucket(runsBucket).Get(id)
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &r)
	})
	return r, found, err
}

// Get returns one run by its ID, or the only run whose ID starts with id.
func Get(stateDir, id string) (Run, error) {
	var matches []Run
	err := view(stateDir, func(tx *bolt.Tx) error {
		c := tx.Bucket(runsBucket).Cursor()
		for k, v := c.Seek([]byte(id)); k != nil && strings.HasPrefix(string(k), id); k, v = c.Next() {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %s is damaged: %w", k, err)
			}
			if string(k) == id {
				matches = []Run{r}
				return nil
			}
			matches = append(matches, r)
		}
		return nil
	})
	switch {
	case err != nil:
		return Run{}, err
	case len(matches) == 0:
		return Run{}, fmt.Errorf("no run %q in the history of %s; 'onboard history' lists the runs", id, stateDir)
	case len(matches) > 1:
		return Run{}, fmt.Errorf("%d runs start with %q; give more of the run ID", len(matches), id)
	}
	return matches[0], nil
}

// List returns the runs started at or after since (zero: all), oldest
// first.
func List(stateDir string, since time.Time) ([]Run, error) {
	var out []Run
	err := view(stateDir, func(tx *bolt.Tx) error {
		return tx.Bucket(runsBucket).ForEach(func(k, v []byte) error {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %s is damaged: %w", k, err)
			}
			if !r.Started.Before(since) {
				out = append(out, r)
			}
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out, err
}

func update(stateDir string, fn func(*bolt.Tx) error) error {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return fmt.Errorf("history: create %s: %w", stateDir, err)
	}
	db, err := open(stateDir, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{runsBucket, doneBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return fn(tx)
	}); err != nil {
		return fmt.Errorf("history: write %s: %w", filepath.Join(stateDir, FileName), err)
	}
	return nil
}

// view reads the history; a missing file reads as empty.
func view(stateDir string, fn func(*bolt.Tx) error) error {
	if _, err := os.Stat(filepath.Join(stateDir, FileName)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := open(stateDir, true)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(runsBucket) == nil || tx.Bucket(doneBucket) == nil {
			return nil
		}
		return fn(tx)
	})
	if err != nil {
		return fmt.Errorf("history: read %s: %w", filepath.Join(stateDir, FileName), err)
	}
	return nil
}

func open(stateDir string, readOnly bool) (*bolt.DB, error) {
	path := filepath.Join(stateDir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: readOnly})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("history: %s is busy (another onboard is writing it); try again", path)
	}
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w (if it is damaged, move it aside: only the run history is lost)", path, err)
	}
	return db, nil
}
