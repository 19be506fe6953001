package fonedynamics

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/schema"
)

const (
	property  = "S1234567890ABCDEF1234567890ABCDE"
	accountID = "AC0001"
	apiToken  = "fd-api-t0ken"
	loginPass = "SecurePassword123!"
)

var fullLogin = map[string]string{
	"PropertySid": property,
	"Email":       "jane.smith@example.com",
	"Password":    loginPass,
	"FirstName":   "Jane",
	"LastName":    "Smith",
	"Scopes":      "reporting, Integrations, managesms",
	"Enabled":     "TRUE",
}

func login(t *testing.T) schema.Record {
	return httpcalltest.Record(t, Login, map[string]string{
		"PropertySid": property, "Email": "jane@example.com", "Password": loginPass,
		"FirstName": "Jane", "LastName": "Smith", "Scopes": "Reporting",
	})
}

type request struct {
	Method, Path string
	Query        map[string]string
	Auth         string
	Body         []byte
}

type fake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	seen   []request
	handle func(w http.ResponseWriter, r *http.Request)
}

func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *fake {
	f := &fake{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		q := map[string]string{}
		for k := range r.URL.Query() {
			q[k] = r.URL.Query().Get(k)
		}
		f.mu.Lock()
		f.seen = append(f.seen, request{r.Method, r.URL.Path, q, r.Header.Get("Authorization"), body})
		f.mu.Unlock()
		f.handle(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.seen...)
}

func (f *fake) client(t *testing.T, mod ...func(*connector.Settings)) *Client {
	s := connector.Settings{BaseURL: f.srv.URL, Options: map[string]string{"account_sid": accountID, "token": apiToken}, Timeout: 2 * time.Second}
	for _, m := range mod {
		m(&s)
	}
	c, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Client)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func answer(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) }
}

const created = `{"OnlineLogin":{"OnlineLoginSid":"5b8c8b7f-5c8e-5f0f-9b8f-2345678901cd","Email":"jane@example.com","Enabled":true,
	"Permissions":[{"PropertySid":"` + property + `","Scopes":"Reporting"}]}}`

func TestGoldenBody(t *testing.T) {
	f := newFake(t, answer(200, created))
	o := f.client(t).Create(context.Background(), connector.Request{Record: httpcalltest.FullRecord(t, Login, fullLogin)})
	if o.Status != connector.Created || o.ID != "5b8c8b7f-5c8e-5f0f-9b8f-2345678901cd" {
		t.Fatalf("outcome %+v", o)
	}
	r := f.requests()[0]
	if r.Method != "POST" || r.Path != "/v2/Properties/"+property+"/OnlineLogins" {
		t.Errorf("sent %s %s", r.Method, r.Path)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(accountID+":"+apiToken)); r.Auth != want {
		t.Errorf("Authorization %q, want %q", r.Auth, want)
	}
	httpcalltest.MatchGolden(t, r.Body, "testdata/login.json")
}

func TestBearerScheme(t *testing.T) {
	f := newFake(t, answer(200, created))
	c := f.client(t, func(s *connector.Settings) { s.Options = map[string]string{"token": apiToken, "auth_scheme": "Bearer"} })
	if o := c.Create(context.Background(), connector.Request{Record: login(t)}); o.Status != connector.Created {
		t.Fatalf("outcome %+v", o)
	}
	if a := f.requests()[0].Auth; a != "Bearer "+apiToken {
		t.Errorf("Authorization %q", a)
	}
}

// listing serves GET /v2/OnlineLogins from n logins, the one at index
// match having the wanted email; it answers creates with create.
func listing(n, match int, create func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			create(w, r)
			return
		}
		count, _ := strconv.Atoi(r.URL.Query().Get("Results_Count"))
		skip, _ := strconv.Atoi(r.URL.Query().Get("Results_Skip"))
		var items []string
		for i := skip; i < n && i < skip+count; i++ {
			email := fmt.Sprintf("user%d@example.com", i)
			if i == match {
				email = "JANE@example.com"
			}
			items = append(items, fmt.Sprintf(`{"OnlineLoginSid":"sid-%d","Email":%q,"Permissions":[{"PropertySid":%q}]}`, i, email, property))
		}
		writeJSON(w, 200, fmt.Sprintf(`{"OnlineLogins":[%s],"TotalCount":%d}`, strings.Join(items, ","), n))
	}
}

