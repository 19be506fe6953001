package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/registry"
)

// repoRoot is the repository root seen from this package's folder.
const repoRoot = "../.."

func TestCommittedCopiesAreCurrent(t *testing.T) {
	files, err := Generated()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 7 { // all-targets template, five per-target templates, docs
		t.Errorf("%d generated files, want 7", len(files))
	}
	stale, err := Stale(repoRoot, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stale {
		t.Errorf("stale generated file %s", s)
	}
	if len(stale) > 0 {
		t.Log("the target descriptions changed: run `make templates` and commit the result")
	}
}

func TestStaleNoticesAChangedCell(t *testing.T) {
	files, err := Generated()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteGenerated(dir, files); err != nil {
		t.Fatal(err)
	}
	if stale, err := Stale(dir, files); err != nil || len(stale) != 0 {
		t.Fatalf("fresh copies reported stale: %v %v", stale, err)
	}
	// A workbook from an older description: one header cell differs.
	f, err := Build(registry.Targets())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Acefone Users", "A1", "Full Name *"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(filepath.Join(dir, filepath.FromSlash(AllTemplatePath))); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(DocsPath))); err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 2 || !strings.Contains(stale[0], "Full Name *") || !strings.HasSuffix(stale[1], "missing") {
		t.Errorf("stale = %q, want the changed template and the missing docs", stale)
	}
}
