// Package httpcall holds the HTTP mechanics the four vendor clients share,
// so each client only says what its vendor's answers mean: the HTTP client
// and per-request timeout, the User-Agent, sending one JSON request while
// noting whether it reached the wire, reading a bounded answer, turning
// transport failures, throttling and server errors into outcomes
// (Retryable or Uncertain), Retry-After parsing, and keeping secrets out of
// every message.
package httpcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/onboard/onboard/internal/connector"
)

// DefaultTimeout is the per-request timeout when Settings.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// MaxBody is the largest answer body read; a longer answer is cut there and
// reported through Response.BodyErr.
const MaxBody = 4 << 20

// Caller sends HTTP requests for one vendor. It is safe for concurrent use.
type Caller struct {
	vendor  string
	client  *http.Client
	timeout time.Duration
	logger  *slog.Logger
	now     func() time.Time
}

// New returns a Caller for vendor (its name, used in log records) built
// from the HTTP client, timeout, logger and clock in s, with defaults for
// those not set.
func New(vendor string, s connector.Settings) *Caller {
	c := &Caller{vendor: vendor, client: s.HTTP, timeout: s.Timeout, logger: s.Logger, now: s.Now}
	if c.client == nil {
		c.client = DefaultClient()
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// DefaultClient returns the HTTP client used when the settings give none:
// the standard transport (proxy from the environment, dial and TLS
// timeouts) with more idle connections per host for concurrent workers, and
// no redirect following, so a POST is never silently turned into a GET.
func DefaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Now returns the current time on the settings' clock.
func (c *Caller) Now() time.Time { return c.now() }

// Timeout is the per-request timeout.
func (c *Caller) Timeout() time.Duration { return c.timeout }

// Logger is the logger given in the settings (never given secrets).
func (c *Caller) Logger() *slog.Logger { return c.logger }

// BaseURL checks the configured base URL of a vendor, falling back to the
// vendor's documented one, and returns it without a trailing slash.
func BaseURL(vendor, configured, fallback string) (string, error) {
	raw := strings.TrimSpace(configured)
	if raw == "" {
		raw = fallback
	}
	if raw == "" {
		return "", fmt.Errorf("%s: base_url is required: set it to the vendor's API address in the configuration", vendor)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s: base_url %q is not a URL: %w", vendor, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s: base_url %q must start with https:// (or http://) and name a host", vendor, raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%s: base_url must not carry credentials; use the vendor's options instead", vendor)
	}
	return strings.TrimRight(raw, "/"), nil
}

// Request is one HTTP request to send.
type Request struct {
	Method string
	URL    string
	Header http.Header // extra headers, such as Authorization
	JSON   any         // request body, encoded as JSON; nil sends none
}

// Response is an answer that arrived: its status line, headers and body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the address asked, for messages: scheme, host and path,
	// without user info, query or fragment, where secrets can travel.
	URL string
	// BodyErr says the body could not be read whole: the connection broke
	// mid-body, or it was longer than MaxBody. Body holds what arrived.
	BodyErr error
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// TransportError is a request that got no answer. Sent tells whether the
// whole request had been written to the connection, so the vendor may have
// acted on it; Timeout whether the per-request timeout ran out.
type TransportError struct {
	Method  string
	URL     string
	Sent    bool
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// Do sends the request and reads the answer, with the per-request timeout
// applied to both. A non-nil error is a *TransportError (no answer came) or
// an encoding error for a body that cannot be JSON.
func (c *Caller) Do(ctx context.Context, r Request) (*Response, error) {
	var body io.Reader
	if r.JSON != nil {
		payload, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, fmt.Errorf("encode the request body as JSON: %w", err)
		}
		body = bytes.NewReader(payload)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var sent atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				sent.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", connector.UserAgent())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		te := &TransportError{Method: r.Method, URL: r.URL, Sent: sent.Load(), Timeout: isTimeout(err), Err: innerError(err)}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "vendor request failed", slog.String("vendor", c.vendor),
			slog.String("method", r.Method), slog.String("url", r.URL), slog.Bool("sent", te.Sent),
			slog.Bool("timeout", te.Timeout), slog.String("error", te.Err.Error()), slog.Duration("elapsed", time.Since(start)))
		return nil, te
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Header: resp.Header, URL: Where(r.URL)}
	out.Body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	switch {
	case err != nil:
		out.BodyErr = fmt.Errorf("the answer broke off after %d bytes: %w", len(out.Body), innerError(err))
	case len(out.Body) > MaxBody:
		out.Body = out.Body[:MaxBody]
		out.BodyErr = fmt.Errorf("the answer is longer than %d bytes", MaxBody)
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "vendor request", slog.String("vendor", c.vendor),
		slog.String("method", r.Method), slog.String("url", r.URL), slog.Int("status", out.Status),
		slog.Int("bytes", len(out.Body)), slog.Duration("elapsed", time.Since(start)))
	return out, nil
}

// innerError strips the *url.Error wrapper, whose text repeats the method
// and URL the caller already names.
func innerError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// FailureOutcome classifies an error from Do. For a request that creates
// something (mayApply), a request that was written but got no answer is
// Uncertain: the vendor may have applied it. A request that never left, or
// any request that only reads (mayApply false), is Retryable. An error that
// is not a transport failure (a body that cannot be encoded) is Invalid.
func (c *Caller) FailureOutcome(err error, mayApply bool) connector.Outcome {
	var te *TransportError
	if !errors.As(err, &te) {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	host := te.URL
	if u, perr := url.Parse(te.URL); perr == nil {
		host = u.Host
	}
	cause := te.Err.Error()
	if te.Timeout {
		cause = fmt.Sprintf("no answer within %s", c.timeout)
	}
	if errors.Is(te.Err, context.Canceled) {
		cause = "cancelled"
	}
	if te.Sent && mayApply {
		return connector.Outcome{Status: connector.Uncertain,
			Message: fmt.Sprintf("%s %s: %s after the request was sent; it may have been applied", te.Method, host, cause)}
	}
	if te.Sent {
		return connector.Outcome{Status: connector.Retryable, Message: fmt.Sprintf("%s %s: %s", te.Method, host, cause)}
	}
	return connector.Outcome{Status: connector.Retryable,
		Message: fmt.Sprintf("%s %s: %s before the request was sent", te.Method, host, cause)}
}

// Trouble returns the outcome for an answer that says nothing about the
// record itself: the Retryable outcome for one the vendor means as "not
// now" (429 Too Many Requests or any 5xx, with the wait the vendor asked
// for in Retry-After), and NotFound's outcome for a 404 that is not the
// API's own answer (no JSON object: a web server's page, or nothing),
// which is what a mistyped base_url gets. It reports false for any other
// answer, including a 404 in the API's JSON, which may be about the record
// ("User not found") and is the client's to read. message is the vendor's
// own text, if any.
func (c *Caller) Trouble(r *Response, message string) (connector.Outcome, bool) {
	if r.Status == http.StatusNotFound {
		if _, err := DecodeObject(r.Body); err == nil && r.BodyErr == nil {
			return connector.Outcome{}, false
		}
		return NotFound(r, ""), true
	}
	if r.Status != http.StatusTooManyRequests && (r.Status < 500 || r.Status > 599) {
		return connector.Outcome{}, false
	}
	o := connector.Outcome{Status: connector.Retryable, HTTPStatus: r.Status, RetryAfter: RetryAfter(r.Header, c.now())}
	o.Message = StatusText(r.Status)
	if message != "" {
		o.Message += ": " + message
	}
	if o.RetryAfter > 0 {
		o.Message += fmt.Sprintf(" (retry after %s)", o.RetryAfter)
	}
	return o, true
}

// NotFound returns the outcome for a 404 answer to a request whose address
// should exist whatever the record holds (a login, a list, the collection a
// create posts to): Invalid, "not found: check base_url (URL)", naming the
// address asked without its query or user info. message, the vendor's own
// text, is added when given. Clients call it for such requests; Trouble
// calls it for any 404 that is not the API's JSON.
func NotFound(r *Response, message string) connector.Outcome {
	where := r.URL
	if where == "" {
		where = "the address asked"
	}
	msg := "not found: check base_url (" + where + ")"
	if message != "" {
		msg += "; the vendor said: " + message
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: r.Status, Message: Truncate(msg, MaxMessage)}
}

// Where renders a request URL for messages: scheme, host and path, with
// user info, query and fragment (where tokens travel) left out.
func Where(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "an unreadable address"
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return out.String()
}

// MaxRetryAfter caps the wait a Retry-After header can ask for.
const MaxRetryAfter = 24 * time.Hour

// RetryAfter reads the Retry-After header: a number of seconds or an
// HTTP-date, measured from now. It returns 0 when the header is absent,
// unreadable or in the past, and at most MaxRetryAfter.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, ok := parseSeconds(v); ok {
		if secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		return 0
	}
	return min(d, MaxRetryAfter)
}

func parseSeconds(v string) (int64, bool) {
	var n int64
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, false
		}
		if n > 1<<40 {
			return n, true
		}
		n = n*10 + int64(r-'0')
	}
	return n, true
}

// StatusText names an HTTP status: "HTTP 404 Not Found".
func StatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("HTTP %d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}
