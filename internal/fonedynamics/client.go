package fonedynamics

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
	"github.com/onboard/onboard/internal/schema"
)

// Client creates Fone Dynamics online logins. It is safe for concurrent
// use.
//
// Answers: a 2xx carrying OnlineLogin.OnlineLoginSid is Created (a 2xx
// without it, or unreadable, is Uncertain); a 400 or 409 that is not
// certainly a field-validation error is settled by listing the account's
// logins: Exists with the ID when the email is there, else Invalid with
// the vendor's message as sent; other 4xx in the vendor's words are
// Invalid, unreadable ones Uncertain; 401/403 are Auth (static
// credentials cannot be refreshed); 429 and 5xx are Retryable. Error
// bodies are read in the ServiceStack ResponseStatus shape the vendor's
// SDKs use, or the older flat and Error-object shapes (errors.go).
type Client struct {
	call   *httpcall.Caller
	base   string
	auth   string // Authorization header value
	token  string
	scheme string
	pace   func(context.Context) error // the vendor's rate limit, for pages beyond the first

	// The login list's length as last seen, so a lookup can read its end
	// (the newest logins) first: TotalCount of the latest list answer plus
	// the logins this client may have added since.
	mu     sync.Mutex
	listed int
	known  bool
	since  int
}

var _ connector.Client = (*Client)(nil)

// Paging of the login list in Lookup.
const (
	pageSize = 100
	maxPages = 200
)

// New builds a client from settings: base_url (default DefaultURL),
// token, auth_scheme (basic, the default, or bearer) and, for basic,
// account_sid.
func New(s connector.Settings) (connector.Client, error) {
	sid := strings.TrimSpace(s.Options["account_sid"])
	token := strings.TrimSpace(s.Options["token"])
	scheme := strings.ToLower(strings.TrimSpace(s.Options["auth_scheme"]))
	if scheme == "" {
		scheme = "basic"
	}
	if token == "" {
		return nil, errors.New("fonedynamics: option token is required: the API token from the portal (for example token: ${FONEDYNAMICS_TOKEN})")
	}
	c := &Client{token: token, scheme: scheme, pace: s.Pace}
	switch scheme {
	case "basic":
		if sid == "" {
			return nil, errors.New("fonedynamics: option account_sid is required with auth_scheme basic: the account SID from the portal")
		}
		c.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(sid+":"+token))
	case "bearer":
		c.auth = "Bearer " + token
	default:
		return nil, fmt.Errorf("fonedynamics: option auth_scheme is %q; use basic or bearer", s.Options["auth_scheme"])
	}
	base, err := httpcall.BaseURL("fonedynamics", s.BaseURL, DefaultURL)
	if err != nil {
		return nil, err
	}
	c.base = base
	c.call = httpcall.New("fonedynamics", s)
	return c, nil
}

func checkTarget(r schema.Record) error {
	if r.Target == nil || r.Target.ID != Login.ID {
		id := "none"
		if r.Target != nil {
			id = r.Target.ID
		}
		return fmt.Errorf("fonedynamics: cannot create records of target %s", id)
	}
	if r.Text("PropertySid") == "" {
		return errors.New("fonedynamics: the property SID is missing: fill in the Property SID column or set it in the configuration's defaults")
	}
	return nil
}

func (c *Client) createURL(r schema.Record) string {
	return c.base + "/v2/Properties/" + url.PathEscape(r.Text("PropertySid")) + "/OnlineLogins"
}

func (c *Client) header() http.Header { return http.Header{"Authorization": {c.auth}} }

// Preview returns the request Create would send, secrets redacted.
func (c *Client) Preview(req connector.Request) connector.Preview {
	p := connector.Preview{Method: http.MethodPost, URL: c.createURL(req.Record)}
	if req.Record.Target != nil && req.Record.Target.ID == Login.ID {
		p.Body = req.Record.Redacted()
	}
	return p
}

// Create posts one online login and classifies the answer.
func (c *Client) Create(ctx context.Context, req connector.Request) connector.Outcome {
	rec := req.Record
	if err := checkTarget(rec); err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.createURL(rec), Header: c.header(), JSON: rec.Body()})
	var o connector.Outcome
	if err != nil {
		o = c.call.FailureOutcome(err, true)
	} else {
		o = c.createAnswer(ctx, rec, resp)
	}
	if o.Status == connector.Created || o.Status == connector.Uncertain {
		c.added()
	}
	return c.finish(o, rec)
}

// added counts a login this client may just have added to the list.
func (c *Client) added() {
	c.mu.Lock()
	c.since++
	c.mu.Unlock()
}

