package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	clock := newClock()
	e := start(t, Options{Now: clock.Now, VendorFaults: map[string]Faults{NetSapiens: {Rate: 0.5, Burst: 1}}})
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("1")), http.StatusAccepted)
	a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("2"))
	e.mustStatus(a, http.StatusTooManyRequests)
	if a.header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q, want 2 (one token every 2 s)", a.header.Get("Retry-After"))
	}
	if m := a.json(t); m["code"] != float64(429) {
		t.Errorf("429 body not in NetSapiens shape: %s", a.raw)
	}
	// Lookups share the bucket; a throttled call spends no token.
	e.mustStatus(e.send("GET", NetSapiensPath+"/domains/~/users/1", nsAuthHeader, nil), http.StatusTooManyRequests)
	clock.Advance(time.Second)
	a = e.send("GET", NetSapiensPath+"/domains/~/users/1", nsAuthHeader, nil)
	e.mustStatus(a, http.StatusTooManyRequests)
	if a.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q after 1 s, want 1", a.header.Get("Retry-After"))
	}
	clock.Advance(time.Second)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("2")), http.StatusAccepted)

	// Other vendors are not limited.
	for range 5 {
		e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/login", nil, map[string]any{"login_id": AcefoneLoginID, "password": AcefonePassword}), http.StatusOK)
	}
	st := e.srv.Ledger().Stats[NetSapiens]
	if st.Throttled != 3 || st.Requests != 5 || st.Created != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestRateLimitCoversAuthEndpoints(t *testing.T) {
	clock := newClock()
	e := start(t, Options{Now: clock.Now, Faults: Faults{Rate: 1}})
	login := map[string]any{"login_id": AcefoneLoginID, "password": AcefonePassword}
	e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/login", nil, login), http.StatusOK)
	a := e.send("POST", AcefonePath+"/v1/auth/login", nil, login)
	e.mustStatus(a, http.StatusTooManyRequests)
	if m := a.json(t); m["success"] != false || a.header.Get("Retry-After") != "1" {
		t.Errorf("Acefone 429: %s %v", a.raw, a.header)
	}
	cove := envelope("Login", "", map[string]any{"partner": CovePartner, "username": CoveUsername, "password": CovePassword})
	e.mustStatus(e.send("POST", CovePath, nil, cove), http.StatusOK)
	a = e.send("POST", CovePath, nil, cove)
	e.mustStatus(a, http.StatusTooManyRequests)
	var r rpcAnswer
	if err := json.Unmarshal(a.raw, &r); err != nil || r.Error == nil || r.Error.Data != CoveCodeThrottled || string(r.ID) != `"jsonrpc"` || r.Visa != "" {
		t.Errorf("Cove 429 body %s", a.raw)
	}
	a = e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins", fdAuthHeader, nil)
	e.mustStatus(a, http.StatusOK)
	a = e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins", fdAuthHeader, nil)
	e.mustStatus(a, http.StatusTooManyRequests)
	if rs, _ := a.json(t)["ResponseStatus"].(map[string]any); rs["ErrorCode"] != FDCodeRateLimited {
		t.Errorf("Fone Dynamics 429 body %s", a.raw)
	}
}

