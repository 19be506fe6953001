package contract

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/schema"
)

// nsTap sits in front of the sandbox: it keeps every NetSapiens answer's
// error message and may rewrite an answer, as a real installation might
// word or code it differently, always in the vendor's error shape
// {"code": <status>, "message": "..."}.
type nsTap struct {
	mu       sync.Mutex
	messages []string // "message" of each error answer to a create, in order
	gets     int
	// rewrite, when set, replaces a create's answer status and message.
	rewrite func(status int, msg string) (int, string)
}

func (tp *nsTap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		status, body := rec.Code, rec.Body.Bytes()
		var obj map[string]any
		_ = json.Unmarshal(body, &obj)
		msg, _ := obj["message"].(string)
		tp.mu.Lock()
		if r.Method == http.MethodGet {
			tp.gets++
		}
		if status >= 400 && r.Method == http.MethodPost {
			tp.messages = append(tp.messages, msg)
		}
		rewrite := tp.rewrite
		tp.mu.Unlock()
		if rewrite != nil && r.Method == http.MethodPost && status >= 400 {
			if s, m := rewrite(status, msg); s != status || m != msg {
				status = s
				body, _ = json.Marshal(map[string]any{"code": s, "message": m})
			}
		}
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func (tp *nsTap) lookups() int {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return tp.gets
}

func (tp *nsTap) said(i int) string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if i < 0 {
		i += len(tp.messages)
	}
	if i < 0 || i >= len(tp.messages) {
		return ""
	}
	return tp.messages[i]
}

// startTapped is start with tp in front of the sandbox.
func startTapped(t *testing.T, opts sandbox.Options, tp *nsTap) *env {
	t.Helper()
	e := &env{t: t, clock: httpcalltest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
		logs: &httpcalltest.LogBuffer{}, rec: &recorder{}}
	opts.Now = e.clock.Now
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(tp.wrap(sb.Handler()))
	t.Cleanup(srv.Close)
	e.sb, e.base = sb, srv.URL
	return e
}

func nsUserRecord(t *testing.T, ext string) schema.Record {
	return rec(t, "netsapiens.user", map[string]string{"domain": sandbox.NetSapiensDomain, "user": ext,
		"name-first-name": "Jane", "name-last-name": "Smith", "email-address": "jane" + ext + "@example.com", "user-scope": "Basic User"})
}

func nsSiteRecord(t *testing.T, name string) schema.Record {
	return rec(t, "netsapiens.site", map[string]string{"domain": sandbox.NetSapiensDomain, "site": name})
}

// A duplicate refused with a 400 whose words say nothing of a duplicate
// is found by the lookup: Exists with the vendor's ID.
func TestNetSapiensDuplicateRefusedAs400IsSettledByLookup(t *testing.T) {
	for _, tc := range []struct {
		id     string
		record func(t *testing.T) schema.Record
	}{
		{"netsapiens.user", func(t *testing.T) schema.Record { return nsUserRecord(t, "101") }},
		{"netsapiens.site", func(t *testing.T) schema.Record { return nsSiteRecord(t, "Denver HQ") }},
	} {
		t.Run(tc.id, func(t *testing.T) {
			tp := &nsTap{}
			e := startTapped(t, sandbox.Options{}, tp)
			c := e.client(sandbox.NetSapiens)
			first := c.Create(context.Background(), req(tc.record(t)))
			if first.Status != connector.Created {
				t.Fatalf("create: %+v", first)
			}
			tp.mu.Lock()
			tp.rewrite = func(int, string) (int, string) { return http.StatusBadRequest, "Invalid request" }
			tp.mu.Unlock()
			o := c.Create(context.Background(), req(tc.record(t)))
			entries := e.ledger(tc.id)
			if o.Status != connector.Exists || o.ID != first.ID || o.Message != "Invalid request" || o.HTTPStatus != http.StatusBadRequest {
				t.Errorf("outcome %+v, want exists %q with the vendor's words", o, first.ID)
			}
			if len(entries) != 1 || entries[0].Creates != 1 || entries[0].Duplicates != 1 {
				t.Errorf("ledger %+v", entries)
			}
			if n := tp.lookups(); n != 1 {
				t.Errorf("%d lookups, want 1", n)
			}
			e.checkNoSecrets(o.Message)
		})
	}
}

// A refusal that is no duplicate, even one worded like a duplicate, is
// Invalid with the vendor's message verbatim once the lookup finds nothing.
func TestNetSapiensRefusalNotFoundIsInvalidVerbatim(t *testing.T) {
	t.Run("field rule", func(t *testing.T) {
		tp := &nsTap{}
		e := startTapped(t, sandbox.Options{}, tp)
		r := nsUserRecord(t, "102")
		r.Set("area-code", int64(42)) // a wire value validation would have refused
		o := e.client(sandbox.NetSapiens).Create(context.Background(), req(r))
		said := tp.said(0)
		if !strings.Contains(said, "area-code") {
			t.Fatalf("the sandbox said %q", said)
		}
		if o.Status != connector.Invalid || o.Message != said || o.HTTPStatus != http.StatusBadRequest {
			t.Errorf("outcome %+v, want invalid %q", o, said)
		}
		if n := tp.lookups(); n != 1 {
			t.Errorf("%d lookups, want 1", n)
		}
	})
	t.Run("worded like a duplicate", func(t *testing.T) {
		tp := &nsTap{rewrite: func(int, string) (int, string) { return http.StatusBadRequest, "User already exists" }}
		e := startTapped(t, sandbox.Options{}, tp)
		r := nsUserRecord(t, "103")
		r.Set("area-code", int64(42))
		o := e.client(sandbox.NetSapiens).Create(context.Background(), req(r))
		if o.Status != connector.Invalid || o.Message != "User already exists" || o.ID != "" {
			t.Errorf("outcome %+v: the wording must not make it exist", o)
		}
		if n := len(e.ledger("netsapiens.user")); n != 0 {
			t.Errorf("%d users stored", n)
		}
	})
	t.Run("409 for another record's login", func(t *testing.T) {
		tp := &nsTap{}
		e := startTapped(t, sandbox.Options{}, tp)
		c := e.client(sandbox.NetSapiens)
		a, b := nsUserRecord(t, "104"), nsUserRecord(t, "105")
		a.Set("login-username", "jane@example.com")
		b.Set("login-username", "jane@example.com")
		if o := c.Create(context.Background(), req(a)); o.Status != connector.Created {
			t.Fatalf("first: %+v", o)
		}
		o := c.Create(context.Background(), req(b))
		if said := tp.said(-1); o.Status != connector.Invalid || said == "" || !strings.HasPrefix(o.Message, said) {
			t.Errorf("outcome %+v, want invalid starting with %q", o, said)
		}
	})
}

