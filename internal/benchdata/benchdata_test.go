package benchdata

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/netsapiens"
)

// Every generated value is valid for its netsapiens.user field, and
// extensions and logins are unique.
func TestValuesAreValidUsers(t *testing.T) {
	target := netsapiens.User
	if err := target.Prepare(); err != nil {
		t.Fatal(err)
	}
	if len(Header) != 15 {
		t.Fatalf("%d columns", len(Header))
	}
	for _, key := range Header {
		if target.Field(key) == nil {
			t.Fatalf("%s is not a netsapiens.user field", key)
		}
	}
	for _, f := range target.Fields {
		if f.Required && f.Default == "" && !contains(Header, f.Key) {
			t.Errorf("required field %s has no column", f.Key)
		}
	}
	users, logins := map[string]bool{}, map[string]bool{}
	for i := 0; i < 20000; i++ {
		row := Texts(i)
		for j, text := range row {
			if _, problem := target.Field(Header[j]).Parse(text); problem != nil {
				t.Fatalf("row %d %s=%q: %s", i, Header[j], text, problem.Message)
			}
		}
		if users[row[1]] || logins[row[4]] {
			t.Fatalf("row %d repeats a user or login: %q", i, row)
		}
		users[row[1]], logins[row[4]] = true, true
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// What is written reads back through intake as the same text.
func TestFilesReadBack(t *testing.T) {
	dir := t.TempDir()
	const rows = 300
	xlsx, csv := filepath.Join(dir, "users.xlsx"), filepath.Join(dir, "users.csv")
	if err := WriteXLSX(xlsx, rows); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSVFile(csv, rows); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(csv)
	if err != nil || !strings.HasPrefix(string(b), HeaderLine+"\n") {
		t.Fatalf("CSV starts %.80q, err %v", b, err)
	}
	for _, path := range []string{xlsx, csv} {
		f, err := intake.Open(path, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sheet := f.SheetNames()[0]
		if path == xlsx && sheet != SheetName {
			t.Fatalf("sheet %q", sheet)
		}
		rr, err := f.Rows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rr.Header(), Header) {
			t.Fatalf("%s header %q", path, rr.Header())
		}
		n := 0
		for {
			row, ok := rr.Next()
			if !ok {
				break
			}
			if want := Texts(n); row.Num != n+2 || !reflect.DeepEqual(row.Cells, want) {
				t.Fatalf("%s row %d: %q, want %q", path, row.Num, row.Cells, want)
			}
			n++
		}
		if rr.Err() != nil || n != rows {
			t.Fatalf("%s: %d rows, err %v", path, n, rr.Err())
		}
		rr.Close()
		f.Close()
	}
}
