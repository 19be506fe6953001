package intake

import (
	"bytes"
	"io"
	"strings"
)

// lineEnds makes CR, LF and CRLF all line ends for encoding/csv, which
// only knows LF and CRLF and would otherwise keep a lone CR (an old Mac
// export, a hand edit) as data, merging the next line into the last cell.
//
// It rewrites, in the decoded text, every carriage return that is not
// followed by a line feed and lies outside a quoted field into a line
// feed. A lone CR inside quotes stays data; it is remembered, because a
// text editor shows it as a line break, so the rows after it still get
// the line numbers a person sees. It also notes whether the text holds a
// NUL byte, so the per-cell NUL check runs only for the files that need it.
//
// Quote state is the parity of the double quotes read so far: in valid CSV
// a quote either opens or closes a quoted field or is one of a doubled pair
// inside one, so the parity is odd exactly inside quoted fields. (A bare
// quote in an unquoted field is refused by encoding/csv anyway.)
type lineEnds struct {
	r      io.Reader
	buf    []byte
	out    []byte // processed bytes not yet returned
	held   bool   // the last byte read was a CR whose successor is not known yet
	err    error  // what ended r, returned once out is drained
	quoted bool   // inside a quoted field after the processed bytes
	lines  int    // line feeds in the processed bytes
	nul    bool   // a NUL byte has been seen

	dataCRs []int // lines (1-based, counted in LFs) holding a lone CR kept as data, in order
	shift   int   // data CRs before the last line asked about
}

const lineEndsBufSize = 64 << 10

func newLineEnds(r io.Reader) *lineEnds {
	return &lineEnds{r: r, buf: make([]byte, lineEndsBufSize)}
}

// Read returns the text with lone CRs outside quotes turned into LFs.
func (l *lineEnds) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		l.fill()
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// fill reads the next chunk and rewrites it in place.
func (l *lineEnds) fill() {
	start := 0
	if l.held {
		l.buf[0], start = '\r', 1
	}
	n, err := l.r.Read(l.buf[start:])
	b := l.buf[:start+n]
	l.held = false
	if err != nil {
		l.err = err
	} else if len(b) > 0 && b[len(b)-1] == '\r' {
		// Whether it is a CRLF depends on the next byte: keep it back.
		l.held, b = true, b[:len(b)-1]
	}
	if !l.nul && bytes.IndexByte(b, 0) >= 0 {
		l.nul = true
	}
	l.rewrite(b)
	l.out = b
}

var (
	quoteByte = []byte{'"'}
	lfByte    = []byte{'\n'}
)

// rewrite turns the lone CRs of b that lie outside quotes into LFs and
// advances the quote and line state past b.
func (l *lineEnds) rewrite(b []byte) {
	from := 0 // b[:from] is already counted
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			break
		}
		i += j
		if i+1 < len(b) && b[i+1] == '\n' {
			i++
			continue
		}
		l.count(b[from:i])
		from = i
		if l.quoted {
			l.dataCRs = append(l.dataCRs, l.lines+1)
		} else {
			b[i] = '\n' // counted with the next stretch
		}
	}
	l.count(b[from:])
}

func (l *lineEnds) count(b []byte) {
	if bytes.Count(b, quoteByte)%2 == 1 {
		l.quoted = !l.quoted
	}
	l.lines += bytes.Count(b, lfByte)
}

// visualLine maps a line number counted in LFs, as encoding/csv counts
// them, to the line a text editor shows, where a lone CR kept as data also
// starts a line. Calls must come in non-decreasing order of line.
func (l *lineEnds) visualLine(line int) int {
	for len(l.dataCRs) > 0 && l.dataCRs[0] < line {
		l.shift++
		l.dataCRs = l.dataCRs[1:]
	}
	return line + l.shift
}

// normaliseLineEnds applies lineEnds to a whole text in memory.
func normaliseLineEnds(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	b, _ := io.ReadAll(newLineEnds(strings.NewReader(s)))
	return string(b)
}