// "Domain not found" on create is the vendor's refusal, in its words.
func TestNetSapiensDomainNotFound(t *testing.T) {
	tp := &nsTap{}
	e := startTapped(t, sandbox.Options{Domains: []string{"example.com"}}, tp)
	r := nsUserRecord(t, "106")
	r.Set("domain", "nowhere.example")
	o := e.client(sandbox.NetSapiens).Create(context.Background(), req(r))
	if o.Status != connector.Invalid || o.HTTPStatus != http.StatusNotFound || o.Message != "Domain 'nowhere.example' not found" {
		t.Errorf("outcome %+v", o)
	}
}

// A 404 from an address that cannot be a missing record is a wrong
// base_url, named as such.
func TestNetSapiensWrongBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name, path, domain string
		// lookupToo: the lookup's 404 is not in the vendor's shape either.
		// Inside the API a 404 in the vendor's shape may be the record
		// missing, so only the create can tell.
		lookupToo bool
	}{
		{"outside the API", "/ns-api/v1", sandbox.NetSapiensDomain, true},
		{"inside the API, token's own domain", sandbox.NetSapiensPath + "/v2", "~", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startTapped(t, sandbox.Options{}, &nsTap{})
			c := e.client(sandbox.NetSapiens, func(s *connector.Settings) { s.BaseURL = e.base + tc.path })
			r := nsUserRecord(t, "107")
			r.Set("domain", tc.domain)
			o := c.Create(context.Background(), req(r))
			if o.Status != connector.Invalid || !strings.HasPrefix(o.Message, "not found: check base_url ("+e.base+tc.path) {
				t.Errorf("outcome %+v", o)
			}
			lk := c.Lookup(context.Background(), req(r))
			if tc.lookupToo && (lk.Status != connector.Invalid || !strings.HasPrefix(lk.Message, "not found: check base_url (")) {
				t.Errorf("lookup %+v: a wrong address is not a missing record", lk)
			}
		})
	}
}

// A create whose answer is cut off is Uncertain; the lookup then finds the
// record the sandbox stored once.
func TestNetSapiensMalformedAnswerIsUncertain(t *testing.T) {
	for _, r := range []func(t *testing.T) schema.Record{
		func(t *testing.T) schema.Record { return nsUserRecord(t, "108") },
		func(t *testing.T) schema.Record { return nsSiteRecord(t, "Austin") },
	} {
		e := start(t, sandbox.Options{Faults: sandbox.Faults{MalformedRate: 1}})
		c := e.client(sandbox.NetSapiens)
		o := c.Create(context.Background(), req(r(t)))
		if o.Status != connector.Uncertain || strings.Contains(o.Message, `{"`) {
			t.Errorf("outcome %+v, want uncertain without raw JSON", o)
		}
		id := r(t).Target.ID
		entries := e.ledger(id)
		if len(entries) != 1 {
			t.Fatalf("ledger %+v", entries)
		}
		if lk := c.Lookup(context.Background(), req(r(t))); lk.Status != connector.Exists || lk.ID != wantID(byID(t, id), entries[0]) {
			t.Errorf("lookup %+v, ledger %+v", lk, entries[0])
		}
	}
}

// A user sheet without user-scope is created with Basic User: the sandbox
// requires the key, as the vendor's reference marks it.
func TestNetSapiensUserScopeDefault(t *testing.T) {
	e := start(t, sandbox.Options{})
	r := rec(t, "netsapiens.user", map[string]string{"domain": sandbox.NetSapiensDomain, "user": "109",
		"name-first-name": "Jane", "name-last-name": "Smith", "email-address": "jane@example.com"})
	o := e.client(sandbox.NetSapiens).Create(context.Background(), req(r))
	if o.Status != connector.Created {
		t.Fatalf("outcome %+v", o)
	}
	entries := e.ledger("netsapiens.user")
	if len(entries) != 1 || entries[0].Body["user-scope"] != "Basic User" {
		t.Errorf("ledger %+v", entries)
	}
}

// An extension that is not all digits is the vendor's to accept.
func TestNetSapiensExtensionAnyString(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := e.client(sandbox.NetSapiens)
	r := nsUserRecord(t, "110")
	v, p := r.Target.Field("user").Parse("front-desk")
	if p == nil || !p.Warning {
		t.Fatalf("parse: %+v, want a warning", p)
	}
	r.Set("user", v)
	o := c.Create(context.Background(), req(r))
	if o.Status != connector.Created || o.ID != sandbox.NetSapiensDomain+"/front-desk" {
		t.Errorf("outcome %+v", o)
	}
	if lk := c.Lookup(context.Background(), req(r)); lk.Status != connector.Exists || lk.ID != o.ID {
		t.Errorf("lookup %+v", lk)
	}
}
