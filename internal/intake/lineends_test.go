package intake

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// A row ending in a lone CR inside a CRLF file is a row of its own: the
// next person is not merged into its last cell, and every row keeps the
// line number an editor shows.
func TestCSVLoneCRInCRLFFile(t *testing.T) {
	text := "Name,Group\r\n" +
		"Ann One,Day Shift\r\n" +
		"Bea Two,Day Shift\r" + // a hand edit left a bare CR
		"Bob Two,Night Shift\r\n" +
		"Cid Three,Late\r\n"
	got := readCSV(t, "people.csv", []byte(text))
	want := []Row{
		{Num: 2, Cells: []string{"Ann One", "Day Shift"}},
		{Num: 3, Cells: []string{"Bea Two", "Day Shift"}},
		{Num: 4, Cells: []string{"Bob Two", "Night Shift"}},
		{Num: 5, Cells: []string{"Cid Three", "Late"}},
	}
	if got.err != nil || !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v\nwant %+v", got.rows, want)
	}
}

// CR, LF and CRLF mixed in one file are all line ends; a CR inside a
// quoted cell stays in the cell but still counts as a line for the rows
// after it.
func TestCSVMixedLineEnds(t *testing.T) {
	text := "Name;Note\n" + // 1
		"Ann;a\r" + // 2
		"Bob;\"two\rlines\"\r\n" + // 3-4: the CR is data
		"\r" + // 5: blank
		"Cid;\"x\r\ny\"\n" + // 6-7: CRLF inside quotes is a line break in the cell
		"Dee;last\r" // 8, CR at the very end
	got := readCSV(t, "mixed.csv", []byte(text))
	want := []Row{
		{Num: 2, Cells: []string{"Ann", "a"}},
		{Num: 3, Cells: []string{"Bob", "two\rlines"}},
		{Num: 6, Cells: []string{"Cid", "x\ny"}},
		{Num: 8, Cells: []string{"Dee", "last"}},
	}
	if got.err != nil || got.hrow != 1 || !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// An old Mac "CSV (Macintosh)" file: CR only, with a CR inside a quoted
// cell that must stay data.
func TestCSVCROnlyWithQuotedCR(t *testing.T) {
	text := "First,Last,Note\r" +
		"Jane,Smith,\"line one\rline two\"\r" +
		"José,O'Brien,\r"
	got := readCSV(t, "mac.csv", []byte(text))
	want := []Row{
		{Num: 2, Cells: []string{"Jane", "Smith", "line one\rline two"}},
		{Num: 4, Cells: []string{"José", "O'Brien", ""}},
	}
	if got.err != nil || !reflect.DeepEqual(got.header, []string{"First", "Last", "Note"}) || !reflect.DeepEqual(got.rows, want) {
		t.Fatalf("got %+v", got)
	}
}

// A quoting error after lone-CR lines names the line an editor shows.
func TestCSVErrorLineAfterLoneCR(t *testing.T) {
	text := "a,b\r\n1,2\r3,4\r\n5,x\"y\r\n"
	got := readCSV(t, "bad.csv", []byte(text))
	var uerr *UnusableError
	if !errors.As(got.err, &uerr) || !strings.Contains(uerr.Reason, "line 4,") {
		t.Fatalf("got %v", got.err)
	}
}

// lineEnds gives the same text, quote state and line numbers however its
// input is cut into reads (a CR at the end of one read, its LF in the next).
func TestLineEndsReadBoundaries(t *testing.T) {
	text := "h1,h2\r\n\"a\rb\",c\r\"d\"\"\r\n\re\",f\rg,h\r\n\r\r"
	want := "h1,h2\r\n\"a\rb\",c\n\"d\"\"\r\n\re\",f\ng,h\r\n\n\n"
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(text),
		"one byte": iotest.OneByteReader(strings.NewReader(text)),
		"half":     iotest.HalfReader(strings.NewReader(text)),
	} {
		l := newLineEnds(r)
		got, err := io.ReadAll(l)
		if err != nil || string(got) != want {
			t.Fatalf("%s: got %q, %v\nwant %q", name, got, err, want)
		}
		// Data CRs sit on LF-counted lines 2 and 4 (the one after the quoted CRLF).
		if !reflect.DeepEqual(l.dataCRs, []int{2, 4}) || l.lines != 7 {
			t.Fatalf("%s: data CRs %v, lines %d", name, l.dataCRs, l.lines)
		}
		if l.visualLine(2) != 2 || l.visualLine(3) != 4 || l.visualLine(5) != 7 {
			t.Fatalf("%s: visual lines wrong", name)
		}
	}
	// A CR exactly at the end of the internal buffer.
	big := strings.Repeat("x", lineEndsBufSize-1) + "\r" + "\ny\rz"
	got, _ := io.ReadAll(newLineEnds(strings.NewReader(big)))
	if !bytes.HasSuffix(got, []byte("x\r\ny\nz")) || len(got) != len(big) {
		t.Fatalf("boundary CR: %q", got[len(got)-8:])
	}
}
