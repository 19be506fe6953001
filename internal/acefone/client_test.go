package acefone

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/schema"
)

const (
	apiLogin    = "api.user"
	apiPassword = "api-pa55-secret"
	userPass    = "Chang3-Me!"
)

var fullUser = map[string]string{
	"name":                "Priya Sharma",
	"number":              "+91 98765 43210",
	"create_agent":        "TRUE",
	"email":               "priya.sharma@example.com",
	"login_id":            "priya.sharma",
	"user_role":           "3",
	"password":            userPass,
	"status":              "yes",
	"caller_id":           "101, 102",
	"create_web_login":    "TRUE",
	"block_web_login":     "FALSE",
	"user_for_cdr":        `{"users": [12, 15]}`,
	"login_based_calling": "no",
	"agent_group":         "sales group, support group",
	"department":          "Sales Department, Finance Department",
	"time_group":          "Evening Shift",
	"create_extension":    "TRUE",
	"enable_calling":      "TRUE",
}

func user(t *testing.T) schema.Record {
	return httpcalltest.Record(t, User, map[string]string{
		"name": "Priya Sharma", "number": "919876543210", "create_agent": "TRUE", "email": "priya@example.com",
		"login_id": "priya.sharma", "user_role": "3", "password": userPass, "status": "TRUE", "caller_id": "101",
	})
}

// fake is an Acefone stand-in. It issues tokens tok-1, tok-2, ... from
// login and refresh; create answers each POST /v1/user.
type fake struct {
	t         *testing.T
	srv       *httptest.Server
	mu        sync.Mutex
	issued    int
	logins    int
	refreshes int
	creates   int
	auths     []string // Authorization of each POST /v1/user
	bodies    [][]byte
	expiresIn int
	// loginStatus and refreshStatus, when set, refuse those calls.
	loginStatus   int
	refreshStatus int
	loginDelay    time.Duration
	create        func(w http.ResponseWriter, r *http.Request, n int, auth string)
}

func newFake(t *testing.T, create func(w http.ResponseWriter, r *http.Request, n int, auth string)) *fake {
	f := &fake{t: t, create: create, expiresIn: 3600}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fake) issue(w http.ResponseWriter) {
	f.issued++
	writeJSON(w, 200, fmt.Sprintf(`{"success":true,"access_token":"tok-%d","token_type":"bearer","expires_in":%d}`, f.issued, f.expiresIn))
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if r.Method != "POST" {
		writeJSON(w, 405, `{"success":false,"message":"method not allowed"}`)
		return
	}
	switch r.URL.Path {
	case "/v1/auth/login":
		var in map[string]string
		_ = json.Unmarshal(body, &in)
		time.Sleep(f.loginDelay)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.logins++
		if f.loginStatus != 0 || in["login_id"] != apiLogin || in["password"] != apiPassword {
			writeJSON(w, max(f.loginStatus, 401), `{"success":false,"message":"Invalid credentials for password `+in["password"]+`"}`)
			return
		}
		f.issue(w)
	case "/v1/auth/refresh":
		f.mu.Lock()
		defer f.mu.Unlock()
		f.refreshes++
		if f.refreshStatus != 0 || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			writeJSON(w, max(f.refreshStatus, 401), `{"success":false,"message":"token expired"}`)
			return
		}
		f.issue(w)
	case "/v1/user":
		f.mu.Lock()
		f.creates++
		n := f.creates
		auth := r.Header.Get("Authorization")
		f.auths = append(f.auths, auth)
		f.bodies = append(f.bodies, body)
		f.mu.Unlock()
		f.create(w, r, n, auth)
	default:
		writeJSON(w, 404, `{"success":false,"message":"no route"}`)
	}
}

func (f *fake) authAt(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.auths) {
		f.t.Fatalf("only %d creates were sent", len(f.auths))
	}
	return f.auths[i]
}

func (f *fake) allAuths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

func (f *fake) bodyAt(i int) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.bodies) {
		f.t.Fatalf("only %d creates were sent", len(f.bodies))
	}
	return f.bodies[i]
}

