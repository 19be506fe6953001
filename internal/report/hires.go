package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
)

// WriteHiresValidation writes the validation report of an HR new-hire
// sheet checked through a plan: the sheet as HR wrote it (the Password
// column masked) with every cell a finding points at coloured and
// commented, a Status and a Problems column per person, and a Summary.
// The sheet is read again, streaming.
//
// check, when given, is the sheet's readiness in people (batch.CheckHires):
// the Summary then opens with "13 people: 8 ready, 5 need fixing".
func WriteHiresValidation(path string, in intake.File, b *hires.Batch, check ...*outcome.Result) error {
	rows, err := in.Rows(b.Sheet)
	if err != nil {
		return fmt.Errorf("read sheet %q again: %w", b.Sheet, err)
	}
	defer rows.Close()
	book, err := NewBook()
	if err != nil {
		return err
	}
	defer book.Close()

	byRow := map[int][]*hires.Problem{}
	for _, p := range b.Problems {
		byRow[p.Row] = append(byRow[p.Row], p)
	}
	col := map[string]int{}
	l := Layout{HeaderRow: rows.HeaderRow(), Extra: []Column{{Header: StatusHeader, Width: 10}, {Header: "Problems", Width: 90}}}
	password := ""
	if len(b.People) > 0 {
		password = b.People[0].Header(hires.Password)
	}
	l.Columns = maskedColumns(rows.Header(), password)
	for i := range rows.Header() {
		col[intake.ColumnName(i)] = i
	}
	sh, err := book.AddSheet(b.Sheet, l)
	if err != nil {
		return err
	}
	for {
		r, ok := rows.Next()
		if !ok {
			break
		}
		row := Row{Num: r.Num, Cells: r.Cells, Extra: []Cell{{Value: "ready", Tone: Good}, {}}}
		var msgs []string
		for _, p := range byRow[r.Num] {
			tone := Caution
			if p.Severity == hires.SeverityError {
				tone = Bad
				row.Extra[0] = Cell{Value: "error", Tone: Bad}
			}
			if p.Severity == hires.SeverityNote {
				tone = Info
			}
			for _, cell := range append([]string{p.Cell}, p.Cells...) {
				letters := strings.TrimRight(cell, "0123456789")
				if i, ok := col[letters]; ok && cell != "" {
					row.Marks = append(row.Marks, Mark{Col: i, Tone: tone, Note: p.Message})
				}
			}
			msgs = append(msgs, string(p.Severity)+": "+p.Message)
		}
		row.Extra[1] = Cell{Value: strings.Join(msgs, " | ")}
		if err := sh.WriteRow(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sheet %q again: %w", b.Sheet, err)
	}
	if err := sh.Close(); err != nil {
		return err
	}
	s := Summary{Title: "Validation report (HR new-hire sheet)", Facts: []Fact{
		{Label: "Input", Value: b.Path},
		{Label: "Checked at", Value: time.Now().Format("2006-01-02 15:04:05 MST")},
	}}
	if len(check) > 0 && check[0] != nil {
		tone := Good
		if !check[0].OK() {
			tone = Bad
		}
		s.Facts = append(s.Facts, Fact{Label: "People", Value: check[0].PeopleHeadline(), Tone: tone},
			Fact{Label: "Accounts", Value: check[0].RecordsHeadline("account", "accounts")})
	} else {
		s.Facts = append(s.Facts, Fact{Label: "People", Value: len(b.People)}, Fact{Label: "Vendor records", Value: len(b.Records)},
			Fact{Label: "Ready to send", Value: len(b.Ready()), Tone: Good})
	}
	s.Facts = append(s.Facts, Fact{Label: "Errors", Value: b.Count(hires.SeverityError), Tone: Bad},
		Fact{Label: "Warnings", Value: b.Count(hires.SeverityWarning), Tone: Caution},
		Fact{Label: "Note", Value: "This report is for reading: passwords are masked. Fix the original file and check it again."})
	// Errors first (what HR must fix), then warnings, then notes for IT.
	problems := Table{Title: "Problems", Header: []string{"Severity", "Cell", "Column", "Plan", "Message"}}
	for _, sev := range []hires.Severity{hires.SeverityError, hires.SeverityWarning, hires.SeverityNote} {
		for _, p := range b.Problems {
			if p.Severity != sev {
				continue
			}
			tone := map[hires.Severity]Tone{hires.SeverityError: Bad, hires.SeverityWarning: Caution}[sev]
			problems.Rows = append(problems.Rows, []Cell{{Value: string(p.Severity), Tone: tone}, {Value: p.Cell}, {Value: p.Column}, {Value: p.Plan}, {Value: p.Message}})
		}
	}
	if len(problems.Rows) == 0 {
		problems.Note = "none"
	}
	s.Tables = append(s.Tables, problems)
	if err := book.WriteSummary(s); err != nil {
		return err
	}
	return book.Save(path)
}
