// Package inbox does one unattended pass over a drop folder of new-hire
// spreadsheets (for cron or a systemd timer): it takes only complete
// spreadsheets, runs each through a caller-given function (the same
// pipeline as `onboard run`), and files it with what the run wrote under
// done/YYYY-MM-DD/ or failed/YYYY-MM-DD/.
//
// processing/ is the journal. A file is first renamed into its own folder
// processing/RUN/ (with a note of its name), run there, and only then
// moved out: the destinations are written to processing/RUN/.moves.json
// before the first move, so a pass killed at any moment leaves either a
// file still in the inbox, a file to run (again: the run's state makes a
// rerun create only what is missing), or moves to finish. The next pass
// finishes every folder it finds in processing/ before it takes new files.
// Nothing is renamed silently: a name already taken in the destination
// gets a suffix, and the pass says so.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/history"
)

// Folders inside the inbox.
const (
	Processing = "processing"
	DoneDir    = "done"
	FailedDir  = "failed"
	DryRunDir  = "dry-run"
)

// Journal files inside processing/RUN/.
const (
	inputNote = ".input"      // the input's original name, written before it is moved in
	movesNote = ".moves.json" // where everything goes, written before the first move
)

// Options configure one pass.
type Options struct {
	Dir string
	// Settle is how long a file's size and modification time must stay
	// unchanged before it is taken; 0 takes files at once (tests).
	Settle time.Duration
	// DryRun validates every new file and writes its report under
	// dry-run/YYYY-MM-DD/; nothing is moved.
	DryRun bool
	// Run runs one file and says how it ended. An error stops the pass
	// and leaves the file in processing/ for the next one.
	Run func(ctx context.Context, job Job) (Outcome, error)
	// Seen, when set, reports an earlier run that took a file with this
	// content (hex SHA-256) to done/: its run ID and a description for a
	// person ("new-hires.csv, done on 2026-11-30 (run ...)").
	Seen func(hash string) (runID, about string, ok bool, err error)
	// Record, when set, is told how a file ended and where its files go,
	// before they move (the run history).
	Record func(job Job, o Outcome, m Moved) error
	Now    func() time.Time                                 // nil = time.Now
	Wait   func(ctx context.Context, d time.Duration) error // the settle wait; nil = a timer
	NewID  func(time.Time) string                           // a run ID per file
}

// Job is one file to run.
type Job struct {
	ID      string // run ID; names processing/ID/
	Name    string // the file's name as it was dropped
	Path    string // where it is now
	Work    string // the folder the run writes its files to
	Hash    string // hex SHA-256 of the content
	Resumed bool   // a pass that stopped left it in processing/
}

// Outcome is how a file's run ended.
type Outcome struct {
	Failed    bool
	Duplicate bool     // set by the pass: the content was done before
	Files     []string // what the run wrote into Job.Work, to go with the input
	Notes     []string
	Detail    any // the caller's own result, handed back in File
}

// Moved says where a file and its companions went (or go).
type Moved struct {
	Folder string            `json:"folder"` // "done/2026-11-30" or "failed/2026-11-30"
	Moves  map[string]string `json:"moves"`  // name in processing/ID → path relative to the inbox
	Input  string            `json:"input"`  // the input's path relative to the inbox
	Notes  []string          `json:"notes,omitempty"`
}

// File is what happened to one file in this pass.
type File struct {
	Job
	Outcome
	Moved
}

// Skip is a file the pass left alone, and why.
type Skip struct{ Name, Reason string }

// Report is the pass's account of itself.
type Report struct {
	Dir     string
	DryRun  bool
	Files   []File
	Skipped []Skip
}

// Failed reports whether any file ended (or, in a dry run, would end) in
// failed/.
func (r *Report) Failed() bool {
	for _, f := range r.Files {
		if f.Outcome.Failed {
			return true
		}
	}
	return false
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) newID(t time.Time) string {
	if o.NewID != nil {
		return o.NewID(t)
	}
	return t.Format("20060102-150405.000000000")
}

