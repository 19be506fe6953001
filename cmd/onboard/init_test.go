package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/registry"
)

// initEnv sets every variable the written configuration reads.
var initEnv = map[string]string{
	"NETSAPIENS_BASE_URL": "https://pbx.example.com/ns-api/v2", "NETSAPIENS_TOKEN": "ns-token",
	"ACEFONE_LOGIN_ID": "api@example.com", "ACEFONE_PASSWORD": "ace-pw",
	"FONEDYNAMICS_ACCOUNT_SID": "AC123", "FONEDYNAMICS_TOKEN": "fd-token",
	"COVE_PARTNER": "Acme", "COVE_USERNAME": "api@example.com", "COVE_PASSWORD": "cove-pw",
	"NETSAPIENS_DOMAIN": "example.com", "FONEDYNAMICS_PROPERTY_SID": "S0123456789ABCDEF0123456789ABCDEF", "COVE_PARTNER_ID": "123456",
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestInitWritesFilesThatLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "onboard") // created by init
	io, out, errOut := testIO()
	if code := run(io, []string{"init", "--dir", dir}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out.Len() != 0 {
		t.Errorf("stdout should stay empty, got %q", out)
	}
	cfgPath, planPath := filepath.Join(dir, "onboard.yaml"), filepath.Join(dir, "plan.yaml")
	for _, p := range []string{cfgPath, planPath} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %04o, want 0600", p, fi.Mode().Perm())
		}
	}
	cfg, err := config.Loader{LookupEnv: lookup(initEnv)}.Load(cfgPath)
	if err != nil {
		t.Fatalf("the written configuration does not load: %v", err)
	}
	if n := len(cfg.Vendors()); n != len(registry.Vendors) {
		t.Errorf("%d vendors configured, want all %d", n, len(registry.Vendors))
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("warnings on the written file: %q", w)
	}
	if v, _ := cfg.Vendor("acefone"); v.Options["password"] != "ace-pw" {
		t.Errorf("acefone password not read from the environment: %v", v)
	}
	if d := cfg.Defaults(); d["netsapiens"]["domain"] != "example.com" || d["cove"]["PartnerId"] != "123456" || len(d["fonedynamics"]) != 1 {
		t.Errorf("defaults %v", d)
	}
	plan, err := hires.LoadPlan(planPath)
	if err != nil {
		t.Fatalf("the written plan does not load: %v", err)
	}
	if plan == nil {
		t.Fatal("nil plan")
	}
	// Without the variables the file does not load, and says which to set.
	_, err = config.Loader{LookupEnv: lookup(nil)}.Load(cfgPath)
	if err == nil || !strings.Contains(err.Error(), "environment variable NETSAPIENS_BASE_URL is not set") ||
		!strings.Contains(err.Error(), cfgPath+":") {
		t.Errorf("without the environment: %v", err)
	}
	text := errOut.String()
	for _, want := range []string{"Wrote " + cfgPath, "Wrote " + planPath, "readable by you only", "Next steps:",
		"export NETSAPIENS_TOKEN=...", "export COVE_PASSWORD=...", "onboard template --hires --plan " + planPath,
		"onboard validate new-hires.xlsx --plan " + planPath, "export ONBOARD_CONFIG=" + cfgPath} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ACEFONE_TOKEN") {
		t.Errorf("a commented-out variable is listed as needed:\n%s", text)
	}
}

// TestInitEnvListMatchesFile: the variables printed are exactly those the
// file reads outside comments.
func TestInitEnvListMatchesFile(t *testing.T) {
	got := configVars(initConfig)
	if len(got) != len(initEnv) {
		t.Errorf("variables %v, want the %d in initEnv", got, len(initEnv))
	}
	for _, v := range got {
		if _, ok := initEnv[v]; !ok {
			t.Errorf("variable %s not in initEnv", v)
		}
	}
}

// TestInitNamesEveryVendorOption keeps the written file in step with the
// vendor packages: every vendor and every option it takes appears.
func TestInitNamesEveryVendorOption(t *testing.T) {
	text := string(initConfig)
	for _, v := range registry.Vendors {
		if !strings.Contains(text, "\n  "+v.Name+":\n") {
			t.Errorf("vendor %s missing", v.Name)
		}
		for _, o := range v.Options {
			if !strings.Contains(text, " "+o.Name+": ") {
				t.Errorf("%s option %s not shown", v.Name, o.Name)
			}
		}
	}
}

func TestInitNeverOverwritesWithoutForce(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "onboard.yaml")
	if err := os.WriteFile(cfgPath, []byte("vendors: {mine: {}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, errOut := testIO()
	if code := run(io, []string{"init", "--dir", dir}); code != exitUnusable {
		t.Fatalf("exit %d, want %d", code, exitUnusable)
	}
	msg := errOut.String()
	for _, want := range []string{cfgPath + " already exists", "nothing was written", "--force"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if data, _ := os.ReadFile(cfgPath); string(data) != "vendors: {mine: {}}\n" {
		t.Errorf("existing file changed: %q", data)
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.yaml")); !os.IsNotExist(err) {
		t.Errorf("plan.yaml written although init refused: %v", err)
	}
	// An existing plan alone also stops it.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, "plan.yaml"), []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	io, _, errOut = testIO()
	if code := run(io, []string{"init", "--dir", dir2}); code != exitUnusable || !strings.Contains(errOut.String(), "plan.yaml already exists") {
		t.Errorf("existing plan: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir2, "onboard.yaml")); !os.IsNotExist(err) {
		t.Errorf("onboard.yaml written although init refused: %v", err)
	}

	// --force replaces, owner-only even where the old file was not.
	if err := os.Chmod(cfgPath, 0o644); err != nil {
		t.Fatal(err)
	}
	io, _, errOut = testIO()
	if code := run(io, []string{"init", "--dir", dir, "--force"}); code != exitOK {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(cfgPath)
	fi, _ := os.Stat(cfgPath)
	if string(data) != string(initConfig) || fi.Mode().Perm() != 0o600 {
		t.Errorf("--force: mode %04o, content replaced %v", fi.Mode().Perm(), string(data) == string(initConfig))
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestInitForceNeverFollowsALink: --force replaces regular files only, so
// a link planted at onboard.yaml cannot make init write elsewhere.
func TestInitForceNeverFollowsALink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "important.txt")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "onboard.yaml")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	io, _, errOut := testIO()
	if code := run(io, []string{"init", "--dir", dir, "--force"}); code != exitUnusable ||
		!strings.Contains(errOut.String(), "is not a regular file (a symbolic link)") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me" {
		t.Errorf("link target changed: %q", data)
	}
}

func TestInitTakesNoArguments(t *testing.T) {
	io, _, errOut := testIO()
	if code := run(io, []string{"init", "somewhere"}); code != exitUnusable || !strings.Contains(errOut.String(), `"somewhere"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
