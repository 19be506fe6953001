package httpcall_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/netguard"
	"github.com/onboard/onboard/internal/schema"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"30", 30 * time.Second},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Mon, 02 Mar 2026 10:02:00 GMT", 2 * time.Minute},
		{"999999999999999999999", httpcall.MaxRetryAfter},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), httpcall.MaxRetryAfter},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.header != "" {
			h.Set("Retry-After", c.header)
		}
		if got := httpcall.RetryAfter(h, now); got != c.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

func TestScrub(t *testing.T) {
	secret := `p&ss "word"/x`
	text := `bad password p&ss "word"/x; json "p\u0026ss \"word\"/x"; form p%26ss+%22word%22%2Fx`
	got := httpcall.Scrub(text, secret, "")
	if strings.Contains(got, "p&ss") || strings.Contains(got, `p\u0026ss`) || strings.Contains(got, "p%26ss") {
		t.Fatalf("secret left in %q", got)
	}
	if strings.Count(got, schema.Mask) != 3 {
		t.Errorf("want 3 masks in %q", got)
	}
	// A secret containing another is masked whole.
	if got := httpcall.Scrub("token abc123 and abc", "abc", "abc123"); got != "token ******** and ********" {
		t.Errorf("nested secrets: got %q", got)
	}
	long := strings.Repeat("é", httpcall.MaxMessage+50)
	if got := httpcall.Scrub(long); len([]rune(got)) != httpcall.MaxMessage || !strings.HasSuffix(got, "...") {
		t.Errorf("long message not cut to %d characters", httpcall.MaxMessage)
	}
}

func TestBaseURL(t *testing.T) {
	if got, err := httpcall.BaseURL("v", " https://h.example/ns-api/v2/ ", ""); err != nil || got != "https://h.example/ns-api/v2" {
		t.Errorf("got %q, %v", got, err)
	}
	if got, err := httpcall.BaseURL("v", "", "https://api.example"); err != nil || got != "https://api.example" {
		t.Errorf("fallback: got %q, %v", got, err)
	}
	for _, bad := range []string{"", "ftp://h", "h.example/x", "https://user:pw@h.example"} {
		_, err := httpcall.BaseURL("vendorx", bad, "")
		if err == nil {
			t.Errorf("BaseURL(%q): want an error", bad)
			continue
		}
		if !strings.Contains(err.Error(), "vendorx") || strings.Contains(err.Error(), "pw@") {
			t.Errorf("BaseURL(%q): error %q should name the vendor and hide credentials", bad, err)
		}
	}
}

func caller(t *testing.T, timeout time.Duration) (*httpcall.Caller, *httpcalltest.LogBuffer) {
	logs := &httpcalltest.LogBuffer{}
	return httpcall.New("test", connector.Settings{Timeout: timeout, Logger: logs.Logger()}), logs
}

