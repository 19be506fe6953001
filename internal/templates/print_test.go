package templates

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/templates/examplerow"
	"github.com/onboard/onboard/internal/templates/pagesetup"
)

// TestEverySheetPrintsLandscapeOneWideWithTheHeaderRepeated opens the
// written template and checks each visible sheet's print setup: landscape,
// fit to one page wide and any number of pages down, and on a target sheet
// row 1 repeated on every page and frozen on screen.
func TestEverySheetPrintsLandscapeOneWideWithTheHeaderRepeated(t *testing.T) {
	f := readBack(t, registry.Targets())
	for _, sheet := range f.GetSheetList() {
		if sheet == ListsSheet {
			continue // hidden, never printed
		}
		ps, err := pagesetup.Read(f, sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !ps.Landscape || !ps.FitToPage || ps.FitToWidth != 1 || ps.FitToHeight != 0 {
			t.Errorf("sheet %s prints %+v, want landscape, fit to 1 page wide, any number tall", sheet, ps)
		}
		wantTitles := "'" + sheet + "'!$1:$1"
		if sheet == InstructionsSheet {
			wantTitles = ""
		}
		if ps.Titles != wantTitles {
			t.Errorf("sheet %s print titles = %q, want %q", sheet, ps.Titles, wantTitles)
		}
	}
	names := 0
	for _, n := range f.GetDefinedName() {
		if n.Name == pagesetup.PrintTitles {
			names++
		}
	}
	if names != len(registry.Targets()) {
		t.Errorf("%d print titles, want one per target sheet (%d)", names, len(registry.Targets()))
	}
}

// TestHeadersFitTheirColumns checks that no header is cut off: each
// header fits its column's width in the lines row 1 is tall enough for.
func TestHeadersFitTheirColumns(t *testing.T) {
	f := readBack(t, registry.Targets())
	for _, target := range registry.Targets() {
		height, err := f.GetRowHeight(target.Label, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, field := range target.Fields {
			col, _ := excelize.ColumnNumberToName(i + 1)
			w, err := f.GetColWidth(target.Label, col)
			if err != nil {
				t.Fatal(err)
			}
			h := HeaderText(field)
			lines := pagesetup.WrappedLines(h, headerRoom(w))
			if float64(lines)*pagesetup.LineHeight > height {
				t.Errorf("%s %s: header %q needs %d lines in width %g; row 1 is %g points", target.Label, col, h, lines, w, height)
			}
			if lines > 2 {
				t.Errorf("%s %s: header %q wraps onto %d lines", target.Label, col, h, lines)
			}
			if n := utf8.RuneCountInString(field.Example); n > 0 && float64(n)+1 > w && w < maxWidth {
				t.Errorf("%s %s: example %q is cut in width %g", target.Label, col, field.Example, w)
			}
		}
	}
}

// TestInstructionsAreOneWideWrappedColumn checks the Instructions sheet:
// column A about 100 characters wide, every paragraph wrapped in a row
// tall enough for its lines.
func TestInstructionsAreOneWideWrappedColumn(t *testing.T) {
	f := readBack(t, registry.Targets())
	w, err := f.GetColWidth(InstructionsSheet, "A")
	if err != nil || w != 100 {
		t.Fatalf("Instructions column A width = %g, %v; want 100", w, err)
	}
	rows, err := f.GetRows(InstructionsSheet)
	if err != nil {
		t.Fatal(err)
	}
	long := 0
	for r, cells := range rows {
		if len(cells) == 0 || cells[0] == "" {
			continue
		}
		if len(cells) > 1 {
			t.Errorf("Instructions row %d uses %d columns; want column A only", r+1, len(cells))
		}
		if utf8.RuneCountInString(cells[0]) <= 100 {
			continue
		}
		long++
		cell := "A" + strconv.Itoa(r+1)
		sid, _ := f.GetCellStyle(InstructionsSheet, cell)
		st, err := f.GetStyle(sid)
		if err != nil || st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("Instructions %s (%d characters) is not wrapped", cell, utf8.RuneCountInString(cells[0]))
		}
		h, _ := f.GetRowHeight(InstructionsSheet, r+1)
		if want := float64(pagesetup.WrappedLines(cells[0], pagesetup.TextRoom(100))) * pagesetup.LineHeight; h < want {
			t.Errorf("Instructions row %d is %g points tall for %g points of text", r+1, h, want)
		}
	}
	if long == 0 {
		t.Error("no paragraph longer than a line: the test checks nothing")
	}
}

// TestExampleRowIsMarked checks the example row: grey italic, with a note
// on its first cell saying it is never sent.
func TestExampleRowIsMarked(t *testing.T) {
	f := readBack(t, registry.Targets())
	for _, target := range registry.Targets() {
		comments, err := f.GetComments(target.Label)
		if err != nil {
			t.Fatal(err)
		}
		noted := false
		for _, c := range comments {
			if c.Cell == "A2" && strings.Contains(commentText(c), examplerow.Note) {
				noted = true
			}
		}
		if !noted {
			t.Errorf("%s: no note %q on A2 (comments %v)", target.Label, examplerow.Note, comments)
		}
		for i := range target.Fields {
			cell, _ := excelize.CoordinatesToCellName(i+1, FirstDataRow)
			sid, _ := f.GetCellStyle(target.Label, cell)
			st, err := f.GetStyle(sid)
			if err != nil || st.Font == nil || !st.Font.Italic || st.Font.Color != "808080" {
				t.Errorf("%s %s: the example cell is not grey italic", target.Label, cell)
			}
		}
	}
}

func commentText(c excelize.Comment) string {
	var b strings.Builder
	b.WriteString(c.Text)
	for _, p := range c.Paragraph {
		b.WriteString(p.Text)
	}
	return b.String()
}

// TestExampleRowReadsBackAsTheExample reads each sheet's row 2 the way
// onboard reads input (package intake) and checks that examplerow
// recognises it: what the template writes and what readers skip agree.
func TestExampleRowReadsBackAsTheExample(t *testing.T) {
	path := filepath.Join(t.TempDir(), "template.xlsx")
	if err := WriteFile(path, registry.Targets()); err != nil {
		t.Fatal(err)
	}
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, target := range registry.Targets() {
		rr, err := in.Rows(target.Label)
		if err != nil {
			t.Fatal(err)
		}
		row, ok := rr.Next()
		rr.Close()
		if !ok || row.Num != FirstDataRow {
			t.Fatalf("%s: no row %d read back", target.Label, FirstDataRow)
		}
		want := ExampleRow(target)
		if !examplerow.Matches(want, row.Cells) {
			t.Errorf("%s: row 2 read back as %q, not recognised as the example %q", target.Label, row.Cells, want)
		}
	}
}
