package samplegen

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates"
)

const repoRoot = "../../.."

func TestCommittedSamplesAreCurrent(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	stale, err := templates.Stale(repoRoot, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stale {
		t.Errorf("stale sample %s", s)
	}
	if len(stale) > 0 {
		t.Log("the sample data or the target descriptions changed: run `make templates` and commit the result")
	}
}

func TestSamplesAreByteDeterministic(t *testing.T) {
	a, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two generations", a[i].Path)
		}
	}
}

// finding is one broken rule found by check, keyed like a Mistake.
type finding struct {
	Sheet, Cell, Field, Rule, Suggestion string
}

// check applies the per-cell rules of the descriptions (required, Parse),
// same-as and the uniqueness rules to one sheet's rows, independently of
// the validate package, to prove the samples hold exactly the listed
// mistakes.
func check(t *testing.T, sheetName string, target *schema.Target, header []string, rows []intake.Row) []finding {
	t.Helper()
	fields := make([]*schema.Field, len(header))
	for i, h := range header {
		fields[i] = target.MatchHeader(h)
		if fields[i] == nil {
			t.Errorf("%s: header %q names no field of %s", sheetName, h, target.ID)
		}
	}
	var found []finding
	seen := map[string]int{}
	for _, row := range rows {
		rec := schema.NewRecord(target)
		cellOf := map[string]string{}
		for i, f := range fields {
			if f == nil {
				continue
			}
			cellOf[f.Key] = intake.CellRef(i, row.Num)
			text := row.Cells[i]
			if text == "" {
				if f.Required {
					found = append(found, finding{sheetName, cellOf[f.Key], f.Key, schema.RuleRequired, ""})
				}
				continue
			}
			v, p := f.Parse(text)
			if p != nil {
				found = append(found, finding{sheetName, cellOf[f.Key], f.Key, p.Rule, p.Suggestion})
				continue
			}
			rec.Set(f.Key, v)
		}
		for _, f := range target.Fields {
			if f.SameAs != "" && rec.Get(f.Key) != nil && rec.Get(f.SameAs) != nil && rec.Text(f.Key) != rec.Text(f.SameAs) {
				found = append(found, finding{sheetName, cellOf[f.Key], f.Key, schema.RuleSameAs, ""})
			}
		}
		for ui, u := range target.Unique {
			parts := []string{}
			for _, k := range u.Fields {
				parts = append(parts, rec.Text(k))
			}
			if slices.Contains(parts, "") {
				continue
			}
			key := string(rune('0'+ui)) + strings.Join(parts, "\x00")
			if _, dup := seen[key]; dup {
				last := u.Fields[len(u.Fields)-1]
				found = append(found, finding{sheetName, cellOf[last], last, schema.RuleUnique, ""})
			}
			seen[key] = row.Num
		}
	}
	return found
}

func readSheets(t *testing.T, path string) (map[string][]finding, map[string]map[string]string) {
	t.Helper()
	f, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := map[string][]finding{}
	cells := map[string]map[string]string{} // sheet → cell → text
	for _, name := range f.SheetNames() {
		target := registry.MatchSheet(name)
		if target == nil {
			if name != InstructionsSheet {
				t.Errorf("sheet %q names no target", name)
			}
			continue
		}
		rr, err := f.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		var rows []intake.Row
		cells[name] = map[string]string{}
		for {
			row, ok := rr.Next()
			if !ok {
				break
			}
			rows = append(rows, row)
			for i, c := range row.Cells {
				cells[name][intake.CellRef(i, row.Num)] = c
			}
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rr.Close()
		if len(rows) < 8 || len(rows) > 15 {
			t.Errorf("sheet %q has %d rows, want 8 to 15", name, len(rows))
		}
		found[name] = check(t, name, target, rr.Header(), rows)
	}
	return found, cells
}

func TestWorkbookHoldsExactlyTheListedMistakes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vendor-sheets.xlsx")
	data, err := Workbook()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	found, cells := readSheets(t, path)
	var got, want []finding
	for _, s := range sheets() {
		got = append(got, found[s.Name]...)
	}
	if len(found) != 5 {
		t.Errorf("%d target sheets read, want 5", len(found))
	}
	for _, m := range Mistakes() {
		want = append(want, finding{m.Sheet, m.Cell, m.Field, m.Rule, m.Suggestion})
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems found:\n%v\nlisted mistakes:\n%v", got, want)
	}
	if len(want) != 9 {
		t.Errorf("%d mistakes listed, the brief asks for nine kinds", len(want))
	}
	for _, v := range TrickyValues() {
		if cells[v.Sheet][v.Cell] != v.Value {
			t.Errorf("%s %s reads back %q, want exactly %q (%s)", v.Sheet, v.Cell, cells[v.Sheet][v.Cell], v.Value, v.Why)
		}
	}
	// The headline cases, spelled out.
	if got := cells["acefone.user"]["B3"]; got != "919876543211" {
		t.Errorf("mobile typed as a number reads back %q, want the exact digits", got)
	}
	if got := cells["NetSapiens Users"]["F7"]; got != "office manager" {
		t.Errorf("NetSapiens Users F7 = %q, want the lower-case scope", got)
	}
	if v, p := netsapiensScope().Parse("office manager"); p != nil || v != "Office Manager" {
		t.Errorf("'office manager' parses to %v, %v", v, p)
	}
	for _, name := range []string{"José", "Zoë", "O'Brien", "王"} {
		if !containsValue(cells, name) {
			t.Errorf("no cell holds %q exactly", name)
		}
	}
}

