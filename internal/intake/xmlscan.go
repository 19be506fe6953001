package intake

// A small pull scanner for the XML of worksheet and shared-string parts.
//
// excelize's own row iterator (Rows/Columns) decodes through encoding/xml and
// hands back only the cell text, without each cell's type and style, and
// reads a 100,000-row sheet at about 15 MB/s (5-6 s on this machine). The
// sheetData of a worksheet is a tiny, regular subset of XML, so this scanner
// reads it straight from a bufio.Reader: tags, attributes, character data,
// CDATA, comments and processing instructions, the five predefined entities
// and character references. It never builds a tree; callers walk the tokens.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokStart
	tokEnd
	tokText
)

// errXML marks malformed XML in a workbook part.
var errXML = errors.New("malformed XML")

// xmlScanner yields one token at a time. name, attrs and text point into
// the reader's buffer and are valid only until the next call to next.
type xmlScanner struct {
	r           *bufio.Reader
	acc         []byte // a token longer than the reader's buffer
	tag         []byte // a start tag whose attribute values contain '>'
	kind        tokenKind
	name        []byte // local name (prefix removed) of a start or end tag
	attrs       []byte // raw attribute text of a start tag
	selfClosing bool
	text        []byte // character data: raw, or literal when cdata
	cdata       bool
	atTag       bool  // a '<' has been consumed and its tag not yet read
	offset      int64 // bytes consumed, for error messages
}

// newXMLScanner reads a part from r. Excel writes UTF-8; a part written
// in UTF-16 (it starts with a byte-order mark) is decoded on the way.
func newXMLScanner(r io.Reader) *xmlScanner { return newXMLScannerSize(r, 256<<10) }

// newXMLScannerSize is newXMLScanner with a buffer of the given size.
func newXMLScannerSize(r io.Reader, size int) *xmlScanner {
	br := bufio.NewReaderSize(r, size)
	if bom, err := br.Peek(2); err == nil && (string(bom) == "\xff\xfe" || string(bom) == "\xfe\xff") {
		br = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), size)
	}
	return &xmlScanner{r: br}
}

func (s *xmlScanner) syntaxError(what string) error {
	return fmt.Errorf("%w: %s near byte %d", errXML, what, s.offset)
}

// readUntil returns the bytes before the next delim and consumes delim.
// found is false at the end of input, with everything that was left.
func (s *xmlScanner) readUntil(delim byte) (data []byte, found bool, err error) {
	line, err := s.r.ReadSlice(delim)
	if err == bufio.ErrBufferFull {
		s.acc = append(s.acc[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.r.ReadSlice(delim)
			s.acc = append(s.acc, line...)
		}
		line = s.acc
	}
	s.offset += int64(len(line))
	switch {
	case err == nil:
		return line[:len(line)-1], true, nil
	case err == io.EOF:
		return line, false, nil
	default:
		return nil, false, err
	}
}

// skipPast consumes input up to and including the terminator (e.g. "-->").
func (s *xmlScanner) skipPast(term string) error {
	last, want := term[len(term)-1], []byte(term[:len(term)-1])
	var carry []byte // the bytes before the current chunk that may start the terminator
	for {
		data, found, err := s.readUntil(last)
		if err != nil {
			return err
		}
		if !found {
			return s.syntaxError("unterminated " + term)
		}
		carry = append(carry, data...)
		if bytes.HasSuffix(carry, want) {
			return nil
		}
		carry = append(carry, last)
		if len(carry) > len(want) {
			carry = carry[len(carry)-len(want):]
		}
	}
}

// next reads the next token. Character data is only returned when
// wantText is set; otherwise it is skipped without copying.
func (s *xmlScanner) next(wantText bool) error {
	for {
		if !s.atTag {
			data, found, err := s.readUntil('<')
			if err != nil {
				return err
			}
			s.atTag = found
			if wantText && len(data) > 0 {
				s.kind, s.text, s.cdata = tokText, data, false
				return nil
			}
			if !found {
				s.kind = tokEOF
				return nil
			}
		}
		s.atTag = false
		c, err := s.r.ReadByte()
		if err != nil {
			return s.syntaxError("unterminated tag")
		}
		s.offset++
		switch c {
		case '/':
			data, found, err := s.readUntil('>')
			if err != nil {
				return err
			}
			if !found {
				return s.syntaxError("unterminated end tag")
			}
			s.kind, s.name = tokEnd, localName(trimXMLSpace(data))
			return nil
		case '?':
			if err := s.skipPast("?>"); err != nil {
				return err
			}
		case '!':
			isText, err := s.readDeclaration()
			if err != nil {
				return err
			}
			if isText && wantText {
				return nil
			}
		default:
			if err := s.r.UnreadByte(); err != nil {
				return err
			}
			s.offset--
			return s.readStartTag()
		}
	}
}

// readDeclaration reads what follows "<!": a comment, a CDATA section (a
// text token; reports true) or a DOCTYPE-like declaration, which is skipped.
func (s *xmlScanner) readDeclaration() (bool, error) {
	head, err := s.r.Peek(2)
	if err == nil && string(head) == "--" {
		s.r.Discard(2)
		s.offset += 2
		return false, s.skipPast("-->")
	}
	head, err = s.r.Peek(7)
	if err == nil && string(head) == "[CDATA[" {
		s.r.Discard(7)
		s.offset += 7
		var text []byte
		for {
			data, found, err := s.readUntil('>')
			if err != nil {
				return false, err
			}
			if !found {
				return false, s.syntaxError("unterminated CDATA section")
			}
			text = append(text, data...)
			if bytes.HasSuffix(text, []byte("]]")) {
				s.kind, s.text, s.cdata = tokText, text[:len(text)-2], true
				return true, nil
			}
			text = append(text, '>')
		}
	}
	// <!DOCTYPE ...> and friends, possibly with an internal subset in [...].
	depth := 0
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return false, s.syntaxError("unterminated declaration")
		}
		s.offset++
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				return false, nil
			}
		}
	}
}

