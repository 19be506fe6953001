package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/validate"
)

// Validation columns appended after the input's columns.
const (
	StatusHeader = "Status"
	ErrorsHeader = "Errors"
)

// errorsShown bounds the errors listed on the Summary sheet; every error
// is still marked on its sheet.
const errorsShown = 200

// Validation writes the validation report while validate.Run streams
// results into it: it is a validate.Handler. Call Save with the run's
// Summary at the end, and Close in any case.
type Validation struct {
	book    *Book
	input   string
	checked time.Time
	sheet   *Sheet
	// broken is the Errors text of every row of a sheet with a
	// sheet-level error ("" when the sheet has none).
	broken string
	sheets map[string]string // input sheet name → report sheet name
}

// NewValidation starts a validation report for input, checked at the
// given time.
func NewValidation(input string, checked time.Time) (*Validation, error) {
	b, err := NewBook()
	if err != nil {
		return nil, err
	}
	return &Validation{book: b, input: input, checked: checked, sheets: map[string]string{}}, nil
}

// Book returns the underlying workbook (to change MaxComments).
func (v *Validation) Book() *Book { return v.book }

// BeginSheet starts the report sheet for an input sheet: its header, with
// unknown and duplicate columns marked.
func (v *Validation) BeginSheet(s *validate.Sheet) error {
	l := inputLayout(s, []Column{{Header: StatusHeader, Width: 10}, {Header: ErrorsHeader, Width: 80}})
	var problems []string
	for _, is := range s.Issues {
		if is.Severity == validate.Error {
			problems = append(problems, is.Detail)
		}
	}
	v.broken = ""
	if s.Broken {
		v.broken = "The sheet has a problem (see Summary): " + strings.Join(problems, " | ")
	}
	sh, err := v.book.AddSheet(s.Name, l)
	if err != nil {
		return err
	}
	v.sheet = sh
	v.sheets[s.Name] = sh.Name()
	return nil
}

// inputLayout is the layout of a report sheet repeating an input sheet:
// its header at its own row (secret columns masked), unknown and
// duplicate columns marked, then the extra columns.
func inputLayout(s *validate.Sheet, extra []Column) Layout {
	l := Layout{HeaderRow: max(s.HeaderRow, 1), Extra: extra}
	for i, h := range s.Header {
		l.Columns = append(l.Columns, Column{Header: h, Secret: s.Secret(i)})
	}
	for _, is := range s.Issues {
		if is.Col >= 0 {
			tone := Caution
			if is.Severity == validate.Error {
				tone = Bad
			}
			l.HeaderMarks = append(l.HeaderMarks, Mark{Col: is.Col, Tone: tone, Note: is.Detail})
		}
	}
	return l
}

// ReadsNoRecords says the report reads a row's cells, issues and validity
// but never its record, so validation may only check the cells whose
// values no rule compares (validate.RecordFree).
func (v *Validation) ReadsNoRecords() {}

var _ validate.RecordFree = (*Validation)(nil)

// Row writes one input row with its invalid cells marked red, its status
// and its errors.
func (v *Validation) Row(r *validate.RowResult) error {
	if v.sheet == nil {
		return fmt.Errorf("report: row %d of sheet %q before its sheet began", r.Row.Num, r.Sheet)
	}
	if r.Valid && len(r.Issues) == 0 && v.broken == "" {
		// The common row: nothing to mark, no errors to list.
		return v.sheet.WriteRow(Row{Num: r.Row.Num, Cells: r.Row.Cells, Extra: validExtra})
	}
	row := Row{Num: r.Row.Num, Cells: r.Row.Cells, Extra: make([]Cell, 2)}
	var errs []string
	for _, is := range r.Issues {
		if is.Col >= 0 {
			row.Marks = append(row.Marks, Mark{Col: is.Col, Tone: issueTone(is), Note: is.Detail})
			errs = append(errs, is.Cell+" ("+is.Column+"): "+is.Detail)
		} else {
			errs = append(errs, is.Column+": "+is.Detail)
		}
	}
	if v.broken != "" {
		errs = append(errs, v.broken)
	}
	if r.Valid {
		row.Extra[0] = Cell{Value: "valid", Tone: Good}
	} else {
		row.Extra[0] = Cell{Value: "invalid", Tone: Bad}
	}
	row.Extra[1] = Cell{Value: strings.Join(errs, " | ")}
	return v.sheet.WriteRow(row)
}

// validExtra is the Status and Errors of a valid row without warnings,
// shared by all such rows (a queued row's slices are only read).
var validExtra = []Cell{{Value: "valid", Tone: Good}, {Value: ""}}

// issueTone is red for an error, amber for a warning.
func issueTone(is validate.Issue) Tone {
	if is.Severity == validate.Error {
		return Bad
	}
	return Caution
}

