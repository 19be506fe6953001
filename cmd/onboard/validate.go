package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/validate"
)

// How many errors and warnings the plain-text summary lists; the report
// marks every one, --json lists the first 10,000 (errors_omitted counts
// the rest).
const (
	errorsListed   = 20
	warningsListed = 10
)

type validateFlags struct {
	target, report   string
	plan, config     string
	noReport, asJSON bool
	includeHidden    bool
	defaults         validate.Defaults
	reportsDir       string // where reports go by default
	haveConfig       bool   // a configuration was found: IT's notes apply
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
		Args: needInput("the spreadsheet to check", "onboard validate new-hires.xlsx --plan plan.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd.Context(), io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.target, "target", "", "target ID for a CSV (or workbook sheets) whose name names none, e.g. cove.user")
	fl.StringVar(&f.report, "report", "", "validation report path (default reports/<input>-validation-<time>.xlsx)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write a validation report")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as one JSON document on stdout")
	fl.BoolVar(&f.includeHidden, "include-hidden", false, "also read sheets hidden in the workbook (skipped with a warning by default)")
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
	ctx := parent // cancelled by main's interrupt handler
	defer streamingGC()()

	cfgPath, err := f.loadDefaults()
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	f.reportsDir = filepath.Join(config.Home(cfgPath, nil), report.Dir)
	if f.report != "" {
		if err := report.CheckOutput(f.report, input, f.plan, cfgPath); err != nil {
			return exitWith(exitUnusable, err)
		}
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
	sum, err := validate.Run(ctx, in, validate.Options{Target: f.target, Defaults: f.defaults, IncludeHidden: f.includeHidden}, handler)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return exitWith(exitInterrupted, errors.New("interrupted: nothing was written"))
		}
		return exitWith(exitUnusable, err)
	}
	if rep != nil {
		path := f.report
		if path == "" {
			path = report.DefaultPath(f.reportsDir, input, "validation", batch.NewRunID(start))
		}
		if err := rep.Save(path, sum); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("cannot write the validation report: %w", err))
		}
		sum.Report = path
	}

	if f.asJSON {
		doc := struct {
			Schema  int    `json:"schema"`
			Command string `json:"command"`
			OK      bool   `json:"ok"`
			*validate.Summary
		}{jsonSchema, "validate", sum.OK() && sum.Rows > 0, sum}
		if err := writeJSON(io.Out, doc); err != nil {
			return exitWith(exitUnusable, err)
		}
	} else {
		printValidateSummary(io.ErrOut, sum, time.Since(start))
	}
	if sum.Rows == 0 {
		why := "the sheet has a header but no rows under it"
		if len(sum.Notes) > 0 {
			why = "only the template's example row, which is never sent; type the rows under the header"
		}
		return exitWith(exitRowsInvalid, fmt.Errorf("no rows found in %s: %s", input, why))
	}
	if !sum.OK() {
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}

// loadDefaults reads the configuration, when one is given or found, for
// its path-field defaults; validation needs none. It returns the config's
// path ("" when none).
func (f *validateFlags) loadDefaults() (string, error) {
	path, err := config.Discover(f.config, nil)
	if err != nil {
		if f.config != "" {
			return "", err
		}
		return "", nil // no configuration anywhere: fine for checking a sheet
	}
	cfg, err := config.Load(path)
	if err != nil {
		return "", err
	}
	f.defaults = f.defaults.Over(cfg.Defaults())
	f.haveConfig = true
	return path, nil
}

