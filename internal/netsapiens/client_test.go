package netsapiens

import (
	"context"
	"io"
	"net"
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

const testToken = "ns-token-5ecret"

var fullUser = map[string]string{
	"domain":                             "example.com",
	"synchronous":                        "yes",
	"user":                               "0101",
	"name-first-name":                    "Jane",
	"name-last-name":                     "Smith",
	"login-username":                     "jane.smith@example.com",
	"email-address":                      "jane.smith@example.com; jane@home.example",
	"user-scope":                         "office manager",
	"department":                         "Sales",
	"site":                               "Denver HQ",
	"time-zone":                          "America/Denver",
	"voicemail-login-pin":                "04812",
	"privacy":                            "yes",
	"status-message":                     "In the office",
	"directory-name-number-dtmf-mapping": "764",
	"ring-no-answer-timeout-seconds":     "25",
	"directory-override-order-duplicate-dtmf-mapping":     "1",
	"voicemail-greeting-index":                            "2",
	"email-send-alert-new-voicemail-cc-list-csv":          "102,103",
	"email-send-alert-new-voicemail-behavior":             "attnew",
	"email-send-alert-new-voicemail-enabled":              "yes",
	"email-send-alert-new-missed-call-enabled":            "TRUE",
	"email-send-alert-data-storage-limit-reached-enabled": "no",
	"service-code":                                          "system-billing",
	"voicemail-transcription-enabled":                       "google",
	"call-recordings-hide-from-others-enabled":              "yes",
	"music-on-hold-comfort-message-repeat-interval-seconds": "30",
	"dial-plan":                                     "Default",
	"dial-policy":                                   "US and Canada",
	"voicemail-user-control-enabled":                "no",
	"phone-numbers-to-allow-enabled":                "no",
	"phone-numbers-to-reject-enabled":               "yes",
	"call-screening-enabled":                        "no",
	"language-token":                                "en_GB",
	"limits-max-data-storage-kilobytes":             "512,000",
	"limits-max-active-calls-total":                 "4",
	"directory-annouce-in-dial-by-name-enabled":     "yes",
	"voicemail-enabled":                             "yes",
	"voicemail-receive-broadcast-enabled":           "no",
	"reject-anonymous-calls-enabled":                "yes",
	"voicemail-playback-announce-datetime-received": "yes",
	"voicemail-playback-announce-caller-id":         "no",
	"voicemail-playback-sort-newest-to-oldest":      "no",
	"caller-id-number":                              "15551234567",
	"caller-id-name":                                "Acme Sales",
	"caller-id-number-emergency":                    "15559876543",
	"area-code":                                     "303",
	"directory-name-visible-in-list-enabled":        "yes",
	"emergency-address-id":                          "addr-42",
	"music-on-hold-randomized-enabled":              "yes",
	"recording-configuration":                       "yes-with-transcription",
}

var fullSite = map[string]string{
	"domain":                                        "example.com",
	"synchronous":                                   "no",
	"site":                                          "Denver HQ",
	"login-username":                                "denver.site@example.com",
	"time-zone":                                     "America/Denver",
	"dial-plan":                                     "Default",
	"dial-policy":                                   "US and Canada",
	"voicemail-user-control-enabled":                "yes",
	"phone-numbers-to-allow-enabled":                "no",
	"phone-numbers-to-reject-enabled":               "yes",
	"call-screening-enabled":                        "no",
	"language-token":                                "en_US",
	"limits-max-data-storage-kilobytes":             "1024000",
	"limits-max-active-calls-total":                 "20",
	"directory-annouce-in-dial-by-name-enabled":     "no",
	"voicemail-enabled":                             "yes",
	"voicemail-receive-broadcast-enabled":           "yes",
	"voicemail-playback-sort-newest-to-oldest":      "yes",
	"directory-name-visible-in-list-enabled":        "no",
	"reject-anonymous-calls-enabled":                "yes",
	"voicemail-playback-announce-datetime-received": "no",
	"voicemail-playback-announce-caller-id":         "yes",
	"call-recordings-hide-from-others-enabled":      "yes",
	"music-on-hold-randomized-enabled":              "no",
	"caller-id-number":                              "13035550100",
	"caller-id-number-emergency":                    "13035550199",
	"caller-id-name":                                "Acme Denver",
	"area-code":                                     "303",
	"emergency-address-id":                          "addr-denver",
	"recording-configuration":                       "yes",
}

// user is a minimal user record in domain example.com.
func user(t *testing.T) schema.Record {
	return httpcalltest.Record(t, User, map[string]string{
		"domain": "example.com", "user": "101", "name-first-name": "Jane", "name-last-name": "Smith",
		"email-address": "jane@example.com", "user-scope": "Basic User",
	})
}

func site(t *testing.T) schema.Record {
	return httpcalltest.Record(t, Site, map[string]string{"domain": "example.com", "site": "Denver HQ"})
}

// seen is one request the fake server received.
type seen struct {
	Method, Path, RawPath, Auth, UserAgent, ContentType string
	Body                                                []byte
}

// fake is a NetSapiens stand-in: handle answers each request.
type fake struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	seen   []seen
	handle func(w http.ResponseWriter, r *http.Request)
}

