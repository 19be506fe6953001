package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/templates/samplegen"
	"github.com/onboard/onboard/internal/terminal"
)

// TestValidateSampleFindsExactlyItsMistakes runs the README's
// `onboard validate samples/vendor-sheets.xlsx --json` and requires the
// sample's deliberate mistakes, each on its cell with its rule, and
// nothing else.
func TestValidateSampleFindsExactlyItsMistakes(t *testing.T) {
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run(io, []string{"validate", sampleWorkbook, "--json", "--no-report"})
	if code != exitRowsInvalid {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut.String())
	}
	var got struct {
		Errors []struct{ Sheet, Cell, Field, Rule, Message string }
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var have, want []string
	for _, e := range got.Errors {
		have = append(have, e.Sheet+"!"+e.Cell+" "+e.Field+" "+e.Rule)
	}
	for _, m := range samplegen.Mistakes() {
		if strings.HasSuffix(m.File, "vendor-sheets.xlsx") {
			want = append(want, m.Sheet+"!"+m.Cell+" "+m.Field+" "+m.Rule)
		}
	}
	sort.Strings(have)
	sort.Strings(want)
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors found:\n%s\nwant exactly the sample's mistakes:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}

// TestValidatePlanSampleFlagsHRCells runs `onboard validate
// samples/new-hires.xlsx --plan samples/plan.yaml --json` and requires
// exactly the HR sample's five mistakes, each on the HR cell that caused it.
func TestValidatePlanSampleFlagsHRCells(t *testing.T) {
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run(io, []string{"validate", "../../samples/new-hires.xlsx", "--plan", "../../samples/plan.yaml", "--json", "--no-report"})
	if code != exitRowsInvalid {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut.String())
	}
	var got struct {
		Schema int
		People struct {
			Total    int
			ByStatus map[string]int `json:"by_status"`
		}
		Persons []struct {
			Row      int
			Name     string
			Status   string
			Problems []string
		}
		Errors []struct{ Cell, Rule, Message string }
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, e := range got.Errors {
		cells = append(cells, e.Cell+" "+e.Rule)
		if !strings.Contains(e.Message, "("+e.Cell+")") {
			t.Errorf("message does not name its HR cell %s: %q", e.Cell, e.Message)
		}
	}
	want := "C7 email,D8 required,K9 role,E10 unique,J12 enum"
	if strings.Join(cells, ",") != want || got.People.Total != 13 || got.Schema != 1 {
		t.Errorf("schema %d, people %d, errors %v; want 1, 13 and %s", got.Schema, got.People.Total, cells, want)
	}
	if got.People.ByStatus["ready"] != 8 || got.People.ByStatus["needs_fixing"] != 5 {
		t.Errorf("people by status %v, want 8 ready and 5 needs fixing", got.People.ByStatus)
	}
	for _, p := range got.Persons {
		if p.Name == "Ana Müller" && (p.Status != "needs fixing" || len(p.Problems) != 1 || !strings.Contains(p.Problems[0], "K9")) {
			t.Errorf("the unknown-role person: %+v", p)
		}
	}
}

func TestValidatePlanErrorsExit2(t *testing.T) {
	plan := t.TempDir() + "/plan.yaml"
	if err := writeFile(plan, "roles:\n  Agent: [netsapiens.usr]\n"); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run(io, []string{"validate", "../../samples/new-hires.xlsx", "--plan", plan, "--json"})
	if code != exitUnusable || !strings.Contains(errOut.String(), "plan.yaml:2") {
		t.Fatalf("exit %d, stderr %q: want 2 and the plan line", code, errOut.String())
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }

// TestHRTemplateCommand writes the HR template for the sample plan and
// reads it back: a New Hires sheet whose Role drop-down lists the plan's
// roles.
func TestHRTemplateCommand(t *testing.T) {
	out := t.TempDir() + "/hr.xlsx"
	var stdout, stderr bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	if code := run(io, []string{"template", "--hires", "--plan", "../../samples/plan.yaml", "-o", out}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations("New Hires")
	if err != nil {
		t.Fatal(err)
	}
	// Each list validation points at a range; the Role one must hold the
	// plan's roles.
	var roles []string
	for _, dv := range dvs {
		ref := strings.ReplaceAll(dv.Formula1, "$", "")
		sheet, rng, ok := strings.Cut(ref, "!")
		if dv.Type != "list" || !ok {
			continue
		}
		from, to, _ := strings.Cut(rng, ":")
		col, _, _ := excelize.SplitCellName(from)
		_, first, _ := excelize.SplitCellName(from)
		_, last, _ := excelize.SplitCellName(to)
		var values []string
		for r := first; r <= last; r++ {
			v, _ := f.GetCellValue(sheet, fmt.Sprintf("%s%d", col, r))
			values = append(values, v)
		}
		if slices.Contains(values, "Sales Agent") {
			roles = values
		}
	}
	if !slices.Contains(roles, "Manager") || !slices.Contains(roles, "IT Admin") {
		t.Errorf("no drop-down lists the plan's roles; found %v", roles)
	}
	if code := run(io, []string{"template", "--hires", "-o", t.TempDir() + "/x.xlsx"}); code != exitUnusable || !strings.Contains(stderr.String(), "--plan") {
		t.Errorf("--hires without --plan: exit %d, %s", code, stderr.String())
	}
}
