package cove

import (
	"context"
	"encoding/json"
	"errors"
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
	apiPartner  = "Smart Telecom Inc."
	apiUser     = "admin@smart-telecom.net"
	apiPassword = "sec1234!6-secret"
	userPass    = "AbC123DeF!"
)

var fullUser = map[string]string{
	"PartnerId":                     "123456",
	"Name":                          "backup.test@mail.com",
	"EmailAddress":                  "backup.test@mail.com",
	"Password":                      userPass,
	"RoleId":                        "1",
	"ContactPersonId":               "42",
	"TwoFactorAuthenticationStatus": "Enabled",
	"Flags":                         "SecurityOfficer",
	"FirstName":                     "Backup",
	"FullName":                      "Test",
	"Title":                         "Manager",
	"PhoneNumber":                   "+61 2 9000 1234",
}

func user(t *testing.T) schema.Record {
	return httpcalltest.Record(t, User, map[string]string{
		"PartnerId": "123456", "Name": "backup.test@mail.com", "EmailAddress": "backup.test@mail.com", "Password": userPass, "RoleId": "1",
	})
}

// call is one JSON-RPC call the fake received.
type call struct {
	Method string
	Visa   string
	ID     string
	Params map[string]any
	Raw    []byte
}

// fake is a Cove stand-in. Login issues visa-1, visa-2, ...; every other
// answer carries the next visa. method answers calls other than Login;
// nil means AddUser succeeds with ID 876543.
type fake struct {
	t           *testing.T
	srv         *httptest.Server
	mu          sync.Mutex
	calls       []call
	visas       int
	logins      int
	loginDelay  time.Duration
	loginRefuse bool
	method      func(w http.ResponseWriter, c call, n int) // n counts calls of c.Method
	perMethod   map[string]int
}

func newFake(t *testing.T, method func(w http.ResponseWriter, c call, n int)) *fake {
	f := &fake{t: t, method: method, perMethod: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) nextVisa() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.visas++
	return fmt.Sprintf("visa-%d", f.visas)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(raw)))
	var env struct {
		JSONRPC string         `json:"jsonrpc"`
		ID      string         `json:"id"`
		Visa    string         `json:"visa"`
		Method  string         `json:"method"`
		Params  map[string]any `json:"params"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.JSONRPC != "2.0" {
		f.t.Errorf("not a JSON-RPC 2.0 call: %s", raw)
	}
	c := call{Method: env.Method, Visa: env.Visa, ID: env.ID, Params: env.Params, Raw: raw}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.perMethod[c.Method]++
	n := f.perMethod[c.Method]
	f.mu.Unlock()
	if c.Method == "Login" {
		time.Sleep(f.loginDelay)
		f.mu.Lock()
		f.logins++
		f.mu.Unlock()
		if f.loginRefuse || env.Params["password"] != apiPassword {
			rpcFail(w, -32603, fmt.Sprintf("Unknown partner/username or bad password %v", env.Params["password"]), 2100, "")
			return
		}
		rpcOK(w, `{"PartnerId":123456,"Name":"`+apiUser+`"}`, f.nextVisa())
		return
	}
	if f.method != nil {
		f.method(w, c, n)
		return
	}
	rpcOK(w, `876543`, f.nextVisa())
}

func rpcOK(w http.ResponseWriter, result, visa string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"jsonrpc","jsonrpc":"2.0","result":{"result":%s},"visa":%q}`, result, visa)
}

// rpcFail answers with a JSON-RPC error; data 0 leaves error.data out, as
// Cove does for every error but a failed Login (2100).
func rpcFail(w http.ResponseWriter, code int, msg string, data int, visa string) {
	w.Header().Set("Content-Type", "application/json")
	m, _ := json.Marshal(msg)
	extra := ""
	if data != 0 {
		extra = fmt.Sprintf(`,"data":%d`, data)
	}
	fmt.Fprintf(w, `{"id":"jsonrpc","jsonrpc":"2.0","error":{"code":%d,"message":%s%s},"visa":%q}`, code, m, extra, visa)
}

