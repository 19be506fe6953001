// Package samplegen builds the sample inputs kept under samples/: a
// realistic new-hire workbook covering every target, with a handful of
// deliberate, typical mistakes, and two CSV files. Each mistake is marked
// where its cell is written, so the list in samples/README.md and
// Mistakes() always name the right cells. `make templates` writes the
// files (internal/templates/generate); a test fails when the committed
// copies are stale.
package samplegen

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates"
)

// Paths of the sample files, relative to the repository root.
const (
	WorkbookPath = "samples/vendor-sheets.xlsx"
	AcefoneCSV   = "samples/acefone.user.csv"
	CoveCSV      = "samples/cove.user-emea.csv"
	ReadmePath   = "samples/README.md"
)

// InstructionsSheet is the sample workbook's first sheet, which names no
// target and must be skipped.
const InstructionsSheet = "Instructions"

// Mistake is one deliberate mistake in a sample file: where it is, the
// rule it breaks, and what onboard should say about it.
type Mistake struct {
	File       string // e.g. samples/vendor-sheets.xlsx
	Sheet      string // sheet name as on the tab
	Target     string // target ID the sheet stands for
	Row        int    // row number as the spreadsheet shows it
	Cell       string // e.g. "E9"
	Column     string // header text of the cell's column
	Field      string // wire key of the field
	Rule       string // schema.Rule* code: required, range, enum, email, unique, same-as
	Value      string // the value as typed ("" when missing)
	Why        string // the mistake in words
	Suggestion string // the value onboard should suggest, if any
}

// Valid is a value in a sample that looks wrong but is valid; validation
// must not report it.
type Valid struct {
	File, Sheet, Cell, Column, Value, Why string
}

// Mistakes returns every deliberate mistake in samples/vendor-sheets.xlsx, in
// sheet and row order. The CSV samples have none.
func Mistakes() []Mistake {
	m, _ := layout()
	return m
}

// TrickyValues returns the values in the samples that look wrong but are
// valid.
func TrickyValues() []Valid {
	_, v := layout()
	return v
}

// layout walks the sample sheets and records where each marked cell lands.
func layout() ([]Mistake, []Valid) {
	var mistakes []Mistake
	var valid []Valid
	for _, s := range sheets() {
		for r, row := range s.Rows {
			num := r + 2 // header in row 1
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, num)
				switch x := v.(type) {
				case bad:
					mistakes = append(mistakes, Mistake{File: WorkbookPath, Sheet: s.Name, Target: s.Target.ID, Row: num, Cell: ref,
						Column: s.Columns[c].Header, Field: s.Columns[c].Key, Rule: x.Rule, Value: display(x.Value), Why: x.Why, Suggestion: x.Suggestion})
				case tricky:
					valid = append(valid, Valid{File: WorkbookPath, Sheet: s.Name, Cell: ref, Column: s.Columns[c].Header, Value: display(x.Value), Why: x.Why})
				}
			}
		}
	}
	return mistakes, valid
}

// display is a cell value as a person reads it.
func display(v any) string {
	switch x := v.(type) {
	case bad:
		return display(x.Value)
	case tricky:
		return display(x.Value)
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Files returns the sample files: the workbook, the two CSVs and the
// README listing every deliberate mistake.
func Files() ([]templates.GeneratedFile, error) {
	wb, err := Workbook()
	if err != nil {
		return nil, err
	}
	acefoneCSV, err := encodeCSV(csvAcefone(), ',', true, false)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", AcefoneCSV, err)
	}
	coveCSV, err := encodeCSV(csvCoveEMEA(), ';', false, true)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", CoveCSV, err)
	}
	return []templates.GeneratedFile{
		{Path: WorkbookPath, Data: wb},
		{Path: AcefoneCSV, Data: acefoneCSV},
		{Path: CoveCSV, Data: coveCSV},
		{Path: ReadmePath, Data: []byte(readme())},
	}, nil
}

