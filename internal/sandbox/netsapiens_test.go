package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// nsExampleUser is a full-featured Create User in Domain body built from
// the reference (seed 001, /work/shared/vendors/netsapiens.md): every
// documented key, with values inside the documented ranges and enums.
const nsExampleUser = `{
  "synchronous": "yes",
  "user": "1001",
  "name-first-name": "Jane",
  "name-last-name": "Smith",
  "login-username": "jane.smith@example.com",
  "email-address": "jane.smith@example.com;reception@example.com",
  "user-scope": "Office Manager",
  "department": "Sales",
  "site": "Denver HQ",
  "time-zone": "America/New_York",
  "voicemail-login-pin": "4812",
  "privacy": "no",
  "dial-plan": "Default",
  "dial-policy": "US and Canada",
  "status-message": "In the office",
  "directory-name-number-dtmf-mapping": 764,
  "voicemail-user-control-enabled": "yes",
  "phone-numbers-to-allow-enabled": "yes",
  "phone-numbers-to-reject-enabled": "yes",
  "call-screening-enabled": "no",
  "ring-no-answer-timeout-seconds": 25,
  "language-token": "en_US",
  "limits-max-data-storage-kilobytes": 512000,
  "limits-max-active-calls-total": 2,
  "directory-annouce-in-dial-by-name-enabled": "yes",
  "directory-override-order-duplicate-dtmf-mapping": 0,
  "voicemail-greeting-index": 0,
  "voicemail-enabled": "yes",
  "voicemail-receive-broadcast-enabled": "yes",
  "reject-anonymous-calls-enabled": "no",
  "voicemail-playback-announce-datetime-received": "no",
  "voicemail-playback-announce-caller-id": "no",
  "voicemail-playback-sort-newest-to-oldest": "yes",
  "email-send-alert-new-voicemail-cc-list-csv": "1002,1003",
  "email-send-alert-new-voicemail-behavior": "attnew",
  "email-send-alert-new-voicemail-enabled": "yes",
  "email-send-alert-new-missed-call-enabled": "no",
  "email-send-alert-data-storage-limit-reached-enabled": "no",
  "caller-id-number": 15551234567,
  "caller-id-name": "Acme Sales",
  "caller-id-number-emergency": 15551234567,
  "area-code": 555,
  "directory-name-visible-in-list-enabled": "yes",
  "service-code": "system-sales",
  "voicemail-transcription-enabled": "Google",
  "emergency-address-id": "addr-1",
  "call-recordings-hide-from-others-enabled": "no",
  "music-on-hold-randomized-enabled": "no",
  "music-on-hold-comfort-message-repeat-interval-seconds": 30,
  "recording-configuration": "yes-with-transcription"
}`

func TestNetSapiensExampleUserSynchronous(t *testing.T) {
	e := start(t, Options{})
	a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsExampleUser)
	e.mustStatus(a, http.StatusOK)
	obj := a.json(t)
	for k, want := range map[string]any{
		"domain": "sandbox.example", "user": "1001", "login-username": "jane.smith@example.com",
		"user-scope": "Office Manager", "area-code": float64(555), "caller-id-number": float64(15551234567),
		"recording-configuration": "yes-with-transcription",
	} {
		if obj[k] != want {
			t.Errorf("%s = %v, want %v", k, obj[k], want)
		}
	}
	if _, ok := obj["synchronous"]; ok {
		t.Error("the created user echoes the synchronous flag")
	}
	// The user's site did not exist: it was made on the fly.
	sites := e.srv.Ledger().Created["netsapiens.site"]
	if len(sites) != 1 || sites[0].Key != "sandbox.example/Denver HQ" || !sites[0].Implicit || sites[0].Creates != 0 {
		t.Fatalf("implicit site %+v", sites)
	}
	// So creating that site now is a conflict: sites go first.
	a = e.send("POST", NetSapiensPath+"/domains/sandbox.example/sites", nsAuthHeader, map[string]any{"site": "Denver HQ"})
	e.mustStatus(a, http.StatusConflict)
}

func TestNetSapiensAsynchronousAndDefaults(t *testing.T) {
	e := start(t, Options{})
	a := e.send("POST", NetSapiensPath+"/domains/acme.example/users", nsAuthHeader, nsUser("200"))
	e.mustStatus(a, http.StatusAccepted)
	if m := a.json(t); m["code"] != float64(202) || m["message"] == "" {
		t.Fatalf("202 body %s", a.raw)
	}
	a = e.send("GET", NetSapiensPath+"/domains/acme.example/users/200", nsAuthHeader, nil)
	e.mustStatus(a, http.StatusOK)
	obj := a.json(t)
	// Documented defaults fill what was not sent.
	for k, want := range map[string]any{
		"login-username": "200@acme.example", "voicemail-enabled": "yes", "privacy": "no",
		"recording-configuration": "no", "domain": "acme.example",
	} {
		if obj[k] != want {
			t.Errorf("%s = %v, want %v", k, obj[k], want)
		}
	}
	e.mustStatus(e.send("GET", NetSapiensPath+"/domains/acme.example/users/201", nsAuthHeader, nil), http.StatusNotFound)
	a = e.send("GET", NetSapiensPath+"/domains/other.example/users/200", nsAuthHeader, nil)
	e.mustStatus(a, http.StatusNotFound)
	if m := a.json(t); m["code"] != float64(404) {
		t.Errorf("404 body %s", a.raw)
	}
}

