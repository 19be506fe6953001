package hires

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/templates/examplerow"
	"github.com/onboard/onboard/internal/templates/pagesetup"
)

func TestTemplateColumns(t *testing.T) {
	p := mustPlan(t, testPlan)
	cols := TemplateColumns(p)
	if len(cols) != len(Columns) {
		t.Fatalf("%d columns", len(cols))
	}
	by := map[string]TemplateColumn{}
	for _, c := range cols {
		by[c.Key] = c
	}
	if c := by[Role]; c.Header != "Role *" || !c.Required || strings.Join(c.Values, "|") != "Sales Agent|Manager|Backup Only" {
		t.Errorf("Role = %+v", c)
	}
	if c := by[Office]; c.Header != "Office" || strings.Join(c.Values, "|") != "Denver HQ|London|Sydney" {
		t.Errorf("Office = %+v", c)
	}
	if c := by[TimeZone]; len(c.Values) != len(netsapiens.TimeZones) {
		t.Errorf("Time zone values: %d", len(c.Values))
	}
	if !by[Mobile].Text || !by[Extension].Text || !by[StartDate].Date || by[Department].Values != nil {
		t.Errorf("formats: %+v %+v %+v", by[Mobile], by[Extension], by[StartDate])
	}
}

func TestWriteTemplate(t *testing.T) {
	p := mustPlan(t, testPlan)
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, p); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), "|"); got != "New Hires|Instructions|Lists" {
		t.Errorf("sheets = %s", got)
	}
	if visible, _ := x.GetSheetVisible("Lists"); visible {
		t.Error("the Lists sheet is visible")
	}
	rows, err := x.GetRows("New Hires")
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %v, %v; want the header and the example row", rows, err)
	}
	if got, want := strings.Join(rows[1], "|"), strings.Join(p.ExampleRow(), "|"); got != strings.TrimRight(want, "|") {
		t.Errorf("example row = %s, want %s", got, want)
	}
	if got := strings.Join(rows[0], "|"); got != "First name *|Last name *|Work email *|Mobile|Extension|Department|Office|Job title|Start date|Time zone|Role *|Systems|Password" {
		t.Errorf("header = %s", got)
	}
	dvs, err := x.GetDataValidations("New Hires")
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Sqref+"="+dv.Formula1)
	}
	want := "G2:G500=Lists!$A$2:$A$4 J2:J500=Lists!$B$2:$B$222 K2:K500=Lists!$C$2:$C$4"
	if strings.Join(lists, " ") != want {
		t.Errorf("drop-downs = %s\nwant %s", strings.Join(lists, " "), want)
	}
	if v, _ := x.GetCellValue("Lists", "B222"); v != netsapiens.TimeZones[220] {
		t.Errorf("last time zone = %q", v)
	}
	panes, err := x.GetPanes("New Hires")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v", panes, err)
	}
	comments, err := x.GetComments("New Hires")
	if err != nil || len(comments) != len(Columns)+1 || !strings.Contains(comments[2].Text, "Example: jane.smith@acme.example") {
		t.Errorf("comments = %d, %v", len(comments), err)
	}
	exampleNoted := false
	for _, c := range comments {
		exampleNoted = exampleNoted || c.Cell == "A2" && strings.Contains(c.Text, examplerow.Note)
	}
	if !exampleNoted {
		t.Errorf("no note %q on A2", examplerow.Note)
	}
	for i := range Columns {
		sid, _ := x.GetCellStyle("New Hires", intake.CellRef(i, 2))
		if st, err := x.GetStyle(sid); err != nil || st.Font == nil || !st.Font.Italic || st.Font.Color != "808080" {
			t.Errorf("example cell %s is not grey italic", intake.CellRef(i, 2))
		}
	}
	inst, _ := x.GetRows("Instructions")
	text := ""
	for _, r := range inst {
		text += strings.Join(r, " ") + "\n"
	}
	for _, s := range []string{"How to fill in the New Hires sheet", "Manager: NetSapiens desk phone user, Fone Dynamics portal login, Cove backup console user",
		"Work email (required): The person's work email address", "one of: Denver HQ, London, Sydney", "Row 2 holds an example person",
		"onboard never sends it"} {
		if !strings.Contains(text, s) {
			t.Errorf("Instructions lack %q:\n%s", s, text)
		}
	}
}

