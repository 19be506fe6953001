package web

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/history"
)

// maxHistoryRuns bounds the run records the history page lists (the
// newest); `onboard history` lists them all.
const maxHistoryRuns = 200

// historyData is the history page's: the batches the person may see and
// the run records of the state's history (every source for IT and admins,
// only their own batches' web runs for HR).
type historyData struct {
	Batches []*Batch
	Runs    []runRow
	Admin   bool
	// Kept is false when the server keeps no run history.
	Kept bool
	// AllSources is true for IT and admins, who see every source's runs.
	AllSources bool
	// More counts the older runs left off the page.
	More int
	// RunsProblem says why the run history could not be shown.
	RunsProblem string
}

// runRow is one run record as the history page shows it: no path, only
// the input's file name.
type runRow struct {
	ID, Source, Input, Who, Outcome string
	Started                         time.Time
	DryRun                          bool
	People, Records                 string
	// Link is set when the person may open the run's own page (IT).
	Link bool
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	id := who(r)
	list, err := s.visibleBatches(id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The batches could not be read; the server log says why.")
		return
	}
	d := historyData{Batches: list, Admin: id.Role.CanAudit(), Kept: s.opt.HistoryDir != "", AllSources: id.Role.CanSeeAll()}
	if d.Kept {
		runs, err := s.visibleRuns(id, list)
		if err != nil {
			s.log.Error("read the run history", "error", err)
			d.RunsProblem = "The run history could not be read just now; reload the page in a moment. The server log says why."
		}
		d.Runs, d.More = runRows(runs, id.Role.CanRun())
	}
	s.render(w, r, http.StatusOK, "history.html", "History", d)
}

// visibleRuns returns the history's run records the person may see,
// newest first: all of them for IT and admins; for HR only the web runs
// of the batches in own.
func (s *Server) visibleRuns(id *Identity, own []*Batch) ([]history.Run, error) {
	all, err := history.List(s.opt.HistoryDir, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("list the runs in %s: %w", s.opt.HistoryDir, err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Started.After(all[j].Started) })
	if id.Role.CanSeeAll() {
		return all, nil
	}
	mine := map[string]bool{}
	for _, b := range own {
		if b.Run != nil && b.Run.RunID != "" {
			mine[b.Run.RunID] = true
		}
	}
	var out []history.Run
	for _, r := range all {
		if r.Source == history.Web && mine[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// runRows turns the newest maxHistoryRuns runs into rows and says how
// many were left off.
func runRows(runs []history.Run, link bool) ([]runRow, int) {
	more := 0
	if len(runs) > maxHistoryRuns {
		more, runs = len(runs)-maxHistoryRuns, runs[:maxHistoryRuns]
	}
	rows := make([]runRow, 0, len(runs))
	for _, r := range runs {
		row := runRow{ID: r.ID, Source: r.Source, Input: inputName(r.Input), Who: r.Who, Outcome: r.Outcome,
			Started: r.Started, DryRun: r.DryRun, Records: countsText(r.Records), Link: link}
		if r.People != nil {
			row.People = countsText(*r.People)
		}
		rows = append(rows, row)
	}
	return rows, more
}

// inputName is the file name of a run's input, without its folder (the
// page shows no server path).
func inputName(in string) string {
	if in == "" {
		return ""
	}
	return filepath.Base(filepath.FromSlash(strings.ReplaceAll(in, `\`, "/")))
}

// countsText says counts in words: "4: 3 created, 1 failed".
func countsText(c history.Counts) string {
	keys := make([]string, 0, len(c.ByStatus))
	for k, n := range c.ByStatus {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", c.ByStatus[k], strings.ReplaceAll(k, "_", " ")))
	}
	if len(parts) == 0 {
		return fmt.Sprint(c.Total)
	}
	return fmt.Sprintf("%d: %s", c.Total, strings.Join(parts, ", "))
}
