package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A data sheet's rows are encoded here rather than through excelize's
// StreamWriter.SetRow, which allocates a cell reference, a cell struct and
// several strings per cell and runs a regular expression over every text:
// two thirds of the report's time for a 100k-row sheet. The XML is the
// one SetRow writes (rowxml_test.go compares the two), except that a cell
// right after the previous cell of its row has no reference (r="B7"): the
// standard makes it optional, and Office places such a cell in the next
// column ([MS-OI29500] 2.1.590), as excelize and intake read it too. The
// references, their row number repeated in every cell, were a fifth of a
// sheet's XML and two fifths of it compressed; without them compressing a
// sheet takes a third less time. The StreamWriter still writes everything
// around the rows (the header row keeps its references).

// cellKind is what a cell holds.
type cellKind uint8

const (
	cellEmpty  cellKind = iota // not written
	cellBlank                  // no value, only a style (a marked empty cell)
	cellInt                    // num
	cellNum                    // text is the number as written (an unsigned)
	cellDigits                 // text is a plain whole number, written as it is
	cellBool                   // num is 1 or 0
	cellString                 // text, written inline
)

// cellOut is one cell of a row being encoded.
type cellOut struct {
	kind  cellKind
	style int
	num   int64
	text  string
}

// display is the cell's value as a person reads it (to count its lines).
func (c cellOut) display() string {
	switch c.kind {
	case cellInt:
		return strconv.FormatInt(c.num, 10)
	case cellBool:
		if c.num != 0 {
			return "TRUE"
		}
		return "FALSE"
	}
	return c.text
}

// inputCell is how an input cell's text goes into the sheet: a plain
// whole number that Excel shows in full (no leading zero, at most 11
// characters) as a number, so it looks as in the input and gets no
// "number stored as text" flag; anything else as text, exactly. Such a
// number is written as its own text: parsing and formatting it again
// gives the same digits.
func inputCell(text string) cellOut {
	if plainWholeNumber(text) {
		return cellOut{kind: cellDigits, text: text}
	}
	return cellOut{kind: cellString, text: cellText(text)}
}

