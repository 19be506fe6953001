package report

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/validate"
)

// sheetData is one sheet of a fixture workbook; nil rows are left blank.
type sheetData struct {
	name string
	rows [][]string
}

func writeXLSX(t *testing.T, sheets ...sheetData) string {
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
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), "vendor-sheets.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// validateToReport runs the validation of path into a report and returns
// the report's path and the summary.
func validateToReport(t *testing.T, path string, maxComments int) (string, *validate.Summary) {
	t.Helper()
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rep, err := NewValidation(path, time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	rep.Book().MaxComments = maxComments
	sum, err := validate.Run(context.Background(), in, validate.Options{}, rep)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "reports", "report.xlsx")
	if err := rep.Save(out, sum); err != nil {
		t.Fatal(err)
	}
	return out, sum
}

func openReport(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("report does not open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// fillOf returns the fill colour of a cell ("" when none).
func fillOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(st.Fill.Color[0])
}

func commentsOf(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	cs, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range cs {
		text := c.Text
		for _, p := range c.Paragraph {
			text += p.Text
		}
		m[c.Cell] = text
	}
	return m
}

// zipText returns every part of an .xlsx as one string.
func zipText(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "== %s\n%s\n", zf.Name, data)
	}
	return b.String()
}

func cellValue(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var red, green, amber = toneColours[Bad].fill, toneColours[Good].fill, toneColours[Caution].fill

func TestValidationReport(t *testing.T) {
	path := writeXLSX(t,
		sheetData{"Instructions", [][]string{{"Fill in the sheets"}}},
		sheetData{"Acefone Users", [][]string{
			nil, // blank rows above the header: the header is row 3
			nil,
			{"Name", "Mobile Number", "Create Agent", "Email", "Login ID", "Role ID", "Password", "Enabled", "Caller IDs", "Favourite Colour"},
			{"Priya Sharma", "919876543210", "TRUE", "priya@example.com", "priya", "3", "Hunter2-secret", "yes", "101", "blue"},
			{"Raj Patel", "12", "maybe", "raj@example.com", "raj", "3", "Zebra9-secret", "yes", "101", "red"},
			{"Dup", "919876543211", "TRUE", "dup@example.com", "priya", "3", "pw-secret-3", "yes", "101", ""},
		}},
		sheetData{"Cove Users", [][]string{
			{"Login Name", "Email"}, // no Partner ID: one sheet-level error
			{"a@x.com", "a@x.com"},
		}},
	)
	out, sum := validateToReport(t, path, 0)
	if sum.Rows != 4 || sum.Valid != 1 || sum.Invalid != 3 {
		t.Fatalf("summary: %+v", sum)
	}
	f := openReport(t, out)
	if got := f.GetSheetList(); strings.Join(got, "|") != "Summary|Acefone Users|Cove Users" {
		t.Fatalf("sheets: %v", got)
	}
	const ace = "Acefone Users"

	// Rows keep their own numbers: header on row 3, Status and Errors after the data.
	if cellValue(t, f, ace, "A3") != "Name" || cellValue(t, f, ace, "K3") != StatusHeader || cellValue(t, f, ace, "L3") != ErrorsHeader {
		t.Errorf("header row: %q %q %q", cellValue(t, f, ace, "A3"), cellValue(t, f, ace, "K3"), cellValue(t, f, ace, "L3"))
	}
	if cellValue(t, f, ace, "A4") != "Priya Sharma" || cellValue(t, f, ace, "K4") != "valid" || fillOf(t, f, ace, "K4") != green {
		t.Errorf("row 4: %q %q %s", cellValue(t, f, ace, "A4"), cellValue(t, f, ace, "K4"), fillOf(t, f, ace, "K4"))
	}
	if cellValue(t, f, ace, "K5") != "invalid" || fillOf(t, f, ace, "K5") != red {
		t.Errorf("row 5 status: %q %s", cellValue(t, f, ace, "K5"), fillOf(t, f, ace, "K5"))
	}
	// Invalid cells are red with the message as a comment; valid ones are not.
	comments := commentsOf(t, f, ace)
	// A rule that is only onboard's advice (Acefone documents no phone
	// length) is a warning: amber, with its comment.
	if fill := fillOf(t, f, ace, "B5"); fill != "FFEB9C" || !strings.Contains(comments["B5"], "6 to 15 digits; found '12'") {
		t.Errorf("B5 should be amber with the advice, fill %q, comment %q", fill, comments["B5"])
	}
	for cell, want := range map[string]string{
		"C5": "must be TRUE or FALSE",
		"E6": "Login ID priya is already used on row 4",
	} {
		if fillOf(t, f, ace, cell) != red {
			t.Errorf("%s should be red, fill %q", cell, fillOf(t, f, ace, cell))
		}
		if !strings.Contains(comments[cell], want) {
			t.Errorf("comment %s = %q, want it to contain %q", cell, comments[cell], want)
		}
	}
	if fillOf(t, f, ace, "A5") != "" || comments["A5"] != "" {
		t.Errorf("a valid cell is marked: fill %q comment %q", fillOf(t, f, ace, "A5"), comments["A5"])
	}
	// The unknown column's header is amber with a comment.
	if fillOf(t, f, ace, "J3") != amber || !strings.Contains(comments["J3"], "is not a column of Acefone Users") {
		t.Errorf("unknown column header: fill %q comment %q", fillOf(t, f, ace, "J3"), comments["J3"])
	}
	if errs := cellValue(t, f, ace, "L5"); !strings.Contains(errs, "B5 (Mobile Number): must be a phone number") || !strings.Contains(errs, "C5 (Create Agent)") {
		t.Errorf("Errors column: %q", errs)
	}
	// Secrets are masked and appear nowhere in the file.
	if v := cellValue(t, f, ace, "G4"); v != "********" {
		t.Errorf("password cell = %q", v)
	}
	all := zipText(t, out)
	for _, secret := range []string{"Hunter2-secret", "Zebra9-secret", "pw-secret-3"} {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q is in the report", secret)
		}
	}
	// Frozen header and autofilter over header and data.
	panes, err := f.GetPanes(ace)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes: %+v", panes)
	}
	if !regexp.MustCompile(`<autoFilter ref="\$?A\$?3:\$?L\$?6"`).MatchString(all) {
		t.Errorf("no autofilter over A3:L6: %v", regexp.MustCompile(`<autoFilter[^>]*>`).FindAllString(all, -1))
	}
	if w, _ := f.GetColWidth(ace, "L"); w < 40 {
		t.Errorf("Errors column width %v", w)
	}
	if w, _ := f.GetColWidth(ace, "D"); w < float64(len("priya@example.com")) {
		t.Errorf("Email column width %v", w)
	}

	// A sheet with a missing required column: every row invalid, the
	// reason in the Errors column.
	if cellValue(t, f, "Cove Users", "C2") != "invalid" || !strings.Contains(cellValue(t, f, "Cove Users", "D2"), "required column 'Partner ID' is missing") {
		t.Errorf("broken sheet row: %q %q", cellValue(t, f, "Cove Users", "C2"), cellValue(t, f, "Cove Users", "D2"))
	}

	// The Summary sheet.
	rows, err := f.GetRows(SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(rows)
	for _, want := range []string{"Validation report", path, "2026-03-01 09:30:00 UTC", "[Rows 4]", "[Valid 1]", "[Invalid 3]",
		"Instructions (no target has these names)", "[acefone.user Acefone Users Acefone Users 3 1 2]", "[cove.user Cove Users Cove Users 1 0 1]",
		"required column 'Partner ID' is missing", "must be TRUE or FALSE"} {
		if !strings.Contains(text, want) {
			t.Errorf("Summary lacks %q:\n%s", want, text)
		}
	}
	if fillOf(t, f, SummarySheet, "B8") != red { // Invalid count
		t.Errorf("Invalid count fill %q (%q)", fillOf(t, f, SummarySheet, "B8"), cellValue(t, f, SummarySheet, "A8"))
	}
}

