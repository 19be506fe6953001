package intake

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textEncoding is how a delimited text file's bytes are decoded.
type textEncoding uint8

const (
	encUTF8        textEncoding = iota // valid UTF-8, no byte-order mark
	encUTF8BOM                         // UTF-8 after a byte-order mark (Excel's "CSV UTF-8")
	encUTF16LE                         // UTF-16 little-endian with BOM (Excel's "Unicode Text")
	encUTF16BE                         // UTF-16 big-endian with BOM
	encWindows1252                     // not valid UTF-8: Excel's legacy "CSV" on Western Windows
)

func (e textEncoding) String() string {
	return [...]string{"UTF-8", "UTF-8 with BOM", "UTF-16LE", "UTF-16BE", "Windows-1252"}[e]
}

// sampleSize is how much decoded text the delimiter is guessed from.
const sampleSize = 64 << 10

// csvFile is an opened delimited text file. Each Rows call reads it anew.
type csvFile struct {
	path      string
	enc       textEncoding
	delimiter rune
	sepLine   bool // the first line is Excel's "sep=;" hint
	padQuote  bool // a quoted field follows spaces: trim leading space before parsing

	mu      sync.Mutex
	readers map[*csvRows]bool // open row readers, closed with the file
}

// openCSV settles a text file's encoding, line ends and delimiter.
func openCSV(path string, f *os.File, head []byte) (File, error) {
	c := &csvFile{path: path}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		c.enc = encUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		c.enc = encUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		c.enc = encUTF16BE
	}
	if c.enc == encUTF8 || c.enc == encUTF8BOM {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, readError(path, err)
		}
		bad, err := invalidUTF8At(f)
		if err != nil {
			return nil, readError(path, err)
		}
		switch {
		case bad >= 0 && c.enc == encUTF8BOM:
			line, _ := lineAt(path, bad)
			return nil, &UnusableError{Path: path,
				Reason: fmt.Sprintf("the file starts with a UTF-8 byte-order mark but line %d holds bytes that are not UTF-8 text", line),
				Fix:    "Open it in Excel and save it again as 'CSV UTF-8 (Comma delimited) (.csv)'"}
		case bad >= 0:
			c.enc = encWindows1252
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, readError(path, err)
	}
	raw, err := io.ReadAll(io.LimitReader(c.decoder(f), sampleSize))
	if err != nil {
		return nil, readError(path, err)
	}
	if len(raw) == sampleSize { // drop a rune cut in half at the end
		for i := 0; i < utf8.UTFMax && len(raw) > 0 && !utf8.Valid(raw); i++ {
			raw = raw[:len(raw)-1]
		}
	}
	sample := string(raw)
	if c.enc == encUTF8BOM {
		sample = strings.TrimPrefix(sample, "\ufeff")
	}
	if textLooksBinary(sample) {
		return nil, binaryRefusal(path)
	}
	sample = normaliseLineEnds(sample)
	if d, ok := sepHint(sample); ok {
		c.delimiter, c.sepLine = d, true
	} else {
		c.delimiter = detectDelimiter(sample, len(raw) >= sampleSize-utf8.UTFMax, strings.ToLower(filepath.Ext(path)) == ".tsv")
	}
	c.padQuote = !isSpaceRune(c.delimiter) && spaceBeforeQuote(sample, c.delimiter)
	return c, nil
}

func readError(path string, err error) *UnusableError {
	return &UnusableError{Path: path, Reason: "cannot read the file: " + err.Error(), Fix: "Check the file's permissions and that it is fully copied", err: err}
}

