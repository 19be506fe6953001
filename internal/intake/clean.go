package intake

import "strings"

// Clean trims leading and trailing whitespace, including non-breaking
// spaces and a byte-order mark, from a cell's text.
func Clean(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\ufeff' || r == '\u200b'
	})
}

func cleanAll(cells []string) {
	for i, c := range cells {
		cells[i] = Clean(c)
	}
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func pad(cells []string, n int) []string {
	for len(cells) < n {
		cells = append(cells, "")
	}
	return cells
}
