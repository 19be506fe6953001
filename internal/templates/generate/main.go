// Command generate rewrites the repository's generated files from the
// target descriptions: templates/onboard-template.xlsx, one
// templates/<target-id>.xlsx per target, docs/targets.md, and the sample
// inputs under samples/. `make templates` runs it from the repository
// root; tests fail when a committed copy is stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/onboard/onboard/internal/templates"
	"github.com/onboard/onboard/internal/templates/samplegen"
)

func main() {
	root := flag.String("root", ".", "repository root to write under")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	files, err := templates.Generated()
	if err != nil {
		return err
	}
	samples, err := samplegen.Files()
	if err != nil {
		return err
	}
	files = append(files, samples...)
	if err := templates.WriteGenerated(root, files); err != nil {
		return err
	}
	for _, f := range files {
		fmt.Printf("wrote %s (%d bytes)\n", f.Path, len(f.Data))
	}
	return nil
}
