package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// acefoneFullUser uses every key of the Create User reference (seed 002).
const acefoneFullUser = `{
  "name": "Priya Sharma",
  "number": "+919876543210",
  "create_agent": true,
  "email": "priya.sharma@example.com",
  "login_id": "priya.sharma",
  "user_role": 3,
  "password": "Chang3-Me!",
  "status": true,
  "caller_id": [101, 102],
  "create_web_login": true,
  "block_web_login": false,
  "user_for_cdr": {"users": [5001, 5002]},
  "login_based_calling": false,
  "agent_group": ["sales group"],
  "department": ["Sales Department", "Finance Department"],
  "time_group": "Evening Shift",
  "create_extension": true,
  "enable_calling": true
}`

// acefoneLogin logs in and returns the access token.
func (e *env) acefoneLogin() string {
	e.t.Helper()
	a := e.send("POST", AcefonePath+"/v1/auth/login", nil, map[string]any{"login_id": AcefoneLoginID, "password": AcefonePassword})
	e.mustStatus(a, http.StatusOK)
	m := a.json(e.t)
	tok, _ := m["access_token"].(string)
	if m["success"] != true || tok == "" || m["token_type"] != "bearer" {
		e.t.Fatalf("login body %s", a.raw)
	}
	return tok
}

func TestAcefoneLogin(t *testing.T) {
	e := start(t, Options{})
	a := e.send("POST", AcefonePath+"/v1/auth/login", nil, map[string]any{"login_id": AcefoneLoginID, "password": AcefonePassword})
	e.mustStatus(a, http.StatusOK)
	if m := a.json(t); m["expires_in"] != float64(3600) {
		t.Errorf("expires_in %v", m["expires_in"])
	}
	for _, body := range []any{
		map[string]any{"login_id": AcefoneLoginID, "password": "wrong"},
		map[string]any{"login_id": "someone@acefone.test", "password": AcefonePassword},
	} {
		a := e.send("POST", AcefonePath+"/v1/auth/login", nil, body)
		e.mustStatus(a, http.StatusUnauthorized)
		m := a.json(t)
		if m["success"] != false || m["message"] == "" || m["error"] == nil {
			t.Errorf("401 body %s", a.raw)
		}
		if strings.Contains(string(a.raw), "wrong") {
			t.Error("the answer echoes the password")
		}
	}
	e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/login", nil, map[string]any{"login_id": AcefoneLoginID}), http.StatusBadRequest)
	e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/login", nil, "not json"), http.StatusBadRequest)
}

func TestAcefoneCreateFullUser(t *testing.T) {
	e := start(t, Options{})
	tok := e.acefoneLogin()
	a := e.send("POST", AcefonePath+"/v1/user", map[string]string{"Authorization": "Bearer " + tok}, acefoneFullUser)
	e.mustStatus(a, http.StatusOK)
	m := a.json(t)
	if len(m) != 2 || m["success"] != true || m["message"] != "User created successfully" {
		t.Fatalf("success body %s", a.raw)
	}
	users := e.srv.Ledger().Created["acefone.user"]
	if len(users) != 1 {
		t.Fatalf("ledger %+v", users)
	}
	u := users[0]
	if u.Key != "priya.sharma" || u.ID != "priya.sharma" || u.Creates != 1 {
		t.Errorf("entry %+v", u)
	}
	if u.Body["password"] != "********" || u.Body["number"] != "+919876543210" {
		t.Errorf("body %v", u.Body)
	}
	if strings.Contains(fmt.Sprint(e.send("GET", LedgerPath, nil, nil).raw), "Chang3-Me!") {
		t.Error("the ledger shows the password")
	}

	// The raw token (no "Bearer") works too; the ledger names users by login ID.
	body := strings.Replace(strings.Replace(acefoneFullUser, "priya.sharma\"", "ravi.kumar\"", 1), "priya.sharma@", "ravi.kumar@", 1)
	a = e.send("POST", AcefonePath+"/v1/user", map[string]string{"Authorization": tok}, body)
	e.mustStatus(a, http.StatusOK)
	if users := e.srv.Ledger().Created["acefone.user"]; len(users) != 2 || users[1].ID != "ravi.kumar" {
		t.Errorf("ledger %+v", users)
	}
}

func TestAcefoneDuplicateLoginID(t *testing.T) {
	e := start(t, Options{})
	h := map[string]string{"Authorization": e.acefoneLogin()}
	e.mustStatus(e.send("POST", AcefonePath+"/v1/user", h, acefoneFullUser), http.StatusOK)
	dup := strings.Replace(acefoneFullUser, `"login_id": "priya.sharma"`, `"login_id": "Priya.Sharma"`, 1)
	a := e.send("POST", AcefonePath+"/v1/user", h, dup)
	e.mustStatus(a, http.StatusBadRequest)
	m := a.json(t)
	errs, _ := m["error"].(map[string]any)
	if m["success"] != false || m["message"] != AcefoneDuplicateMessage || fmt.Sprint(errs["login_id"]) != "["+AcefoneDuplicateMessage+"]" {
		t.Fatalf("duplicate body %s", a.raw)
	}
	users := e.srv.Ledger().Created["acefone.user"]
	if len(users) != 1 || users[0].Duplicates != 1 {
		t.Fatalf("ledger %+v", users)
	}
}

