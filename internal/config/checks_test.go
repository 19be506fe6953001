package config

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/netguard"
)

func TestInsecureBaseURL(t *testing.T) {
	guard(t) // these hosts are only parsed: any dial fails the test
	refused := []string{"http://10.1.2.3/api", "http://api.example.com", "http://192.168.1.5:8080/x", "http://[2001:db8::1]/"}
	for _, u := range refused {
		_, err := parse(t, "vendors:\n  acefone:\n    token: x\n    base_url: "+u+"\n", nil)
		if err == nil {
			t.Errorf("%s accepted", u)
			continue
		}
		for _, w := range []string{"onboard.yaml:4: vendors.acefone.base_url: http:// would send the Acefone credentials to", "unencrypted",
			"use https://, or add allow_insecure: true under acefone:"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v lacks %q", u, err, w)
			}
		}
	}
	for _, u := range []string{"http://127.0.0.1:8089/acefone", "http://127.9.9.9/", "http://[::1]:80/", "http://localhost:1/", "https://10.1.2.3/api"} {
		if _, err := parse(t, "vendors:\n  acefone:\n    token: x\n    base_url: "+u+"\n", nil); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	cfg := mustParse(t, "vendors:\n  acefone:\n    allow_insecure: true\n    token: x\n    base_url: http://10.1.2.3/api\n", nil)
	if ace, _ := cfg.Vendor("acefone"); ace.BaseURL != "http://10.1.2.3/api" {
		t.Errorf("allow_insecure: base %q", ace.BaseURL)
	}
	_, err := parse(t, "vendors:\n  acefone:\n    allow_insecure: maybe\n", nil)
	if err == nil || !strings.Contains(err.Error(), `onboard.yaml:3: vendors.acefone.allow_insecure: must be true or false, found "maybe"`) {
		t.Errorf("allow_insecure: maybe: %v", err)
	}
}

// TestLoadNeverDials loads a file pointing at non-loopback hosts with the
// real vendors (whose clients are built at load) while the process's
// default transport is guarded: loading checks, it never connects.
func TestLoadNeverDials(t *testing.T) {
	guard(t)
	text := "vendors:\n  acefone: {base_url: https://10.1.2.3/api, token: '${T}'}\n" +
		"  netsapiens: {base_url: http://example.com/ns-api/v2, allow_insecure: true, token: '${T}'}\n"
	if _, err := Parse([]byte(text), "onboard.yaml", envOf(map[string]string{"T": "t"})); err != nil {
		t.Fatal(err)
	}
}