// plainWholeNumber tells a whole number of at most 11 characters, an
// optional minus and digits, without a leading zero ("0" itself is one,
// "-0" is not).
func plainWholeNumber(text string) bool {
	if len(text) > 11 {
		return false
	}
	digits := text
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" || digits[0] == '0' && len(text) > 1 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// valueCell is the cell of an extra column's value, as excelize writes
// that value; ok is false for nothing to write (nil, ""). Values are text,
// integers and booleans; anything else is written as its text.
func valueCell(v any) (c cellOut, ok bool) {
	switch x := v.(type) {
	case nil:
		return c, false
	case string:
		if x == "" {
			return c, false
		}
		return cellOut{kind: cellString, text: cellText(x)}, true
	case int:
		return cellOut{kind: cellInt, num: int64(x)}, true
	case int8:
		return cellOut{kind: cellInt, num: int64(x)}, true
	case int16:
		return cellOut{kind: cellInt, num: int64(x)}, true
	case int32:
		return cellOut{kind: cellInt, num: int64(x)}, true
	case int64:
		return cellOut{kind: cellInt, num: x}, true
	case uint:
		return cellOut{kind: cellNum, text: strconv.FormatUint(uint64(x), 10)}, true
	case uint8:
		return cellOut{kind: cellNum, text: strconv.FormatUint(uint64(x), 10)}, true
	case uint16:
		return cellOut{kind: cellNum, text: strconv.FormatUint(uint64(x), 10)}, true
	case uint32:
		return cellOut{kind: cellNum, text: strconv.FormatUint(uint64(x), 10)}, true
	case uint64:
		return cellOut{kind: cellNum, text: strconv.FormatUint(x, 10)}, true
	case bool:
		if x {
			return cellOut{kind: cellBool, num: 1}, true
		}
		return cellOut{kind: cellBool}, true
	}
	return cellOut{kind: cellString, text: cellText(fmt.Sprint(v))}, true
}

// maxRowHeight is the tallest row Excel allows, in points.
const maxRowHeight = 409

// appendRow appends row number num with its cells (names: the column
// letters) and, when height > 0, its height. A cell after an empty one,
// or the first cell when not in column A, names its column and row.
func appendRow(buf []byte, num int, height float64, names []string, cells []cellOut) []byte {
	var digits [20]byte
	row := strconv.AppendInt(digits[:0], int64(num), 10) // once, for every cell reference
	next := 0                                            // the column a cell without a reference is in
	buf = append(buf, `<row r="`...)
	buf = append(buf, row...)
	buf = append(buf, '"')
	if height > 0 {
		buf = append(buf, ` ht="`...)
		buf = strconv.AppendFloat(buf, min(height, maxRowHeight), 'f', -1, 64)
		buf = append(buf, `" customHeight="1"`...)
	}
	buf = append(buf, '>')
	for i, c := range cells {
		if c.kind == cellEmpty {
			continue
		}
		buf = append(buf, `<c`...)
		if i != next {
			buf = append(buf, ` r="`...)
			buf = append(buf, names[i]...)
			buf = append(buf, row...)
			buf = append(buf, '"')
		}
		next = i + 1
		if c.style != 0 {
			buf = append(buf, ` s="`...)
			buf = strconv.AppendInt(buf, int64(c.style), 10)
			buf = append(buf, '"')
		}
		switch c.kind {
		case cellBlank:
			buf = append(buf, `>`...)
		case cellInt:
			buf = append(buf, `><v>`...)
			buf = strconv.AppendInt(buf, c.num, 10)
			buf = append(buf, `</v>`...)
		case cellNum:
			buf = append(buf, `><v>`...)
			buf = appendEscaped(buf, c.text)
			buf = append(buf, `</v>`...)
		case cellDigits: // digits and a minus: nothing to escape
			buf = append(buf, `><v>`...)
			buf = append(buf, c.text...)
			buf = append(buf, `</v>`...)
		case cellBool:
			buf = append(buf, ` t="b"><v>`...)
			buf = strconv.AppendInt(buf, c.num, 10)
			buf = append(buf, `</v>`...)
		case cellString:
			buf = appendInlineText(buf, c.text)
		}
		buf = append(buf, `</c>`...)
	}
	return append(buf, `</row>`...)
}

// excelCellUnits is the most UTF-16 units excelize keeps of a text.
const excelCellUnits = 32767

// appendInlineText appends the type and inline string of a text cell:
// spaces kept when the text begins or ends with one, XML-escaped (a line
// break stays a line break) and with text that reads as an escaped
// character (_x0041_) escaped itself.
func appendInlineText(buf []byte, text string) []byte {
	if len(text) > excelCellUnits {
		text = truncateUnits(text, excelCellUnits)
	}
	buf = append(buf, ` t="inlineStr"><is><t`...)
	if text != "" && (spaceByte(text[0]) || spaceByte(text[len(text)-1])) {
		buf = append(buf, ` xml:space="preserve"`...)
	}
	buf = append(buf, '>')
	start := len(buf)
	buf, underX := escape(buf, text)
	if underX { // escaping neither makes nor breaks an "_x"
		escaped := bstrMarshal(string(buf[start:]))
		buf = append(buf[:start], escaped...)
	}
	return append(buf, `</t></is>`...)
}

func spaceByte(b byte) bool { return b == '\t' || b == '\n' || b == '\r' || b == ' ' }

// appendEscaped appends text escaped as encoding/xml's EscapeText does
// (a character XML cannot hold, or a byte that is not UTF-8, becomes
// U+FFFD), except that a line break stays as it is, as excelize keeps it.
func appendEscaped(buf []byte, text string) []byte {
	buf, _ = escape(buf, text)
	return buf
}

// escape is appendEscaped that also tells whether text holds "_x" (which
// may read as an escaped character).
func escape(buf []byte, text string) (_ []byte, underX bool) {
	last := 0
	for i := 0; i < len(text); {
		i = plainRun(text, i)
		if i == len(text) {
			break
		}
		c := text[i]
		var esc string
		width := 1
		switch c {
		case '_':
			underX = underX || i+1 < len(text) && text[i+1] == 'x'
			i++
			continue
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			i++
			continue
		case '\r':
			esc = "&#xD;"
		default:
			var r rune
			r, width = utf8.DecodeRuneInString(text[i:])
			if xmlChar(r) && !(r == utf8.RuneError && width == 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		buf = append(buf, text[last:i]...)
		buf = append(buf, esc...)
		i += width
		last = i
	}
	return append(buf, text[last:]...), underX
}

// plainRun returns the index of the first byte from i on that is not
// plain (len(text) if none), looking at four bytes a step: most text is
// plain, and this loop is most of the time spent escaping it.
func plainRun(text string, i int) int {
	for ; i+4 <= len(text); i += 4 {
		t := text[i : i+4]
		if !(plainByte[t[0]] && plainByte[t[1]] && plainByte[t[2]] && plainByte[t[3]]) {
			break
		}
	}
	for i < len(text) && plainByte[text[i]] {
		i++
	}
	return i
}

// xmlChar tells the characters XML 1.0 can hold.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// plainByte tells the bytes that escape copies without a second look:
// ASCII from space to tilde but " & ' < > and _ (which may begin "_x").
var plainByte = func() (t [256]bool) {
	for c := ' '; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`"&'<>_`, c)
	}
	return t
}()

// truncateUnits keeps the first n UTF-16 units of s.
func truncateUnits(s string, n int) string {
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > n {
			return s[:i]
		}
	}
	return s
}

var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// bstrMarshal escapes text that Excel would read as an escaped character
// (_xHHHH_), as excelize does.
func bstrMarshal(s string) (result string) {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				_, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`)
				if err == nil {
					result += subStr + "x005F" + subStr
					continue
				}
			}
			result += subStr + "x005F_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
				result += "_x005F" + subStr
				continue
			}
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

// inputValue is the value inputCell writes: an int64 or a string.
func inputValue(text string) any {
	if c := inputCell(text); c.kind == cellDigits {
		if n, err := strconv.ParseInt(c.text, 10, 64); err == nil {
			return n
		}
	}
	return cellText(text)
}
