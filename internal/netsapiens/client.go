package netsapiens

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
	"github.com/onboard/onboard/internal/schema"
)

// Client creates NetSapiens sites and users through ns-api v2 with a
// static bearer token. It is safe for concurrent use.
//
// Answers: a 2xx with a JSON object is Created; a 2xx whose body cannot be
// read is Uncertain (the run reconciles it by lookup). A 400 or 409 is
// never judged by its wording: the client reads the record back, and it
// Exists (with the vendor's ID) when found, else the row is Invalid with
// the vendor's message (for a 409, a unique value such as a login
// username is taken by another record). A 404 in the vendor's error shape
// is Invalid with its words ("Domain not found"); any other 404, or one
// for the token's own domain ~, means a wrong base_url. 401/403 are Auth
// (a static token cannot be refreshed); 429 and 5xx are Retryable.
type Client struct {
	call  *httpcall.Caller
	base  string
	token string
}

var _ connector.Client = (*Client)(nil)

// New builds a client from settings: base_url (required, the
// installation's .../ns-api/v2 address) and the token option.
func New(s connector.Settings) (connector.Client, error) {
	token := strings.TrimSpace(s.Options["token"])
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bearer "))
	if token == "" {
		return nil, errors.New("netsapiens: option token is required: the API key or access token (for example token: ${NETSAPIENS_TOKEN})")
	}
	base, err := httpcall.BaseURL("netsapiens", s.BaseURL, DefaultURL)
	if err != nil {
		return nil, err
	}
	return &Client{call: httpcall.New("netsapiens", s), base: base, token: token}, nil
}

// resource is where a target's records live under a domain.
type resource struct {
	noun       string // "user" or "site"
	collection string // "users" or "sites"
}

func resourceOf(r schema.Record) (resource, error) {
	if r.Target == nil {
		return resource{}, errors.New("netsapiens: record has no target")
	}
	switch r.Target.ID {
	case User.ID:
		return resource{noun: "user", collection: "users"}, nil
	case Site.ID:
		return resource{noun: "site", collection: "sites"}, nil
	}
	return resource{}, fmt.Errorf("netsapiens: cannot create records of target %s", r.Target.ID)
}

// domain is the record's domain path parameter, "~" (the token's own
// domain) when not given.
func domain(r schema.Record) string {
	if d := r.Text("domain"); d != "" {
		return d
	}
	if f := r.Target.Field("domain"); f != nil && f.Default != "" {
		return f.Default
	}
	return "~"
}

func (c *Client) collectionURL(r schema.Record, res resource) string {
	return c.base + "/domains/" + url.PathEscape(domain(r)) + "/" + res.collection
}

func (c *Client) itemURL(r schema.Record, res resource) string {
	return c.collectionURL(r, res) + "/" + url.PathEscape(r.Text(res.noun))
}

func (c *Client) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.token}}
}

// Preview returns the request Create would send, secrets redacted.
func (c *Client) Preview(req connector.Request) connector.Preview {
	res, err := resourceOf(req.Record)
	if err != nil {
		return connector.Preview{Method: http.MethodPost, URL: c.base}
	}
	return connector.Preview{Method: http.MethodPost, URL: c.collectionURL(req.Record, res),
		Body: withDefaults(req.Record, req.Record.Redacted())}
}

// withDefaults fills into body the documented default of every field the
// vendor requires but the record leaves empty (SentDefaults: user-scope
// Basic User).
func withDefaults(rec schema.Record, body map[string]any) map[string]any {
	for _, f := range SentDefaults(rec.Target) {
		if _, ok := body[f.Key]; ok {
			continue
		}
		if v, p := f.Parse(f.Default); p == nil && v != nil {
			body[f.Key] = v
		}
	}
	return body
}

// Create posts one site or user and classifies the answer.
func (c *Client) Create(ctx context.Context, req connector.Request) connector.Outcome {
	rec := req.Record
	res, err := resourceOf(rec)
	if err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.collectionURL(rec, res), Header: c.header(),
		JSON: withDefaults(rec, rec.Body())})
	if err != nil {
		return c.finish(c.call.FailureOutcome(err, true), rec)
	}
	return c.finish(c.createAnswer(ctx, rec, res, resp), rec)
}