// printValidateSummary writes the plain-text outcome for a person: counts
// per sheet, the first problems with sheet, cell and message, and where
// the report is.
func printValidateSummary(w io.Writer, sum *validate.Summary, took time.Duration) {
	fmt.Fprintf(w, "Checked %s: %s, %d valid, %d invalid (%s)\n", sum.Input, outcome.Plural(sum.Rows, "row", "rows"), sum.Valid, sum.Invalid, took.Round(time.Millisecond))
	for _, t := range sum.Targets {
		fmt.Fprintf(w, "  %s (%s): %s, %d valid, %d invalid\n", t.Sheet, t.Target, outcome.Plural(t.Rows, "row", "rows"), t.Valid, t.Invalid)
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
	for _, n := range sum.Notes {
		fmt.Fprintf(w, "Note: %s\n", n.Message)
	}
	if sum.OK() && sum.Rows > 0 {
		fmt.Fprintln(w, "All rows are valid.")
	}
	if sum.Report != "" {
		fmt.Fprintf(w, "Report: %s\n", shown(sum.Report))
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// hiresValidation is the JSON of `onboard validate --plan`: the people
// and their readiness, and every finding on the HR cell (or plan line)
// that caused it.
type hiresValidation struct {
	Schema   int              `json:"schema"`
	Command  string           `json:"command"`
	Input    string           `json:"input"`
	Sheet    string           `json:"sheet"`
	OK       bool             `json:"ok"`
	People   countsJSON       `json:"people"`
	Records  countsJSON       `json:"records"`
	Persons  []outcome.Person `json:"persons"`
	Errors   []*hires.Problem `json:"errors"`
	Warnings []*hires.Problem `json:"warnings"`
	Notes    []*hires.Problem `json:"notes"`
	Report   string           `json:"report"`
}

// streamingGC lets the garbage collector run half as often while a
// sheet is validated: the run streams, so its live heap stays small
// whatever the input's size, and collecting at every doubling of it (the
// default) cost 15% of the instructions on a CSV. Peak RSS at GOGC 100,
// 200, 300, 400 on 1M-row CSVs (all valid / a fifth invalid, no report):
// 75/-, 84/101, 97/115, 106/132 MB against the issue's 120 MB ceiling;
// instructions on 100k rows 1,332, 1,237, -, 1,134 M. 200 keeps a margin.
// With a report: 100k-row workbook 56 -> 62 MB, 1M all-invalid CSV
// 120 -> 135 MB (ceilings 150 and 200 MB). GOGC, when set, wins. The
// returned function restores the previous setting.
func streamingGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(200)
	return func() { debug.SetGCPercent(old) }
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
	if f.haveConfig || len(f.defaults) > 0 {
		defaults = f.defaults
	}
	b, err := p.Process(in, hires.Options{Defaults: defaults})
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	res := batch.CheckHires(input, b)
	out := hiresDocument(res, b)
	if !f.noReport {
		path := f.report
		if path == "" {
			path = report.DefaultPath(f.reportsDir, input, "validation", batch.NewRunID(start))
		}
		if err := report.WriteHiresValidation(path, in, b, res); err != nil {
			return exitWith(exitUnusable, fmt.Errorf("cannot write the validation report: %w", err))
		}
		out.Report = path
	}
	if f.asJSON {
		if err := writeJSON(io.Out, out); err != nil {
			return exitWith(exitUnusable, err)
		}
	} else {
		printHiresValidation(io.ErrOut, res, out, !f.haveConfig, time.Since(start))
	}
	switch {
	case len(b.People) == 0:
		return exitWith(exitRowsInvalid, fmt.Errorf("no people found in %s: sheet %q has a header but no rows under it", input, b.Sheet))
	case len(out.Errors) > 0:
		return exitWith(exitRowsInvalid, nil)
	}
	return nil
}

func hiresDocument(res *outcome.Result, b *hires.Batch) hiresValidation {
	out := hiresValidation{Schema: jsonSchema, Command: "validate", Input: res.Input, Sheet: b.Sheet, Persons: res.People,
		OK: res.OK() && len(res.People) > 0, Errors: []*hires.Problem{}, Warnings: []*hires.Problem{}, Notes: []*hires.Problem{}}
	out.People = countsJSON{Total: len(res.People), ByStatus: map[string]int{}}
	for st, n := range res.PeopleCounts() {
		out.People.ByStatus[jsonKey(st.String())] = n
	}
	out.Records = countsJSON{Total: len(res.Records), ByStatus: map[string]int{}}
	for st, n := range res.Counts() {
		out.Records.ByStatus[jsonKey(st.String())] = n
	}
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
	return out
}

// forIT reports whether a finding is about the run configuration rather
// than the sheet: HR cannot act on it, so it is left out of HR's view
// when no configuration is at hand.
func forIT(p *hires.Problem) bool {
	return p.Rule == hires.RuleDefault || p.Rule == hires.RulePending
}

// printHiresValidation tells HR, in people, who is ready and what to fix:
// one line per person and problem, with its cell.
func printHiresValidation(w io.Writer, res *outcome.Result, out hiresValidation, hideIT bool, took time.Duration) {
	fmt.Fprintf(w, "Checked %s (sheet %s): %s (%s)\n", res.Input, out.Sheet, res.PeopleHeadline(), took.Round(time.Millisecond))
	var lines []string
	lines = append(lines, res.SheetProblems...)
	for _, p := range res.People {
		for _, msg := range p.Problems {
			lines = append(lines, fmt.Sprintf("row %d, %s: %s", p.Row, p.Name, msg))
		}
	}
	for _, r := range res.Records {
		if r.Shared && r.Status.Problem() {
			lines = append(lines, fmt.Sprintf("row %d, %s for the office: %s", r.Row, r.System, r.Message))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "To fix (%d):\n", len(lines))
		for i, l := range lines {
			if i == errorsListed {
				fmt.Fprintf(w, "  ... and %d more: see the report\n", len(lines)-i)
				break
			}
			fmt.Fprintln(w, "  "+l)
		}
	}
	hidden := 0
	var warnings []string
	for _, pr := range append(append([]*hires.Problem{}, out.Warnings...), out.Notes...) {
		if hideIT && forIT(pr) {
			hidden++
			continue
		}
		if pr.Row > 0 {
			warnings = append(warnings, fmt.Sprintf("row %d: %s", pr.Row, pr.Message))
		} else {
			warnings = append(warnings, pr.Message)
		}
	}
	if len(warnings) > 0 {
		fmt.Fprintf(w, "Worth a look (%d):\n", len(warnings))
		for i, l := range warnings {
			if i == warningsListed {
				fmt.Fprintf(w, "  ... and %d more: see the report\n", len(warnings)-i)
				break
			}
			fmt.Fprintln(w, "  "+l)
		}
	}
	if hidden > 0 {
		fmt.Fprintf(w, "(%s for IT about the run configuration not shown: give --config, or see --json)\n", outcome.Plural(hidden, "note", "notes"))
	}
	if out.Report != "" {
		fmt.Fprintln(w, "Report:", shown(out.Report))
	}
	if len(res.People) > 0 && res.OK() {
		fmt.Fprintln(w, "Everyone is ready.")
	}
}