// notFound answers GetUserInfo as Cove does for an unknown user: an
// error with no documented code.
func notFound(w http.ResponseWriter, c call) {
	rpcFail(w, -32603, fmt.Sprintf("User '%v' not found in partner %v", c.Params["nameOrEmail"], c.Params["partnerId"]), 0, "visa-get")
}

func (f *fake) all() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fake) of(method string) []call {
	var out []call
	for _, c := range f.all() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fake) client(t *testing.T, mod ...func(*connector.Settings)) *Client {
	s := connector.Settings{BaseURL: f.srv.URL + "/jsonapi",
		Options: map[string]string{"partner": apiPartner, "username": apiUser, "password": apiPassword}, Timeout: 2 * time.Second}
	for _, m := range mod {
		m(&s)
	}
	c, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Client)
}

func TestGoldenBody(t *testing.T) {
	f := newFake(t, nil)
	o := f.client(t).Create(context.Background(), connector.Request{Record: httpcalltest.FullRecord(t, User, fullUser)})
	if o.Status != connector.Created || o.ID != "876543" {
		t.Fatalf("outcome %+v", o)
	}
	logins := f.of("Login")
	if len(logins) != 1 || logins[0].Visa != "" || logins[0].Params["partner"] != apiPartner || logins[0].Params["username"] != apiUser {
		t.Errorf("login call %+v", logins)
	}
	httpcalltest.MatchGolden(t, f.of("AddUser")[0].Raw, "testdata/adduser.json")
}