func TestNetSapiensValidation(t *testing.T) {
	e := start(t, Options{})
	with := func(k string, v any) map[string]any {
		b := nsUser("300")
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name string
		body any
		want string
	}{
		{"range", with("area-code", 1000), "area-code must be a whole number from 100 to 999; found '1000'"},
		{"range low", with("directory-name-number-dtmf-mapping", 99), "directory-name-number-dtmf-mapping must be a whole number from 100 to 999"},
		{"enum", with("user-scope", "Astronaut"), "user-scope must be one of"},
		{"enum case", with("user-scope", "basic user"), "user-scope must be spelled exactly 'Basic User'"},
		{"time zone", with("time-zone", "Mars/Olympus"), "time-zone must be one of the 221 allowed values"},
		{"yes/no", with("privacy", "maybe"), "privacy must be yes or no"},
		{"missing", with("name-last-name", nil), "name-last-name is required"},
		{"missing scope", with("user-scope", nil), "user-scope is required"},
		{"type", with("area-code", "555"), "area-code must be a whole number; found a string"},
		{"email", with("email-address", "jane@"), "email-address must be email addresses separated by ';'"},
		{"unknown key", with("user_scope", "Basic User"), "user_scope is not a known field; did you mean 'user-scope'?"},
		{"domain in body", with("domain", "x.example"), "domain is not a known field"},
		{"not json", `{"user": "1"`, "not a JSON object"},
		{"array", `[1]`, "not a JSON object"},
	}
	for _, c := range cases {
		a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, c.body)
		if a.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, body %s", c.name, a.status, a.raw)
			continue
		}
		m := a.json(t)
		if m["code"] != float64(400) || !strings.Contains(fmt.Sprint(m["message"]), c.want) {
			t.Errorf("%s: body %s; want message containing %q", c.name, a.raw, c.want)
		}
	}
	// Several problems are reported together, in field order.
	a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, map[string]any{"user": "1", "area-code": 5})
	e.mustStatus(a, http.StatusBadRequest)
	msg := fmt.Sprint(a.json(t)["message"])
	if !strings.HasPrefix(msg, "name-first-name is required; name-last-name is required") || !strings.Contains(msg, "area-code must be") {
		t.Errorf("combined message %q", msg)
	}
	if n := len(e.srv.Ledger().Created["netsapiens.user"]); n != 0 {
		t.Errorf("%d invalid users stored", n)
	}
	// A bad domain in the path.
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/bad%20domain!/users", nsAuthHeader, nsUser("1")), http.StatusBadRequest)
}

func TestNetSapiensConflicts(t *testing.T) {
	e := start(t, Options{})
	body := nsUser("400")
	body["login-username"] = "shared@example.com"
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, body), http.StatusAccepted)

	// Same extension in the same domain ("~" is the token's domain).
	a := e.send("POST", NetSapiensPath+"/domains/sandbox.example/users", nsAuthHeader, nsUser("400"))
	e.mustStatus(a, http.StatusConflict)
	if m := a.json(t); m["code"] != float64(409) || !strings.Contains(fmt.Sprint(m["message"]), "already exists") {
		t.Errorf("409 body %s", a.raw)
	}
	// The same login-username in another domain: unique system-wide.
	other := nsUser("401")
	other["login-username"] = "SHARED@example.com"
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/acme.example/users", nsAuthHeader, other), http.StatusConflict)
	// A default login-username (user@domain) taken by an explicit one.
	clash := nsUser("402")
	clash["login-username"] = "403@sandbox.example"
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, clash), http.StatusAccepted)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("403")), http.StatusConflict)
	// The same extension in another domain is fine.
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/acme.example/users", nsAuthHeader, nsUser("400")), http.StatusAccepted)
}

func TestNetSapiensSites(t *testing.T) {
	e := start(t, Options{})
	site := map[string]any{"synchronous": "yes", "site": "Denver HQ", "time-zone": "America/Denver", "area-code": 303}
	a := e.send("POST", NetSapiensPath+"/domains/~/sites", nsAuthHeader, site)
	e.mustStatus(a, http.StatusOK)
	if m := a.json(t); m["site"] != "Denver HQ" || m["voicemail-enabled"] != "yes" || m["domain"] != "sandbox.example" {
		t.Errorf("site object %s", a.raw)
	}
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/sites", nsAuthHeader, map[string]any{"site": "Denver HQ"}), http.StatusConflict)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/sites", nsAuthHeader, map[string]any{"site": "Boston"}), http.StatusAccepted)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/sites", nsAuthHeader, map[string]any{"time-zone": "US/Eastern"}), http.StatusBadRequest)
	e.mustStatus(e.send("GET", NetSapiensPath+"/domains/~/sites/Denver%20HQ", nsAuthHeader, nil), http.StatusOK)
	e.mustStatus(e.send("GET", NetSapiensPath+"/domains/~/sites/Austin", nsAuthHeader, nil), http.StatusNotFound)
	// A user naming an existing site does not make another.
	u := nsUser("500")
	u["site"] = "Denver HQ"
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, u), http.StatusAccepted)
	sites := e.srv.Ledger().Created["netsapiens.site"]
	if len(sites) != 2 || sites[0].Creates != 1 || sites[0].Duplicates != 1 || sites[0].Key != "sandbox.example/Denver HQ" {
		t.Fatalf("sites %+v", sites)
	}
}

