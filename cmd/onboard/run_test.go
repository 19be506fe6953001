package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runInDir runs onboard in a fresh working folder (where reports and the
// state land by default) and returns the exit code, stdout and stderr.
func runInDir(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	io, out, errOut := testIO()
	code := run(io, args)
	return code, out.String(), errOut.String()
}

func TestRunHRSheetNamesEveryPersonsProblemOnce(t *testing.T) {
	samples, _ := filepath.Abs("../../samples")
	dir := t.TempDir()
	code, out, _ := runInDir(t, dir, "run", filepath.Join(samples, "new-hires.xlsx"), "--plan", filepath.Join(samples, "plan.yaml"), "--sandbox", "--json")
	if code != exitRowsInvalid {
		t.Fatalf("exit %d, want 1", code)
	}
	var doc struct {
		Schema  int
		People  struct{ Total int }
		Persons []struct {
			Row      int
			Name     string
			Status   string
			Problems []string
		}
		Report string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v", err)
	}
	if doc.Schema != 1 || doc.People.Total != 13 {
		t.Errorf("schema %d, %d people", doc.Schema, doc.People.Total)
	}
	found := false
	for _, p := range doc.Persons {
		if p.Row == 9 {
			found = true
			if p.Status != "failed" || len(p.Problems) != 1 || !strings.Contains(p.Problems[0], "Role (K9): 'Sales Agnet' is not a role") {
				t.Errorf("the unknown-role person: %+v", p)
			}
		}
		if p.Status != "all done" && len(p.Problems) == 0 {
			t.Errorf("row %d %s is %s with no reason", p.Row, p.Name, p.Status)
		}
	}
	if !found {
		t.Error("row 9 (unknown role) is missing from persons")
	}
	if !strings.HasPrefix(doc.Report, filepath.Join(dir, "reports", "new-hires-result-")) {
		t.Errorf("report %q, want it under %s/reports", doc.Report, dir)
	}
}

func TestRunTextSaysEachProblemOnceInPeople(t *testing.T) {
	samples, _ := filepath.Abs("../../samples")
	code, _, errOut := runInDir(t, t.TempDir(), "run", filepath.Join(samples, "new-hires.xlsx"), "--plan", filepath.Join(samples, "plan.yaml"), "--sandbox", "--quiet")
	if code != exitRowsInvalid {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	for _, want := range []string{"13 people: 8 all done, 2 partly done, 3 failed", "31 accounts: 25 created, 6 invalid",
		"row 9, Ana Müller: Role (K9): 'Sales Agnet' is not a role"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := strings.Count(errOut, "Work email (C7)"); n != 1 {
		t.Errorf("the row 7 problem is said %d times, want once:\n%s", n, errOut)
	}
	if strings.Contains(errOut, "not sent: not sent") || strings.Contains(errOut, "level=INFO") {
		t.Errorf("noise in the summary:\n%s", errOut)
	}
}

func TestRunDryRunWritesADryRunWorkbook(t *testing.T) {
	dir := t.TempDir()
	input := writeCSVFile(t, "cove.user.csv", coveValid[:2])
	code, _, errOut := runInDir(t, dir, "run", input, "--sandbox", "--dry-run")
	if code != exitOK || !strings.Contains(errOut, "1 row: 1 would be created") || !strings.Contains(errOut, "Dry-run workbook: "+filepath.Join("reports", "cove.user-dryrun-")) {
		t.Fatalf("dry run: exit %d\n%s", code, errOut)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "reports", "cove.user-result-*"))
	if len(matches) != 0 {
		t.Errorf("a dry run wrote a result workbook: %v", matches)
	}
}

func TestRunEmptySheetExits1(t *testing.T) {
	input := writeCSVFile(t, "cove.user.csv", coveValid[:1])
	code, _, errOut := runInDir(t, t.TempDir(), "run", input, "--sandbox", "--no-report")
	if code != exitRowsInvalid || !strings.Contains(errOut, "no rows found") {
		t.Errorf("header-only CSV: exit %d\n%s", code, errOut)
	}
	code, _, errOut = runValidateCmd(t, "validate", input, "--no-report")
	if code != exitRowsInvalid || !strings.Contains(errOut, "no rows found") {
		t.Errorf("validate header-only CSV: exit %d\n%s", code, errOut)
	}
}

func TestRunRefusesAReportThatWouldDestroyTheInput(t *testing.T) {
	xlsx := writeCSVFile(t, "x.xlsx", coveValid)
	before, _ := os.ReadFile(xlsx)
	for _, args := range [][]string{{"validate", xlsx, "--target", "cove.user", "--report", xlsx},
		{"run", xlsx, "--target", "cove.user", "--sandbox", "--report", xlsx}} {
		code, _, errOut := runInDir(t, t.TempDir(), args...)
		if code != exitUnusable || !strings.Contains(errOut, "is the input") {
			t.Errorf("%s --report equal to the input: exit %d\n%s", args[0], code, errOut)
		}
	}
	if after, _ := os.ReadFile(xlsx); string(after) != string(before) {
		t.Error("the input changed")
	}
}

func TestRunChecksItCanWriteItsFilesBeforeSending(t *testing.T) {
	input := writeCSVFile(t, "cove.user.csv", coveValid[:2])
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--report", "--results-csv"} {
		out := filepath.Join(notADir, "r.xlsx")
		if flag == "--results-csv" {
			out = filepath.Join(notADir, "r.csv")
		}
		code, _, errOut := runInDir(t, t.TempDir(), "run", input, "--sandbox", flag, out)
		if code != exitUnusable || !strings.Contains(errOut, "cannot create the folder") || strings.Contains(errOut, "Ran ") {
			t.Errorf("%s into a file's path: exit %d, want 2 before anything is sent:\n%s", flag, code, errOut)
		}
	}
}
