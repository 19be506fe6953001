package intake

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxCellChars is the most characters a cell may hold: Excel's own limit
// (counted, as Excel counts, in UTF-16 code units).
const MaxCellChars = 32767

// Fixes for cells whose text cannot be real data.
const (
	fixNUL = "A NUL (zero) byte is never part of a name, e-mail or other text: the file is probably damaged or was not saved as text. " +
		"Export it again from where it came from, or delete that cell's text and type it again"
	fixLongCell = "Shorten the text in that cell. If it should be short, check the file: a quote (\") that is never closed can swallow many lines into one cell"
)

// utf16Len is the length of s in UTF-16 code units, as Excel counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// cellTextProblem says what makes a cell's text unusable (a NUL
// character, more than MaxCellChars characters), or "" when nothing does.
// Other control characters (ESC, BEL, …) are data.
func cellTextProblem(s string, nulPossible bool) (problem, fix string) {
	if len(s) > MaxCellChars {
		if n := utf16Len(s); n > MaxCellChars {
			return fmt.Sprintf("holds %d characters, more than the %d a spreadsheet cell can hold", n, MaxCellChars), fixLongCell
		}
	}
	if nulPossible && strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL character (a zero byte), which is not text", fixNUL
	}
	return "", ""
}

// cellError is the refusal of a file because of one cell: where is the
// sheet (or "" for a CSV), col the 0-based column, num the row or line
// number, header the column names (nil while reading the header itself).
func cellError(path, sheet string, col, num int, header []string, problem, fix string) *UnusableError {
	var b strings.Builder
	if sheet != "" {
		fmt.Fprintf(&b, "sheet %q, ", sheet)
	}
	fmt.Fprintf(&b, "cell %s (row %d, column %s", CellRef(col, num), num, ColumnName(col))
	if col < len(header) && header[col] != "" {
		fmt.Fprintf(&b, " %q", shorten(header[col]))
	}
	b.WriteString(") ")
	b.WriteString(problem)
	return &UnusableError{Path: path, Reason: b.String(), Fix: fix}
}

// shorten cuts s to a length fit for a message.
func shorten(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// refuseBadCell refuses the first unusable cell of a row, or returns nil.
func refuseBadCell(path, sheet string, cells []string, num int, header []string, nulPossible bool) *UnusableError {
	for i, s := range cells {
		if problem, fix := cellTextProblem(s, nulPossible); problem != "" {
			return cellError(path, sheet, i, num, header, problem, fix)
		}
	}
	return nil
}
