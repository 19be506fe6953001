package sandbox

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/onboard/onboard/internal/config"
)

func TestConfigYAML(t *testing.T) {
	data := ConfigYAML("http://127.0.0.1:8089/")
	var cfg struct {
		Vendors map[string]map[string]any `yaml:"vendors"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	want := map[string]map[string]any{
		"netsapiens": {"base_url": "http://127.0.0.1:8089/netsapiens/ns-api/v2", "token": "sandbox-netsapiens-token",
			"rate": 50, "defaults": map[string]any{"domain": "sandbox.example"}},
		"acefone": {"base_url": "http://127.0.0.1:8089/acefone", "login_id": "sandbox@acefone.test",
			"password": "sandbox-password", "rate": 50},
		"fonedynamics": {"base_url": "http://127.0.0.1:8089/fonedynamics", "account_sid": "ACsandbox", "token": "sandbox-token",
			"rate": 50, "defaults": map[string]any{"PropertySid": FoneDynamicsPropertySid}},
		"cove": {"base_url": "http://127.0.0.1:8089/cove/jsonapi", "partner": "Sandbox Partner", "username": "sandbox@cove.test",
			"password": "sandbox-password", "rate": 50, "defaults": map[string]any{"PartnerId": 123456}},
	}
	if !reflect.DeepEqual(cfg.Vendors, want) {
		t.Errorf("config\n%s\nparsed %#v", data, cfg.Vendors)
	}
	// One line per vendor, in creation order, as the documented shape.
	text := string(data)
	last := -1
	for _, v := range Vendors() {
		i := strings.Index(text, "\n  "+v+": {base_url: ")
		if i < 0 || i < last {
			t.Errorf("vendor %s not on its own flow line in order:\n%s", v, text)
		}
		last = i
	}
}

func TestWriteConfigIsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteConfig(path, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if string(data) != string(ConfigYAML("http://127.0.0.1:1")) {
		t.Errorf("content %s", data)
	}
	err = WriteConfig(filepath.Join(t.TempDir(), "missing", "onboard.yaml"), "http://x")
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("error %v does not name the path", err)
	}
}

func TestDescribeNamesEveryVendorAndCredential(t *testing.T) {
	text := Describe("http://127.0.0.1:8089")
	for _, s := range []string{
		"http://127.0.0.1:8089/netsapiens/ns-api/v2", NetSapiensToken, NetSapiensDomain,
		"http://127.0.0.1:8089/acefone", AcefoneLoginID, AcefonePassword,
		"http://127.0.0.1:8089/fonedynamics", FoneDynamicsAccountSid, FoneDynamicsToken, FoneDynamicsPropertySid,
		"http://127.0.0.1:8089/cove/jsonapi", CovePartner, CoveUsername, "PartnerId=123456",
		"http://127.0.0.1:8089/_sandbox/ledger",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("Describe lacks %q:\n%s", s, text)
		}
	}
}

// TestConfigYAMLIsMarked: the sandbox's own file says sandbox: true, loads
// with the real vendors, and draws none of the "written inline" warnings a
// real configuration with inline secrets gets.
func TestConfigYAMLIsMarked(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	for _, base := range []string{"http://127.0.0.1:8089", "http://localhost:9000/", "http://192.168.1.20:8089"} {
		data := ConfigYAML(base)
		if !strings.HasPrefix(strings.SplitN(string(data), "\nsandbox: true", 2)[0], "#") || !strings.Contains(string(data), "\nsandbox: true") {
			t.Errorf("%s: no sandbox: true mark after the comment:\n%s", base, data)
		}
		cfg, err := config.Parse(data, "sandbox.yaml", noEnv)
		if err != nil {
			t.Fatalf("%s: %v\n%s", base, err, data)
		}
		if !cfg.Sandbox || len(cfg.Vendors()) != len(Credentials()) {
			t.Errorf("%s: Sandbox %v, %d vendors", base, cfg.Sandbox, len(cfg.Vendors()))
		}
		if w := cfg.Warnings(); len(w) != 0 {
			t.Errorf("%s: warnings %q", base, w)
		}
	}
	// The same file without the mark warns once per inline secret.
	unmarked := strings.Replace(string(ConfigYAML("http://127.0.0.1:8089")), "sandbox: true", "", 1)
	cfg, err := config.Parse([]byte(unmarked), "copy.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cfg.Warnings()); n != 4 {
		t.Errorf("unmarked copy: %d warnings, want 4 (one per inline secret): %q", n, cfg.Warnings())
	}
}
