package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/registry"
)

// testVendors mirror the real vendors' targets with the options their
// packages declare (or are about to), so these tests do not depend on the
// progress of the vendor packages.
var testVendors = []*connector.Vendor{
	{Name: "netsapiens", Label: "NetSapiens", Targets: netsapiens.Vendor.Targets, Options: []connector.Option{
		{Name: "token", Help: "API key", Secret: true, Required: true},
	}},
	{Name: "acefone", Label: "Acefone", DefaultURL: "https://api.acefone.in", Targets: acefone.Vendor.Targets, Options: []connector.Option{
		{Name: "login_id", Help: "login"}, {Name: "password", Secret: true}, {Name: "token", Secret: true},
	}},
	{Name: "fonedynamics", Label: "Fone Dynamics", DefaultURL: "https://api.fonedynamics.com", Targets: fonedynamics.Vendor.Targets, Options: []connector.Option{
		{Name: "account_sid", Required: true}, {Name: "token", Secret: true, Required: true}, {Name: "auth_scheme", Default: "basic"},
	}},
	{Name: "cove", Label: "Cove", Targets: cove.Vendor.Targets, Options: []connector.Option{
		{Name: "partner", Required: true}, {Name: "username", Required: true}, {Name: "password", Secret: true, Required: true},
	}},
}

const sample = `vendors:
  netsapiens:   {base_url: https://host/ns-api/v2, token: "${NETSAPIENS_TOKEN}", rate: 10, concurrency: 4, defaults: {domain: example.com}}
  acefone:      {base_url: https://api.acefone.in, login_id: ops@example.com, password: "${ACEFONE_PASSWORD}", rate: 5}
  fonedynamics: {base_url: https://api.fonedynamics.com, account_sid: AC123, token: "${FONEDYNAMICS_TOKEN}", defaults: {PropertySid: S1234}}
  cove:         {base_url: https://api.backup.management/jsonapi, partner: "Acme", username: api@example.com, password: "${COVE_PASSWORD}", defaults: {PartnerId: 123456}}
`

var sampleEnv = map[string]string{
	"NETSAPIENS_TOKEN":   "nsTok-111",
	"ACEFONE_PASSWORD":   "acePw-222",
	"FONEDYNAMICS_TOKEN": "fdTok-333",
	"COVE_PASSWORD":      "S3cret!pw",
}

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func parse(t *testing.T, text string, env map[string]string) (*Config, error) {
	t.Helper()
	return Loader{Vendors: testVendors, LookupEnv: envOf(env)}.Parse([]byte(text), "onboard.yaml")
}

