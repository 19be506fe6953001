package templates

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/xlsxdump"
)

// GeneratedFile is a file kept in the repository that is generated from
// the target descriptions (see `make templates`).
type GeneratedFile struct {
	Path string // slash-separated, relative to the repository root
	Data []byte
}

// AllTemplatePath is the committed template with every target.
const AllTemplatePath = "templates/onboard-template.xlsx"

// DocsPath is the committed reference page of every target and column.
const DocsPath = "docs/targets.md"

// Generated returns the committed files derived from the target
// descriptions: the all-targets template, one template per target
// (templates/<target-id>.xlsx) and docs/targets.md.
func Generated() ([]GeneratedFile, error) {
	all := registry.Targets()
	var files []GeneratedFile
	add := func(path string, write func(*bytes.Buffer) error) error {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return fmt.Errorf("generate %s: %w", path, err)
		}
		files = append(files, GeneratedFile{Path: path, Data: buf.Bytes()})
		return nil
	}
	if err := add(AllTemplatePath, func(b *bytes.Buffer) error { return Write(b, all) }); err != nil {
		return nil, err
	}
	for _, t := range all {
		if err := add("templates/"+t.ID+".xlsx", func(b *bytes.Buffer) error { return Write(b, []*schema.Target{t}) }); err != nil {
			return nil, err
		}
	}
	if err := add(DocsPath, func(b *bytes.Buffer) error { return WriteMarkdown(b, all) }); err != nil {
		return nil, err
	}
	return files, nil
}

// WriteGenerated writes files under root, creating folders as needed.
func WriteGenerated(root string, files []GeneratedFile) error {
	for _, f := range files {
		path := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// Stale compares files with the copies committed under root and returns
// one line per copy that is missing or differs, naming the first
// difference. Workbooks are compared by their logical content (see
// xlsxdump), not their zip bytes; other files byte for byte.
func Stale(root string, files []GeneratedFile) ([]string, error) {
	var stale []string
	for _, g := range files {
		path := filepath.Join(root, filepath.FromSlash(g.Path))
		committed, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			stale = append(stale, g.Path+": missing")
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		want, got := string(g.Data), string(committed)
		if strings.HasSuffix(g.Path, ".xlsx") {
			if want, err = dumpBytes(g.Data); err != nil {
				return nil, fmt.Errorf("generated %s: %w", g.Path, err)
			}
			if got, err = dumpBytes(committed); err != nil {
				stale = append(stale, fmt.Sprintf("%s: not a readable workbook (%v)", g.Path, err))
				continue
			}
		}
		if want != got {
			stale = append(stale, g.Path+": "+firstDifference(want, got))
		}
	}
	return stale, nil
}

func dumpBytes(data []byte) (string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	defer f.Close()
	return xlsxdump.File(f)
}

// firstDifference names the first line where the committed text departs
// from the generated one.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d is %q, should be %q", i+1, clip(g, 160), clip(w, 160))
		}
	}
	return "differs"
}
