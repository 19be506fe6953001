package main

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestSampleUpToDate checks that samples/new-hires.xlsx holds what this
// generator writes; regenerate it when this fails (see the package doc).
func TestSampleUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hr.xlsx")
	if err := run("../../../samples/plan.yaml", out, false); err != nil {
		t.Fatal(err)
	}
	fresh, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	stored, err := excelize.OpenFile("../../../samples/new-hires.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer stored.Close()
	if !reflect.DeepEqual(fresh.GetSheetList(), stored.GetSheetList()) {
		t.Fatalf("sheets %v, stored %v", fresh.GetSheetList(), stored.GetSheetList())
	}
	for _, sheet := range fresh.GetSheetList() {
		a, err1 := fresh.GetRows(sheet, excelize.Options{RawCellValue: true})
		b, err2 := stored.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("sheet %s differs from the generator's output (%v, %v); run go run ./internal/hires/samplegen", sheet, err1, err2)
		}
	}
	if len(people) < 12 {
		t.Errorf("%d people; the sample needs a dozen", len(people))
	}
}
