package intake

import (
	"bufio"
	"encoding/csv"
	"io"
)

// legacyRecords is how delimited text was read before csvScanner, kept as
// the reference the scanner is compared with: lineEnds, a bufio.Reader and
// encoding/csv.
type legacyRecords struct {
	r      *csv.Reader
	lines  *lineEnds
	offset int
}

// legacySource reads the decoded text r as Rows did before csvScanner.
func (c *csvFile) legacySource(r io.Reader) (*legacyRecords, error) {
	lines := newLineEnds(r)
	br := bufio.NewReaderSize(lines, 1<<20)
	if c.enc == encUTF8BOM {
		br.Discard(3)
	}
	offset := 0
	if c.sepLine {
		if _, err := br.ReadString('\n'); err != nil && err != io.EOF {
			return nil, readError(c.path, err)
		}
		offset = 1
	}
	cr := csv.NewReader(br)
	cr.Comma = c.delimiter
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = c.padQuote
	return &legacyRecords{r: cr, lines: lines, offset: offset}, nil
}

func (l *legacyRecords) Read() ([]string, error) { return l.r.Read() }

func (l *legacyRecords) StartLine() int {
	line, _ := l.r.FieldPos(0)
	return l.EditorLine(line)
}

func (l *legacyRecords) EditorLine(line int) int { return l.lines.visualLine(line + l.offset) }

func (l *legacyRecords) NULSeen() bool { return l.lines.nul }
