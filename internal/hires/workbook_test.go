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
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %v, %v", rows, err)
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
	if err != nil || len(comments) != len(Columns) || !strings.Contains(comments[2].Text, "Example: jane.smith@acme.example") {
		t.Errorf("comments = %d, %v", len(comments), err)
	}
	inst, _ := x.GetRows("Instructions")
	text := ""
	for _, r := range inst {
		text += strings.Join(r, " ") + "\n"
	}
	for _, s := range []string{"How to fill in the New Hires sheet", "Manager: NetSapiens desk phone user, Fone Dynamics portal login, Cove backup console user",
		"Work email yes The person's work email address", "one of: Denver HQ, London, Sydney"} {
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
