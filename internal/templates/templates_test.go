package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/pagesetup"
)

// readBack builds the template for targets, writes it and opens the bytes
// again, so every check below looks at what a spreadsheet program reads.
func readBack(t *testing.T, targets []*schema.Target) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, targets); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the written template does not open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestSheetsAreInstructionsThenOnePerTargetThenHiddenLists(t *testing.T) {
	f := readBack(t, registry.Targets())
	want := []string{InstructionsSheet, "NetSapiens Sites", "NetSapiens Users", "Acefone Users", "Fone Dynamics Logins", "Cove Users", ListsSheet}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet = %d, want 0 (Instructions)", f.GetActiveSheetIndex())
	}
	for _, name := range want {
		visible, err := f.GetSheetVisible(name)
		if err != nil {
			t.Fatal(err)
		}
		if visible == (name == ListsSheet) {
			t.Errorf("sheet %q visible = %t", name, visible)
		}
	}
	for _, target := range registry.Targets() {
		if got := registry.MatchSheet(target.Label); got != target {
			t.Errorf("sheet %q does not round-trip through registry.MatchSheet (got %v)", target.Label, got)
		}
		if len(target.Label) > 31 {
			t.Errorf("sheet name %q is longer than Excel's 31 characters", target.Label)
		}
	}
	for _, name := range []string{InstructionsSheet, ListsSheet} {
		if registry.MatchSheet(name) != nil {
			t.Errorf("helper sheet %q would be read as a target", name)
		}
	}
}

func TestInstructionsNameEverySheetAndTheLegend(t *testing.T) {
	f := readBack(t, registry.Targets())
	rows, err := f.GetRows(InstructionsSheet)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(strings.Join(r, " "))
		text.WriteString("\n")
	}
	all := text.String()
	for _, target := range registry.Targets() {
		if !strings.Contains(all, target.Label+": "+strings.TrimSuffix(target.Help, ".")) {
			t.Errorf("instructions have no line for sheet %q", target.Label)
		}
	}
	for _, want := range []string{"*", "Drop-down", "onboard targets", "docs/targets.md", "onboard validate", "Row 2 holds an example"} {
		if !strings.Contains(all, want) {
			t.Errorf("instructions do not mention %q", want)
		}
	}
}

func TestHeadersFrozenPanesAndExampleRow(t *testing.T) {
	f := readBack(t, registry.Targets())
	for _, target := range registry.Targets() {
		rows, err := f.GetRows(target.Label, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows, want header and example", target.Label, len(rows))
		}
		header := rows[0]
		if len(header) != len(target.Fields) {
			t.Fatalf("%s: %d header cells for %d fields", target.Label, len(header), len(target.Fields))
		}
		for i, field := range target.Fields {
			want := field.Label
			if field.Required {
				want += " *"
			}
			if header[i] != want {
				t.Errorf("%s column %d header = %q, want %q", target.Label, i+1, header[i], want)
			}
			if got := target.MatchHeader(header[i]); got != field {
				t.Errorf("%s header %q is not read back as field %s", target.Label, header[i], field.Key)
			}
			example := ""
			if i < len(rows[1]) {
				example = rows[1][i]
			}
			if field.Kind == schema.Boolean && example != "" {
				// A logical cell reads back raw as 1/0, which the parser accepts.
				example = map[string]string{"1": "TRUE", "0": "FALSE"}[example]
			}
			if example != field.Example {
				t.Errorf("%s %s example cell = %q, want %q", target.Label, field.Key, example, field.Example)
			}
			if example != "" {
				if _, p := field.Parse(example); p != nil {
					t.Errorf("%s %s: the example %q breaks the field's own rule: %s", target.Label, field.Key, example, p.Message)
				}
			}
		}
		panes, err := f.GetPanes(target.Label)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
			t.Errorf("%s: panes %+v, want the header row frozen", target.Label, panes)
		}
	}
}