func mustParse(t *testing.T, text string, env map[string]string) *Config {
	t.Helper()
	cfg, err := parse(t, text, env)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func TestSample(t *testing.T) {
	cfg := mustParse(t, sample, sampleEnv)
	var names []string
	for _, v := range cfg.Vendors() {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, ","); got != "netsapiens,acefone,fonedynamics,cove" {
		t.Errorf("vendors = %s", got)
	}
	ns, ok := cfg.Vendor("netsapiens")
	if !ok {
		t.Fatal("netsapiens not configured")
	}
	if ns.BaseURL != "https://host/ns-api/v2" || ns.Rate != 10 || ns.Concurrency != 4 || ns.Burst != DefaultBurst ||
		ns.Timeout != DefaultTimeout || ns.MaxAttempts != DefaultMaxAttempts {
		t.Errorf("netsapiens = %+v", *ns)
	}
	s := cfg.Settings("netsapiens")
	if s.BaseURL != "https://host/ns-api/v2" || s.Options["token"] != "nsTok-111" || s.Timeout != 30*time.Second {
		t.Errorf("Settings = %+v", s)
	}
	s.Options["token"] = "changed"
	if cfg.Settings("netsapiens").Options["token"] != "nsTok-111" {
		t.Error("Settings shares its Options map with the config")
	}
	ace, _ := cfg.Vendor("acefone")
	if ace.Rate != 5 || ace.Options["login_id"] != "ops@example.com" || ace.Options["password"] != "acePw-222" {
		t.Errorf("acefone = %+v", ace.Options)
	}
	if _, ok := ace.Options["token"]; ok {
		t.Error("acefone token set though not given")
	}
	fd, _ := cfg.Vendor("fonedynamics")
	if fd.Options["auth_scheme"] != "basic" || fd.Options["account_sid"] != "AC123" || fd.Options["token"] != "fdTok-333" {
		t.Errorf("fonedynamics options = %v", fd.Options)
	}
	want := map[string]map[string]string{
		"netsapiens":   {"domain": "example.com"},
		"fonedynamics": {"PropertySid": "S1234"},
		"cove":         {"PartnerId": "123456"},
	}
	if got := cfg.Defaults(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Defaults = %v, want %v", got, want)
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("Warnings = %q", w)
	}
}

func TestVendorLeftOut(t *testing.T) {
	cfg := mustParse(t, "vendors:\n  acefone:\n    token: ${T}\n", map[string]string{"T": "x"})
	if v, ok := cfg.Vendor("cove"); ok || v != nil {
		t.Errorf("cove configured: %v", v)
	}
	if s := cfg.Settings("cove"); s.BaseURL != "" || s.Options != nil {
		t.Errorf("Settings(cove) = %+v", s)
	}
	ace, ok := cfg.Vendor("acefone")
	if !ok || ace.BaseURL != "https://api.acefone.in" {
		t.Errorf("acefone without base_url should use the default URL, got %+v", ace)
	}
	if len(cfg.Defaults()) != 0 {
		t.Errorf("Defaults = %v", cfg.Defaults())
	}
}

func TestCommonKeys(t *testing.T) {
	cfg := mustParse(t, `vendors:
  acefone:
    base_url: http://127.0.0.1:8080/
    rate: 0.5
    burst: 3
    concurrency: 12
    timeout: 1m30s
    max_attempts: 2
    login_id: ~
  cove:
    partner: Acme
    username: u
    password: ${P}
    base_url: https://cove.test
    defaults:
      partner_id: " 42 "
`, map[string]string{"P": "pw"})
	ace, _ := cfg.Vendor("acefone")
	if ace.BaseURL != "http://127.0.0.1:8080" || ace.Rate != 0.5 || ace.Burst != 3 || ace.Concurrency != 12 ||
		ace.Timeout != 90*time.Second || ace.MaxAttempts != 2 {
		t.Errorf("acefone = %+v", *ace)
	}
	if _, ok := ace.Options["login_id"]; ok {
		t.Error("login_id: ~ should leave the option unset")
	}
	if d := cfg.Defaults()["cove"]; d["PartnerId"] != "42" || len(d) != 1 {
		t.Errorf("cove defaults = %v (partner_id should map to PartnerId)", d)
	}
}

func TestErrors(t *testing.T) {
	env := map[string]string{"T": "tok", "EMPTY": ""}
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown vendor", "vendors:\n  netsapien:\n    token: x\n",
			[]string{"onboard.yaml:2: vendors.netsapien: unknown vendor \"netsapien\"; did you mean \"netsapiens\"?", "known vendors are netsapiens, acefone, fonedynamics, cove"}},
		{"unknown key", "vendors:\n  acefone:\n    tokn: x\n",
			[]string{"onboard.yaml:3: vendors.acefone.tokn: unknown key; did you mean token?", "acefone takes base_url, rate, burst, concurrency, timeout, max_attempts, defaults, allow_insecure, login_id, password, token"}},
		{"rate text", "vendors:\n  acefone:\n    rate: fast\n",
			[]string{"onboard.yaml:3: vendors.acefone.rate: must be a number of requests per second greater than 0, found \"fast\"", "rate: 5"}},
		{"rate zero", "vendors:\n  acefone:\n    rate: 0\n", []string{":3: vendors.acefone.rate: must be a number", `found "0"`}},
		{"rate list", "vendors:\n  acefone:\n    rate: [1, 2]\n", []string{":3: vendors.acefone.rate: must be a single value, found a list"}},
		{"burst zero", "vendors:\n  acefone:\n    burst: 0\n", []string{":3: vendors.acefone.burst: must be a whole number of requests allowed at once, 1 or more; found \"0\""}},
		{"concurrency fraction", "vendors:\n  acefone:\n    concurrency: 2.5\n", []string{":3: vendors.acefone.concurrency: must be a whole number", `found "2.5"`}},
		{"max_attempts", "vendors:\n  acefone:\n    max_attempts: many\n", []string{"vendors.acefone.max_attempts: must be a whole number of tries per record"}},
		{"timeout no unit", "vendors:\n  acefone:\n    timeout: 30\n", []string{":3: vendors.acefone.timeout: must be a duration greater than 0 with a unit, found \"30\"", "timeout: 30s"}},
		{"base_url scheme", "vendors:\n  acefone:\n    base_url: ftp://x\n", []string{":3: vendors.acefone.base_url: must be an http(s) URL, found \"ftp://x\"", "https://api.acefone.in"}},
		{"base_url no host", "vendors:\n  acefone:\n    base_url: https://\n", []string{"vendors.acefone.base_url: must be an http(s) URL"}},
		{"base_url missing", "vendors:\n  netsapiens:\n    token: x\n", []string{"onboard.yaml:2: vendors.netsapiens.base_url: missing; NetSapiens has no public default address", "add base_url:"}},
		{"required option missing", "vendors:\n  netsapiens:\n    base_url: https://h\n", []string{"onboard.yaml:2: vendors.netsapiens.token: missing (API key)", `add token: "${NETSAPIENS_TOKEN}"`}},
		{"required option empty from env", "vendors:\n  netsapiens:\n    base_url: https://h\n    token: ${EMPTY}\n", []string{"vendors.netsapiens.token: is empty"}},
		{"env var missing", "vendors:\n  netsapiens:\n    base_url: https://h\n    token: ${NETSAPIENS_TOKEN}\n",
			[]string{"onboard.yaml:4: vendors.netsapiens.token: environment variable NETSAPIENS_TOKEN is not set", "export NETSAPIENS_TOKEN="}},
		{"env unterminated", "vendors:\n  acefone:\n    login_id: ${ABC\n", []string{":3: vendors.acefone.login_id: unterminated ${"}},
		{"env bad name", "vendors:\n  acefone:\n    login_id: ${1A}\n", []string{":3: vendors.acefone.login_id: the ${...} at character 1 does not hold a variable name"}},
		{"defaults unknown key", "vendors:\n  netsapiens:\n    base_url: https://h\n    token: x\n    defaults: {domian: example.com}\n",
			[]string{":5: vendors.netsapiens.defaults.domian: unknown key; did you mean domain?", "netsapiens defaults may set domain"}},
		{"defaults not a path field", "vendors:\n  acefone:\n    defaults: {login_id: x}\n", []string{"vendors.acefone.defaults: Acefone has no fields that take a default"}},
		{"defaults bad integer", "vendors:\n  cove:\n    partner: a\n    username: b\n    password: c\n    base_url: https://h\n    defaults:\n      PartnerId: abc\n",
			[]string{"onboard.yaml:8: vendors.cove.defaults.PartnerId: must be a whole number", "expected whole number"}},
		{"defaults out of range", "vendors:\n  cove:\n    partner: a\n    username: b\n    password: c\n    base_url: https://h\n    defaults: {PartnerId: 0}\n",
			[]string{":7: vendors.cove.defaults.PartnerId:"}},
		{"defaults pattern", "vendors:\n  fonedynamics:\n    account_sid: a\n    token: b\n    defaults: {PropertySid: 'S-1'}\n",
			[]string{":5: vendors.fonedynamics.defaults.PropertySid: must match letters and digits"}},
		{"defaults empty", "vendors:\n  fonedynamics:\n    account_sid: a\n    token: b\n    defaults: {PropertySid: ''}\n", []string{"vendors.fonedynamics.defaults.PropertySid: is empty"}},
		{"defaults list", "vendors:\n  fonedynamics:\n    account_sid: a\n    token: b\n    defaults: [a]\n", []string{"vendors.fonedynamics.defaults: must map field names to values, found a list"}},
		{"duplicate key", "vendors:\n  acefone:\n    rate: 1\n    rate: 2\n", []string{"onboard.yaml:4: vendors.acefone.rate: appears twice (first on line 3)"}},
		{"duplicate vendor", "vendors:\n  acefone: {}\n  acefone: {}\n", []string{":3: vendors.acefone: appears twice"}},
		{"vendor not a mapping", "vendors:\n  acefone: yes\n", []string{":2: vendors.acefone: must be a mapping of settings, found \"yes\""}},
		{"bad yaml", "vendors:\n  acefone:\n    rate: 1\n   burst: 2\n", []string{"onboard.yaml:1: not valid YAML: did not find expected key", "check the indentation"}},
		{"tab indent", "vendors:\n\tacefone: {}\n", []string{"onboard.yaml:2: not valid YAML: found character that cannot start any token"}},
		{"empty file", "", []string{"onboard.yaml: the configuration is empty", "start the file with vendors:"}},
		{"comments only", "# nothing\n", []string{"the configuration is empty"}},
		{"top-level unknown", "vendor:\n  acefone: {}\n", []string{"onboard.yaml:1: vendor: unknown key; did you mean vendors?"}},
		{"top-level list", "- a\n", []string{"onboard.yaml:1: the configuration must be a mapping of keys, found a list"}},
		{"vendors missing", "{}\n", []string{"vendors: missing"}},
		{"vendors empty", "vendors:\n", []string{"onboard.yaml:1: vendors: must map vendor names to their settings, found nothing"}},
		{"vendors list", "vendors: [acefone]\n", []string{"vendors: must map vendor names to their settings, found a list"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parse(t, c.yaml, env)
			if err == nil {
				t.Fatalf("no error; config %v", cfg)
			}
			if cfg != nil {
				t.Error("a config returned with an error")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nlacks\n  %s", err, w)
				}
			}
		})
	}
}

