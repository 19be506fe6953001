package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/validate"
)

func init() { commands = append(commands, newValidateCmd) }

// How many errors and warnings the plain-text summary lists; the report
// and --json have them all.
const (
	errorsListed   = 20
	warningsListed = 10
)

type validateFlags struct {
	target, report   string
	plan, config     string
	noReport, asJSON bool
	defaults         validate.Defaults
}

func newValidateCmd(io *terminal.IO) *cobra.Command {
	f := &validateFlags{defaults: validate.Defaults{}}
	cmd := &cobra.Command{
		Use:   "validate INPUT",
		Short: "Check every row of INPUT against the vendors' rules without sending anything",
		Long: `Validate reads INPUT (.xlsx or .csv), finds the target of each sheet by its name
(a CSV by its file name or --target), and checks every cell against the vendor's
rules: required values, numbers and ranges, yes/no, allowed values, e-mail and
phone formats, and values that must be unique. Nothing is sent anywhere.

It writes a validation report workbook (reports/<input>-validation-<time>.xlsx
unless --report or --no-report): the input with every invalid cell in red and
the reason in a comment, plus a Status and an Errors column per row.

Exit codes: 0 every row valid; 1 some rows invalid; 2 unusable input or
arguments.`,
		Example: `  onboard validate new-hires.xlsx
  onboard validate acefone.user.csv --json
  onboard validate hires.csv --target cove.user --default cove.PartnerId=123456`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd.Context(), io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.target, "target", "", "target ID for a CSV (or workbook sheets) whose name names none, e.g. cove.user")
	fl.StringVar(&f.report, "report", "", "validation report path (default reports/<input>-validation-<time>.xlsx)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write a validation report")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as one JSON document on stdout")
	fl.Var(defaultsFlag{f.defaults}, "default", "default value VENDOR.FIELD=VALUE for empty cells or a missing column (repeatable)")
	fl.StringVar(&f.plan, "plan", "", "onboarding plan (YAML): read INPUT as an HR new-hire sheet, one row per person")
	fl.StringVar(&f.config, "config", "", "run configuration whose path-field defaults (domain, PropertySid, PartnerId) apply")
	return cmd
}

func runValidate(parent context.Context, io *terminal.IO, input string, f *validateFlags) error {
	if parent == nil {
		parent = context.Background()
	}
	if f.report != "" && f.noReport {
		return exitWith(exitUnusable, errors.New("--report and --no-report cannot be used together"))
	}
	if f.report != "" && !strings.EqualFold(filepath.Ext(f.report), ".xlsx") {
		return exitWith(exitUnusable, fmt.Errorf("--report %s: the report is a workbook; give a path ending in .xlsx", f.report))
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if f.config != "" {
		cfg, err := config.Load(f.config)
		if err != nil {
			return exitWith(exitUnusable, err)
		}
		f.defaults = f.defaults.Over(cfg.Defaults())
	}
	if f.plan != "" {
		return validateHires(io, input, f)
	}

	start := time.Now()
	in, err := intake.Open(input, intake.Options{})
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	defer in.Close()

	var handler validate.Handler
	var rep *report.Validation
	if !f.noReport {
		if rep, err = report.NewValidation(input, start); err != nil {
			return exitWith(exitUnusable, err)
		}
		defer rep.Close()
		handler = rep
	}
	sum, err := validate.Run(ctx, in, validate.Options{Target: f.target, Defaults: f.defaults}, handler)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return exitWith(exitInterrupted, errors.New("interrupted: nothing was written"))
		}
		return exitWith(exitUnusable, err)
	}
	if rep != nil {
		path := f.report
		if path == "" {
			path = report.DefaultPath(input, "validation", start)
		}
		if err := rep.Save(path, sum); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("cannot write the validation report: %w", err))
		}
		sum.Report = path
	}

	if f.asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("write JSON: %w", err))
		}
	} else {
		printValidateSummary(io.ErrOut, sum, time.Since(start))
	}
	if !sum.OK() {
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}

