package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/terminal"
)

// problemsListed bounds the problems the plain-text summary lists; the
// workbook and --json have them all.
const problemsListed = 20

// jsonSchema is the version of every JSON document onboard prints.
const jsonSchema = 1

// writeRunFiles writes the result (or dry-run) workbook and the results
// CSV, recording their paths in res. Both are attempted; the errors are
// joined.
func writeRunFiles(ctx context.Context, res *batch.Result, workbook, csvPath string) error {
	var errs []error
	src := report.Source{Validate: res.ValidateOptions, HRSheet: res.HRSheet, PasswordColumn: res.PasswordColumn}
	if workbook != "" {
		if err := report.WriteResult(ctx, workbook, &res.Result, src); err != nil {
			errs = append(errs, fmt.Errorf("the result workbook: %w", err))
		} else {
			res.Report = workbook
		}
	}
	if csvPath != "" {
		if err := report.WriteResultsCSV(csvPath, &res.Result); err != nil {
			errs = append(errs, fmt.Errorf("the results CSV: %w", err))
		} else {
			res.ResultsCSV = csvPath
		}
	}
	return errors.Join(errs...)
}

// runJSON is the one document `onboard run --json` prints.
type runJSON struct {
	Schema        int                   `json:"schema"`
	Command       string                `json:"command"`
	RunID         string                `json:"run_id"`
	Input         string                `json:"input"`
	DryRun        bool                  `json:"dry_run"`
	Interrupted   bool                  `json:"interrupted"`
	OK            bool                  `json:"ok"`
	Verdict       string                `json:"verdict"`
	Started       time.Time             `json:"started"`
	Seconds       float64               `json:"seconds"`
	People        *countsJSON           `json:"people,omitempty"`
	Records       countsJSON            `json:"records"`
	SheetProblems []string              `json:"sheet_problems"`
	Notices       []string              `json:"notices,omitempty"`
	Persons       []outcome.Person      `json:"persons,omitempty"`
	Results       []outcome.Record      `json:"results"`
	Vendors       []outcome.VendorStats `json:"vendors"`
	Report        string                `json:"report,omitempty"`
	ResultsCSV    string                `json:"results_csv,omitempty"`
	Credentials   string                `json:"credentials,omitempty"`
	NewPasswords  int                   `json:"new_passwords"`
}

// countsJSON is a total and the count per status ("done_earlier": 3).
type countsJSON struct {
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

func jsonKey(s string) string { return strings.ReplaceAll(s, " ", "_") }

func runDocument(res *batch.Result) runJSON {
	doc := runJSON{Schema: jsonSchema, Command: "run", RunID: res.RunID, Input: res.Input, DryRun: res.DryRun,
		Interrupted: res.Interrupted, OK: res.OK() && len(res.Records)+len(res.People) > 0, Verdict: res.Verdict(),
		Started: res.Start, Seconds: res.End.Sub(res.Start).Seconds(), SheetProblems: res.SheetProblems, Notices: res.Notices,
		Persons: res.People, Results: res.Records, Vendors: res.Vendors, Report: res.Report, ResultsCSV: res.ResultsCSV,
		Credentials: res.Credentials, NewPasswords: res.NewPasswords}
	doc.Records = countsJSON{Total: len(res.Records), ByStatus: map[string]int{}}
	for st, n := range res.Counts() {
		doc.Records.ByStatus[jsonKey(st.String())] = n
	}
	if res.People != nil {
		doc.People = &countsJSON{Total: len(res.People), ByStatus: map[string]int{}}
		for st, n := range res.PeopleCounts() {
			doc.People.ByStatus[jsonKey(st.String())] = n
		}
	}
	if doc.SheetProblems == nil {
		doc.SheetProblems = []string{}
	}
	if doc.Results == nil {
		doc.Results = []outcome.Record{}
	}
	if doc.Vendors == nil {
		doc.Vendors = []outcome.VendorStats{}
	}
	return doc
}

func writeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// printRunSummary tells a person what happened: in people when the sheet
// is an HR sheet, each problem once with its cell, then where the files
// are, then what to do.
func printRunSummary(io *terminal.IO, res *batch.Result) {
	w := io.ErrOut
	verb := "Ran"
	if res.DryRun {
		verb = "Dry run of"
	}
	took := res.End.Sub(res.Start).Round(time.Millisecond)
	if res.People != nil {
		fmt.Fprintf(w, "%s %s: %s (%s)\n", verb, res.Input, res.PeopleHeadline(), took)
		fmt.Fprintf(w, "  %s\n", res.RecordsHeadline("account", "accounts"))
	} else {
		fmt.Fprintf(w, "%s %s: %s (%s)\n", verb, res.Input, res.RecordsHeadline("row", "rows"), took)
	}
	for _, n := range res.Notices {
		fmt.Fprintln(w, "Note:", n)
	}
	printProblems(w, res)
	if line := requestsLine(res); line != "" {
		fmt.Fprintln(w, line)
	}
	if res.NewPasswords > 0 {
		fmt.Fprintf(w, "Generated passwords: %d new, in %s only (readable by you alone)\n", res.NewPasswords, shown(res.Credentials))
	}
	if res.Report != "" {
		label := "Result workbook:"
		if res.DryRun {
			label = "Dry-run workbook:"
		}
		fmt.Fprintln(w, label, shown(res.Report))
	}
	if res.ResultsCSV != "" {
		fmt.Fprintln(w, "Results CSV:", shown(res.ResultsCSV))
	}
	if len(res.Records)+len(res.People) > 0 {
		fmt.Fprintln(w, res.Verdict())
	}
}

// printProblems lists what a person must fix: one line per person and
// problem (HR sheets) or per row (per-vendor sheets).
func printProblems(w io.Writer, res *batch.Result) {
	var lines []string
	for _, p := range res.SheetProblems {
		lines = append(lines, p)
	}
	if res.People != nil {
		for _, p := range res.People {
			for _, msg := range p.Problems {
				lines = append(lines, fmt.Sprintf("row %d, %s: %s", p.Row, p.Name, msg))
			}
		}
	}
	for _, r := range res.Records {
		if r.Status.Problem() && (res.People == nil || r.Shared) {
			lines = append(lines, recordProblem(r, res.People != nil))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "To fix (%d):\n", len(lines))
	for i, l := range lines {
		if i == problemsListed {
			fmt.Fprintf(w, "  ... and %d more: see the workbook\n", len(lines)-i)
			break
		}
		fmt.Fprintln(w, "  "+l)
	}
}

// recordProblem is one line about a record a person must fix: its sheet
// and row (a per-vendor sheet says which system it is), or for an HR
// sheet's shared record (a site) the system and the row it came from.
func recordProblem(r outcome.Record, people bool) string {
	if people {
		return fmt.Sprintf("row %d, %s for the office: %s", r.Row, r.System, r.Message)
	}
	return fmt.Sprintf("%s row %d: %s", r.Sheet, r.Row, r.Message)
}

// requestsLine sums up the requests per vendor in one line, or "" when
// none were sent.
func requestsLine(res *batch.Result) string {
	var parts []string
	retries, throttled := 0, 0
	for _, v := range res.Vendors {
		if v.Requests == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d", v.System, v.Requests))
		retries += v.Retries
		throttled += v.Throttled
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("Requests: %s (%d retried, %d throttled)", strings.Join(parts, ", "), retries, throttled)
}

// shown is a path as a person reads it: relative to the working folder
// when it lies inside it, else as given.
func shown(path string) string {
	if path == "" || !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
