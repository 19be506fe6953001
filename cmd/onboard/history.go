package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/terminal"
)

type historyFlags struct {
	config, stateDir, since string
	asJSON                  bool
}

func newHistoryCmd(io *terminal.IO) *cobra.Command {
	f := &historyFlags{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past runs (command line, inbox, schedules, web) from the state",
		Long: `History lists the runs recorded in the state: run ID, where it came from
(cli, inbox, schedule or web), the input and its SHA-256, when it started and
ended, who ran it, its people and accounts by status, and its workbook.
'onboard history show RUN' prints one run's per-person results again (a
unique start of the run ID is enough).

The state is --state, else .onboard-state next to the configuration (found
as for 'onboard run'), else in $ONBOARD_HOME or the working folder.`,
		Example: `  onboard history --since 7d
  onboard history --json --since 24h
  onboard history show 20261130-020000-1a2b`,
		Args: noArgs("onboard history --since 7d"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(io, f)
		},
	}
	addHistoryFlags(cmd, f)
	cmd.Flags().StringVar(&f.since, "since", "", "only runs started this long ago or later: 7d, 12h, 30m (default: all)")
	show := &cobra.Command{
		Use:     "show RUN",
		Short:   "Print one past run's per-person (or per-row) results again",
		Example: "  onboard history show 20261130-020000-1a2b",
		Args:    needInput("the run ID to show (see 'onboard history')", "onboard history show 20261130-020000-1a2b"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistoryShow(io, f, args[0])
		},
	}
	addHistoryFlags(show, f)
	cmd.AddCommand(show)
	return cmd
}

func addHistoryFlags(cmd *cobra.Command, f *historyFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "configuration file whose folder holds the state (default: discovered)")
	fl.StringVar(&f.stateDir, "state", "", "directory of the run state (default <home>/.onboard-state)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON on stdout")
}

// stateDirOf finds the state folder as `onboard run` does; with no
// configuration anywhere, the home folder ($ONBOARD_HOME or ".") is used.
func (f *historyFlags) stateDirOf() (string, error) {
	if f.stateDir != "" {
		return f.stateDir, nil
	}
	path, err := config.Discover(f.config, nil)
	if err != nil && (f.config != "" || !errors.Is(err, config.ErrNoConfig)) {
		return "", err
	}
	if f.config != "" {
		if _, err := os.Stat(f.config); err != nil {
			return "", fmt.Errorf("--config %s: %w", f.config, err)
		}
	}
	return filepath.Join(config.Home(path, nil), ".onboard-state"), nil
}

// parseSince reads "7d", "12h", "90m" (or any Go duration) as a time
// before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	bad := fmt.Errorf("--since %q: give a number of days, hours or minutes, e.g. 7d, 12h or 30m", s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return time.Time{}, bad
		}
		return now.AddDate(0, 0, -n), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, bad
	}
	return now.Add(-d), nil
}

func runHistory(io *terminal.IO, f *historyFlags) error {
	since, err := parseSince(f.since, time.Now())
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	dir, err := f.stateDirOf()
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	runs, err := history.List(dir, since)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	if f.asJSON {
		for i := range runs { // the list is the summary; `show` has the rows
			runs[i].Persons, runs[i].Results = nil, nil
		}
		if runs == nil {
			runs = []history.Run{}
		}
		return writeJSON(io.Out, struct {
			Schema  int           `json:"schema"`
			Command string        `json:"command"`
			State   string        `json:"state"`
			Runs    []history.Run `json:"runs"`
		}{jsonSchema, "history", dir, runs})
	}
	printHistory(io.Out, dir, runs, f.since)
	return nil
}

