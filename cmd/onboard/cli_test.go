package main

// Tests of the command-line conventions shared by every command: the
// version, typo suggestions, argument errors, the command list, and which
// stream status lines go to.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/terminal"
)

// testIO returns a terminal.IO with no terminal and its two output buffers.
func testIO() (*terminal.IO, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, &out, &errOut
}

// buildOnboard builds the onboard binary from this checkout with extra
// go build flags and returns its path.
func buildOnboard(t *testing.T, flags ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := filepath.Join(t.TempDir(), "onboard")
	args := append(append([]string{"build"}, flags...), "-o", bin, ".")
	if out, err := exec.Command(gocmd, args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// versionOutputs runs `onboard --version` and `onboard version` and
// checks that they print the same single line.
func versionOutputs(t *testing.T, bin string) string {
	t.Helper()
	var lines []string
	for _, arg := range []string{"--version", "version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatalf("onboard %s: %v", arg, err)
		}
		lines = append(lines, string(out))
	}
	if lines[0] != lines[1] {
		t.Errorf("--version printed %q, version printed %q", lines[0], lines[1])
	}
	if strings.Count(lines[0], "\n") != 1 || !strings.HasPrefix(lines[0], "onboard ") {
		t.Errorf("version output is not one line starting with \"onboard \": %q", lines[0])
	}
	return strings.TrimSpace(lines[0])
}

func gitHead(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout (or no git): ", err)
	}
	return strings.TrimSpace(string(out))
}

// TestVersionFromGitCheckout builds onboard as `go build` does in a git
// checkout (VCS stamping on) without -ldflags: the version comes from the
// build information and names the checkout's commit.
func TestVersionFromGitCheckout(t *testing.T) {
	before := gitHead(t)
	bin := buildOnboard(t, "-buildvcs=true")
	after := gitHead(t) // someone may commit while the build runs
	line := versionOutputs(t, bin)
	if strings.HasPrefix(line, "onboard dev") {
		t.Fatalf("built from a git checkout, the version is still dev: %q", line)
	}
	if !strings.Contains(line, "commit "+before[:12]) && !strings.Contains(line, "commit "+after[:12]) {
		t.Errorf("%q does not name commit %.12s", line, after)
	}
	if !strings.Contains(line, runtime.Version()) {
		t.Errorf("%q does not name the Go version %s", line, runtime.Version())
	}
}

// TestVersionFromLdflags builds onboard the way the Makefile does: the
// -ldflags value is the version.
func TestVersionFromLdflags(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(makefile), `-ldflags "-X main.version=`) {
		t.Error("the Makefile's build no longer sets main.version with -ldflags")
	}
	bin := buildOnboard(t, "-ldflags", "-X main.version=v9.8.7-test")
	if line := versionOutputs(t, bin); !strings.HasPrefix(line, "onboard v9.8.7-test (") {
		t.Errorf("version line %q, want it to start with onboard v9.8.7-test (", line)
	}
}

func TestReadVersion(t *testing.T) {
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1a2e7d409c91b58ecbb109b5e845d2521a4223f9"},
			{Key: "vcs.time", Value: "2026-11-23T12:15:23Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	info := func(mod string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/onboard/onboard", Version: mod}, Settings: settings}
	}
	cases := []struct {
		name    string
		ldflags string
		bi      *debug.BuildInfo
		want    string
	}{
		{"tagged release", "", info("v1.4.0", vcs("false")),
			"v1.4.0 (commit 1a2e7d409c91, 2026-11-23T12:15:23Z, go1.26.8)"},
		{"checkout with changes", "", info("v0.0.0-20261123121523-1a2e7d409c91+dirty", vcs("true")),
			"v0.0.0-20261123121523-1a2e7d409c91+dirty (commit 1a2e7d409c91-dirty, 2026-11-23T12:15:23Z, go1.26.8)"},
		{"no module version", "", info("(devel)", vcs("true")),
			"1a2e7d409c91-dirty (commit 1a2e7d409c91-dirty, 2026-11-23T12:15:23Z, go1.26.8)"},
		{"go install @version", "", info("v1.4.0", nil), "v1.4.0 (go1.26.8)"},
		{"-ldflags wins", "v1.4.0-3-g1a2e7d4", info("(devel)", vcs("false")),
			"v1.4.0-3-g1a2e7d4 (commit 1a2e7d409c91, 2026-11-23T12:15:23Z, go1.26.8)"},
		{"nothing known", "", info("(devel)", nil), "dev (go1.26.8)"},
	}
	for _, c := range cases {
		if got := readVersion(c.ldflags, c.bi).String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if v := readVersion("", nil); v.Version != "dev" {
		t.Errorf("no build information: %q, want dev", v.Version)
	}
}

func TestUserAgentCarriesTheVersion(t *testing.T) {
	if want := "onboard/" + currentVersion().Version; connector.UserAgent() != want {
		t.Errorf("User-Agent %q, want %q", connector.UserAgent(), want)
	}
}

