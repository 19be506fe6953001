package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/state"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/validate"
)

func init() { commands = append(commands, newRunCmd) }

type runFlags struct {
	config, target, report, stateDir, logFormat, plan string
	sandbox, dryRun, asJSON, yes, quiet, noReport     bool
	concurrency                                       int
	grace                                             time.Duration
	defaults                                          validate.Defaults
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

Exit codes: 0 every row created or already there; 1 some rows invalid or
failed; 2 unusable input or configuration; 130 interrupted.`,
		Example: `  onboard run samples/vendor-sheets.xlsx --sandbox
  onboard run hires.xlsx --config onboard.yaml --dry-run
  onboard run hires.xlsx --config onboard.yaml --yes --json > result.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "configuration file (YAML): vendors, credentials, rates")
	fl.BoolVar(&f.sandbox, "sandbox", false, "run against the built-in sandbox of all four vendor APIs (no accounts needed)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "send nothing: print the requests that would be sent, secrets redacted")
	fl.StringVar(&f.report, "report", "", "result workbook path (default reports/<input>-result-<time>.xlsx)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write a result workbook")
	fl.StringVar(&f.stateDir, "state", ".onboard-state", "directory of the crash-safe run state (resume reruns from it)")
	fl.IntVar(&f.concurrency, "concurrency", 0, "cap on requests in flight per vendor (default: from config, enough to reach the rate)")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as one JSON document on stdout")
	fl.BoolVar(&f.yes, "yes", false, "do not ask for confirmation before sending to real vendors")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress output")
	fl.StringVar(&f.logFormat, "log-format", "text", "log line format when not on a terminal: text or json")
	fl.StringVar(&f.plan, "plan", "", "onboarding plan (YAML): read INPUT as an HR new-hire sheet, one row per person")
	fl.StringVar(&f.target, "target", "", "target ID for a CSV whose file name names none")
	fl.Var(defaultsFlag{f.defaults}, "default", "default value VENDOR.FIELD=VALUE for empty cells or a missing column (repeatable)")
	fl.DurationVar(&f.grace, "grace", 10*time.Second, "after Ctrl-C, how long requests in flight may finish")
	return cmd
}

func runRun(parent context.Context, io *terminal.IO, input string, f *runFlags) error {
	if parent == nil {
		parent = context.Background()
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return exitWith(exitUnusable, fmt.Errorf("--log-format must be text or json, not %q", f.logFormat))
	}
	cfg, stop, err := loadRunConfig(parent, io, f)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	defer stop()
	if !f.sandbox { // the sandbox's own credentials are inline on purpose
		for _, w := range cfg.Warnings() {
			fmt.Fprintln(io.ErrOut, "warning:", w)
		}
	}
	if !f.sandbox && !f.dryRun && !f.yes {
		if err := confirm(io, input, cfg); err != nil {
			return exitWith(exitUnusable, err)
		}
	}

	mode := progress.Quiet
	if !f.quiet {
		mode = progress.Log
		if io.Interactive() {
			mode = progress.Bar
		}
	}
	logger := newLogger(io, f, mode)

	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupts)
	go func() {
		select {
		case <-interrupts:
		case <-ctx.Done():
			return
		}
		fmt.Fprintln(io.ErrOut, "\ninterrupted: finishing requests in flight, then writing the state and report (Ctrl-C again quits at once)")
		cancel()
		if _, ok := <-interrupts; ok {
			fmt.Fprintln(io.ErrOut, "onboard: quit at once; the state is consistent, rerun to resume")
			os.Exit(exitInterrupted)
		}
	}()

	opt := batch.Options{
		Input: input, Config: cfg, StateDir: f.stateDir, DryRun: f.dryRun, DryRunOut: io.Out,
		Concurrency: f.concurrency, Logger: logger, Grace: f.grace,
		Validate: validate.Options{Target: f.target, Defaults: f.defaults},
		Progress: func(n int) progress.Reporter {
			return progress.New(mode, n, "sending", io.ErrOut, logger, 5*time.Second)
		},
	}
	if f.dryRun && f.asJSON {
		opt.DryRunOut = nil // stdout carries the one JSON document
	}
	if f.plan != "" {
		p, err := hires.LoadPlan(f.plan)
		if err != nil {
			return exitWith(exitUnusable, err)
		}
		opt.Plan, opt.CredentialsDir = p, report.Dir
	}
	res, err := batch.Run(ctx, opt)
	if err != nil {
		var ue *intake.UnusableError
		var oe *validate.OptionError
		var ce *config.Error
		var le *state.LockedError
		var ve *state.VersionError
		if errors.As(err, &ue) || errors.As(err, &oe) || errors.As(err, &ce) || errors.As(err, &le) || errors.As(err, &ve) {
			return exitWith(exitUnusable, err)
		}
		if res == nil {
			return exitWith(exitUnusable, err)
		}
		fmt.Fprintln(io.ErrOut, "onboard:", err)
	}

	reportPath := ""
	if !f.noReport {
		reportPath = f.report
		if reportPath == "" {
			reportPath = report.DefaultPath(input, "result", res.Start)
		}
		if werr := report.WriteResult(context.WithoutCancel(ctx), reportPath, res); werr != nil {
			fmt.Fprintln(io.ErrOut, "onboard: write the result workbook:", werr)
			reportPath = ""
		}
	}
	if f.asJSON {
		if err := json.NewEncoder(io.Out).Encode(resultJSON(res, reportPath)); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("write JSON: %w", err))
		}
	} else {
		printRunSummary(io, res, reportPath)
	}
	switch {
	case res.Interrupted:
		return exitWith(exitInterrupted, nil)
	case err != nil || !res.OK() && !res.DryRun:
		return exitWith(exitRowsInvalid, nil)
	case res.DryRun && res.Count(batch.StatusInvalid) > 0:
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}

