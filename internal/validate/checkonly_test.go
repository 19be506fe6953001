package validate

import (
	"context"
	"reflect"
	"testing"

	"github.com/onboard/onboard/internal/intake"
)

// rowSeen is what a handler sees of one row, apart from its record.
type rowSeen struct {
	Sheet  string
	Num    int
	Issues []Issue
	Valid  bool
}

// recordFreeRows is a RecordFree handler that keeps what it sees, and
// counts the values it was handed anyway.
type recordFreeRows struct {
	rows   []rowSeen
	values int
}

func (h *recordFreeRows) BeginSheet(*Sheet) error { return nil }
func (h *recordFreeRows) EndSheet(*Sheet) error   { return nil }
func (h *recordFreeRows) ReadsNoRecords()         {}
func (h *recordFreeRows) Row(r *RowResult) error {
	h.rows = append(h.rows, rowSeen{r.Sheet, r.Row.Num, r.Issues, r.Valid})
	for _, v := range r.Record.Values {
		if v != nil {
			h.values++
		}
	}
	return nil
}

// runBothWays validates path once with a handler that reads records and
// once with a RecordFree one, and returns what each saw.
func runBothWays(t *testing.T, path string, opt Options) (full, free []rowSeen, freeValues, fullValues int, sums [2]*Summary) {
	t.Helper()
	for i := range 2 {
		in, err := intake.Open(path, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var h Handler
		rf := &recordFreeRows{}
		if i == 0 {
			h = RowFunc(func(r *RowResult) error {
				full = append(full, rowSeen{r.Sheet, r.Row.Num, r.Issues, r.Valid})
				for _, v := range r.Record.Values {
					if v != nil {
						fullValues++
					}
				}
				return nil
			})
		} else {
			h = rf
		}
		sum, err := Run(context.Background(), in, opt, h)
		_ = in.Close()
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sum
		if i == 1 {
			free, freeValues = rf.rows, rf.values
		}
	}
	return
}

// TestRecordFreeRunFindsExactlyWhatAFullRunFinds checks the cheap path a
// validation report (or no handler) takes: only checking the cells whose
// values no rule compares must change nothing a person sees — the same
// issues, in the same order, with the same words, on the same rows.
func TestRecordFreeRunFindsExactlyWhatAFullRunFinds(t *testing.T) {
	csvPath := writeCSV(t, "netsapiens.user.csv", [][]string{
		nsHeader,
		nsRow("101", nil),
		nsRow("102", map[string]string{"F": "Basic Usr", "J": "99999", "O": "12", "E": "jane@@example.com"}),
		nsRow("101", map[string]string{"H": "12a4", "I": "Mars/Olympus", "G": "maybe"}),
		nsRow("10x", map[string]string{"M": "call me", "N": "1,000", "K": "12.0"}),
		nsRow("", map[string]string{"C": "", "E": "a@b.c; d@e.f", "F": "office manager"}),
		nsRow("104", map[string]string{"A": "bad domain!", "J": "3600", "L": "-1"}),
		nsRow("105", map[string]string{"E": "Jane <jane@example.com>", "M": "+1 (303) 555-0100"}),
	})
	for _, tc := range []struct {
		name string
		path string
		opt  Options
	}{
		{"per-vendor CSV with mistakes", csvPath, Options{}},
		{"the sample per-vendor workbook", "../../samples/vendor-sheets.xlsx", Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full, free, freeValues, fullValues, sums := runBothWays(t, tc.path, tc.opt)
			if len(full) == 0 || !hasAnyIssue(full) {
				t.Fatal("the fixture has no rows with issues: the comparison would prove nothing")
			}
			if !reflect.DeepEqual(full, free) {
				for i := range min(len(full), len(free)) {
					if !reflect.DeepEqual(full[i], free[i]) {
						t.Fatalf("row %d differs:\nfull: %+v\nfree: %+v", full[i].Num, full[i], free[i])
					}
				}
				t.Fatalf("%d rows with records, %d without", len(full), len(free))
			}
			if !reflect.DeepEqual(sums[0].Errors, sums[1].Errors) || !reflect.DeepEqual(sums[0].Warnings, sums[1].Warnings) ||
				sums[0].Valid != sums[1].Valid || sums[0].Invalid != sums[1].Invalid {
				t.Fatalf("summaries differ: %+v vs %+v", sums[0], sums[1])
			}
			if freeValues >= fullValues {
				t.Fatalf("the record-free run built %d values, the full run %d: the cheap path was not taken", freeValues, fullValues)
			}
		})
	}
}

func hasAnyIssue(rows []rowSeen) bool {
	for _, r := range rows {
		if len(r.Issues) > 0 {
			return true
		}
	}
	return false
}

// TestReadsNoRecords pins which handlers take the cheap path.
func TestReadsNoRecords(t *testing.T) {
	free := &recordFreeRows{}
	reads := RowFunc(func(*RowResult) error { return nil })
	for _, tc := range []struct {
		h    Handler
		want bool
	}{
		{nil, true},
		{free, true},
		{Handlers{free, free}, true},
		{reads, false},
		{Handlers{free, reads}, false},
	} {
		if got := readsNoRecords(tc.h); got != tc.want {
			t.Errorf("readsNoRecords(%T) = %v, want %v", tc.h, got, tc.want)
		}
	}
}