func TestIntegerExamplesAreNumbersAndTextColumnsAreText(t *testing.T) {
	f := readBack(t, registry.Targets())
	for _, target := range registry.Targets() {
		for i, field := range target.Fields {
			col, _ := excelize.ColumnNumberToName(i + 1)
			style, err := f.GetColStyle(target.Label, col)
			if err != nil {
				t.Fatal(err)
			}
			numFmt := 0
			if style != 0 {
				s, err := f.GetStyle(style)
				if err != nil {
					t.Fatal(err)
				}
				numFmt = s.NumFmt
			}
			wantText := field.Kind == schema.Digits || field.Kind == schema.Phone || field.Kind == schema.Secret
			if (numFmt == 49) != wantText {
				t.Errorf("%s %s (%s): column number format %d, text format wanted: %t", target.Label, field.Key, field.Kind, numFmt, wantText)
			}
			if field.Kind == schema.Integer && field.Example != "" {
				typ, err := f.GetCellType(target.Label, col+"2")
				if err != nil {
					t.Fatal(err)
				}
				if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
					t.Errorf("%s %s: example is a %v cell, want a number", target.Label, field.Key, typ)
				}
			}
			w, err := f.GetColWidth(target.Label, col)
			if err != nil {
				t.Fatal(err)
			}
			if w < minWidth || w > maxWidth {
				t.Errorf("%s %s: column width %g outside %d..%d", target.Label, field.Key, w, minWidth, maxWidth)
			}
		}
	}
	// The extension column in particular keeps "0100" as typed.
	col := columnOf(t, netsapiens.User, "user")
	if err := f.SetCellValue("NetSapiens Users", col+"3", "0100"); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("NetSapiens Users", col+"3"); v != "0100" {
		t.Errorf("extension typed 0100 reads back %q", v)
	}
}

func columnOf(t *testing.T, target *schema.Target, key string) string {
	t.Helper()
	col, err := excelize.ColumnNumberToName(target.FieldIndex(key) + 1)
	if err != nil {
		t.Fatal(err)
	}
	return col
}

var sqrefPattern = regexp.MustCompile(`^([A-Z]+)2:([A-Z]+)10000$`)

// validations returns a sheet's data validations by column letter.
func validations(t *testing.T, f *excelize.File, sheet string) map[string]*excelize.DataValidation {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	byCol := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		m := sqrefPattern.FindStringSubmatch(dv.Sqref)
		if m == nil || m[1] != m[2] {
			t.Fatalf("%s: validation on %q, want one column from row 2 to row 10000", sheet, dv.Sqref)
		}
		if byCol[m[1]] != nil {
			t.Fatalf("%s: two validations on column %s", sheet, m[1])
		}
		byCol[m[1]] = dv
	}
	return byCol
}

// listValues returns the values a list validation offers, following a
// defined name to the Lists sheet.
func listValues(t *testing.T, f *excelize.File, formula string) []string {
	t.Helper()
	if strings.HasPrefix(formula, `"`) {
		return strings.Split(strings.Trim(formula, `"`), ",")
	}
	var refersTo string
	for _, n := range f.GetDefinedName() {
		if n.Name == formula {
			refersTo = n.RefersTo
		}
	}
	m := regexp.MustCompile(`^Lists!\$([A-Z]+)\$1:\$([A-Z]+)\$(\d+)$`).FindStringSubmatch(refersTo)
	if m == nil || m[1] != m[2] {
		t.Fatalf("list %q refers to %q, want one column of the Lists sheet", formula, refersTo)
	}
	n, _ := strconv.Atoi(m[3])
	values := make([]string, n)
	for i := range values {
		v, err := f.GetCellValue(ListsSheet, fmt.Sprintf("%s%d", m[1], i+1))
		if err != nil {
			t.Fatal(err)
		}
		values[i] = v
	}
	return values
}

