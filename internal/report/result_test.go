package report

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gocarina/gocsv"
	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/outcome"
)

// hrInput writes a small HR sheet: a header and three people.
func hrInput(t *testing.T) string {
	return writeXLSX(t, sheetData{name: "New Hires", rows: [][]string{
		{"First name", "Last name", "Work email", "Role", "Password"},
		{"Jane", "Smith", "jane@acme.example", "Sales Agent", "Harbour-Bridge-21"},
		{"Ana", "Müller", "ana@acme.example", "Sales Agnet", ""},
		{"Tom", "Zhang", "tom@acme.example", "Support", ""},
	}})
}

// hrResult is the outcome of a run of hrInput, built by hand: Jane all
// done, Ana stopped by her own row, Tom partly done.
func hrResult(input string) *outcome.Result {
	res := &outcome.Result{RunID: "20261130-120000-abcd", Input: input, Start: time.Unix(1e9, 0), End: time.Unix(1e9+3, 0),
		People: []outcome.Person{
			{Sheet: "New Hires", Row: 2, Name: "Jane Smith"},
			{Sheet: "New Hires", Row: 3, Name: "Ana Müller", Problems: []string{"Role (D3): 'Sales Agnet' is not a role in the plan"}},
			{Sheet: "New Hires", Row: 4, Name: "Tom Zhang"},
		},
		Records: []outcome.Record{
			{Target: "netsapiens.user", System: "NetSapiens phone", Sheet: "New Hires", Row: 2, Key: "acme/101", Person: 0, Status: outcome.Created, ID: "acme/101"},
			{Target: "acefone.user", System: "Acefone", Sheet: "New Hires", Row: 2, Key: "jane", Person: 0, Status: outcome.DoneEarlier, ID: "5001"},
			{Target: "netsapiens.user", System: "NetSapiens phone", Sheet: "New Hires", Row: 4, Key: "acme/102", Person: 2, Status: outcome.Created, ID: "acme/102"},
			{Target: "acefone.user", System: "Acefone", Sheet: "New Hires", Row: 4, Key: "tom", Person: 2, Status: outcome.Invalid, Message: "Acefone refused: number already in use"},
		},
		Settings: []outcome.Setting{{Vendor: "acefone", Key: "base_url", Value: "https://acefone.test"}},
	}
	res.Settle()
	return res
}

func TestResultWorkbookSpeaksInPeople(t *testing.T) {
	input := hrInput(t)
	res := hrResult(input)
	path := filepath.Join(t.TempDir(), "result.xlsx")
	if err := WriteResult(context.Background(), path, res, Source{HRSheet: "New Hires", PasswordColumn: "Password"}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,New Hires,Records,IT details" {
		t.Errorf("sheets: %s", got)
	}
	summary := sheetText(t, f, "Summary")
	for _, want := range []string{"3 people: 1 all done, 1 partly done, 1 failed", "Problems to fix", "'Sales Agnet' is not a role",
		"Acefone refused: number already in use", "4 accounts: 2 created, 1 already done in an earlier run, 1 invalid"} {
		if !strings.Contains(summary, want) {
			t.Errorf("Summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "base_url") {
		t.Error("the configuration belongs on the IT details sheet, not the Summary")
	}
	if it := sheetText(t, f, "IT details"); !strings.Contains(it, "https://acefone.test") || !strings.Contains(it, res.RunID) {
		t.Errorf("IT details lacks the configuration or run ID:\n%s", it)
	}
	rows, err := f.GetRows("New Hires")
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Join(rows[0], "|")
	if !strings.Contains(header, "|Overall|Problems|NetSapiens phone|NetSapiens phone ID|Acefone|Acefone ID") || strings.Contains(header, "acefone.user") {
		t.Errorf("people columns must use plain system names: %s", header)
	}
	ana := strings.Join(rows[2], "|")
	if !strings.Contains(ana, "failed|Role (D3): 'Sales Agnet' is not a role") {
		t.Errorf("the person stopped by their own row must say why: %s", ana)
	}
	if strings.Contains(strings.Join(rows[1], "|"), "Harbour-Bridge-21") {
		t.Error("a password reached the result workbook")
	}
}

func sheetText(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String()
}

func TestResultsCSVReadsBack(t *testing.T) {
	res := hrResult("in.xlsx")
	dir := t.TempDir()
	people := filepath.Join(dir, "people.csv")
	if err := WriteResultsCSV(people, res); err != nil {
		t.Fatal(err)
	}
	var got []*PersonCSV
	data, _ := os.ReadFile(people)
	if err := gocsv.UnmarshalBytes(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "Jane Smith" || got[0].Status != "all done" ||
		got[0].Systems != "Acefone: done earlier (ID 5001); NetSapiens phone: created (ID acme/101)" || !strings.Contains(got[1].Problems, "Sales Agnet") {
		t.Errorf("people CSV read back: %+v", got)
	}
	records := filepath.Join(dir, "records.csv")
	res.People = nil
	res.Records[0].Message = "=HYPERLINK(\"x\")"
	if err := WriteResultsCSV(records, res); err != nil {
		t.Fatal(err)
	}
	var recs []*RecordCSV
	data, _ = os.ReadFile(records)
	if err := gocsv.UnmarshalBytes(data, &recs); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[3].Status != "invalid" || recs[0].VendorID != "acme/101" || recs[0].Message != "'=HYPERLINK(\"x\")" {
		t.Errorf("records CSV read back: %+v", recs)
	}
}

func TestDefaultPathNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	first := DefaultPath(dir, "hires.xlsx", "result", "20261130-120000-abcd")
	if err := os.WriteFile(first, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := DefaultPath(dir, "hires.xlsx", "result", "20261130-120000-abcd")
	if second == first || !strings.HasSuffix(second, "-abcd-2.xlsx") {
		t.Errorf("second path %q must differ from %q", second, first)
	}
}

func TestCheckOutputRefusesWhatItWouldDestroy(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "hires.xlsx")
	if err := os.WriteFile(input, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.xlsx")
	if err := os.Symlink(filepath.Join(dir, "elsewhere.xlsx"), link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.xlsx")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.xlsx")
	if err := os.Link(input, hard); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		input: "is the input", dir + "/../" + filepath.Base(dir) + "/hires.xlsx": "is the input",
		hard: "is the input", link: "symbolic link", fifo: "not a regular file", dir: "not a regular file",
	} {
		err := CheckOutput(path, input)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckOutput(%s) = %v, want %q", path, err, want)
		}
	}
	if err := CheckOutput(filepath.Join(dir, "new", "report.xlsx"), input); err != nil {
		t.Errorf("a new file in a new folder: %v", err)
	}
	if data, _ := os.ReadFile(input); string(data) != "data" {
		t.Error("the input changed")
	}
}
