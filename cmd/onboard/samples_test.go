package main

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

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
		People int
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
	if strings.Join(cells, ",") != want || got.People != 13 {
		t.Errorf("people %d, errors %v; want 13 and %s", got.People, cells, want)
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