func TestDoSendsHeadersAndBody(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c, _ := caller(t, time.Second)
	resp, err := c.Do(context.Background(), httpcall.Request{Method: "POST", URL: srv.URL + "/x",
		Header: http.Header{"Authorization": {"Bearer t"}}, JSON: map[string]any{"a": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || string(resp.Body) != `{"ok":true}` || resp.BodyErr != nil {
		t.Errorf("response %+v", resp)
	}
	if ua := got.Header.Get("User-Agent"); ua != "onboard/"+connector.Version {
		t.Errorf("User-Agent %q", ua)
	}
	if got.Header.Get("Authorization") != "Bearer t" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	if body != `{"a":1}` {
		t.Errorf("body %q", body)
	}
}

func TestFailureClassification(t *testing.T) {
	t.Run("connection refused is retryable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, _ := caller(t, time.Second)
		_, err = c.Do(context.Background(), httpcall.Request{Method: "POST", URL: "http://" + addr + "/x", JSON: map[string]any{}})
		if err == nil {
			t.Fatal("want an error")
		}
		o := c.FailureOutcome(err, true)
		if o.Status != connector.Retryable || !strings.Contains(o.Message, "before the request was sent") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("dropped after reading is uncertain", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpcalltest.DropAfterRead(t, w, r)
		}))
		defer srv.Close()
		c, _ := caller(t, time.Second)
		_, err := c.Do(context.Background(), httpcall.Request{Method: "POST", URL: srv.URL, JSON: map[string]any{"a": 1}})
		if err == nil {
			t.Fatal("want an error")
		}
		if o := c.FailureOutcome(err, true); o.Status != connector.Uncertain {
			t.Errorf("create: %+v", o)
		}
		if o := c.FailureOutcome(err, false); o.Status != connector.Retryable {
			t.Errorf("read: %+v", o)
		}
	})
	t.Run("timeout awaiting the answer is uncertain", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			<-release
		}))
		defer srv.Close()
		defer close(release)
		c, _ := caller(t, 100*time.Millisecond)
		_, err := c.Do(context.Background(), httpcall.Request{Method: "POST", URL: srv.URL, JSON: map[string]any{}})
		o := c.FailureOutcome(err, true)
		if o.Status != connector.Uncertain || !strings.Contains(o.Message, "no answer within 100ms") {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("unencodable body is invalid", func(t *testing.T) {
		c, _ := caller(t, time.Second)
		_, err := c.Do(context.Background(), httpcall.Request{Method: "POST", URL: "http://127.0.0.1:1/", JSON: map[string]any{"x": func() {}}})
		if o := c.FailureOutcome(err, true); o.Status != connector.Invalid {
			t.Errorf("outcome %+v", o)
		}
	})
}

func TestTruncatedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"id":`)
	}))
	defer srv.Close()
	c, _ := caller(t, time.Second)
	resp, err := c.Do(context.Background(), httpcall.Request{Method: "GET", URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.BodyErr == nil || string(resp.Body) != `{"id":` {
		t.Errorf("want a body error with the partial body, got %+v", resp)
	}
}

func TestTrouble(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	c := httpcall.New("test", connector.Settings{Now: func() time.Time { return now }})
	for _, code := range []int{429, 500, 502, 503, 504} {
		h := http.Header{"Retry-After": {"12"}}
		o, ok := c.Trouble(&httpcall.Response{Status: code, Header: h}, "slow down")
		if !ok || o.Status != connector.Retryable || o.RetryAfter != 12*time.Second || o.HTTPStatus != code ||
			!strings.Contains(o.Message, "slow down") {
			t.Errorf("%d: %+v %v", code, o, ok)
		}
	}
	for _, code := range []int{200, 400, 401, 409} {
		if _, ok := c.Trouble(&httpcall.Response{Status: code, Header: http.Header{}}, ""); ok {
			t.Errorf("%d should not be trouble", code)
		}
	}
	// A 404 in the API's own JSON may be about the record: the client's to read.
	if _, ok := c.Trouble(&httpcall.Response{Status: 404, Header: http.Header{}, Body: []byte(`{"message":"User not found"}`)}, "User not found"); ok {
		t.Error("a JSON 404 should not be trouble")
	}
}

// TestNotFound: a 404 that is not the API's JSON (a web server's page, or
// nothing) is what a mistyped base_url gets; it says so, naming the address
// without its query or user info, and is not retried.
func TestNotFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ns-api/v2/domains/x/users": // the right address
			w.WriteHeader(201)
		case "/html":
			w.WriteHeader(404)
			_, _ = io.WriteString(w, "<html><body><h1>Not Found</h1></body></html>")
		case "/json":
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"message":"Domain x not found"}`)
		default:
			http.NotFound(w, r) // "404 page not found", plain text
		}
	}))
	defer srv.Close()
	c := httpcall.New("test", connector.Settings{HTTP: netguard.Client(t), Timeout: 5 * time.Second})
	for _, path := range []string{"/ns-api/v2/domains/x/userz", "/html"} {
		resp, err := c.Do(context.Background(), httpcall.Request{Method: "POST", JSON: map[string]any{},
			URL: srv.URL + path + "?token=query-secret#frag"})
		if err != nil {
			t.Fatal(err)
		}
		o, ok := c.Trouble(resp, httpcall.Snippet(resp.Body))
		want := "not found: check base_url (" + srv.URL + path + ")"
		if !ok || o.Status != connector.Invalid || o.HTTPStatus != 404 || o.Message != want {
			t.Errorf("%s: %+v %v; want Invalid %q", path, o, ok, want)
		}
		if strings.Contains(o.Message, "query-secret") {
			t.Errorf("message shows the query: %q", o.Message)
		}
	}
	resp, err := c.Do(context.Background(), httpcall.Request{Method: "GET", URL: srv.URL + "/json"})
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := c.Trouble(resp, "Domain x not found"); ok {
		t.Errorf("JSON 404 taken as a wrong address: %+v", o)
	}
	if o := httpcall.NotFound(resp, "Domain x not found"); o.Message != "not found: check base_url ("+srv.URL+"/json); the vendor said: Domain x not found" {
		t.Errorf("NotFound with the vendor's words: %q", o.Message)
	}
}

