package intake

import "bytes"

// fastCells turns on the shortcuts for the usual cell and shared string;
// tests turn it off to compare with the token path.
var fastCells = true

// fastCellPeek is how far ahead fastCell looks: a usual cell is well
// under 200 bytes; a longer one takes the token path.
const fastCellPeek = 512

// fastCell reads the cell Excel and most writers emit —
// <c r="B7" s="3" t="s"><v>text</v></c>, <c t="inlineStr"><is><t>text</t></is></c>
// or <c .../> — straight from the scanner's buffer, without a token per
// tag. col is the column the cell has if it names none. It reports false
// and consumes nothing for anything else (a prefix, a formula, rich or
// escaped text, an entity or a carriage return in the value, white space
// between tags, a cell longer than fastCellPeek), which readCells then
// reads token by token with the same result.
func (r *xlsxRows) fastCell(col int) (slot cellSlot, ok bool, err error) {
	sc := r.sc
	b, i, ready := sc.peekAhead()
	if !ready || !bytes.HasPrefix(b[i:], []byte("<c")) {
		return slot, false, nil
	}
	i += len("<c")
	gt := bytes.IndexByte(b[i:], '>')
	if gt < 0 {
		return slot, false, nil
	}
	attrs := b[i : i+gt]
	i += gt + 1
	selfClosing := len(attrs) > 0 && attrs[len(attrs)-1] == '/'
	if selfClosing {
		attrs = attrs[:len(attrs)-1]
	}
	if len(attrs) > 0 && !isXMLSpace(attrs[0]) || !plainAttributes(attrs) || openQuote(attrs, 0) != 0 {
		return slot, false, nil // another element (<col ...>) or unusual attributes
	}
	start := len(r.buf)
	if !selfClosing {
		n, text, ok := plainValue(b[i:])
		if !ok {
			return slot, false, nil
		}
		i += n
		r.buf = append(r.buf, text...)
	}
	if slot, err = cellStart(attrs, col); err != nil {
		r.buf = r.buf[:start]
		return slot, false, err
	}
	slot.start, slot.end = start, len(r.buf)
	sc.consume(i)
	return slot, true, nil
}

// plainValue matches "<v>text</v></c>" (a stored value) or
// "<is><t>text</t></is></c>" (an inline string, as excelize's stream
// writer and other programs write text) at the start of b (see
// plainForm.match); it returns its length and the text.
func plainValue(b []byte) (n int, text []byte, ok bool) {
	for _, form := range cellForms {
		if bytes.HasPrefix(b, []byte(form.open)) {
			return form.match(b)
		}
	}
	return 0, nil, false
}

// plainForm is an element holding nothing but plain text.
type plainForm struct {
	open, close string
	xstring     bool // the text may carry Office's _xHHHH_ escapes
}

var (
	cellForms = []plainForm{{"<v>", "</v></c>", false}, {"<is><t>", "</t></is></c>", true}}
	// sharedStringForm is a shared string without runs or attributes.
	sharedStringForm = plainForm{"<si><t>", "</t></si>", true}
)

// match matches the form at the start of b where its text has no '&'
// (an entity), no CR (line ends XML normalises) and, for an xstring, no
// "_x" — text the token path would change. It returns the length matched
// and the text.
func (f plainForm) match(b []byte) (n int, text []byte, ok bool) {
	if !bytes.HasPrefix(b, []byte(f.open)) {
		return 0, nil, false
	}
	rest := b[len(f.open):]
	lt := bytes.IndexByte(rest, '<')
	if lt < 0 || !bytes.HasPrefix(rest[lt:], []byte(f.close)) {
		return 0, nil, false
	}
	text = rest[:lt]
	if bytes.IndexByte(text, '&') >= 0 || bytes.IndexByte(text, '\r') >= 0 ||
		(f.xstring && bytes.Contains(text, []byte("_x"))) {
		return 0, nil, false
	}
	return len(f.open) + lt + len(f.close), text, true
}

// takePlain reads the form, after any white space, straight from the
// scanner's buffer, appending its text to dst; it reports false and
// consumes nothing when what follows is anything else.
func (s *xmlScanner) takePlain(f plainForm, dst []byte) ([]byte, bool) {
	b, i, ready := s.peekAhead()
	if !ready {
		return dst, false
	}
	n, text, ok := f.match(b[i:])
	if !ok {
		return dst, false
	}
	dst = append(dst, text...)
	s.consume(i + n)
	return dst, true
}

// peekAhead returns, for the shortcuts, up to fastCellPeek bytes of
// input not consumed yet (fewer near the end) and the index of the first
// that is not white space; ready is false when the shortcuts are off or
// a '<' was consumed already.
func (s *xmlScanner) peekAhead() (b []byte, i int, ready bool) {
	if !fastCells || s.atTag {
		return nil, 0, false
	}
	b, _ = s.r.Peek(fastCellPeek)
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	return b, i, true
}

// consume drops n peeked bytes.
func (s *xmlScanner) consume(n int) {
	_, _ = s.r.Discard(n) // never fails: the bytes were peeked
	s.offset += int64(n)
}

// plainAttributes reports whether a tag's attribute text holds only
// names, simple values and white space: nothing (such as a '<' or '&')
// that the token path treats specially. (A quote left open, meaning a
// '>' inside a value, is caught by openQuote.)
func plainAttributes(attrs []byte) bool {
	for _, c := range attrs {
		if !plainAttrByte[c] {
			return false
		}
	}
	return true
}

var plainAttrByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range " \t\n\r=\"'-_.:" {
		t[c] = true
	}
	return t
}()