func TestSeveralErrorsAreAllReported(t *testing.T) {
	_, err := parse(t, "vendors:\n  acefone:\n    rate: x\n    burst: y\n  nope: {}\n", nil)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a *Error: %v", err)
	}
	for _, w := range []string{":3: vendors.acefone.rate", ":4: vendors.acefone.burst", ":5: vendors.nope: unknown vendor"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%v lacks %s", err, w)
		}
	}
}

func TestExpand(t *testing.T) {
	env := envOf(map[string]string{"A": "alpha", "B_2": "two", "E": ""})
	cases := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}", "alpha", ""},
		{"x${A}y${B_2}z", "xalphaytwoz", ""},
		{"${E}", "", ""},
		{"pa$word", "pa$word", ""},
		{"$A", "$A", ""},
		{"cost $5", "cost $5", ""},
		{"$${A}", "${A}", ""},
		{"$$", "$$", ""},
		{"${MISSING}", "", "MISSING is not set"},
		{"${A", "", "unterminated"},
		{"${}", "", "does not hold a variable name"},
		{"${A-B}", "", "does not hold a variable name"},
	}
	for _, c := range cases {
		got, err := expand(c.in, env)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("expand(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestLoadPermissionWarning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "onboard.yaml")
	if err := os.WriteFile(path, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // umask-proof
		t.Fatal(err)
	}
	l := Loader{Vendors: testVendors, LookupEnv: envOf(sampleEnv)}
	cfg, err := l.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s is accessible to other users (mode 0644) and may hold secrets; chmod 600 %s", path, path)
	if w := cfg.Warnings(); len(w) != 1 || w[0] != want {
		t.Errorf("Warnings = %q, want [%q]", w, want)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = l.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("mode 0600: Warnings = %q", w)
	}
	if cfg.Source != path {
		t.Errorf("Source = %q", cfg.Source)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := Loader{Vendors: testVendors}.Load(path)
	var ce *Error
	if !errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v (%T), want a *Error wrapping fs.ErrNotExist", err, err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "onboard init") {
		t.Errorf("message %q", err)
	}
}

func TestInlineSecretWarning(t *testing.T) {
	cfg := mustParse(t, "vendors:\n  acefone:\n    login_id: ops\n    password: 'hunter2-inline'\n", nil)
	w := cfg.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], `onboard.yaml:4: vendors.acefone.password is written inline; prefer password: "${ACEFONE_PASSWORD}"`) {
		t.Errorf("Warnings = %q", w)
	}
	if strings.Contains(strings.Join(w, "\n"), "hunter2") {
		t.Error("a warning shows the secret")
	}
	ace, _ := cfg.Vendor("acefone")
	if ace.Options["password"] != "hunter2-inline" {
		t.Errorf("inline password = %q", ace.Options["password"])
	}
}

