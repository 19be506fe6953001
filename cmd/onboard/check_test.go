package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/sandbox"
)

// checkSandbox starts an in-process sandbox and returns its configuration
// file's text, as `onboard sandbox --write-config` writes it.
func checkSandbox(t *testing.T) string {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return string(sandbox.ConfigYAML(srv.URL))
}

// withVendorLine returns cfg with old replaced by new on vendor's line
// only ("  cove: {...}").
func withVendorLine(t *testing.T, cfg, vendor, old, new string) string {
	t.Helper()
	lines := strings.Split(cfg, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), vendor+":") {
			if !strings.Contains(l, old) {
				t.Fatalf("%s's line %q has no %q", vendor, l, old)
			}
			lines[i] = strings.Replace(l, old, new, 1)
			return strings.Join(lines, "\n")
		}
	}
	t.Fatalf("no %s line in %s", vendor, cfg)
	return ""
}

func writeCheckConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sandboxSecrets are every credential the sandbox's configuration holds.
var sandboxSecrets = []string{sandbox.NetSapiensToken, sandbox.AcefonePassword, sandbox.AcefoneStaticToken,
	sandbox.FoneDynamicsToken, sandbox.CovePassword}

func noSecrets(t *testing.T, out string, extra ...string) {
	t.Helper()
	for _, s := range append(extra, sandboxSecrets...) {
		if strings.Contains(out, s) {
			t.Errorf("output shows the secret %q:\n%s", s, out)
		}
	}
}

func TestCheckSandboxAllReady(t *testing.T) {
	path := writeCheckConfig(t, checkSandbox(t))
	io, out, errOut := testIO()
	if code := run(io, []string{"check", "--config", path}); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	labels := []string{"NetSapiens", "Acefone", "Fone Dynamics", "Cove"}
	if len(lines) != len(labels) {
		t.Fatalf("want one line per vendor, got:\n%s", out)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, labels[i]+": ready (signed in") || !strings.HasSuffix(l, " ms)") {
			t.Errorf("line %q", l)
		}
	}
	if !strings.Contains(lines[0], "domain "+sandbox.NetSapiensDomain+" found") {
		t.Errorf("NetSapiens line does not name the domain: %q", lines[0])
	}
	if !strings.Contains(errOut.String(), "Nothing was created. 4 vendors are ready.") {
		t.Errorf("stderr %q", errOut)
	}
	noSecrets(t, out.String()+errOut.String())
}

// Each vendor in turn gets a wrong credential: exit 1, and exactly that
// vendor is NOT READY, named with the keys to check.
func TestCheckNamesTheVendorThatRefused(t *testing.T) {
	cfg := checkSandbox(t)
	for _, c := range []struct {
		vendor, label, old, new, fix string
	}{
		{"netsapiens", "NetSapiens", sandbox.NetSapiensToken, "wrong-ns-token", "check token"},
		{"acefone", "Acefone", sandbox.AcefonePassword, "wrong-ace-password", "check login_id and password"},
		{"fonedynamics", "Fone Dynamics", sandbox.FoneDynamicsToken, "wrong-fd-token", "check account_sid and token"},
		{"cove", "Cove", sandbox.CovePassword, "wrong-cove-password", "check partner, username and password"},
	} {
		path := writeCheckConfig(t, withVendorLine(t, cfg, c.vendor, c.old, c.new))
		io, out, errOut := testIO()
		if code := run(io, []string{"check", "--config", path}); code != exitRowsInvalid {
			t.Errorf("%s: exit %d, want 1\n%s%s", c.vendor, code, out, errOut)
			continue
		}
		var refused []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if strings.Contains(l, "NOT READY") {
				refused = append(refused, l)
			} else if !strings.Contains(l, ": ready (") {
				t.Errorf("%s: line %q is neither ready nor NOT READY", c.vendor, l)
			}
		}
		want := c.label + ": NOT READY — "
		if len(refused) != 1 || !strings.HasPrefix(refused[0], want) ||
			!strings.HasSuffix(refused[0], c.fix+" in "+path+" (vendors."+c.vendor+")") {
			t.Errorf("%s: NOT READY lines %q, want one starting %q and ending with %q", c.vendor, refused, want, c.fix)
		}
		noSecrets(t, out.String()+errOut.String(), c.new)
	}
}