// readStartTag reads "name attr='v' ...>" after a '<'. A '>' inside a
// quoted attribute value does not end the tag.
func (s *xmlScanner) readStartTag() error {
	data, found, err := s.readUntil('>')
	if err != nil {
		return err
	}
	if !found {
		return s.syntaxError("unterminated start tag")
	}
	if q := openQuote(data, 0); q != 0 {
		s.tag = append(s.tag[:0], data...)
		for q != 0 {
			s.tag = append(s.tag, '>')
			from := len(s.tag)
			more, found, err := s.readUntil('>')
			if err != nil {
				return err
			}
			if !found {
				return s.syntaxError("unterminated attribute value")
			}
			s.tag = append(s.tag, more...)
			q = openQuote(s.tag[from:], q)
		}
		data = s.tag
	}
	s.selfClosing = len(data) > 0 && data[len(data)-1] == '/'
	if s.selfClosing {
		data = data[:len(data)-1]
	}
	end := 0
	for end < len(data) && !isXMLSpace(data[end]) {
		end++
	}
	if end == 0 {
		return s.syntaxError("tag without a name")
	}
	s.kind, s.name, s.attrs = tokStart, localName(data[:end]), data[end:]
	return nil
}

// openQuote returns the quote character still open at the end of b, given
// the one open at its start (0 for none).
func openQuote(b []byte, open byte) byte {
	for _, c := range b {
		switch {
		case open == 0 && (c == '"' || c == '\''):
			open = c
		case c == open:
			open = 0
		}
	}
	return open
}