func (o *Options) wait(ctx context.Context, d time.Duration) error {
	if o.Wait != nil {
		return o.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pass does one pass over opt.Dir: it takes the lock (*BusyError when
// another pass holds it, before anything is touched), finishes what a
// stopped pass left in processing/, then runs every complete spreadsheet.
func Pass(ctx context.Context, opt Options) (*Report, error) {
	if opt.Run == nil {
		return nil, errors.New("inbox: no run function")
	}
	if err := CheckFolder(opt.Dir, false); err != nil {
		return nil, err
	}
	unlock, err := Lock(opt.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rep := &Report{Dir: opt.Dir, DryRun: opt.DryRun}
	if !opt.DryRun {
		if err := os.MkdirAll(filepath.Join(opt.Dir, Processing), 0o700); err != nil {
			return rep, fmt.Errorf("create %s: %w", filepath.Join(opt.Dir, Processing), err)
		}
		if err := resumeAll(ctx, &opt, rep); err != nil {
			return rep, err
		}
	} else {
		noteUnfinished(&opt, rep)
	}
	names, err := settled(ctx, &opt, rep)
	if err != nil {
		return rep, err
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if opt.DryRun {
			err = dryRun(ctx, &opt, rep, name)
		} else {
			err = take(ctx, &opt, rep, name)
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// CheckFolder says, in words for whoever set it up, why dir cannot serve
// as an inbox: it is missing or not a folder, or, when write is set,
// onboard cannot make its processing/ folder there. nil when it can.
func CheckFolder(dir string, write bool) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("the inbox %s cannot be used: %s; give the folder HR drops the spreadsheets into", dir, statWords(err))
	}
	if !write {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(dir, Processing), 0o700); err != nil {
		return fmt.Errorf("the inbox %s cannot be used: onboard cannot create its %s folder there (%s); let the account onboard runs as write to the folder",
			dir, Processing, statWords(err))
	}
	return nil
}

func statWords(err error) string {
	switch {
	case err == nil:
		return "it is a file"
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// candidate says why a name in the inbox is not a spreadsheet to take, or
// "" when it is one.
func candidate(e fs.DirEntry) string {
	name := e.Name()
	lower := strings.ToLower(name)
	switch {
	case e.IsDir():
		return "" // folders are not listed
	case strings.HasPrefix(name, "."):
		return "hidden"
	case strings.HasPrefix(name, "~$"):
		return "an Office lock file: the workbook is open somewhere"
	case strings.HasSuffix(lower, ".part") || strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, ".crdownload"):
		return "a partial or temporary file, still being copied"
	case !e.Type().IsRegular():
		return "not a regular file"
	case !strings.HasSuffix(lower, ".xlsx") && !strings.HasSuffix(lower, ".csv"):
		return "not a spreadsheet onboard reads: only .xlsx and .csv"
	}
	return "ok"
}

// settled lists the spreadsheets in the inbox whose size and modification
// time stay the same across the settle window (and are not newer than its
// start), in name order; the rest are reported as skipped.
func settled(ctx context.Context, opt *Options, rep *Report) ([]string, error) {
	entries, err := os.ReadDir(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("read the inbox %s: %w", opt.Dir, err)
	}
	start := opt.now()
	first := map[string]fs.FileInfo{}
	for _, e := range entries {
		switch why := candidate(e); why {
		case "":
		case "ok":
			if fi, err := os.Lstat(filepath.Join(opt.Dir, e.Name())); err == nil {
				first[e.Name()] = fi
			}
		default:
			if e.Name() != LockName {
				rep.Skipped = append(rep.Skipped, Skip{e.Name(), why})
			}
		}
	}
	if len(first) > 0 && opt.Settle > 0 {
		if err := opt.wait(ctx, opt.Settle); err != nil {
			return nil, err
		}
	}
	var names []string
	for name, a := range first {
		b, err := os.Lstat(filepath.Join(opt.Dir, name))
		switch {
		case err != nil:
			continue // gone meanwhile: whoever took it has it
		case b.Size() != a.Size() || !b.ModTime().Equal(a.ModTime()) || b.ModTime().After(start):
			rep.Skipped = append(rep.Skipped, Skip{name, "still being written: it changed a moment ago; the next pass takes it"})
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	sort.Slice(rep.Skipped, func(i, j int) bool { return rep.Skipped[i].Name < rep.Skipped[j].Name })
	return names, nil
}

// take moves one file into its own folder in processing/ and runs it.
func take(ctx context.Context, opt *Options, rep *Report, name string) error {
	now := opt.now()
	job := Job{ID: opt.newID(now), Name: name}
	job.Work = filepath.Join(opt.Dir, Processing, job.ID)
	job.Path = filepath.Join(job.Work, name)
	if err := os.Mkdir(job.Work, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", job.Work, err)
	}
	if err := writeAtomic(filepath.Join(job.Work, inputNote), []byte(name)); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(opt.Dir, name), job.Path); err != nil {
		_ = os.RemoveAll(job.Work)
		if errors.Is(err, fs.ErrNotExist) {
			rep.Skipped = append(rep.Skipped, Skip{name, "gone before this pass could take it"})
			return nil
		}
		return fmt.Errorf("move %s into %s: %w", name, job.Work, err)
	}
	syncDir(opt.Dir)
	return finish(ctx, opt, rep, job)
}

// finish runs a job whose input is in processing/ID/ (or recognises it as
// done before), decides where everything goes, records it and moves it.
func finish(ctx context.Context, opt *Options, rep *Report, job Job) error {
	hash, err := history.HashFile(job.Path)
	if err != nil {
		return err
	}
	job.Hash = hash
	var o Outcome
	earlierID, earlier, dup, err := seen(opt, hash)
	if err != nil {
		return err
	}
	if dup && earlierID != job.ID { // the same ID: this very file, recorded before a crash
		o = Outcome{Duplicate: true, Notes: []string{"the same content as " + earlier + "; not run again"}}
	} else {
		if err := clearLeftovers(job); err != nil {
			return err
		}
		if o, err = opt.Run(ctx, job); err != nil {
			return err
		}
	}
	m, err := plan(opt, job, o)
	if err != nil {
		return err
	}
	if opt.Record != nil {
		if err := opt.Record(job, o, m); err != nil {
			return fmt.Errorf("record the run of %s in the history: %w", job.Name, err)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(job.Work, movesNote), b); err != nil {
		return err
	}
	if err := apply(opt, job.Work, &m); err != nil {
		return err
	}
	rep.Files = append(rep.Files, File{Job: job, Outcome: o, Moved: m})
	return nil
}

func seen(opt *Options, hash string) (string, string, bool, error) {
	if opt.Seen == nil {
		return "", "", false, nil
	}
	id, about, ok, err := opt.Seen(hash)
	if err != nil {
		return "", "", false, fmt.Errorf("look the file's content up in the history: %w", err)
	}
	return id, about, ok, nil
}

// clearLeftovers removes what an earlier, stopped attempt wrote next to
// the input (a half-written workbook), so only this run's files move.
func clearLeftovers(job Job) error {
	entries, err := os.ReadDir(job.Work)
	if err != nil {
		return fmt.Errorf("read %s: %w", job.Work, err)
	}
	for _, e := range entries {
		if e.Name() == job.Name || e.Name() == inputNote {
			continue
		}
		if err := os.RemoveAll(filepath.Join(job.Work, e.Name())); err != nil {
			return fmt.Errorf("tidy %s: %w", job.Work, err)
		}
	}
	return nil
}

// plan decides where the input and the run's files go: done/ or failed/
// under today's date, each under its own name unless that is taken.
func plan(opt *Options, job Job, o Outcome) (Moved, error) {
	top := DoneDir
	if o.Failed {
		top = FailedDir
	}
	m := Moved{Folder: filepath.Join(top, opt.now().Format("2006-01-02")), Moves: map[string]string{}}
	dest := filepath.Join(opt.Dir, m.Folder)
	if err := os.MkdirAll(dest, 0o700); err != nil {
		return m, fmt.Errorf("create %s: %w", dest, err)
	}
	taken := map[string]bool{}
	for _, name := range append([]string{job.Name}, o.Files...) {
		base := filepath.Base(name)
		final := freeName(dest, base, taken)
		taken[final] = true
		m.Moves[base] = filepath.Join(m.Folder, final)
		if final != base {
			m.Notes = append(m.Notes, fmt.Sprintf("%s already held a file named %s, so this one is %s", m.Folder, base, final))
		}
	}
	m.Input = m.Moves[job.Name]
	return m, nil
}

// freeName is name, or name-2, name-3, ... (before the extension) when
// that is already in dir or taken.
func freeName(dir, name string, taken map[string]bool) string {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if lower := strings.ToLower(name); strings.HasSuffix(lower, ".problem.txt") {
		ext, stem = name[len(name)-len(".problem.txt"):], name[:len(name)-len(".problem.txt")]
	}
	p := name
	for n := 2; taken[p] || exists(filepath.Join(dir, p)); n++ {
		p = fmt.Sprintf("%s-%d%s", stem, n, ext)
	}
	return p
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// apply makes the moves of a journal folder (those not made yet), then
// removes the folder. A destination taken meanwhile gets a new name.
func apply(opt *Options, work string, m *Moved) error {
	names := make([]string, 0, len(m.Moves))
	for name := range m.Moves {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		from, to := filepath.Join(work, name), filepath.Join(opt.Dir, m.Moves[name])
		if !exists(from) {
			continue // moved before the pass stopped
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(to), err)
		}
		if exists(to) {
			final := freeName(filepath.Dir(to), filepath.Base(to), nil)
			m.Notes = append(m.Notes, fmt.Sprintf("%s was taken meanwhile, so %s is %s", m.Moves[name], name, final))
			to = filepath.Join(filepath.Dir(to), final)
			if m.Input == m.Moves[name] {
				m.Input = filepath.Join(filepath.Dir(m.Input), final)
			}
			m.Moves[name] = filepath.Join(filepath.Dir(m.Moves[name]), final)
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("move %s to %s: %w", from, to, err)
		}
		syncDir(filepath.Dir(to))
	}
	if err := os.RemoveAll(work); err != nil {
		return fmt.Errorf("tidy %s: %w", work, err)
	}
	syncDir(filepath.Dir(work))
	return nil
}

// resumeAll finishes every folder a stopped pass left in processing/, in
// the order they were taken.
func resumeAll(ctx context.Context, opt *Options, rep *Report) error {
	dir := filepath.Join(opt.Dir, Processing)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			rep.Skipped = append(rep.Skipped, Skip{filepath.Join(Processing, e.Name()), "not left by onboard, which keeps one folder per file there"})
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := resume(ctx, opt, rep, e.Name()); err != nil {
			return err
		}
	}
	return nil
}

// resume finishes one journal folder: its moves when they were decided,
// else its run; a folder whose input never arrived is removed (the file
// is still in the inbox).
func resume(ctx context.Context, opt *Options, rep *Report, id string) error {
	work := filepath.Join(opt.Dir, Processing, id)
	if b, err := os.ReadFile(filepath.Join(work, movesNote)); err == nil {
		var m Moved
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s is damaged (%v); move the files in %s by hand", filepath.Join(work, movesNote), err, work)
		}
		if err := apply(opt, work, &m); err != nil {
			return err
		}
		name := filepath.Base(m.Input)
		rep.Files = append(rep.Files, File{Job: Job{ID: id, Name: name, Resumed: true},
			Outcome: Outcome{Failed: strings.HasPrefix(m.Folder, FailedDir), Notes: []string{"moved by this pass: the pass that ran it stopped before it could"}}, Moved: m})
		return nil
	}
	name, err := os.ReadFile(filepath.Join(work, inputNote))
	if err != nil || !exists(filepath.Join(work, string(name))) {
		return os.RemoveAll(work) // never moved in: the file is still in the inbox
	}
	job := Job{ID: id, Name: string(name), Work: work, Path: filepath.Join(work, string(name)), Resumed: true}
	return finish(ctx, opt, rep, job)
}

// noteUnfinished lists, for a dry run, files a stopped pass left in
// processing/: the next real pass finishes them.
func noteUnfinished(opt *Options, rep *Report) {
	entries, _ := os.ReadDir(filepath.Join(opt.Dir, Processing))
	for _, e := range entries {
		if name, err := os.ReadFile(filepath.Join(opt.Dir, Processing, e.Name(), inputNote)); err == nil {
			rep.Skipped = append(rep.Skipped, Skip{string(name), "left in " + Processing + "/ by a pass that stopped; the next real pass finishes it"})
		}
	}
}

// dryRun validates one file where it lies and writes its report under
// dry-run/YYYY-MM-DD/.
func dryRun(ctx context.Context, opt *Options, rep *Report, name string) error {
	now := opt.now()
	job := Job{ID: opt.newID(now), Name: name, Path: filepath.Join(opt.Dir, name),
		Work: filepath.Join(opt.Dir, DryRunDir, now.Format("2006-01-02"))}
	hash, err := history.HashFile(job.Path)
	if err != nil {
		return err
	}
	job.Hash = hash
	_, earlier, dup, err := seen(opt, hash)
	if err != nil {
		return err
	}
	if dup {
		rep.Files = append(rep.Files, File{Job: job, Outcome: Outcome{Duplicate: true,
			Notes: []string{"the same content as " + earlier + "; a real pass files it in done/ without running it"}}})
		return nil
	}
	if err := os.MkdirAll(job.Work, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", job.Work, err)
	}
	o, err := opt.Run(ctx, job)
	if err != nil {
		return err
	}
	m := Moved{Folder: filepath.Join(DryRunDir, now.Format("2006-01-02")), Input: name, Moves: map[string]string{}}
	for _, f := range o.Files {
		m.Moves[filepath.Base(f)] = filepath.Join(m.Folder, filepath.Base(f))
	}
	if opt.Record != nil {
		if err := opt.Record(job, o, m); err != nil {
			return fmt.Errorf("record the dry run of %s in the history: %w", name, err)
		}
	}
	rep.Files = append(rep.Files, File{Job: job, Outcome: o, Moved: m})
	return nil
}

// writeAtomic writes a small file through a temporary name, synced, so a
// crash leaves the old state or the new, never half of it.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable; best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
