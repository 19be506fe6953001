package intake

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const relWorksheet = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

// twoSheets is a valid two-sheet workbook's parts, for tests to damage.
func twoSheets() map[string]string {
	users := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c></row>`)
	return workbookParts(`<si><t>x</t></si>`, false, users, users)
}

// A sheet whose data cannot be found is a damaged workbook, refused at
// Open, never read as an empty sheet.
func TestXLSXDamagedWorkbook(t *testing.T) {
	const rels = "xl/_rels/workbook.xml.rels"
	cases := []struct {
		name   string
		damage func(parts map[string]string)
		want   string
	}{
		{"sheet part missing", func(p map[string]string) { delete(p, "xl/worksheets/sheet2.xml") },
			"damaged workbook: sheet 'Sheet2' has its data (xl/worksheets/sheet2.xml) missing from the file"},
		{"outside the package", func(p map[string]string) {
			p[rels] = strings.Replace(p[rels], `Target="worksheets/sheet2.xml"`, `Target="../../../../etc/passwd"`, 1)
		}, "damaged workbook: sheet 'Sheet2' points outside the file for its data (../../../../etc/passwd)"},
		{"absolute outside", func(p map[string]string) {
			p[rels] = strings.Replace(p[rels], `Target="worksheets/sheet2.xml"`, `Target="/../etc/passwd"`, 1)
		}, "damaged workbook: sheet 'Sheet2' points outside the file"},
		{"external target", func(p map[string]string) {
			p[rels] = strings.Replace(p[rels], `Target="worksheets/sheet2.xml"`, `Target="file:///etc/passwd" TargetMode="External"`, 1)
		}, "damaged workbook: sheet 'Sheet2' has its data outside the file (file:///etc/passwd)"},
		{"points at the styles", func(p map[string]string) {
			p[rels] = strings.Replace(p[rels], `Target="worksheets/sheet2.xml"`, `Target="styles.xml"`, 1)
		}, "damaged workbook: sheet 'Sheet2' is linked to xl/styles.xml, which is not a worksheet"},
		{"points at the workbook", func(p map[string]string) {
			p[rels] = strings.Replace(p[rels], `Target="worksheets/sheet1.xml"`, `Target="workbook.xml"`, 1)
		}, "damaged workbook: sheet 'Sheet1' is linked to xl/workbook.xml, which is not a worksheet"},
		{"points at another part", func(p map[string]string) {
			p["xl/charts/chart1.xml"] = `<?xml version="1.0"?><c:chartSpace xmlns:c="urn:c"/>`
			p[rels] = strings.Replace(p[rels], `Target="worksheets/sheet2.xml"`, `Target="charts/chart1.xml"`, 1)
		}, `damaged workbook: sheet 'Sheet2' is linked to xl/charts/chart1.xml, which is not a worksheet (it holds a "chartSpace")`},
		{"relationship of another type", func(p map[string]string) {
			p[rels] = strings.Replace(p[rels], relWorksheet+`" Target="worksheets/sheet2.xml"`,
				`http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"`, 1)
		}, "damaged workbook: sheet 'Sheet2' is linked to a part that is not a worksheet (media/image1.png)"},
		{"relationship missing", func(p map[string]string) {
			p["xl/workbook.xml"] = strings.Replace(p["xl/workbook.xml"], `r:id="rId12"`, `r:id="rId99"`, 1)
		}, `damaged workbook: sheet 'Sheet2' has no link to its data (relationship "rId99" is missing)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts := twoSheets()
			tc.damage(parts)
			p := writeFile(t, "book.xlsx", zipBytes(t, parts))
			f, err := Open(p, Options{})
			if err == nil {
				f.Close()
			}
			var uerr *UnusableError
			if !errors.As(err, &uerr) || !strings.Contains(uerr.Reason, tc.want) || uerr.Fix == "" || errors.Is(err, ErrNoHeader) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}

// A chart sheet has no cells: that is not damage, and Rows says so.
func TestXLSXChartSheetIsNotDamage(t *testing.T) {
	parts := twoSheets()
	const rels = "xl/_rels/workbook.xml.rels"
	parts[rels] = strings.Replace(parts[rels], relWorksheet+`" Target="worksheets/sheet2.xml"`,
		`http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"`, 1)
	parts["xl/chartsheets/sheet1.xml"] = `<chartsheet/>`
	f, err := Open(writeFile(t, "book.xlsx", zipBytes(t, parts)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := readRows(f, "Sheet1"); got.err != nil || len(got.rows) != 1 {
		t.Fatalf("Sheet1: %+v", got)
	}
	if got := readRows(f, "Sheet2"); !errors.Is(got.err, ErrNoHeader) {
		t.Fatalf("chart sheet: %v", got.err)
	}
}

// Malformed worksheet XML is damage: an error from Rows or Err, never an
// empty sheet.
func TestXLSXMalformedSheetXML(t *testing.T) {
	for name, sheet := range map[string]string{
		"not XML at all":     "this is not a worksheet, just some words",
		"no sheetData":       `<?xml version="1.0"?><worksheet ` + nsMain + `><dimension ref="A1"/></worksheet>`,
		"cut after the data": `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row></sheetData><pageMargins`,
		"unclosed root":      `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row></sheetData>`,
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, sheet)))
			got := readSheet(t, p, "")
			var uerr *UnusableError
			if !errors.As(got.err, &uerr) || errors.Is(got.err, ErrNoHeader) || !strings.Contains(uerr.Reason, `sheet "Sheet1"`) || !strings.Contains(uerr.Reason, "damaged") {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

// Hidden and very hidden sheets are listed, readable, and reported by
// Hidden, so the caller can skip them with a warning.
func TestXLSXHiddenSheets(t *testing.T) {
	parts := workbookParts("", false, sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), sheetXML(`<row r="1"><c r="A1"><v>2</v></c></row>`), sheetXML(`<row r="1"><c r="A1"><v>3</v></c></row>`))
	wb := parts["xl/workbook.xml"]
	wb = strings.Replace(wb, `<sheet name="Sheet2"`, `<sheet state="hidden" name="Sheet2"`, 1)
	wb = strings.Replace(wb, `<sheet name="Sheet3"`, `<sheet state="veryHidden" name="Sheet3"`, 1)
	parts["xl/workbook.xml"] = wb
	f, err := Open(writeFile(t, "book.xlsx", zipBytes(t, parts)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !reflect.DeepEqual(f.SheetNames(), []string{"Sheet1", "Sheet2", "Sheet3"}) {
		t.Fatalf("sheets %q", f.SheetNames())
	}
	for sheet, want := range map[string]bool{"Sheet1": false, "Sheet2": true, "Sheet3": true, "Nope": false} {
		if f.Hidden(sheet) != want {
			t.Errorf("Hidden(%s) = %v", sheet, !want)
		}
	}
	if got := readRows(f, "Sheet3"); got.err != nil || got.header[0] != "3" {
		t.Fatalf("very hidden sheet: %+v", got)
	}

	// The same through Excel's own way of hiding, as excelize writes it.
	book := excelize.NewFile()
	book.SetCellValue("Sheet1", "A1", "user")
	book.NewSheet("Lookup")
	book.SetCellValue("Lookup", "A1", "role")
	book.SetSheetVisible("Lookup", false, true)
	x, err := Open(saveExcelize(t, book), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Hidden("Sheet1") || !x.Hidden("Lookup") {
		t.Fatalf("excelize workbook: Sheet1 %v, Lookup %v", x.Hidden("Sheet1"), x.Hidden("Lookup"))
	}
	csv, err := Open(writeFile(t, "people.csv", []byte("a,b\n1,2\n")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer csv.Close()
	if csv.Hidden(csv.SheetNames()[0]) {
		t.Fatal("a CSV sheet is hidden")
	}
}

// A NUL character in a cell, however the sheet XML carries it, refuses the
// file naming the sheet and cell; other control characters are data.
func TestXLSXNULInCell(t *testing.T) {
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c></row>`
	for name, row2 := range map[string]string{
		"raw NUL":        `<c r="B2" t="inlineStr"><is><t>bob` + "\x00" + `@example.com</t></is></c>`,
		"char reference": `<c r="B2" t="inlineStr"><is><t>bob&#0;@example.com</t></is></c>`,
		"Office escape":  `<c r="B2" t="s"><v>1</v></c>`,
	} {
		t.Run(name, func(t *testing.T) {
			rows := header + `<row r="2"><c r="A2" t="inlineStr"><is><t>Bob</t></is></c>` + row2 + `</row>`
			p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts(`<si><t>x</t></si><si><t>bob_x0000_@example.com</t></si>`, false, sheetXML(rows))))
			expectCellRefusal(t, readSheet(t, p, ""), `sheet "Sheet1", cell B2 (row 2, column B "Email") contains a NUL character`)
		})
	}
	rows := header + `<row r="2"><c r="A2" t="inlineStr"><is><t>Bob_x001B_[1m` + "\x07" + `</t></is></c><c r="B2" t="s"><v>0</v></c></row>`
	got := readSheet(t, writeFile(t, "book.xlsx", zipBytes(t, workbookParts(`<si><t>x</t></si>`, false, sheetXML(rows)))), "")
	if got.err != nil || len(got.rows) != 1 || got.rows[0].Cells[0] != "Bob\x1b[1m\x07" {
		t.Fatalf("control characters: %+v", got)
	}
}

// A shared string over Excel's cell limit is refused naming the cell.
func TestXLSXCellTooLong(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Notes</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>Bob</t></is></c><c r="B3" t="s"><v>0</v></c></row>`
	p := writeFile(t, "book.xlsx", zipBytes(t, workbookParts(`<si><t>`+strings.Repeat("a", MaxCellChars+1)+`</t></si>`, false, sheetXML(rows))))
	got := readSheet(t, p, "")
	expectCellRefusal(t, got, `sheet "Sheet1", cell B3 (row 3, column B "Notes") holds 32768 characters, more than the 32767`)
	if len(got.rows) != 1 || got.rows[0].Num != 2 {
		t.Fatalf("rows before: %+v", got.rows)
	}
}

// A formula whose result was never saved is told apart from an empty
// cell; one with a saved empty result is an ordinary empty cell.
func TestXLSXFormulaWithoutResult(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c><c r="C1" t="inlineStr"><is><t>Group</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c><c r="B2"><f>LOWER(A2)&amp;"@example.com"</f></c><c r="C2" t="str"><f>""</f><v></v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>Bob</t></is></c><c r="B3" t="str"><f>LOWER(A3)</f><v>bob</v></c></row>` +
		`<row r="4"><c r="A4"><f>Sheet2!A1</f></c><c r="C4" t="str"><f t="shared" ref="C4:C5" si="0">X1</f></c></row>`
	got := readSheet(t, writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, sheetXML(rows)))), "")
	want := []Row{
		{Num: 2, Cells: []string{"Ann", "", ""}, NoResult: []int{1}},
		{Num: 3, Cells: []string{"Bob", "bob", ""}},
		{Num: 4, Cells: []string{"", "", ""}, NoResult: []int{0, 2}}, // not skipped as blank
	}
	if got.err != nil || !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v\nwant %+v", got.rows, want)
	}
	if !got.rows[0].FormulaWithoutResult(1) || got.rows[0].FormulaWithoutResult(2) || got.rows[1].FormulaWithoutResult(1) {
		t.Fatal("FormulaWithoutResult")
	}
	// A column name that is such a formula is refused.
	head := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="str"><f>"Em"&amp;"ail"</f></c></row>`
	got = readSheet(t, writeFile(t, "book.xlsx", zipBytes(t, workbookParts("", false, sheetXML(head)))), "")
	expectCellRefusal(t, got, `sheet "Sheet1", cell B1 (row 1, column B) is a formula with no saved result`)
}

// A file with a header and no data rows opens, and Next says false with
// no error: the caller can tell "header but no rows" from damage.
func TestHeaderOnly(t *testing.T) {
	for name, data := range map[string][]byte{
		"people.csv":  []byte("Name,Email\r\n\r\n,\r\n"),
		"people.xlsx": zipBytes(t, workbookParts("", false, sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t> </t></is></c></row>`))),
	} {
		t.Run(name, func(t *testing.T) {
			f, err := Open(writeFile(t, name, data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rr, err := f.Rows(f.SheetNames()[0])
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Close()
			if rr.Header()[0] != "Name" || rr.HeaderRow() != 1 {
				t.Fatalf("header %q on %d", rr.Header(), rr.HeaderRow())
			}
			if row, ok := rr.Next(); ok || rr.Err() != nil {
				t.Fatalf("Next: %+v %v, Err %v", row, ok, rr.Err())
			}
		})
	}
}