func TestEveryColumnHasTheRightValidation(t *testing.T) {
	f := readBack(t, registry.Targets())
	lists, ranges := 0, 0
	for _, target := range registry.Targets() {
		byCol := validations(t, f, target.Label)
		if len(byCol) != len(target.Fields) {
			t.Errorf("%s: %d validations for %d columns", target.Label, len(byCol), len(target.Fields))
		}
		for i, field := range target.Fields {
			col, _ := excelize.ColumnNumberToName(i + 1)
			dv := byCol[col]
			if dv == nil {
				t.Errorf("%s %s: no validation on column %s", target.Label, field.Key, col)
				continue
			}
			name := target.Label + " " + field.Key
			checkInput(t, name, field, dv)
			switch {
			case field.Kind == schema.Enum || field.Kind == schema.YesNo || field.Kind == schema.Boolean ||
				(field.Kind == schema.List && field.Item == schema.Enum):
				lists++
				if dv.Type != "list" {
					t.Errorf("%s: validation type %q, want a drop-down list", name, dv.Type)
					continue
				}
				want := field.Enum
				switch field.Kind {
				case schema.YesNo:
					want = []string{"yes", "no"}
				case schema.Boolean:
					want = []string{"TRUE", "FALSE"}
				}
				if got := listValues(t, f, dv.Formula1); !slices.Equal(got, want) {
					t.Errorf("%s: drop-down offers %q, want %q", name, got, want)
				}
				wantStyle := "stop"
				if field.Kind == schema.List {
					wantStyle = "information" // several values must still get through
				}
				if deref(dv.ErrorStyle) != wantStyle || !strings.Contains(deref(dv.Error), field.Describe()) {
					t.Errorf("%s: error %s %q, want %s with %q", name, deref(dv.ErrorStyle), deref(dv.Error), wantStyle, field.Describe())
				}
			case field.Kind == schema.Integer && (field.Min != nil || field.Max != nil):
				ranges++
				if dv.Type != "whole" {
					t.Errorf("%s: validation type %q, want whole", name, dv.Type)
					continue
				}
				checkBounds(t, name, field, dv)
				if deref(dv.ErrorStyle) != "stop" || !strings.Contains(deref(dv.Error), field.Describe()) {
					t.Errorf("%s: error %s %q, want stop with %q", name, deref(dv.ErrorStyle), deref(dv.Error), field.Describe())
				}
			default:
				if dv.Type != "" && dv.Type != "none" {
					t.Errorf("%s: unexpected %q validation on a %s column", name, dv.Type, field.Kind)
				}
			}
		}
	}
	// Guard against the checks above silently finding nothing to check.
	if lists < 40 || ranges < 15 {
		t.Errorf("checked %d drop-downs and %d ranges; the descriptions have more", lists, ranges)
	}
}

func checkInput(t *testing.T, name string, field *schema.Field, dv *excelize.DataValidation) {
	t.Helper()
	prompt, title := deref(dv.Prompt), deref(dv.PromptTitle)
	if !dv.ShowInputMessage || title != field.Label {
		t.Errorf("%s: input message %t %q, want titled %q", name, dv.ShowInputMessage, title, field.Label)
	}
	help := strings.TrimSuffix(field.Help, ".")
	if len(help) > 200 {
		help = help[:200]
	}
	if !strings.Contains(prompt, help) {
		t.Errorf("%s: input message %q lacks the help %q", name, prompt, help)
	}
	if field.Required != strings.HasPrefix(prompt, "Required.") {
		t.Errorf("%s: input message %q, required = %t", name, prompt, field.Required)
	}
	if n := utf8.RuneCountInString(prompt); n > maxPrompt {
		t.Errorf("%s: input message of %d characters, Excel allows %d", name, n, maxPrompt)
	}
	if n := utf8.RuneCountInString(deref(dv.Error)); n > maxError {
		t.Errorf("%s: error message of %d characters, Excel allows %d", name, n, maxError)
	}
	if utf8.RuneCountInString(title) > maxTitle || utf8.RuneCountInString(deref(dv.ErrorTitle)) > maxTitle {
		t.Errorf("%s: title longer than %d characters", name, maxTitle)
	}
}

func checkBounds(t *testing.T, name string, field *schema.Field, dv *excelize.DataValidation) {
	t.Helper()
	num := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Errorf("%s: bound %q is not a whole number", name, s)
		}
		return n
	}
	switch {
	case field.Min != nil && field.Max != nil:
		if dv.Operator != "between" || num(dv.Formula1) != *field.Min || num(dv.Formula2) != *field.Max {
			t.Errorf("%s: %s %s..%s, want between %d and %d", name, dv.Operator, dv.Formula1, dv.Formula2, *field.Min, *field.Max)
		}
	case field.Min != nil:
		if dv.Operator != "greaterThanOrEqual" || num(dv.Formula1) != *field.Min {
			t.Errorf("%s: %s %s, want ≥ %d", name, dv.Operator, dv.Formula1, *field.Min)
		}
	default:
		if dv.Operator != "lessThanOrEqual" || num(dv.Formula1) != *field.Max {
			t.Errorf("%s: %s %s, want ≤ %d", name, dv.Operator, dv.Formula1, *field.Max)
		}
	}
}

