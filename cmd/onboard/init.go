package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/terminal"
)

// The files `onboard init` writes, kept as files so they read as what IT
// gets. Tests load both with the real parsers.
var (
	//go:embed initfiles/onboard.yaml
	initConfig []byte
	//go:embed initfiles/plan.yaml
	initPlan []byte
)

// planFileName is the starter plan's name next to the configuration.
const planFileName = "plan.yaml"

// initFile is one file init writes.
type initFile struct {
	name, what string
	data       []byte
}

func newInitCmd(io *terminal.IO) *cobra.Command {
	var dir string
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented onboard.yaml and a starter plan.yaml to begin with",
		Long: "Write onboard.yaml (how onboard reaches each vendor, secrets read from environment\n" +
			"variables) and plan.yaml (how HR's new-hire sheet becomes accounts), both readable\n" +
			"by you only, then print what to do next. An existing file is never replaced\n" +
			"unless --force is given.",
		Example: "  onboard init\n  onboard init --dir ~/.config/onboard",
		Args:    noArgs("onboard init --dir ~/.config/onboard"),
		RunE: func(cmd *cobra.Command, args []string) error {
			files := []initFile{
				{name: config.FileName, what: "configuration", data: initConfig},
				{name: planFileName, what: "starter plan", data: initPlan},
			}
			if err := writeInitFiles(dir, files, force); err != nil {
				return err
			}
			printNextSteps(io, dir, files)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "folder to write onboard.yaml and plan.yaml in (created if missing)")
	cmd.Flags().BoolVar(&force, "force", false, "replace onboard.yaml and plan.yaml if they exist")
	return cmd
}

// writeInitFiles checks every target before writing any, so a refusal
// leaves the folder as it was, then writes each file whole (mode 0600).
func writeInitFiles(dir string, files []initFile, force bool) error {
	if strings.TrimSpace(dir) == "" {
		return exitWith(exitUnusable, errors.New("--dir is empty; give the folder to write in, e.g. --dir ."))
	}
	for _, f := range files {
		if err := checkInitTarget(filepath.Join(dir, f.name), force); err != nil {
			return exitWith(exitUnusable, err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return exitWith(exitUnusable, fmt.Errorf("creating the folder %s: %w", dir, err))
	}
	for _, f := range files {
		if err := writePrivate(filepath.Join(dir, f.name), f.data); err != nil {
			return exitWith(exitUnusable, err)
		}
	}
	return nil
}

// checkInitTarget refuses a path that exists, unless force is set and it
// is a regular file (never a folder, link or device).
func checkInitTarget(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot check %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s exists and is not a regular file (%s); move it away or use --dir to write elsewhere", path, kindOf(fi))
	case !force:
		return fmt.Errorf("%s already exists; nothing was written. Pass --force to replace it, or --dir to write elsewhere", path)
	}
	return nil
}

func kindOf(fi fs.FileInfo) string {
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a folder"
	default:
		return "a special file"
	}
}

// writePrivate writes data to a temporary file next to path, readable by
// its owner only, and renames it into place, so a failure never leaves a
// half-written file.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: set mode 0600: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

var envRef = regexp.MustCompile(`(?m)^[^#\n]*\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// configVars lists the environment variables the written configuration
// reads (outside comments), in the order they appear.
func configVars(data []byte) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range envRef.FindAllSubmatch(data, -1) {
		if name := string(m[1]); !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// printNextSteps tells, on stderr like every status message, what was
// written and what to do next.
func printNextSteps(io *terminal.IO, dir string, files []initFile) {
	w := io.ErrOut
	for _, f := range files {
		fmt.Fprintf(w, "Wrote %s (%s, readable by you only)\n", filepath.Join(dir, f.name), f.what)
	}
	cfg := filepath.Join(dir, config.FileName)
	plan := filepath.Join(dir, planFileName)
	fmt.Fprintln(w, "\nNext steps:")
	fmt.Fprintf(w, "  1. In %s, delete the section of any vendor you do not use, then set the\n", cfg)
	fmt.Fprintln(w, "     variables it reads (or write non-secret values in the file instead):")
	for _, v := range configVars(files[0].data) {
		fmt.Fprintf(w, "       export %s=...\n", v)
	}
	fmt.Fprintf(w, "  2. In %s, list your offices and roles and which systems each role gets.\n", plan)
	fmt.Fprintf(w, "  3. Make the sheet for HR:    onboard template --hires --plan %s\n", plan)
	fmt.Fprintf(w, "  4. Check a filled-in sheet:  onboard validate new-hires.xlsx --plan %s\n", plan)
	fmt.Fprintf(w, "  5. Rehearse, then run:       onboard run new-hires.xlsx --plan %s --dry-run\n", plan)
	fmt.Fprintln(w, "     (try it all first against local simulators: onboard sandbox)")
	if filepath.Clean(dir) != "." {
		fmt.Fprintf(w, "onboard finds %s by itself in the current folder or ~/.config/onboard;\n", config.FileName)
		fmt.Fprintf(w, "otherwise pass --config %s or export %s=%s\n", cfg, config.EnvConfig, cfg)
	}
	fmt.Fprintf(w, "State and reports go next to %s, or under $%s when set.\n", config.FileName, config.EnvHome)
}