func TestNetSapiensAuth(t *testing.T) {
	e := start(t, Options{})
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": NetSapiensToken},
		{"Authorization": "Basic " + NetSapiensToken}} {
		a := e.send("POST", NetSapiensPath+"/domains/~/users", h, nsUser("1"))
		e.mustStatus(a, http.StatusUnauthorized)
		if m := a.json(t); m["code"] != float64(401) {
			t.Errorf("401 body %s", a.raw)
		}
		if a.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		e.mustStatus(e.send("GET", NetSapiensPath+"/domains/~/users/1", h, nil), http.StatusUnauthorized)
	}
	if n := len(e.srv.Ledger().Created["netsapiens.user"]); n != 0 {
		t.Errorf("%d users stored without credentials", n)
	}
}

func TestNetSapiensRestrictedDomains(t *testing.T) {
	e := start(t, Options{Domains: []string{"acme.example"}})
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/acme.example/users", nsAuthHeader, nsUser("1")), http.StatusAccepted)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("1")), http.StatusAccepted)
	a := e.send("POST", NetSapiensPath+"/domains/other.example/users", nsAuthHeader, nsUser("1"))
	e.mustStatus(a, http.StatusNotFound)
	if m := a.json(t); !strings.Contains(fmt.Sprint(m["message"]), "other.example") {
		t.Errorf("404 body %s", a.raw)
	}
}

// The sandbox applies the vendor's rules, not onboard's advice: any
// string is an extension (seed 001 types user as a string), user-scope is
// required as the reference marks it (the client sends its default), and
// sites take the recording toggle of seed 003.
func TestNetSapiensVendorRules(t *testing.T) {
	e := start(t, Options{})
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("ext-7")), http.StatusAccepted)
	if a := e.send("GET", NetSapiensPath+"/domains/~/users/ext-7", nsAuthHeader, nil); a.status != http.StatusOK || a.json(t)["user"] != "ext-7" {
		t.Errorf("lookup of ext-7: %d %s", a.status, a.raw)
	}
	noScope := nsUser("501")
	delete(noScope, "user-scope")
	a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, noScope)
	e.mustStatus(a, http.StatusBadRequest)
	if m := a.json(t); m["message"] != "user-scope is required" {
		t.Errorf("no scope: %s", a.raw)
	}
	site := map[string]any{"site": "Denver HQ", "synchronous": "yes", "call-recordings-hide-from-others-enabled": "yes"}
	a = e.send("POST", NetSapiensPath+"/domains/~/sites", nsAuthHeader, site)
	e.mustStatus(a, http.StatusOK)
	if m := a.json(t); m["call-recordings-hide-from-others-enabled"] != "yes" || m["language-token"] != "en_US" {
		t.Errorf("site answer %s", a.raw)
	}
	a = e.send("GET", NetSapiensPath+"/domains/~/sites/Denver%20HQ", nsAuthHeader, nil)
	if m := a.json(t); a.status != http.StatusOK || m["call-recordings-hide-from-others-enabled"] != "yes" {
		t.Errorf("site lookup %d %s", a.status, a.raw)
	}
}

// Every NetSapiens error is {"code": <status>, "message": "..."} and
// nothing else (shared/vendors/netsapiens.md).
func TestNetSapiensErrorShape(t *testing.T) {
	e := start(t, Options{Domains: []string{"example.com"}})
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("600")), http.StatusAccepted)
	for _, c := range []struct {
		method, path string
		auth         map[string]string
		body         any
		status       int
	}{
		{"POST", "/domains/~/users", nsAuthHeader, map[string]any{"user": "1"}, http.StatusBadRequest},
		{"POST", "/domains/~/users", nsAuthHeader, nsUser("600"), http.StatusConflict},
		{"POST", "/domains/nowhere.example/users", nsAuthHeader, nsUser("601"), http.StatusNotFound},
		{"GET", "/domains/~/users/999", nsAuthHeader, nil, http.StatusNotFound},
		{"POST", "/domains/~/users", nil, nsUser("602"), http.StatusUnauthorized},
	} {
		a := e.send(c.method, NetSapiensPath+c.path, c.auth, c.body)
		m := a.json(t)
		msg, ok := m["message"].(string)
		if a.status != c.status || m["code"] != float64(c.status) || !ok || msg == "" || len(m) != 2 {
			t.Errorf("%s %s: %d %s; want %d {code, message}", c.method, c.path, a.status, a.raw, c.status)
		}
	}
}