func TestSpecificRulesFromTheBrief(t *testing.T) {
	f := readBack(t, registry.Targets())
	byCol := validations(t, f, "NetSapiens Users")
	cases := []struct {
		key    string
		op     string
		f1, f2 string
	}{
		{"directory-name-number-dtmf-mapping", "between", "100", "999"},
		{"ring-no-answer-timeout-seconds", "between", "0", "3600"},
		{"directory-override-order-duplicate-dtmf-mapping", "between", "0", "100"},
		{"voicemail-greeting-index", "greaterThanOrEqual", "0", ""},
		{"caller-id-number", "greaterThanOrEqual", "10", ""},
	}
	for _, c := range cases {
		dv := byCol[columnOf(t, netsapiens.User, c.key)]
		if dv == nil || dv.Type != "whole" || dv.Operator != c.op || dv.Formula1 != c.f1 || dv.Formula2 != c.f2 {
			t.Errorf("%s: validation %+v, want whole %s %s %s", c.key, dv, c.op, c.f1, c.f2)
		}
	}
	tz := byCol[columnOf(t, netsapiens.User, "time-zone")]
	if got := listValues(t, f, tz.Formula1); len(got) != 221 || !slices.Equal(got, netsapiens.TimeZones) {
		t.Errorf("time-zone drop-down has %d values, want the 221 NetSapiens names", len(got))
	}
	if strings.HasPrefix(tz.Formula1, `"`) {
		t.Errorf("time-zone list stored inline (%d chars), beyond Excel's 255-character limit", len(tz.Formula1))
	}
	// Site and user share one time-zone list.
	if site := validations(t, f, "NetSapiens Sites")[columnOf(t, netsapiens.Site, "time-zone")]; site.Formula1 != tz.Formula1 {
		t.Errorf("site time-zone list %q, user %q: want one shared list", site.Formula1, tz.Formula1)
	}
	// Path fields are columns too.
	for _, c := range []struct {
		target *schema.Target
		key    string
	}{{netsapiens.User, "domain"}, {cove.User, "PartnerId"}} {
		if c.target.FieldIndex(c.key) < 0 {
			t.Fatalf("%s has no %s field", c.target.ID, c.key)
		}
		header, _ := f.GetCellValue(c.target.Label, columnOf(t, c.target, c.key)+"1")
		if !strings.HasPrefix(header, c.target.Field(c.key).Label) {
			t.Errorf("%s: path field %s has header %q", c.target.Label, c.key, header)
		}
	}
}

func TestSubsetHasOnlyNamedSheetsAndNoListsWhenNotNeeded(t *testing.T) {
	f := readBack(t, []*schema.Target{acefone.User})
	if got, want := f.GetSheetList(), []string{InstructionsSheet, "Acefone Users"}; !slices.Equal(got, want) {
		t.Errorf("sheets = %q, want %q", got, want)
	}
	for _, n := range f.GetDefinedName() {
		if n.Name != pagesetup.PrintTitles {
			t.Errorf("defined name %v in a workbook without long lists", n)
		}
	}
}

func TestBuildIsByteDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, registry.Targets()); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, registry.Targets()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two builds of the same template differ")
	}
}

func TestBuildNoTargets(t *testing.T) {
	if _, err := Build(nil); err == nil {
		t.Error("Build(nil) succeeded")
	}
}