func TestInjectedServerErrorsInVendorShapes(t *testing.T) {
	e := start(t, Options{Faults: Faults{ErrorRate: 1}})
	check := func(name string, a answer, shape func(map[string]any) bool) {
		t.Helper()
		if a.err != nil || (a.status != 503 && a.status != 500) {
			t.Fatalf("%s: status %d err %v", name, a.status, a.err)
		}
		if a.status == 503 && a.header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", name)
		}
		if !shape(a.json(t)) {
			t.Errorf("%s: body %s", name, a.raw)
		}
	}
	check("netsapiens", e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("1")),
		func(m map[string]any) bool { return m["code"] == m["code"] && m["message"] != nil && m["code"] != nil })
	check("netsapiens lookup", e.send("GET", NetSapiensPath+"/domains/~/users/1", nsAuthHeader, nil),
		func(m map[string]any) bool { return m["code"] != nil })
	check("acefone", e.send("POST", AcefonePath+"/v1/user", map[string]string{"Authorization": AcefoneStaticToken}, acefoneFullUser),
		func(m map[string]any) bool { return m["success"] == false && m["message"] != nil })
	check("fonedynamics", e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, fdSeedRequest),
		func(m map[string]any) bool {
			rs, _ := m["ResponseStatus"].(map[string]any)
			return rs["ErrorCode"] != nil && rs["Message"] != nil
		})
	// Login is never failed by injection, AddUser is.
	visa := e.coveLogin()
	check("cove", e.send("POST", CovePath, nil, strings.Replace(coveSeedAddUser, "{{visa}}", visa, 1)),
		func(m map[string]any) bool { return m["error"] != nil && m["id"] == "jsonrpc" && m["visa"] == nil })
	l := e.srv.Ledger()
	for target, recs := range l.Created {
		if len(recs) != 0 {
			t.Errorf("%s: %d records stored by failed calls", target, len(recs))
		}
	}
	if l.Stats[NetSapiens].Errors != 2 || l.Stats[Cove].Errors != 1 || l.Stats[Cove].Requests != 2 {
		t.Errorf("stats %+v", l.Stats)
	}
}

func TestErrorShareIsRoughlyTheRate(t *testing.T) {
	e := start(t, Options{Seed: 1, Faults: Faults{ErrorRate: 0.3}})
	errs := 0
	const n = 200
	for i := range n {
		a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser(fmt.Sprint(1000+i)))
		if a.status >= 500 {
			errs++
		} else if a.status != http.StatusAccepted {
			t.Fatalf("status %d %s", a.status, a.raw)
		}
	}
	// 30% of 200 is 60; a binomial's 4 standard deviations are ±26.
	if errs < 34 || errs > 86 {
		t.Errorf("%d of %d calls failed at an error rate of 0.3", errs, n)
	}
	l := e.srv.Ledger()
	if len(l.Created["netsapiens.user"]) != n-errs || l.Stats[NetSapiens].Errors != errs {
		t.Errorf("%d stored, %d errors counted, %d seen", len(l.Created["netsapiens.user"]), l.Stats[NetSapiens].Errors, errs)
	}
}

func TestLostAnswerStoresTheRecord(t *testing.T) {
	e := start(t, Options{VendorFaults: map[string]Faults{FoneDynamics: {LostRate: 1}, Cove: {LostRate: 1}}})
	a := e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, fdSeedRequest)
	if a.err == nil {
		t.Fatalf("a lost answer arrived: %d %s", a.status, a.raw)
	}
	logins := e.srv.Ledger().Created["fonedynamics.login"]
	if len(logins) != 1 || logins[0].Key != FoneDynamicsPropertySid+"/jane@example.com" {
		t.Fatalf("ledger %+v", logins)
	}
	// The client's retry finds the record there: the duplicate is counted.
	a = e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, fdSeedRequest)
	if a.err == nil {
		t.Fatal("second lost answer arrived")
	}
	// Lookups are never lost, and find it.
	a = e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins", fdAuthHeader, nil)
	e.mustStatus(a, http.StatusOK)
	if !strings.Contains(string(a.raw), "jane@example.com") {
		t.Errorf("lookup %s", a.raw)
	}
	l := e.srv.Ledger()
	if l.Created["fonedynamics.login"][0].Duplicates != 1 || l.Stats[FoneDynamics].Lost != 2 {
		t.Errorf("ledger %+v stats %+v", l.Created["fonedynamics.login"], l.Stats[FoneDynamics])
	}

	// Cove: the AddUser answer (and its new visa) is lost, the old visa
	// still works for reconciliation.
	visa := e.coveLogin()
	a = e.send("POST", CovePath, nil, strings.Replace(coveSeedAddUser, "{{visa}}", visa, 1))
	if a.err == nil {
		t.Fatalf("a lost answer arrived: %s", a.raw)
	}
	r := e.rpc(envelope("GetUserInfo", visa, map[string]any{"partnerId": CovePartnerID, "nameOrEmail": "backup.test@mail.com"}))
	if r.Error != nil {
		t.Fatalf("GetUserInfo after a lost AddUser: %+v", r.Error)
	}
}

