package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Dir is the folder reports are written to when no home is configured.
const Dir = "reports"

// DefaultPath returns a new path for a report of the given kind
// ("validation", "result", "dryrun") of input:
// <dir>/<input-base>-<kind>-<runID>.xlsx. The run ID carries the time and
// a random part; a counter is added should the name exist anyway, so a
// report never overwrites another.
func DefaultPath(dir, input, kind, runID string) string {
	return uniquePath(dir, fmt.Sprintf("%s-%s-%s", inputBase(input), kind, runID), ".xlsx")
}

func inputBase(input string) string {
	return strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
}

func uniquePath(dir, base, ext string) string {
	p := filepath.Join(dir, base+ext)
	for n := 2; exists(p); n++ {
		p = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, n, ext))
	}
	return p
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// CheckOutput refuses an output path that would destroy something: one of
// the run's inputs, a symlink, or anything but a regular file. It also
// makes sure the folder can be written, so a run finds out before it
// sends anything.
func CheckOutput(path string, inputs ...string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("output %s is a symbolic link: give the path of a new file instead", path)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("output %s is not a regular file (a folder, pipe or device): give the path of a new file instead", path)
	case err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("output %s: %w", path, err)
	}
	for _, in := range inputs {
		if in == "" {
			continue
		}
		if same(abs, in, fi) {
			return fmt.Errorf("output %s is the input %s: writing it would destroy the input; give another path", path, in)
		}
	}
	return checkWritable(filepath.Dir(abs))
}

func same(abs, input string, out os.FileInfo) bool {
	if ia, err := filepath.Abs(input); err == nil && ia == abs {
		return true
	}
	if out == nil {
		return false
	}
	fi, err := os.Stat(input)
	return err == nil && os.SameFile(fi, out)
}

// checkWritable creates (if needed) and probes the folder dir.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the folder %s for the output: %w (a file of that name may be in the way; give another path)", dir, err)
	}
	f, err := os.CreateTemp(dir, ".onboard-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write to the folder %s: %w (choose another with --report, or fix its permissions)", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