// listedTotal remembers the list's length from a list answer.
func (c *Client) listedTotal(obj map[string]any) {
	total, ok := httpcall.Field(obj, "TotalCount")
	if !ok {
		return
	}
	n, err := strconv.Atoi(httpcall.Text(total))
	if err != nil || n < 0 {
		return
	}
	c.mu.Lock()
	c.listed, c.known, c.since = n, true, 0
	c.mu.Unlock()
}

// newestPage is where the last page of the list most likely starts,
// false when no list answer was seen yet.
func (c *Client) newestPage() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(c.listed+c.since-pageSize, 0), c.known
}

func (c *Client) createAnswer(ctx context.Context, rec schema.Record, resp *httpcall.Response) connector.Outcome {
	msg := vendorText(resp)
	switch {
	case resp.OK():
		obj, err := httpcall.DecodeObject(resp.Body)
		if resp.BodyErr != nil {
			err = resp.BodyErr
		}
		var sid string
		if err == nil {
			if login, ok := httpcall.Field(obj, "OnlineLogin"); ok {
				if m, ok := login.(map[string]any); ok {
					sid = httpcall.FieldText(m, "OnlineLoginSid")
				}
			}
			if sid == "" {
				err = errors.New("it has no OnlineLogin.OnlineLoginSid")
			}
		}
		if err != nil {
			return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: fmt.Sprintf(
				"Fone Dynamics answered %s but its body could not be read (%v); the login may have been created", httpcall.StatusText(resp.Status), err)}
		}
		return connector.Outcome{Status: connector.Created, ID: sid, HTTPStatus: resp.Status}
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "Fone Dynamics refused the credentials: " + words(resp, msg)}
	}
	if o, ok := c.call.Trouble(resp, msg); ok {
		return o
	}
	if resp.Status >= 300 && resp.Status < 400 {
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: fmt.Sprintf(
			"%s redirect to %q: check base_url", httpcall.StatusText(resp.Status), resp.Header.Get("Location"))}
	}
	return c.refused(ctx, rec, resp, readError(resp))
}

// refused classifies a 4xx refusal of a create (401, 403 and 429 are
// handled before). Wording is never trusted to mean "exists": a 400 or
// 409 that is not, with certainty, a field-validation error is settled by
// looking the email up. A 404 in the vendor's words is about the
// property; one without them is a wrong base_url. An answer that cannot
// be read is Uncertain, never Invalid.
func (c *Client) refused(ctx context.Context, rec schema.Record, resp *httpcall.Response, e vendorError) connector.Outcome {
	switch {
	case resp.Status == http.StatusBadRequest || resp.Status == http.StatusConflict:
		if e.Read && e.FieldValidation() {
			return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: e.Text()}
		}
		return c.settle(ctx, rec, resp, e)
	case !e.Read && resp.Status == http.StatusNotFound:
		return httpcall.NotFound(resp, "")
	case !e.Read:
		return unreadable(resp, "")
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: e.Text()}
}

// unreadable is the outcome of a refusal whose body cannot be read: the
// vendor's meaning is unknown, so the login may exist.
func unreadable(resp *httpcall.Response, after string) connector.Outcome {
	why := "its body could not be read"
	if s := httpcall.Snippet(resp.Body); s != "" {
		why += fmt.Sprintf(" (%q)", s)
	}
	return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: fmt.Sprintf(
		"Fone Dynamics answered %s but %s%s; the login may exist, so it will be looked up before anything is sent again",
		httpcall.StatusText(resp.Status), why, after)}
}

// settle looks the email up after a refusal that may mean the login
// exists: found → Exists with its OnlineLoginSid; not found → Invalid with
// the vendor's message as it sent it (Uncertain when there was no readable
// message); a lookup that cannot answer → Uncertain (Auth for refused
// credentials), for the run to look again.
func (c *Client) settle(ctx context.Context, rec schema.Record, resp *httpcall.Response, e vendorError) connector.Outcome {
	said := words(resp, "")
	if e.Read {
		said = e.Text()
	}
	lk := c.lookup(ctx, rec)
	switch lk.Status {
	case connector.Exists:
		m := said
		if lk.Message != "" {
			m += " (" + lk.Message + ")"
		}
		return connector.Outcome{Status: connector.Exists, ID: lk.ID, HTTPStatus: resp.Status, Message: m}
	case connector.NotFound:
		if !e.Read {
			return unreadable(resp, fmt.Sprintf(", and no online login with email %q is listed", rec.Text("Email")))
		}
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: said}
	case connector.Auth:
		return lk
	}
	return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: fmt.Sprintf(
		"Fone Dynamics answered %s: %s; whether the login already exists could not be checked: %s",
		httpcall.StatusText(resp.Status), said, lk.Message)}
}

