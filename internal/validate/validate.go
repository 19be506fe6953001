// Package validate checks an opened input file against the target
// descriptions in internal/schema without contacting any vendor: it maps
// sheets to targets and headers to fields, parses every cell with the
// field's own rules, applies defaults and the cross-row rules (same-as,
// uniqueness), and streams one RowResult per data row to a Handler in input
// order while collecting a Summary.
//
// Every rule comes from the descriptions (schema.Field.Parse, Field.SameAs,
// Target.Unique); this package only decides where a problem is reported and
// how it is worded for the person who has to fix the spreadsheet.
package validate

import (
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/schema"
)

// Severity says whether an issue makes a row unusable (Error), is worth
// knowing about (Warning), or is information (Note: a template's example
// row was skipped).
type Severity int

// The severities.
const (
	Error Severity = iota
	Warning
	Note
)

// String returns "error", "warning" or "note".
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// Rule codes of issues found at sheet level. Cell-level rule codes are the
// schema.Rule* constants.
const (
	RuleMissingColumn   = "missing-column"   // a required column is absent
	RuleDuplicateColumn = "duplicate-column" // two columns name the same field
	RuleUnknownColumn   = "unknown-column"   // a header names no field (warning)
	RuleEmptySheet      = "empty-sheet"      // a target's sheet has no header (warning)
	RuleHiddenSheet     = "hidden-sheet"     // a target's sheet is hidden in the workbook: skipped (warning)
	RuleFormula         = "formula"          // a formula cell with no saved result
	// RuleMaskedSecret: a secret cell holds the mask of a report
	// ("********"), most likely because a report was fed back as input.
	RuleMaskedSecret = "masked-secret"
)

// Issue is one problem found in the input. The JSON form carries exactly
// the keys target, sheet, row, column, cell, field, value, rule and message.
type Issue struct {
	Target  string `json:"target"`  // target ID ("netsapiens.user")
	Sheet   string `json:"sheet"`   // sheet name as in the file (a CSV's file name without extension)
	Row     int    `json:"row"`     // row number as Excel shows it; the header row for sheet-level issues
	Column  string `json:"column"`  // header text as in the file (the field's label when the column is missing)
	Cell    string `json:"cell"`    // cell reference ("B7"); empty when the column is missing
	Field   string `json:"field"`   // wire key of the field
	Value   string `json:"value"`   // the cell's text as found; secrets are masked
	Rule    string `json:"rule"`    // schema.Rule* or a Rule*Column code
	Message string `json:"message"` // the whole sentence: sheet, cell, column, rule and what was found

	Severity Severity `json:"-"`
	// Col is the 0-based column index of the cell, or -1 when the issue
	// belongs to no single cell (a missing column).
	Col int `json:"-"`
	// Detail is Message without the "Sheet 'X', cell B7 (Header): " prefix,
	// for a cell comment or an Errors column next to the cell.
	Detail string `json:"-"`
	// Suggestion is the allowed value a near-miss enum value probably meant.
	Suggestion string `json:"-"`
}

// SheetLevel reports whether the issue is about a whole sheet (its header:
// a missing, duplicate or unknown column, or an empty sheet) rather than a
// data cell.
func (is Issue) SheetLevel() bool {
	switch is.Rule {
	case RuleMissingColumn, RuleDuplicateColumn, RuleUnknownColumn, RuleEmptySheet:
		return true
	}
	return false
}

// Sheet describes one input sheet being validated as a target. Handlers
// receive it in BeginSheet (mapping and sheet-level issues known) and
// EndSheet (counts final).
type Sheet struct {
	Name      string         // sheet name as in the file
	Target    *schema.Target // the target the sheet feeds
	Header    []string       // header texts as in the file (cleaned)
	HeaderRow int            // row number of the header; 0 when the sheet is empty
	// Fields is aligned with Header: the field each column fills, or nil
	// for an unknown, empty or duplicate column.
	Fields []*schema.Field
	// Issues are the sheet-level errors and warnings (missing, duplicate
	// and unknown columns, an empty sheet).
	Issues []Issue
	// Broken is true when a sheet-level error makes every row invalid.
	Broken bool

	Rows, Valid, Invalid int // data rows seen so far; final in EndSheet
}

// Secret reports whether column i holds a secret that must be masked.
func (s *Sheet) Secret(i int) bool {
	return i >= 0 && i < len(s.Fields) && s.Fields[i] != nil && s.Fields[i].IsSecret()
}