func TestUnknownFlagsSuggestTheClosest(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "x.xlsx", "--dryrun"}, "onboard: unknown flag: --dryrun (did you mean --dry-run?)\nRun 'onboard run --help' for usage.\n"},
		{[]string{"run", "x.xlsx", "--jsno"}, "unknown flag: --jsno (did you mean --json?)"},
		{[]string{"run", "x.xlsx", "--conc", "3"}, "unknown flag: --conc (did you mean --concurrency?)"},
		{[]string{"run", "x.xlsx", "-dryrun"}, "in -dryrun (did you mean --dry-run?)"},
		{[]string{"template", "--hire"}, "onboard: unknown flag: --hire (did you mean --hires?)\nRun 'onboard template --help' for usage.\n"},
		{[]string{"--verison"}, "onboard: unknown flag: --verison (did you mean --version?)\nRun 'onboard --help' for usage.\n"},
		{[]string{"sandbox", "--latencey", "1s"}, "(did you mean --latency?)"},
	}
	for _, c := range cases {
		io, out, errOut := testIO()
		code := run(io, c.args)
		if code != exitUnusable || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut.String(), exitUnusable, c.want)
		}
		if !strings.Contains(errOut.String(), "--help' for usage") {
			t.Errorf("%v: no pointer to --help: %q", c.args, errOut.String())
		}
		if out.Len() != 0 {
			t.Errorf("%v: stdout %q", c.args, out.String())
		}
	}
	// Nothing close: no guess.
	io, _, errOut := testIO()
	if code := run(io, []string{"run", "x.xlsx", "--zzzzzz"}); code != exitUnusable || strings.Contains(errOut.String(), "did you mean") {
		t.Errorf("--zzzzzz: exit %d, %q", code, errOut.String())
	}
}

func TestUnknownCommandSuggestsTheClosest(t *testing.T) {
	io, _, errOut := testIO()
	code := run(io, []string{"valdate", "x.xlsx"})
	if code != exitUnusable || !strings.Contains(errOut.String(), `unknown command "valdate"`) ||
		!strings.Contains(errOut.String(), "Did you mean this?\n\tvalidate") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// TestArgumentErrorsSayWhatIsMissing runs needInput on a command of its
// own; run and validate use the same helper.
func TestArgumentErrorsSayWhatIsMissing(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "onboard probe: give the spreadsheet to check, e.g. onboard probe new-hires.xlsx\n"},
		{[]string{""}, "onboard probe: give the spreadsheet to check, e.g. onboard probe new-hires.xlsx\n"},
		{[]string{"a.xlsx", "b.xlsx"}, `onboard probe: "b.xlsx" is extra; give only the spreadsheet to check, e.g. onboard probe new-hires.xlsx` + "\n"},
		{[]string{"a.xlsx", "b.xlsx", "c.xlsx"}, `onboard probe: "b.xlsx" and "c.xlsx" are extra;`},
		{[]string{"a.xlsx", "plan.yaml"}, `"plan.yaml" is extra (a YAML file goes right after --plan);`},
	}
	for _, c := range cases {
		io, _, errOut := testIO()
		root := newRoot(io)
		ran := false
		check := &cobra.Command{Use: "probe", Args: needInput("the spreadsheet to check", "onboard probe new-hires.xlsx"),
			RunE: func(*cobra.Command, []string) error { ran = true; return nil }}
		check.Flags().String("plan", "", "")
		root.AddCommand(check)
		code := execute(context.Background(), io, root, append([]string{"probe"}, c.args...))
		if code != exitUnusable || ran || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%q: exit %d (ran %v), stderr %q; want exit %d and %q", c.args, code, ran, errOut.String(), exitUnusable, c.want)
		}
	}
	for _, args := range [][]string{{"sandbox", "8089"}, {"version", "now"}} {
		io, out, errOut := testIO()
		want := "onboard " + args[0] + `: "` + args[1] + `" is extra; this command takes only options, e.g. onboard ` + args[0]
		if code := run(io, args); code != exitUnusable || !strings.HasPrefix(errOut.String(), want) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out.String(), errOut.String(), want)
		}
	}
}

func TestCommandsAreListedOnceInOrder(t *testing.T) {
	io, _, _ := testIO()
	var names []string
	for _, c := range newRoot(io).Commands() {
		names = append(names, c.Name())
	}
	// Help lists them in the order of subcommands(): set-up first, then
	// the everyday commands, these in this order among the others.
	want := []string{"init", "run", "validate", "template", "targets", "sandbox", "version"}
	var got []string
	for _, n := range names {
		if slices.Contains(want, n) {
			got = append(got, n)
		}
	}
	if !slices.Equal(got, want) || names[0] != "init" {
		t.Errorf("commands %v, want %v in this order, init first", names, want)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("command %q listed twice", n)
		}
		seen[n] = true
	}
}

// TestTemplateStatusGoesToStderr: stdout stays free for data, as with the
// other commands.
func TestTemplateStatusGoesToStderr(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"template", "netsapiens.user", "-o", filepath.Join(dir, "t.xlsx")},
		{"template", "--hires", "--plan", "../../samples/plan.yaml", "-o", filepath.Join(dir, "hr.xlsx")},
	} {
		io, out, errOut := testIO()
		if code := run(io, args); code != exitOK {
			t.Fatalf("%v: exit %d, %s", args, code, errOut.String())
		}
		if out.Len() != 0 || !strings.HasPrefix(errOut.String(), "Wrote ") {
			t.Errorf("%v: stdout %q, stderr %q", args, out.String(), errOut.String())
		}
	}
}