func TestRedactionNeverLeaks(t *testing.T) {
	env := map[string]string{}
	for k, v := range sampleEnv {
		env[k] = v
	}
	text := sample + "    # inline\n"
	text = strings.Replace(text, `login_id: ops@example.com,`, `login_id: ops@example.com, token: "inline-ace-TOKEN",`, 1)
	cfg := mustParse(t, text, env)
	secrets := []string{"nsTok-111", "acePw-222", "fdTok-333", "S3cret!pw", "inline-ace-TOKEN"}

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	for _, v := range cfg.Vendors() {
		logger.Info("vendor", "config", v)
	}
	var rendered strings.Builder
	for _, s := range cfg.Redacted() {
		fmt.Fprintf(&rendered, "%s.%s=%s\n", s.Vendor, s.Key, s.Value)
	}
	ns, _ := cfg.Vendor("netsapiens")
	outputs := map[string]string{
		"Redacted":  rendered.String(),
		"String":    cfg.String(),
		"%v config": fmt.Sprintf("%v", cfg),
		"%v vendor": fmt.Sprintf("%v %s", ns, ns),
		"slog":      logs.String(),
		"Warnings":  strings.Join(cfg.Warnings(), "\n"),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows secret %q:\n%s", name, s, out)
			}
		}
	}
	for _, w := range []string{"netsapiens.token=********", "cove.password=********", "acefone.token=********",
		"acefone.login_id=ops@example.com", "cove.defaults.PartnerId=123456", "fonedynamics.auth_scheme=basic", "netsapiens.rate=10"} {
		if !strings.Contains(rendered.String(), w) {
			t.Errorf("Redacted lacks %s:\n%s", w, rendered.String())
		}
	}
	if !strings.Contains(logs.String(), `"token":"********"`) {
		t.Errorf("slog output lacks the masked token: %s", logs.String())
	}
}

