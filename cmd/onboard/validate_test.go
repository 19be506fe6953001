package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/terminal"
)

// runValidateCmd runs `onboard ARGS...` in-process and returns the exit
// code, stdout and stderr.
func runValidateCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(&terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, args)
	return code, out.String(), errOut.String()
}

func writeCSVFile(t *testing.T, name string, rows [][]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := csv.NewWriter(fh).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var coveValid = [][]string{
	{"Partner ID", "Login Name", "Email", "Password"},
	{"123456", "ann@example.com", "ann@example.com", "Sup3r-Secret!"},
	{"123456", "bob@example.com", "bob@example.com", ""},
}

func TestValidateAllValidExits0(t *testing.T) {
	path := writeCSVFile(t, "cove.user.csv", coveValid)
	code, out, errOut := runValidateCmd(t, "validate", path, "--no-report")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout should be empty without --json, got %q", out)
	}
	for _, want := range []string{"2 rows, 2 valid, 0 invalid", "  cove.user (cove.user): 2 rows, 2 valid, 0 invalid", "All rows are valid."} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "Report:") {
		t.Errorf("--no-report still names a report:\n%s", errOut)
	}
}

func TestValidateInvalidExits1WithJSON(t *testing.T) {
	rows := append(append([][]string(nil), coveValid...),
		[]string{"123456", "cy@example.com", "dee@example.com", "An0ther-Secret"}, // row 4: login differs from email
		[]string{"0", "eve@example.com", "eve@example.com", ""},                   // row 5: partner out of range
	)
	path := writeCSVFile(t, "cove.user.csv", rows)
	reportPath := filepath.Join(t.TempDir(), "out", "check.xlsx")
	code, out, errOut := runValidateCmd(t, "validate", path, "--json", "--report", reportPath)
	if code != 1 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("--json must leave stderr empty on success, got %q", errOut)
	}
	if strings.Contains(out, "Secret") {
		t.Errorf("a password is in the JSON:\n%s", out)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if got := keys(doc); got != "command,errors,ignored_sheets,input,invalid,ok,report,rows,schema,targets,valid,warnings" {
		t.Errorf("keys: %s", got)
	}
	if doc["schema"] != 1.0 || doc["ok"] != false || doc["rows"] != 4.0 || doc["valid"] != 2.0 || doc["invalid"] != 2.0 || doc["report"] != reportPath || doc["input"] != path {
		t.Errorf("doc: %s", out)
	}
	errs := doc["errors"].([]any)
	if len(errs) != 2 {
		t.Fatalf("errors: %v", errs)
	}
	first := errs[0].(map[string]any)
	if got := keys(first); got != "cell,column,field,message,row,rule,sheet,target,value" {
		t.Errorf("error keys: %s", got)
	}
	if first["cell"] != "B4" || first["rule"] != "same-as" || first["row"] != 4.0 || first["target"] != "cove.user" || first["field"] != "Name" {
		t.Errorf("first error: %v", first)
	}
	target := doc["targets"].([]any)[0].(map[string]any)
	if keys(target) != "invalid,rows,sheet,target,valid" || target["invalid"] != 2.0 {
		t.Errorf("targets: %v", target)
	}
	if _, err := os.Stat(reportPath); err != nil {
		t.Errorf("report not written: %v", err)
	}
}

func TestValidateTextSummaryAndDefaultReport(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Acefone Users"); err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]any{
		{"Name", "Mobile Number", "Create Agent", "Email", "Login ID", "Role ID", "Password", "Enabled", "Caller IDs", "Shoe Size"},
		{"Priya", "919876543210", "TRUE", "priya@example.com", "priya", "3", "pw", "yes", "101", "8"},
		{"Raj", "919876543211", "maybe", "raj@example.com", "raj", "3", "pw", "yes", "101", "9"},
	} {
		if err := f.SetSheetRow("Acefone Users", "A"+string(rune('1'+i)), &row); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(filepath.Join(dir, "march.xlsx")); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	code, out, errOut := runValidateCmd(t, "validate", "march.xlsx")
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"Checked march.xlsx: 2 rows, 1 valid, 1 invalid",
		"Acefone Users (acefone.user): 2 rows, 1 valid, 1 invalid",
		"Ignored sheets (no target has these names): Notes",
		"1 error:\n  Sheet 'Acefone Users', cell C3 (Create Agent): must be TRUE or FALSE",
		"1 warning:\n  Sheet 'Acefone Users', cell J1 (Shoe Size)",
		"Report: " + filepath.Join("reports", "march-validation-"),
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	reports, _ := filepath.Glob(filepath.Join(dir, "reports", "march-validation-*.xlsx"))
	if len(reports) != 1 {
		t.Errorf("default report: %v", reports)
	}
}

func TestValidateUnusableExits2(t *testing.T) {
	hires := writeCSVFile(t, "hires.csv", coveValid)
	cove := writeCSVFile(t, "cove.user.csv", coveValid)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"validate", filepath.Join(t.TempDir(), "nope.xlsx")}, "nope.xlsx"},
		{"csv without target", []string{"validate", hires, "--no-report"}, "netsapiens.user"},
		{"unknown target", []string{"validate", hires, "--target", "cove.users", "--no-report"}, "unknown target \"cove.users\""},
		{"bad default", []string{"validate", cove, "--default", "cove.PartnerId", "--no-report"}, "VENDOR.FIELD=VALUE"},
		{"default breaks its rule", []string{"validate", cove, "--default", "cove.PartnerId=abc", "--no-report"}, "whole number"},
		{"report and no-report", []string{"validate", cove, "--report", "x.xlsx", "--no-report"}, "cannot be used together"},
		{"report not xlsx", []string{"validate", cove, "--report", "x.csv"}, "ending in .xlsx"},
		{"no input", []string{"validate"}, "give the spreadsheet to check, e.g. onboard validate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runValidateCmd(t, c.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout: %q", out)
			}
			if !strings.Contains(errOut, c.want) || !strings.HasPrefix(errOut, "onboard") {
				t.Errorf("stderr %q should start with 'onboard' and contain %q", errOut, c.want)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace on stderr:\n%s", errOut)
			}
		})
	}
}

func TestValidateTargetAndDefaultFlags(t *testing.T) {
	path := writeCSVFile(t, "hires.csv", [][]string{{"Login Name", "Email"}, {"ann@example.com", "ann@example.com"}})
	code, out, errOut := runValidateCmd(t, "validate", path, "--target", "cove.user", "--default", "cove.PartnerId=42", "--json", "--no-report")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var doc struct {
		Valid  int    `json:"valid"`
		Report string `json:"report"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Valid != 1 || doc.Report != "" {
		t.Errorf("doc %+v err %v: %s", doc, err, out)
	}
}

func keys(m map[string]any) string {
	k := make([]string, 0, len(m))
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}
