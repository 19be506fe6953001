package acefone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
	"github.com/onboard/onboard/internal/schema"
)

// Client creates Acefone users. It is safe for concurrent use.
//
// Tokens: with login_id and password it logs in (POST /v1/auth/login) for
// a JWT and renews it before expires_in lapses; with a configured token it
// uses that. The token is sent as "Authorization: Bearer <token>" (the
// login answer names its token_type "bearer"). On an auth-shaped refusal
// (a 401, or a 400/403 whose error object speaks of the token or of
// authentication) it renews once (POST /v1/auth/refresh with the refused
// token, else a fresh login) and repeats the request once; a second
// auth-shaped refusal is Auth. Concurrent workers share one renewal.
//
// Answers (seed 002 documents only "success", "message" and "error"):
//   - 2xx: Created unless "success" is false; a 2xx whose body cannot be
//     read is Uncertain (the user may exist).
//   - 400 with "success": true and no error details: Created. The seed
//     defines success true as "success" and says a 400 where success is
//     true shows its message, so the vendor's message is kept.
//   - Any other answer whose body is not a readable JSON object (truncated,
//     HTML, empty) is Uncertain: it is no well-formed refusal, and the
//     re-send rule settles it.
//   - A refusal is Exists when its error object names the login ID as
//     taken, or, when it has no field details, its message says the login
//     ID is taken; a 409 is Exists. Other refusals are Invalid with the
//     vendor's own message and error details.
//   - A JSON 404 means a wrong base_url (every address the client builds
//     exists); 429 and 5xx are Retryable.
type Client struct {
	call     *httpcall.Caller
	base     string
	loginID  string
	password string
	static   string

	flight singleflight.Group
	mu     sync.Mutex
	tok    token
	spent  []string // recent token values, kept out of messages
}

var _ connector.Client = (*Client)(nil)

// token is an access token and when to renew it.
type token struct {
	value   string
	scheme  string    // Authorization scheme, "Bearer"
	renewAt time.Time // renew from here on; zero for a token without known expiry
	expires time.Time // zero when unknown
}

func (t token) usable(now time.Time) bool {
	return t.value != "" && (t.renewAt.IsZero() || now.Before(t.renewAt))
}

func (t token) header() http.Header {
	return http.Header{"Authorization": {t.scheme + " " + t.value}}
}

// defaultLifetime is the documented token lifetime, used when the login
// answer gives no expires_in.
const defaultLifetime = 60 * time.Minute

// New builds a client from settings: base_url (default DefaultURL) and
// either login_id and password, or token.
func New(s connector.Settings) (connector.Client, error) {
	c := &Client{
		loginID:  strings.TrimSpace(s.Options["login_id"]),
		password: s.Options["password"],
		static:   strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s.Options["token"]), "Bearer ")),
	}
	switch {
	case c.loginID != "" && c.password == "":
		return nil, errors.New("acefone: option password is required with login_id (for example password: ${ACEFONE_PASSWORD})")
	case c.loginID == "" && c.password != "":
		return nil, errors.New("acefone: option login_id is required with password")
	case c.loginID == "" && c.static == "":
		return nil, errors.New("acefone: set options login_id and password (the API user), or token (a long-lived token from Acefone)")
	}
	base, err := httpcall.BaseURL("acefone", s.BaseURL, DefaultURL)
	if err != nil {
		return nil, err
	}
	c.base = base
	c.call = httpcall.New("acefone", s)
	if c.static != "" {
		c.tok = token{value: c.static, scheme: "Bearer"}
	}
	return c, nil
}

func checkTarget(r schema.Record) error {
	if r.Target == nil || r.Target.ID != User.ID {
		id := "none"
		if r.Target != nil {
			id = r.Target.ID
		}
		return fmt.Errorf("acefone: cannot create records of target %s", id)
	}
	return nil
}

// Preview returns the request Create would send, secrets redacted.
func (c *Client) Preview(req connector.Request) connector.Preview {
	p := connector.Preview{Method: http.MethodPost, URL: c.base + "/v1/user"}
	if checkTarget(req.Record) == nil {
		p.Body = req.Record.Redacted()
	}
	return p
}

