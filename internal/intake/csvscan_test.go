package intake

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readResult is everything a record source gives for a text.
type readResult struct {
	Records  [][]string
	Lines    []int  // StartLine of each record
	Err      string // what ended reading, "" at the end
	Parse    *csv.ParseError
	ErrLines [2]int // EditorLine of Parse's StartLine and Line
	NUL      bool   // NULSeen at the end (not after an error: the reference reads ahead)
}

// readAll reads every record of src.
func readAll(src recordSource) readResult {
	var res readResult
	for len(res.Records) < 1<<16 {
		rec, err := src.Read()
		if err == io.EOF {
			res.NUL = src.NULSeen()
			return res
		}
		if err != nil {
			res.Err = err.Error()
			if errors.As(err, &res.Parse) {
				res.ErrLines = [2]int{src.EditorLine(res.Parse.StartLine), src.EditorLine(res.Parse.Line)}
			}
			return res
		}
		res.Records = append(res.Records, append([]string(nil), rec...))
		res.Lines = append(res.Lines, src.StartLine())
	}
	res.Err = "too many records"
	return res
}

// scanConfig is how a text is read: the settings openCSV decides.
type scanConfig struct {
	delim   rune
	trim    bool
	bom     bool
	sepLine bool
}

func (sc scanConfig) file() *csvFile {
	c := &csvFile{path: "t.csv", delimiter: sc.delim, padQuote: sc.trim, sepLine: sc.sepLine}
	if sc.bom {
		c.enc = encUTF8BOM
	}
	return c
}