// trimXMLSpace drops trailing XML white space.
func trimXMLSpace(b []byte) []byte {
	for len(b) > 0 && isXMLSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName drops a namespace prefix: "x:row" → "row".
func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// attr returns the raw value of the unprefixed attribute name in attrs.
func attr(attrs []byte, name string) ([]byte, bool) {
	it := attrIter{rest: attrs}
	for {
		key, val, ok := it.next()
		if !ok {
			return nil, false
		}
		if string(key) == name {
			return val, true
		}
	}
}

// attrIter walks the attributes of a start tag in one pass, so a cell's
// r, t and s are found without scanning its tag three times. It stops at
// the end or at the first malformed attribute.
type attrIter struct{ rest []byte }

// next returns the next attribute's name and raw value.
func (it *attrIter) next() (key, val []byte, ok bool) {
	attrs := it.rest
	i := 0
	for i < len(attrs) && isXMLSpace(attrs[i]) {
		i++
	}
	attrs = attrs[i:]
	eq := bytes.IndexByte(attrs, '=')
	if eq < 0 {
		return nil, nil, false
	}
	key = trimXMLSpace(attrs[:eq])
	rest := attrs[eq+1:]
	i = 0
	for i < len(rest) && isXMLSpace(rest[i]) {
		i++
	}
	if i >= len(rest) || (rest[i] != '"' && rest[i] != '\'') {
		return nil, nil, false
	}
	q := rest[i]
	rest = rest[i+1:]
	end := bytes.IndexByte(rest, q)
	if end < 0 {
		return nil, nil, false
	}
	it.rest = rest[end+1:]
	return key, rest[:end], true
}

// skipElement consumes the rest of the element whose start tag was just
// read, children included.
func (s *xmlScanner) skipElement() error {
	if s.selfClosing {
		return nil
	}
	for depth := 1; depth > 0; {
		if err := s.next(false); err != nil {
			return err
		}
		switch s.kind {
		case tokStart:
			if !s.selfClosing {
				depth++
			}
		case tokEnd:
			depth--
		case tokEOF:
			return s.syntaxError("unexpected end of part")
		}
	}
	return nil
}

// appendText appends the current text token to dst, decoding entities and
// character references and normalising line ends as XML requires.
func (s *xmlScanner) appendText(dst []byte) []byte {
	raw := s.text
	if s.cdata {
		return appendNormalisedLines(dst, raw)
	}
	if bytes.IndexByte(raw, '&') < 0 {
		return appendNormalisedLines(dst, raw)
	}
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			return appendNormalisedLines(dst, raw)
		}
		dst = appendNormalisedLines(dst, raw[:amp])
		raw = raw[amp:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			dst = append(dst, '&')
			raw = raw[1:]
			continue
		}
		if r, ok := entity(raw[1:semi]); ok {
			dst = utf8.AppendRune(dst, r)
		} else {
			dst = append(dst, raw[:semi+1]...)
		}
		raw = raw[semi+1:]
	}
	return dst
}

// appendNormalisedLines appends b with "\r\n" and lone "\r" turned into "\n".
func appendNormalisedLines(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' || name[1] == 'X' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// appendStringItem appends the text of a shared-string item (<si>) or an
// inline string (<is>) whose start tag was just read: the <t> directly
// inside it or inside its rich-text runs (<r>), never the phonetic
// (<rPh>) reading.
func (s *xmlScanner) appendStringItem(dst []byte) ([]byte, error) {
	if s.selfClosing {
		return dst, nil
	}
	start := len(dst)
	inText := false
	for depth := 1; ; {
		if err := s.next(inText); err != nil {
			return dst, err
		}
		switch s.kind {
		case tokText:
			dst = s.appendText(dst)
		case tokStart:
			switch {
			case string(s.name) == "rPh":
				if err := s.skipElement(); err != nil {
					return dst, err
				}
			case s.selfClosing:
			case string(s.name) == "t":
				inText = true
				depth++
			default:
				depth++
			}
		case tokEnd:
			inText = false
			if depth--; depth == 0 {
				return dst[:start+len(unescapeXstring(dst[start:]))], nil
			}
		case tokEOF:
			return dst, s.syntaxError("unexpected end of part inside a string")
		}
	}
}

// unescapeXstring decodes the _xHHHH_ escapes Office writes for characters
// XML cannot carry (ECMA-376 ST_Xstring), in place: the result is dst's
// prefix.
func unescapeXstring(dst []byte) []byte {
	if bytes.Index(dst, []byte("_x")) < 0 {
		return dst
	}
	out := dst[:0]
	for i := 0; i < len(dst); {
		if dst[i] == '_' && i+6 < len(dst) && dst[i+1] == 'x' && dst[i+6] == '_' {
			if n, err := strconv.ParseUint(string(dst[i+2:i+6]), 16, 16); err == nil {
				out = utf8.AppendRune(out, rune(n))
				i += 7
				continue
			}
		}
		out = append(out, dst[i])
		i++
	}
	return out
}
