package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/inbox"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/state"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/validate"
)

// exitBusy is sysexits' EX_TEMPFAIL: another pass (or run) holds the
// inbox or its state; the next scheduled pass tries again.
const exitBusy = 75

// Inbox policies.
const (
	policyValidRows    = "valid-rows"
	policyAllOrNothing = "all-or-nothing"
)

type inboxFlags struct {
	config, plan, policy, stateDir string
	sandbox, dryRun, asJSON        bool
	settle                         time.Duration
}

func newInboxCmd(io *terminal.IO) *cobra.Command {
	f := &inboxFlags{}
	cmd := &cobra.Command{
		Use:   "inbox DIR",
		Short: "One unattended pass over a drop folder: run every new spreadsheet and file it in done/ or failed/",
		Long: `Inbox does one pass over DIR, for cron or a systemd timer. It takes only
complete spreadsheets (*.xlsx, *.csv; not hidden files, Office lock files ~$...,
*.part or *.tmp, nor files still changing during --settle), moves each into
DIR/processing/, runs it exactly as 'onboard run' would, and then moves it with
its result workbook into DIR/done/YYYY-MM-DD/ or DIR/failed/YYYY-MM-DD/.

failed/ holds files that could not be read (with a .problem.txt saying why),
files refused as a whole under --policy all-or-nothing (with their validation
workbook), and files where any account failed or was not sent. A file whose
content was already done is recognised and filed in done/ without running it.
A pass killed at any moment is finished by the next one, which creates every
account once. It never asks anything and needs no --yes.

--dry-run validates every new file, writes its dry-run workbook to
DIR/dry-run/YYYY-MM-DD/ and moves nothing.

Exit codes: 0 every file ended in done/; 1 some file ended in failed/ (with
--dry-run: some file has problems); 2 unusable configuration or plan;
75 another pass is running (this one did nothing); 130 interrupted.`,
		Example: `  onboard inbox /srv/onboard/inbox --plan /etc/onboard/plan.yaml --config /etc/onboard/onboard.yaml
  onboard inbox ./inbox --plan plan.yaml --sandbox
  onboard inbox ./inbox --plan plan.yaml --dry-run --json`,
		Args: needInput("the inbox folder", "onboard inbox /srv/onboard/inbox --plan plan.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInbox(cmd.Context(), io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "configuration file (YAML): vendors, credentials, rates (default: discovered as for 'onboard run')")
	fl.BoolVar(&f.sandbox, "sandbox", false, "run against the built-in sandbox of every vendor API (to try the inbox out)")
	fl.StringVar(&f.plan, "plan", "", "onboarding plan (YAML): read every file as an HR new-hire sheet")
	fl.StringVar(&f.policy, "policy", policyValidRows, "valid-rows: send the valid people and report the rest; all-or-nothing: send nothing from a file with any problem")
	fl.BoolVar(&f.dryRun, "dry-run", false, "validate every new file and write its report; send nothing, move nothing")
	fl.BoolVar(&f.asJSON, "json", false, "print what the pass did as one JSON document on stdout")
	fl.StringVar(&f.stateDir, "state", "", "directory of the crash-safe run state and history (default <home>/.onboard-state)")
	fl.DurationVar(&f.settle, "settle", 10*time.Second, "a file must stay unchanged this long before it is taken (still being copied otherwise)")
	return cmd
}

// inboxPass is what every file of one pass shares.
type inboxPass struct {
	io       *terminal.IO
	f        *inboxFlags
	setup    *runSetup // configuration, home, state and reports folders
	logger   *slog.Logger
	dir      string
	problems io.Writer // where per-file lines go as the pass goes
	// A schedule in `onboard serve` (serve_schedules.go) sets these: the
	// server's vendor limiters, its plan when the schedule names none,
	// and history.Schedule as the source; zero for `onboard inbox`.
	limiters map[string]*rate.Limiter
	plan     *hires.Plan
	source   string
}

// sourceName is the history and notification source of the pass's runs.
func (p *inboxPass) sourceName() string {
	if p.source != "" {
		return p.source
	}
	return history.Inbox
}

// inboxFile is one file's run, handed back through inbox.Outcome.Detail.
type inboxFile struct {
	res            *batch.Result // nil when the file could not be read
	started, ended time.Time
	problem        string // why the file could not be used, or was refused
	workbook       string // the workbook's name in the work folder
}

func (f *inboxFlags) check() error {
	if f.policy != policyValidRows && f.policy != policyAllOrNothing {
		return fmt.Errorf("--policy must be %s or %s, not %q", policyValidRows, policyAllOrNothing, f.policy)
	}
	if f.settle < 0 {
		return fmt.Errorf("--settle must not be negative, not %s", f.settle)
	}
	return nil
}

func runInbox(ctx context.Context, io *terminal.IO, dir string, f *inboxFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := f.check(); err != nil {
		return exitWith(exitUnusable, err)
	}
	p, err := prepareInbox(ctx, io, dir, f)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	defer p.setup.stop()
	rep, err := inbox.Pass(ctx, p.options())
	var busy *inbox.BusyError
	if errors.As(err, &busy) {
		return exitWith(exitBusy, err)
	}
	if rep != nil {
		p.notifyAll(ctx, rep)
		p.print(rep)
	}
	return inboxExit(ctx, rep, err)
}

// inboxExit maps a pass to its exit code.
func inboxExit(ctx context.Context, rep *inbox.Report, err error) error {
	var locked *state.LockedError
	switch {
	case err != nil && ctx.Err() != nil:
		return exitWith(exitInterrupted, errors.New("interrupted: what was in flight is recorded; the next pass finishes the file left in processing/"))
	case errors.As(err, &locked):
		return exitWith(exitBusy, fmt.Errorf("%w; the file stays in processing/ and the next pass finishes it", err))
	case err != nil && unusable(err):
		return exitWith(exitUnusable, fmt.Errorf("%w; the file stays in processing/ and the next pass tries again", err))
	case err != nil:
		return exitWith(exitRowsInvalid, err)
	case rep.Failed():
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}

// prepareInbox loads the configuration and the plan once, before any file
// is touched, so a mistake in either stops the pass with exit 2.
func prepareInbox(ctx context.Context, io *terminal.IO, dir string, f *inboxFlags) (*inboxPass, error) {
	if err := inbox.CheckFolder(dir, false); err != nil {
		return nil, err
	}
	s := &runSetup{stop: func() {}}
	cfgPath, err := loadRunConfig(ctx, io, &runFlags{config: f.config, sandbox: f.sandbox, asJSON: true}, s)
	if err != nil {
		return nil, err
	}
	s.home = config.Home(cfgPath, nil)
	s.stateDir = f.stateDir
	if s.stateDir == "" {
		s.stateDir = filepath.Join(s.home, ".onboard-state")
	}
	s.reportsDir = filepath.Join(s.home, report.Dir)
	if !f.sandbox {
		for _, w := range s.cfg.Warnings() {
			fmt.Fprintln(io.ErrOut, "warning:", w)
		}
	}
	if f.plan != "" {
		if _, err := hires.LoadPlan(f.plan); err != nil {
			s.stop()
			return nil, err
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("the inbox %s: %w", dir, err)
	}
	rf := &runFlags{quiet: true}
	return &inboxPass{io: io, f: f, setup: s, dir: abs, logger: newLogger(io, rf, progress.Quiet)}, nil
}

func (p *inboxPass) options() inbox.Options {
	return inbox.Options{Dir: p.dir, Settle: p.f.settle, DryRun: p.f.dryRun, NewID: batch.NewRunID,
		Run: p.runFile, Seen: p.seen, Record: p.record}
}

// seen finds an inbox run that took a file with this content to done/.
func (p *inboxPass) seen(hash string) (string, string, bool, error) {
	r, ok, err := history.FindDone(p.setup.stateDir, hash)
	if err != nil || !ok {
		return "", "", false, err
	}
	about := fmt.Sprintf("%s, done on %s (run %s)", filepath.Base(r.Input), r.Ended.Local().Format("2006-01-02 15:04"), r.ID)
	return r.ID, about, true, nil
}

// runFile runs one file with the pipeline of `onboard run`: batch.Run,
// then the result workbook through writeRunFiles. Under all-or-nothing a
// dry run comes first, and a file with any problem sends nothing.
func (p *inboxPass) runFile(ctx context.Context, job inbox.Job) (inbox.Outcome, error) {
	d := &inboxFile{started: time.Now()}
	o := inbox.Outcome{Detail: d}
	defer func() { d.ended = time.Now() }()
	setup := *p.setup
	setup.runID = job.ID
	rf := &runFlags{plan: p.f.plan, quiet: true, dryRun: p.f.dryRun, grace: 10 * time.Second, defaults: validate.Defaults{}}
	opt, err := rf.batchOptions(p.io, job.Path, &setup, p.logger, progress.Quiet)
	if err != nil {
		return o, err // the plan changed since the pass started: stop, exit 2
	}
	if p.limiters != nil {
		opt.Limiters = p.limiters
	}
	if opt.Plan == nil {
		opt.Plan = p.plan
	}
	if p.f.policy == policyAllOrNothing && !p.f.dryRun {
		refused, err := p.refuseWhole(ctx, job, opt, d)
		if ctx.Err() != nil {
			return o, ctx.Err() // stopped: the next pass runs the file again
		}
		if err != nil {
			return p.unusableFile(job, d, o, err)
		}
		if refused {
			o.Failed = true
			o.Files = inboxFiles(job, d)
			if d.workbook == "" {
				return o, p.writeProblem(job, d)
			}
			return o, nil
		}
	}
	res, runErr := batch.Run(ctx, opt)
	if runErr != nil && (res == nil || unusable(runErr)) {
		return p.unusableFile(job, d, o, runErr)
	}
	d.res = res
	if res.Interrupted {
		return o, ctx.Err()
	}
	kind := "result"
	if p.f.dryRun {
		kind = "dryrun"
	}
	d.workbook = filepath.Base(report.DefaultPath(job.Work, job.Name, kind, job.ID))
	if err := writeRunFiles(context.WithoutCancel(ctx), res, filepath.Join(job.Work, d.workbook), ""); err != nil {
		d.workbook = ""
		o.Notes = append(o.Notes, "the result workbook could not be written: "+err.Error())
		o.Failed = true
	}
	if runErr != nil {
		o.Notes = append(o.Notes, runErr.Error())
	}
	o.Files = inboxFiles(job, d)
	o.Failed = o.Failed || runErr != nil || history.OutcomeOf(&res.Result) == history.Failed || (p.f.dryRun && !res.OK())
	return o, nil
}

// refuseWhole is all-or-nothing: a dry run first; when any person or row
// has a problem, its workbook is the file's validation workbook and
// nothing is sent.
func (p *inboxPass) refuseWhole(ctx context.Context, job inbox.Job, opt batch.Options, d *inboxFile) (bool, error) {
	dry := opt
	dry.DryRun = true
	res, err := batch.Run(ctx, dry)
	if err != nil {
		return false, err
	}
	if wholeOK(res) {
		return false, nil
	}
	d.res = res
	found := res.RecordsHeadline("row", "rows")
	if res.People != nil {
		found = res.PeopleHeadline()
	}
	d.problem = "nothing sent (--policy all-or-nothing): " + found + "; fix the problems and drop the file in the inbox again"
	d.workbook = filepath.Base(report.DefaultPath(job.Work, job.Name, "validation", job.ID))
	if err := writeRunFiles(context.WithoutCancel(ctx), res, filepath.Join(job.Work, d.workbook), ""); err != nil {
		d.workbook = ""
		d.problem += "; the validation workbook could not be written: " + err.Error()
	}
	return true, nil
}

// wholeOK reports whether a dry run found nothing to fix in the file.
func wholeOK(res *batch.Result) bool {
	if len(res.SheetProblems) > 0 || len(res.Records)+len(res.People) == 0 {
		return false
	}
	for _, r := range res.Records {
		if r.Status.Problem() {
			return false
		}
	}
	for _, pp := range res.People {
		if pp.Status == outcome.NeedsFixing {
			return false
		}
	}
	return true
}

// unusableFile decides what an error from running a file means: the
// file cannot be used (said in NAME.problem.txt next to it; the pass goes
// on), or the pass must stop (a configuration or state problem: the file
// stays in processing/ for the next pass).
func (p *inboxPass) unusableFile(job inbox.Job, d *inboxFile, o inbox.Outcome, err error) (inbox.Outcome, error) {
	var ue *intake.UnusableError
	if !errors.As(err, &ue) && unusable(err) {
		return o, err
	}
	d.res = nil
	d.problem = strings.TrimPrefix(strings.ReplaceAll(err.Error(), job.Path, job.Name), job.Name+": ")
	o.Failed = true
	o.Files = inboxFiles(job, d)
	return o, p.writeProblem(job, d)
}

func (p *inboxPass) writeProblem(job inbox.Job, d *inboxFile) error {
	text := fmt.Sprintf("onboard could not use %s:\n\n%s\n\nNothing was sent from it. Fix it and drop it into the inbox again.\n", job.Name, d.problem)
	path := filepath.Join(job.Work, job.Name+".problem.txt")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// inboxFiles lists what the run wrote next to the input.
func inboxFiles(job inbox.Job, d *inboxFile) []string {
	if d.workbook != "" {
		return []string{d.workbook}
	}
	if d.problem != "" {
		return []string{job.Name + ".problem.txt"}
	}
	return nil
}

// record writes the run's history record before its files move, with the
// places they move to.
func (p *inboxPass) record(job inbox.Job, o inbox.Outcome, m inbox.Moved) error {
	d, _ := o.Detail.(*inboxFile)
	var r history.Run
	if d != nil && d.res != nil {
		r = history.FromResult(&d.res.Result, p.sourceName())
	} else {
		r = history.Run{ID: job.ID, Source: p.sourceName(), Who: history.Who(), Started: time.Now(), Ended: time.Now(),
			Records: history.Counts{ByStatus: map[string]int{}}}
		if d != nil {
			r.Started, r.Ended = d.started, d.ended
		}
	}
	r.ID, r.Input, r.InputHash, r.DryRun = job.ID, filepath.Join(p.dir, job.Name), job.Hash, p.f.dryRun
	r.Report = ""
	if d != nil && d.workbook != "" {
		r.Report = filepath.Join(p.dir, m.Moves[d.workbook])
	}
	switch {
	case p.f.dryRun:
		r.Outcome = history.DryRun
	case o.Duplicate:
		r.Outcome = history.Duplicate
	case o.Failed:
		r.Outcome = history.Failed
	default:
		r.Outcome = history.Done
	}
	if d != nil && d.problem != "" {
		r.Notes = append(r.Notes, d.problem)
	}
	r.Notes = append(append(r.Notes, o.Notes...), m.Notes...)
	if m.Input != "" && !p.f.dryRun {
		r.Notes = append(r.Notes, "filed as "+m.Input)
	}
	return history.Put(p.setup.stateDir, r)
}

// notifyAll sends the notify: summary of every file run in this pass,
// with its workbook where it now lies; a duplicate sends nothing. A
// notification never changes the pass's outcome.
func (p *inboxPass) notifyAll(ctx context.Context, rep *inbox.Report) {
	for _, f := range rep.Files {
		d, _ := f.Detail.(*inboxFile)
		if d == nil || f.Duplicate {
			continue
		}
		input := filepath.Join(p.dir, f.Name)
		var runErr error
		if d.res != nil {
			if d.workbook != "" {
				d.res.Report = filepath.Join(p.dir, f.Moves[d.workbook])
			}
		} else if d.problem != "" {
			runErr = errors.New(d.problem)
		}
		if err := sendNotifications(ctx, p.setup.cfg, p.sourceName(), input, d.res, runErr, p.logger); err != nil {
			fmt.Fprintf(p.io.ErrOut, "warning: notification for %s: %v\n", f.Name, err)
		}
	}
}

// print says what the pass did: one line per file, its problems, what
// was left alone and a total.
func (p *inboxPass) print(rep *inbox.Report) {
	if p.f.asJSON {
		if err := writeJSON(p.io.Out, inboxDocument(rep)); err != nil {
			fmt.Fprintln(p.io.ErrOut, "onboard:", err)
		}
		return
	}
	w := p.io.ErrOut
	for _, f := range rep.Files {
		printInboxFile(w, rep, f)
	}
	if len(rep.Skipped) > 0 {
		parts := make([]string, len(rep.Skipped))
		for i, s := range rep.Skipped {
			parts[i] = s.Name + " (" + s.Reason + ")"
		}
		fmt.Fprintln(w, "Left alone:", strings.Join(parts, "; "))
	}
	fmt.Fprintln(w, inboxTotal(rep))
}

func printInboxFile(w io.Writer, rep *inbox.Report, f inbox.File) {
	d, _ := f.Detail.(*inboxFile)
	what := "run"
	switch {
	case f.Duplicate:
		what = "already done"
	case d != nil && d.problem != "" && d.res == nil:
		what = "could not be used: " + d.problem
	case d != nil && d.problem != "":
		what = d.problem
	case d != nil && d.res != nil && d.res.People != nil:
		what = d.res.PeopleHeadline() + "; " + d.res.RecordsHeadline("account", "accounts")
	case d != nil && d.res != nil:
		what = d.res.RecordsHeadline("row", "rows")
	}
	where := f.Folder + "/"
	if rep.DryRun && f.Duplicate {
		where = "stays in the inbox"
	}
	fmt.Fprintf(w, "%s: %s → %s\n", f.Name, what, where)
	for _, n := range append(append([]string{}, f.Outcome.Notes...), f.Moved.Notes...) {
		fmt.Fprintln(w, "  Note:", n)
	}
	if d != nil && d.res != nil {
		var b strings.Builder
		printProblems(&b, d.res)
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			if l != "" {
				fmt.Fprintln(w, "  "+l)
			}
		}
	}
	if d != nil && d.workbook != "" {
		fmt.Fprintln(w, "  Workbook:", filepath.Join(f.Folder, filepath.Base(f.Moves[d.workbook])))
	}
}

func inboxTotal(rep *inbox.Report) string {
	done, failed := 0, 0
	for _, f := range rep.Files {
		if f.Outcome.Failed {
			failed++
		} else {
			done++
		}
	}
	if rep.DryRun {
		return fmt.Sprintf("Dry run of inbox %s: %s: %d ready, %d with problems (nothing sent, nothing moved)",
			rep.Dir, outcome.Plural(len(rep.Files), "file", "files"), done, failed)
	}
	if len(rep.Files) == 0 {
		return fmt.Sprintf("Inbox %s: no new files", rep.Dir)
	}
	return fmt.Sprintf("Inbox %s: %s: %d in done/, %d in failed/", rep.Dir, outcome.Plural(len(rep.Files), "file", "files"), done, failed)
}

// inboxJSON is the document `onboard inbox --json` prints.
type inboxJSON struct {
	Schema  int             `json:"schema"`
	Command string          `json:"command"`
	Dir     string          `json:"dir"`
	DryRun  bool            `json:"dry_run"`
	OK      bool            `json:"ok"`
	Files   []inboxFileJSON `json:"files"`
	Skipped []inboxSkipJSON `json:"skipped"`
}

type inboxFileJSON struct {
	Name      string      `json:"name"`
	RunID     string      `json:"run_id"`
	Outcome   string      `json:"outcome"` // done, failed, duplicate, dry run
	Folder    string      `json:"folder,omitempty"`
	Path      string      `json:"path,omitempty"`
	Workbook  string      `json:"workbook,omitempty"`
	Problem   string      `json:"problem,omitempty"`
	Notes     []string    `json:"notes"`
	Resumed   bool        `json:"resumed,omitempty"`
	People    *countsJSON `json:"people,omitempty"`
	Records   *countsJSON `json:"records,omitempty"`
	Problems  []string    `json:"problems,omitempty"`
	InputHash string      `json:"input_sha256,omitempty"`
}

type inboxSkipJSON struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func inboxDocument(rep *inbox.Report) inboxJSON {
	doc := inboxJSON{Schema: jsonSchema, Command: "inbox", Dir: rep.Dir, DryRun: rep.DryRun, OK: !rep.Failed(),
		Files: []inboxFileJSON{}, Skipped: []inboxSkipJSON{}}
	for _, f := range rep.Files {
		doc.Files = append(doc.Files, inboxFileDoc(rep, f))
	}
	for _, s := range rep.Skipped {
		doc.Skipped = append(doc.Skipped, inboxSkipJSON{s.Name, s.Reason})
	}
	return doc
}

func inboxFileDoc(rep *inbox.Report, f inbox.File) inboxFileJSON {
	j := inboxFileJSON{Name: f.Name, RunID: f.ID, Folder: f.Folder, Resumed: f.Resumed, InputHash: f.Hash, Notes: []string{}}
	switch {
	case rep.DryRun:
		j.Outcome = history.DryRun
	case f.Duplicate:
		j.Outcome = history.Duplicate
	case f.Outcome.Failed:
		j.Outcome = history.Failed
	default:
		j.Outcome = history.Done
	}
	if f.Input != "" && !rep.DryRun {
		j.Path = filepath.Join(rep.Dir, f.Input)
	}
	j.Notes = append(append(j.Notes, f.Outcome.Notes...), f.Moved.Notes...)
	d, _ := f.Detail.(*inboxFile)
	if d == nil {
		return j
	}
	j.Problem = d.problem
	if d.workbook != "" {
		j.Workbook = filepath.Join(rep.Dir, f.Moves[d.workbook])
	}
	if d.res != nil {
		doc := runDocument(d.res)
		j.People, j.Records = doc.People, &doc.Records
		var b strings.Builder
		printProblems(&b, d.res)
		for _, l := range strings.Split(b.String(), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "To fix (") {
				j.Problems = append(j.Problems, l)
			}
		}
	}
	return j
}
