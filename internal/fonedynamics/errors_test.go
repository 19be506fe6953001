package fonedynamics

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
)

func TestReadErrorShapes(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		read       bool
		text       string
		fields     bool // FieldValidation
	}{
		{"ResponseStatus", `{"ResponseStatus":{"ErrorCode":"EmailExists","Message":"Email is registered"}}`,
			true, "Email is registered (error code EmailExists)", false},
		{"ResponseStatus field errors", `{"ResponseStatus":{"ErrorCode":"NotEmpty","Message":"'Last Name' must not be empty.","Errors":[
			{"ErrorCode":"NotEmpty","FieldName":"LastName","Message":"'Last Name' must not be empty."},
			{"ErrorCode":"Predicate","FieldName":"Scopes","Message":"Unknown scope 'Reportng'."}]}}`,
			true, "'Last Name' must not be empty.; Scopes: Unknown scope 'Reportng'. (error code NotEmpty)", true},
		{"field error on Email may be a duplicate", `{"ResponseStatus":{"ErrorCode":"Conflict","Message":"no",
			"Errors":[{"ErrorCode":"Conflict","FieldName":"Email","Message":"no"}]}}`, true, "no (error code Conflict)", false},
		{"field error on an unknown field", `{"ResponseStatus":{"Errors":[{"ErrorCode":"X","FieldName":"Username","Message":"bad"}]}}`,
			true, "Username: bad", false},
		{"field error without a field name", `{"ResponseStatus":{"Errors":[{"ErrorCode":"X","Message":"bad"}]}}`, true, "bad", false},
		{"flat", `{"Code":1002,"Message":"Password too short"}`, true, "Password too short (error code 1002)", false},
		{"Error object", `{"Error":{"Code":"E1","Message":"nope"}}`, true, "nope (error code E1)", false},
		{"Error string", `{"Error":"nope"}`, true, "nope", false},
		{"code only", `{"ResponseStatus":{"ErrorCode":"Forbidden"}}`, true, "Forbidden", false},
		{"empty object", `{}`, false, "", false},
		{"ResponseStatus null", `{"ResponseStatus":null}`, false, "", false},
		{"truncated", `{"ResponseStatus":{"ErrorCode":"X","Mess`, false, "", false},
		{"HTML", `<html><body>Bad Request</body></html>`, false, "", false},
		{"empty", ``, false, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := readError(&httpcall.Response{Status: 400, Body: []byte(tc.body)})
			if e.Read != tc.read || (tc.read && e.Text() != tc.text) || e.FieldValidation() != tc.fields {
				t.Errorf("read %v text %q fields %v; want %v %q %v", e.Read, e.Text(), e.FieldValidation(), tc.read, tc.text, tc.fields)
			}
		})
	}
}

