package report

import (
	"fmt"

	"github.com/onboard/onboard/internal/outcome"
)

// problemsShown bounds the problems listed on a result Summary; every one
// is still on its row.
const problemsShown = 200

// resultSummary is the result workbook's first sheet: the verdict, the
// problems a person must act on (one line per person and problem), then
// the counts in people and in records.
func resultSummary(res *outcome.Result, sheets map[string]string) Summary {
	title := "Result"
	if res.DryRun {
		title = "Dry run: nothing was sent"
	}
	verdictTone := Good
	if !res.OK() {
		verdictTone = Bad
	}
	if res.Interrupted || res.DryRun && res.OK() {
		verdictTone = Caution
	}
	s := Summary{Title: title, Facts: []Fact{
		{Label: "Result", Value: res.Verdict(), Tone: verdictTone},
		{Label: "Input", Value: res.Input},
		{Label: "When", Value: res.Start.Format("2006-01-02 15:04 MST")},
	}}
	if res.People != nil {
		s.Facts = append(s.Facts, Fact{Label: "People", Value: res.PeopleHeadline()})
		s.Facts = append(s.Facts, Fact{Label: "Accounts", Value: res.RecordsHeadline("account", "accounts")})
	} else {
		s.Facts = append(s.Facts, Fact{Label: "Rows", Value: res.RecordsHeadline("row", "rows")})
	}
	if res.NewPasswords > 0 {
		s.Facts = append(s.Facts, Fact{Label: "Generated passwords", Value: fmt.Sprintf(
			"%d new, in %s only (readable by you alone; hand them over, then delete the file)", res.NewPasswords, res.Credentials)})
	}
	s.Tables = append(s.Tables, problemsTable(res, sheets))
	if res.People != nil {
		s.Tables = append(s.Tables, peopleCounts(res))
	}
	s.Tables = append(s.Tables, recordCounts(res))
	s.Facts = append(s.Facts, Fact{Label: "More", Value: "The IT details sheet has the requests per vendor and the configuration used."})
	return s
}

// problemsTable lists what a person must act on: in people for HR sheets,
// by row for per-vendor sheets.
func problemsTable(res *outcome.Result, sheets map[string]string) Table {
	t := Table{Title: "Problems to fix", Header: []string{"Sheet", "Row", "Who", "Problem"}}
	add := func(sheet string, row int, who, msg string) {
		if len(t.Rows) < problemsShown {
			t.Rows = append(t.Rows, []Cell{{Value: sheets[sheet]}, {Value: row}, {Value: who}, {Value: msg, Tone: Bad}})
		}
	}
	total := 0
	for _, msg := range res.SheetProblems {
		t.Rows = append(t.Rows, []Cell{{Value: ""}, {Value: ""}, {Value: "everyone"}, {Value: msg, Tone: Bad}})
		total++
	}
	if res.People != nil {
		for _, p := range res.People {
			for _, msg := range p.Problems {
				add(p.Sheet, p.Row, p.Name, msg)
				total++
			}
		}
		for _, r := range res.Records {
			if r.Shared && r.Status.Problem() {
				add(r.Sheet, r.Row, r.System+" "+r.Key, r.Message)
				total++
			}
		}
	} else {
		for _, r := range res.Records {
			if r.Status.Problem() {
				add(r.Sheet, r.Row, r.System+" "+r.Key, r.Message)
				total++
			}
		}
	}
	switch {
	case total == 0:
		t.Note = "none"
	case total > len(t.Rows):
		t.Note = fmt.Sprintf("%d of %d problems listed here; every one is on its row", len(t.Rows), total)
	}
	return t
}

func peopleCounts(res *outcome.Result) Table {
	t := Table{Title: "People", Header: []string{"Status", "People"}}
	c := res.PeopleCounts()
	for _, st := range []outcome.PersonStatus{outcome.AllDone, outcome.PartlyDone, outcome.NotFinished, outcome.PersonFailed, outcome.Ready, outcome.NeedsFixing} {
		if c[st] > 0 {
			t.Rows = append(t.Rows, []Cell{{Value: st.String(), Tone: personTone(st)}, {Value: c[st]}})
		}
	}
	return t
}

// recordCounts counts records per system and status.
func recordCounts(res *outcome.Result) Table {
	var statuses []outcome.Status
	counts := res.Counts()
	for _, st := range outcome.Statuses() {
		if counts[st] > 0 {
			statuses = append(statuses, st)
		}
	}
	header := []string{"System"}
	for _, st := range statuses {
		header = append(header, st.String())
	}
	t := Table{Title: "Accounts by system", Header: header}
	if res.People == nil {
		t.Title = "Rows by system"
	}
	by := map[string]map[outcome.Status]int{}
	var order []string
	for _, r := range res.Records {
		if by[r.System] == nil {
			by[r.System] = map[outcome.Status]int{}
			order = append(order, r.System)
		}
		by[r.System][r.Status]++
	}
	for _, sys := range order {
		row := []Cell{{Value: sys}}
		for _, st := range statuses {
			row = append(row, Cell{Value: by[sys][st]})
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		t.Note = "none"
	}
	return t
}
