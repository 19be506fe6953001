package intake

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// expectCellRefusal checks got.err is an UnusableError whose reason
// contains want, and that no row after the bad one was delivered.
func expectCellRefusal(t *testing.T, got sheetRows, want string) {
	t.Helper()
	var uerr *UnusableError
	if !errors.As(got.err, &uerr) || !strings.Contains(uerr.Reason, want) || uerr.Fix == "" {
		t.Fatalf("got %v (rows %+v), want an UnusableError with %q", got.err, got.rows, want)
	}
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// Binary junk named .csv is refused as unusable, wherever the junk
// starts; text with a stray ESC or BEL in a cell is read as text.
func TestCSVBinaryJunk(t *testing.T) {
	for name, data := range map[string][]byte{
		"random":             randomBytes(20000, 1),
		"text then random":   append([]byte("Name,Email\nAnn,ann@example.com\n"+strings.Repeat("Bob,bob@example.com\n", 30)), randomBytes(20000, 2)...),
		"random, no NUL":     []byte(strings.ReplaceAll(string(randomBytes(5000, 3)), "\x00", "x")),
		"small random block": randomBytes(300, 4),
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "people.csv", data)
			f, err := Open(p, Options{})
			if err == nil {
				f.Close()
			}
			var uerr *UnusableError
			if !errors.As(err, &uerr) || !strings.Contains(uerr.Reason, "binary data") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestCSVControlCharactersAreData(t *testing.T) {
	text := "Name,Note\nAnn,\x1b[1mbold\x1b[0m\x07\nBob,tab\there\x0c\n"
	got := readCSV(t, "people.csv", []byte(text))
	if got.err != nil || len(got.rows) != 2 || got.rows[0].Cells[1] != "\x1b[1mbold\x1b[0m\x07" || got.rows[1].Cells[1] != "tab\there" {
		t.Fatalf("got %+v", got)
	}
}

// A NUL in a cell refuses the file, naming the cell; so does one in the
// header, and one in a UTF-16 file.
func TestCSVNULInCell(t *testing.T) {
	got := readCSV(t, "people.csv", []byte("Name,Email\nAnn,ann@example.com\nBob,bob\x00@example.com\nCid,c@example.com\n"))
	expectCellRefusal(t, got, `cell B3 (row 3, column B "Email") contains a NUL character`)
	if len(got.rows) != 1 {
		t.Fatalf("rows before the bad one: %+v", got.rows)
	}
	got = readCSV(t, "people.csv", []byte("Name,E\x00mail\nAnn,a\n"))
	expectCellRefusal(t, got, `cell B1 (row 1, column B) contains a NUL character`)
	got = readCSV(t, "people.csv", utf16Bytes("Name\tEmail\r\nAnn\ta\x00b\r\n", binary.LittleEndian))
	expectCellRefusal(t, got, `cell B2 (row 2, column B "Email") contains a NUL character`)
}

// Cells over Excel's 32,767-character limit are refused, naming the
// cell; a cell at the limit is read. Characters, not bytes, are counted,
// the way Excel counts them (UTF-16 units).
func TestCSVCellTooLong(t *testing.T) {
	atLimit := strings.Repeat("é", MaxCellChars)
	got := readCSV(t, "people.csv", []byte("Name,Note\nAnn,"+atLimit+"\n"))
	if got.err != nil || got.rows[0].Cells[1] != atLimit {
		t.Fatalf("at the limit: %v", got.err)
	}
	got = readCSV(t, "people.csv", []byte("Name,Note\nAnn,ok\nBob,"+strings.Repeat("x", 1<<20)+"\n"))
	expectCellRefusal(t, got, `cell B3 (row 3, column B "Note") holds 1048576 characters, more than the 32767`)
	got = readCSV(t, "people.csv", []byte("Name,Note\nAnn,"+strings.Repeat("😀", 20000)+"\n"))
	expectCellRefusal(t, got, `cell B2 (row 2, column B "Note") holds 40000 characters`)
}