func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *fake {
	f := &fake{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.mu.Lock()
		f.seen = append(f.seen, seen{r.Method, r.URL.Path, r.URL.EscapedPath(), r.Header.Get("Authorization"),
			r.Header.Get("User-Agent"), r.Header.Get("Content-Type"), body})
		f.mu.Unlock()
		f.handle(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.seen...)
}

func (f *fake) client(t *testing.T, mod ...func(*connector.Settings)) *Client {
	s := connector.Settings{BaseURL: f.srv.URL + "/ns-api/v2/", Options: map[string]string{"token": testToken}, Timeout: 2 * time.Second}
	for _, m := range mod {
		m(&s)
	}
	c, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Client)
}

func reply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestGoldenBodies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target *schema.Target
		texts  map[string]string
		path   string
	}{
		{"user", User, fullUser, "/ns-api/v2/domains/example.com/users"},
		{"site", Site, fullSite, "/ns-api/v2/domains/example.com/sites"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, reply(202, `{"code":202,"message":"Accepted"}`))
			rec := httpcalltest.FullRecord(t, tc.target, tc.texts)
			o := f.client(t).Create(context.Background(), connector.Request{Record: rec})
			if o.Status != connector.Created {
				t.Fatalf("outcome %+v", o)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != "POST" || r.Path != tc.path {
				t.Errorf("sent %s %s, want POST %s", r.Method, r.Path, tc.path)
			}
			if r.Auth != "Bearer "+testToken || r.ContentType != "application/json" || r.UserAgent != connector.UserAgent() {
				t.Errorf("headers: auth %q, content type %q, user agent %q", r.Auth, r.ContentType, r.UserAgent)
			}
			httpcalltest.MatchGolden(t, r.Body, "testdata/"+tc.name+".json")
		})
	}
}

func TestCreated(t *testing.T) {
	t.Run("202 user: ID is domain/user", func(t *testing.T) {
		f := newFake(t, reply(202, `{"code":202,"message":"Accepted"}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Created || o.ID != "example.com/101" || o.HTTPStatus != 202 {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("200 synchronous user: ID from the body, ~ resolved", func(t *testing.T) {
		f := newFake(t, reply(200, `{"domain":"real.example","user":"101","name-first-name":"Jane"}`))
		rec := httpcalltest.Record(t, User, map[string]string{"user": "101", "name-first-name": "J", "name-last-name": "S",
			"email-address": "j@example.com", "user-scope": "Basic User", "synchronous": "yes"})
		o := f.client(t).Create(context.Background(), connector.Request{Record: rec})
		if o.Status != connector.Created || o.ID != "real.example/101" {
			t.Errorf("outcome %+v", o)
		}
		if p := f.requests()[0].Path; p != "/ns-api/v2/domains/~/users" {
			t.Errorf("path %q: an empty domain should be ~", p)
		}
	})
	t.Run("site: ID is the site name", func(t *testing.T) {
		f := newFake(t, reply(202, `{"code":202,"message":"Accepted"}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: site(t)})
		if o.Status != connector.Created || o.ID != "Denver HQ" {
			t.Errorf("outcome %+v", o)
		}
	})
}