// compareScan reads data with csvScanner (bufSize bytes at a time, from
// r's reads) and with the reference, and fails on any difference.
func compareScan(t *testing.T, data []byte, sc scanConfig, bufSize int, wrap func(io.Reader) io.Reader) {
	t.Helper()
	c := sc.file()
	legacy, err := c.legacySource(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(legacy)
	var got readResult
	if s, err := c.scanner(wrap(bytes.NewReader(data)), bufSize); err != nil {
		got.Err = errors.Unwrap(err).Error() // the reference says it on its first Read
	} else {
		got = readAll(s)
	}
	if want.Err != "" {
		want.NUL, got.NUL = false, false
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("input %q, %+v, buffer %d:\n got %+v\nwant %+v", data, sc, bufSize, got, want)
	}
}

// scanBufSizes are the read buffer sizes every text is scanned with: the
// small ones put every byte of a short text on a buffer boundary.
var scanBufSizes = []int{1, 2, 3, 4, 5, 7, 16, 64, readBufSize}

func compareScanAllSizes(t *testing.T, data []byte, sc scanConfig) {
	t.Helper()
	for _, size := range scanBufSizes {
		compareScan(t, data, sc, size, func(r io.Reader) io.Reader { return r })
		compareScan(t, data, sc, size, iotest.OneByteReader)
	}
	compareScan(t, data, sc, 5, iotest.HalfReader)
	compareScan(t, data, sc, 5, iotest.DataErrReader)
}

var scanCases = []struct {
	name string
	text string
	sc   scanConfig
}{
	{"plain LF", "a,b,c\n1,2,3\n", scanConfig{delim: ','}},
	{"plain CRLF", "a,b,c\r\n1,2,3\r\n4,5,6", scanConfig{delim: ','}},
	{"no line end at the end", "a,b\n1,2", scanConfig{delim: ','}},
	{"trailing delimiters", "a,b,\n1,,\n,,\n,", scanConfig{delim: ','}},
	{"empty lines", "\n\r\n\na,b\n\n\r\n1,2\n\n", scanConfig{delim: ','}},
	{"lone CRs outside quotes", "a,b\r1,2\r\r3,4\r", scanConfig{delim: ','}},
	{"lone CR in a CRLF file", "Name,Group\r\nAnn,Day Shift\rBob,Night\r\n", scanConfig{delim: ','}},
	{"CR CR LF", "a,b\r\r\n1,2\r\r\r\n", scanConfig{delim: ','}},
	{"quotes everywhere", `"a","b","c"` + "\r\n" + `"1","2","3"` + "\r\n", scanConfig{delim: ','}},
	{"doubled quotes", `a,"5'10"" tall","""",""""""` + "\n" + `"x""y",z` + "\n", scanConfig{delim: ','}},
	{"line ends inside quotes", "a,b\n\"x\ny\",\"p\r\nq\",\"r\rs\"\n1,2\n", scanConfig{delim: ','}},
	{"lone CRs inside quotes", "a,b\r\"x\ry\",2\r\n3,\"\r\"\r4,5\n6,\"\r\r\r\"\n7,8", scanConfig{delim: ','}},
	{"quoted CR at the end", "a,b\n\"x\r", scanConfig{delim: ','}},
	{"quoted CR then CR at the end", "a,b\n\"x\r\r", scanConfig{delim: ','}},
	{"empty quoted fields", `"",""` + "\n" + `,""` + "\n" + `""` + "\n", scanConfig{delim: ','}},
	{"bare quote", "a,b\n1,x\"y\n", scanConfig{delim: ','}},
	{"bare quote after a quoted line", "a,b\n\"1\n2\",3\n4,5\"\n", scanConfig{delim: ','}},
	{"bare quote after a space", "a,b\n1, \"2\"\n", scanConfig{delim: ','}},
	{"text after a closing quote", "a,b\n\"1\"x,2\n", scanConfig{delim: ','}},
	{"text after a closing quote, later line", "a,b\n\"1\n\n2\"x,2\n", scanConfig{delim: ','}},
	{"unterminated quote", "a,b\n1,\"2\n3\n4,5\n", scanConfig{delim: ','}},
	{"unterminated quote, CRs", "a,b\r1,\"2\r3\r\n\r4,5\r", scanConfig{delim: ','}},
	{"unterminated quote at the end", "a,b\n1,\"", scanConfig{delim: ','}},
	{"quote then end", "a,\"b\"", scanConfig{delim: ','}},
	{"spaces before quotes, trimmed", "a, \"b, c\"\n1,\t \"2,\n3\" ,4\n  \"x\"\n", scanConfig{delim: ',', trim: true}},
	{"spaces before quotes, trimmed, text after", "a, \"b\" \n", scanConfig{delim: ',', trim: true}},
	{"only spaces, trimmed", "a,b\n   \n \t , \r\n , \"\" \n", scanConfig{delim: ',', trim: true}},
	{"unicode spaces, trimmed", "a,\u3000\"b\"\n\u00a0\u2028x,\u0085\"y\"\n", scanConfig{delim: ',', trim: true}},
	{"BOM", "\xef\xbb\xbfName,Ext\r\nZoë,0100\r\n", scanConfig{delim: ',', bom: true}},
	{"BOM and quotes", "\xef\xbb\xbf\"Name\",Ext\n\"Zoë\",\"01\n00\"\n", scanConfig{delim: ',', bom: true}},
	{"sep line", "sep=;\na;b\n1;\"2\r3\";4\n", scanConfig{delim: ';', sepLine: true}},
	{"sep line CRLF", "sep=|\r\na|b\r\n\"1\r2\"|3\r\nx|y\"\r\n", scanConfig{delim: '|', sepLine: true}},
	{"sep line lone CR", "sep=,\ra,b\r1,2\r", scanConfig{delim: ',', sepLine: true}},
	{"sep line only", "sep=,", scanConfig{delim: ',', sepLine: true}},
	{"BOM and sep line", "\xef\xbb\xbfsep=;\r\na;b\r\n\"x\r\ny\";\"\r\"\r\n1;\"2\"x\r\n", scanConfig{delim: ';', bom: true, sepLine: true}},
	{"tabs", "a\tb\tc\n\"1\t2\"\t3\t\n\t\t\n", scanConfig{delim: '\t'}},
	{"semicolons", "a;b;c\r\n\"1;2\";\"3\"\"\";4\r\n", scanConfig{delim: ';'}},
	{"multi-byte delimiter", "a€b€c\n\"1€2\"€3€\"€\"\nü€ö\n", scanConfig{delim: '€'}},
	{"multi-byte delimiter, error", "a€b\n\"1\"€\"2\"x\n", scanConfig{delim: '€'}},
	{"multi-byte runes", "名前,内線\n王芳,\"0100\"\n😀,\"a😀\"\"b\"\n", scanConfig{delim: ','}},
	{"space delimiter", "a b  c\n\"1 2\" 3\n", scanConfig{delim: ' '}},
	{"trimmed space-like delimiter", "a\vb\v\v\"c\"\n1\v \v2\n", scanConfig{delim: '\v', trim: true}},
	{"NUL", "Name,Email\nBob,b\x00@x\n", scanConfig{delim: ','}},
	{"NUL quoted", "Name,Email\n\"Bob\",\"b\x00\"\n", scanConfig{delim: ','}},
	{"invalid delimiter", "a\x00b\n1\x002\n", scanConfig{delim: 0}},
	{"invalid UTF-8", "a,\xff\n\"\xfe\"\xfd,x\n", scanConfig{delim: ','}},
	{"empty", "", scanConfig{delim: ','}},
	{"only line ends", "\r\n\r\r\n\n", scanConfig{delim: ','}},
}

// TestScannerMatchesEncodingCSV reads each text with csvScanner at many
// buffer sizes and through readers that return a byte at a time, and
// with encoding/csv behind lineEnds, and compares records, lines, errors.
func TestScannerMatchesEncodingCSV(t *testing.T) {
	for _, tc := range scanCases {
		t.Run(tc.name, func(t *testing.T) {
			compareScanAllSizes(t, []byte(tc.text), tc.sc)
		})
	}
}

// TestScannerLongLines reads lines and quoted fields longer than the read
// buffer, at the real buffer size.
func TestScannerLongLines(t *testing.T) {
	long := strings.Repeat("x", readBufSize+readBufSize/3)
	quoted := strings.Repeat("ü\r\n\"\"y\r", readBufSize/4)
	text := "a,b\r\n" + long + "," + long + "\r\n\"" + quoted + "\",1\r\n2,\"" + long + "\"\r\n" + strings.Repeat("1,2\r\n", readBufSize/3)
	for _, size := range []int{readBufSize, 1000, 4096 + 1} {
		compareScan(t, []byte(text), scanConfig{delim: ','}, size, func(r io.Reader) io.Reader { return r })
	}
	compareScan(t, []byte(text+"\"x"), scanConfig{delim: ','}, readBufSize, iotest.HalfReader)
}

// TestScannerBlocks checks that the fields of plain lines are sliced from
// blocks of lines, not copied one line at a time, and that each block is
// a copy: rewriting the read buffer does not change cells already read.
func TestScannerBlocks(t *testing.T) {
	text := strings.Repeat("abc,def\n", 1000)
	s := newCSVScanner(strings.NewReader(text), ',', false, readBufSize)
	var cells []string
	allocs := testing.AllocsPerRun(1, func() {
		for {
			rec, err := s.Read()
			if err != nil {
				break
			}
			cells = append(cells, rec[0])
		}
	})
	if allocs > 10 {
		t.Errorf("%v allocations for 1000 lines", allocs)
	}
	clear(s.buf)
	for i, c := range cells {
		if c != "abc" {
			t.Fatalf("cell %d is %q after the buffer was cleared", i, c)
		}
	}
}

// rowsTranscript reads the file at path through Rows, with the scanner or
// with the reference, and writes down everything a caller sees.
func rowsTranscript(t *testing.T, path string, legacy bool, bufSize int) string {
	t.Helper()
	file, err := Open(path, Options{})
	if err != nil {
		return "Open: " + err.Error()
	}
	defer file.Close()
	c, ok := file.(*csvFile)
	if !ok {
		return "not a CSV"
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var src recordSource
	if legacy {
		src, err = c.legacySource(c.decoder(f))
	} else {
		src, err = c.scanner(c.decoder(f), bufSize)
	}
	if err != nil { // Rows returns it
		f.Close()
		return "Rows: " + err.Error()
	}
	rr, err := c.startRows(f, src)
	if err != nil {
		return "Rows: " + err.Error()
	}
	defer rr.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "header %d %q\n", rr.HeaderRow(), rr.Header())
	for {
		row, ok := rr.Next()
		if !ok {
			break
		}
		fmt.Fprintf(&b, "%d %q\n", row.Num, row.Cells)
	}
	if err := rr.Err(); err != nil {
		fmt.Fprintf(&b, "Err: %v\n", err)
	}
	return b.String()
}

// compareRows opens data as a .csv file and reads it as a caller does,
// with the scanner and with the reference.
func compareRows(t *testing.T, dir string, data []byte, bufSize int) {
	t.Helper()
	path := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := rowsTranscript(t, path, true, 0)
	if got := rowsTranscript(t, path, false, bufSize); got != want {
		t.Fatalf("input %q, buffer %d:\n got %s\nwant %s", data, bufSize, got, want)
	}
}

// TestRowsMatchEncodingCSV reads whole files as callers do (encoding,
// delimiter and "sep=" line detected, cells cleaned, NUL and long cells
// refused, errors worded) with the scanner and with the reference.
func TestRowsMatchEncodingCSV(t *testing.T) {
	dir := t.TempDir()
	texts := []string{
		"Name,Note\nAnn,\"" + strings.Repeat("é", MaxCellChars) + "x\"\n",
		"Name,Note\n\"Ann\r\n\",\"x\"\"\"\r\"Bob\",\x00\n",
		"\xff\xfeN\x00,\x00x\x00\n\x00\"\x00a\x00\r\x00b\x00\"\x00,\x00c\x00\n\x00",
		"Ren\xe9,M\xfcller\n\"unterminated\n",
		"\xfe\xff\x00a\x00;\x00b\x00\r\x00\"\x001\x00\"\x00;\x002",
		"a, \"b\"\n1, \"2, 3\" \n",
		"a, \"b\"\n1, \"2, 3\"\n",
		"sep=\x00\na\x00b\n", // a delimiter encoding/csv refuses
	}
	for _, tc := range scanCases {
		texts = append(texts, tc.text)
	}
	for _, text := range texts {
		for _, size := range []int{3, readBufSize} {
			compareRows(t, dir, []byte(text), size)
		}
	}
}

// FuzzCSVScanner compares csvScanner with encoding/csv behind lineEnds on
// arbitrary text and settings, and whole files read through Rows. Run it
// with
//
//	go test ./internal/intake -run XXX -fuzz FuzzCSVScanner -fuzztime 3m
func FuzzCSVScanner(f *testing.F) {
	for i, tc := range scanCases {
		f.Add([]byte(tc.text), uint8(i), tc.sc.trim)
	}
	dir := f.TempDir()
	delims := []rune{',', ';', '\t', '|', ' ', '€', '\v', '\u3000'}
	sizes := []int{1, 2, 3, 5, 8, 13, 64, 4096} // TestScannerLongLines covers readBufSize
	f.Fuzz(func(t *testing.T, data []byte, sel uint8, trim bool) {
		if len(data) > maxFuzzInput {
			return
		}
		sc := scanConfig{delim: delims[int(sel)%len(delims)], trim: trim, bom: bytes.HasPrefix(data, []byte("\xef\xbb\xbf"))}
		size := sizes[int(sel/8)%len(sizes)]
		compareScan(t, data, sc, size, func(r io.Reader) io.Reader { return r })
		compareScan(t, data, sc, size, iotest.OneByteReader)
		compareRows(t, dir, data, size)
	})
}