// A refusal whose wording the client has never seen is settled by the
// login list, never by its words.
func TestRefusalsSettledByLookup(t *testing.T) {
	const odd = `{"ResponseStatus":{"ErrorCode":"E9","Message":"Der Benutzername ist vergeben"}}`
	for _, tc := range []struct {
		name     string
		create   func(http.ResponseWriter, *http.Request)
		listed   bool
		want     connector.Status
		message  string
		requests int
	}{
		{"unknown wording, listed", answer(400, odd), true, connector.Exists, "Der Benutzername ist vergeben (error code E9)", 2},
		{"unknown wording, not listed", answer(400, odd), false, connector.Invalid, "Der Benutzername ist vergeben (error code E9)", 2},
		{"409 without a body, listed", answer(409, ``), true, connector.Exists, "HTTP 409 Conflict", 2},
		{"Email field error, listed", answer(400, `{"ResponseStatus":{"ErrorCode":"Unique","Message":"Email: taken",
			"Errors":[{"ErrorCode":"Unique","FieldName":"Email","Message":"Email: taken"}]}}`), true, connector.Exists, "", 2},
		{"Scopes field error: no lookup", answer(400, `{"ResponseStatus":{"ErrorCode":"Predicate","Message":"Scopes: unknown scope",
			"Errors":[{"ErrorCode":"Predicate","FieldName":"Scopes","Message":"Scopes: unknown scope"}]}}`), true,
			connector.Invalid, "Scopes: unknown scope (error code Predicate)", 1},
		{"truncated 400, listed", answer(400, `{"ResponseStatus":{"Message":"An onl`), true, connector.Exists, "", 2},
		{"truncated 400, not listed", answer(400, `{"ResponseStatus":{"Message":"An onl`), false, connector.Uncertain, "", 2},
		{"HTML 400, not listed", answer(400, `<html>Bad Request</html>`), false, connector.Uncertain, "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			match := -1
			if tc.listed {
				match = 2
			}
			f := newFake(t, listing(3, match, tc.create))
			o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
			if o.Status != tc.want || (tc.message != "" && o.Message != tc.message) {
				t.Errorf("outcome %+v, want %v %q", o, tc.want, tc.message)
			}
			if tc.want == connector.Exists && o.ID != "sid-2" {
				t.Errorf("exists with ID %q, want sid-2", o.ID)
			}
			if strings.Contains(o.Message, `{"`) {
				t.Errorf("raw JSON in the message: %q", o.Message)
			}
			if n := len(f.requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
	t.Run("a lookup that fails leaves it uncertain", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				writeJSON(w, 400, odd)
				return
			}
			writeJSON(w, 503, `{"ResponseStatus":{"ErrorCode":"Unavailable","Message":"busy"}}`)
		})
		o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Uncertain || !strings.Contains(o.Message, "Der Benutzername ist vergeben") || !strings.Contains(o.Message, "busy") {
			t.Errorf("outcome %+v", o)
		}
	})
}

// Issue 9 item 7: an answer to a create that cannot be read is Uncertain
// (reconciled by lookup), never Invalid, and never carries raw JSON.
func TestMalformedAnswersAreUncertain(t *testing.T) {
	for name, h := range map[string]func(http.ResponseWriter, *http.Request){
		"200 truncated JSON": answer(200, `{"OnlineLogin":{"OnlineLoginSid":"5b8c8b7f-5c8e`),
		"200 HTML":           answer(200, `<html><body>OK</body></html>`),
		"200 empty":          answer(200, ``),
		"201 JSON null":      answer(201, `null`),
		"422 truncated":      answer(422, `{"ResponseStatus":{"Mes`),
		"400 truncated":      listing(0, -1, answer(400, `{"ResponseStatus":{"ErrorCode":"X","Message":"An online log`)),
		"400 empty":          listing(0, -1, answer(400, ``)),
		"409 HTML":           listing(0, -1, answer(409, `<html><h1>Conflict</h1></html>`)),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, h)
			o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
			if o.Status != connector.Uncertain || strings.Contains(o.Message, `{"`) || o.Message == "" {
				t.Errorf("outcome %+v, want uncertain without raw JSON", o)
			}
		})
	}
}

func TestNotFoundAnswers(t *testing.T) {
	t.Run("404 in the vendor's words is about the property", func(t *testing.T) {
		f := newFake(t, answer(404, `{"ResponseStatus":{"ErrorCode":"NotFound","Message":"Property 'SX' was not found"}}`))
		o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Invalid || o.Message != "Property 'SX' was not found (error code NotFound)" {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("404 without them is a wrong base_url", func(t *testing.T) {
		for _, body := range []string{`{}`, `Not Found`, ``} {
			f := newFake(t, answer(404, body))
			o := f.client(t).Create(context.Background(), connector.Request{Record: login(t)})
			if o.Status != connector.Invalid || !strings.HasPrefix(o.Message, "not found: check base_url (") {
				t.Errorf("%q: outcome %+v", body, o)
			}
		}
	})
	t.Run("404 to the login list is a wrong base_url", func(t *testing.T) {
		f := newFake(t, answer(404, `{"ResponseStatus":{"ErrorCode":"NotFound","Message":"Handler for Request not found"}}`))
		o := f.client(t).Lookup(context.Background(), connector.Request{Record: login(t)})
		if o.Status != connector.Invalid || !strings.HasPrefix(o.Message, "not found: check base_url (") ||
			!strings.Contains(o.Message, "/v2/OnlineLogins") || !strings.Contains(o.Message, "Handler for Request not found") {
			t.Errorf("outcome %+v", o)
		}
	})
}
