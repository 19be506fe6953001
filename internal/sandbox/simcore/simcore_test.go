package simcore

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNoVendor keeps the import graph acyclic: vendor packages
// import simcore, so simcore imports nothing of the project but the field
// descriptions (schema), which import no vendor either.
func TestImportsNoVendor(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/onboard/") && path != "github.com/onboard/onboard/internal/schema" {
				t.Errorf("%s imports %s: simcore must import no part of the project but schema", e.Name(), path)
			}
		}
	}
}

func TestStoreIndexesUniqueNamesAndCounts(t *testing.T) {
	st := NewStore(2)
	st.Lock()
	defer st.Unlock()
	a := &Record{Target: "x.user", Key: "a", ID: "1", Creates: 1}
	st.Add(a, "x.email", "a@example.com", "x.id", "1")
	if st.Get("x.email", "a@example.com") != a || st.Get("x.id", "1") != a || st.Get("x.email", "b@example.com") != nil {
		t.Error("unique names do not find the record")
	}
	if st.Full() {
		t.Error("full after one of two")
	}
	st.Add(&Record{Target: "x.user", Key: "b"})
	if !st.Full() || len(st.Records("x.user")) != 2 || st.Records("x.user")[0] != a {
		t.Errorf("after two: full %v, records %v", st.Full(), st.Records("x.user"))
	}
	st.Clear()
	if st.Full() || len(st.Records("x.user")) != 0 || st.Get("x.id", "1") != nil {
		t.Error("Clear left records behind")
	}
}
