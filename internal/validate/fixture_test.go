package validate

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
)

// sheetData is one sheet of a fixture workbook: rows of cell texts, the
// first being the header.
type sheetData struct {
	name string
	rows [][]string
}

// writeXLSX builds a workbook in the test's temp dir.
func writeXLSX(t testing.TB, sheets ...sheetData) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			vals := make([]any, len(row))
			for c, v := range row {
				vals[c] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "hires.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeCSV writes rows as a CSV file with the given base name.
func writeCSV(t testing.TB, name string, rows [][]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(fh)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// outcome is everything a run produced.
type outcome struct {
	sum    *Summary
	err    error
	rows   []*RowResult
	sheets []*Sheet
	begun  int
}

func (o *outcome) BeginSheet(s *Sheet) error { o.begun++; return nil }
func (o *outcome) Row(r *RowResult) error    { o.rows = append(o.rows, r); return nil }
func (o *outcome) EndSheet(s *Sheet) error   { o.sheets = append(o.sheets, s); return nil }

// validateFile opens path and runs the validation with opt.
func validateFile(t testing.TB, path string, opt Options) *outcome {
	t.Helper()
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer in.Close()
	o := &outcome{}
	o.sum, o.err = Run(context.Background(), in, opt, o)
	return o
}

// row returns the result for a row number of a sheet.
func (o *outcome) row(t testing.TB, sheet string, num int) *RowResult {
	t.Helper()
	for _, r := range o.rows {
		if r.Sheet == sheet && r.Row.Num == num {
			return r
		}
	}
	t.Fatalf("no result for %s row %d", sheet, num)
	return nil
}

// issue returns the only issue of a row for a field, failing otherwise.
func (r *RowResult) issue(t testing.TB, field string) Issue {
	t.Helper()
	var found []Issue
	for _, is := range r.Issues {
		if is.Field == field {
			found = append(found, is)
		}
	}
	if len(found) != 1 {
		t.Fatalf("row %d: want one issue for %s, got %+v", r.Row.Num, field, r.Issues)
	}
	return found[0]
}

// issueFields lists the fields a row has issues for.
func (r *RowResult) issueFields() string {
	var s []string
	for _, is := range r.Issues {
		s = append(s, is.Field)
	}
	return strings.Join(s, ",")
}