func TestWhere(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@api.example.com/v1/user?token=abc#x": "https://api.example.com/v1/user",
		"http://127.0.0.1:8089/acefone/v1/auth/login":         "http://127.0.0.1:8089/acefone/v1/auth/login",
		"not a url": "an unreadable address",
	} {
		if got := httpcall.Where(in); got != want {
			t.Errorf("Where(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGuardedCallerNeverLeaves: a caller over the netguard client asked
// for a non-loopback address fails before sending (retryable, "before the
// request was sent") and nothing leaves the machine.
func TestGuardedCallerNeverLeaves(t *testing.T) {
	rec := &refusals{TB: t}
	c := httpcall.New("test", connector.Settings{HTTP: &http.Client{Transport: netguard.LoopbackOnly(rec)}, Timeout: 5 * time.Second})
	_, err := c.Do(context.Background(), httpcall.Request{Method: "POST", URL: "https://10.1.2.3/v1/user", JSON: map[string]any{}})
	if !errors.Is(err, netguard.ErrNotLoopback) {
		t.Fatalf("err = %v, want netguard's refusal", err)
	}
	if o := c.FailureOutcome(err, true); o.Status != connector.Retryable || !strings.Contains(o.Message, "before the request was sent") {
		t.Errorf("outcome %+v", o)
	}
	if rec.n != 1 {
		t.Errorf("%d refusals reported, want 1", rec.n)
	}
}

// refusals counts netguard's reports instead of failing the test.
type refusals struct {
	testing.TB
	n int
}

func (r *refusals) Errorf(string, ...any) { r.n++ }

func TestLogsCarryNoBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"token":"answer-secret"}`)
	}))
	defer srv.Close()
	c, logs := caller(t, time.Second)
	if _, err := c.Do(context.Background(), httpcall.Request{Method: "POST", URL: srv.URL, JSON: map[string]any{"password": "body-secret"},
		Header: http.Header{"Authorization": {"Bearer header-secret"}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "status=200") {
		t.Errorf("request not logged: %s", logs.String())
	}
	httpcalltest.NoSecrets(t, "log", logs.String(), "answer-secret", "body-secret", "header-secret")
}

func TestDecodeObjectKeepsNumbers(t *testing.T) {
	obj, err := httpcall.DecodeObject([]byte(`{"Id": 9007199254740993, "Name": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := httpcall.FieldText(obj, "id"); got != "9007199254740993" {
		t.Errorf("id %q", got)
	}
	if _, err := httpcall.DecodeObject([]byte(`null`)); err == nil {
		t.Error("null should not decode as an object")
	}
	if _, err := httpcall.DecodeObject([]byte(`{"a":`)); err == nil {
		t.Error("truncated JSON should not decode")
	}
}