// Lookup finds the online login by its email in the account's list of
// logins (GET /v2/OnlineLogins, page by page): Exists with its
// OnlineLoginSid, or NotFound.
//
// Paging uses the documented Results_Count and Results_Skip. The list
// also returns NextPageToken; the name of the query parameter that takes
// it back is not documented, so "PageToken" is assumed, and it is sent
// only beside Results_Skip, which alone pages correctly.
func (c *Client) Lookup(ctx context.Context, req connector.Request) connector.Outcome {
	if req.Record.Target == nil || req.Record.Target.ID != Login.ID {
		return connector.Outcome{Status: connector.Invalid, Message: "fonedynamics: cannot look up records of this target"}
	}
	return c.finish(c.lookup(ctx, req.Record), req.Record)
}

// pageTries is how many times one page of the login list is asked for
// when the answer is retryable: a lookup reads many pages, and one passing
// 5xx should not throw away the pages already read.
const pageTries = 4

// listPage reads one page of the login list, retrying a retryable answer
// (5xx, 429, a dropped GET) a few times with a short pause; the failure
// outcome is returned when it persists or the list is refused.
func (c *Client) listPage(ctx context.Context, u string, pace bool) (*httpcall.Response, *connector.Outcome) {
	var last connector.Outcome
	for try := 1; ; try++ {
		if (pace || try > 1) && c.pace != nil {
			if err := c.pace(ctx); err != nil {
				return nil, &connector.Outcome{Status: connector.Retryable, Message: "waiting for the rate limit: " + err.Error()}
			}
		}
		resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodGet, URL: u, Header: c.header()})
		switch {
		case err != nil:
			last = c.call.FailureOutcome(err, false)
		case !resp.OK():
			last = c.listRefused(resp)
		default:
			return resp, nil
		}
		// A GET changes nothing, so an unanswered one is as safe to repeat
		// as a refused one.
		if (last.Status != connector.Retryable && last.Status != connector.Uncertain) || try == pageTries {
			return nil, &last
		}
		wait := time.Duration(try) * 100 * time.Millisecond
		if last.RetryAfter > wait {
			wait = last.RetryAfter
		}
		select {
		case <-ctx.Done():
			return nil, &last
		case <-time.After(wait):
		}
	}
}

func (c *Client) lookup(ctx context.Context, rec schema.Record) connector.Outcome {
	email := rec.Text("Email")
	if email == "" {
		return connector.Outcome{Status: connector.Invalid, Message: "cannot look up an online login without its email"}
	}
	property := rec.Text("PropertySid")
	// The login to reconcile was most likely created moments ago: when an
	// earlier lookup told the list's length, read its end before anything
	// else (one request instead of two when it is there).
	tailTo, paced := -1, false
	if skip, ok := c.newestPage(); ok {
		o, found, end := c.findInTail(ctx, skip, email, property, false)
		if found {
			return o
		}
		tailTo, paced = end, true
	}
	skip, pageToken := 0, ""
	seen := make(map[string]bool)
	for page := 0; page < maxPages; page++ {
		q := url.Values{"Results_Count": {strconv.Itoa(pageSize)}, "Results_Skip": {strconv.Itoa(skip)}}
		if pageToken != "" {
			q.Set("PageToken", pageToken)
		}
		resp, fail := c.listPage(ctx, c.base+"/v2/OnlineLogins?"+q.Encode(), page > 0 || paced)
		if fail != nil {
			return *fail
		}
		obj, err := httpcall.DecodeObject(resp.Body)
		if resp.BodyErr != nil {
			err = resp.BodyErr
		}
		if err != nil {
			return connector.Outcome{Status: connector.Retryable, HTTPStatus: resp.Status,
				Message: fmt.Sprintf("Fone Dynamics' list of online logins could not be read: %v", err)}
		}
		c.listedTotal(obj)
		list, _ := httpcall.Field(obj, "OnlineLogins")
		logins, _ := list.([]any)
		fresh := 0
		for _, it := range logins {
			login, ok := it.(map[string]any)
			if !ok {
				continue
			}
			sid := httpcall.FieldText(login, "OnlineLoginSid")
			if !seen[sid] {
				seen[sid] = true
				fresh++
			}
			if strings.EqualFold(httpcall.FieldText(login, "Email"), email) {
				o := connector.Outcome{Status: connector.Exists, ID: sid, HTTPStatus: resp.Status}
				if property != "" && !hasProperty(login, property) {
					o.Message = fmt.Sprintf("the login exists but has no permissions on property %s", property)
				}
				return o
			}
		}
		skip += len(logins)
		pageToken = httpcall.FieldText(obj, "NextPageToken")
		total, hasTotal := httpcall.Field(obj, "TotalCount")
		if len(logins) > 0 && fresh == 0 {
			return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: fmt.Sprintf(
				"the list of online logins repeated itself after %d entries without %q; check the portal", len(seen), email)}
		}
		more := len(logins) > 0
		if pageToken == "" && hasTotal {
			if n, err := strconv.Atoi(httpcall.Text(total)); err == nil {
				more = more && skip < n
			}
		}
		if !more {
			return connector.Outcome{Status: connector.NotFound, HTTPStatus: resp.Status,
				Message: fmt.Sprintf("no online login with email %q among %d listed", email, len(seen))}
		}
		if page == 0 && hasTotal {
			// The login to reconcile was most likely created moments ago:
			// look at the end of the list before reading it all.
			// (unless the first read already reached the end).
			if n, err := strconv.Atoi(httpcall.Text(total)); err == nil && n-pageSize > skip && tailTo < n {
				if o, found, _ := c.findInTail(ctx, n-pageSize, email, property, true); found {
					return o
				}
			}
		}
	}
	return connector.Outcome{Status: connector.Uncertain, Message: fmt.Sprintf(
		"looked through %d online logins in %d pages without finding %q and stopped; check the portal", len(seen), maxPages, email)}
}

