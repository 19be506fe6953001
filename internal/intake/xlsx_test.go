package intake

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/png"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetRows is everything a RowReader yields.
type sheetRows struct {
	header []string
	hrow   int
	rows   []Row
	err    error // from Rows or Err
}

func readSheet(t testing.TB, path, sheet string) sheetRows {
	t.Helper()
	f, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.SheetNames()[0]
	}
	return readRows(f, sheet)
}

func readRows(f File, sheet string) sheetRows {
	rr, err := f.Rows(sheet)
	if err != nil {
		return sheetRows{err: err}
	}
	defer rr.Close()
	out := sheetRows{header: rr.Header(), hrow: rr.HeaderRow()}
	for {
		row, ok := rr.Next()
		if !ok {
			break
		}
		out.rows = append(out.rows, row)
	}
	out.err = rr.Err()
	return out
}

func saveExcelize(t testing.TB, f *excelize.File) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// A workbook made the way Excel users make them, through excelize's
// ordinary API: every value type, styles, shared and rich text.
func TestXLSXValuesAsTyped(t *testing.T) {
	f := excelize.NewFile()
	pad := "0000"
	padStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &pad})
	ddmm := "dd/mm/yyyy"
	ddmmStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &ddmm})
	twoDecimals, _ := f.NewStyle(&excelize.Style{NumFmt: 2})
	sci, _ := f.NewStyle(&excelize.Style{NumFmt: 11}) // 0.00E+00: Excel shows 9.20E+11
	header := []any{"Phone", "Ext", "Padded", "Whole", "Half", "Flag", "Off", "Start", "Meeting", "DMY", "Name", "Rich", "Spaces", "Sci", "Money"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	row := []any{
		919876543210.0, // a phone typed as a number
		"0100",         // an extension typed as text ('0100)
		100,            // shown as 0100 through the "0000" format
		12.0,
		12.5,
		true,
		false,
		time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		"José",
		nil,
		"\u00a0 Zoë O'Brien \u00a0",
		919876543210.0,
		1234.5,
	}
	if err := f.SetSheetRow("Sheet1", "A2", &row); err != nil {
		t.Fatal(err)
	}
	f.SetCellStyle("Sheet1", "C2", "C2", padStyle)
	f.SetCellStyle("Sheet1", "J2", "J2", ddmmStyle)
	f.SetCellStyle("Sheet1", "N2", "N2", sci)
	f.SetCellStyle("Sheet1", "O2", "O2", twoDecimals)
	f.SetCellRichText("Sheet1", "L2", []excelize.RichTextRun{{Text: "王"}, {Text: "芳", Font: &excelize.Font{Bold: true}}})
	got := readSheet(t, saveExcelize(t, f), "Sheet1")
	if got.err != nil {
		t.Fatal(got.err)
	}
	if got.hrow != 1 || !reflect.DeepEqual(got.header, []string{"Phone", "Ext", "Padded", "Whole", "Half", "Flag", "Off", "Start", "Meeting", "DMY", "Name", "Rich", "Spaces", "Sci", "Money"}) {
		t.Fatalf("header %d %q", got.hrow, got.header)
	}
	want := []string{"919876543210", "0100", "0100", "12", "12.5", "TRUE", "FALSE", "2026-01-15", "2026-01-15T09:30:00", "2026-03-04",
		"José", "王芳", "Zoë O'Brien", "919876543210", "1234.5"}
	if len(got.rows) != 1 || got.rows[0].Num != 2 || !reflect.DeepEqual(got.rows[0].Cells, want) {
		t.Fatalf("rows %+v\nwant %q", got.rows, want)
	}
}