func netsapiensScope() *schema.Field { return registry.Target("netsapiens.user").Field("user-scope") }

func containsValue(cells map[string]map[string]string, v string) bool {
	for _, sheet := range cells {
		for _, c := range sheet {
			if c == v {
				return true
			}
		}
	}
	return false
}

func TestAcefoneCSVIsValid(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "acefone.user.csv")
	if err := os.WriteFile(path, fileData(t, files, AcefoneCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	if target := registry.MatchFileName(path); target == nil || target.ID != "acefone.user" {
		t.Fatalf("file name %s does not pick acefone.user", path)
	}
	f, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rr, err := f.Rows(f.SheetNames()[0])
	if err != nil {
		t.Fatal(err)
	}
	var rows []intake.Row
	for {
		row, ok := rr.Next()
		if !ok {
			break
		}
		rows = append(rows, row)
	}
	if len(rows) != len(csvAcefone())-1 {
		t.Errorf("%d rows read, want %d", len(rows), len(csvAcefone())-1)
	}
	if problems := check(t, "acefone.user.csv", registry.Target("acefone.user"), rr.Header(), rows); len(problems) > 0 {
		t.Errorf("acefone.user.csv should be valid; found %v", problems)
	}
	if rows[4].Cells[0] != "Zoë D'Souza" || rows[3].Cells[6] != `Mysore"Palace"5` {
		t.Errorf("quoted and accented cells read back as %q and %q", rows[4].Cells[0], rows[3].Cells[6])
	}
}

// TestCoveCSVIsWindows1252AndValid decodes the file itself, so it does not
// depend on the intake's encoding detection.
func TestCoveCSVIsWindows1252AndValid(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	raw := fileData(t, files, CoveCSV)
	if bytes.Contains(raw, []byte("ë")) || !bytes.Contains(raw, []byte{'Z', 'o', 0xEB}) {
		t.Fatal("cove CSV is not encoded in Windows-1252")
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(records, csvCoveEMEA(), slices.Equal[[]string]) {
		t.Fatalf("cove CSV does not round-trip:\n%q", records)
	}
	rows := make([]intake.Row, 0, len(records)-1)
	for i, rec := range records[1:] {
		rows = append(rows, intake.Row{Num: i + 2, Cells: rec})
	}
	if problems := check(t, "cove.user-emea.csv", registry.Target("cove.user"), records[0], rows); len(problems) > 0 {
		t.Errorf("cove.user-emea.csv should be valid; found %v", problems)
	}
}

func fileData(t *testing.T, files []templates.GeneratedFile, path string) []byte {
	t.Helper()
	for _, f := range files {
		if f.Path == path {
			return f.Data
		}
	}
	t.Fatalf("no generated file %s", path)
	return nil
}

func TestReadmeListsEveryMistake(t *testing.T) {
	text := readme()
	for _, m := range Mistakes() {
		if !strings.Contains(text, "| "+m.Sheet+" | "+m.Cell+" | ") {
			t.Errorf("README does not list %s %s", m.Sheet, m.Cell)
		}
	}
}

func TestKeypad(t *testing.T) {
	cases := map[string]int64{"Smith": 764, "García": 427, "O'Brien": 627, "Müller": 685, "王": 0, "Li": 0}
	for name, want := range cases {
		if got := netsapiens.DialByName(name); got != want {
			t.Errorf("DialByName(%q) = %d, want %d", name, got, want)
		}
	}
}