func TestMalformedAnswerStoresTheRecord(t *testing.T) {
	e := start(t, Options{VendorFaults: map[string]Faults{Acefone: {MalformedRate: 1}}})
	a := e.send("POST", AcefonePath+"/v1/user", map[string]string{"Authorization": AcefoneStaticToken}, acefoneFullUser)
	e.mustStatus(a, http.StatusOK)
	var v any
	if err := json.Unmarshal(a.raw, &v); err == nil {
		t.Fatalf("malformed answer parsed: %s", a.raw)
	}
	if !strings.HasPrefix(string(a.raw), `{"`) || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("answer %q %v", a.raw, a.header)
	}
	// Login answers are never cut.
	e.acefoneLogin()
	l := e.srv.Ledger()
	if len(l.Created["acefone.user"]) != 1 || l.Stats[Acefone].Malformed != 1 {
		t.Errorf("ledger %+v stats %+v", l.Created["acefone.user"], l.Stats[Acefone])
	}
}

func TestLatencyIsAddedAndCutShortOnClose(t *testing.T) {
	e := start(t, Options{Faults: Faults{Latency: 80 * time.Millisecond}})
	began := time.Now()
	e.mustStatus(e.send("GET", NetSapiensPath+"/domains/~/users/1", nsAuthHeader, nil), http.StatusNotFound)
	if took := time.Since(began); took < 80*time.Millisecond {
		t.Errorf("lookup took %v with 80ms latency", took)
	}
	began = time.Now()
	e.acefoneLogin() // auth endpoints get no latency
	if took := time.Since(began); took >= 80*time.Millisecond {
		t.Errorf("login took %v", took)
	}

	slow := start(t, Options{Faults: Faults{Latency: time.Minute}})
	done := make(chan answer, 1)
	go func() { done <- slow.send("GET", NetSapiensPath+"/domains/~/users/1", nsAuthHeader, nil) }()
	time.Sleep(50 * time.Millisecond)
	began = time.Now()
	if err := slow.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("Close waited %v for a call in its latency", took)
	}
	<-done
}

// outcomes runs a fixed sequence of creates and lookups against a fresh
// sandbox and describes what each call got.
func outcomes(t *testing.T, seed uint64) []string {
	e := start(t, Options{Seed: seed, Faults: Faults{ErrorRate: 0.2, LostRate: 0.15, MalformedRate: 0.15}})
	var out []string
	for i := range 40 {
		var a answer
		if i%4 == 3 {
			a = e.send("GET", NetSapiensPath+"/domains/~/users/"+fmt.Sprint(i-1), nsAuthHeader, nil)
		} else {
			a = e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser(fmt.Sprint(i)))
		}
		switch {
		case a.err != nil:
			out = append(out, "lost")
		case !json.Valid(a.raw):
			out = append(out, fmt.Sprintf("%d-malformed", a.status))
		default:
			out = append(out, fmt.Sprint(a.status))
		}
	}
	return out
}

func TestSeededFaultsRepeat(t *testing.T) {
	a, b := outcomes(t, 42), outcomes(t, 42)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	kinds := map[string]bool{}
	for _, o := range a {
		kinds[strings.TrimPrefix(strings.TrimPrefix(o, "202-"), "200-")] = true
	}
	for _, k := range []string{"lost", "malformed", "202"} {
		if !kinds[k] {
			t.Errorf("no %q among %v", k, a)
		}
	}
	if !kinds["503"] && !kinds["500"] {
		t.Errorf("no 5xx among %v", a)
	}
	if c := outcomes(t, 43); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("seeds 42 and 43 gave the same faults: %v", a)
	}
}