// Lookup cannot find an Acefone user: the vendor's reference documents no
// way to read a user back. It answers Unsupported saying existence is
// unknown; creating again settles it, since a duplicate login ID is
// answered as Exists.
func (c *Client) Lookup(ctx context.Context, req connector.Request) connector.Outcome {
	return connector.Outcome{Status: connector.Unsupported, Message: "existence unknown: Acefone documents no user lookup, " +
		"so a repeated create settles it (a duplicate login ID is reported as already existing)"}
}

// Create posts one user and classifies the answer.
func (c *Client) Create(ctx context.Context, req connector.Request) connector.Outcome {
	rec := req.Record
	if err := checkTarget(rec); err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	return c.finish(c.create(ctx, rec), rec)
}

func (c *Client) create(ctx context.Context, rec schema.Record) connector.Outcome {
	body := rec.Body()
	tok, o := c.token(ctx)
	if o != nil {
		return *o
	}
	resp, err := c.send(ctx, tok, body)
	if err != nil {
		return c.call.FailureOutcome(err, true)
	}
	if authShaped(resp) {
		c.call.Logger().Debug("acefone refused the token; renewing it once", "vendor", "acefone", "status", resp.Status)
		tok, o = c.renew(ctx, tok.value)
		if o != nil {
			return *o
		}
		resp, err = c.send(ctx, tok, body)
		if err != nil {
			return c.call.FailureOutcome(err, true)
		}
		if authShaped(resp) {
			return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status,
				Message: "Acefone refused a freshly renewed token: " + describe(resp)}
		}
	}
	return createAnswer(c.call, rec, resp)
}

func (c *Client) send(ctx context.Context, tok token, body map[string]any) (*httpcall.Response, error) {
	return c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.base + "/v1/user", Header: tok.header(), JSON: body})
}

// authWords mark an error object about the token or the sign-in.
var authWords = []string{"token", "authenticat", "unauthori", "jwt"}

// authShaped reports whether an answer refuses the token rather than the
// record: any 401, or a 400/403 whose error object (keys or text) speaks
// of the token or authentication. Codes alone are not trusted, since the
// vendor documents none for an expired token.
func authShaped(resp *httpcall.Response) bool {
	switch resp.Status {
	case http.StatusUnauthorized:
		return true
	case http.StatusBadRequest, http.StatusForbidden:
		obj, err := httpcall.DecodeObject(resp.Body)
		if err != nil {
			return false
		}
		errs, ok := httpcall.Field(obj, "error", "errors")
		return ok && containsAny(flatten(errs), authWords)
	}
	return false
}

// createAnswer classifies the answer to POST /v1/user.
func createAnswer(call *httpcall.Caller, rec schema.Record, resp *httpcall.Response) connector.Outcome {
	obj, decodeErr := httpcall.DecodeObject(resp.Body)
	if o, ok := call.Trouble(resp, vendorText(obj, resp)); ok {
		return o
	}
	switch {
	case resp.Status >= 300 && resp.Status < 400:
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: fmt.Sprintf(
			"%s redirect to %q: check base_url", httpcall.StatusText(resp.Status), resp.Header.Get("Location"))}
	case resp.Status == http.StatusNotFound:
		// POST /v1/user always exists: a 404 is the wrong address.
		return httpcall.NotFound(resp, vendorText(obj, resp))
	}
	if resp.BodyErr != nil || decodeErr != nil {
		return unreadable(resp, decodeErr)
	}
	success, saysSuccess := successOf(obj)
	switch {
	case resp.OK() && saysSuccess && !success:
		return refusal(rec, resp, obj)
	case resp.OK():
		return connector.Outcome{Status: connector.Created, ID: createdID(rec, obj), HTTPStatus: resp.Status, Message: httpcall.FieldText(obj, "message")}
	case resp.Status == http.StatusBadRequest && saysSuccess && success && !hasErrorDetails(obj):
		return connector.Outcome{Status: connector.Created, ID: createdID(rec, obj), HTTPStatus: resp.Status, Message: successOn400(resp, obj)}
	case resp.Status == http.StatusConflict:
		return connector.Outcome{Status: connector.Exists, ID: rec.Text("login_id"), HTTPStatus: resp.Status, Message: describe(resp)}
	case resp.Status == http.StatusForbidden:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "Acefone refused the request: " + describe(resp)}
	}
	return refusal(rec, resp, obj)
}

