// Package intake reads the user's input — an .xlsx workbook or a .csv file —
// as a stream of sheets and rows of cleaned cell text. It knows nothing of
// vendors: it only turns real-world spreadsheet mess into exact text
// (numbers as typed digits, booleans, dates, trimmed spaces) and refuses
// unusable files with one clear UnusableError.
package intake

import (
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
	Num   int      // row number as Excel shows it (CSV: the record's line number, header = 1)
	Cells []string // cleaned text per column, padded to the header's width
}

// RowReader streams the rows of one sheet. The first non-blank row is the
// header; Next returns the data rows after it, skipping blank and
// whitespace-only rows.
type RowReader interface {
	Header() []string  // cleaned header texts (may contain "")
	HeaderRow() int    // row number of the header
	Next() (Row, bool) // the next data row; false at the end or on error
	Err() error        // the error that stopped Next, if any
	Close() error
}

// File is an opened input.
type File interface {
	Path() string
	Format() string       // "xlsx" or "csv"
	SheetNames() []string // in workbook order; a CSV has one, named after the file
	Rows(sheet string) (RowReader, error)
	Close() error
}

// UnusableError says why a file cannot be read at all: the tool exits 2
// and prints Error() as is. It never wraps a stack trace.
type UnusableError struct {
	Path   string
	Reason string // what is wrong, in words
	Fix    string // what to do about it
}

func (e *UnusableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Path, e.Reason)
	if e.Fix != "" {
		b.WriteString(". ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

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