func TestRedactedURLPassword(t *testing.T) {
	cfg := mustParse(t, "vendors:\n  acefone:\n    base_url: https://user:pa55word@host.test/api\n", nil)
	if s := cfg.String(); strings.Contains(s, "pa55word") {
		t.Errorf("String shows the URL's password: %s", s)
	}
}

func TestSecretNotInErrors(t *testing.T) {
	_, err := parse(t, "vendors:\n  acefone:\n    password: {value: 'S3cret!pw'}\n    token: 'ab${S3cret-pw}'\n", nil)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "S3cret") {
		t.Errorf("error shows a secret: %v", err)
	}
	for _, w := range []string{"vendors.acefone.password: must be a single value, found a mapping", "vendors.acefone.token: the ${...}"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%v lacks %s", err, w)
		}
	}
}

func TestAliasesAreFollowed(t *testing.T) {
	cfg := mustParse(t, "vendors:\n  acefone: {rate: &r 7, burst: 2}\n  fonedynamics: {rate: *r, account_sid: a, token: '${T}'}\n", map[string]string{"T": "t"})
	fd, _ := cfg.Vendor("fonedynamics")
	if fd.Rate != 7 {
		t.Errorf("rate through an alias = %v, want 7", fd.Rate)
	}
}

// TestRegistryVendors parses the sample against the real vendor list once
// every vendor declares the options the sample uses.
func TestRegistryVendors(t *testing.T) {
	for _, tv := range testVendors {
		rv := registry.Vendor(tv.Name)
		if rv == nil {
			t.Fatalf("registry lacks %s", tv.Name)
		}
		declared := map[string]bool{}
		for _, o := range rv.Options {
			declared[o.Name] = true
		}
		for _, o := range tv.Options {
			if !declared[o.Name] {
				t.Skipf("%s does not declare option %s yet", tv.Name, o.Name)
			}
		}
	}
	cfg, err := Parse([]byte(sample), "onboard.yaml", envOf(sampleEnv))
	if err != nil {
		t.Fatalf("Parse with registry.Vendors: %v", err)
	}
	if len(cfg.Vendors()) != 4 {
		t.Errorf("vendors = %v", cfg.Vendors())
	}
}