// Workbook returns samples/vendor-sheets.xlsx.
func Workbook() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := buildWorkbook(f); err != nil {
		return nil, fmt.Errorf("generate %s: %w", WorkbookPath, err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("generate %s: %w", WorkbookPath, err)
	}
	return buf.Bytes(), nil
}

func buildWorkbook(f *excelize.File) error {
	if err := f.SetSheetName("Sheet1", InstructionsSheet); err != nil {
		return err
	}
	notes := []string{
		"New hires: Acme Corp, spring intake (sample input for onboard)",
		"Prepared by People Operations. One tab per system; IT fills in the extensions and role IDs.",
		"Phone users go on the NetSapiens tabs, contact-centre agents on the Acefone tab,",
		"Sydney and Melbourne reporting logins on Fone Dynamics, backup console users on Cove.",
		"Questions: it-onboarding@acme.example",
	}
	for i, n := range notes {
		if err := f.SetCellStr(InstructionsSheet, "A"+strconv.Itoa(i+1), n); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(InstructionsSheet, "A", "A", 95); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for _, s := range sheets() {
		if err := writeSheet(f, s, bold); err != nil {
			return fmt.Errorf("sheet %s: %w", s.Name, err)
		}
	}
	f.SetActiveSheet(1)
	return f.SetDocProps(&excelize.DocProperties{Creator: "People Operations", Title: "New hires"})
}

func writeSheet(f *excelize.File, s sheet, bold int) error {
	if _, err := f.NewSheet(s.Name); err != nil {
		return err
	}
	widths := make([]int, len(s.Columns))
	for c, col := range s.Columns {
		ref, err := excelize.CoordinatesToCellName(c+1, 1)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(s.Name, ref, col.Header); err != nil {
			return err
		}
		widths[c] = utf8.RuneCountInString(col.Header) + 2
	}
	last, err := excelize.CoordinatesToCellName(len(s.Columns), 1)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(s.Name, "A1", last, bold); err != nil {
		return err
	}
	for r, row := range s.Rows {
		if len(row) != len(s.Columns) {
			return fmt.Errorf("row %d has %d cells for %d columns", r+2, len(row), len(s.Columns))
		}
		for c, v := range row {
			ref, err := excelize.CoordinatesToCellName(c+1, r+2)
			if err != nil {
				return err
			}
			v = unwrap(v)
			if v == nil {
				continue
			}
			if err := f.SetCellValue(s.Name, ref, v); err != nil {
				return err
			}
			if n, ok := v.(int64); ok && n > 99999999999 {
				continue // a 12-digit number shows as 9.19877E+11 in General format, whatever the width
			}
			widths[c] = max(widths[c], utf8.RuneCountInString(display(v))+2)
		}
	}
	for c, w := range widths {
		col, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(s.Name, col, col, float64(min(w, 45))); err != nil {
			return err
		}
	}
	return f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func unwrap(v any) any {
	switch x := v.(type) {
	case bad:
		return x.Value
	case tricky:
		return x.Value
	}
	return v
}

// encodeCSV writes records with the given separator, optionally with a
// UTF-8 byte-order mark or in Windows-1252, with CRLF line ends as Excel
// writes them.
func encodeCSV(records [][]string, comma rune, bom, windows1252 bool) ([]byte, error) {
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\ufeff")
	}
	w := csv.NewWriter(&buf)
	w.Comma = comma
	w.UseCRLF = true
	if err := w.WriteAll(records); err != nil {
		return nil, err
	}
	if !windows1252 {
		return buf.Bytes(), nil
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("encode as Windows-1252: %w", err)
	}
	return out, nil
}

// ruleWords explains a rule code for the README.
var ruleWords = map[string]string{
	schema.RuleRequired: "a required value is missing",
	schema.RuleRange:    "whole number outside the allowed range",
	schema.RuleEnum:     "not one of the allowed values",
	schema.RuleEmail:    "not a valid email address",
	schema.RuleUnique:   "repeats a value that must be unique",
	schema.RuleSameAs:   "must equal another column",
}
