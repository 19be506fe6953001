package intake

import "unicode/utf8"

// A text file may carry the odd control character in a cell (an ESC or
// BEL pasted from a terminal): that is data. Binary data carries them
// everywhere. A sample is judged binary when at least one character in
// junkRatio, and at least junkMin of them, are what text never holds.
const (
	junkRatio = 20
	junkMin   = 4
)

// binaryByte reports a byte that plain text in an ASCII-compatible
// encoding never holds: the C0 controls other than tab, LF, VT, FF, CR
// and ESC (the set http.DetectContentType calls binary).
func binaryByte(c byte) bool {
	return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F)
}

// rawLooksBinary judges undecoded bytes by their control bytes.
func rawLooksBinary(b []byte) bool {
	junk := 0
	for _, c := range b {
		if binaryByte(c) {
			junk++
		}
	}
	return junk >= junkMin && junk*junkRatio >= len(b)
}

// junkRune reports a character that decoded text hardly ever holds:
// binary control characters, DEL and the C1 controls, the replacement
// character of an undecodable sequence, private-use characters.
func junkRune(r rune) bool {
	switch {
	case r < 0x80:
		return binaryByte(byte(r)) || r == 0x7F
	case r <= 0x9F, r == utf8.RuneError, r >= 0xE000 && r <= 0xF8FF:
		return true
	}
	return false
}

// textLooksBinary judges decoded text by its characters.
func textLooksBinary(s string) bool {
	junk, n := 0, 0
	for _, r := range s {
		n++
		if junkRune(r) {
			junk++
		}
	}
	return junk >= junkMin && junk*junkRatio >= n
}