func printHistory(w io.Writer, dir string, runs []history.Run, since string) {
	if len(runs) == 0 {
		if since != "" {
			fmt.Fprintf(w, "No runs in the last %s in %s.\n", since, dir)
		} else {
			fmt.Fprintf(w, "No runs recorded in %s yet.\n", dir)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSOURCE\tSTARTED\tTOOK\tWHO\tOUTCOME\tPEOPLE\tACCOUNTS/ROWS\tINPUT")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Source, r.Started.Local().Format("2006-01-02 15:04"),
			r.Ended.Sub(r.Started).Round(time.Second), r.Who, r.Outcome, countsText(r.People), countsText(&r.Records), shown(r.Input))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%s. 'onboard history show RUN' prints a run's results again.\n", outcome.Plural(len(runs), "run", "runs"))
}

// countsText is "13: 8 all done, 5 needs fixing", or "-" for none.
func countsText(c *history.Counts) string {
	if c == nil || c.Total == 0 {
		return "-"
	}
	keys := make([]string, 0, len(c.ByStatus))
	for k := range c.ByStatus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", c.ByStatus[k], strings.ReplaceAll(k, "_", " "))
	}
	return fmt.Sprintf("%d: %s", c.Total, strings.Join(parts, ", "))
}

func runHistoryShow(io *terminal.IO, f *historyFlags, id string) error {
	dir, err := f.stateDirOf()
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	r, err := history.Get(dir, id)
	if err != nil {
		return exitWith(exitUnusable, err)
	}
	if f.asJSON {
		return writeJSON(io.Out, struct {
			Schema  int    `json:"schema"`
			Command string `json:"command"`
			history.Run
		}{jsonSchema, "history show", r})
	}
	printRun(io.Out, r)
	return nil
}

// printRun prints one run: its facts, then one line per person (HR
// sheets) or per record, with its status, systems and problems.
func printRun(w io.Writer, r history.Run) {
	fmt.Fprintf(w, "Run %s (%s) by %s\n", r.ID, r.Source, orDash(r.Who))
	fmt.Fprintf(w, "  Input:    %s\n", r.Input)
	if r.InputHash != "" {
		fmt.Fprintf(w, "  SHA-256:  %s\n", r.InputHash)
	}
	fmt.Fprintf(w, "  Started:  %s, ended %s\n", r.Started.Local().Format("2006-01-02 15:04:05"), r.Ended.Local().Format("15:04:05"))
	fmt.Fprintf(w, "  Outcome:  %s", r.Outcome)
	if r.Verdict != "" {
		fmt.Fprintf(w, " — %s", r.Verdict)
	}
	fmt.Fprintln(w)
	if r.People != nil {
		fmt.Fprintf(w, "  People:   %s\n", countsText(r.People))
	}
	fmt.Fprintf(w, "  Accounts: %s\n", countsText(&r.Records))
	if r.Report != "" {
		fmt.Fprintf(w, "  Workbook: %s\n", r.Report)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "  Note:", n)
	}
	for _, p := range r.SheetProblems {
		fmt.Fprintln(w, "  Problem:", p)
	}
	if len(r.Persons) > 0 {
		printPersons(w, r)
		return
	}
	for _, rec := range r.Results {
		line := fmt.Sprintf("  %s row %d, %s %s: %s", rec.Sheet, rec.Row, rec.System, rec.Key, rec.Status)
		if rec.ID != "" {
			line += " (ID " + rec.ID + ")"
		}
		if rec.Message != "" {
			line += ": " + rec.Message
		}
		fmt.Fprintln(w, line)
	}
}

func printPersons(w io.Writer, r history.Run) {
	for _, p := range r.Persons {
		fmt.Fprintf(w, "  row %d, %s: %s\n", p.Row, p.Name, p.Status)
		targets := make([]string, 0, len(p.Systems))
		for t := range p.Systems {
			targets = append(targets, t)
		}
		sort.Strings(targets)
		for _, t := range targets {
			s := p.Systems[t]
			line := fmt.Sprintf("    %s: %s", s.Name, s.Status)
			if s.ID != "" {
				line += " (ID " + s.ID + ")"
			}
			fmt.Fprintln(w, line)
		}
		for _, msg := range p.Problems {
			fmt.Fprintln(w, "    to fix:", msg)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
