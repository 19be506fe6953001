package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
)

// trickyValues are cell values whose XML needs care: spaces kept, escapes,
// text that reads as an escaped character, invalid UTF-8, control
// characters, a text longer than a cell holds, numbers and booleans.
var trickyValues = []any{
	"plain", " leading", "trailing ", "\ttab", "line\nbreak\n", "cr\rin", `quote"s`, "amp & <lt> >gt 'apos'",
	"ünïcödé — dash", "emoji 😀", "bad \xff utf8", "control \x01 char", "_x0041_ reads as A", "_x005F_x0041_", "_x005F_",
	"x_xZZZZ_", "a_x00e9_b_x00E9_c", "&#xA; literal", "not a char \uFFFE \u0085 \x7f end", "\xed\xa0\x80 surrogate",
	"São Paulo, Kraków, Dvořák", "tab\tand\r\ncrlf", "\xf0\x9f\x98", "é", strings.Repeat("😀", 17000), strings.Repeat("é", 20000),
	int64(0), int64(-5), int64(15551234567), 42, uint(7), true, false, "", nil,
}

// inputTexts are input cell texts: whole numbers written as numbers and
// texts that only look like numbers, escapes, "_x" in and out of names.
var inputTexts = []string{"0042", "303", "0", "-5", "-0", "00", "-", "15551234567", "-9999999999", "919876543210", "1,000",
	"12.5", "+61", "1e5", "first", "jane_doe@example.com", "_x0041_", "a_xb", "x_", "_", "São Paulo", "quote\" & <tag>",
	"   ", " padded ", "bad \xff", "1234567890a"}

// sheetRows returns what is between <sheetData> and </sheetData> in the
// first worksheet of an xlsx file.
func sheetRows(t *testing.T, data []byte, entry string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != entry {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		xml, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		_ = rc.Close()
		s := string(xml)
		i, j := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
		if i < 0 || j < i {
			t.Fatalf("%s has no sheetData", entry)
		}
		return s[i+len("<sheetData>") : j]
	}
	t.Fatalf("no %s in the workbook", entry)
	return ""
}

// impliedRefsDropped removes from rows' XML the reference of every cell
// that is in the column after the previous cell of its row (column A for
// the first), as appendRow leaves it out.
func impliedRefsDropped(t *testing.T, rows string) string {
	t.Helper()
	next := 0
	return cellRef.ReplaceAllStringFunc(rows, func(m string) string {
		if m == "<row " {
			next = 0
			return m
		}
		sub := cellRef.FindStringSubmatch(m)
		col, err := excelize.ColumnNameToNumber(sub[1])
		if err != nil {
			t.Fatal(err)
		}
		if col-1 != next {
			next = col
			return m
		}
		next = col
		return "<c"
	})
}

var cellRef = regexp.MustCompile(`<row |<c r="([A-Z]+)[0-9]+"`)

