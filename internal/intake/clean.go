package intake

import (
	"strings"
	"unicode"
)

// Clean trims leading and trailing white space from a cell's text: ASCII
// spaces, tabs and line breaks, non-breaking and other Unicode spaces, a
// byte-order mark, zero-width spaces and direction marks. Inner text is
// left exactly as it is.
func Clean(s string) string {
	if s == "" {
		return s
	}
	// Fast path: most cells start and end with a visible ASCII character.
	if first, last := s[0], s[len(s)-1]; first > ' ' && first < 0x80 && last > ' ' && last < 0x80 {
		return s
	}
	return strings.TrimFunc(s, invisibleEdge)
}

func invisibleEdge(r rune) bool {
	switch r {
	case '\ufeff', '\u200b', '\u200e', '\u200f', '\u2060':
		return true
	}
	return unicode.IsSpace(r)
}

// blank reports whether every cell is empty.
func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// cellSlab hands out row cell slices carved from larger blocks, so reading
// a million rows does not mean a million small allocations. Each slice is
// capped at its length: appending to one never touches its neighbours.
type cellSlab struct{ free []string }

// take returns n empty cells.
func (s *cellSlab) take(n int) []string {
	if len(s.free) < n {
		s.free = make([]string, max(n, 2048))
	}
	cells := s.free[:n:n]
	s.free = s.free[n:]
	return cells
}