func TestCommentsAreBounded(t *testing.T) {
	rows := [][]string{{"PartnerId", "Name", "EmailAddress"}}
	for i := range 30 {
		rows = append(rows, []string{"0", fmt.Sprintf("u%d@x.com", i), fmt.Sprintf("u%d@x.com", i)})
	}
	out, _ := validateToReport(t, writeXLSX(t, sheetData{"Cove Users", rows}), 5)
	f := openReport(t, out)
	if n := len(commentsOf(t, f, "Cove Users")); n != 5 {
		t.Errorf("%d comments, want 5", n)
	}
	if fillOf(t, f, "Cove Users", "A31") != red {
		t.Error("cells beyond the comment bound must still be red")
	}
	summary, _ := f.GetRows(SummarySheet)
	if !strings.Contains(fmt.Sprint(summary), "25 more are only coloured red") {
		t.Errorf("summary does not say comments were left out: %v", summary)
	}
}

func TestManyRows(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.AddSheet("Data", Layout{Columns: []Column{{Header: "N"}, {Header: "Secret", Secret: true}}, Extra: []Column{{Header: "Status"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 1001; i++ {
		r := Row{Num: i, Cells: []string{fmt.Sprint(i), "s3cr3t"}, Extra: []Cell{{Value: "ok", Tone: Good}}}
		if i%100 == 0 {
			r.Marks = []Mark{{Col: 0, Tone: Bad, Note: fmt.Sprintf("bad %d", i)}, {Col: 0, Tone: Bad, Note: "and worse"}}
		}
		if err := s.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteRow(Row{Num: 2000}); err == nil {
		t.Error("WriteRow after Close should fail")
	}
	out := filepath.Join(t.TempDir(), "x", "many.xlsx")
	if err := b.Save(out); err != nil {
		t.Fatal(err)
	}
	f := openReport(t, out)
	if v := cellValue(t, f, "Data", "A1001"); v != "1001" {
		t.Errorf("A1001 = %q", v)
	}
	if v := cellValue(t, f, "Data", "B500"); v != "********" {
		t.Errorf("B500 = %q", v)
	}
	c := commentsOf(t, f, "Data")
	if len(c) != 10 || c["A500"] != "bad 500\nand worse" {
		t.Errorf("comments: %d, A500 %q", len(c), c["A500"])
	}
	if fillOf(t, f, "Data", "C700") != green || fillOf(t, f, "Data", "A700") != red || fillOf(t, f, "Data", "A701") != "" {
		t.Errorf("fills: %s %s %s", fillOf(t, f, "Data", "C700"), fillOf(t, f, "Data", "A700"), fillOf(t, f, "Data", "A701"))
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 1 {
		t.Errorf("temporary files left next to the report: %v", ents)
	}
}

func TestSheetNames(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, c := range []struct{ name, want string }{
		{"Summary", "Summary (2)"},
		{"a/b:c?d*e[f]'g", "a_b_c_d_e_f_’g"},
		{"A very long sheet name that goes on and on", "A very long sheet name that goe"},
		{"A very long sheet name that goes on!", "A very long sheet name that (2)"},
	} {
		name, want := c.name, c.want
		s, err := b.AddSheet(name, Layout{Columns: []Column{{Header: "x"}}})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if s.Name() != want {
			t.Errorf("%q → %q, want %q", name, s.Name(), want)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Save(filepath.Join(t.TempDir(), "names.xlsx")); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultPath(t *testing.T) {
	dir := t.TempDir()
	got := DefaultPath(dir, "/data/in/new-hires.xlsx", "validation", "20260301-090507-ab12")
	if want := filepath.Join(dir, "new-hires-validation-20260301-090507-ab12.xlsx"); got != want {
		t.Errorf("DefaultPath = %q, want %q", got, want)
	}
}

func TestInputValue(t *testing.T) {
	for text, want := range map[string]any{
		"303": int64(303), "0": int64(0), "-5": int64(-5), "15551234567": int64(15551234567),
		"0042": "0042", "-0": "-0", "919876543210": "919876543210", "1,000": "1,000", "12.5": "12.5", "+61": "+61", "1e5": "1e5",
	} {
		if got := inputValue(text); got != want {
			t.Errorf("inputValue(%q) = %#v, want %#v", text, got, want)
		}
	}
}

// TestSummaryWhileASheetIsOpen writes the Summary while a sheet is still
// open, its writer adding comments as its rows come: WriteSummary closes
// the sheet first, so every comment lands, and two marks on one cell
// still share one comment.
func TestSummaryWhileASheetIsOpen(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.AddSheet("Data", Layout{Columns: []Column{{Header: "Name"}, {Header: "Code"}},
		HeaderMarks: []Mark{{Col: 1, Tone: Caution, Note: "unknown column"}}})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 1500
	for i := range rows {
		r := Row{Num: i + 2, Cells: []string{fmt.Sprintf("n%d", i), "x"}, Marks: []Mark{{Col: 0, Tone: Bad, Note: "first"}}}
		if i%2 == 0 {
			r.Marks = append(r.Marks, Mark{Col: 0, Tone: Bad, Note: "second"})
		}
		if err := s.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.WriteSummary(Summary{Title: "Test"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "open.xlsx")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	comments := commentsOf(t, openReport(t, path), "Data")
	if len(comments) != rows+1 || comments["B1"] != "unknown column" || comments["A2"] != "first\nsecond" || comments["A3"] != "first" {
		t.Errorf("%d comments (want %d); B1 %q, A2 %q, A3 %q", len(comments), rows+1, comments["B1"], comments["A2"], comments["A3"])
	}
}