// invalidUTF8At returns the offset of the first byte of r that is not
// part of valid UTF-8, or -1 when all of it is valid.
func invalidUTF8At(r io.Reader) (int64, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk+utf8.UTFMax)
	var base int64 // offset of buf[0]
	carry := 0
	for {
		n, err := io.ReadFull(r, buf[carry:carry+chunk])
		n += carry
		more := err == nil
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return 0, err
		}
		keep := 0
		if more { // a rune may continue in the next chunk
			for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
				if utf8.RuneStart(buf[i]) {
					if !utf8.FullRune(buf[i:n]) {
						keep = n - i
					}
					break
				}
			}
		}
		if data := buf[:n-keep]; !utf8.Valid(data) {
			for i := 0; i < len(data); {
				r, size := utf8.DecodeRune(data[i:])
				if r == utf8.RuneError && size <= 1 {
					return base + int64(i), nil
				}
				i += size
			}
		}
		if !more {
			return -1, nil
		}
		copy(buf, buf[n-keep:n])
		base += int64(n - keep)
		carry = keep
	}
}

// lineAt returns the 1-based line of byte offset off in the file at path.
func lineAt(path string, off int64) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, off))
	// CR, LF and CRLF each end a line, as in an editor.
	lines := bytes.Count(b, []byte("\n")) + bytes.Count(b, []byte("\r")) - bytes.Count(b, []byte("\r\n"))
	return 1 + lines, err
}

// decoder wraps r so it yields UTF-8 text; a transform is only put in the
// way when the encoding needs one.
func (c *csvFile) decoder(r io.Reader) io.Reader {
	var t transform.Transformer
	switch c.enc {
	case encUTF16LE:
		t = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case encUTF16BE:
		t = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case encWindows1252:
		t = charmap.Windows1252.NewDecoder()
	}
	if t == nil {
		return r
	}
	return transform.NewReader(r, t)
}

// sepHint recognises Excel's "sep=;" first line, which names the delimiter.
func sepHint(sample string) (rune, bool) {
	line, _, _ := strings.Cut(sample, "\n")
	line = strings.TrimRight(line, "\r")
	if len(line) < 5 || !strings.EqualFold(line[:4], "sep=") {
		return 0, false
	}
	d, size := utf8.DecodeRuneInString(line[4:])
	if 4+size != len(line) || d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError {
		return 0, false
	}
	return d, true
}

