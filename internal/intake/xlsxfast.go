package intake

import "bytes"

// fastCells turns on readCells' shortcut for the usual cell; tests turn
// it off to compare with the token path.
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
	if !fastCells || sc.atTag {
		return slot, false, nil
	}
	b, _ := sc.r.Peek(fastCellPeek) // fewer bytes near the end: fine
	i := 0
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	if !bytes.HasPrefix(b[i:], []byte("<c")) {
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
	_, _ = sc.r.Discard(i) // never fails: the bytes were peeked
	sc.offset += int64(i)
	return slot, true, nil
}

// plainValue matches "<v>text</v></c>" (a stored value) or
// "<is><t>text</t></is></c>" (an inline string, as excelize's stream
// writer and other programs write text) at the start of b, where text has
// no '&' (an entity), no CR (line ends XML normalises) and, in a string,
// no "_x" (Office's _xHHHH_ escapes); it returns its length and the text.
func plainValue(b []byte) (n int, text []byte, ok bool) {
	for _, form := range plainForms {
		if !bytes.HasPrefix(b, []byte(form.open)) {
			continue
		}
		rest := b[len(form.open):]
		lt := bytes.IndexByte(rest, '<')
		if lt < 0 || !bytes.HasPrefix(rest[lt:], []byte(form.close)) {
			return 0, nil, false
		}
		text = rest[:lt]
		if bytes.IndexByte(text, '&') >= 0 || bytes.IndexByte(text, '\r') >= 0 ||
			(form.xstring && bytes.Contains(text, []byte("_x"))) {
			return 0, nil, false
		}
		return len(form.open) + lt + len(form.close), text, true
	}
	return 0, nil, false
}

// plainForms are the cell contents fastCell reads.
var plainForms = []struct {
	open, close string
	xstring     bool // the text may carry _xHHHH_ escapes
}{
	{"<v>", "</v></c>", false},
	{"<is><t>", "</t></is></c>", true},
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
