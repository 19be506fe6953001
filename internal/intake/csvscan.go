package intake

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// csvScanner reads the records of a delimited text in one pass over large
// read buffers. It gives exactly what encoding/csv (FieldsPerRecord -1,
// ReuseRecord, TrimLeadingSpace when asked) gives when reading the text
// through lineEnds, with the same line numbers and the same errors, so a
// lone CR outside quotes ends a line and one inside quotes is data.
//
// A line without a quote byte (most lines of most files) is split with
// bytes.IndexByte, its fields sliced from a string copied once per block
// of about blockSize bytes of lines. Any other record is parsed as
// encoding/csv parses it (see quotedRecord); its fields are sliced from
// the block too when they are spans of its one line (`"Smith, Jr."`),
// else from one string made for the record. So a cell kept after its row
// keeps its block alive: callers that keep a few cells for long clone them
// (the header is cloned here); one that keeps every row keeps the text.
type csvScanner struct {
	r     io.Reader
	delim []byte // the delimiter's UTF-8 bytes
	sep   string // the same, as a string
	trim  bool   // TrimLeadingSpace

	buf      []byte
	pos, end int   // unread bytes are buf[pos:end]
	eof      bool  // r has nothing more: buf[pos:end] is all there is
	err      error // a read error other than io.EOF
	lf, quot int   // cached positions of the next '\n' and '"' at or after pos (end: none); -1: unknown
	nul      bool  // a NUL byte has been read

	blk      string // copy of buf[blkStart:blkStart+len(blk)], which plain fields are sliced from
	blkStart int

	numLine int   // lines read, counted as encoding/csv counts them
	offset  int   // lines before the CSV proper (a "sep=" line)
	recLine int   // numLine where the last record starts
	shift   int   // lone CRs kept as data in the records before the current one
	dataCRs []int // lines (with offset) of the lone CRs kept as data in the current record

	rec    []string // the record returned, reused
	recBuf []byte   // quotedRecord's field text
	ends   []int    // quotedRecord's field ends in recBuf
	spans  []int    // quotedRecord's field starts and ends in buf
	copied bool     // quotedRecord's fields are not all spans of one line of buf
}

// Buffer sizes: reads fill readBufSize bytes; plain fields are sliced from
// strings of about blockSize bytes, so a cell kept long after its row
// keeps at most one such block alive.
const (
	readBufSize = 256 << 10
	blockSize   = 64 << 10
)

func newCSVScanner(r io.Reader, delimiter rune, trim bool, bufSize int) *csvScanner {
	d := utf8.AppendRune(nil, delimiter)
	return &csvScanner{r: r, delim: d, sep: string(d), trim: trim,
		buf: make([]byte, max(bufSize, 1)), lf: -1, quot: -1}
}

// validDelimiter reports whether encoding/csv accepts d as a delimiter.
func validDelimiter(d rune) bool {
	return d != 0 && d != '"' && d != '\r' && d != '\n' && utf8.ValidRune(d) && d != utf8.RuneError
}

// skipBOM drops the first 3 bytes: the UTF-8 byte-order mark.
func (s *csvScanner) skipBOM() error {
	for s.end-s.pos < 3 && !s.eof {
		if err := s.fill(); err != nil {
			return err
		}
	}
	s.pos += min(3, s.end-s.pos)
	return nil
}

// skipSepLine drops the first line, Excel's "sep=;" hint: lines are then
// numbered from the next one, as encoding/csv numbers them, plus one.
func (s *csvScanner) skipSepLine() error {
	if _, err := s.readLine(false); err != nil && err != io.EOF {
		return err
	}
	s.numLine, s.offset = 0, 1
	return nil
}

// fill reads more bytes after the unread ones, moving those to the start
// of buf or growing buf when a line is longer than it.
func (s *csvScanner) fill() error {
	if s.err != nil {
		return s.err
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	} else if s.end == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	s.lf, s.quot, s.blk, s.blkStart = -1, -1, "", 0
	for tries := 0; ; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		if bytes.IndexByte(s.buf[s.end:s.end+n], 0) >= 0 {
			s.nul = true
		}
		s.end += n
		switch {
		case err == io.EOF:
			s.eof = true
			return nil
		case err != nil:
			s.err = err
			return err
		case n > 0:
			return nil
		case tries >= 100:
			s.err = io.ErrNoProgress
			return s.err
		}
	}
}