// detectDelimiter picks ',', ';' or tab: the one that splits the first
// records (quotes respected) into the most columns, consistently. A sample
// cut short (truncated) has its last, possibly partial, record ignored.
func detectDelimiter(sample string, truncated, tabFirst bool) rune {
	candidates := []rune{',', ';', '\t'}
	if tabFirst {
		candidates = []rune{'\t', ',', ';'}
	}
	best, bestScore := candidates[0], -1
	for _, d := range candidates {
		r := csv.NewReader(strings.NewReader(sample))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = d, -1, true
		var counts []int
		for len(counts) < 50 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			counts = append(counts, len(rec))
		}
		if truncated && len(counts) > 1 {
			counts = counts[:len(counts)-1]
		}
		if len(counts) == 0 {
			continue
		}
		agree := 0
		for _, n := range counts {
			if n == counts[0] {
				agree++
			}
		}
		// Consistent column counts matter most, then how many columns.
		score := counts[0]
		if counts[0] > 1 && agree*10 >= len(counts)*8 {
			score += 1 << 20
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

func (c *csvFile) Path() string   { return c.path }
func (c *csvFile) Format() string { return "csv" }

// SheetNames returns the file's one "sheet": its name without extension.
func (c *csvFile) SheetNames() []string {
	return []string{strings.TrimSuffix(filepath.Base(c.path), filepath.Ext(c.path))}
}

// Hidden is always false: a text file has no hidden sheets.
func (c *csvFile) Hidden(string) bool { return false }

// Close closes the row readers still open.
func (c *csvFile) Close() error {
	c.mu.Lock()
	open := make([]*csvRows, 0, len(c.readers))
	for r := range c.readers {
		open = append(open, r)
	}
	c.mu.Unlock()
	var err error
	for _, r := range open {
		if cerr := r.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Rows reads the file from the start; the sheet name is ignored.
func (c *csvFile) Rows(string) (RowReader, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, readError(c.path, err)
	}
	src, err := c.scanner(c.decoder(f), readBufSize)
	if err != nil {
		f.Close()
		return nil, err
	}
	return c.startRows(f, src)
}

// scanner returns the record reader of the decoded text r, past its
// byte-order mark and "sep=" line, reading bufSize bytes at a time.
func (c *csvFile) scanner(r io.Reader, bufSize int) (*csvScanner, error) {
	if !validDelimiter(c.delimiter) {
		return nil, readError(c.path, delimiterError(c.delimiter))
	}
	s := newCSVScanner(r, c.delimiter, c.padQuote, bufSize)
	if c.enc == encUTF8BOM {
		if err := s.skipBOM(); err != nil {
			return nil, readError(c.path, err)
		}
	}
	if c.sepLine {
		if err := s.skipSepLine(); err != nil {
			return nil, readError(c.path, err)
		}
	}
	return s, nil
}

// delimiterError is encoding/csv's own refusal of the delimiter d.
func delimiterError(d rune) error {
	r := csv.NewReader(strings.NewReader("\n"))
	r.Comma = d
	_, err := r.Read()
	return err
}

// recordSource yields the raw records of a delimited text: csvScanner,
// or in tests encoding/csv reading through lineEnds.
type recordSource interface {
	Read() ([]string, error) // the next record (the slice is reused); io.EOF at the end
	StartLine() int          // the line, as an editor shows it, where that record starts
	EditorLine(line int) int // an editor's line for a line of a *csv.ParseError
	NULSeen() bool           // a NUL byte may be in the records read
}

// startRows reads the header from src and starts reading rows ahead; f is
// closed with the row reader.
func (c *csvFile) startRows(f *os.File, src recordSource) (RowReader, error) {
	rows := &csvRows{file: c, path: c.path, f: f, src: src}
	num, cells, ok := rows.next(0)
	if rows.err != nil {
		f.Close()
		return nil, rows.err
	}
	if !ok {
		f.Close()
		return nil, &UnusableError{Path: c.path, Reason: "the file has no header row: it is empty or holds only blank lines",
			Fix: "Put the column names on the first line and one new hire per line below", err: ErrNoHeader}
	}
	for i, h := range cells {
		cells[i] = strings.Clone(h) // not the block of lines it was read with
	}
	rows.header, rows.hrow = cells, num
	rows.spare = make(chan []string, spareRows)
	rows.pipe = startRowReadAhead(rows.nextDataRow, func() error { return rows.err })
	c.mu.Lock()
	if c.readers == nil {
		c.readers = map[*csvRows]bool{}
	}
	c.readers[rows] = true
	c.mu.Unlock()
	return rows, nil
}

func isSpaceRune(r rune) bool { return r == ' ' || r == '\t' }

// spaceBeforeQuote reports whether a field in sample starts with spaces
// and then a quote (`a, "b, c"`), which needs csv.Reader's
// TrimLeadingSpace; it costs time, so it is only turned on when needed.
func spaceBeforeQuote(sample string, delimiter rune) bool {
	for i := strings.IndexByte(sample, '"'); i >= 0; {
		j := i
		for j > 0 && (sample[j-1] == ' ' || sample[j-1] == '\t') {
			j--
		}
		if j < i {
			before, _ := utf8.DecodeLastRuneInString(sample[:j])
			if j == 0 || before == delimiter || before == '\n' {
				return true
			}
		}
		next := strings.IndexByte(sample[i+1:], '"')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

type csvRows struct {
	file   *csvFile
	path   string
	f      *os.File
	src    recordSource
	header []string
	hrow   int
	err    error
	done   bool
	slab   cellSlab
	pipe   *rowReadAhead // parses rows ahead on another goroutine
	spare  chan []string // header-wide cell slices handed back by Recycle
}

// spareRows bounds the cell slices kept for reuse (a few batches' worth).
const spareRows = 16 * batchRows

// Recycle takes back the cells of rows the caller is done with; those as
// wide as the header are reused for later rows, the rest are dropped.
func (c *csvRows) Recycle(rows []Row) {
	for _, r := range rows {
		if len(r.Cells) != len(c.header) || cap(r.Cells) != len(r.Cells) {
			continue
		}
		select {
		case c.spare <- r.Cells:
		default:
			return
		}
	}
}

// cells returns n empty cells: a recycled slice when one fits, else new
// ones from the slab.
func (c *csvRows) cells(n int) []string {
	if n == len(c.header) {
		select {
		case cells := <-c.spare:
			clear(cells)
			return cells
		default:
		}
	}
	return c.slab.take(n)
}

func (c *csvRows) Header() []string { return c.header }
func (c *csvRows) HeaderRow() int   { return c.hrow }

// Err returns what stopped Next early, once Next has reported false.
func (c *csvRows) Err() error {
	if c.pipe != nil {
		return c.pipe.err
	}
	return c.err
}

func (c *csvRows) Close() error {
	if c.f == nil {
		return nil
	}
	if c.pipe != nil {
		c.pipe.stop()
	}
	err := c.f.Close()
	c.f, c.done = nil, true
	c.file.mu.Lock()
	delete(c.file.readers, c)
	c.file.mu.Unlock()
	return err
}

func (c *csvRows) Next() (Row, bool) {
	if c.pipe == nil {
		return Row{}, false
	}
	return c.pipe.next()
}

// nextDataRow reads the next data row; it runs on the read-ahead goroutine.
func (c *csvRows) nextDataRow() (Row, bool) {
	num, cells, ok := c.next(len(c.header))
	return Row{Num: num, Cells: cells}, ok
}

// next returns the next non-blank record: the line it starts on and its
// cleaned fields, at least width of them.
func (c *csvRows) next(width int) (int, []string, bool) {
	for !c.done {
		rec, err := c.src.Read()
		if err == io.EOF {
			c.done = true
			break
		}
		if err != nil {
			c.err, c.done = csvReadError(c.path, err, c.src.EditorLine), true
			break
		}
		n, long := 0, false
		for i, field := range rec {
			cell := Clean(field)
			if len(cell) != len(field) { // else it is field: spare the store
				rec[i] = cell
			}
			if cell != "" {
				n = i + 1
				long = long || len(cell) > MaxCellChars
			}
		}
		if n == 0 {
			continue
		}
		num := c.src.StartLine()
		if nul := c.src.NULSeen(); long || nul {
			if uerr := refuseBadCell(c.path, "", rec[:n], num, c.header, nul); uerr != nil {
				c.err, c.done = uerr, true
				break
			}
		}
		cells := c.cells(max(n, width))
		copy(cells, rec[:n])
		return num, cells, true
	}
	return 0, nil, false
}

// csvReadError explains a record that cannot be parsed, naming its line;
// editorLine maps the lines of a *csv.ParseError to those an editor shows.
func csvReadError(path string, err error, editorLine func(int) int) *UnusableError {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return readError(path, err)
	}
	start := editorLine(pe.StartLine)
	line := editorLine(pe.Line)
	quoteFix := `a field that contains a double quote must be wrapped in double quotes with each quote inside doubled, e.g. "5'10"" tall" — fix or remove the quote, then save again`
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &UnusableError{Path: path, Reason: fmt.Sprintf("line %d, column %d: a double quote (\") appears inside a field that is not wrapped in quotes", line, pe.Column),
			Fix: quoteFix, err: err}
	case errors.Is(pe.Err, csv.ErrQuote) && start != line:
		return &UnusableError{Path: path, Reason: fmt.Sprintf("line %d: the quoted field that starts there is not closed properly (reading stopped at line %d)", start, line),
			Fix: quoteFix, err: err}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &UnusableError{Path: path, Reason: fmt.Sprintf("line %d, column %d: text follows the closing quote of a quoted field, or the quote is never closed", line, pe.Column),
			Fix: quoteFix, err: err}
	}
	return &UnusableError{Path: path, Reason: fmt.Sprintf("line %d: %v", line, pe.Err), Fix: "Check the file is a valid CSV", err: err}
}