func (f *fake) counts() (logins, refreshes, creates int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins, f.refreshes, f.creates
}

func (f *fake) client(t *testing.T, mod ...func(*connector.Settings)) *Client {
	s := connector.Settings{BaseURL: f.srv.URL, Options: map[string]string{"login_id": apiLogin, "password": apiPassword}, Timeout: 2 * time.Second}
	for _, m := range mod {
		m(&s)
	}
	c, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Client)
}

func answer(status int, body string) func(http.ResponseWriter, *http.Request, int, string) {
	return func(w http.ResponseWriter, r *http.Request, _ int, _ string) { writeJSON(w, status, body) }
}

func TestGoldenBody(t *testing.T) {
	f := newFake(t, answer(200, `{"success":true,"message":"User created successfully"}`))
	rec := httpcalltest.FullRecord(t, User, fullUser)
	o := f.client(t).Create(context.Background(), connector.Request{Record: rec})
	if o.Status != connector.Created || o.ID != "priya.sharma" {
		t.Fatalf("outcome %+v", o)
	}
	if f.authAt(0) != "Bearer tok-1" {
		t.Errorf("Authorization %q, want Bearer tok-1", f.authAt(0))
	}
	httpcalltest.MatchGolden(t, f.bodyAt(0), "testdata/user.json")
}

func TestCreated(t *testing.T) {
	for _, tc := range []struct {
		body string
		id   string
	}{
		{`{"success":true,"message":"User created","id":4711}`, "4711"},
		{`{"success":true,"user_id":"u-9"}`, "u-9"},
		{`{"success":true,"data":{"id":99}}`, "99"},
		{`{"message":"created"}`, "priya.sharma"},
	} {
		f := newFake(t, answer(200, tc.body))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Created || o.ID != tc.id || o.HTTPStatus != 200 {
			t.Errorf("%s: outcome %+v, want ID %s", tc.body, o, tc.id)
		}
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		want    connector.Status
		message string
	}{
		{"200 with success false is not created", 200, `{"success":false,"message":"Invalid caller_id 101"}`, connector.Invalid, "Invalid caller_id 101"},
		{"duplicate login in the message", 200, `{"success":false,"message":"Login ID already exists"}`, connector.Exists, "Login ID already exists"},
		{"duplicate login as a field error", 400, `{"success":false,"message":"Validation failed","error":{"login_id":["The login id has already been taken."]}}`,
			connector.Exists, "Validation failed: login_id: The login id has already been taken."},
		{"duplicate email is not the user existing", 400, `{"success":false,"message":"Validation failed","error":{"email":["The email has already been taken."]}}`,
			connector.Invalid, "Validation failed: email: The email has already been taken."},
		{"duplicate number in the message", 400, `{"success":false,"message":"Mobile number already in use"}`, connector.Invalid, "Mobile number already in use"},
		{"409", 409, `{"success":false,"message":"Conflict"}`, connector.Exists, "Conflict"},
		{"400 with success true but error details is refused", 400, `{"success":true,"message":"Validation failed","error":{"user_role":["The selected user role is invalid."]}}`,
			connector.Invalid, "Validation failed: user_role: The selected user role is invalid."},
		{"wording alone without the login named is not a duplicate", 400, `{"success":false,"message":"User already exists"}`, connector.Invalid, "User already exists"},
		{"the error object decides over the message", 400, `{"success":false,"message":"Login ID or email already taken","error":{"email":["The email has already been taken."]}}`,
			connector.Invalid, "Login ID or email already taken: email: The email has already been taken."},
		{"a login field error that is not a duplicate", 400, `{"success":false,"message":"Validation failed","error":{"login_id":["The login id format is invalid."]}}`,
			connector.Invalid, "Validation failed: login_id: The login id format is invalid."},
		{"duplicate login as a plain error string", 400, `{"success":false,"error":"login_id already exists"}`, connector.Exists, "login_id already exists"},
		{"403", 403, `{"success":false,"message":"Not permitted"}`, connector.Auth, "Acefone refused the request: Not permitted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, answer(tc.status, tc.body))
			o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != tc.want || o.Message != tc.message || o.HTTPStatus != tc.status {
				t.Errorf("outcome %+v, want %v %q", o, tc.want, tc.message)
			}
			if tc.want == connector.Exists && o.ID != "priya.sharma" {
				t.Errorf("exists without the login ID: %+v", o)
			}
		})
	}
}