// next returns the position of the next c at or after pos, or end when
// none is buffered; *at caches it until pos passes it or buf changes.
func (s *csvScanner) next(at *int, c byte) int {
	if *at < s.pos {
		s.find(at, c)
	}
	return *at
}

func (s *csvScanner) find(at *int, c byte) {
	if i := bytes.IndexByte(s.buf[s.pos:s.end], c); i >= 0 {
		*at = s.pos + i
	} else {
		*at = s.end
	}
}

// Line end kinds found by plainLine.
const (
	linePlain  = iota // a whole line with no quote byte
	lineQuoted        // a quote comes before the line's end
	lineMore          // the line's end is not buffered yet
)

// plainLine finds the line at pos: where its text ends and where the next
// line starts. The first CR or LF ends a line with no quote before it: an
// LF, a CRLF or a lone CR (which lineEnds turns into an LF).
func (s *csvScanner) plainLine() (end, next, kind int) {
	lf := s.next(&s.lf, '\n')
	end, next = lf, lf+1
	if cr := bytes.IndexByte(s.buf[s.pos:lf], '\r'); cr >= 0 {
		end = s.pos + cr
		next = end + 1
		switch {
		case next == lf && lf < s.end:
			next++ // CRLF
		case next == s.end && !s.eof:
			return 0, 0, lineMore // a CR whose successor is unknown
		}
	} else if lf == s.end {
		if !s.eof {
			return 0, 0, lineMore
		}
		next = s.end // the last line, with no line end
	}
	if s.next(&s.quot, '"') < end {
		return 0, 0, lineQuoted
	}
	return end, next, linePlain
}

// Read returns the next record; the slice is reused by the next call, the
// strings in it are not. At the end it returns io.EOF; a record encoding/csv
// cannot parse gives the same *csv.ParseError.
func (s *csvScanner) Read() ([]string, error) {
	s.shift += len(s.dataCRs)
	s.dataCRs = s.dataCRs[:0]
	for {
		if s.pos == s.end && s.eof {
			return nil, io.EOF
		}
		end, next, kind := s.plainLine()
		switch kind {
		case lineMore:
			if err := s.fill(); err != nil {
				return nil, err
			}
			continue
		case lineQuoted:
			return s.quotedRecord()
		}
		s.numLine++
		if end == s.pos { // an empty line
			s.pos = next
			continue
		}
		s.recLine = s.numLine
		rec := s.splitPlain(end)
		s.pos = next
		return rec, nil
	}
}

// splitPlain splits buf[pos:end], a line with no quote byte, into fields
// sliced from the current block.
func (s *csvScanner) splitPlain(end int) []string {
	text := s.blockText(s.pos, end)
	rec := s.rec[:0]
	if len(s.delim) == 1 && !s.trim {
		for d := s.delim[0]; ; {
			i := strings.IndexByte(text, d)
			if i < 0 {
				break
			}
			rec = append(rec, text[:i])
			text = text[i+1:]
		}
		rec = append(rec, text)
		s.rec = rec
		return rec
	}
	for {
		if s.trim {
			text = text[leadingSpaceString(text):]
		}
		i := strings.Index(text, s.sep)
		if i < 0 {
			break
		}
		rec = append(rec, text[:i])
		text = text[i+len(s.delim):]
	}
	rec = append(rec, text)
	s.rec = rec
	return rec
}

// blockText returns buf[from:end] from the current block of lines, first
// copying a new block if that one does not hold it.
func (s *csvScanner) blockText(from, end int) string {
	if from < s.blkStart || end > s.blkStart+len(s.blk) {
		s.newBlock(from, end)
	}
	return s.blk[from-s.blkStart : end-s.blkStart]
}

// newBlock copies into a string the buffered lines from from on, about
// blockSize bytes of them and at least up to end.
func (s *csvScanner) newBlock(from, end int) {
	stop := min(s.end, from+blockSize)
	cut := end
	if stop > end {
		tail := s.buf[end:stop]
		i := bytes.LastIndexByte(tail, '\n')
		if i < 0 {
			i = bytes.LastIndexByte(tail, '\r') // an old Mac file
		}
		cut = end + i + 1
	}
	s.blk, s.blkStart = string(s.buf[from:cut]), from
}

func (s *csvScanner) indexDelim(b []byte) int {
	if len(s.delim) == 1 {
		return bytes.IndexByte(b, s.delim[0])
	}
	return bytes.Index(b, s.delim)
}