// RowResult is the outcome for one data row. It is not reused: a handler
// may keep it (records of a batch of rows share one allocation, so keeping
// one record keeps its batch's values alive).
type RowResult struct {
	Target *schema.Target
	Sheet  string     // sheet name as in the file
	Row    intake.Row // the row as read (Num is the Excel row number)
	// Record holds the row's values in wire form, defaults applied; a value
	// that failed its rule is nil. For a RecordFree handler (or none) only
	// the values a rule compares are filled.
	Record schema.Record
	Issues []Issue // this row's problems (errors only today), in column order then cross-row rules
	Valid  bool    // no error on the row and no sheet-level error

	keys []uint64 // uniqueness key hashes, aligned with the target's Unique rules (0: not checked)
}

// Handler receives the results of Run in input order: sheets in workbook
// order, rows in sheet order. Its methods are never called concurrently
// (Row runs on a goroutine of the run, in order). Returning an error stops
// the run with that error.
type Handler interface {
	BeginSheet(s *Sheet) error
	Row(r *RowResult) error
	EndSheet(s *Sheet) error
}

// RecordFree is implemented by a Handler that reads each row's cells,
// issues and validity but never its Record (a validation report). Run
// then builds only the values a rule compares (uniqueness, same-as) and
// merely checks the other cells, which is much cheaper.
type RecordFree interface {
	Handler
	ReadsNoRecords()
}

// readsNoRecords reports whether h (nil included) never reads a
// RowResult's Record.
func readsNoRecords(h Handler) bool {
	switch h := h.(type) {
	case nil, RecordFree:
		return true
	case Handlers:
		for _, x := range h {
			if !readsNoRecords(x) {
				return false
			}
		}
		return true
	}
	return false
}

// RowFunc adapts a function that only wants rows to a Handler.
type RowFunc func(r *RowResult) error

// BeginSheet does nothing.
func (RowFunc) BeginSheet(*Sheet) error { return nil }

// Row calls f.
func (f RowFunc) Row(r *RowResult) error { return f(r) }

// EndSheet does nothing.
func (RowFunc) EndSheet(*Sheet) error { return nil }

// Handlers calls several handlers in turn for every event.
type Handlers []Handler

// BeginSheet calls BeginSheet of each handler.
func (hs Handlers) BeginSheet(s *Sheet) error {
	for _, h := range hs {
		if err := h.BeginSheet(s); err != nil {
			return err
		}
	}
	return nil
}

// Row calls Row of each handler.
func (hs Handlers) Row(r *RowResult) error {
	for _, h := range hs {
		if err := h.Row(r); err != nil {
			return err
		}
	}
	return nil
}

// EndSheet calls EndSheet of each handler.
func (hs Handlers) EndSheet(s *Sheet) error {
	for _, h := range hs {
		if err := h.EndSheet(s); err != nil {
			return err
		}
	}
	return nil
}

// SheetSummary counts the rows of one validated sheet.
type SheetSummary struct {
	Target  string `json:"target"`
	Sheet   string `json:"sheet"`
	Rows    int    `json:"rows"`
	Valid   int    `json:"valid"`
	Invalid int    `json:"invalid"`
}

// Summary is the outcome of a whole run; its JSON form is what
// `onboard validate --json` prints.
type Summary struct {
	Input         string         `json:"input"`
	Rows          int            `json:"rows"`
	Valid         int            `json:"valid"`
	Invalid       int            `json:"invalid"`
	Targets       []SheetSummary `json:"targets"`
	Errors        []Issue        `json:"errors"`
	Warnings      []Issue        `json:"warnings"`
	Notes         []Issue        `json:"notes,omitempty"` // information (a template's example row, skipped); only when there are some
	IgnoredSheets []string       `json:"ignored_sheets"`
	Report        string         `json:"report"` // path of the report workbook, or empty

	// ErrorsOmitted and WarningsOmitted count the issues beyond
	// Options.MaxIssues that were counted but not kept; they appear in the
	// JSON only when not zero.
	ErrorsOmitted   int `json:"errors_omitted,omitempty"`
	WarningsOmitted int `json:"warnings_omitted,omitempty"`
}

// ErrorCount returns the number of errors found, kept or not.
func (s *Summary) ErrorCount() int { return len(s.Errors) + s.ErrorsOmitted }

// WarningCount returns the number of warnings found, kept or not.
func (s *Summary) WarningCount() int { return len(s.Warnings) + s.WarningsOmitted }

// OK reports whether every row is valid and no sheet-level error was found.
func (s *Summary) OK() bool { return s.Invalid == 0 && s.ErrorCount() == 0 }

func newSummary(input string) *Summary {
	return &Summary{Input: input, Targets: []SheetSummary{}, Errors: []Issue{}, Warnings: []Issue{}, IgnoredSheets: []string{}}
}
