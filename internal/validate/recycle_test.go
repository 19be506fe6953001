package validate

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/onboard/onboard/internal/intake"
)

// TestRecycledBatchesMatchKeptOnes runs the same file (many batches, with
// errors, blank cells, defaults and duplicates spread over it) once
// without a handler, where batches are reused, and once with one, where
// they are not: the summaries must be identical.
func TestRecycledBatchesMatchKeptOnes(t *testing.T) {
	rows := [][]string{{"Domain", "Extension", "First Name", "Last Name", "Login Username", "Email", "User Scope", "Time Zone", "Ring Timeout (s)"}}
	for i := range 5000 {
		ext := strconv.Itoa(1000 + i)
		row := []string{"acme.example.com", ext, "Jane", "Smith", "u" + ext + "@acme.example.com", "j" + ext + "@example.com", "Basic User", "US/Eastern", "25"}
		switch i % 97 {
		case 3:
			row[7] = "Mars/Base" // not an allowed time zone
		case 5:
			row[5] = "" // required email missing
		case 7:
			row[6] = "" // user scope left to its default
		case 11:
			row[1] = strconv.Itoa(1000 + i - 11) // an extension used before
		case 13:
			row[8] = "4000" // out of range
			row[2] = ""     // required first name missing
		}
		rows = append(rows, row)
	}
	path := writeCSV(t, "netsapiens.user.csv", rows)
	run := func(h Handler) *Summary {
		in, err := intake.Open(path, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		sum, err := Run(context.Background(), in, Options{MaxIssues: -1, Workers: 2}, h)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	recycled := run(nil)
	kept := run(RowFunc(func(*RowResult) error { return nil }))
	if recycled.Rows != 5000 || recycled.Invalid == 0 || recycled.Invalid != kept.Invalid {
		t.Fatalf("rows %d invalid %d (with a handler: %d)", recycled.Rows, recycled.Invalid, kept.Invalid)
	}
	if !reflect.DeepEqual(recycled.Errors, kept.Errors) || !reflect.DeepEqual(recycled.Warnings, kept.Warnings) {
		t.Fatalf("issues differ: %d errors without a handler, %d with one", len(recycled.Errors), len(kept.Errors))
	}
}
