package validate

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/templates"
)

// templateFile writes the input template of every target, untouched, and
// lets edit change it before it is saved.
func templateFile(t *testing.T, edit func(f *excelize.File)) string {
	t.Helper()
	f, err := templates.Build(registry.Targets())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if edit != nil {
		edit(f)
	}
	path := filepath.Join(t.TempDir(), "onboard-template.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUntouchedTemplateHasNoRowsAndNotesEachExample(t *testing.T) {
	o := validateFile(t, templateFile(t, nil), Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.sum.Rows != 0 || len(o.rows) != 0 {
		t.Errorf("an untouched template gave %d rows (%d handed on); want none: the example rows are never sent", o.sum.Rows, len(o.rows))
	}
	if len(o.sum.Notes) != len(registry.Targets()) {
		t.Fatalf("notes = %+v, want one per target sheet", o.sum.Notes)
	}
	for _, n := range o.sum.Notes {
		if n.Rule != RuleExampleRow || n.Row != 2 || n.Severity != Note ||
			!strings.HasSuffix(n.Message, ": row 2 is the template's example row: skipped, never sent") {
			t.Errorf("note = %+v", n)
		}
	}
	if n := o.sum.Notes[len(o.sum.Notes)-1]; n.Message != "Sheet 'Cove Users': row 2 is the template's example row: skipped, never sent" {
		t.Errorf("Cove note = %q", n.Message)
	}
	if o.sum.ErrorCount() != 0 {
		t.Errorf("errors in an untouched template: %+v", o.sum.Errors)
	}
	doc, err := json.Marshal(o.sum)
	if err != nil || !strings.Contains(string(doc), `"notes":[{"target":"netsapiens.site"`) {
		t.Errorf("JSON = %s, %v", doc, err)
	}
}

func TestExampleTypedOverIsRealData(t *testing.T) {
	col := func(key string) string {
		name, _ := excelize.ColumnNumberToName(cove.User.FieldIndex(key) + 1)
		return name
	}
	for _, c := range []struct {
		name string
		edit func(f *excelize.File) error
	}{
		{"a cell typed over", func(f *excelize.File) error { return f.SetCellStr(cove.User.Label, col("FirstName")+"2", "Backups") }},
		{"a cell cleared", func(f *excelize.File) error { return f.SetCellStr(cove.User.Label, col("Title")+"2", "") }},
		{"an empty cell filled", func(f *excelize.File) error {
			for i, fl := range cove.User.Fields {
				if fl.Example == "" {
					cell, _ := excelize.CoordinatesToCellName(i+1, 2)
					return f.SetCellStr(cove.User.Label, cell, "x")
				}
			}
			t.Fatal("every Cove field has an example")
			return nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := templateFile(t, func(f *excelize.File) {
				if err := c.edit(f); err != nil {
					t.Fatal(err)
				}
			})
			o := validateFile(t, path, Options{})
			if o.err != nil {
				t.Fatal(o.err)
			}
			if o.sum.Rows != 1 || len(o.rows) != 1 {
				t.Fatalf("%d rows, %d handed on; want the edited Cove row as one real record", o.sum.Rows, len(o.rows))
			}
			if r := o.row(t, cove.User.Label, 2); r.Target != cove.User {
				t.Errorf("row 2 read as %s", r.Target.ID)
			}
			if len(o.sum.Notes) != len(registry.Targets())-1 {
				t.Errorf("notes = %+v; the other sheets' examples are still skipped", o.sum.Notes)
			}
			for _, n := range o.sum.Notes {
				if n.Sheet == cove.User.Label {
					t.Errorf("the edited row was noted as the example: %+v", n)
				}
			}
		})
	}
}

func TestExampleValuesBelowRealRowsAreSkippedOnlyWhenUntouched(t *testing.T) {
	// A real row typed under the example: the example is skipped, the
	// real row is counted and handed on.
	path := templateFile(t, func(f *excelize.File) {
		row := templates.ExampleRow(cove.User)
		row[cove.User.FieldIndex("EmailAddress")] = "real.person@acme.example"
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
		}
		if err := f.SetSheetRow(cove.User.Label, "A3", &vals); err != nil {
			t.Fatal(err)
		}
	})
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.sum.Rows != 1 || len(o.rows) != 1 || o.rows[0].Row.Num != 3 {
		t.Fatalf("rows = %d (%v); want only row 3", o.sum.Rows, o.rows)
	}
}
