package intake

import (
	"reflect"
	"strings"
	"testing"
)

// sheetRead is everything a reader hands on from a sheet.
type sheetRead struct {
	Header []string
	Rows   []Row
	Err    string
}

// readSheets reads every sheet of f with the cell shortcut on or off.
func readSheets(t testing.TB, f File, fast bool) []sheetRead {
	t.Helper()
	old := fastCells
	fastCells = fast
	defer func() { fastCells = old }()
	var out []sheetRead
	for _, name := range f.SheetNames() {
		var s sheetRead
		rr, err := f.Rows(name)
		if err != nil {
			out = append(out, sheetRead{Err: err.Error()})
			continue
		}
		s.Header = rr.Header()
		for {
			row, ok := rr.Next()
			if !ok {
				break
			}
			s.Rows = append(s.Rows, Row{Num: row.Num, Cells: append([]string(nil), row.Cells...), NoResult: row.NoResult})
		}
		if err := rr.Err(); err != nil {
			s.Err = err.Error()
		}
		rr.Close()
		out = append(out, s)
	}
	return out
}

// compareFastAndTokenPaths fails when the shortcut reads f differently
// from the token path.
func compareFastAndTokenPaths(t testing.TB, f File) {
	t.Helper()
	fast, slow := readSheets(t, f, true), readSheets(t, f, false)
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("the cell shortcut reads the sheet differently:\nfast: %+v\nslow: %+v", fast, slow)
	}
}

// TestFastCellsReadWhatTheTokenPathReads runs both paths over cells the
// shortcut takes and cells it must leave to the token path, side by side
// in the same rows.
func TestFastCellsReadWhatTheTokenPathReads(t *testing.T) {
	sst := `<si><t>Name</t></si><si><t>Ext</t></si><si><t>Jane</t></si>`
	for name, rows := range map[string]string{
		"usual cells": `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>` +
			`<row r="2"><c r="A2" s="1" t="s"><v>2</v></c><c r="B2"><v>101</v></c></row>`,
		"no references, self-closing, empty value": `<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>` +
			`<row><c/><c t="s"><v>2</v></c><c><v></v></c><c s="2"/><c><v>7</v></c></row>`,
		"mixed with what the shortcut leaves": `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Ext</t></is></c></row>` +
			`<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2"><v>a&amp;b</v></c><c r="C2"><v>x` + "\r\n" + `y</v></c></row>` +
			`<row r="3"><x:c r="A3"><x:v>5</x:v></x:c><c r="B3" t='s' ><v>2</v></c><c r="C3"> <v>9</v> </c></row>` +
			`<row r="4"><c r="A4" t="s"><v>1</v></c><c r="B4" a=">"><v>3</v></c><c r="C4" t="s"><v>0</v></c></row>`,
		"inline strings": `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Ext</t></is></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t>Zoë</t></is></c><c r="B2" t="inlineStr"><is><t>a_x000D_b</t></is></c></row>` +
			`<row r="3"><c r="A3" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c><c r="B3" t="inlineStr"><is><r><t>x</t></r><r><t>y</t></r></is></c></row>` +
			`<row r="4"><c t="inlineStr"><is><t>p&amp;q</t></is></c><c t="inlineStr"><is><t></t></is></c><c t="inlineStr"><is><t>_</t></is></c></row>`,
		"bad reference":          `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="1A"><v>1</v></c></row>`,
		"text with > and spaces": `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v> a>b </v></c></row>`,
		"cut short":              `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v>`,
	} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "fast.xlsx", zipBytes(t, workbookParts(sst, false, sheetXML(rows))))
			f, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			compareFastAndTokenPaths(t, f)
		})
	}
}

// compareSharedStrings fails when the shared-string shortcut reads a
// shared strings part differently from the token path.
func compareSharedStrings(t testing.TB, part string) {
	t.Helper()
	read := func(fast bool) ([]string, string) {
		old := fastCells
		fastCells = fast
		defer func() { fastCells = old }()
		sst, err := readSharedStrings(strings.NewReader(part))
		if err != nil {
			return nil, err.Error()
		}
		return sst, ""
	}
	fastSST, fastErr := read(true)
	slowSST, slowErr := read(false)
	if !reflect.DeepEqual(fastSST, slowSST) || fastErr != slowErr {
		t.Fatalf("the shared-string shortcut reads %q differently:\nfast: %q %s\nslow: %q %s", part, fastSST, fastErr, slowSST, slowErr)
	}
}

// TestFastSharedStringsReadWhatTheTokenPathReads mixes the plain strings
// the shortcut takes with those it leaves: runs, phonetics, attributes,
// entities, escapes, line breaks and white space between items.
func TestFastSharedStringsReadWhatTheTokenPathReads(t *testing.T) {
	for _, items := range []string{
		`<si><t>Name</t></si><si><t>Zoë</t></si><si><t></t></si>`,
		"<si><t>a</t></si>\n  <si><t>b</t></si>\r\n<si><t>c</t></si>",
		`<si><r><t>王</t></r><r><t>芳</t></r></si><si><t>x</t></si><si><t>y</t><rPh><t>ignored</t></rPh></si>`,
		`<si><t xml:space="preserve"> a </t></si><si><t>p&amp;q</t></si><si><t>a_x000D_b</t></si><si><t>_</t></si>`,
		"<si><t>line\r\nbreak</t></si><si><t>tab\there</t></si><si/><si><t>z</t></si>",
		`<si><t>cut short</t></si><si><t>never clo`,
	} {
		compareSharedStrings(t, `<sst `+nsMain+` uniqueCount="9">`+items+`</sst>`)
	}
}