func TestExists(t *testing.T) {
	dup := answer(400, `{"Error":{"Code":"ONLINE_LOGIN_EXISTS","Message":"An online login with this email already exists"}}`)
	for _, c := range []struct {
		name  string
		match int
		sid   string
		skips []string
	}{
		// 217 logins, 100 a page: the first page, then the last (skip 117),
		// then the rest from the start.
		{"duplicate email on the last page: read right after the first", 205, "sid-205", []string{"0", "117"}},
		{"duplicate email in the middle: the list is read on", 105, "sid-105", []string{"0", "117", "100"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t, listing(217, c.match, dup))
			o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
			if o.Status != connector.Exists || o.ID != c.sid || o.HTTPStatus != 400 ||
				o.Message != "An online login with this email already exists (error code ONLINE_LOGIN_EXISTS)" {
				t.Errorf("outcome %+v", o)
			}
			reqs := f.requests()
			if len(reqs) != 1+len(c.skips) {
				t.Fatalf("%d requests, want a create and %d pages", len(reqs), len(c.skips))
			}
			for i, skip := range c.skips {
				r := reqs[i+1]
				if r.Method != "GET" || r.Path != "/v2/OnlineLogins" || r.Query["Results_Skip"] != skip || r.Query["Results_Count"] != "100" || r.Auth == "" {
					t.Errorf("page %d: %+v", i, r)
				}
			}
		})
	}
	t.Run("409 is a duplicate too", func(t *testing.T) {
		f := newFake(t, listing(3, 1, answer(409, `{"Message":"Conflict"}`)))
		o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Exists || o.ID != "sid-1" {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("duplicate email held by another account", func(t *testing.T) {
		f := newFake(t, listing(150, -1, dup))
		o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
		// Not listed: the vendor's own message, as it sent it.
		if o.Status != connector.Invalid || o.Message != "An online login with this email already exists (error code ONLINE_LOGIN_EXISTS)" || len(f.requests()) != 3 {
			t.Errorf("outcome %+v after %d requests", o, len(f.requests()))
		}
	})
}

func TestLookupPaging(t *testing.T) {
	t.Run("follows NextPageToken", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("PageToken") == "" {
				writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"a","Email":"a@example.com"}],"NextPageToken":"p2"}`)
				return
			}
			writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"b","Email":"jane@example.com"}]}`)
		})
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Exists || o.ID != "b" || !strings.Contains(o.Message, "no permissions on property") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("a passing 5xx on a later page is retried, not fatal", func(t *testing.T) {
		var mu sync.Mutex
		failed := false
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("PageToken") == "" {
				writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"a","Email":"a@example.com"}],"NextPageToken":"p2"}`)
				return
			}
			mu.Lock()
			first := !failed
			failed = true
			mu.Unlock()
			if first {
				writeJSON(w, 503, `{"Code":50301,"Message":"busy"}`)
				return
			}
			writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"b","Email":"jane@example.com"}]}`)
		})
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Exists || o.ID != "b" || len(f.requests()) != 3 {
			t.Errorf("outcome %+v after %d requests", o, len(f.requests()))
		}
	})
	t.Run("pages beyond the first wait for the rate limit", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Query().Get("PageToken") {
			case "":
				writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"a","Email":"a@example.com"}],"NextPageToken":"p2"}`)
			case "p2":
				writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"c","Email":"c@example.com"}],"NextPageToken":"p3"}`)
			default:
				writeJSON(w, 200, `{"OnlineLogins":[{"OnlineLoginSid":"b","Email":"jane@example.com"}]}`)
			}
		})
		paced := 0
		c := f.client(t, func(s *connector.Settings) {
			s.Pace = func(context.Context) error { paced++; return nil }
		})
		o := c.Lookup(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Exists || len(f.requests()) != 3 || paced != 2 {
			t.Errorf("outcome %+v after %d requests, %d paced (want 3 requests, the 2 after the first paced)", o, len(f.requests()), paced)
		}
	})
	t.Run("an empty list is not found", func(t *testing.T) {
		f := newFake(t, answer(200, `{"OnlineLogins":[],"TotalCount":0}`))
		if o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)}); o.Status != connector.NotFound {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("a list that ignores Results_Skip stops", func(t *testing.T) {
		f := newFake(t, answer(200, `{"OnlineLogins":[{"OnlineLoginSid":"a","Email":"a@example.com"}],"TotalCount":5}`))
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Uncertain || len(f.requests()) != 2 {
			t.Errorf("outcome %+v after %d requests", o, len(f.requests()))
		}
	})
	t.Run("page count is bounded", func(t *testing.T) {
		f := newFake(t, listing(1_000_000, -1, nil))
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Uncertain || len(f.requests()) != maxPages+1 { // +1: the last page, read early
			t.Errorf("outcome %+v after %d requests", o, len(f.requests()))
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for status, want := range map[int]connector.Status{401: connector.Auth, 403: connector.Auth, 429: connector.Retryable, 500: connector.Retryable, 400: connector.Invalid} {
			f := newFake(t, answer(status, `{"Message":"no"}`))
			if o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)}); o.Status != want {
				t.Errorf("%d: outcome %+v, want %v", status, o, want)
			}
		}
	})
}