func TestRetryableAndUncertain(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := httpcalltest.NewClock(now)
	for _, tc := range []struct {
		name       string
		handle     func(w http.ResponseWriter, r *http.Request, n int, auth string)
		want       connector.Status
		retryAfter time.Duration
	}{
		{"429 seconds", func(w http.ResponseWriter, r *http.Request, _ int, _ string) {
			w.Header().Set("Retry-After", "45")
			writeJSON(w, 429, `{"success":false,"message":"rate limited"}`)
		}, connector.Retryable, 45 * time.Second},
		{"429 HTTP-date", func(w http.ResponseWriter, r *http.Request, _ int, _ string) {
			w.Header().Set("Retry-After", now.Add(3*time.Minute).Format(http.TimeFormat))
			writeJSON(w, 429, ``)
		}, connector.Retryable, 3 * time.Minute},
		{"503", answer(503, `{"success":false,"message":"maintenance"}`), connector.Retryable, 0},
		{"dropped after the request", func(w http.ResponseWriter, r *http.Request, _ int, _ string) {
			httpcalltest.DropAfterRead(t, w, r)
		}, connector.Uncertain, 0},
		{"200 with a truncated body", func(w http.ResponseWriter, r *http.Request, _ int, _ string) {
			w.Header().Set("Content-Length", "200")
			writeJSON(w, 200, `{"success":true,"id":`)
		}, connector.Uncertain, 0},
		{"200 that is not JSON", answer(200, `<html>ok</html>`), connector.Uncertain, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.handle)
			o := f.client(t, func(s *connector.Settings) { s.Now = clock.Now }).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != tc.want || o.RetryAfter != tc.retryAfter {
				t.Errorf("outcome %+v, want %v retry after %v", o, tc.want, tc.retryAfter)
			}
			if _, _, creates := f.counts(); creates != 1 {
				t.Errorf("%d creates sent, want 1", creates)
			}
		})
	}
}