func TestVisaRotation(t *testing.T) {
	f := newFake(t, nil)
	c := f.client(t)
	for i := 0; i < 3; i++ {
		if o := c.Create(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Created {
			t.Fatalf("create %d: %+v", i, o)
		}
	}
	adds := f.of("AddUser")
	for i, want := range []string{"visa-1", "visa-2", "visa-3"} {
		if adds[i].Visa != want {
			t.Errorf("AddUser %d carried %q, want the newest visa %q", i, adds[i].Visa, want)
		}
	}
	if len(f.of("Login")) != 1 {
		t.Errorf("%d logins, want 1", len(f.of("Login")))
	}
}

func TestConcurrentWorkersShareOneLogin(t *testing.T) {
	f := newFake(t, nil)
	f.loginDelay = 50 * time.Millisecond
	c := f.client(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o := c.Create(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Created {
				t.Errorf("outcome %+v", o)
			}
		}()
	}
	wg.Wait()
	if n := len(f.of("Login")); n != 1 {
		t.Errorf("%d logins, want 1 shared by all workers", n)
	}
	for _, a := range f.of("AddUser") {
		if a.Visa == "" {
			t.Error("AddUser sent without a visa")
		}
	}
}

func TestVisaLapse(t *testing.T) {
	clock := httpcalltest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	f := newFake(t, nil)
	c := f.client(t, func(s *connector.Settings) { s.Now = clock.Now })
	create := func() {
		t.Helper()
		if o := c.Create(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Created {
			t.Fatalf("outcome %+v", o)
		}
	}
	create()
	clock.Advance(14 * time.Minute)
	create()
	if n := len(f.of("Login")); n != 1 {
		t.Fatalf("%d logins after 14 idle minutes, want 1", n)
	}
	clock.Advance(15 * time.Minute)
	create()
	if n := len(f.of("Login")); n != 2 {
		t.Fatalf("%d logins after 15 idle minutes, want a second login", n)
	}
	all := f.all()
	last := all[len(all)-1]
	if all[len(all)-2].Method != "Login" || last.Method != "AddUser" || last.Visa != "visa-4" {
		t.Errorf("the lapsed chain was not replaced before AddUser: %+v", all[len(all)-2:])
	}
}

func TestVisaRefusedThenLoginAgain(t *testing.T) {
	// Cove documents no code for a lapsed visa: any refusal that speaks of
	// the visa, the session or authentication, or carries 2100, earns one
	// fresh Login and one retry.
	for name, refuse := range map[string]func(w http.ResponseWriter){
		"visa wording, no code":    func(w http.ResponseWriter) { rpcFail(w, -32603, "Visa has expired: call Login again", 0, "") },
		"session wording, -32000":  func(w http.ResponseWriter) { rpcFail(w, -32000, "Session is no longer valid", 0, "") },
		"authentication wording":   func(w http.ResponseWriter) { rpcFail(w, -32603, "Authentication required", 0, "") },
		"the documented code 2100": func(w http.ResponseWriter) { rpcFail(w, -32603, "Operation refused", 2100, "") },
	} {
		t.Run(name+": login and retry", func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, c call, n int) {
				if n == 1 {
					refuse(w)
					return
				}
				rpcOK(w, `876544`, "visa-x")
			})
			o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != connector.Created || o.ID != "876544" {
				t.Errorf("outcome %+v", o)
			}
			adds := f.of("AddUser")
			if len(f.of("Login")) != 2 || len(adds) != 2 || adds[1].Visa != "visa-2" || len(f.of("GetUserInfo")) != 0 {
				t.Errorf("logins %d, adds %+v, lookups %d", len(f.of("Login")), adds, len(f.of("GetUserInfo")))
			}
		})
	}
	t.Run("still refused after the fresh login, the lookup works: settled by it", func(t *testing.T) {
		rec := httpcalltest.Record(t, User, map[string]string{"PartnerId": "123456", "Name": "visa.session@mail.com", "EmailAddress": "visa.session@mail.com"})
		for _, tc := range []struct {
			found bool
			want  connector.Status
		}{{true, connector.Exists}, {false, connector.Invalid}} {
			f := newFake(t, func(w http.ResponseWriter, c call, n int) {
				switch {
				case c.Method == "AddUser":
					rpcFail(w, -32603, "Cannot add 'visa.session@mail.com'", 0, "")
				case tc.found:
					rpcOK(w, `{"Id":987654}`, "visa-get")
				default:
					notFound(w, c)
				}
			})
			o := f.client(t).Create(context.Background(), connector.Request{Record: rec})
			if o.Status != tc.want || o.Message != "Cannot add 'visa.session@mail.com'" {
				t.Errorf("found %v: outcome %+v, want %v", tc.found, o, tc.want)
			}
			if len(f.of("Login")) != 2 || len(f.of("AddUser")) != 2 || len(f.of("GetUserInfo")) != 1 {
				t.Errorf("logins %d adds %d lookups %d, want 2, 2, 1", len(f.of("Login")), len(f.of("AddUser")), len(f.of("GetUserInfo")))
			}
		}
	})
	t.Run("still refused after the fresh login, nobody found: auth", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, c call, n int) {
			if c.Method == "AddUser" {
				rpcFail(w, -32000, "Authentication failed for this operation", 0, "")
				return
			}
			notFound(w, c)
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Auth || o.Message != "Authentication failed for this operation" {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("refused after a fresh login: auth", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, c call, n int) {
			rpcFail(w, -32603, "Visa is not valid", 0, "")
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Auth || !strings.Contains(o.Message, "Visa is not valid") {
			t.Errorf("outcome %+v", o)
		}
		if len(f.of("Login")) != 2 || len(f.of("AddUser")) != 2 || len(f.of("GetUserInfo")) != 1 {
			t.Errorf("logins %d adds %d lookups %d, want one fresh login only", len(f.of("Login")), len(f.of("AddUser")), len(f.of("GetUserInfo")))
		}
	})
	t.Run("login refused: auth without the password", func(t *testing.T) {
		f := newFake(t, nil)
		f.loginRefuse = true
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Auth || !strings.Contains(o.Message, "bad password") || len(f.of("AddUser")) != 0 {
			t.Errorf("outcome %+v", o)
		}
		httpcalltest.NoSecrets(t, "message", o.Message, apiPassword)
	})
}

