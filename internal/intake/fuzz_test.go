package intake

import (
	"errors"
	"os"
	"path/filepath"
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
//	go test ./internal/intake -run XXX -fuzz FuzzCSV -fuzztime 20s
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
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkFile(t, p)
	})
}

// FuzzXLSX puts arbitrary worksheet XML and shared strings into an
// otherwise valid workbook. Each run opens a workbook (a few ms), so
// minimising a new input can take the whole default minute; keep it short:
//
//	go test ./internal/intake -run XXX -fuzz FuzzXLSX -fuzztime 20s -fuzzminimizetime 20x
func FuzzXLSX(f *testing.F) {
	f.Add(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Ext</t></is></c></row><row r="3"><c r="A3" s="1"><v>7</v></c><c r="B3" s="2"><v>46037.5</v></c></row>`),
		`<si><t>Name</t></si><si><r><t>王</t></r><r><t>芳</t></r></si>`)
	f.Add(sheetXML(`<row><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="d"><v>2026-01-15T09:30:00Z</v></c></row><row><c><f>1+1</f><v>2</v></c><c s="5"><v>1.5</v></c></row>`), ``)
	f.Add(`<x:worksheet xmlns:x="urn:x"><!-- c --><x:sheetData><x:row r="2" a="&gt;>"><x:c r="C2"><x:v><![CDATA[12]]></x:v></x:c></x:row></x:sheetData></x:worksheet>`, `<si><t>_x000D_&amp;</t><rPh><t>ignored</t></rPh></si>`)
	f.Add(sheetXML(`<row r="5"><c r="XFD5" s="9"><v>1E+300</v></c></row><row r="4"></row>`), `<si/>`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		p := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(p, zipBytes(t, workbookParts(sst, false, sheet)), 0o600); err != nil {
			t.Fatal(err)
		}
		checkFile(t, p)
	})
}