// Stored values the way Excel itself writes them, including forms
// excelize never produces: exponents, binary noise, error cells, ISO date
// cells, inline strings, formula text results.
func TestXLSXStoredForms(t *testing.T) {
	cases := []struct {
		name, cell, want string
	}{
		{"exponent phone", `<c r="A2"><v>9.19876543210E+11</v></c>`, "919876543210"},
		{"exponent twelve", `<c r="A2"><v>1.2E1</v></c>`, "12"},
		{"twelve point zero", `<c r="A2"><v>12.0</v></c>`, "12"},
		{"binary noise", `<c r="A2"><v>0.30000000000000004</v></c>`, "0.3"},
		{"negative", `<c r="A2"><v>-42</v></c>`, "-42"},
		{"negative zero", `<c r="A2"><v>-0</v></c>`, "0"},
		{"small decimal", `<c r="A2"><v>1E-7</v></c>`, "0.0000001"},
		{"16 digits rounds like Excel", `<c r="A2"><v>1.2345678901234567E+16</v></c>`, "12345678901234600"},
		{"decimals format keeps exact value", `<c r="A2" s="6"><v>12.5</v></c>`, "12.5"},
		{"whole format keeps exact value", `<c r="A2" s="11"><v>12.5</v></c>`, "12.5"},
		{"percent is the stored fraction", `<c r="A2" s="10"><v>0.5</v></c>`, "0.5"},
		{"pad format", `<c r="A2" s="1"><v>7</v></c>`, "0007"},
		{"pad format wider value", `<c r="A2" s="1"><v>123456</v></c>`, "123456"},
		{"pad format with literals", `<c r="A2" s="7"><v>12345678</v></c>`, "012345678"},
		{"pad format decimal untouched", `<c r="A2" s="1"><v>7.5</v></c>`, "7.5"},
		{"text format number", `<c r="A2" s="8"><v>100</v></c>`, "100"},
		{"built-in date", `<c r="A2" s="2"><v>46037</v></c>`, "2026-01-15"},
		{"custom date time", `<c r="A2" s="3"><v>46037.395833333336</v></c>`, "2026-01-15T09:30:00"},
		{"CJK date", `<c r="A2" s="9"><v>46037</v></c>`, "2026-01-15"},
		{"time of day", `<c r="A2" s="4"><v>0.395833333333333</v></c>`, "09:30:00"},
		{"elapsed", `<c r="A2" s="5"><v>1.0625</v></c>`, "25:30:00"},
		{"boolean true", `<c r="A2" t="b"><v>1</v></c>`, "TRUE"},
		{"boolean false", `<c r="A2" t="b"><v>0</v></c>`, "FALSE"},
		{"error", `<c r="A2" t="e"><f>VLOOKUP(A1,B:C,2,FALSE)</f><v>#N/A</v></c>`, "#N/A"},
		{"formula text", `<c r="A2" t="str"><f>A1&amp;"x"</f><v>abc&lt;x&gt;</v></c>`, "abc<x>"},
		{"formula without cached value", `<c r="A2"><f>1+1</f></c><c r="B2"><v>1</v></c>`, ""},
		{"ISO date cell", `<c r="A2" t="d"><v>2026-01-15T00:00:00Z</v></c>`, "2026-01-15"},
		{"ISO date time cell", `<c r="A2" t="d"><v>2026-01-15T09:30:00</v></c>`, "2026-01-15T09:30:00"},
		{"inline string", `<c r="A2" t="inlineStr"><is><t xml:space="preserve">  Zoë  </t></is></c>`, "Zoë"},
		{"inline rich string", `<c r="A2" t="inlineStr"><is><r><rPr><b/></rPr><t>O'</t></r><r><t>Brien</t></r></is></c>`, "O'Brien"},
		{"shared string", `<c r="A2" t="s"><v>0</v></c>`, "José"},
		{"shared rich string without phonetic", `<c r="A2" t="s"><v>1</v></c>`, "王芳"},
		{"entities and references", `<c r="A2" t="inlineStr"><is><t>Tom &amp; Jerry &#233;&#x20AC;</t></is></c>`, "Tom & Jerry é€"},
		{"CDATA and comment", `<c r="A2" t="inlineStr"><is><t><![CDATA[a<b>]]><!-- note --></t></is></c>`, "a<b>"},
		{"escaped control character", `<c r="A2" t="inlineStr"><is><t>line_x000D_two</t></is></c>`, "line\rtwo"},
		{"escaped underscore", `<c r="A2" t="inlineStr"><is><t>_x005F_x0041_</t></is></c>`, "_x0041_"},
		{"non-breaking spaces trimmed", `<c r="A2" t="inlineStr"><is><t>` + "\u00a0Ana María\u00a0\u200b" + `</t></is></c>`, "Ana María"},
		{"inner line break kept", `<c r="A2" t="inlineStr"><is><t>two&#10;lines</t></is></c>`, "two\nlines"},
		{"quote-prefixed number text", `<c r="A2" t="s"><v>2</v></c>`, "0100"},
	}
	sst := `<si><t>José</t></si><si><r><t>王</t></r><r><rPr><b/></rPr><t>芳</t></r><rPh sb="0" eb="1"><t>ワン</t></rPh></si><si><t>0100</t></si>`
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Value</t></is></c><c r="B1" t="inlineStr"><is><t>Other</t></is></c></row><row r="2">` + tc.cell + `</row>`
			p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts(sst, false, sheetXML(rows))))
			got := readSheet(t, p, "Sheet1")
			if got.err != nil {
				t.Fatal(got.err)
			}
			if len(got.rows) != 1 || got.rows[0].Cells[0] != tc.want {
				t.Fatalf("got %+v, want %q", got.rows, tc.want)
			}
		})
	}
}

// A part written in UTF-16 by some other tool reads the same.
func TestXLSXUTF16Part(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Zoë 王芳</t></is></c></row>`
	sheet := strings.Replace(sheetXML(rows), `encoding="UTF-8"`, `encoding="UTF-16"`, 1)
	parts := workbookParts("", false, "")
	parts["xl/worksheets/sheet1.xml"] = string(utf16Bytes(sheet, binary.LittleEndian))
	got := readSheet(t, writeFile(t, "book.xlsx", zipBytes(t, parts)), "")
	if got.err != nil || len(got.rows) != 1 || got.rows[0].Cells[0] != "Zoë 王芳" {
		t.Fatalf("got %+v", got)
	}
}

