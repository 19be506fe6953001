package validate

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// coveBook writes a workbook with a visible and a hidden Cove sheet; edit
// may change it before it is saved.
func coveBook(t *testing.T, edit func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{{"Partner ID", "Login Name", "Email", "Password"}, {"123456", "ann@example.com", "ann@example.com", "Sup3r-Secret!"}}
	if err := f.SetSheetName("Sheet1", "Cove Users"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Cove Users", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f)
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHiddenSheetsAreSkippedWithAWarningUnlessAsked(t *testing.T) {
	path := coveBook(t, func(f *excelize.File) {
		if _, err := f.NewSheet("Acefone Users"); err != nil {
			t.Fatal(err)
		}
		row := []any{"Name", "Mobile Number"}
		if err := f.SetSheetRow("Acefone Users", "A1", &row); err != nil {
			t.Fatal(err)
		}
		row = []any{"Old Person", "+61 400 000 000"}
		if err := f.SetSheetRow("Acefone Users", "A2", &row); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetVisible("Acefone Users", false); err != nil {
			t.Fatal(err)
		}
	})
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.sum.Rows != 1 || len(o.sheets) != 1 {
		t.Errorf("the hidden sheet was read: %d rows, %d sheets", o.sum.Rows, len(o.sheets))
	}
	if len(o.sum.Warnings) != 1 || o.sum.Warnings[0].Rule != RuleHiddenSheet || !strings.Contains(o.sum.Warnings[0].Message, "--include-hidden") {
		t.Errorf("warnings: %+v", o.sum.Warnings)
	}
	o = validateFile(t, path, Options{IncludeHidden: true})
	if o.sum.Rows != 2 || len(o.sheets) != 2 {
		t.Errorf("--include-hidden: %d rows, %d sheets, want 2 and 2", o.sum.Rows, len(o.sheets))
	}
}

func TestFormulaWithoutSavedResultIsNamed(t *testing.T) {
	path := coveBook(t, func(f *excelize.File) {
		if err := f.SetCellValue("Cove Users", "C2", nil); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellFormula("Cove Users", "C2", "=B2"); err != nil { // never calculated: no cached value
			t.Fatal(err)
		}
	})
	o := validateFile(t, path, Options{})
	r := o.row(t, "Cove Users", 2)
	if r.Valid || len(r.Issues) == 0 || r.Issues[0].Rule != RuleFormula || !strings.Contains(r.Issues[0].Message, "formula with no saved result") {
		t.Errorf("issues: %+v", r.Issues)
	}
}