// EndSheet finishes the sheet.
func (v *Validation) EndSheet(*validate.Sheet) error {
	if v.sheet == nil {
		return nil
	}
	err := v.sheet.Close()
	v.sheet = nil
	return err
}

// Save writes the Summary sheet from the run's summary and the workbook to
// path.
func (v *Validation) Save(path string, sum *validate.Summary) error {
	if err := v.EndSheet(nil); err != nil { // its comments counted first
		return err
	}
	if err := v.book.WriteSummary(v.summary(sum)); err != nil {
		return err
	}
	return v.book.Save(path)
}

// Close releases temporary files.
func (v *Validation) Close() error { return v.book.Close() }

func (v *Validation) summary(sum *validate.Summary) Summary {
	tone := func(n int, t Tone) Tone {
		if n == 0 {
			return Plain
		}
		return t
	}
	result, resultTone := "All rows are valid", Good
	switch {
	case !sum.OK():
		result, resultTone = "Fix the red cells (each has a comment; the Errors column lists every problem of the row) and run again", Bad
	case sum.Rows == 0:
		result, resultTone = "No rows to check", Caution
	}
	ignored := "none"
	if len(sum.IgnoredSheets) > 0 {
		ignored = strings.Join(sum.IgnoredSheets, ", ") + " (no target has these names)"
	}
	s := Summary{Title: "Validation report", Facts: []Fact{
		{Label: "Input", Value: v.input},
		{Label: "Checked at", Value: v.checked.Format("2006-01-02 15:04:05 MST")},
		{Label: "Result", Value: result, Tone: resultTone},
		{Label: "Rows", Value: sum.Rows},
		{Label: "Valid", Value: sum.Valid, Tone: tone(sum.Valid, Good)},
		{Label: "Invalid", Value: sum.Invalid, Tone: tone(sum.Invalid, Bad)},
		{Label: "Errors", Value: sum.ErrorCount(), Tone: tone(sum.ErrorCount(), Bad)},
		{Label: "Warnings", Value: sum.WarningCount(), Tone: tone(sum.WarningCount(), Caution)},
		{Label: "Ignored sheets", Value: ignored},
		{Label: "Note", Value: "This report is for reading: passwords are masked. Fix the original file and validate it again."},
	}}
	if n := v.book.CommentsOmitted(); n > 0 {
		s.Facts = append(s.Facts, Fact{Label: "Comments", Value: fmt.Sprintf(
			"the first %d marked cells carry a comment; %d more are only coloured red (their messages are in the Errors column)",
			v.book.comments, n)})
	}
	targets := Table{Title: "Sheets checked", Header: []string{"Target", "Sheet", "Report sheet", "Rows", "Valid", "Invalid"}}
	for _, t := range sum.Targets {
		targets.Rows = append(targets.Rows, []Cell{{Value: t.Target}, {Value: t.Sheet}, {Value: v.sheets[t.Sheet]}, {Value: t.Rows},
			{Value: t.Valid, Tone: tone(t.Valid, Good)}, {Value: t.Invalid, Tone: tone(t.Invalid, Bad)}})
	}
	s.Tables = append(s.Tables, targets)
	issues := Table{Title: "Problems", Header: []string{"Severity", "Sheet", "Cell", "Column", "Message"}}
	shown, total := 0, sum.ErrorCount()+sum.WarningCount()
	add := func(list []validate.Issue, keep func(validate.Issue) bool) {
		for _, is := range list {
			if len(issues.Rows) == errorsShown {
				break
			}
			if !keep(is) {
				continue
			}
			sev, t := "error", Bad
			if is.Severity == validate.Warning {
				sev, t = "warning", Caution
			}
			cell := is.Cell
			if cell == "" && is.Row > 0 {
				cell = fmt.Sprintf("row %d", is.Row)
			}
			issues.Rows = append(issues.Rows, []Cell{{Value: sev, Tone: t}, {Value: is.Sheet}, {Value: cell}, {Value: is.Column}, {Value: is.Message}})
			shown++
		}
	}
	// Sheet-level errors first (they show on no data cell), then warnings,
	// then the first cell errors.
	add(sum.Errors, validate.Issue.SheetLevel)
	add(sum.Warnings, func(validate.Issue) bool { return true })
	add(sum.Errors, func(is validate.Issue) bool { return !is.SheetLevel() })
	if total > shown {
		issues.Note = fmt.Sprintf("%d of %d problems listed here; every invalid cell is marked red on its sheet", shown, total)
	}
	if len(issues.Rows) == 0 {
		issues.Note = "none"
	}
	s.Tables = append(s.Tables, issues)
	return s
}