func TestAcefoneValidation(t *testing.T) {
	e := start(t, Options{})
	h := map[string]string{"Authorization": "Bearer " + e.acefoneLogin()}
	cases := []struct {
		name, from, to, key, want string
	}{
		{"email", `"priya.sharma@example.com"`, `"priya.sharma"`, "email", "must be a valid email address"},
		{"bool type", `"status": true`, `"status": "true"`, "status", "must be true or false; found a string"},
		{"caller ids", `[101, 102]`, `[101, 0]`, "caller_id", "item 2 must be a whole number of at least 1"},
		{"caller id type", `[101, 102]`, `"101,102"`, "caller_id", "must be a JSON array"},
		{"phone type", `"+919876543210"`, `919876543210`, "number", "must be a string"},
		{"role", `"user_role": 3`, `"user_role": 0`, "user_role", AcefoneRoleMessage},
		{"missing", `"user_role": 3,`, ``, "user_role", "is required"},
		{"cdr", `{"users": [5001, 5002]}`, `[5001]`, "user_for_cdr", "must be a JSON object"},
		{"unknown", `"time_group"`, `"timegroup"`, "timegroup", "is not a known field; did you mean 'time_group'?"},
	}
	for _, c := range cases {
		body := strings.Replace(acefoneFullUser, c.from, c.to, 1)
		if body == acefoneFullUser {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		a := e.send("POST", AcefonePath+"/v1/user", h, body)
		if a.status != http.StatusBadRequest {
			t.Errorf("%s: status %d %s", c.name, a.status, a.raw)
			continue
		}
		m := a.json(t)
		errs, _ := m["error"].(map[string]any)
		if m["success"] != false || !strings.Contains(fmt.Sprint(errs[c.key]), c.want) || !strings.Contains(fmt.Sprint(m["message"]), c.want) {
			t.Errorf("%s: body %s; want error.%s containing %q", c.name, a.raw, c.key, c.want)
		}
		if strings.Contains(string(a.raw), "Chang3-Me!") {
			t.Errorf("%s: the answer echoes the password", c.name)
		}
	}
	if n := len(e.srv.Ledger().Created["acefone.user"]); n != 0 {
		t.Errorf("%d invalid users stored", n)
	}
}

func TestAcefoneTokens(t *testing.T) {
	clock := newClock()
	e := start(t, Options{Now: clock.Now, TokenTTL: time.Minute, TokenRefreshWindow: time.Hour})
	create := func(h map[string]string, login string) answer {
		body := strings.ReplaceAll(acefoneFullUser, "priya.sharma", login)
		return e.send("POST", AcefonePath+"/v1/user", h, body)
	}
	expectAuth := func(a answer, msg string) {
		t.Helper()
		e.mustStatus(a, http.StatusUnauthorized)
		if m := a.json(t); m["success"] != false || m["message"] != msg {
			t.Errorf("401 body %s; want message %q", a.raw, msg)
		}
	}
	expectAuth(create(nil, "a1"), "Token not provided")
	expectAuth(create(map[string]string{"Authorization": "Bearer made-up"}, "a1"), "Token is invalid")

	tok := e.acefoneLogin()
	e.mustStatus(create(map[string]string{"Authorization": tok}, "a1"), http.StatusOK)
	clock.Advance(61 * time.Second)
	expectAuth(create(map[string]string{"Authorization": tok}, "a2"), "Token has expired")

	// Refresh with the expired token (within the window) gives a new one.
	a := e.send("POST", AcefonePath+"/v1/auth/refresh", map[string]string{"Authorization": "Bearer " + tok}, nil)
	e.mustStatus(a, http.StatusOK)
	m := a.json(t)
	fresh, _ := m["access_token"].(string)
	if m["success"] != true || fresh == "" || fresh == tok || m["expires_in"] != float64(60) {
		t.Fatalf("refresh body %s", a.raw)
	}
	e.mustStatus(create(map[string]string{"Authorization": fresh}, "a2"), http.StatusOK)

	// A valid token refreshes too; past the window it no longer does.
	e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/refresh", map[string]string{"Authorization": fresh}, nil), http.StatusOK)
	clock.Advance(2 * time.Hour)
	e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/refresh", map[string]string{"Authorization": fresh}, nil), http.StatusUnauthorized)
	e.mustStatus(e.send("POST", AcefonePath+"/v1/auth/refresh", nil, nil), http.StatusUnauthorized)

	// A token from another sandbox (another signing key) is unknown here.
	other := start(t, Options{})
	foreign := other.acefoneLogin()
	expectAuth(create(map[string]string{"Authorization": foreign}, "a3"), "Token is invalid")

	// The vendor-issued static token never expires.
	e.mustStatus(create(map[string]string{"Authorization": AcefoneStaticToken}, "a3"), http.StatusOK)
}

// The seed types number as "string" only: a number onboard merely advises
// against is taken and stored as sent.
func TestAcefoneTakesAnyNumberString(t *testing.T) {
	e := start(t, Options{})
	h := map[string]string{"Authorization": "Bearer " + e.acefoneLogin()}
	body := strings.Replace(acefoneFullUser, `"+919876543210"`, `"12345"`, 1)
	e.mustStatus(e.send("POST", AcefonePath+"/v1/user", h, body), http.StatusOK)
	users := e.srv.Ledger().Created["acefone.user"]
	if len(users) != 1 || users[0].Body["number"] != "12345" {
		t.Errorf("ledger %+v", users)
	}
}