func TestWorkbookRoundTrip(t *testing.T) {
	p := mustPlan(t, testPlan)
	rows := [][]string{
		{"Jane", "Smith", "jane.smith@acme.example", "+1 303 555 0142", "0101", "Sales", "Denver HQ", "AE", "2025-03-03", "America/Denver", "Sales Agent", "", ""},
		{"Zoë", "Quinn", "zoe.quinn@acme.example", "+61 412 345 678", "301", "", "Sydney", "", "2025-04-14", "Australia/Sydney", "Manager", "-fonedynamics", ""},
	}
	path := filepath.Join(t.TempDir(), "hires.xlsx")
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, p, rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := p.Process(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Sheet != "New Hires" || b.Count(SeverityError) != 0 || len(b.People) != 2 {
		t.Fatalf("sheet %q, %d people: %s", b.Sheet, len(b.People), dump(b.Problems))
	}
	jane, zoe := b.People[0], b.People[1]
	if jane.Row != 2 || jane.Text(Extension) != "0101" || jane.Text(StartDate) != "2025-03-03" || zoe.Text(StartDate) != "2025-04-14" || zoe.Text(LastName) != "Quinn" {
		t.Errorf("read back: %v %q %q %q", jane, jane.Text(Extension), jane.Text(StartDate), zoe.Text(StartDate))
	}
	if got := targetIDs(b.Records); got != "netsapiens.site netsapiens.site netsapiens.user netsapiens.user acefone.user cove.user" {
		t.Errorf("records = %s", got)
	}
}

func TestFindSheet(t *testing.T) {
	p := mustPlan(t, testPlan)
	dir := t.TempDir()
	// A workbook whose people are on "Sheet2" under another name.
	x := excelize.NewFile()
	x.SetCellStr("Sheet1", "A1", "notes")
	x.NewSheet("Q3 starters list")
	for i, h := range []string{"First name", "Last name", "Email", "Role"} {
		x.SetCellStr("Q3 starters list", intake.CellRef(i, 1), h)
	}
	path := filepath.Join(dir, "q3.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if s, err := p.FindSheet(f); err != nil || s != "Q3 starters list" {
		t.Errorf("FindSheet = %q, %v", s, err)
	}
	named := mustPlan(t, "sheet: People\n"+testPlan)
	_, err = named.FindSheet(f)
	var ue *intake.UnusableError
	if !errorsAs(err, &ue) || !strings.Contains(ue.Reason, "no sheet named 'People'") {
		t.Errorf("FindSheet with sheet: People = %v", err)
	}
	// A CSV is its own sheet; one missing Role is unusable.
	csv := filepath.Join(dir, "hires.csv")
	os.WriteFile(csv, []byte("First name,Last name,Email\nJane,Smith,j@acme.example\n"), 0o600)
	cf, err := intake.Open(csv, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	_, err = p.Process(cf, Options{})
	if !errorsAs(err, &ue) || !strings.Contains(ue.Error(), "sheet 'hires' has no Role column (the header is row 1)") {
		t.Errorf("Process(csv without Role) = %v", err)
	}
}

// TestHRWorkbookPrintsLandscapeOneWide opens the written template and
// checks each printed sheet: landscape, one page wide, the header row
// repeated on every page of the New Hires sheet, frozen on screen; the
// Instructions in one wide, wrapped column.
func TestHRWorkbookPrintsLandscapeOneWide(t *testing.T) {
	p := mustPlan(t, testPlan)
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, p); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for sheet, titles := range map[string]string{"New Hires": "'New Hires'!$1:$1", "Instructions": ""} {
		ps, err := pagesetup.Read(x, sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !ps.Landscape || !ps.FitToPage || ps.FitToWidth != 1 || ps.FitToHeight != 0 || ps.Titles != titles {
			t.Errorf("%s prints %+v; want landscape, 1 page wide, titles %q", sheet, ps, titles)
		}
	}
	if w, _ := x.GetColWidth("Instructions", "A"); w != instructionsWidth {
		t.Errorf("Instructions column A width = %g", w)
	}
	rows, _ := x.GetRows("Instructions")
	for r, cells := range rows {
		if len(cells) > 1 {
			t.Errorf("Instructions row %d uses %d columns", r+1, len(cells))
		}
		if len(cells) == 1 && len(cells[0]) > instructionsWidth {
			h, _ := x.GetRowHeight("Instructions", r+1)
			if want := float64(pagesetup.WrappedLines(cells[0], pagesetup.TextRoom(instructionsWidth))) * pagesetup.LineHeight; h < want {
				t.Errorf("Instructions row %d is %g points tall for %g points of text", r+1, h, want)
			}
		}
	}
	for i, c := range TemplateColumns(p) {
		w, _ := x.GetColWidth("New Hires", intake.ColumnName(i))
		if float64(len(c.Header)) >= w {
			t.Errorf("column %s is %g wide, its header %q is cut", c.Label, w, c.Header)
		}
	}
}

// processBytes saves a workbook and reads it as onboard run --plan does.
func processBytes(t *testing.T, p *Plan, data []byte) *Batch {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hires.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := p.Process(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUntouchedTemplateExampleIsSkipped(t *testing.T) {
	p := mustPlan(t, testPlan)
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, p); err != nil {
		t.Fatal(err)
	}
	b := processBytes(t, p, buf.Bytes())
	if len(b.People) != 0 || len(b.Records) != 0 {
		t.Fatalf("%d people, %d records from an untouched template; want none", len(b.People), len(b.Records))
	}
	var notes []*Problem
	for _, pr := range b.Problems {
		if pr.Rule == examplerow.Rule {
			notes = append(notes, pr)
		}
	}
	if len(notes) != 1 || notes[0].Severity != SeverityNote || notes[0].Row != 2 ||
		notes[0].Message != "The template's example row, left as written: skipped, never sent" {
		t.Errorf("example notes = %s", dump(notes))
	}
	if b.Count(SeverityError) != 0 {
		t.Errorf("errors: %s", dump(b.Problems))
	}
}

func TestTemplateExampleTypedOverIsAPerson(t *testing.T) {
	p := mustPlan(t, testPlan)
	for _, c := range []struct {
		name, cell, value string
	}{
		{"first name typed over", "A2", "Janet"},
		{"systems cleared", intake.CellRef(11, 2), ""},
		{"password typed in", intake.CellRef(12, 2), "Tr1cky-Pa55word!"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteTemplate(&buf, p); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := x.SetCellStr("New Hires", c.cell, c.value); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if _, err := x.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			x.Close()
			b := processBytes(t, p, out.Bytes())
			if len(b.People) != 1 || b.People[0].Row != 2 {
				t.Fatalf("%d people; want row 2 as one real person (%s)", len(b.People), dump(b.Problems))
			}
			if len(b.Records) == 0 {
				t.Errorf("no records for the person typed over the example")
			}
			for _, pr := range b.Problems {
				if pr.Rule == examplerow.Rule {
					t.Errorf("the typed-over row was noted as the example: %s", pr.Message)
				}
			}
		})
	}
}

// TestSampleRowLikeTheExampleIsAPerson: a filled sheet whose first person
// has the example's values but no Systems entry (as samples/new-hires.xlsx
// has) is a real person.
func TestSampleRowLikeTheExampleIsAPerson(t *testing.T) {
	p := mustPlan(t, testPlan)
	row := p.ExampleRow()
	row[11] = "" // Systems
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, p, [][]string{row}); err != nil {
		t.Fatal(err)
	}
	if b := processBytes(t, p, buf.Bytes()); len(b.People) != 1 {
		t.Fatalf("%d people; want 1 (%s)", len(b.People), dump(b.Problems))
	}
}