// TestAppendRowIsSetRow encodes rows of every kind of value, styled or
// not, with and without a height, some with empty cells before or between
// the others, and compares the XML with what excelize's StreamWriter.SetRow
// writes for the same rows, less the references appendRow leaves out.
func TestAppendRowIsSetRow(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 3)
	for i := range names {
		names[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	var ours []byte
	row := 2
	for i, v := range trickyValues {
		for _, style := range []int{0, 3} {
			for _, height := range []float64{0, 45, 409} {
				cells := make([]cellOut, 3)
				want := make([]any, 3)
				if row%7 != 0 { // else column A is empty
					want[0] = "first"
					cells[0] = inputCell("first")
				}
				if c, ok := valueCell(v); ok {
					c.style = style
					cells[1] = c
					want[1] = excelize.Cell{StyleID: style, Value: v}
					if s, isText := v.(string); isText {
						want[1] = excelize.Cell{StyleID: style, Value: cellText(s)}
					}
				} else if style != 0 {
					cells[1] = cellOut{kind: cellBlank, style: style}
					want[1] = excelize.Cell{StyleID: style}
				}
				text := inputTexts[row%len(inputTexts)]
				cells[2] = inputCell(text)
				want[2] = inputValue(text)
				var opts []excelize.RowOpts
				if height > 0 {
					opts = append(opts, excelize.RowOpts{Height: height})
				}
				if err := sw.SetRow("A"+strconv.Itoa(row), want, opts...); err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
				ours = appendRow(ours, row, height, names, cells)
				row++
			}
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	theirs := impliedRefsDropped(t, sheetRows(t, buf.Bytes(), "xl/worksheets/sheet1.xml"))
	if !strings.Contains(theirs, `<c r="B`) || !strings.Contains(theirs, `<c r="C`) {
		t.Fatal("no row has a cell after an empty one: the test lost its gaps")
	}
	if theirs != string(ours) {
		a, b := theirs, string(ours)
		k := 0
		for k < len(a) && k < len(b) && a[k] == b[k] {
			k++
		}
		t.Fatalf("rows differ at byte %d:\nexcelize: %.300q\nours:     %.300q", k, a[k:], b[k:])
	}
}

// TestTallRowIsCapped writes a row whose errors need more lines than the
// tallest row Excel allows: the row gets the tallest height instead of
// failing the report.
func TestTallRowIsCapped(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.AddSheet("Data", Layout{Columns: []Column{{Header: "Name"}}, Extra: []Column{{Header: "Errors"}}})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a problem with this cell, ", 400)
	if err := s.WriteRow(Row{Num: 2, Cells: []string{"x"}, Extra: []Cell{{Value: long, Tone: Bad}}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tall.xlsx")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := f.GetRowHeight("Data", 2)
	if err != nil {
		t.Fatal(err)
	}
	if h != maxRowHeight {
		t.Errorf("row 2 is %v points high, want %d", h, maxRowHeight)
	}
	if got, _ := f.GetCellValue("Data", "B2"); got != cellText(long) {
		t.Errorf("B2 holds %d characters, want %d", len(got), len(cellText(long)))
	}
}

// TestCellsWithoutReferencesReadBack writes rows with empty cells first,
// between and last (one empty cell marked red), and reads the workbook
// back with excelize and with intake: every value and colour is in its
// own column although most cells carry no reference.
func TestCellsWithoutReferencesReadBack(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l := Layout{Columns: []Column{{Header: "Name"}, {Header: "Phone"}, {Header: "Site"}, {Header: "Code"}},
		Extra: []Column{{Header: StatusHeader}, {Header: ErrorsHeader}}}
	s, err := b.AddSheet("Data", l)
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{
		{Num: 2, Cells: []string{"Ann", "", "Denver", "0042"}, Extra: validExtra},
		{Num: 3, Cells: []string{"", "5551234", "", "7"}, Marks: []Mark{{Col: 0, Tone: Bad, Note: "required"}},
			Extra: []Cell{{Value: "invalid", Tone: Bad}, {Value: "A3 (Name): required"}}},
		{Num: 4, Cells: []string{"", "", "", "9"}, Extra: []Cell{{}, {Value: "only the code"}}},
	}
	for _, r := range rows {
		if err := s.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "refs.xlsx")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if xml := sheetRows(t, data, "xl/worksheets/sheet2.xml"); !strings.Contains(xml, `<c t="inlineStr">`) || !strings.Contains(xml, `<c r="D4"><v>9</v>`) {
		t.Fatalf("rows not written as expected: %s", xml)
	}
	want := [][]string{
		{"Name", "Phone", "Site", "Code", StatusHeader, ErrorsHeader},
		{"Ann", "", "Denver", "0042", "valid"},
		{"", "5551234", "", "7", "invalid", "A3 (Name): required"},
		{"", "", "", "9", "", "only the code"},
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Data")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("excelize reads\n%q\nwant\n%q", got, want)
	}
	for cell, tone := range map[string]Tone{"A3": Bad, "E2": Good, "E3": Bad, "B3": Plain, "F4": Plain} {
		if style, err := f.GetCellStyle("Data", cell); err != nil || style != b.st.tone[tone] {
			t.Errorf("%s has style %d (%v), want %d", cell, style, err, b.st.tone[tone])
		}
	}
	assertIntakeReads(t, path, "Data", want)
}

// assertIntakeReads reads sheet with intake: its header and data rows must
// be want (trailing empty cells aside).
func assertIntakeReads(t *testing.T, path, sheet string, want [][]string) {
	t.Helper()
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rr, err := in.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	got := [][]string{rr.Header()}
	for {
		row, ok := rr.Next()
		if !ok {
			break
		}
		cells := append([]string(nil), row.Cells...)
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		got = append(got, cells)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("intake reads\n%q\nwant\n%q", got, want)
	}
}