// unreadable is the outcome for an answer whose body is not a JSON object
// (cut short, an HTML page, empty): no well-formed verdict, so the user
// may have been created. The raw body is not repeated.
func unreadable(resp *httpcall.Response, decodeErr error) connector.Outcome {
	cause := resp.BodyErr
	if cause == nil {
		cause = decodeErr
	}
	return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: fmt.Sprintf(
		"Acefone answered %s but its body could not be read (%v); the user may have been created", httpcall.StatusText(resp.Status), cause)}
}

// successOn400 is the message of a 400 whose "success" is true: the
// vendor's message, and the status it came with.
func successOn400(resp *httpcall.Response, obj map[string]any) string {
	note := "Acefone answered " + httpcall.StatusText(resp.Status) + " with \"success\": true"
	if msg := httpcall.FieldText(obj, "message", "msg"); msg != "" {
		return msg + " (" + note + ")"
	}
	return note
}

// hasErrorDetails reports whether the body's error object says anything.
func hasErrorDetails(obj map[string]any) bool {
	errs, ok := httpcall.Field(obj, "error", "errors")
	return ok && flatten(errs) != ""
}

// refusal classifies a rejected create: a duplicate login ID means the
// user exists already; anything else is the vendor's verdict on the data.
func refusal(rec schema.Record, resp *httpcall.Response, obj map[string]any) connector.Outcome {
	if duplicateLogin(obj) {
		return connector.Outcome{Status: connector.Exists, ID: rec.Text("login_id"), HTTPStatus: resp.Status, Message: describe(resp)}
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: describe(resp)}
}

// successOf reads the body's "success" flag (a boolean, or "true"/"false").
func successOf(obj map[string]any) (success, present bool) {
	v, ok := httpcall.Field(obj, "success")
	if !ok {
		return false, false
	}
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		if strings.EqualFold(x, "true") || strings.EqualFold(x, "false") {
			return strings.EqualFold(x, "true"), true
		}
	}
	return false, false
}

// createdID is the ID the answer carries (id, user_id, or the same inside
// data), else the login ID, which identifies the user in Acefone.
func createdID(rec schema.Record, obj map[string]any) string {
	if id := httpcall.FieldText(obj, "id", "user_id"); id != "" {
		return id
	}
	if data, ok := httpcall.Field(obj, "data"); ok {
		if m, ok := data.(map[string]any); ok {
			if id := httpcall.FieldText(m, "id", "user_id"); id != "" {
				return id
			}
		}
	}
	return rec.Text("login_id")
}

// duplicateWords mark a text that says a value is taken.
var duplicateWords = []string{"already", "duplicate", "taken", "in use", "exists"}

