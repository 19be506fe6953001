package netsapiens

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
)

// createThenLookup answers a POST with create and a GET with lookup.
func createThenLookup(create, lookup func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			create(w, r)
			return
		}
		lookup(w, r)
	}
}

// A 400 or 409 is settled by reading the record back, whatever it says.
func TestRefusalSettledByLookup(t *testing.T) {
	found := reply(200, `{"domain":"example.com","user":"101"}`)
	missing := reply(404, `{"code":404,"message":"User 101 not found"}`)
	for _, tc := range []struct {
		name   string
		create func(http.ResponseWriter, *http.Request)
		lookup func(http.ResponseWriter, *http.Request)
		want   connector.Status
		id     string
		msg    string // exact message; "" to skip
		has    string // message contains
	}{
		{"400 with neutral words, user found: exists", reply(400, `{"code":400,"message":"Bad Request"}`), found,
			connector.Exists, "example.com/101", "Bad Request", ""},
		{"400, no such user: invalid, vendor's words verbatim", reply(400, `{"code":400,"message":"time-zone 'Mars/Base' is not a valid value"}`), missing,
			connector.Invalid, "", "time-zone 'Mars/Base' is not a valid value", ""},
		{"400 saying 'already exists', no such user: invalid", reply(400, `{"code":400,"message":"user already exists"}`), missing,
			connector.Invalid, "", "user already exists", ""},
		{"409 with no duplicate wording, user found: exists", reply(409, `{"code":409,"message":"Conflict"}`), found,
			connector.Exists, "example.com/101", "Conflict", ""},
		{"400 without a body, no such user: invalid with the status", reply(400, ``), missing,
			connector.Invalid, "", "HTTP 400 Bad Request", ""},
		{"400, lookup refused as data too: the refusal stands", reply(400, `{"code":400,"message":"domain bad"}`), reply(400, `{"code":400,"message":"domain bad"}`),
			connector.Invalid, "", "domain bad", ""},
		{"400, lookup 503: uncertain", reply(400, `{"code":400,"message":"Bad Request"}`), reply(503, `{"code":503,"message":"maintenance"}`),
			connector.Uncertain, "", "", "maintenance"},
		{"400, lookup 401: auth", reply(400, `{"code":400,"message":"Bad Request"}`), reply(401, `{"code":401,"message":"expired"}`),
			connector.Auth, "", "NetSapiens refused the token: expired", ""},
		{"400 cut JSON, user found: exists", reply(400, `{"code":400,"mess`), found,
			connector.Exists, "example.com/101", "HTTP 400 Bad Request", ""},
		{"400 cut JSON, no such user: uncertain, not invalid", reply(400, `{"code":400,"mess`), missing,
			connector.Uncertain, "", "", "broken JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, createThenLookup(tc.create, tc.lookup))
			o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != tc.want || o.ID != tc.id || (tc.msg != "" && o.Message != tc.msg) || !strings.Contains(o.Message, tc.has) {
				t.Errorf("outcome %+v, want %v %q message %q containing %q", o, tc.want, tc.id, tc.msg, tc.has)
			}
			if strings.Contains(o.Message, `{"`) {
				t.Errorf("raw JSON in the message: %q", o.Message)
			}
			reqs := f.requests()
			if len(reqs) != 2 || reqs[1].Method != "GET" || reqs[1].Path != "/ns-api/v2/domains/example.com/users/101" {
				t.Errorf("requests %+v, want the create then one lookup", reqs)
			}
		})
	}
}

// An answer to a create that cannot be read is Uncertain: the run
// reconciles it by lookup. It is never Invalid and never shows raw JSON.
func TestMalformedCreateAnswers(t *testing.T) {
	cut := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(202)
		_, _ = io.WriteString(w, `{"code":202,`)
		httpcalltest.DropAfterRead(t, w, r)
	}
	for _, tc := range []struct {
		name   string
		handle func(http.ResponseWriter, *http.Request)
		status int
	}{
		{"200 truncated JSON", reply(200, `{"domain":"example.com","user":"1`), 200},
		{"202 empty body", reply(202, ``), 202},
		{"200 HTML page", reply(200, `<html><body>Portal login</body></html>`), 200},
		{"200 JSON array", reply(200, `[1,2]`), 200},
		{"202 body cut off", cut, 202},
		{"422 truncated JSON", reply(422, `{"code":422,"message":"bad`), 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.handle)
			o := f.client(t).Create(context.Background(), connector.Request{Record: user(t)})
			if o.Status != connector.Uncertain || o.HTTPStatus != tc.status || !strings.Contains(o.Message, "may have been applied") {
				t.Errorf("outcome %+v, want uncertain", o)
			}
			if strings.Contains(o.Message, `{"`) {
				t.Errorf("raw JSON in the message: %q", o.Message)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests: the client reconciles nothing itself here", n)
			}
		})
	}
}