func TestExists(t *testing.T) {
	conflict := `{"code":409,"message":"login-username jane@example.com already exists"}`
	t.Run("409 then lookup finds the user", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				reply(409, conflict)(w, r)
				return
			}
			reply(200, `{"domain":"example.com","user":"101"}`)(w, r)
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Exists || o.ID != "example.com/101" || o.HTTPStatus != 409 || o.Message != "login-username jane@example.com already exists" {
			t.Errorf("outcome %+v", o)
		}
		reqs := f.requests()
		if len(reqs) != 2 || reqs[1].Method != "GET" || reqs[1].Path != "/ns-api/v2/domains/example.com/users/101" || reqs[1].Auth != "Bearer "+testToken {
			t.Errorf("lookup request %+v", reqs)
		}
	})
	t.Run("409 on a site: lookup escapes the name", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				reply(409, `{"code":409,"message":"site exists"}`)(w, r)
				return
			}
			reply(200, `{"site":"Denver HQ","domain":"example.com"}`)(w, r)
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: site(t)})
		if o.Status != connector.Exists || o.ID != "Denver HQ" {
			t.Errorf("outcome %+v", o)
		}
		if p := f.requests()[1].RawPath; p != "/ns-api/v2/domains/example.com/sites/Denver%20HQ" {
			t.Errorf("lookup path %q", p)
		}
	})
	t.Run("409 but no such user: the conflict is another record's", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				reply(409, conflict)(w, r)
				return
			}
			reply(404, `{"code":404,"message":"User not found"}`)(w, r)
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Invalid || !strings.HasPrefix(o.Message, "login-username jane@example.com already exists") ||
			!strings.Contains(o.Message, "login-username") || !strings.Contains(o.Message, `"101"`) {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("409 and the lookup fails: uncertain, for the run to reconcile", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				reply(409, conflict)(w, r)
				return
			}
			reply(503, `{"code":503,"message":"maintenance"}`)(w, r)
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Uncertain || o.ID != "" || !strings.Contains(o.Message, "reading it back") || !strings.Contains(o.Message, "maintenance") {
			t.Errorf("outcome %+v", o)
		}
	})
}

func TestAnswerClasses(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := httpcalltest.NewClock(now)
	for _, tc := range []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		want       connector.Status
		message    string
		retryAfter time.Duration
	}{
		{"404 invalid, verbatim", 404, nil, `{"code":404,"message":"Domain example.com not found"}`, connector.Invalid, "Domain example.com not found", 0},
		{"422 without JSON", 422, nil, `unprocessable`, connector.Invalid, "unprocessable", 0},
		{"401 auth", 401, nil, `{"code":401,"message":"Invalid token"}`, connector.Auth, "NetSapiens refused the token: Invalid token", 0},
		{"403 auth", 403, nil, `{"code":403,"message":"Scope too low"}`, connector.Auth, "NetSapiens refused the token: Scope too low", 0},
		{"429 seconds", 429, map[string]string{"Retry-After": "17"}, `{"code":429,"message":"slow down"}`, connector.Retryable, "HTTP 429 Too Many Requests: slow down (retry after 17s)", 17 * time.Second},
		{"429 HTTP-date", 429, map[string]string{"Retry-After": now.Add(2 * time.Minute).Format(http.TimeFormat)}, `{}`, connector.Retryable, "HTTP 429 Too Many Requests (retry after 2m0s)", 2 * time.Minute},
		{"500", 500, nil, `{"code":500,"message":"database down"}`, connector.Retryable, "HTTP 500 Internal Server Error: database down", 0},
		{"502 HTML", 502, nil, `<html><body>Bad gateway</body></html>`, connector.Retryable, "HTTP 502 Bad Gateway", 0},
		{"redirect", 301, map[string]string{"Location": "https://other.example/"}, ``, connector.Invalid, `HTTP 301 Moved Permanently redirect to "https://other.example/": check base_url (it should end in /ns-api/v2)`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				reply(tc.status, tc.body)(w, r)
			})
			c := f.client(t, func(s *connector.Settings) { s.Now = clock.Now })
			o := c.Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != tc.want || o.Message != tc.message || o.RetryAfter != tc.retryAfter || o.HTTPStatus != tc.status {
				t.Errorf("outcome %+v, want %v %q retry after %v", o, tc.want, tc.message, tc.retryAfter)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests; a create is sent once", n)
			}
		})
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("connection dropped after the request: uncertain", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) { httpcalltest.DropAfterRead(t, w, r) })
		o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Uncertain || o.HTTPStatus != 0 {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("no answer before the timeout: uncertain", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) { <-release })
		defer close(release)
		c := f.client(t, func(s *connector.Settings) { s.Timeout = 50 * time.Millisecond })
		o := c.Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Uncertain || !strings.Contains(o.Message, "no answer within 50ms") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("connection refused: retryable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, err := New(connector.Settings{BaseURL: "http://" + addr, Options: map[string]string{"token": testToken}})
		if err != nil {
			t.Fatal(err)
		}
		o := c.Create(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Retryable {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("lookup dropped: retryable, not uncertain", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) { httpcalltest.DropAfterRead(t, w, r) })
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: user(t)})
		if o.Status != connector.Retryable {
			t.Errorf("outcome %+v", o)
		}
	})
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   connector.Status
		id     string
	}{
		{200, `{"domain":"example.com","user":"101"}`, connector.Exists, "example.com/101"},
		{200, `not json`, connector.Retryable, ""},
		{200, `{"domain":"exa`, connector.Retryable, ""},
		{404, `{"error":"no route"}`, connector.Invalid, ""},
		{404, `<html>Not Found</html>`, connector.Invalid, ""},
		{404, `{"code":404,"message":"not found"}`, connector.NotFound, ""},
		{401, `{"code":401,"message":"expired"}`, connector.Auth, ""},
		{429, `{}`, connector.Retryable, ""},
	} {
		f := newFake(t, reply(tc.status, tc.body))
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: user(t)})
		if o.Status != tc.want || o.ID != tc.id {
			t.Errorf("lookup answered %d %s: outcome %+v, want %v %q", tc.status, tc.body, o, tc.want, tc.id)
		}
		if r := f.requests()[0]; r.Method != "GET" || r.Path != "/ns-api/v2/domains/example.com/users/101" {
			t.Errorf("lookup sent %s %s", r.Method, r.Path)
		}
	}
}