// printValidateSummary writes the plain-text outcome for a person: counts
// per sheet, the first problems with sheet, cell and message, and where
// the report is.
func printValidateSummary(w io.Writer, sum *validate.Summary, took time.Duration) {
	fmt.Fprintf(w, "Checked %s: %d rows, %d valid, %d invalid (%s)\n", sum.Input, sum.Rows, sum.Valid, sum.Invalid, took.Round(time.Millisecond))
	for _, t := range sum.Targets {
		fmt.Fprintf(w, "  %s (%s): %d rows, %d valid, %d invalid\n", t.Sheet, t.Target, t.Rows, t.Valid, t.Invalid)
	}
	if len(sum.IgnoredSheets) > 0 {
		fmt.Fprintf(w, "Ignored sheets (no target has these names): %s\n", strings.Join(sum.IgnoredSheets, ", "))
	}
	list := func(what string, issues []validate.Issue, total, limit int) {
		if total == 0 {
			return
		}
		fmt.Fprintf(w, "%d %s:\n", total, plural(total, what))
		shown := 0
		show := func(first bool) {
			for _, is := range issues {
				if shown == limit {
					return
				}
				if is.SheetLevel() == first {
					fmt.Fprintf(w, "  %s\n", is.Message)
					shown++
				}
			}
		}
		show(true) // problems with whole sheets first: they show on no cell
		show(false)
		if total > shown {
			fmt.Fprintf(w, "  ... and %d more (see the report or --json)\n", total-shown)
		}
	}
	list("error", sum.Errors, sum.ErrorCount(), errorsListed)
	list("warning", sum.Warnings, sum.WarningCount(), warningsListed)
	if sum.OK() && sum.Rows > 0 {
		fmt.Fprintln(w, "All rows are valid.")
	}
	if sum.Report != "" {
		fmt.Fprintf(w, "Report: %s\n", sum.Report)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// hiresValidation is the JSON of `onboard validate --plan`: every finding
// on the HR cell (or plan line) that caused it.
type hiresValidation struct {
	Input    string           `json:"input"`
	Sheet    string           `json:"sheet"`
	People   int              `json:"people"`
	Records  int              `json:"records"`
	Ready    int              `json:"ready"`
	Errors   []*hires.Problem `json:"errors"`
	Warnings []*hires.Problem `json:"warnings"`
	Notes    []*hires.Problem `json:"notes"`
	Report   string           `json:"report"`
}

// validateHires checks an HR new-hire sheet through a plan.
func validateHires(io *terminal.IO, input string, f *validateFlags) error {
	start := time.Now()
	p, err := hires.LoadPlan(f.plan)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	in, err := intake.Open(input, intake.Options{})
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	defer in.Close()
	// Without a config or --default, path fields that come from the run
	// config are only warned about (hires.Options.Defaults nil).
	var defaults map[string]map[string]string
	if f.config != "" || len(f.defaults) > 0 {
		defaults = f.defaults
	}
	b, err := p.Process(in, hires.Options{Defaults: defaults})
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	out := hiresValidation{Input: input, Sheet: b.Sheet, People: len(b.People), Records: len(b.Records), Ready: len(b.Ready()),
		Errors: []*hires.Problem{}, Warnings: []*hires.Problem{}, Notes: []*hires.Problem{}}
	for _, pr := range b.Problems {
		switch pr.Severity {
		case hires.SeverityError:
			out.Errors = append(out.Errors, pr)
		case hires.SeverityWarning:
			out.Warnings = append(out.Warnings, pr)
		default:
			out.Notes = append(out.Notes, pr)
		}
	}
	if !f.noReport {
		path := f.report
		if path == "" {
			path = report.DefaultPath(input, "validation", start)
		}
		if err := report.WriteHiresValidation(path, in, b); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("cannot write the validation report: %w", err))
		}
		out.Report = path
	}
	if f.asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("write JSON: %w", err))
		}
	} else {
		w := io.ErrOut
		fmt.Fprintf(w, "Checked %s (sheet %s): %d people, %d vendor records, %d ready to send (%s)\n",
			input, b.Sheet, out.People, out.Records, out.Ready, time.Since(start).Round(time.Millisecond))
		for _, list := range []struct {
			name string
			ps   []*hires.Problem
		}{{"error", out.Errors}, {"warning", out.Warnings}, {"note", out.Notes}} {
			for _, pr := range list.ps {
				if pr.Row > 0 {
					fmt.Fprintf(w, "  %s: row %d: %s\n", list.name, pr.Row, pr.Message)
				} else {
					fmt.Fprintf(w, "  %s: %s\n", list.name, pr.Message)
				}
			}
		}
		if out.Report != "" {
			fmt.Fprintln(w, "Report:", out.Report)
		}
	}
	if len(out.Errors) > 0 {
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}