// findInTail looks for email on the page of the login list starting at
// skip (the last page), and says where that page ended (-1 unread). A
// failure here is not an answer: the caller goes on reading the list from
// the start. pace says the request needs its own rate token.
func (c *Client) findInTail(ctx context.Context, skip int, email, property string, pace bool) (connector.Outcome, bool, int) {
	q := url.Values{"Results_Count": {strconv.Itoa(pageSize)}, "Results_Skip": {strconv.Itoa(skip)}}
	resp, fail := c.listPage(ctx, c.base+"/v2/OnlineLogins?"+q.Encode(), pace)
	if fail != nil || resp.BodyErr != nil {
		return connector.Outcome{}, false, -1
	}
	obj, err := httpcall.DecodeObject(resp.Body)
	if err != nil {
		return connector.Outcome{}, false, -1
	}
	c.listedTotal(obj)
	list, _ := httpcall.Field(obj, "OnlineLogins")
	logins, _ := list.([]any)
	for _, it := range logins {
		login, ok := it.(map[string]any)
		if ok && strings.EqualFold(httpcall.FieldText(login, "Email"), email) {
			o := connector.Outcome{Status: connector.Exists, ID: httpcall.FieldText(login, "OnlineLoginSid"), HTTPStatus: resp.Status}
			if property != "" && !hasProperty(login, property) {
				o.Message = fmt.Sprintf("the login exists but has no permissions on property %s", property)
			}
			return o, true, skip + len(logins)
		}
	}
	if len(logins) == 0 {
		return connector.Outcome{}, false, -1
	}
	return connector.Outcome{}, false, skip + len(logins)
}

// hasProperty reports whether a login's Permissions name the property.
func hasProperty(login map[string]any, property string) bool {
	perms, _ := httpcall.Field(login, "Permissions")
	list, _ := perms.([]any)
	for _, p := range list {
		if m, ok := p.(map[string]any); ok && strings.EqualFold(httpcall.FieldText(m, "PropertySid"), property) {
			return true
		}
	}
	return false
}

// listRefused classifies a non-2xx answer to the list request.
func (c *Client) listRefused(resp *httpcall.Response) connector.Outcome {
	msg := vendorText(resp)
	if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "Fone Dynamics refused the credentials: " + words(resp, msg)}
	}
	if o, ok := c.call.Trouble(resp, msg); ok {
		return o
	}
	if resp.Status == http.StatusNotFound {
		// The list is always there: a 404 is a wrong address.
		return httpcall.NotFound(resp, msg)
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: "listing online logins: " + words(resp, msg)}
}

// words is the vendor's message, or the HTTP status when it gave none.
func words(resp *httpcall.Response, msg string) string {
	if msg != "" {
		return msg
	}
	return httpcall.StatusText(resp.Status)
}

// finish keeps the credentials and the login's password out of the
// message.
func (c *Client) finish(o connector.Outcome, rec schema.Record) connector.Outcome {
	o.Message = httpcall.Scrub(o.Message, append(httpcall.RecordSecrets(rec), c.token, strings.TrimPrefix(c.auth, "Basic "))...)
	return o
}