func TestNoSecretsInMessagesOrLogs(t *testing.T) {
	logs := &httpcalltest.LogBuffer{}
	f := newFake(t, reply(400, `{"code":400,"message":"token `+testToken+` may not create users"}`))
	c := f.client(t, func(s *connector.Settings) { s.Logger = logs.Logger() })
	o := c.Create(context.Background(), connector.Request{Record: user(t)})
	if o.Status != connector.Invalid || o.Message != "token ******** may not create users" {
		t.Errorf("outcome %+v", o)
	}
	httpcalltest.NoSecrets(t, "message", o.Message, testToken)
	httpcalltest.NoSecrets(t, "log", logs.String(), testToken)
	if !strings.Contains(logs.String(), "status=400") {
		t.Errorf("request not logged: %s", logs.String())
	}
}

func TestPreview(t *testing.T) {
	c, err := New(connector.Settings{BaseURL: "https://pbx.example/ns-api/v2", Options: map[string]string{"token": testToken}})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Preview(connector.Request{Record: site(t)})
	if p.Method != "POST" || p.URL != "https://pbx.example/ns-api/v2/domains/example.com/sites" || p.Body["site"] != "Denver HQ" {
		t.Errorf("preview %+v", p)
	}
	if _, ok := p.Body["domain"]; ok {
		t.Error("the domain is a path parameter, not a body key")
	}
}

func TestNewChecksSettings(t *testing.T) {
	if _, err := New(connector.Settings{BaseURL: "https://pbx.example/ns-api/v2"}); err == nil || !strings.Contains(err.Error(), "token") {
		t.Errorf("missing token: %v", err)
	}
	if _, err := New(connector.Settings{Options: map[string]string{"token": testToken}}); err == nil || !strings.Contains(err.Error(), "base_url") {
		t.Errorf("missing base_url: %v", err)
	}
	if err := Vendor.Targets[0].Prepare(); err != nil {
		t.Fatal(err)
	}
	for _, o := range Vendor.Options {
		if o.Name == "token" && (!o.Secret || !o.Required) {
			t.Errorf("token option must be secret and required: %+v", o)
		}
	}
}
