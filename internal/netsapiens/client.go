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
// Answers: 200/202 (any 2xx) is Created; 409 is Exists, confirmed by a
// lookup (when the lookup finds no such record, the 409 was about another
// record's unique value, such as a login username taken elsewhere, and the
// row is Invalid); 400/404 are Invalid with the vendor's message; 401/403
// are Auth (a static token cannot be refreshed); 429 and 5xx are Retryable.
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
	return connector.Preview{Method: http.MethodPost, URL: c.collectionURL(req.Record, res), Body: req.Record.Redacted()}
}

// Create posts one site or user and classifies the answer.
func (c *Client) Create(ctx context.Context, req connector.Request) connector.Outcome {
	rec := req.Record
	res, err := resourceOf(rec)
	if err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.collectionURL(rec, res), Header: c.header(), JSON: rec.Body()})
	if err != nil {
		return c.finish(c.call.FailureOutcome(err, true), rec)
	}
	return c.finish(c.createAnswer(ctx, rec, res, resp), rec)
}

func (c *Client) createAnswer(ctx context.Context, rec schema.Record, res resource, resp *httpcall.Response) connector.Outcome {
	msg := message(resp)
	switch {
	case resp.OK():
		// The status decides: the ID is the natural key, so a broken body
		// (possible with synchronous=yes) does not make the result doubtful.
		return connector.Outcome{Status: connector.Created, ID: recordID(rec, res, resp), HTTPStatus: resp.Status}
	case resp.Status == http.StatusConflict:
		return c.confirmExisting(ctx, rec, res, words(resp, msg))
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "NetSapiens refused the token: " + words(resp, msg)}
	}
	if o, ok := c.call.Trouble(resp, msg); ok {
		return o
	}
	return unexpected(resp, msg)
}

// confirmExisting looks up the record a 409 says exists.
func (c *Client) confirmExisting(ctx context.Context, rec schema.Record, res resource, msg string) connector.Outcome {
	lk := c.lookup(ctx, rec, res)
	switch lk.Status {
	case connector.Exists:
		return connector.Outcome{Status: connector.Exists, ID: lk.ID, Message: msg, HTTPStatus: http.StatusConflict}
	case connector.NotFound:
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: http.StatusConflict, Message: fmt.Sprintf(
			"%s (no %s %q exists in domain %q, so the conflict is with another record: a value that must be unique, such as login-username, is already taken)",
			msg, res.noun, rec.Text(res.noun), domain(rec))}
	}
	return connector.Outcome{Status: connector.Exists, HTTPStatus: http.StatusConflict,
		Message: fmt.Sprintf("%s (could not look it up to confirm: %s)", msg, lk.Message)}
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
	msg := message(resp)
	switch {
	case resp.OK():
		return connector.Outcome{Status: connector.Exists, ID: recordID(rec, res, resp), HTTPStatus: resp.Status}
	case resp.Status == http.StatusNotFound:
		return connector.Outcome{Status: connector.NotFound, HTTPStatus: resp.Status, Message: words(resp, msg)}
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "NetSapiens refused the token: " + words(resp, msg)}
	}
	if o, ok := c.call.Trouble(resp, msg); ok {
		return o
	}
	return unexpected(resp, msg)
}

// recordID is the ID a created or found record is known by: for a user
// domain/user, for a site its name; taken from the answer body when it
// names them (it names the real domain where the request said ~).
func recordID(rec schema.Record, res resource, resp *httpcall.Response) string {
	key, dom := rec.Text(res.noun), domain(rec)
	if obj, err := httpcall.DecodeObject(resp.Body); err == nil && resp.BodyErr == nil {
		if v := httpcall.FieldText(obj, res.noun); v != "" {
			key = v
		}
		if v := httpcall.FieldText(obj, "domain"); v != "" {
			dom = v
		}
	}
	if res.noun == "site" {
		return key
	}
	return dom + "/" + key
}

// message is the vendor's words for an answer: the "message" of its JSON
// error body, else an excerpt of a text body, else "".
func message(resp *httpcall.Response) string {
	if obj, err := httpcall.DecodeObject(resp.Body); err == nil {
		return httpcall.FieldText(obj, "message")
	}
	return httpcall.Snippet(resp.Body)
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
