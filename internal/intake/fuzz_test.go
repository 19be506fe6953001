package intake

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkFile reads every sheet of path and checks what must hold for any
// input: refusals are UnusableErrors, rows come in increasing order below
// their header, each row has at least the header's cells, no row is
// blank, every cell is clean UTF-8 text.
func checkFile(t *testing.T, path string) {
	f, err := Open(path, Options{MaxUnzippedBytes: 64 << 20})
	if err != nil {
		var uerr *UnusableError
		if !errors.As(err, &uerr) || uerr.Reason == "" {
			t.Fatalf("Open: %T %v", err, err)
		}
		return
	}
	defer f.Close()
	checkSheets(t, f)
}

// checkSheets reads every sheet of an opened file; see checkFile.
func checkSheets(t *testing.T, f File) {
	for _, sheet := range f.SheetNames() {
		rr, err := f.Rows(sheet)
		if err != nil {
			var uerr *UnusableError
			if !errors.As(err, &uerr) || uerr.Reason == "" {
				t.Fatalf("Rows: %T %v", err, err)
			}
			continue
		}
		header := rr.Header()
		if blank(header) || rr.HeaderRow() < 1 {
			t.Fatalf("header %q on row %d", header, rr.HeaderRow())
		}
		checkCells(t, header)
		last := rr.HeaderRow()
		for {
			row, ok := rr.Next()
			if !ok {
				break
			}
			if row.Num <= last {
				t.Fatalf("row %d after row %d", row.Num, last)
			}
			last = row.Num
			if len(row.Cells) < len(header) {
				t.Fatalf("row %d has %d cells, header %d", row.Num, len(row.Cells), len(header))
			}
			if blank(row.Cells) && len(row.NoResult) == 0 {
				t.Fatalf("blank row %d", row.Num)
			}
			for _, c := range row.NoResult {
				if c >= len(row.Cells) || row.Cells[c] != "" {
					t.Fatalf("row %d: formula without result in column %d: %q", row.Num, c, row.Cells)
				}
			}
			checkCells(t, row.Cells)
		}
		if err := rr.Err(); err != nil {
			var uerr *UnusableError
			if !errors.As(err, &uerr) || uerr.Reason == "" {
				t.Fatalf("Err: %T %v", err, err)
			}
		}
		if err := rr.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func checkCells(t *testing.T, cells []string) {
	for _, c := range cells {
		if !utf8.ValidString(c) || Clean(c) != c {
			t.Fatalf("cell %q is not clean UTF-8", c)
		}
	}
}

// FuzzCSV feeds arbitrary bytes to Open as a .csv file. Run it with
//
//	go test ./internal/intake -run XXX -fuzz FuzzCSV -fuzztime 60s
func FuzzCSV(f *testing.F) {
	for _, seed := range []string{
		"First,Last\nJane,Smith\n",
		"a;b;c\r\n1;\"2\n3\";4\r\n\r\n5\r\n",
		"\xef\xbb\xbfName\tExt\nZoë\t0100\n",
		"\xff\xfeN\x00,\x00x\x00\n\x00",
		"Ren\xe9,M\xfcller\n\"unterminated\n",
		"sep=|\na|b\n1|2\n",
		"a,b\r1,2\r",
		" , \n\n x \n",
		"a, \"b\"\n1, \"2, 3\" \n",
		"Name,Group\r\nAnn,Day Shift\rBob,Night\r\n", // lone CR in a CRLF file
		"a,b\r\"x\ry\",2\r\n3,\"\r\"\r",              // CRs inside quotes stay data
		"Name,Email\nBob,b\x00@x\n",                  // NUL in a cell
		"Name,Note\nAnn,\x1b[1m\x07\n",               // ESC and BEL are data
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		p := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkFile(t, p)
	})
}

// maxFuzzInput bounds fuzzed inputs, so each run stays fast and a new
// input is minimised in seconds.
const maxFuzzInput = 16 << 10

// FuzzXLSX puts arbitrary worksheet XML and shared strings into a
// workbook. The rest of the workbook (sheet list, styles) is opened once;
// each run only unzips and reads the fuzzed parts, so it runs thousands
// of times a minute with
//
//	go test ./internal/intake -run XXX -fuzz FuzzXLSX -fuzztime 60s
//
// FuzzWorkbook covers opening whole workbooks.
func FuzzXLSX(f *testing.F) {
	f.Add(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Ext</t></is></c></row><row r="3"><c r="A3" s="1"><v>7</v></c><c r="B3" s="2"><v>46037.5</v></c></row>`),
		`<si><t>Name</t></si><si><r><t>王</t></r><r><t>芳</t></r></si>`)
	f.Add(`<worksheet><sheetData><row><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="d"><v>2026-01-15T09:30:00Z</v></c></row><row><c><f>1+1</f><v>2</v></c><c s="5"><v>1.5</v></c><c><f>A1</f></c></row></sheetData></worksheet>`, ``)
	f.Add(`<x:worksheet xmlns:x="urn:x"><!-- c --><x:sheetData><x:row r="2" a="&gt;>"><x:c r="C2"><x:v><![CDATA[12]]></x:v></x:c></x:row></x:sheetData></x:worksheet>`, `<si><t>_x000D_&amp;</t><rPh><t>ignored</t></rPh></si>`)
	f.Add(`<worksheet><sheetData><row r="5"><c r="XFD5" s="9"><v>1E+300</v></c></row><row r="4"></row></sheetData></worksheet>`, `<si/>`)
	f.Add(`<worksheet><sheetData><row><c t="inlineStr"><is><t>a`+"\x00"+`b&#0;</t></is></c><c t="s"><v>0</v></c></row></sheetData></worksheet>`, `<si><t>_x0000_</t></si>`)
	base := fuzzBase(f)
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		if len(sheet)+len(sst) > maxFuzzInput {
			return
		}
		f := base.withParts(t, sheet, sst)
		checkSheets(t, f)
		compareFastAndTokenPaths(t, f)
		compareSharedStrings(t, `<sst `+nsMain+`>`+sst+`</sst>`)
	})
}

