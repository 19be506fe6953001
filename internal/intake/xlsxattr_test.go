package intake

import "testing"

// TestCellStartReadsAttributesInOnePass pins what a cell's start tag
// yields now that r, t and s are read in one pass instead of three
// searches: the first of a repeated attribute wins, a prefixed name is
// another attribute, reading stops at a malformed one, and the errors
// are the ones a damaged sheet reported before.
func TestCellStartReadsAttributesInOnePass(t *testing.T) {
	for _, tc := range []struct {
		attrs string
		col   int // column when r is absent
		want  cellSlot
		err   string
	}{
		{`r="B2" t="s" s="3"`, 0, cellSlot{col: 1, typ: 's', style: 3}, ""},
		{`s='7' r='AA10'`, 0, cellSlot{col: 26, typ: 'n', style: 7}, ""},
		{` t = "inlineStr" `, 4, cellSlot{col: 4, typ: 'i'}, ""},
		{`r="C1" r="A1" t="b" t="s"`, 0, cellSlot{col: 2, typ: 'b'}, ""},
		{`x:r="D1" t="s"`, 5, cellSlot{col: 5, typ: 's'}, ""},
		{`t="s" broken r="A1"`, 3, cellSlot{col: 3, typ: 's'}, ""},
		{`s="-1"`, 0, cellSlot{col: 0, typ: 'n'}, ""},
		{`s="70000"`, 0, cellSlot{col: 0, typ: 'n'}, ""},
		{`r="1A"`, 0, cellSlot{}, `bad cell reference "1A"`},
		{`r="ZZZZ1"`, 0, cellSlot{}, `bad cell reference "ZZZZ1"`},
		{``, maxSheetColumns, cellSlot{}, "a cell lies beyond column XFD"},
	} {
		got, err := cellStart([]byte(tc.attrs), tc.col)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.attrs, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.attrs, err)
		case got != tc.want:
			t.Errorf("%q: %+v, want %+v", tc.attrs, got, tc.want)
		}
		if v, ok := attr([]byte(tc.attrs), "t"); ok && tc.err == "" && cellType(v) != got.typ {
			t.Errorf("%q: attr finds t=%q, cellStart typed %q", tc.attrs, v, got.typ)
		}
	}
}
