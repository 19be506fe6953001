package intake

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func readCSV(t *testing.T, name string, data []byte) sheetRows {
	t.Helper()
	return readSheet(t, writeFile(t, name, data), "")
}

func TestCSVDelimiters(t *testing.T) {
	want := sheetRows{
		header: []string{"First", "Last", "Note"},
		hrow:   1,
		rows: []Row{
			{Num: 2, Cells: []string{"Jane", "Smith", "a, b; c"}},
			{Num: 3, Cells: []string{"José", "O'Brien", ""}},
		},
	}
	for name, text := range map[string]string{
		"comma.csv":     "First,Last,Note\nJane,Smith,\"a, b; c\"\nJosé,O'Brien,\n",
		"semicolon.csv": "First;Last;Note\r\nJane;Smith;\"a, b; c\"\r\nJosé;O'Brien;\r\n",
		"tab.txt":       "First\tLast\tNote\nJane\tSmith\ta, b; c\nJosé\tO'Brien\t\n",
		"tab.tsv":       "First\tLast\tNote\nJane\tSmith\ta, b; c\nJosé\tO'Brien\n",
		"excel-sep.csv": "sep=;\nFirst;Last;Note\nJane;Smith;\"a, b; c\"\nJosé;O'Brien\n",
		"padded.csv":    "First, Last, Note\nJane, Smith, \"a, b; c\"\nJosé , O'Brien,\n",
	} {
		t.Run(name, func(t *testing.T) {
			got := readCSV(t, name, []byte(text))
			if name == "excel-sep.csv" { // the hint line is line 1
				got.hrow--
				for i := range got.rows {
					got.rows[i].Num--
				}
			}
			if got.err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCSVRecordsAndLines(t *testing.T) {
	text := "\n" + // a blank first line: the header is on line 2
		"Name,Address,Ext\n" +
		"\"Zoë\",\"1 Main St\nApt 2\",0100\n" + // record on lines 3-4
		"   ,  ,\t\n" + // whitespace only: skipped
		",,\n" + // empty fields only: skipped
		"\n" +
		"王芳\n" + // ragged: padded
		"\"O'Brien, \"\"Pat\"\"\",x,101,extra\n" // longer than the header
	got := readCSV(t, "users.csv", []byte(text))
	if got.err != nil {
		t.Fatal(got.err)
	}
	want := []Row{
		{Num: 3, Cells: []string{"Zoë", "1 Main St\nApt 2", "0100"}},
		{Num: 8, Cells: []string{"王芳", "", ""}},
		{Num: 9, Cells: []string{`O'Brien, "Pat"`, "x", "101", "extra"}},
	}
	if got.hrow != 2 || !reflect.DeepEqual(got.header, []string{"Name", "Address", "Ext"}) || !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v", got)
	}
}

func TestCSVEncodings(t *testing.T) {
	text := "First,Last,Title\r\nJosé,Zoë,“Café” €5\r\n"
	want := []string{"José", "Zoë", "“Café” €5"}
	cp1252, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tabbed := strings.ReplaceAll(text, ",", "\t")
	for name, data := range map[string][]byte{
		"utf8.csv":         []byte(text),
		"utf8-bom.csv":     append([]byte("\xef\xbb\xbf"), text...),
		"utf16le.txt":      utf16Bytes(tabbed, binary.LittleEndian), // Excel "Unicode Text"
		"utf16be.csv":      utf16Bytes(text, binary.BigEndian),
		"windows-1252.csv": cp1252,
		"mac-cr-only.csv":  []byte(strings.ReplaceAll(text, "\r\n", "\r")),
		"cp1252-cr-only.csv": func() []byte {
			b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(strings.ReplaceAll(text, "\r\n", "\r")))
			return b
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			got := readCSV(t, name, data)
			if got.err != nil {
				t.Fatal(got.err)
			}
			if !reflect.DeepEqual(got.header, []string{"First", "Last", "Title"}) || len(got.rows) != 1 ||
				!reflect.DeepEqual(got.rows[0].Cells, want) || got.rows[0].Num != 2 {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

// Non-ASCII far into a file still decides the encoding.
func TestCSVLateWindows1252(t *testing.T) {
	var b strings.Builder
	b.WriteString("First,Last\n")
	for i := 0; i < 40000; i++ {
		b.WriteString("Jane,Smith\n")
	}
	b.WriteString("Ren\xe9,M\xfcller\n") // é, ü in Windows-1252
	got := readCSV(t, "late.csv", []byte(b.String()))
	last := got.rows[len(got.rows)-1]
	if got.err != nil || last.Num != 40002 || !reflect.DeepEqual(last.Cells, []string{"René", "Müller"}) {
		t.Fatalf("last row %+v err %v", last, got.err)
	}
}

func TestCSVBOMButNotUTF8(t *testing.T) {
	p := writeFile(t, "mixed.csv", []byte("\xef\xbb\xbfFirst,Last\nJos\xc3\xa9,Zo\xc3\xab\nRen\xe9,x\n"))
	expectUnusable(t, p, Options{}, "UTF-8 byte-order mark but line 3 holds bytes that are not UTF-8", "CSV UTF-8")
}

func TestCSVBadQuoting(t *testing.T) {
	cases := []struct {
		name, text string
		rows       int
		want       []string
	}{
		{"bare quote", "Name,Height\nJane,5'4\nBob,5'10\" tall\nAmy,6'\n", 1,
			[]string{"line 3, column 9: a double quote (\") appears inside a field that is not wrapped in quotes", "wrapped in double quotes"}},
		{"unclosed quote", "Name,Note\nJane,ok\nBob,\"never closed\nAmy,x\n", 1,
			[]string{"line 3: the quoted field that starts there is not closed properly"}},
		{"text after closing quote", "Name,Note\nJane,\"ok\" then\nBob,x\n", 0,
			[]string{"line 2, column", "text follows the closing quote"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := readCSV(t, "bad.csv", []byte(tc.text))
			var uerr *UnusableError
			if !errors.As(got.err, &uerr) || len(got.rows) != tc.rows {
				t.Fatalf("got %d rows, err %v", len(got.rows), got.err)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.err.Error(), w) {
					t.Errorf("message %q lacks %q", got.err.Error(), w)
				}
			}
		})
	}
	// A broken header is reported by Rows itself.
	f, err := Open(writeFile(t, "head.csv", []byte("Na\"me,Ext\nJane,1\n")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Rows(""); err == nil || !strings.Contains(err.Error(), "line 1, column 3") {
		t.Fatalf("header error %v", err)
	}
}

func TestCSVNoHeader(t *testing.T) {
	for name, text := range map[string]string{
		"blank-lines.csv": "\n\n\r\n",
		"spaces.csv":      "  \n\t\n , , \n",
		"bom-only.csv":    "\xef\xbb\xbf",
	} {
		t.Run(name, func(t *testing.T) {
			f, err := Open(writeFile(t, name, []byte(text)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = f.Rows("")
			var uerr *UnusableError
			if !errors.As(err, &uerr) || !errors.Is(err, ErrNoHeader) || !strings.Contains(err.Error(), "no header row") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestCSVSheetNameAndRereading(t *testing.T) {
	p := writeFile(t, "New Hires.csv", []byte("a,b\n1,2\n"))
	f, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Format() != "csv" || !reflect.DeepEqual(f.SheetNames(), []string{"New Hires"}) || f.Path() != p {
		t.Fatalf("format %s sheets %q", f.Format(), f.SheetNames())
	}
	for i := 0; i < 2; i++ { // each Rows starts from the top
		got := readRows(f, "New Hires")
		if got.err != nil || len(got.rows) != 1 || got.rows[0].Cells[1] != "2" {
			t.Fatalf("pass %d: %+v", i, got)
		}
	}
}

func TestDetectDelimiter(t *testing.T) {
	for sample, want := range map[string]rune{
		"a,b,c\n1,2,3\n":                 ',',
		"a;b;c\n1;2;3\n":                 ';',
		"a\tb\tc\n1\t2\t3\n":             '\t',
		"\"x;y\",b,c\n\"1;2\",2,3\n":     ',',
		"name\nJane\n":                   ',',
		"a;b\n\"Smith, J\";2\n\"1,2\";3": ';',
		"a,b;c;d\n1,2;3;4\n5,6;7;8\n":    ';',
	} {
		if got := detectDelimiter(sample, false, false); got != want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", sample, got, want)
		}
	}
}