func containsAny(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isLoginKey reports whether an error object's key names the login ID.
func isLoginKey(k string) bool {
	return strings.Contains(schema.Fold(k), "login")
}

// duplicateLogin reports whether a refusal says the login ID is taken.
// The error object decides when it has field keys: only a login key whose
// text says taken is a duplicate, and an error about any other field
// (email, number) never is, whatever the message says. Without field
// details only the message is left: it must say taken and name the login
// ID (wording only: see docs/vendors.md, "assumed").
func duplicateLogin(obj map[string]any) bool {
	if errs, ok := httpcall.Field(obj, "error", "errors"); ok {
		if m, ok := errs.(map[string]any); ok && flatten(m) != "" {
			for k, v := range m {
				if isLoginKey(k) && containsAny(flatten(v), duplicateWords) {
					return true
				}
			}
			return false
		}
	}
	texts := []string{httpcall.FieldText(obj, "message", "msg")}
	if errs, ok := httpcall.Field(obj, "error", "errors"); ok {
		if _, isMap := errs.(map[string]any); !isMap {
			texts = append(texts, flatten(errs))
		}
	}
	for _, t := range texts {
		if containsAny(t, duplicateWords) && strings.Contains(strings.ToLower(t), "login") {
			return true
		}
	}
	return false
}

// vendorText is the vendor's words in a body: its message, then the
// details of its error object ("login_id: has already been taken"), or an
// excerpt of a text body; "" when it said nothing.
func vendorText(obj map[string]any, resp *httpcall.Response) string {
	if obj == nil {
		return httpcall.Snippet(resp.Body)
	}
	msg := httpcall.FieldText(obj, "message", "msg")
	var details string
	if errs, ok := httpcall.Field(obj, "error", "errors"); ok {
		details = flatten(errs)
	}
	switch {
	case msg != "" && details != "" && details != msg:
		return msg + ": " + details
	case msg != "":
		return msg
	}
	return details
}

// describe is vendorText, or the HTTP status when the vendor said nothing.
func describe(resp *httpcall.Response) string {
	obj, _ := httpcall.DecodeObject(resp.Body)
	if t := vendorText(obj, resp); t != "" {
		return t
	}
	return httpcall.StatusText(resp.Status)
}

// flatten renders an error value as one line: strings as they are, lists
// joined by "; ", objects as "key: value" in key order.
func flatten(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if s := flatten(x[k]); s != "" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, "; ")
	case []any:
		parts := make([]string, 0, len(x))
		for _, it := range x {
			if s := flatten(it); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return httpcall.Text(v)
}

// token returns a token fit to use, logging in or renewing when there is
// none or it is about to lapse.
func (c *Client) token(ctx context.Context) (token, *connector.Outcome) {
	c.mu.Lock()
	t := c.tok
	c.mu.Unlock()
	if t.usable(c.call.Now()) {
		return t, nil
	}
	return c.renew(ctx, t.value)
}

// renew replaces the token refused (stale; "" for none): by refreshing it
// while it has not lapsed, else by logging in. Concurrent callers share
// one renewal, and a caller whose stale token was already replaced gets
// the replacement without another call.
func (c *Client) renew(ctx context.Context, stale string) (token, *connector.Outcome) {
	v, err, _ := c.flight.Do("token", func() (any, error) {
		// One worker's cancellation must not fail the others waiting on
		// this renewal; each request still has its timeout.
		ctx := context.WithoutCancel(ctx)
		c.mu.Lock()
		cur := c.tok
		c.mu.Unlock()
		now := c.call.Now()
		if cur.value != "" && cur.value != stale && cur.usable(now) {
			return cur, nil
		}
		var refreshFailed *connector.Outcome
		// A lapsed token is refreshed only when there is no login to fall
		// back on; otherwise logging in is the surer way.
		if cur.value != "" && (cur.expires.IsZero() || now.Before(cur.expires) || c.loginID == "") {
			t, o := c.refresh(ctx, cur)
			if o == nil {
				c.store(t)
				return t, nil
			}
			refreshFailed = o
			c.call.Logger().Debug("acefone token refresh failed", "vendor", "acefone", "status", o.HTTPStatus)
		}
		if c.loginID == "" && c.static != "" && stale != c.static && cur.value != c.static {
			// A token refreshed from the configured one lapsed and could
			// not be refreshed: go back to the configured token.
			t := token{value: c.static, scheme: "Bearer"}
			c.store(t)
			return t, nil
		}
		if c.loginID == "" {
			o := connector.Outcome{Status: connector.Auth, Message: "Acefone refused the configured token; " +
				"set a new token, or login_id and password so the client can log in"}
			if refreshFailed != nil {
				o.HTTPStatus = refreshFailed.HTTPStatus
				o.Message += " (refreshing it failed: " + refreshFailed.Message + ")"
				if refreshFailed.Status == connector.Retryable {
					o.Status = connector.Retryable
				}
			}
			return nil, outcomeError{o}
		}
		t, o := c.login(ctx)
		if o != nil {
			return nil, outcomeError{*o}
		}
		c.store(t)
		return t, nil
	})
	if err != nil {
		var oe outcomeError
		if errors.As(err, &oe) {
			return token{}, &oe.o
		}
		return token{}, &connector.Outcome{Status: connector.Retryable, Message: err.Error()}
	}
	return v.(token), nil
}

// outcomeError carries an outcome through singleflight.
type outcomeError struct{ o connector.Outcome }

func (e outcomeError) Error() string { return e.o.Message }

func (c *Client) store(t token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.value != "" {
		c.spent = append(c.spent, c.tok.value)
		if len(c.spent) > 8 {
			c.spent = c.spent[1:]
		}
	}
	c.tok = t
}

// login gets a new token with login_id and password.
func (c *Client) login(ctx context.Context) (token, *connector.Outcome) {
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.base + "/v1/auth/login",
		JSON: map[string]string{"login_id": c.loginID, "password": c.password}})
	if err != nil {
		o := c.call.FailureOutcome(err, false)
		o.Message = "Acefone login: " + o.Message
		return token{}, &o
	}
	t, o := c.tokenAnswer(resp, "login for login_id "+c.loginID)
	if o == nil {
		c.call.Logger().Debug("acefone: logged in", "vendor", "acefone", "expires", t.expires)
	}
	return t, o
}