func TestAuthRenewal(t *testing.T) {
	okUnless := func(bad string) func(w http.ResponseWriter, r *http.Request, n int, auth string) {
		return func(w http.ResponseWriter, r *http.Request, n int, auth string) {
			if auth == bad {
				writeJSON(w, 401, `{"success":false,"message":"Token expired"}`)
				return
			}
			writeJSON(w, 200, `{"success":true,"id":7}`)
		}
	}
	t.Run("401 then refresh then retry", func(t *testing.T) {
		f := newFake(t, okUnless("Bearer tok-1"))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		logins, refreshes, creates := f.counts()
		if o.Status != connector.Created || logins != 1 || refreshes != 1 || creates != 2 {
			t.Errorf("outcome %+v; logins %d refreshes %d creates %d", o, logins, refreshes, creates)
		}
		if f.authAt(1) != "Bearer tok-2" {
			t.Errorf("retry sent %q, want the refreshed token", f.authAt(1))
		}
	})
	t.Run("401, refresh refused, login again, retry", func(t *testing.T) {
		f := newFake(t, okUnless("Bearer tok-1"))
		f.refreshStatus = 401
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		logins, refreshes, creates := f.counts()
		if o.Status != connector.Created || logins != 2 || refreshes != 1 || creates != 2 {
			t.Errorf("outcome %+v; logins %d refreshes %d creates %d", o, logins, refreshes, creates)
		}
	})
	t.Run("still 401 after one renewal is auth", func(t *testing.T) {
		f := newFake(t, answer(401, `{"success":false,"message":"Unauthorized"}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		logins, refreshes, creates := f.counts()
		if o.Status != connector.Auth || creates != 2 || logins+refreshes != 2 || !strings.Contains(o.Message, "Unauthorized") {
			t.Errorf("outcome %+v; logins %d refreshes %d creates %d", o, logins, refreshes, creates)
		}
	})
	t.Run("login refused is auth, password never shown", func(t *testing.T) {
		f := newFake(t, answer(200, `{"success":true}`))
		f.loginStatus = 401
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Auth || !strings.Contains(o.Message, "login for login_id api.user") || !strings.Contains(o.Message, "Invalid credentials") {
			t.Errorf("outcome %+v", o)
		}
		httpcalltest.NoSecrets(t, "message", o.Message, apiPassword)
		if _, _, creates := f.counts(); creates != 0 {
			t.Errorf("created without a token")
		}
	})
	t.Run("login unavailable is retryable", func(t *testing.T) {
		f := newFake(t, answer(200, `{"success":true}`))
		f.loginStatus = 503
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Retryable {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("static token: refresh on 401", func(t *testing.T) {
		f := newFake(t, okUnless("Bearer static-long-lived"))
		c := f.client(t, func(s *connector.Settings) { s.Options = map[string]string{"token": "static-long-lived"} })
		o := c.Create(context.Background(), connector.Request{Record: user(t)})
		logins, refreshes, _ := f.counts()
		if o.Status != connector.Created || logins != 0 || refreshes != 1 || f.authAt(0) != "Bearer static-long-lived" {
			t.Errorf("outcome %+v; logins %d refreshes %d; auths %v", o, logins, refreshes, f.allAuths())
		}
	})
	t.Run("static token refused and not refreshable: auth", func(t *testing.T) {
		f := newFake(t, answer(401, `{"success":false,"message":"bad token static-long-lived"}`))
		f.refreshStatus = 401
		c := f.client(t, func(s *connector.Settings) { s.Options = map[string]string{"token": "static-long-lived"} })
		o := c.Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Auth || !strings.Contains(o.Message, "login_id and password") {
			t.Errorf("outcome %+v", o)
		}
		httpcalltest.NoSecrets(t, "message", o.Message, "static-long-lived")
	})
}

func TestTokenExpiry(t *testing.T) {
	clock := httpcalltest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	f := newFake(t, answer(200, `{"success":true}`))
	f.expiresIn = 600 // renewed 2 minutes before it lapses
	c := f.client(t, func(s *connector.Settings) { s.Now = clock.Now })
	create := func() {
		t.Helper()
		if o := c.Create(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Created {
			t.Fatalf("outcome %+v", o)
		}
	}
	create()
	clock.Advance(7 * time.Minute)
	create()
	if logins, refreshes, _ := f.counts(); logins != 1 || refreshes != 0 {
		t.Fatalf("token renewed too early: logins %d refreshes %d", logins, refreshes)
	}
	clock.Advance(90 * time.Second) // 8.5 minutes: within the last 2
	create()
	if logins, refreshes, _ := f.counts(); logins != 1 || refreshes != 1 {
		t.Fatalf("token not refreshed before it lapsed: logins %d refreshes %d", logins, refreshes)
	}
	if got := f.authAt(2); got != "Bearer tok-2" {
		t.Errorf("third create sent %q, want the refreshed token", got)
	}
	clock.Advance(11 * time.Minute) // tok-2 has lapsed: log in, no refresh
	create()
	if logins, refreshes, _ := f.counts(); logins != 2 || refreshes != 1 {
		t.Errorf("lapsed token: logins %d refreshes %d, want a new login", logins, refreshes)
	}
	for i, a := range f.allAuths() {
		if a == "" {
			t.Errorf("create %d sent no token", i)
		}
	}
}

func TestConcurrentWorkersShareOneLoginAndOneRefresh(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, auth string) {
		if auth == "Bearer tok-1" && n > 1 {
			writeJSON(w, 401, `{"success":false,"message":"Token expired"}`)
			return
		}
		writeJSON(w, 200, `{"success":true}`)
	})
	f.loginDelay = 50 * time.Millisecond
	c := f.client(t)
	var wg sync.WaitGroup
	outcomes := make([]connector.Outcome, 20)
	for i := range outcomes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = c.Create(context.Background(), connector.Request{Record: user(t)})
		}()
	}
	wg.Wait()
	for i, o := range outcomes {
		if o.Status != connector.Created {
			t.Errorf("worker %d: %+v", i, o)
		}
	}
	logins, refreshes, _ := f.counts()
	if logins != 1 || refreshes != 1 {
		t.Errorf("logins %d refreshes %d; want one of each shared by all workers", logins, refreshes)
	}
}

func TestNoSecretsInMessagesOrLogs(t *testing.T) {
	logs := &httpcalltest.LogBuffer{}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, auth string) {
		writeJSON(w, 400, `{"success":false,"message":"password `+userPass+` too weak for token `+strings.TrimPrefix(auth, "Bearer ")+`"}`)
	})
	c := f.client(t, func(s *connector.Settings) { s.Logger = logs.Logger() })
	o := c.Create(context.Background(), connector.Request{Record: user(t)})
	if o.Status != connector.Invalid || o.Message != "password ******** too weak for token ********" {
		t.Errorf("outcome %+v", o)
	}
	httpcalltest.NoSecrets(t, "log", logs.String(), userPass, apiPassword, "tok-1")
	if !strings.Contains(logs.String(), "logged in") {
		t.Errorf("login not logged: %s", logs.String())
	}
}

func TestLookupAndPreview(t *testing.T) {
	c, err := New(connector.Settings{Options: map[string]string{"token": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	o := c.Lookup(context.Background(), connector.Request{Record: user(t)})
	if o.Status != connector.Unsupported || !strings.Contains(o.Message, "unknown") {
		t.Errorf("lookup %+v", o)
	}
	p := c.Preview(connector.Request{Record: user(t)})
	if p.Method != "POST" || p.URL != DefaultURL+"/v1/user" || p.Body["password"] != schema.Mask || p.Body["login_id"] != "priya.sharma" {
		t.Errorf("preview %+v", p)
	}
}

func TestNewChecksSettings(t *testing.T) {
	for _, opts := range []map[string]string{
		{},
		{"login_id": "a"},
		{"password": "b"},
	} {
		if _, err := New(connector.Settings{Options: opts}); err == nil {
			t.Errorf("options %v: want an error", opts)
		}
	}
	if _, err := New(connector.Settings{Options: map[string]string{"login_id": "a", "password": "b"}}); err != nil {
		t.Errorf("login options: %v", err)
	}
}

func TestStaticTokenComesBackWhenItsRefreshLapses(t *testing.T) {
	clock := httpcalltest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, auth string) {
		if n == 1 {
			writeJSON(w, 401, `{"success":false,"message":"Token expired"}`)
			return
		}
		writeJSON(w, 200, `{"success":true}`)
	})
	c := f.client(t, func(s *connector.Settings) {
		s.Options = map[string]string{"token": "static-long-lived"}
		s.Now = clock.Now
	})
	if o := c.Create(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Created {
		t.Fatalf("outcome %+v", o)
	}
	if got := f.authAt(1); got != "Bearer tok-1" {
		t.Fatalf("retry sent %q, want the refreshed token", got)
	}
	f.mu.Lock()
	f.refreshStatus = 401 // from now on refreshing fails
	f.mu.Unlock()
	clock.Advance(2 * time.Hour)
	if o := c.Create(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Created {
		t.Fatalf("outcome %+v", o)
	}
	if got := f.authAt(2); got != "Bearer static-long-lived" {
		t.Errorf("after the refreshed token lapsed the client sent %q, want the configured token", got)
	}
}

// Seed 002: "in 400 Response where the success variable pops as True, the
// message displayed is shown here"; success true means success.
func TestBadRequestWithSuccessTrueIsCreated(t *testing.T) {
	f := newFake(t, answer(400, `{"success":true,"message":"User created, extension pending"}`))
	o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
	if o.Status != connector.Created || o.ID != "priya.sharma" || o.HTTPStatus != 400 {
		t.Fatalf("outcome %+v, want created with the login ID", o)
	}
	if !strings.HasPrefix(o.Message, "User created, extension pending") || !strings.Contains(o.Message, "400") {
		t.Errorf("message %q: want the vendor's message and the status", o.Message)
	}
	if _, _, creates := f.counts(); creates != 1 {
		t.Errorf("%d creates sent, want 1", creates)
	}
}

// Issue 9 item 7: an answer that cannot be read is no verdict on the
// record; it is Uncertain and never repeats the raw body.
func TestMalformedAnswersAreUncertain(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"200 cut short", 200, `{"success":true,"mess`},
		{"200 empty", 200, ``},
		{"201 HTML", 201, `<html><body>OK</body></html>`},
		{"200 JSON that is not an object", 200, `["ok"]`},
		{"400 cut short", 400, `{"success":false,"message":"The login id has alr`},
		{"400 empty", 400, ``},
		{"422 HTML", 422, `<html><body>Unprocessable</body></html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, answer(tc.status, tc.body))
			o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != connector.Uncertain || o.HTTPStatus != tc.status {
				t.Fatalf("outcome %+v, want uncertain", o)
			}
			if tc.body != "" && strings.Contains(o.Message, tc.body) {
				t.Errorf("message %q repeats the raw body", o.Message)
			}
			if !strings.Contains(o.Message, "may have been created") {
				t.Errorf("message %q does not say the user may exist", o.Message)
			}
		})
	}
}

func TestNotFoundMeansWrongBaseURL(t *testing.T) {
	t.Run("create", func(t *testing.T) {
		f := newFake(t, answer(404, `{"success":false,"message":"Route not found"}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Invalid || !strings.HasPrefix(o.Message, "not found: check base_url (") || !strings.Contains(o.Message, "Route not found") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("login", func(t *testing.T) {
		f := newFake(t, answer(200, `{"success":true}`))
		c := f.client(t, func(s *connector.Settings) { s.BaseURL = f.srv.URL + "/api" })
		o := c.Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Invalid || !strings.Contains(o.Message, "not found: check base_url (") || strings.Contains(o.Message, "authentication") {
			t.Errorf("outcome %+v", o)
		}
		if _, _, creates := f.counts(); creates != 0 {
			t.Errorf("created without a token")
		}
	})
}

// Any auth-shaped refusal renews the token once, not only a 401.
func TestAuthShapedRefusalsRenewOnce(t *testing.T) {
	refuseFirst := func(status int, body string) func(w http.ResponseWriter, r *http.Request, n int, auth string) {
		return func(w http.ResponseWriter, r *http.Request, n int, auth string) {
			if auth == "Bearer tok-1" {
				writeJSON(w, status, body)
				return
			}
			writeJSON(w, 200, `{"success":true,"message":"User created successfully"}`)
		}
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"400 naming the token", 400, `{"success":false,"message":"Request failed","error":{"token":["Token has expired"]}}`},
		{"403 about authentication", 403, `{"success":false,"message":"Forbidden","error":"Authentication required"}`},
		{"401 without a body", 401, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, refuseFirst(tc.status, tc.body))
			o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
			logins, refreshes, creates := f.counts()
			if o.Status != connector.Created || logins != 1 || refreshes != 1 || creates != 2 {
				t.Errorf("outcome %+v; logins %d refreshes %d creates %d", o, logins, refreshes, creates)
			}
		})
	}
	t.Run("still refused after one renewal is auth", func(t *testing.T) {
		f := newFake(t, answer(400, `{"success":false,"message":"Request failed","error":{"token":["Token is invalid"]}}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		_, _, creates := f.counts()
		if o.Status != connector.Auth || creates != 2 || !strings.Contains(o.Message, "Token is invalid") {
			t.Errorf("outcome %+v; creates %d", o, creates)
		}
	})
	t.Run("a 400 about the data is not renewed", func(t *testing.T) {
		f := newFake(t, answer(400, `{"success":false,"message":"Validation failed","error":{"email":["The email must be a valid email address."]}}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		logins, refreshes, creates := f.counts()
		if o.Status != connector.Invalid || logins != 1 || refreshes != 0 || creates != 1 {
			t.Errorf("outcome %+v; logins %d refreshes %d creates %d", o, logins, refreshes, creates)
		}
	})
}