func TestExists(t *testing.T) {
	// refusal is what AddUser answers; lookup how GetUserInfo answers.
	run := func(t *testing.T, refusal, lookup func(w http.ResponseWriter, c call)) (*fake, connector.Outcome) {
		f := newFake(t, func(w http.ResponseWriter, c call, n int) {
			switch c.Method {
			case "AddUser":
				refusal(w, c)
			case "GetUserInfo":
				lookup(w, c)
			}
		})
		return f, f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
	}
	found := func(w http.ResponseWriter, c call) {
		rpcOK(w, `{"Id":987654,"Name":"backup.test@mail.com","PartnerId":123456}`, "visa-get")
	}
	// Wording that says nothing of a duplicate, and no code: only the
	// lookup can tell.
	taken := func(w http.ResponseWriter, c call) {
		rpcFail(w, -32603, "Cannot add the user (error 40112)", 0, "visa-add")
	}
	t.Run("unclassified refusal, lookup finds the user: exists", func(t *testing.T) {
		f, o := run(t, taken, found)
		if o.Status != connector.Exists || o.ID != "987654" || o.Message != "Cannot add the user (error 40112)" {
			t.Errorf("outcome %+v", o)
		}
		gets := f.of("GetUserInfo")
		if len(gets) != 1 || gets[0].Params["partnerId"] != float64(123456) || gets[0].Params["nameOrEmail"] != "backup.test@mail.com" || gets[0].Visa != "visa-add" {
			t.Errorf("lookup call %+v", gets)
		}
	})
	t.Run("duplicate wording with -32000, lookup finds the user: exists", func(t *testing.T) {
		_, o := run(t, func(w http.ResponseWriter, c call) { rpcFail(w, -32000, "Login name is taken", 0, "visa-add") }, found)
		if o.Status != connector.Exists || o.ID != "987654" {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("duplicate wording, lookup finds nobody: invalid with Cove's message verbatim", func(t *testing.T) {
		msg := "User with name 'backup.test@mail.com' already exists"
		_, o := run(t, func(w http.ResponseWriter, c call) { rpcFail(w, -32603, msg, 0, "visa-add") }, notFound)
		if o.Status != connector.Invalid || o.Message != msg {
			t.Errorf("outcome %+v, want invalid %q", o, msg)
		}
	})
	t.Run("lookup refused without a known code: not found", func(t *testing.T) {
		_, o := run(t, taken, func(w http.ResponseWriter, c call) { rpcFail(w, -32000, "No such record", 0, "visa-get") })
		if o.Status != connector.Invalid || o.Message != "Cannot add the user (error 40112)" {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("lookup fails: uncertain, for dispatch to reconcile", func(t *testing.T) {
		_, o := run(t, taken, func(w http.ResponseWriter, c call) { w.WriteHeader(http.StatusServiceUnavailable) })
		if o.Status != connector.Uncertain || !strings.Contains(o.Message, "Cannot add the user (error 40112)") || !strings.Contains(o.Message, "503") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("lookup call refused as malformed: uncertain, not not-found", func(t *testing.T) {
		_, o := run(t, taken, func(w http.ResponseWriter, c call) { rpcFail(w, -32602, "Invalid params: nameOrEmail", 0, "visa-get") })
		if o.Status != connector.Uncertain || !strings.Contains(o.Message, "Invalid params: nameOrEmail") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("lookup answer malformed: uncertain", func(t *testing.T) {
		_, o := run(t, taken, func(w http.ResponseWriter, c call) { _, _ = io.WriteString(w, `<html>oops</html>`) })
		if o.Status != connector.Uncertain {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("refusal on rights, lookup finds nobody: auth", func(t *testing.T) {
		msg := "Operation failed because of security reasons (error 13501)"
		_, o := run(t, func(w http.ResponseWriter, c call) { rpcFail(w, -32603, msg, 13501, "visa-add") }, notFound)
		if o.Status != connector.Auth || o.Message != msg {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("invalid params: invalid without a lookup", func(t *testing.T) {
		f, o := run(t, func(w http.ResponseWriter, c call) {
			rpcFail(w, -32602, "Invalid params: userInfo.Name must equal EmailAddress", 0, "visa-add")
		}, found)
		if o.Status != connector.Invalid || o.Message != "Invalid params: userInfo.Name must equal EmailAddress" || len(f.of("GetUserInfo")) != 0 {
			t.Errorf("outcome %+v after %d lookups", o, len(f.of("GetUserInfo")))
		}
	})
	t.Run("JSON-RPC error with HTTP 400: read as a refusal and settled", func(t *testing.T) {
		_, o := run(t, func(w http.ResponseWriter, c call) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"1","error":{"code":-32000,"message":"Name in use"}}`)
		}, found)
		if o.Status != connector.Exists || o.ID != "987654" {
			t.Errorf("outcome %+v", o)
		}
	})
}

func TestAnswerClasses(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := httpcalltest.NewClock(now)
	for _, tc := range []struct {
		name       string
		handle     func(w http.ResponseWriter, c call, n int)
		want       connector.Status
		message    string
		retryAfter time.Duration
	}{
		{"invalid params", func(w http.ResponseWriter, c call, n int) {
			rpcFail(w, -32602, "Invalid params: userInfo.Name must equal EmailAddress", 0, "visa-next-1")
		}, connector.Invalid, "Invalid params: userInfo.Name must equal EmailAddress", 0},
		{"application error", func(w http.ResponseWriter, c call, n int) {
			if c.Method == "GetUserInfo" {
				notFound(w, c)
				return
			}
			rpcFail(w, -32603, "Role 9 does not exist; see EnumerateUserRoles", 0, "visa-next-1")
		}, connector.Invalid, "Role 9 does not exist; see EnumerateUserRoles", 0},
		{"429 seconds", func(w http.ResponseWriter, c call, n int) {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(429)
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"rate limit exceeded","data":4290}}`)
		}, connector.Retryable, "HTTP 429 Too Many Requests: rate limit exceeded (retry after 3s)", 3 * time.Second},
		{"429 HTTP-date", func(w http.ResponseWriter, c call, n int) {
			w.Header().Set("Retry-After", now.Add(10*time.Second).Format(http.TimeFormat))
			w.WriteHeader(429)
		}, connector.Retryable, "HTTP 429 Too Many Requests (retry after 10s)", 10 * time.Second},
		{"503", func(w http.ResponseWriter, c call, n int) { w.WriteHeader(503) }, connector.Retryable, "HTTP 503 Service Unavailable", 0},
		{"dropped", func(w http.ResponseWriter, c call, n int) {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		}, connector.Uncertain, "", 0},
		{"truncated", func(w http.ResponseWriter, c call, n int) {
			w.Header().Set("Content-Length", "80")
			_, _ = io.WriteString(w, `{"id":"jsonrpc","jsonrpc":"2.0","result":{"res`)
		}, connector.Uncertain, "", 0},
		{"no ID in the result", func(w http.ResponseWriter, c call, n int) { rpcOK(w, `null`, "visa-next-1") }, connector.Uncertain,
			"Cove answered AddUser without the new user's ID (result.result); the user may have been added", 0},
		{"HTML on 200", func(w http.ResponseWriter, c call, n int) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, `<html><body>Gateway says hello</body></html>`)
		}, connector.Uncertain, "", 0},
		{"empty body on 200", func(w http.ResponseWriter, c call, n int) {}, connector.Uncertain, "", 0},
		{"neither result nor error", func(w http.ResponseWriter, c call, n int) {
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"1"}`)
		}, connector.Uncertain, "", 0},
		{"error of the wrong shape", func(w http.ResponseWriter, c call, n int) {
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"1","error":"boom"}`)
		}, connector.Uncertain, "", 0},
		{"JSON 404: a wrong base_url", func(w http.ResponseWriter, c call, n int) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"no route"}`)
		}, connector.Invalid, "", 0},
		{"HTML 400", func(w http.ResponseWriter, c call, n int) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `<html>bad</html>`)
		}, connector.Invalid, "Cove refused AddUser with HTTP 400 Bad Request and no readable reason (check base_url: it should be the JSON-RPC endpoint)", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.handle)
			o := f.client(t, func(s *connector.Settings) { s.Now = clock.Now }).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != tc.want || (tc.message != "" && o.Message != tc.message) || o.RetryAfter != tc.retryAfter {
				t.Errorf("outcome %+v, want %v %q", o, tc.want, tc.message)
			}
			if n := len(f.of("AddUser")); n != 1 {
				t.Errorf("%d AddUser calls, want 1", n)
			}
			if strings.Contains(o.Message, "{") || strings.Contains(o.Message, "<html") {
				t.Errorf("message carries a raw body: %q", o.Message)
			}
			if tc.name == "JSON 404: a wrong base_url" && !strings.HasPrefix(o.Message, "not found: check base_url (") {
				t.Errorf("404 message %q", o.Message)
			}
		})
	}
	t.Run("login dropped is retryable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { httpcalltest.DropAfterRead(t, w, r) }))
		defer srv.Close()
		c, err := New(connector.Settings{BaseURL: srv.URL, Options: map[string]string{"partner": apiPartner, "username": apiUser, "password": apiPassword}})
		if err != nil {
			t.Fatal(err)
		}
		o := c.Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Retryable || !strings.Contains(o.Message, "Cove Login") {
			t.Errorf("outcome %+v", o)
		}
	})
}

func TestLookupAndRoles(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, c call, n int) {
		switch c.Method {
		case "GetUserInfo":
			rpcOK(w, `{"Id":987654}`, "visa-next-1")
		case "EnumerateUserRoles":
			if c.Params["partnerId"] != float64(123456) {
				rpcFail(w, -32603, "Partner not found", 0, "visa-next-2")
				return
			}
			rpcOK(w, `[{"Id":1,"Name":"SuperUser"},{"Id":3,"Name":"Manager"}]`, "visa-next-3")
		}
	})
	c := f.client(t)
	if o := c.Lookup(context.Background(), connector.Request{Record: user(t)}); o.Status != connector.Exists || o.ID != "987654" {
		t.Errorf("lookup %+v", o)
	}
	roles, err := c.Roles(context.Background(), 0)
	if err != nil || roles["Manager"] != 3 || roles["SuperUser"] != 1 || len(roles) != 2 {
		t.Errorf("roles %v, %v", roles, err)
	}
	_, err = c.Roles(context.Background(), 999)
	var ce *connector.CallError
	if !errors.As(err, &ce) || ce.Outcome.Status != connector.Invalid || !strings.Contains(err.Error(), "Partner not found") {
		t.Errorf("roles of an unknown partner: %v", err)
	}
}

func TestRolesMalformedIsRetryable(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, c call, n int) {
		if n == 1 {
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"1","result":{"res`)
			return
		}
		rpcOK(w, `{"not":"a list"}`, "visa-next")
	})
	c := f.client(t)
	for i := 0; i < 2; i++ {
		_, err := c.Roles(context.Background(), 123456)
		var ce *connector.CallError
		if !errors.As(err, &ce) || !ce.Retryable() {
			t.Errorf("call %d: %v, want a retryable CallError", i+1, err)
		}
	}
}

func TestNoSecretsInMessagesOrLogs(t *testing.T) {
	logs := &httpcalltest.LogBuffer{}
	f := newFake(t, func(w http.ResponseWriter, c call, n int) {
		rpcFail(w, -32602, "bad password "+userPass+" near "+c.Visa, 0, "visa-next")
	})
	c := f.client(t, func(s *connector.Settings) { s.Logger = logs.Logger() })
	o := c.Create(context.Background(), connector.Request{Record: user(t)})
	if o.Status != connector.Invalid || o.Message != "bad password ******** near ********" {
		t.Errorf("outcome %+v", o)
	}
	httpcalltest.NoSecrets(t, "log", logs.String(), userPass, apiPassword, "visa-1", "visa-next")
}

func TestPreviewAndSettings(t *testing.T) {
	c, err := New(connector.Settings{Options: map[string]string{"partner": "p", "username": "u", "password": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Preview(connector.Request{Record: user(t)})
	info := p.Body["params"].(map[string]any)["userInfo"].(map[string]any)
	if p.URL != DefaultURL || p.Body["method"] != "AddUser" || p.Body["visa"] != schema.Mask || info["Password"] != schema.Mask || info["PartnerId"] != int64(123456) {
		t.Errorf("preview %+v", p)
	}
	_, err = New(connector.Settings{Options: map[string]string{"partner": "p"}})
	if err == nil || !strings.Contains(err.Error(), "username, password") {
		t.Errorf("missing options: %v", err)
	}
}