// A 404 in the vendor's error shape is about the domain; any other 404,
// or one for the token's own domain, is a wrong base_url.
func TestCreateNotFound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		domain string
		body   string
		want   string // exact message, or its prefix for base_url
	}{
		{"Domain not found, verbatim", "example.com", `{"code":404,"message":"Domain 'example.com' not found"}`, "Domain 'example.com' not found"},
		{"JSON not in the vendor's shape", "example.com", `{"error":"Not Found"}`, "not found: check base_url ("},
		{"HTML page", "example.com", `<html><h1>Not Found</h1></html>`, "not found: check base_url ("},
		{"the token's own domain cannot be missing", "~", `{"code":404,"message":"Not Found"}`, "not found: check base_url ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, reply(404, tc.body))
			rec := user(t)
			rec.Set("domain", tc.domain)
			o := f.client(t).Create(context.Background(), connector.Request{Record: rec})
			if o.Status != connector.Invalid || o.HTTPStatus != 404 || !strings.HasPrefix(o.Message, tc.want) {
				t.Errorf("outcome %+v, want invalid %q", o, tc.want)
			}
			if strings.HasPrefix(tc.want, "not found") && !strings.Contains(o.Message, "/ns-api/v2/domains/") {
				t.Errorf("message %q does not name the address", o.Message)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests", n)
			}
		})
	}
}

// A user without user-scope is sent with the documented default, Basic
// User; a given scope is sent as is; sites get no user-scope.
func TestUserScopeDefaultSent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scope string
		want  string
	}{
		{"missing", "", "Basic User"},
		{"given", "Office Manager", "Office Manager"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, reply(202, `{"code":202,"message":"Accepted"}`))
			texts := map[string]string{"domain": "example.com", "user": "101", "name-first-name": "Jane", "name-last-name": "Smith",
				"email-address": "jane@example.com"}
			if tc.scope != "" {
				texts["user-scope"] = tc.scope
			}
			rec := httpcalltest.Record(t, User, texts)
			c := f.client(t)
			if o := c.Create(context.Background(), connector.Request{Record: rec}); o.Status != connector.Created {
				t.Fatalf("outcome %+v", o)
			}
			var body map[string]any
			if err := json.Unmarshal(f.requests()[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if body["user-scope"] != tc.want {
				t.Errorf("sent user-scope %v, want %q", body["user-scope"], tc.want)
			}
			if p := c.Preview(connector.Request{Record: rec}); p.Body["user-scope"] != tc.want {
				t.Errorf("preview user-scope %v, want %q", p.Body["user-scope"], tc.want)
			}
			if rec.Get("user-scope") == nil && tc.scope != "" {
				t.Error("the record lost its scope")
			}
		})
	}
	c, err := New(connector.Settings{BaseURL: "https://pbx.example/ns-api/v2", Options: map[string]string{"token": testToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Preview(connector.Request{Record: site(t)}).Body["user-scope"]; ok {
		t.Error("a site was given a user-scope")
	}
}

// An extension that is not all digits is sent as typed: the vendor takes
// any string.
func TestExtensionSentAsTyped(t *testing.T) {
	f := newFake(t, reply(202, `{"code":202,"message":"Accepted"}`))
	rec := user(t)
	v, p := User.Field("user").Parse("ext-7")
	if p == nil || !p.Warning {
		t.Fatalf("parse ext-7: %v, %+v; want a warning", v, p)
	}
	rec.Set("user", v)
	o := f.client(t).Create(context.Background(), connector.Request{Record: rec})
	if o.Status != connector.Created || o.ID != "example.com/ext-7" {
		t.Errorf("outcome %+v", o)
	}
	if b := string(f.requests()[0].Body); !strings.Contains(b, `"user":"ext-7"`) {
		t.Errorf("body %s", b)
	}
}