func TestCheckBaseURLTypo(t *testing.T) {
	cfg := withVendorLine(t, checkSandbox(t), "netsapiens", "/ns-api/v2", "/ns-api/v3")
	path := writeCheckConfig(t, cfg)
	io, out, errOut := testIO()
	if code := run(io, []string{"check", "--config", path, "netsapiens"}); code != exitRowsInvalid {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if got := strings.TrimSpace(out.String()); !strings.HasPrefix(got, "NetSapiens: NOT READY — not found: check base_url") || strings.Count(got, "\n") != 0 {
		t.Errorf("stdout %q, want only NetSapiens, not found: check base_url", got)
	}
}

func TestCheckJSON(t *testing.T) {
	cfg := withVendorLine(t, checkSandbox(t), "cove", sandbox.CovePassword, "wrong-cove-password")
	path := writeCheckConfig(t, cfg)
	io, out, errOut := testIO()
	if code := run(io, []string{"check", "--config", path, "--json", "cove", "Fone Dynamics"}); code != exitRowsInvalid {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var doc struct {
		Schema  int    `json:"schema"`
		Config  string `json:"config"`
		Ready   bool   `json:"ready"`
		Vendors []struct {
			Vendor    string  `json:"vendor"`
			Ready     bool    `json:"ready"`
			LatencyMS float64 `json:"latency_ms"`
			Steps     []struct {
				Name, State, Detail, Fix string
			} `json:"steps"`
		} `json:"vendors"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if doc.Schema != 1 || doc.Config != path || doc.Ready || len(doc.Vendors) != 2 {
		t.Fatalf("document %+v", doc)
	}
	cove, fd := doc.Vendors[0], doc.Vendors[1]
	if cove.Vendor != "cove" || cove.Ready || fd.Vendor != "fonedynamics" || !fd.Ready || fd.LatencyMS <= 0 {
		t.Errorf("vendors %+v", doc.Vendors)
	}
	var failed []string
	for _, s := range cove.Steps {
		if s.State == "failed" {
			failed = append(failed, s.Name+": "+s.Fix)
		}
	}
	if len(failed) != 1 || failed[0] != "credentials: partner, username and password" {
		t.Errorf("cove's failed steps %q", failed)
	}
	noSecrets(t, out.String()+errOut.String(), "wrong-cove-password")
}

// A configuration that cannot be used exits 2, naming the problem.
func TestCheckUnusableConfig(t *testing.T) {
	good := writeCheckConfig(t, checkSandbox(t))
	noCove := writeCheckConfig(t, "vendors:\n  netsapiens: {base_url: 'http://127.0.0.1:1/ns-api/v2', token: x}\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--config", filepath.Join(t.TempDir(), "missing.yaml")}, "missing.yaml"},
		{[]string{"check", "--config", writeCheckConfig(t, "vendors: [\n")}, "onboard.yaml"},
		{[]string{"check", "--config", good, "avaya"}, `"avaya" is no vendor onboard knows`},
		{[]string{"check", "--config", noCove, "cove"}, "has no vendors.cove section"},
	} {
		io, out, errOut := testIO()
		if code := run(io, c.args); code != exitUnusable || !strings.Contains(errOut.String(), c.want) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
}

// The Done-when of the issue, end to end: a sandbox process started by
// `onboard sandbox --write-config`, checked by `onboard check --config` in
// another process; then the same sandbox with the Cove password changed in
// the configuration.
func TestCheckProcessAgainstSandboxProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	_, cfgPath := startSandboxProcess(t)
	exitCode := func(args ...string) (int, string) {
		out, err := onboardCmd(context.Background(), args...).CombinedOutput()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0, string(out)
		case errors.As(err, &ee):
			return ee.ExitCode(), string(out)
		}
		t.Fatal(err)
		return -1, ""
	}
	if code, out := exitCode("check", "--config", cfgPath); code != 0 || strings.Count(out, ": ready (") != 4 {
		t.Fatalf("good configuration: exit %d\n%s", code, out)
	}
	good, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := writeCheckConfig(t, withVendorLine(t, string(good), "cove", sandbox.CovePassword, "wrong-cove-password"))
	code, out := exitCode("check", "--config", bad)
	if code != 1 || strings.Count(out, "NOT READY") != 1 || !strings.Contains(out, "Cove: NOT READY — the login was refused") {
		t.Errorf("wrong Cove password: exit %d\n%s", code, out)
	}
	noSecrets(t, out, "wrong-cove-password")
}
