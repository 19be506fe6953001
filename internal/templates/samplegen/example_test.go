package samplegen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/examplerow"
)

// TestNoSampleRowIsATemplateExample: readers skip a row that is exactly a
// template's example row, so no sample person may be one.
func TestNoSampleRowIsATemplateExample(t *testing.T) {
	wb, err := Workbook()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vendor-sheets.xlsx")
	if err := os.WriteFile(path, wb, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	checked := 0
	for _, name := range in.SheetNames() {
		target := registry.MatchSheet(name)
		if target == nil {
			continue
		}
		rr, err := in.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		fields := make([]*schema.Field, len(rr.Header()))
		for i, h := range rr.Header() {
			fields[i] = target.MatchHeader(h)
		}
		want := examplerow.FieldTexts(fields)
		for {
			row, ok := rr.Next()
			if !ok {
				break
			}
			checked++
			if examplerow.Matches(want, row.Cells) {
				t.Errorf("sheet %s row %d is the template's example row: it would be skipped", name, row.Num)
			}
		}
		rr.Close()
	}
	if checked == 0 {
		t.Fatal("no sample rows checked")
	}
}