func TestControlCharactersInCredentials(t *testing.T) {
	env := map[string]string{"PW": "line1\r\nline2", "TAB": "a\tb", "NL": "secret\n"}
	cases := []struct{ yaml, want string }{
		{"vendors:\n  acefone:\n    login_id: ops\n    password: ${PW}\n", "onboard.yaml:4: vendors.acefone.password: contains a control character"},
		{"vendors:\n  acefone:\n    token: \"ab\\x07cd\"\n", "onboard.yaml:3: vendors.acefone.token: contains a control character"},
		{"vendors:\n  acefone:\n    login_id: \"a\\rb\"\n    password: x\n", "onboard.yaml:3: vendors.acefone.login_id: contains a control character"},
		{"vendors:\n  acefone:\n    token: ${TAB}\n", "vendors.acefone.token: contains a control character"},
	}
	for _, c := range cases {
		_, err := parse(t, c.yaml, env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "line1") || strings.Contains(err.Error(), "ab\a") {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	_, err := parse(t, cases[0].yaml, env)
	if !strings.Contains(err.Error(), "set the environment variable again without a line break") {
		t.Errorf("fix for an env value: %v", err)
	}
	// A trailing newline (as $(cat file) or a heredoc leaves) is trimmed, not refused.
	cfg := mustParse(t, "vendors:\n  acefone:\n    token: ${NL}\n", env)
	if ace, _ := cfg.Vendor("acefone"); ace.Options["token"] != "secret" {
		t.Errorf("token %q", ace.Options["token"])
	}
}

func TestRateFloor(t *testing.T) {
	for _, r := range []string{"0.0000001", "0.009", "1e-5"} {
		_, err := parse(t, "vendors:\n  acefone:\n    token: x\n    rate: "+r+"\n", nil)
		if err == nil || !strings.Contains(err.Error(), "onboard.yaml:4: vendors.acefone.rate: is "+r+" requests per second") ||
			!strings.Contains(err.Error(), "the lowest is 0.01 (one request every 100 seconds)") {
			t.Errorf("rate %s: %v", r, err)
		}
	}
	cfg := mustParse(t, "vendors:\n  acefone:\n    token: x\n    rate: 0.01\n", nil)
	if ace, _ := cfg.Vendor("acefone"); ace.Rate != 0.01 {
		t.Errorf("rate %v", ace.Rate)
	}
}

func TestNegativeValuesRefused(t *testing.T) {
	for key, want := range map[string]string{
		"concurrency: -1":  "vendors.acefone.concurrency: must be a whole number of requests in flight at once, 1 or more",
		"concurrency: 0":   "vendors.acefone.concurrency: must be a whole number",
		"timeout: -5s":     "vendors.acefone.timeout: must be a duration greater than 0",
		"timeout: 0s":      "vendors.acefone.timeout: must be a duration greater than 0",
		"max_attempts: -2": "vendors.acefone.max_attempts: must be a whole number",
		"burst: -1":        "vendors.acefone.burst: must be a whole number",
	} {
		_, err := parse(t, "vendors:\n  acefone:\n    token: x\n    "+key+"\n", nil)
		if err == nil || !strings.Contains(err.Error(), "onboard.yaml:4: "+want) {
			t.Errorf("%s: %v, want %q", key, err, want)
		}
	}
}

func TestFlagCheckers(t *testing.T) {
	for _, n := range []int{-1, 0} {
		if err := CheckConcurrency(n); err == nil || !strings.Contains(err.Error(), "1 or more") {
			t.Errorf("CheckConcurrency(%d) = %v", n, err)
		}
	}
	if err := CheckConcurrency(1); err != nil {
		t.Error(err)
	}
	if err := CheckGrace(-time.Second); err == nil || !strings.Contains(err.Error(), "found -1s") {
		t.Errorf("CheckGrace(-1s) = %v", err)
	}
	for _, d := range []time.Duration{0, 10 * time.Second} {
		if err := CheckGrace(d); err != nil {
			t.Errorf("CheckGrace(%v) = %v", d, err)
		}
	}
}

// TestClientErrorsNameFileAndLine: combinations only the vendor's client
// refuses (Acefone login_id without password, an unknown Fone Dynamics
// auth_scheme) are found at load, with the file and the section's line.
func TestClientErrorsNameFileAndLine(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"vendors:\n  acefone:\n    login_id: ops@example.com\n",
			"onboard.yaml:2: vendors.acefone: option password is required with login_id"},
		{"vendors:\n  acefone:\n    password: ${T}\n", "onboard.yaml:2: vendors.acefone: option login_id is required with password"},
		{"vendors:\n  acefone: {}\n", "onboard.yaml:2: vendors.acefone: set options login_id and password"},
		{"vendors:\n\n  fonedynamics:\n    account_sid: AC1\n    token: ${T}\n    auth_scheme: digest\n",
			`onboard.yaml:3: vendors.fonedynamics: option auth_scheme is "digest"; use basic or bearer`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.yaml), "onboard.yaml", envOf(map[string]string{"T": "tok"}))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Source != "onboard.yaml" || ce.Line == 0 {
			t.Errorf("%q: error %#v lacks file or line", c.yaml, ce)
		}
	}
}

func TestErrorWithoutSource(t *testing.T) {
	e := &Error{Key: "vendors.acefone", Msg: "bad"}
	if got := e.Error(); got != "configuration: vendors.acefone: bad" {
		t.Errorf("Error() = %q", got)
	}
}

func TestSandboxMark(t *testing.T) {
	text := "sandbox: true\nvendors:\n  acefone:\n    base_url: http://127.0.0.1:8089/acefone\n    login_id: ops\n    password: 'sandbox-password'\n"
	cfg := mustParse(t, text, nil)
	if !cfg.Sandbox {
		t.Error("Sandbox not set")
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("sandbox file warned: %q", w)
	}
	unmarked := mustParse(t, strings.TrimPrefix(text, "sandbox: true\n"), nil)
	if unmarked.Sandbox || len(unmarked.Warnings()) != 1 {
		t.Errorf("unmarked: sandbox %v, warnings %q", unmarked.Sandbox, unmarked.Warnings())
	}
	// The mark on a file for a real vendor is called out.
	real := mustParse(t, "sandbox: yes\nvendors:\n  acefone:\n    base_url: https://api.acefone.in\n    token: inline\n", nil)
	if w := real.Warnings(); len(w) != 1 || !strings.Contains(w[0], "onboard.yaml:3: the file is marked sandbox: true but acefone's base_url points at api.acefone.in") {
		t.Errorf("real vendor marked sandbox: %q", w)
	}
	_, err := parse(t, "sandbox: [1]\nvendors:\n  acefone: {token: x}\n", nil)
	if err == nil || !strings.Contains(err.Error(), "onboard.yaml:1: sandbox: must be a single value") {
		t.Errorf("sandbox: [1]: %v", err)
	}
}

// guard makes the process's default HTTP transport (which the vendor
// clients built at load clone) loopback-only for the test: any dial outside
// fails the test. Not for parallel tests.
func guard(t *testing.T) {
	t.Helper()
	saved := http.DefaultTransport
	http.DefaultTransport = netguard.LoopbackOnly(t)
	t.Cleanup(func() { http.DefaultTransport = saved })
}