func TestXLSXInvalidUTF8(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Ren` + "\xe9" + `</t></is></c></row>`
	got := readSheet(t, writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, sheetXML(rows)))), "")
	if got.err == nil || !strings.Contains(got.err.Error(), `sheet "Sheet1" near row 2 is damaged and cannot be read (text that is not valid UTF-8)`) {
		t.Fatalf("got %+v", got)
	}
}

// Text longer than the scanner's buffer arrives whole; a cell longer
// than Excel's 32,767-character limit refuses the file, naming the cell.
func TestXLSXLongText(t *testing.T) {
	long := strings.Repeat("王芳 O'Brien ", 40000) // about 600 KB
	long = strings.TrimSpace(long)
	sc := newXMLScannerSize(strings.NewReader("<si><t>"+long+"</t></si>"), 16)
	if err := sc.next(false); err != nil || sc.kind != tokStart {
		t.Fatal(err)
	}
	if got, err := sc.appendStringItem(nil); err != nil || string(got) != long {
		t.Fatalf("scanner: %v, %d bytes of %d", err, len(got), len(long))
	}
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Note</t></is></c><c r="B1" t="inlineStr"><is><t>Other</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>` + long + `</t></is></c><c r="B2" t="s"><v>0</v></c></row>`
	p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts("<si><t>"+long+"</t></si>", false, sheetXML(rows))))
	got := readSheet(t, p, "")
	if got.err == nil || !strings.Contains(got.err.Error(), `sheet "Sheet1", cell A2 (row 2, column A "Note") holds 439999 characters`) || len(got.rows) != 0 {
		t.Fatalf("err %v, %d rows", got.err, len(got.rows))
	}
}