// refresh exchanges a token that has not lapsed for a new one.
func (c *Client) refresh(ctx context.Context, cur token) (token, *connector.Outcome) {
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.base + "/v1/auth/refresh", Header: cur.header()})
	if err != nil {
		o := c.call.FailureOutcome(err, false)
		o.Message = "Acefone token refresh: " + o.Message
		return token{}, &o
	}
	t, o := c.tokenAnswer(resp, "token refresh")
	if o == nil {
		c.call.Logger().Debug("acefone: token refreshed", "vendor", "acefone", "expires", t.expires)
	}
	return t, o
}

// tokenAnswer reads a login or refresh answer:
// {"success": true, "access_token": "...", "token_type": "bearer", "expires_in": 3600}.
func (c *Client) tokenAnswer(resp *httpcall.Response, what string) (token, *connector.Outcome) {
	obj, decodeErr := httpcall.DecodeObject(resp.Body)
	if o, ok := c.call.Trouble(resp, vendorText(obj, resp)); ok {
		o.Message = "Acefone " + what + ": " + o.Message
		return token{}, &o
	}
	if resp.Status == http.StatusNotFound {
		// The login and refresh addresses always exist: a 404 is the wrong address.
		o := httpcall.NotFound(resp, vendorText(obj, resp))
		o.Message = "Acefone " + what + ": " + o.Message
		return token{}, &o
	}
	success, saysSuccess := successOf(obj)
	value := httpcall.FieldText(obj, "access_token", "token")
	if !resp.OK() || (saysSuccess && !success) {
		return token{}, &connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status,
			Message: fmt.Sprintf("Acefone refused the %s: %s", what, describe(resp))}
	}
	if resp.BodyErr != nil || decodeErr != nil || value == "" {
		return token{}, &connector.Outcome{Status: connector.Retryable, HTTPStatus: resp.Status,
			Message: fmt.Sprintf("Acefone %s answered %s without a readable access_token", what, httpcall.StatusText(resp.Status))}
	}
	t := token{value: value, scheme: "Bearer"}
	if tt := httpcall.FieldText(obj, "token_type"); tt != "" && !strings.EqualFold(tt, "bearer") {
		t.scheme = tt
	}
	lifetime := defaultLifetime
	if v, ok := httpcall.Field(obj, "expires_in"); ok {
		if secs, err := parseSeconds(v); err == nil && secs > 0 {
			lifetime = time.Duration(secs) * time.Second
		}
	}
	now := c.call.Now()
	t.expires = now.Add(lifetime)
	// Renew a fifth of the lifetime early, at most five minutes early.
	t.renewAt = t.expires.Add(-min(lifetime/5, 5*time.Minute))
	return t, nil
}

func parseSeconds(v any) (int64, error) {
	var secs int64
	_, err := fmt.Sscan(httpcall.Text(v), &secs)
	return secs, err
}

// finish keeps credentials, tokens and the record's password out of the
// message.
func (c *Client) finish(o connector.Outcome, rec schema.Record) connector.Outcome {
	c.mu.Lock()
	secrets := append([]string{c.password, c.static, c.tok.value}, c.spent...)
	c.mu.Unlock()
	o.Message = httpcall.Scrub(o.Message, append(secrets, httpcall.RecordSecrets(rec)...)...)
	return o
}
