package validate

import (
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/templates/examplerow"
)

// RuleExampleRow is the rule code of the note that an untouched example
// row of a template was skipped.
const RuleExampleRow = examplerow.Rule

// exampleCells returns the example text under each of the sheet's columns
// (see examplerow), or nil when the sheet's columns carry no example.
func exampleCells(s *Sheet) []string {
	want := examplerow.FieldTexts(s.Fields)
	if !examplerow.Useful(want) {
		return nil
	}
	return want
}

// isExample reports whether a row is the template's example row, left
// exactly as the template wrote it.
func (p *plan) isExample(row *intake.Row) bool {
	return p.example != nil && examplerow.Matches(p.example, row.Cells)
}

// skipExample notes that the example row was skipped: it is neither
// counted nor handed on, so it is never sent.
func (r *run) skipExample(p *plan, row int) {
	r.keep(Issue{Target: p.target.ID, Sheet: p.sheet.Name, Row: row, Rule: RuleExampleRow, Severity: Note, Col: -1,
		Message: p.where + ": " + examplerow.Skipped(row), Detail: examplerow.Detail})
}