// loadRunConfig reads --config, or starts the in-process sandbox for
// --sandbox and returns its configuration. stop shuts the sandbox down.
func loadRunConfig(ctx context.Context, io *terminal.IO, f *runFlags) (*config.Config, func(), error) {
	switch {
	case f.sandbox && f.config != "":
		return nil, nil, errors.New("give either --sandbox or --config, not both")
	case f.sandbox:
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
		if !f.asJSON {
			fmt.Fprintf(io.ErrOut, "sandbox: simulating all four vendor APIs at %s (nothing leaves this machine)\n", base)
		}
		return cfg, func() { sb.Close() }, nil
	case f.config != "":
		cfg, err := config.Load(f.config)
		if err != nil {
			return nil, nil, err
		}
		return cfg, func() {}, nil
	}
	return nil, nil, errors.New("say where to send: --config FILE (write one with 'onboard sandbox --write-config FILE' as a start), or --sandbox to try it safely")
}

// confirm asks a person before real accounts are created; without a
// terminal it refuses unless --yes was given.
func confirm(io *terminal.IO, input string, cfg *config.Config) error {
	var where []string
	for _, v := range cfg.Vendors() {
		where = append(where, v.Spec.Label+" ("+v.BaseURL+")")
	}
	if !io.CanPrompt() {
		return errors.New("refusing to create accounts without confirmation when not at a terminal: add --yes (or try --dry-run first)")
	}
	fmt.Fprintf(io.ErrOut, "Create the accounts in %s at %s? [y/N] ", filepath.Base(input), strings.Join(where, ", "))
	answer, _ := bufio.NewReader(io.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errors.New("nothing sent")
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

type runJSON struct {
	Input       string               `json:"input"`
	Report      string               `json:"report"`
	Rows        int                  `json:"rows"`
	Created     int                  `json:"created"`
	Exists      int                  `json:"exists"`
	Invalid     int                  `json:"invalid"`
	Failed      int                  `json:"failed"`
	NotSent     int                  `json:"not_sent"`
	DryRun      bool                 `json:"dry_run,omitempty"`
	Interrupted bool                 `json:"interrupted,omitempty"`
	Results     []batch.Outcome      `json:"results"`
	People      []batch.PersonResult `json:"people,omitempty"`
	Credentials string               `json:"credentials,omitempty"`
}

func resultJSON(res *batch.Result, reportPath string) runJSON {
	out := runJSON{Input: res.Input, Report: reportPath, Rows: len(res.Outcomes),
		Created: res.Count(batch.StatusCreated), Exists: res.Count(batch.StatusExists),
		Invalid: res.Count(batch.StatusInvalid), Failed: res.Count(batch.StatusFailed),
		NotSent: res.Count(batch.StatusNotSent), DryRun: res.DryRun, Interrupted: res.Interrupted,
		Results: res.Outcomes}
	if out.Results == nil {
		out.Results = []batch.Outcome{}
	}
	if len(res.People) > 0 {
		out.People = res.PeopleResults()
	}
	if res.CredentialsCount > 0 {
		out.Credentials = res.Credentials
	}
	return out
}

func printRunSummary(io *terminal.IO, res *batch.Result, reportPath string) {
	w := io.ErrOut
	verb := "Sent"
	if res.DryRun {
		verb = "Dry run of"
	}
	fmt.Fprintf(w, "%s %s: %d rows — %d created, %d already existed, %d invalid, %d failed, %d not sent (%s)\n",
		verb, res.Input, len(res.Outcomes), res.Count(batch.StatusCreated), res.Count(batch.StatusExists),
		res.Count(batch.StatusInvalid), res.Count(batch.StatusFailed), res.Count(batch.StatusNotSent),
		res.End.Sub(res.Start).Round(time.Millisecond))
	for _, name := range res.VendorNames() {
		v := res.Stats.Vendors[name]
		fmt.Fprintf(w, "  %-13s %d requests, %d retries, %d throttled (429)\n", name, v.Requests, v.Retries, v.Throttled)
	}
	shown := 0
	for _, o := range res.Outcomes {
		if o.Status == batch.StatusCreated || o.Status == batch.StatusExists {
			continue
		}
		if shown == 10 {
			fmt.Fprintln(w, "  ... (see the result workbook for every row)")
			break
		}
		fmt.Fprintf(w, "  %s row %d: %s: %s\n", o.Sheet, o.Row, o.Status, o.Message)
		shown++
	}
	if len(res.People) > 0 {
		counts := map[string]int{}
		for _, p := range res.PeopleResults() {
			counts[p.Status]++
		}
		fmt.Fprintf(w, "People: %d all done, %d partly done, %d failed\n", counts[batch.PersonDone], counts[batch.PersonPartial], counts[batch.PersonFailed])
	}
	if res.CredentialsCount > 0 {
		fmt.Fprintf(w, "Generated passwords: %d, in %s only (mode 0600)\n", res.CredentialsCount, res.Credentials)
	}
	if reportPath != "" {
		fmt.Fprintln(w, "Result workbook:", reportPath)
	}
	if res.Interrupted {
		fmt.Fprintln(w, "Interrupted: run the same command again to send the rest.")
	}
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