func TestSelect(t *testing.T) {
	ids := func(ts []*schema.Target) []string {
		var s []string
		for _, t := range ts {
			s = append(s, t.ID)
		}
		return s
	}
	cases := []struct {
		names []string
		want  []string
	}{
		{nil, registry.IDs()},
		{[]string{"cove.user", "netsapiens.user"}, []string{"netsapiens.user", "cove.user"}},
		{[]string{"netsapiens"}, []string{"netsapiens.site", "netsapiens.user"}},
		{[]string{"Acefone Users", "acefone.user"}, []string{"acefone.user"}},
		{[]string{"Fone Dynamics"}, []string{"fonedynamics.login"}},
	}
	for _, c := range cases {
		got, err := Select(c.names)
		if err != nil {
			t.Errorf("Select(%q): %v", c.names, err)
			continue
		}
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("Select(%q) = %q, want %q", c.names, ids(got), c.want)
		}
	}
	_, err := Select([]string{"netsapiens.user", "zendesk.user"})
	var unknown *UnknownTargetError
	if !errors.As(err, &unknown) || unknown.Name != "zendesk.user" {
		t.Fatalf("Select(zendesk.user) error = %v, want UnknownTargetError", err)
	}
	for _, id := range registry.IDs() {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("error %q does not list %s", err, id)
		}
	}
}

func TestCatalogJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, registry.Targets()); err != nil {
		t.Fatal(err)
	}
	var got []TargetInfo
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("targets JSON does not parse: %v", err)
	}
	if len(got) != len(registry.Targets()) {
		t.Fatalf("%d targets in JSON", len(got))
	}
	for i, target := range registry.Targets() {
		ti := got[i]
		if ti.ID != target.ID || ti.Label != target.Label || len(ti.Fields) != len(target.Fields) {
			t.Errorf("JSON target %d = %s/%s with %d fields", i, ti.ID, ti.Label, len(ti.Fields))
			continue
		}
		for j, field := range target.Fields {
			fi := ti.Fields[j]
			if fi.Key != field.Key || fi.Rule != field.Describe() || fi.Required != field.Required || fi.Help != field.Help || fi.Example != field.Example || fi.Default != field.Default {
				t.Errorf("%s %s: JSON %+v does not match the description", target.ID, field.Key, fi)
			}
			if (fi.In == "path") != field.Path {
				t.Errorf("%s %s: in = %q, path = %t", target.ID, field.Key, fi.In, field.Path)
			}
		}
	}
	scopes := got[3].Fields[5]
	if scopes.Key != "Scopes" || scopes.Type != "list of enum" || len(scopes.Enum) != 13 || scopes.Separator != "," {
		t.Errorf("Fone Dynamics scopes in JSON: %+v", scopes)
	}
}

func TestTextAndMarkdownListEveryField(t *testing.T) {
	var text, md bytes.Buffer
	if err := WriteText(&text, registry.Targets()); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, registry.Targets()); err != nil {
		t.Fatal(err)
	}
	for _, target := range registry.Targets() {
		if !strings.Contains(text.String(), target.ID) || !strings.Contains(md.String(), "## "+target.Label+" (`"+target.ID+"`)") {
			t.Errorf("%s missing from the listing or the docs", target.ID)
		}
		for _, field := range target.Fields {
			if !strings.Contains(md.String(), "| `"+field.Key+"`") {
				t.Errorf("docs have no row for %s %s", target.ID, field.Key)
			}
		}
	}
	for _, tz := range netsapiens.TimeZones {
		if !strings.Contains(md.String(), "`"+tz+"`") {
			t.Errorf("docs do not list time zone %s", tz)
			break
		}
	}
	// Every table row has the same number of cells: no stray '|' from a rule.
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| ") && strings.Count(strings.ReplaceAll(l, `\|`, ""), "|") != 9 && strings.Count(strings.ReplaceAll(l, `\|`, ""), "|") != 5 {
			t.Errorf("malformed table row: %s", l)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func TestExampleRowMatchesTheSheet(t *testing.T) {
	f := readBack(t, []*schema.Target{cove.User})
	rows, err := f.GetRows(cove.User.Label)
	if err != nil {
		t.Fatal(err)
	}
	want := ExampleRow(cove.User)
	for i, v := range want {
		got := ""
		if i < len(rows[1]) {
			got = rows[1][i]
		}
		if got != v {
			t.Errorf("example row column %d = %q, ExampleRow says %q", i+1, got, v)
		}
	}
}

func BenchmarkWriteAllTargets(b *testing.B) {
	targets := registry.Targets()
	for b.Loop() {
		if err := Write(io.Discard, targets); err != nil {
			b.Fatal(err)
		}
	}
}