func (c *Client) createAnswer(ctx context.Context, rec schema.Record, res resource, resp *httpcall.Response) connector.Outcome {
	a := read(resp)
	switch {
	case resp.OK() && a.obj == nil:
		return unreadable(resp, a)
	case resp.OK():
		return connector.Outcome{Status: connector.Created, ID: recordID(rec, res, a.obj), HTTPStatus: resp.Status}
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "NetSapiens refused the token: " + words(resp, a.msg)}
	case resp.Status == http.StatusBadRequest || resp.Status == http.StatusConflict:
		return c.settle(ctx, rec, res, resp, a)
	case resp.Status == http.StatusNotFound:
		return createNotFound(rec, resp, a)
	}
	if o, ok := c.call.Trouble(resp, a.msg); ok {
		return o
	}
	if a.broken {
		return unreadable(resp, a)
	}
	return unexpected(resp, a.msg)
}

// createNotFound classifies a 404 to a create. The API's own error
// ("Domain 'x' not found") is the vendor refusing the row: Invalid with
// its words. Any other 404 (not the vendor's error shape), or one for the
// token's own domain "~", which cannot be missing, means base_url points
// at the wrong place.
func createNotFound(rec schema.Record, resp *httpcall.Response, a answer) connector.Outcome {
	if !a.vendorError || domain(rec) == "~" {
		return httpcall.NotFound(resp, a.msg)
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: a.msg}
}

// settle decides a 400 or 409 refusal by reading the record, never by the
// wording: found, it exists (with the vendor's ID); not found, the row is
// Invalid with the vendor's message. A lookup that cannot be made leaves
// it Uncertain, for the run to reconcile.
func (c *Client) settle(ctx context.Context, rec schema.Record, res resource, resp *httpcall.Response, a answer) connector.Outcome {
	said := words(resp, a.msg)
	lk := c.lookup(ctx, rec, res)
	switch {
	case lk.Status == connector.Exists:
		return connector.Outcome{Status: connector.Exists, ID: lk.ID, Message: said, HTTPStatus: resp.Status}
	case lk.Status == connector.Auth:
		return lk
	case a.broken:
		return unreadable(resp, a)
	case lk.Status == connector.NotFound && resp.Status == http.StatusConflict:
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: fmt.Sprintf(
			"%s (no %s %q exists in domain %q, so the conflict is with another record: a value that must be unique, such as login-username, is already taken)",
			said, res.noun, rec.Text(res.noun), domain(rec))}
	case lk.Status == connector.NotFound, lk.Status == connector.Invalid:
		// Not there, or the read itself is refused as data (it cannot be
		// asked): the vendor's refusal stands, in its own words.
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: said}
	}
	return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: fmt.Sprintf(
		"NetSapiens refused the %s (%s: %s) and reading it back to see whether it exists failed: %s", res.noun,
		httpcall.StatusText(resp.Status), said, lk.Message)}
}

// Lookup reads the site or user by its natural key: Exists with its ID,
// or NotFound.
func (c *Client) Lookup(ctx context.Context, req connector.Request) connector.Outcome {
	res, err := resourceOf(req.Record)
	if err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	return c.finish(c.lookup(ctx, req.Record, res), req.Record)
}

func (c *Client) lookup(ctx context.Context, rec schema.Record, res resource) connector.Outcome {
	if rec.Text(res.noun) == "" {
		return connector.Outcome{Status: connector.Invalid, Message: fmt.Sprintf("cannot look up a %s without its %s", res.noun, res.noun)}
	}
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodGet, URL: c.itemURL(rec, res), Header: c.header()})
	if err != nil {
		return c.call.FailureOutcome(err, false)
	}
	a := read(resp)
	switch {
	case resp.OK() && a.obj == nil:
		// A 200 that is not the record (a proxy's page, a cut answer)
		// proves nothing: ask again.
		return connector.Outcome{Status: connector.Retryable, HTTPStatus: resp.Status,
			Message: fmt.Sprintf("reading the %s back: %s", res.noun, brokenWords(resp, a))}
	case resp.OK():
		return connector.Outcome{Status: connector.Exists, ID: recordID(rec, res, a.obj), HTTPStatus: resp.Status}
	case resp.Status == http.StatusNotFound && a.vendorError:
		return connector.Outcome{Status: connector.NotFound, HTTPStatus: resp.Status, Message: a.msg}
	case resp.Status == http.StatusNotFound:
		return httpcall.NotFound(resp, a.msg)
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "NetSapiens refused the token: " + words(resp, a.msg)}
	}
	if o, ok := c.call.Trouble(resp, a.msg); ok {
		return o
	}
	if a.broken {
		return connector.Outcome{Status: connector.Retryable, HTTPStatus: resp.Status,
			Message: fmt.Sprintf("reading the %s back: %s", res.noun, brokenWords(resp, a))}
	}
	return unexpected(resp, a.msg)
}

