package report

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/templates/pagesetup"
)

// printBook writes a Book with two data sheets (header in row 1, and in
// row 3 below two title rows) and a sheet added through the file itself,
// and opens the saved workbook.
func printBook(t *testing.T) *excelize.File {
	t.Helper()
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	longHeader := strings.Repeat("A header longer than any column may be ", 2)
	longError := strings.Repeat("Mobile (D8): Acefone needs a mobile number with its country code; ", 3)
	s, err := b.AddSheet("People", Layout{
		Columns: []Column{{Header: "First name"}, {Header: "Work email address of the person"}, {Header: longHeader}},
		Extra:   []Column{{Header: "Status"}, {Header: "Errors"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{
		{Num: 2, Cells: []string{"Jane", "jane.smith@acme.example", "x"}, Extra: []Cell{{Value: "created", Tone: Good}, {Value: ""}}},
		{Num: 3, Cells: []string{"Tom", "tom@acme.example", "y"}, Extra: []Cell{{Value: "invalid", Tone: Bad}, {Value: longError, Tone: Bad}}},
	}
	for _, r := range rows {
		if err := s.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = b.AddSheet("Records", Layout{HeaderRow: 3, Columns: []Column{{Header: "System"}, {Header: "Login", Width: 30}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteRow(Row{Num: 4, Cells: []string{"Acefone", "jane.smith"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.f.NewSheet("IT details"); err != nil { // as a writer of prose sheets does
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestBookSheetsPrintLandscapeOneWideWithTheHeaderRepeated(t *testing.T) {
	f := printBook(t)
	want := map[string]string{
		SummarySheet: "",
		"People":     "'People'!$1:$1",
		"Records":    "'Records'!$3:$3",
		"IT details": "",
	}
	if got := f.GetSheetList(); len(got) != len(want) {
		t.Fatalf("sheets = %q", got)
	}
	for sheet, titles := range want {
		ps, err := pagesetup.Read(f, sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !ps.Landscape || !ps.FitToPage || ps.FitToWidth != 1 || ps.FitToHeight != 0 {
			t.Errorf("%s prints %+v; want landscape, fit to 1 page wide, any number tall", sheet, ps)
		}
		if ps.Titles != titles {
			t.Errorf("%s print titles = %q, want %q", sheet, ps.Titles, titles)
		}
	}
	for sheet, top := range map[string]string{"People": "A2", "Records": "A4"} {
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.TopLeftCell != top {
			t.Errorf("%s panes = %+v, %v; want frozen above %s", sheet, panes, err, top)
		}
	}
}

func TestBookColumnsFitHeadersAndWrapLongValues(t *testing.T) {
	f := printBook(t)
	headers, err := f.GetRows("People")
	if err != nil || len(headers) < 3 {
		t.Fatalf("rows = %v, %v", headers, err)
	}
	for i, h := range headers[0] {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w, _ := f.GetColWidth("People", col)
		if n := utf8.RuneCountInString(h); n <= maxColWidth-2 && w < float64(n+2) {
			t.Errorf("column %s is %g wide: its header %q is cut off", col, w, h)
		}
		if w > maxColWidth {
			t.Errorf("column %s is %g wide, more than %d", col, w, maxColWidth)
		}
	}
	// The header longer than a column may be wraps, in a taller row.
	if h, _ := f.GetRowHeight("People", 1); h <= pagesetup.LineHeight {
		t.Errorf("header row height %g: the long header does not show", h)
	}
	if !wrapped(t, f, "People", "C1") {
		t.Error("the long header C1 is not wrapped")
	}
	// The long error wraps in a capped column, its row tall enough.
	if w, _ := f.GetColWidth("People", "E"); w != maxColWidth {
		t.Errorf("Errors column width = %g, want %d", w, maxColWidth)
	}
	if !wrapped(t, f, "People", "E3") {
		t.Error("the long error E3 is not wrapped")
	}
	if wrapped(t, f, "People", "D3") {
		t.Error("a short status D3 is wrapped")
	}
	if h, _ := f.GetRowHeight("People", 3); h < 2*pagesetup.LineHeight {
		t.Errorf("row 3 height %g for a wrapped error", h)
	}
	if h, _ := f.GetRowHeight("People", 2); h > pagesetup.LineHeight+1 {
		t.Errorf("row 2 height %g for one line", h)
	}
	// A given width is a minimum.
	if w, _ := f.GetColWidth("Records", "B"); w != 30 {
		t.Errorf("Records column B width = %g, want the given 30", w)
	}
}

func wrapped(t *testing.T, f *excelize.File, sheet, cell string) bool {
	t.Helper()
	sid, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(sid)
	if err != nil {
		t.Fatal(err)
	}
	return st.Alignment != nil && st.Alignment.WrapText
}
