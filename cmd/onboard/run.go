package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/state"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/validate"
)

type runFlags struct {
	config, target, report, stateDir, logFormat, plan, resultsCSV string
	sandbox, dryRun, asJSON, yes, quiet, noReport, showRequests   bool
	reconcile, includeHidden                                      bool
	concurrency                                                   int
	grace                                                         time.Duration
	defaults                                                      validate.Defaults
}

func newRunCmd(io *terminal.IO) *cobra.Command {
	f := &runFlags{defaults: validate.Defaults{}}
	cmd := &cobra.Command{
		Use:   "run INPUT",
		Short: "Validate INPUT, create every valid row at its vendor, and write a result workbook",
		Long: `Run reads and validates INPUT exactly as 'onboard validate' does, then sends every
valid row to its vendor through rate-limited workers, records each send in a
crash-safe state so a rerun creates only what is missing, and writes a result
workbook with the vendor ID or the error of every row.

The configuration is --config, else $ONBOARD_CONFIG, else ./onboard.yaml, else
$XDG_CONFIG_HOME/onboard/onboard.yaml. State and reports live next to it (or
in $ONBOARD_HOME), so scheduled runs land in one place.

Exit codes: 0 every row created or already there; 1 some rows invalid or
failed, or no rows; 2 unusable input or configuration; 130 interrupted.`,
		Example: `  onboard run samples/new-hires.xlsx --plan samples/plan.yaml --sandbox
  onboard run hires.xlsx --plan plan.yaml --dry-run
  onboard run hires.xlsx --config onboard.yaml --yes --json > result.json`,
		Args: needInput("the spreadsheet to run", "onboard run new-hires.xlsx --plan plan.yaml --sandbox"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "configuration file (YAML): vendors, credentials, rates (default: discovered, see above)")
	fl.BoolVar(&f.sandbox, "sandbox", false, "run against the built-in sandbox of every vendor API (no accounts needed)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "send nothing: check everything a real run would, and write a dry-run workbook")
	fl.BoolVar(&f.showRequests, "show-requests", false, "with --dry-run: print each request that would be sent, secrets redacted, one JSON line each")
	fl.StringVar(&f.report, "report", "", "result workbook path (default <home>/reports/<input>-result-<run>.xlsx)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write a result workbook")
	fl.StringVar(&f.resultsCSV, "results-csv", "", "also write the results as CSV, one row per record (or per person with --plan)")
	fl.StringVar(&f.stateDir, "state", "", "directory of the crash-safe run state (default <home>/.onboard-state)")
	fl.BoolVar(&f.reconcile, "reconcile", false, "look every record up at the vendor before creating it (after a lost or damaged state)")
	fl.IntVar(&f.concurrency, "concurrency", 0, "cap on requests in flight per vendor (default: from config, enough to reach the rate)")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as one JSON document on stdout")
	fl.BoolVar(&f.yes, "yes", false, "do not ask for confirmation before sending to real vendors")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress output")
	fl.StringVar(&f.logFormat, "log-format", "text", "log line format when not on a terminal: text or json")
	fl.StringVar(&f.plan, "plan", "", "onboarding plan (YAML): read INPUT as an HR new-hire sheet, one row per person")
	fl.StringVar(&f.target, "target", "", "target ID for a CSV whose file name names none")
	fl.BoolVar(&f.includeHidden, "include-hidden", false, "also read sheets hidden in the workbook (skipped with a warning by default)")
	fl.Var(defaultsFlag{f.defaults}, "default", "default value VENDOR.FIELD=VALUE for empty cells or a missing column (repeatable)")
	fl.DurationVar(&f.grace, "grace", 10*time.Second, "after Ctrl-C, how long requests in flight may finish")
	return cmd
}

// runSetup is what a run needs before it starts: the configuration, where
// its files go, and how to stop the sandbox.
type runSetup struct {
	cfg        *config.Config
	home       string
	stateDir   string
	reportsDir string
	report     string // result workbook path, "" for none
	runID      string // names the run's files
	stop       func()
}

func (f *runFlags) check() error {
	if f.logFormat != "text" && f.logFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", f.logFormat)
	}
	if f.concurrency != 0 {
		if err := config.CheckConcurrency(f.concurrency); err != nil {
			return fmt.Errorf("--concurrency: %w", err)
		}
	}
	if err := config.CheckGrace(f.grace); err != nil {
		return fmt.Errorf("--grace: %w", err)
	}
	if f.report != "" && f.noReport {
		return errors.New("--report and --no-report cannot be used together")
	}
	if f.report != "" && !strings.EqualFold(filepath.Ext(f.report), ".xlsx") {
		return fmt.Errorf("--report %s: the report is a workbook; give a path ending in .xlsx", f.report)
	}
	if f.showRequests && !f.dryRun {
		return errors.New("--show-requests goes with --dry-run")
	}
	return nil
}

func runRun(parent context.Context, io *terminal.IO, input string, f *runFlags) error {
	if parent == nil {
		parent = context.Background()
	}
	if err := f.check(); err != nil {
		return exitWith(exitUnusable, err)
	}
	setup, err := prepareRun(parent, io, input, f)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	defer setup.stop()

	mode := progress.Quiet
	if !f.quiet {
		mode = progress.Log
		if io.Interactive() {
			mode = progress.Bar
		}
	}
	logger := newLogger(io, f, mode)
	opt, err := f.batchOptions(io, input, setup, logger, mode)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	if !f.sandbox && !f.dryRun && !f.yes {
		if err := confirm(parent, io, opt); err != nil {
			return exitWith(exitUnusable, err)
		}
	}
	ctx := parent // cancelled by main's interrupt handler
	res, runErr := batch.Run(ctx, opt)
	if runErr != nil && (res == nil || unusable(runErr)) {
		return exitWith(exitUnusable, runErr)
	}
	if runErr != nil {
		fmt.Fprintln(io.ErrOut, "onboard:", runErr)
	}
	writeErr := writeRunFiles(context.WithoutCancel(ctx), res, setup.report, f.resultsCSV)
	if err := sendNotifications(context.WithoutCancel(ctx), setup.cfg, "cli", input, res, runErr, logger); err != nil {
		fmt.Fprintln(io.ErrOut, "warning: notification:", err)
	}
	if !res.DryRun {
		if err := history.RecordResult(setup.stateDir, &res.Result, history.CLI); err != nil {
			fmt.Fprintln(io.ErrOut, "warning: run history:", err)
		}
	}
	if f.asJSON {
		if err := writeJSON(io.Out, runDocument(res)); err != nil {
			return exitWith(exitUnusable, err)
		}
	} else {
		printRunSummary(io, res)
	}
	return runExit(res, runErr, writeErr)
}

// unusable reports whether err means the run could not start.
func unusable(err error) bool {
	var ue *intake.UnusableError
	var oe *validate.OptionError
	var ce *config.Error
	var le *state.LockedError
	var ve *state.VersionError
	var de *state.DamagedError
	return errors.As(err, &ue) || errors.As(err, &oe) || errors.As(err, &ce) || errors.As(err, &le) || errors.As(err, &ve) || errors.As(err, &de)
}

// runExit maps a finished run to its exit code.
func runExit(res *batch.Result, runErr, writeErr error) error {
	switch {
	case res.Interrupted:
		return exitWith(exitInterrupted, nil)
	case writeErr != nil:
		return exitWith(exitRowsInvalid, fmt.Errorf("the results above are complete, but a file could not be written: %w", writeErr))
	case len(res.Records) == 0 && len(res.People) == 0:
		return exitWith(exitRowsInvalid, errors.New(noRowsMessage(res)))
	case runErr != nil || !res.OK():
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}

func noRowsMessage(res *batch.Result) string {
	if res.HRSheet != "" {
		return "no people found in " + res.Input + ": the sheet has a header but no rows under it"
	}
	return "no rows found in " + res.Input + ": the sheet has a header but no rows under it"
}

// prepareRun loads the configuration (or starts the sandbox) and decides
// where the state and reports go; it refuses outputs that would destroy
// an input before anything is sent.
func prepareRun(ctx context.Context, io *terminal.IO, input string, f *runFlags) (*runSetup, error) {
	s := &runSetup{stop: func() {}, runID: batch.NewRunID(time.Now())}
	// An unusable input is said before anything else is set up or created.
	in, err := intake.Open(input, intake.Options{})
	if err != nil {
		return nil, err
	}
	in.Close()
	cfgPath, err := loadRunConfig(ctx, io, f, s)
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
	if !f.noReport {
		s.report = f.report
		if s.report == "" {
			kind := "result"
			if f.dryRun {
				kind = "dryrun"
			}
			s.report = report.DefaultPath(s.reportsDir, input, kind, s.runID)
		}
	}
	for _, out := range []string{s.report, f.resultsCSV} {
		if out == "" {
			continue
		}
		if err := report.CheckOutput(out, input, f.plan, cfgPath); err != nil {
			s.stop()
			return nil, err
		}
	}
	return s, nil
}

// loadRunConfig finds and reads the configuration, or starts the
// in-process sandbox for --sandbox. It returns the config file's path
// ("" for the sandbox).
func loadRunConfig(ctx context.Context, io *terminal.IO, f *runFlags, s *runSetup) (string, error) {
	if f.sandbox && f.config != "" {
		return "", errors.New("give either --sandbox or --config, not both")
	}
	if f.sandbox {
		cfg, stop, err := startSandbox(ctx, io, f.asJSON)
		if err != nil {
			return "", err
		}
		s.cfg, s.stop = cfg, stop
		return "", nil
	}
	path, err := config.Discover(f.config, nil)
	if err != nil {
		return "", fmt.Errorf("%w\n(write one with 'onboard init', or try everything safely with --sandbox)", err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return "", err
	}
	s.cfg = cfg
	return path, nil
}

// startSandbox runs the embedded vendor simulators and returns their
// configuration.
func startSandbox(ctx context.Context, io *terminal.IO, quiet bool) (*config.Config, func(), error) {
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		return nil, nil, err
	}
	base, err := sb.Start(ctx, "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start the sandbox: %w", err)
	}
	cfg, err := config.Parse(sandbox.ConfigYAML(base), "sandbox configuration", os.LookupEnv)
	if err != nil {
		sb.Close()
		return nil, nil, err
	}
	if !quiet {
		fmt.Fprintf(io.ErrOut, "Sandbox: simulating the vendor APIs at %s (nothing leaves this machine)\n", base)
	}
	return cfg, func() { sb.Close() }, nil
}

func (f *runFlags) batchOptions(io *terminal.IO, input string, s *runSetup, logger *slog.Logger, mode progress.Mode) (batch.Options, error) {
	opt := batch.Options{
		Input: input, Config: s.cfg, StateDir: s.stateDir, DryRun: f.dryRun, Reconcile: f.reconcile, RunID: s.runID,
		Concurrency: f.concurrency, Logger: logger, Grace: f.grace,
		Validate:       validate.Options{Target: f.target, Defaults: f.defaults, IncludeHidden: f.includeHidden},
		CredentialsDir: s.reportsDir,
		Progress: func(n int) progress.Reporter {
			return progress.New(mode, n, "sending", io.ErrOut, logger, 5*time.Second)
		},
	}
	if f.showRequests {
		opt.DryRunOut = io.Out
	}
	if f.plan != "" {
		p, err := hires.LoadPlan(f.plan)
		if err != nil {
			return opt, err
		}
		opt.Plan = p
	}
	return opt, nil
}

// confirm asks a person before real accounts are created, naming only
// the systems the sheet uses and how many accounts each gets; without a
// terminal it refuses unless --yes was given.
func confirm(ctx context.Context, io *terminal.IO, opt batch.Options) error {
	if !io.CanPrompt() {
		return errors.New("refusing to create accounts without confirmation when not at a terminal: add --yes (or try --dry-run first)")
	}
	dry := opt
	dry.DryRun, dry.DryRunOut, dry.Progress = true, nil, nil
	preview, err := batch.Run(ctx, dry)
	if err != nil {
		return err
	}
	counts, where := map[string]int{}, map[string]string{}
	for _, r := range preview.Records {
		if r.Status == outcome.WouldCreate {
			counts[r.System]++
			if v, ok := vendorOf(opt.Config, r.Target); ok {
				where[r.System] = v.BaseURL
			}
		}
	}
	if len(counts) == 0 {
		return errors.New("nothing to create: every valid account was already done, or no row is valid (see 'onboard run --dry-run')")
	}
	var systems []string
	for sys := range counts {
		systems = append(systems, sys)
	}
	sort.Strings(systems)
	fmt.Fprintf(io.ErrOut, "This creates, from %s:\n", filepath.Base(opt.Input))
	for _, sys := range systems {
		fmt.Fprintf(io.ErrOut, "  %s at %s\n", outcome.Plural(counts[sys], sys+" account", sys+" accounts"), where[sys])
	}
	fmt.Fprint(io.ErrOut, "Go ahead? [y/N] ")
	answer, _ := bufio.NewReader(io.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errors.New("nothing sent")
}

// vendorOf is the configured vendor a target belongs to.
func vendorOf(cfg *config.Config, target string) (*config.Vendor, bool) {
	t := registry.Target(target)
	if t == nil {
		return nil, false
	}
	return cfg.Vendor(t.Vendor)
}

func newLogger(io *terminal.IO, f *runFlags, mode progress.Mode) *slog.Logger {
	level := slog.LevelInfo
	if f.quiet || mode == progress.Bar {
		level = slog.LevelWarn // the bar shows progress; logs would tear it
	}
	o := &slog.HandlerOptions{Level: level}
	if f.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(io.ErrOut, o))
	}
	return slog.New(slog.NewTextHandler(io.ErrOut, o))
}

// defaultsFlag lets --default VENDOR.FIELD=VALUE fill validate.Defaults.
type defaultsFlag struct{ validate.Defaults }

func (d defaultsFlag) String() string {
	var parts []string
	for v, m := range d.Defaults {
		for k, val := range m {
			parts = append(parts, v+"."+k+"="+val)
		}
	}
	return strings.Join(parts, ",")
}

func (defaultsFlag) Type() string { return "VENDOR.FIELD=VALUE" }