func TestXLSXDate1904(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Start</t></is></c></row><row r="2"><c r="A2" s="2"><v>44575</v></c></row>`
	p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", true, sheetXML(rows))))
	got := readSheet(t, p, "")
	if got.err != nil || len(got.rows) != 1 || got.rows[0].Cells[0] != "2026-01-15" {
		t.Fatalf("got %+v", got)
	}
}

// Rows keep their real Excel numbers; blank and whitespace-only rows and
// trailing empty cells vanish; short rows are padded to the header.
func TestXLSXSparseRows(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"First", "Last", "Email"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"Jane", "Smith", "jane@example.com"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"   ", "\u00a0", ""}) // only spaces
	f.SetSheetRow("Sheet1", "A5", &[]any{"José"})              // short row
	f.SetCellValue("Sheet1", "D7", "")                         // an empty, styled cell
	style, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	f.SetCellStyle("Sheet1", "A8", "C8", style) // formatted but empty
	f.SetSheetRow("Sheet1", "A9", &[]any{"王", "芳", "wang.fang@example.com", nil, "note"})
	got := readSheet(t, saveExcelize(t, f), "Sheet1")
	if got.err != nil {
		t.Fatal(got.err)
	}
	want := []Row{
		{Num: 2, Cells: []string{"Jane", "Smith", "jane@example.com"}},
		{Num: 5, Cells: []string{"José", "", ""}},
		{Num: 9, Cells: []string{"王", "芳", "wang.fang@example.com", "", "note"}},
	}
	if !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v\nwant %+v", got.rows, want)
	}
}

// Pictures, comments, charts' companions and hidden sheets do not get in
// the way of the data.
func TestXLSXWithExtras(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"First", "Last"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"Siobhán", "Nguyen"})
	var picture bytes.Buffer
	if err := png.Encode(&picture, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	if err := f.AddPictureFromBytes("Sheet1", "D2", &excelize.Picture{Extension: ".png", File: picture.Bytes()}); err != nil {
		t.Fatal(err)
	}
	if err := f.AddComment("Sheet1", excelize.Comment{Cell: "A2", Author: "HR", Text: "starts Monday"}); err != nil {
		t.Fatal(err)
	}
	f.NewSheet("Hidden")
	f.SetCellValue("Hidden", "A1", "lookup")
	f.SetSheetVisible("Hidden", false)
	f.SetDefinedName(&excelize.DefinedName{Name: "Names", RefersTo: "Sheet1!$A$2:$A$2"})
	p := saveExcelize(t, f)
	book, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if !reflect.DeepEqual(book.SheetNames(), []string{"Sheet1", "Hidden"}) {
		t.Fatalf("sheets %q", book.SheetNames())
	}
	got := readRows(book, "Sheet1")
	if got.err != nil || len(got.rows) != 1 || !reflect.DeepEqual(got.rows[0].Cells, []string{"Siobhán", "Nguyen"}) {
		t.Fatalf("got %+v", got)
	}
	if hidden := readRows(book, "Hidden"); hidden.err != nil || hidden.header[0] != "lookup" {
		t.Fatalf("hidden sheet %+v", hidden)
	}
}

// The header is the first non-blank row, wherever it is.
func TestXLSXHeaderBelowBlankRows(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "B3", &[]any{" First ", "Last"})
	f.SetSheetRow("Sheet1", "B4", &[]any{"Jane", "Smith"})
	got := readSheet(t, saveExcelize(t, f), "Sheet1")
	if got.err != nil || got.hrow != 3 || !reflect.DeepEqual(got.header, []string{"", "First", "Last"}) {
		t.Fatalf("got %+v", got)
	}
	if len(got.rows) != 1 || got.rows[0].Num != 4 || !reflect.DeepEqual(got.rows[0].Cells, []string{"", "Jane", "Smith"}) {
		t.Fatalf("rows %+v", got.rows)
	}
}

// XML written by other tools: namespace prefixes, no r attributes,
// self-closing cells, '>' inside attribute values, odd spacing.
func TestXLSXOtherWriters(t *testing.T) {
	sheet := `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by a report tool -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
  <x:sheetData>
    <x:row>
      <x:c t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c>
      <x:c t = 'inlineStr' ><x:is><x:t>Ext</x:t></x:is></x:c>
    </x:row>
    <x:row spans="1:2" note="a > b">
      <x:c t="inlineStr"><x:is><x:t>Zoë</x:t></x:is></x:c>
      <x:c><x:v>101</x:v></x:c>
    </x:row>
    <x:row r="4"><x:c r="A4"/><x:c r="B4" s="0"/></x:row>
    <x:row r="6"><x:c r="B6"><x:v> 102 </x:v></x:c></x:row>
  </x:sheetData>
</x:worksheet>`
	p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, sheet)))
	got := readSheet(t, p, "")
	if got.err != nil {
		t.Fatal(got.err)
	}
	want := []Row{{Num: 2, Cells: []string{"Zoë", "101"}}, {Num: 6, Cells: []string{"", "102"}}}
	if got.hrow != 1 || !reflect.DeepEqual(got.header, []string{"Name", "Ext"}) || !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v", got)
	}
}

func TestXLSXSeveralSheets(t *testing.T) {
	users := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>user</t></is></c></row><row r="2"><c r="A2"><v>101</v></c></row>`)
	sites := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>site</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Denver</t></is></c></row>`)
	empty := sheetXML(``)
	p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, users, sites, empty)))
	f, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Format() != "xlsx" || !reflect.DeepEqual(f.SheetNames(), []string{"Sheet1", "Sheet2", "Sheet3"}) {
		t.Fatalf("format %s sheets %q", f.Format(), f.SheetNames())
	}
	// Two sheets read at the same time.
	a, err := f.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Rows("Sheet2")
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := a.Next()
	rb, _ := b.Next()
	if ra.Cells[0] != "101" || rb.Cells[0] != "Denver" {
		t.Fatalf("got %q %q", ra.Cells, rb.Cells)
	}
	a.Close()
	b.Close()
	_, err = f.Rows("Sheet3")
	var uerr *UnusableError
	if !errors.As(err, &uerr) || !errors.Is(err, ErrNoHeader) || !strings.Contains(err.Error(), `sheet "Sheet3" is empty`) {
		t.Fatalf("empty sheet: %v", err)
	}
	_, err = f.Rows("Nope")
	if !errors.As(err, &uerr) || !strings.Contains(err.Error(), `no readable sheet named "Nope" (its sheets: Sheet1, Sheet2, Sheet3)`) {
		t.Fatalf("unknown sheet: %v", err)
	}
}

// A damaged sheet stops the rows with an UnusableError naming the sheet
// and row, never a panic.
func TestXLSXDamagedSheet(t *testing.T) {
	cases := []struct {
		name, rows, want string
	}{
		{"rows out of order", `<row r="1"><c r="A1"><v>1</v></c></row><row r="5"><c r="A5"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>`,
			`sheet "Sheet1" near row 5 is damaged and cannot be read (row 3 comes after row 5)`},
		{"bad shared string", `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2" t="s"><v>7</v></c></row>`,
			`sheet "Sheet1" cell B2 is damaged: it refers to shared text number 7, but the workbook has 1`},
		{"bad cell reference", `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="12"><v>1</v></c></row>`,
			`near row 2 is damaged and cannot be read (bad cell reference "12")`},
		{"row number too big", `<row r="1"><c r="A1"><v>1</v></c></row><row r="1048577"><c><v>1</v></c></row>`,
			`bad row number "1048577"`},
		{"column beyond XFD", `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="XFE2"><v>1</v></c></row>`,
			`bad cell reference "XFE2"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts(`<si><t>x</t></si>`, false, sheetXML(tc.rows))))
			got := readSheet(t, p, "")
			var uerr *UnusableError
			if !errors.As(got.err, &uerr) || !strings.Contains(got.err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", got.err, tc.want)
			}
		})
	}
	// Truncated XML inside a part whose zip entry is intact.
	p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, `<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v>`)))
	got := readSheet(t, p, "")
	if got.err == nil || !strings.Contains(got.err.Error(), "the sheet ends inside") || len(got.rows) != 0 {
		t.Fatalf("truncated: %+v", got)
	}
}

// The cells intake reads agree with excelize's own reading wherever
// excelize's display text is the typed text.
func TestXLSXAgreesWithExcelize(t *testing.T) {
	f := excelize.NewFile()
	values := [][]any{
		{"domain", "user", "first", "last", "amount"},
		{"acme.example.com", 101, "Zoë", "O'Brien", 12.25},
		{"acme.example.com", 102, "王", "芳", -3},
		{"acme.example.com", 103, "Siobhán", "Nguyen & Sons", 0},
	}
	for i, row := range values {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &row)
	}
	p := saveExcelize(t, f)
	ef, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	want, _ := ef.GetRows("Sheet1")
	got := readSheet(t, p, "Sheet1")
	all := append([][]string{got.header}, nil)
	all = all[:1]
	for _, r := range got.rows {
		all = append(all, r.Cells)
	}
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("intake %q\nexcelize %q", all, want)
	}
}

func TestColumnNames(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
		if got, ok := columnIndex([]byte(want + "12")); !ok || got != i {
			t.Errorf("columnIndex(%s) = %d", want, got)
		}
	}
	if got := CellRef(1, 7); got != "B7" {
		t.Errorf("CellRef(1, 7) = %q", got)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"Jane":                     "Jane",
		"  Jane  ":                 "Jane",
		"\u00a0José\u00a0":         "José",
		"\ufeffdomain":             "domain",
		"\u200bO'Brien\t\r\n":      "O'Brien",
		"王芳\u3000":                 "王芳",
		"Ana\u00a0María":           "Ana\u00a0María",
		" two\nlines ":             "two\nlines",
		"\u202fnarrow nbsp\u202f":  "narrow nbsp",
		"\u200e\u200fmarks\u2060 ": "marks",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCustomFormatKinds(t *testing.T) {
	for code, want := range map[string]numberFormat{
		"0000":                               {kind: padKind, zeroPad: 4},
		"000-00-0000":                        {kind: padKind, zeroPad: 9},
		`"ID "00000`:                         {kind: padKind, zeroPad: 5},
		"#,##0":                              {kind: plainKind},
		"0":                                  {kind: plainKind},
		"0.00":                               {kind: plainKind},
		"0%":                                 {kind: plainKind},
		"0.0E+00":                            {kind: plainKind},
		"@":                                  {kind: plainKind},
		"General":                            {kind: plainKind},
		"yyyy-mm-dd":                         {kind: dateKind},
		"[$-409]mmmm d, yyyy":                {kind: dateKind},
		"mmm-yy":                             {kind: dateKind},
		"h:mm AM/PM":                         {kind: timeKind},
		"mm:ss":                              {kind: timeKind},
		"[h]:mm:ss":                          {kind: elapsedKind},
		"dd/mm/yyyy hh:mm":                   {kind: dateKind},
		`[<=9999999]###-####;(###) ###-####`: {kind: plainKind},
	} {
		if got := customFormat(code); got != want {
			t.Errorf("customFormat(%q) = %+v, want %+v", code, got, want)
		}
	}
}
