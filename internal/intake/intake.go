// Package intake reads the user's input — an .xlsx workbook or a .csv file —
// as a stream of sheets and rows of cleaned cell text. It knows nothing of
// vendors: it only turns real-world spreadsheet mess into exact text
// (numbers as typed digits, booleans, dates, trimmed spaces) and refuses
// unusable files with one clear UnusableError.
//
// A workbook is opened with excelize (sheet list, cell styles, date
// system, zip-size limits) and its worksheets and shared strings are
// streamed by intake's own scanner, which keeps each cell's type and style
// and runs several times faster than excelize's row iterator. A CSV goes
// through encoding/csv, decoded with golang.org/x/text only when it is not
// UTF-8; CR, LF and CRLF all end its lines, as in a text editor. Rows are
// parsed ahead on a second goroutine, so a caller's work on one row
// overlaps with reading the next.
//
// What cannot be real data refuses the file with an *UnusableError
// naming the cell: a NUL character, more than MaxCellChars characters. A
// workbook whose sheet cannot be found (part missing, link outside the
// file or to a part that is not a worksheet) or whose sheet XML is
// malformed is a damaged workbook, never an empty sheet.
package intake

import (
	"errors"
	"fmt"
	"strings"
)

// Options tune how a file is read.
type Options struct {
	// MaxUnzippedBytes bounds how much an .xlsx may expand to (zip-bomb guard);
	// 0 means DefaultMaxUnzippedBytes.
	MaxUnzippedBytes int64
}

// DefaultMaxUnzippedBytes is the default bound on an .xlsx's unzipped size.
const DefaultMaxUnzippedBytes = 2 << 30

// Row is one non-blank data row.
type Row struct {
	Num   int      // row number as Excel shows it (CSV: the line the record starts on, 1-based, as an editor counts lines)
	Cells []string // cleaned text per column: at least as many as the header has, more when a cell right of it has text

	// NoResult lists, in increasing order, the 0-based columns whose cell
	// holds a formula that has never been calculated and saved (a file
	// written by a program rather than Excel): its text in Cells is "",
	// but the cell is not empty. It is nil on almost every row (always
	// for a CSV), so it costs nothing on the common path. A row whose only
	// content is such cells is still returned.
	NoResult []int
}

// FormulaWithoutResult reports whether column i (0-based) holds a formula
// with no saved result, whose text is "" only because nothing calculated
// it: a caller should say "formula with no saved result: open and save the
// file in Excel" rather than "the cell is empty".
func (r Row) FormulaWithoutResult(i int) bool {
	for _, c := range r.NoResult {
		if c == i {
			return true
		}
	}
	return false
}

// RowReader streams the rows of one sheet. The first non-blank row is the
// header; Next returns the data rows after it, skipping blank and
// whitespace-only rows. A RowReader is used by one goroutine at a time.
type RowReader interface {
	Header() []string  // cleaned header texts (may contain "")
	HeaderRow() int    // row number of the header
	Next() (Row, bool) // the next data row; false at the end or on error
	Err() error        // the *UnusableError that stopped Next (a damaged sheet, bad CSV quoting), if any
	Close() error
}

// Recycler is implemented by a RowReader that can reuse the cell slices
// of rows its caller is done with. Recycle hands them back: the caller
// must hold no reference to the rows' Cells afterwards (texts taken from
// them stay valid; only the slices are reused). It may be called from
// another goroutine than Next.
type Recycler interface {
	Recycle(rows []Row)
}

// File is an opened input. Its format is judged by content, not by the
// file name's extension.
type File interface {
	Path() string
	Format() string       // "xlsx" or "csv"
	SheetNames() []string // in workbook order, hidden sheets included; a CSV has one, named after the file
	// Hidden reports whether a sheet is hidden or "very hidden" in the
	// workbook (out of sight in Excel: lookup lists, old data). Callers
	// should skip such sheets with a warning unless asked to read them
	// (--include-hidden). A CSV's sheet never is.
	Hidden(sheet string) bool
	// Rows starts reading a sheet from its top; several may be open at
	// once. Its errors are *UnusableError; an empty sheet's also matches
	// ErrNoHeader.
	Rows(sheet string) (RowReader, error)
	Close() error // also closes the RowReaders still open
}

// UnusableError says why a file cannot be read at all: the tool exits 2
// and prints Error() as is. It never wraps a stack trace.
type UnusableError struct {
	Path   string
	Reason string // what is wrong, in words
	Fix    string // what to do about it

	err error // the underlying cause, for errors.Is/As; not shown
}

// ErrNoHeader is matched (errors.Is) by the UnusableError that Rows returns
// for a sheet or CSV without any non-blank row, so a caller reading many
// sheets can tell an empty sheet from a broken file.
var ErrNoHeader = errors.New("no header row")

func (e *UnusableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Path, e.Reason)
	if e.Fix != "" {
		b.WriteString(". ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any (ErrNoHeader, a
// *csv.ParseError, a zip or XML error).
func (e *UnusableError) Unwrap() error { return e.err }

// ColumnName returns the spreadsheet column letters for a 0-based index
// (0 → A, 26 → AA).
func ColumnName(i int) string {
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// CellRef returns the cell reference ("B7") of 0-based column i in row num.
func CellRef(i, num int) string { return fmt.Sprintf("%s%d", ColumnName(i), num) }