func TestAnswerClasses(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := httpcalltest.NewClock(now)
	for _, tc := range []struct {
		name       string
		handle     func(w http.ResponseWriter, r *http.Request)
		want       connector.Status
		message    string
		retryAfter time.Duration
		requests   int // 1 unless a refusal is settled by listing the logins
	}{
		{"400 invalid with code, settled by lookup", listing(0, -1, answer(400, `{"Error":{"Code":"INVALID_SCOPE","Message":"Scopes contains an unknown scope"}}`)),
			connector.Invalid, "Scopes contains an unknown scope (error code INVALID_SCOPE)", 0, 2},
		{"400 invalid flat, settled by lookup", listing(0, -1, answer(400, `{"Code":1002,"Message":"Password does not meet complexity requirements"}`)),
			connector.Invalid, "Password does not meet complexity requirements (error code 1002)", 0, 2},
		{"400 ResponseStatus field validation", answer(400, `{"ResponseStatus":{"ErrorCode":"NotEmpty","Message":"'First Name' must not be empty.",
			"Errors":[{"ErrorCode":"NotEmpty","FieldName":"FirstName","Message":"'First Name' must not be empty."}]}}`),
			connector.Invalid, "'First Name' must not be empty. (error code NotEmpty)", 0, 1},
		{"404 property", answer(404, `{"Message":"Property not found"}`), connector.Invalid, "Property not found", 0, 1},
		{"401", answer(401, ``), connector.Auth, "Fone Dynamics refused the credentials: HTTP 401 Unauthorized", 0, 1},
		{"403", answer(403, `{"Message":"Forbidden"}`), connector.Auth, "Fone Dynamics refused the credentials: Forbidden", 0, 1},
		{"429 seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "5")
			writeJSON(w, 429, `{"Message":"Too many requests"}`)
		}, connector.Retryable, "HTTP 429 Too Many Requests: Too many requests (retry after 5s)", 5 * time.Second, 1},
		{"429 HTTP-date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", now.Add(time.Minute).Format(http.TimeFormat))
			writeJSON(w, 429, ``)
		}, connector.Retryable, "HTTP 429 Too Many Requests (retry after 1m0s)", time.Minute, 1},
		{"500", answer(500, `oops`), connector.Retryable, "HTTP 500 Internal Server Error: oops", 0, 1},
		{"200 without a SID", answer(200, `{"OnlineLogin":{}}`), connector.Uncertain,
			"Fone Dynamics answered HTTP 200 OK but its body could not be read (it has no OnlineLogin.OnlineLoginSid); the login may have been created", 0, 1},
		{"dropped", func(w http.ResponseWriter, r *http.Request) { httpcalltest.DropAfterRead(t, w, r) }, connector.Uncertain, "", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.handle)
			o := f.client(t, func(s *connector.Settings) { s.Now = clock.Now }).Create(context.Background(), connector.Request{Record: login(t)})
			if o.Status != tc.want || (tc.message != "" && o.Message != tc.message) || o.RetryAfter != tc.retryAfter {
				t.Errorf("outcome %+v, want %v %q", o, tc.want, tc.message)
			}
			want := tc.requests
			if want == 0 {
				want = 1
			}
			if n := len(f.requests()); n != want {
				t.Errorf("%d requests, want %d", n, want)
			}
		})
	}
}

