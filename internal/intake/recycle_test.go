package intake

import (
	"fmt"
	"strings"
	"testing"
)

// TestCSVRecycledCellsAreClean reads a CSV whose rows alternate between
// full and short ones, handing every row back as soon as it is read: each
// later row must hold its own texts, with empty cells where it has none,
// never a recycled row's leftovers.
func TestCSVRecycledCellsAreClean(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c\r\n")
	const n = 16 * batchRows // more than the read-ahead holds, so cells are reused
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, "x%d,y%d,z%d\r\n", i, i, i)
		} else {
			fmt.Fprintf(&b, "x%d\r\n", i)
		}
	}
	in, err := Open(writeFile(t, "r.csv", []byte(b.String())), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rr, err := in.Rows(in.SheetNames()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	rc, ok := rr.(Recycler)
	if !ok {
		t.Fatal("the CSV row reader does not recycle cells")
	}
	for i := 0; ; i++ {
		row, ok := rr.Next()
		if !ok {
			if i != n {
				t.Fatalf("read %d rows, want %d (err %v)", i, n, rr.Err())
			}
			break
		}
		want := []string{fmt.Sprintf("x%d", i), "", ""}
		if i%2 == 0 {
			want = []string{fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i), fmt.Sprintf("z%d", i)}
		}
		if strings.Join(row.Cells, "|") != strings.Join(want, "|") {
			t.Fatalf("row %d: cells %q, want %q", row.Num, row.Cells, want)
		}
		rc.Recycle([]Row{row})
	}
}