// recordID is the ID a created or found record is known by: for a user
// domain/user, for a site its name; taken from the answer's object when it
// names them (it names the real domain where the request said ~).
func recordID(rec schema.Record, res resource, obj map[string]any) string {
	key, dom := rec.Text(res.noun), domain(rec)
	if v := httpcall.FieldText(obj, res.noun); v != "" {
		key = v
	}
	if v := httpcall.FieldText(obj, "domain"); v != "" {
		dom = v
	}
	if res.noun == "site" {
		return key
	}
	return dom + "/" + key
}

// answer is what an answer's body says.
type answer struct {
	obj map[string]any // the JSON object, when the body is one, read whole
	msg string         // the vendor's words: "message" of the object, or a plain-text body
	// vendorError says the body is NetSapiens' error shape,
	// {"code": <status>, "message": "..."} (shared/vendors/netsapiens.md).
	vendorError bool
	// broken says the body cannot be read: cut off, or JSON that does
	// not parse.
	broken bool
}

// read reads an answer's body. A body that is cut or is broken JSON has no
// message: raw JSON never reaches a person.
func read(resp *httpcall.Response) answer {
	var a answer
	obj, err := httpcall.DecodeObject(resp.Body)
	switch {
	case resp.BodyErr != nil:
		a.broken = true
	case err == nil:
		a.obj = obj
		a.msg = httpcall.FieldText(obj, "message")
		_, hasCode := httpcall.Field(obj, "code")
		a.vendorError = hasCode && a.msg != ""
	case looksJSON(resp.Body):
		a.broken = true
	default:
		a.msg = httpcall.Snippet(resp.Body)
	}
	return a
}

// looksJSON reports whether body starts like a JSON object or array.
func looksJSON(body []byte) bool {
	t := strings.TrimSpace(string(body))
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// unreadable is the outcome of a create whose answer cannot be read: the
// vendor may have applied it, so Uncertain, for the run to reconcile by
// lookup; never Invalid.
func unreadable(resp *httpcall.Response, a answer) connector.Outcome {
	return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status,
		Message: brokenWords(resp, a) + "; it may have been applied, so it is checked by reading it back"}
}

// brokenWords says why an answer could not be used.
func brokenWords(resp *httpcall.Response, a answer) string {
	why := "is not the JSON object the API sends"
	switch {
	case resp.BodyErr != nil:
		why = "could not be read whole (" + resp.BodyErr.Error() + ")"
	case a.broken:
		why = "is broken JSON"
	case len(strings.TrimSpace(string(resp.Body))) == 0:
		why = "is empty"
	}
	return fmt.Sprintf("NetSapiens answered %s but its answer %s", httpcall.StatusText(resp.Status), why)
}

// words is the vendor's message, or the HTTP status when it gave none.
func words(resp *httpcall.Response, msg string) string {
	if msg != "" {
		return msg
	}
	return httpcall.StatusText(resp.Status)
}

// unexpected classifies an answer no rule covers: 400, 404 and any other
// 4xx mean the vendor rejected the data; a redirect means base_url is
// wrong.
func unexpected(resp *httpcall.Response, msg string) connector.Outcome {
	if resp.Status >= 300 && resp.Status < 400 {
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: fmt.Sprintf(
			"%s redirect to %q: check base_url (it should end in /ns-api/v2)", httpcall.StatusText(resp.Status), resp.Header.Get("Location"))}
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: words(resp, msg)}
}

// finish keeps the token and the record's secrets out of the message.
func (c *Client) finish(o connector.Outcome, rec schema.Record) connector.Outcome {
	o.Message = httpcall.Scrub(o.Message, append(httpcall.RecordSecrets(rec), c.token)...)
	return o
}