// fuzzBase opens, once per fuzz target, a workbook whose styles and
// sheet list the fuzzed parts are read with.
func fuzzBase(f *testing.F) *xlsxFile {
	file, err := Open(writeFile(f, "base.xlsx", zipBytes(f, workbookParts("", false, sheetXML("")))), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { file.Close() })
	return file.(*xlsxFile)
}

// withParts returns a workbook like x whose one sheet and shared strings
// are the given XML, stored uncompressed in a zip in memory.
func (x *xlsxFile) withParts(t *testing.T, sheet, sst string) *xlsxFile {
	const sheetKey, sstKey = "xl/worksheets/sheet1.xml", "xl/sharedstrings.xml"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, text := range map[string]string{sheetKey: sheet, sstKey: `<sst ` + nsMain + `>` + sst + `</sst>`} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, text)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]*zip.File{}
	for _, zf := range zr.File {
		parts[partKey(zf.Name)] = zf
	}
	fuzzed := &xlsxFile{path: x.path, book: x.book, parts: parts, sheets: []string{"Sheet1"},
		sheetAt: map[string]string{"Sheet1": sheetKey}, hidden: map[string]bool{}, sstPart: sstKey, date1904: x.date1904}
	fuzzed.rootElement(sheetKey)
	return fuzzed
}

// FuzzWorkbook opens whole workbooks whose sheet list and workbook
// relationships are arbitrary: damaged links must be refused as
// UnusableErrors, never read as empty sheets, and never panic. Each run
// opens a workbook (a few milliseconds), so the fuzzed fragments are kept
// small:
//
//	go test ./internal/intake -run XXX -fuzz FuzzWorkbook -fuzztime 60s
func FuzzWorkbook(f *testing.F) {
	const sheet = `<sheet name="A" sheetId="1" r:id="rId1"/>`
	const rel = `<Relationship Id="rId1" Type="` + relWorksheet + `" Target="worksheets/sheet1.xml"/>`
	f.Add(sheet, rel)
	f.Add(`<sheet state="veryHidden" name="A" sheetId="1" r:id="rId1"/>`, strings.Replace(rel, "worksheets/sheet1.xml", "../../../../etc/passwd", 1))
	f.Add(sheet, strings.Replace(rel, "worksheets/sheet1.xml", "styles.xml", 1))
	f.Add(sheet+`<sheet name="B" sheetId="2" r:id="rId2"/>`, rel+`<Relationship Id="rId2" Type="`+relWorksheet+`" Target="/xl/worksheets/sheet2.xml" TargetMode="External"/>`)
	base := workbookParts("", false, sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), sheetXML(`<row r="2"><c r="B2"><f>A1</f></c></row>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheets, rels string) {
		if len(sheets)+len(rels) > 4<<10 {
			return
		}
		p := maps.Clone(base)
		p["xl/workbook.xml"] = `<workbook ` + nsMain + ` ` + nsRel + `><sheets>` + sheets + `</sheets></workbook>`
		p["xl/_rels/workbook.xml.rels"] = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels +
			`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, zipBytes(t, p), 0o600); err != nil {
			t.Fatal(err)
		}
		checkFile(t, path)
	})
}