// leadingSpace is the length of b's leading white space, as
// csv.Reader.TrimLeadingSpace counts it.
func leadingSpace(b []byte) int {
	if i := bytes.IndexFunc(b, notSpace); i >= 0 {
		return i
	}
	return len(b)
}

func leadingSpaceString(s string) int {
	if i := strings.IndexFunc(s, notSpace); i >= 0 {
		return i
	}
	return len(s)
}

func notSpace(r rune) bool { return !unicode.IsSpace(r) }

// readLine returns the next line as encoding/csv reads it from lineEnds's
// output: up to and with an LF, where a CRLF reads as an LF, and so does a
// lone CR outside quotes; a lone CR inside quotes is data, and its line
// is remembered. quoted says whether the line starts inside quotes. The
// bytes of the line may be rewritten in buf. At the end of the text it
// returns what is left, or io.EOF when nothing is.
func (s *csvScanner) readLine(quoted bool) ([]byte, error) {
	s.numLine++
	mark := len(s.dataCRs)
	for {
		if line, ok := s.scanLine(quoted); ok {
			if line == nil {
				return nil, io.EOF
			}
			return line, nil
		}
		s.dataCRs = s.dataCRs[:mark]
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
}

// scanLine is readLine on the buffered bytes; ok is false when the line's
// end is not buffered yet.
func (s *csvScanner) scanLine(quoted bool) (line []byte, ok bool) {
	lf := s.next(&s.lf, '\n')
	rest := s.buf[s.pos:s.end]
	stop := lf - s.pos
	for from := 0; ; {
		cr := bytes.IndexByte(rest[from:stop], '\r')
		if cr < 0 {
			break
		}
		cr += from
		if cr+1 == stop && stop < len(rest) {
			break // CRLF
		}
		if cr+1 == len(rest) && !s.eof {
			return nil, false
		}
		if bytes.Count(rest[from:cr], quoteByte)%2 == 1 {
			quoted = !quoted
		}
		if !quoted {
			rest[cr] = '\n'
			s.pos += cr + 1
			return rest[:cr+1], true
		}
		s.dataCRs = append(s.dataCRs, s.numLine+s.offset)
		from = cr + 1
	}
	switch {
	case stop < len(rest) && stop > 0 && rest[stop-1] == '\r':
		rest[stop-1] = '\n'
		s.pos += stop + 1
		return rest[:stop], true
	case stop < len(rest):
		s.pos += stop + 1
		return rest[:stop+1], true
	case !s.eof:
		return nil, false
	}
	if len(rest) == 0 {
		return nil, true
	}
	s.pos = s.end
	if n := len(rest); rest[n-1] == '\r' {
		rest = rest[:n-1] // encoding/csv drops a CR at the very end
	}
	return rest, true
}

// lengthNL is 1 when b ends with an LF.
func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// StartLine is the line, as an editor counts lines, where the record last
// read starts.
func (s *csvScanner) StartLine() int { return s.EditorLine(s.recLine) }

// EditorLine maps a line counted as encoding/csv counts them (in a
// *csv.ParseError, say) to the line an editor shows, where a lone CR kept
// as data also starts a line, and the "sep=" line counts.
func (s *csvScanner) EditorLine(line int) int {
	line += s.offset
	n := line + s.shift
	for _, l := range s.dataCRs {
		if l < line {
			n++
		}
	}
	return n
}

// NULSeen reports whether a NUL byte has been read so far.
func (s *csvScanner) NULSeen() bool { return s.nul }

// fieldPos is where a field starts, as encoding/csv counts: a line and a
// 1-based byte column.
type fieldPos struct{ line, col int }

// quotedRecord reads a record whose first line holds a quote byte the way
// encoding/csv's readRecord does (LazyQuotes off), line by line from
// readLine, into one string for all of its fields.
func (s *csvScanner) quotedRecord() ([]string, error) {
	line, errRead := s.readLine(false)
	for errRead == nil && len(line) == lengthNL(line) {
		line, errRead = s.readLine(false) // skip empty lines
	}
	if errRead != nil {
		return nil, errRead
	}
	s.recLine = s.numLine
	s.recBuf, s.ends, s.spans, s.copied = s.recBuf[:0], s.ends[:0], s.spans[:0], false
	first := line
	pos := fieldPos{line: s.numLine, col: 1}
	var err error
	for more := true; more && err == nil; {
		if s.trim {
			i := leadingSpace(line)
			if i == len(line) {
				pos.col -= lengthNL(line)
			}
			line = line[i:]
			pos.col += i
		}
		if len(line) == 0 || line[0] != '"' {
			line, more, err = s.plainField(line, &pos)
		} else {
			line, more, err = s.quotedField(line, &pos, &errRead)
		}
	}
	if err == nil {
		err = errRead
	}
	if err != nil {
		return nil, err
	}
	if !s.copied {
		return s.sliceSpans(first), nil
	}
	return s.splitRecBuf(), nil
}

// at is the position in buf of the start of b, a part of buf.
func (s *csvScanner) at(b []byte) int { return cap(s.buf) - cap(b) }

// plainField appends the unquoted field at the start of line; more says
// whether a delimiter follows it.
func (s *csvScanner) plainField(line []byte, pos *fieldPos) (rest []byte, more bool, err error) {
	i := s.indexDelim(line)
	field := line
	if i >= 0 {
		field = field[:i]
	} else {
		field = field[:len(field)-lengthNL(field)]
	}
	if j := bytes.IndexByte(field, '"'); j >= 0 {
		return nil, false, &csv.ParseError{StartLine: s.recLine, Line: s.numLine, Column: pos.col + j, Err: csv.ErrBareQuote}
	}
	s.recBuf = append(s.recBuf, field...)
	s.ends = append(s.ends, len(s.recBuf))
	s.spans = append(s.spans, s.at(field), s.at(field)+len(field))
	if i < 0 {
		return nil, false, nil
	}
	pos.col += i + len(s.delim)
	return line[i+len(s.delim):], true, nil
}

// quotedField appends the quoted field at the start of line, reading
// further lines while it is open; more says whether a delimiter follows.
func (s *csvScanner) quotedField(line []byte, pos *fieldPos, errRead *error) (rest []byte, more bool, err error) {
	line = line[1:]
	pos.col++
	start := s.at(line)
	for {
		i := bytes.IndexByte(line, '"')
		switch {
		case i >= 0:
			s.recBuf = append(s.recBuf, line[:i]...)
			line = line[i+1:]
			pos.col += i + 1
			switch {
			case len(line) > 0 && line[0] == '"': // a doubled quote
				s.recBuf = append(s.recBuf, '"')
				s.copied = true
				line = line[1:]
				pos.col++
			case bytes.HasPrefix(line, s.delim):
				s.ends = append(s.ends, len(s.recBuf))
				s.spans = append(s.spans, start, s.at(line)-1)
				pos.col += len(s.delim)
				return line[len(s.delim):], true, nil
			case lengthNL(line) == len(line):
				s.ends = append(s.ends, len(s.recBuf))
				s.spans = append(s.spans, start, s.at(line)-1)
				return nil, false, nil
			default:
				return nil, false, &csv.ParseError{StartLine: s.recLine, Line: s.numLine, Column: pos.col - 1, Err: csv.ErrQuote}
			}
		case len(line) > 0: // the field goes on past the line's end
			s.recBuf = append(s.recBuf, line...)
			s.copied = true
			if *errRead != nil {
				return nil, false, nil
			}
			pos.col += len(line)
			line, *errRead = s.readLine(true)
			if len(line) > 0 {
				pos.line++
				pos.col = 1
			}
			if *errRead == io.EOF {
				*errRead = nil
			}
		default: // the text ends inside the field
			if *errRead == nil {
				return nil, false, &csv.ParseError{StartLine: s.recLine, Line: pos.line, Column: pos.col, Err: csv.ErrQuote}
			}
			s.ends = append(s.ends, len(s.recBuf))
			s.copied = true
			return nil, false, nil
		}
	}
}

// sliceSpans makes the fields of quotedRecord when each is a span of its
// one line, unchanged: slices of the current block of lines.
func (s *csvScanner) sliceSpans(line []byte) []string {
	from := s.at(line)
	text := s.blockText(from, from+len(line))
	rec := s.rec[:0]
	for i := 0; i < len(s.spans); i += 2 {
		rec = append(rec, text[s.spans[i]-from:s.spans[i+1]-from])
	}
	s.rec = rec
	return rec
}

// splitRecBuf makes the fields of quotedRecord: one string, sliced.
func (s *csvScanner) splitRecBuf() []string {
	str := string(s.recBuf)
	rec := s.rec[:0]
	from := 0
	for _, to := range s.ends {
		rec = append(rec, str[from:to])
		from = to
	}
	s.rec = rec
	return rec
}