func TestNoSecretsInMessagesOrLogs(t *testing.T) {
	logs := &httpcalltest.LogBuffer{}
	f := newFake(t, listing(0, -1, answer(400, `{"Message":"Password `+loginPass+` rejected for token `+apiToken+`"}`)))
	c := f.client(t, func(s *connector.Settings) { s.Logger = logs.Logger() })
	o := c.Create(context.Background(), connector.Request{Record: login(t)})
	if o.Status != connector.Invalid || o.Message != "Password ******** rejected for token ********" {
		t.Errorf("outcome %+v", o)
	}
	httpcalltest.NoSecrets(t, "log", logs.String(), loginPass, apiToken)
}

func TestPreviewAndSettings(t *testing.T) {
	c, err := New(connector.Settings{Options: map[string]string{"account_sid": accountID, "token": apiToken}})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Preview(connector.Request{Record: login(t)})
	if p.URL != DefaultURL+"/v2/Properties/"+property+"/OnlineLogins" || p.Body["Password"] != schema.Mask || p.Body["Email"] != "jane@example.com" {
		t.Errorf("preview %+v", p)
	}
	if _, ok := p.Body["PropertySid"]; ok {
		t.Error("PropertySid is a path parameter")
	}
	for _, opts := range []map[string]string{
		{"account_sid": accountID},
		{"token": apiToken},
		{"token": apiToken, "auth_scheme": "digest"},
	} {
		if _, err := New(connector.Settings{Options: opts}); err == nil {
			t.Errorf("options %v: want an error", opts)
		}
	}
	rec := login(t)
	rec.Set("PropertySid", nil)
	if o := c.Create(context.Background(), connector.Request{Record: rec}); o.Status != connector.Invalid || !strings.Contains(o.Message, "Property SID") {
		t.Errorf("missing property: %+v", o)
	}
}

// skips lists the Results_Skip of each list request.
func skips(reqs []request) []string {
	var out []string
	for _, r := range reqs {
		if r.Method == http.MethodGet {
			out = append(out, r.Query["Results_Skip"])
		}
	}
	return out
}

func TestLookupReadsTheNewestLoginsFirst(t *testing.T) {
	t.Run("once the list's length is known, one request finds a new login", func(t *testing.T) {
		f := newFake(t, listing(217, 216, answer(201, created)))
		paced := 0
		c := f.client(t, func(s *connector.Settings) {
			s.Pace = func(context.Context) error { paced++; return nil }
		})
		// Nothing known yet: the first page tells the length, then the end.
		if o := c.Lookup(context.Background(), connector.Request{Record: login(t)}); o.Status != connector.Exists || o.ID != "sid-216" {
			t.Fatalf("first lookup: %+v", o)
		}
		if got := skips(f.requests()); strings.Join(got, ",") != "0,117" || paced != 1 {
			t.Fatalf("first lookup read pages %v with %d paced", got, paced)
		}
		// A create since then may have added one: the end starts one later.
		if o := c.Create(context.Background(), connector.Request{Record: login(t)}); o.Status != connector.Created {
			t.Fatalf("create: %+v", o)
		}
		o := c.Lookup(context.Background(), connector.Request{Record: login(t)})
		got := skips(f.requests())
		if o.Status != connector.Exists || o.ID != "sid-216" || strings.Join(got, ",") != "0,117,118" || paced != 1 {
			t.Errorf("second lookup: %+v after pages %v, %d paced; want the end (skip 118) alone, on the caller's token", o, got, paced)
		}
	})
	t.Run("not at the end: the list is read from the start, the end not twice", func(t *testing.T) {
		f := newFake(t, listing(217, -1, nil))
		c := f.client(t)
		c.Lookup(context.Background(), connector.Request{Record: login(t)})
		before := len(skips(f.requests()))
		o := c.Lookup(context.Background(), connector.Request{Record: login(t)})
		got := skips(f.requests())[before:]
		if o.Status != connector.NotFound || strings.Join(got, ",") != "117,0,100,200" {
			t.Errorf("outcome %+v after pages %v; want the end, then the list from the start without the end again", o, got)
		}
	})
}
