package cove

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
	"github.com/onboard/onboard/internal/schema"
)

// Client adds Cove users through the JSON-RPC API. It is safe for
// concurrent use.
//
// Visas: Login returns a visa (the response's top-level "visa"); every call
// carries the newest visa this client has seen, and every answer's visa
// replaces it when it answers a later call than the one that brought the
// current visa. A visa chain lapses after 15 idle minutes: the client logs
// in again before a call when the last call was VisaIdle ago (measured on
// Settings.Now), and after any auth-shaped refusal (see Answers), then
// repeats the call once; a second refusal is Auth. Concurrent workers
// share one login.
//
// Answers: AddUser's result.result is the new user's ID (Created). Cove
// documents no error codes for AddUser, so the client never decides
// "exists" from an error's code or wording: any refusal it cannot classify
// with certainty (anything but a JSON-RPC protocol or invalid-params error,
// or an auth-shaped one) is settled by GetUserInfo before it is reported —
// found is Exists with the user's ID, not found is Invalid with Cove's own
// message verbatim. An auth-shaped refusal (it mentions the visa, session,
// authentication or a token, or carries 2100) is answered by one fresh
// Login and one retry; a second refusal is Auth. HTTP 429 and 5xx are
// Retryable; an answer that cannot be read is Uncertain.
type Client struct {
	call     *httpcall.Caller
	url      string
	partner  string
	username string
	password string

	flight singleflight.Group
	mu     sync.Mutex
	visa   string
	gen    uint64    // login generation: which chain visa belongs to
	seq    uint64    // number of the last call sent (the JSON-RPC id)
	visaAt uint64    // number of the call whose answer carried visa
	last   time.Time // when the last call with this chain was sent
	myPID  int64     // PartnerId of the logged-in user
	spent  []string  // recent visas, kept out of messages
}

var _ connector.Client = (*Client)(nil)

// VisaIdle is how long Cove keeps a visa chain without a call; the client
// logs in again VisaMargin before that.
const (
	VisaIdle   = 15 * time.Minute
	VisaMargin = 30 * time.Second
)

// The codes the client acts on. 2100 (in error.data) is Cove's failed
// Login; the rest are JSON-RPC 2.0's own, which say the request itself was
// refused before anything was applied.
const (
	codeLoginFailed   = 2100
	rpcParseError     = -32700
	rpcInvalidRequest = -32600
	rpcMethodNotFound = -32601
	rpcInvalidParams  = -32602
)

// New builds a client from settings: base_url (default DefaultURL) and
// the partner, username and password options.
func New(s connector.Settings) (connector.Client, error) {
	c := &Client{
		partner:  strings.TrimSpace(s.Options["partner"]),
		username: strings.TrimSpace(s.Options["username"]),
		password: s.Options["password"],
	}
	var missing []string
	for _, o := range []struct{ name, value string }{{"partner", c.partner}, {"username", c.username}, {"password", c.password}} {
		if o.value == "" {
			missing = append(missing, o.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("cove: options partner, username and password are required (the Login credentials of a user with API Authentication enabled; "+
			"for example password: ${COVE_PASSWORD}); missing: %s", strings.Join(missing, ", "))
	}
	u, err := httpcall.BaseURL("cove", s.BaseURL, DefaultURL)
	if err != nil {
		return nil, err
	}
	c.url = u
	c.call = httpcall.New("cove", s)
	return c, nil
}

// envelope is a JSON-RPC 2.0 request as Cove takes it.
type envelope struct {
	JSONRPC string `json:"jsonrpc"`
	ID      string `json:"id"`
	Visa    string `json:"visa,omitempty"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

// answer is a JSON-RPC response with Cove's top-level visa.
type answer struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
	Visa   string          `json:"visa"`
}

// rpcError is a JSON-RPC error; Cove puts its own code in data.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// coveCode is Cove's code from error.data, 0 when there is none.
func (e *rpcError) coveCode() int {
	n, _ := strconv.Atoi(string(bytes.TrimSpace(e.Data)))
	return n
}

func (e *rpcError) has(words ...string) bool {
	m := strings.ToLower(e.Message)
	for _, w := range words {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// authShaped reports an error that may mean the visa is missing, unknown
// or lapsed, or the sign-in no longer holds: worth one fresh Login. It
// errs on the side of logging in again, which costs one call.
func (e *rpcError) authShaped() bool {
	return e.coveCode() == codeLoginFailed || e.has("visa", "session", "authenticat", "token", "log in again", "login again")
}

// permission reports wording of a refusal on rights rather than on the
// record; it only ever turns Invalid into Auth, never decides "exists".
func (e *rpcError) permission() bool {
	return e.has("security reason", "permission", "not authorized", "not authorised", "access denied", "forbidden")
}

// certain reports a refusal whose meaning is certain without a lookup:
// JSON-RPC 2.0's own codes for an unreadable call, an unknown method or
// parameters that break the method's rules. Nothing was applied.
func (e *rpcError) certain() bool {
	switch e.Code {
	case rpcParseError, rpcInvalidRequest, rpcMethodNotFound, rpcInvalidParams:
		return true
	}
	return false
}

// without is a copy of the error whose message leaves out values (the
// record's own name and address), for reading its wording.
func (e *rpcError) without(values ...string) *rpcError {
	cp := *e
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			cp.Message = replaceFold(cp.Message, v)
		}
	}
	return &cp
}

// replaceFold removes every case-insensitive occurrence of v from s.
func replaceFold(s, v string) string {
	lower, lv := strings.ToLower(s), strings.ToLower(v)
	if len(lower) != len(s) || len(lv) != len(v) {
		return strings.ReplaceAll(s, v, "")
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lv)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s, lower = s[i+len(v):], lower[i+len(v):]
	}
}

// text is the vendor's message, or the code when it gave none.
func (e *rpcError) text() string {
	if strings.TrimSpace(e.Message) != "" {
		return e.Message
	}
	return fmt.Sprintf("JSON-RPC error %d", e.Code)
}

// outcome classifies an application error of any call but Login once the
// client has done what it can (a fresh Login, a lookup).
func (e *rpcError) outcome() connector.Outcome {
	o := connector.Outcome{Status: connector.Invalid, HTTPStatus: http.StatusOK, Message: e.text()}
	switch {
	case e.authShaped():
		o.Status, o.Message = connector.Auth, "Cove refused a fresh visa: "+e.text()
	case e.permission():
		o.Status = connector.Auth
	}
	return o
}

func checkTarget(r schema.Record) error {
	if r.Target == nil || r.Target.ID != User.ID {
		id := "none"
		if r.Target != nil {
			id = r.Target.ID
		}
		return fmt.Errorf("cove: cannot create records of target %s", id)
	}
	return nil
}

// userInfo is AddUser's userInfo: the record's body plus its fields
// marked Path (PartnerId, which may come from the configuration's
// defaults), since a JSON-RPC call has no URL path.
func userInfo(r schema.Record, body map[string]any) map[string]any {
	for i, f := range r.Target.Fields {
		if f.Path && i < len(r.Values) && r.Values[i] != nil {
			body[f.Key] = r.Values[i]
		}
	}
	return body
}

// Preview returns the AddUser call Create would send, with the visa and
// password redacted.
func (c *Client) Preview(req connector.Request) connector.Preview {
	p := connector.Preview{Method: http.MethodPost, URL: c.url}
	if checkTarget(req.Record) == nil {
		p.Body = map[string]any{"jsonrpc": "2.0", "id": "1", "visa": schema.Mask, "method": "AddUser",
			"params": map[string]any{"userInfo": userInfo(req.Record, req.Record.Redacted())}}
	}
	return p
}

// Create adds one user and classifies the answer.
func (c *Client) Create(ctx context.Context, req connector.Request) connector.Outcome {
	rec := req.Record
	if err := checkTarget(rec); err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	return c.finish(c.create(ctx, rec), rec)
}

func (c *Client) create(ctx context.Context, rec schema.Record) connector.Outcome {
	params := map[string]any{"userInfo": userInfo(rec, rec.Body())}
	ans, o := c.rpc(ctx, "AddUser", params, true)
	if o != nil {
		return *o
	}
	if ans.Error != nil {
		if ans.Error.certain() {
			return ans.Error.outcome()
		}
		return c.settle(ctx, rec, ans.Error)
	}
	var res struct {
		Result json.RawMessage `json:"result"`
	}
	id := ""
	if json.Unmarshal(ans.Result, &res) == nil {
		id = scalar(res.Result)
	}
	if id == "" {
		return connector.Outcome{Status: connector.Uncertain, HTTPStatus: http.StatusOK,
			Message: "Cove answered AddUser without the new user's ID (result.result); the user may have been added"}
	}
	return connector.Outcome{Status: connector.Created, ID: id, HTTPStatus: http.StatusOK}
}

// scalar renders a JSON number or string as text; "" for anything else.
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// settle decides an AddUser refusal the client cannot classify by looking
// the user up: found is Exists with the user's ID; not found is Invalid
// with Cove's message verbatim (Auth for a refusal on rights, or one that
// still reads as a sign-in problem after the fresh Login); a lookup that
// could not answer leaves the create Uncertain, for dispatch to reconcile.
// A refusal that reads as a sign-in problem has had its one fresh Login
// (rpc), so the lookup gets none: if its visa is refused too, it is Auth.
// The record's own name and address are left out when reading the
// wording, so that "visa.team@..." cannot look like a visa problem.
func (c *Client) settle(ctx context.Context, rec schema.Record, refusal *rpcError) connector.Outcome {
	msg := refusal.text()
	shape := refusal.without(rec.Text("Name"), rec.Text("EmailAddress"))
	relogins := 1
	if refusal.authShaped() {
		relogins = 0
	}
	lk := c.lookup(ctx, rec, relogins)
	switch lk.Status {
	case connector.Exists:
		return connector.Outcome{Status: connector.Exists, ID: lk.ID, HTTPStatus: http.StatusOK, Message: msg}
	case connector.NotFound:
		o := shape.outcome()
		o.Message = msg
		return o
	case connector.Auth:
		return lk
	}
	return connector.Outcome{Status: connector.Uncertain, HTTPStatus: http.StatusOK, Message: fmt.Sprintf(
		"Cove refused AddUser (%s) and looking the user up to tell whether it already exists failed: %s", msg, lk.Message)}
}

// Lookup finds the user by partner and login name with GetUserInfo:
// Exists with its ID, or NotFound.
func (c *Client) Lookup(ctx context.Context, req connector.Request) connector.Outcome {
	if err := checkTarget(req.Record); err != nil {
		return connector.Outcome{Status: connector.Invalid, Message: err.Error()}
	}
	return c.finish(c.lookup(ctx, req.Record, 1), req.Record)
}

// lookup runs GetUserInfo; relogins is as for rpcRelogin.
func (c *Client) lookup(ctx context.Context, rec schema.Record, relogins int) connector.Outcome {
	name := rec.Text("Name")
	if name == "" {
		name = rec.Text("EmailAddress")
	}
	params := map[string]any{"partnerId": rec.Get("PartnerId"), "nameOrEmail": name}
	ans, o := c.rpcRelogin(ctx, "GetUserInfo", params, false, relogins)
	if o != nil {
		return *o
	}
	if ans.Error != nil {
		shape := ans.Error.without(name, rec.Text("EmailAddress"))
		if shape.authShaped() || shape.permission() {
			return ans.Error.outcome()
		}
		if ans.Error.certain() { // the lookup call itself was refused: nothing learnt
			return connector.Outcome{Status: connector.Invalid, HTTPStatus: http.StatusOK, Message: "Cove refused GetUserInfo: " + ans.Error.text()}
		}
		// Cove documents no "not found" code: any other well-formed
		// refusal means it has no such user to give.
		return connector.Outcome{Status: connector.NotFound, HTTPStatus: http.StatusOK, Message: ans.Error.text()}
	}
	var res struct {
		Result map[string]json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(ans.Result, &res); err != nil || res.Result == nil {
		return connector.Outcome{Status: connector.Retryable, HTTPStatus: http.StatusOK, Message: "Cove answered GetUserInfo without a user object"}
	}
	id := scalar(res.Result["Id"])
	if id == "" {
		id = scalar(res.Result["ID"])
	}
	if id == "" {
		return connector.Outcome{Status: connector.Retryable, HTTPStatus: http.StatusOK, Message: "Cove answered GetUserInfo with a user but without its ID"}
	}
	return connector.Outcome{Status: connector.Exists, ID: id, HTTPStatus: http.StatusOK}
}

// Roles returns the user roles available under a partner, name → ID, from
// EnumerateUserRoles, to turn role names into RoleId values. partnerID 0
// means the partner of the logged-in user.
func (c *Client) Roles(ctx context.Context, partnerID int64) (map[string]int64, error) {
	if partnerID == 0 {
		if _, _, _, o := c.session(ctx); o != nil {
			o.Message = c.scrub(o.Message)
			return nil, &connector.CallError{Op: "cove: EnumerateUserRoles: signing in", Outcome: *o}
		}
		c.mu.Lock()
		partnerID = c.myPID
		c.mu.Unlock()
		if partnerID == 0 {
			return nil, errors.New("cove: EnumerateUserRoles: the login did not say which partner the user belongs to; give a partner ID")
		}
	}
	ans, o := c.rpc(ctx, "EnumerateUserRoles", map[string]any{"partnerId": partnerID}, false)
	if o == nil && ans.Error != nil {
		eo := ans.Error.outcome()
		o = &eo
	}
	if o != nil {
		o.Message = c.scrub(o.Message)
		return nil, &connector.CallError{Op: fmt.Sprintf("cove: EnumerateUserRoles for partner %d", partnerID), Outcome: *o}
	}
	var res struct {
		Result []struct {
			ID   int64  `json:"Id"`
			Name string `json:"Name"`
		} `json:"result"`
	}
	if err := json.Unmarshal(ans.Result, &res); err != nil {
		return nil, &connector.CallError{Op: fmt.Sprintf("cove: EnumerateUserRoles for partner %d", partnerID), Outcome: connector.Outcome{
			Status: connector.Retryable, HTTPStatus: http.StatusOK, Message: "Cove's answer could not be read: result is not a list of roles"}}
	}
	roles := make(map[string]int64, len(res.Result))
	for _, r := range res.Result {
		roles[r.Name] = r.ID
	}
	return roles, nil
}

// rpc makes one call with the newest visa, logging in first when there is
// no live visa, and once more after a fresh login when the answer is an
// auth-shaped refusal (whatever its code). mayApply says the call changes something, so a lost answer is
// Uncertain rather than Retryable.
func (c *Client) rpc(ctx context.Context, method string, params any, mayApply bool) (*answer, *connector.Outcome) {
	return c.rpcRelogin(ctx, method, params, mayApply, 1)
}

// rpcRelogin is rpc with the number of fresh logins an auth-shaped refusal
// may earn (0 or 1).
func (c *Client) rpcRelogin(ctx context.Context, method string, params any, mayApply bool, relogins int) (*answer, *connector.Outcome) {
	for attempt := 0; ; attempt++ {
		visa, gen, seq, o := c.session(ctx)
		if o != nil {
			return nil, o
		}
		ans, o := c.post(ctx, envelope{JSONRPC: "2.0", ID: strconv.FormatUint(seq, 10), Visa: visa, Method: method, Params: params}, mayApply)
		if o != nil {
			return nil, o
		}
		c.adopt(ans.Visa, seq)
		if ans.Error != nil && ans.Error.authShaped() && attempt < relogins {
			c.call.Logger().Debug("cove refused the visa; logging in again", "vendor", "cove", "method", method)
			c.drop(gen)
			continue
		}
		return ans, nil
	}
}

// session returns the visa to send and the call's number, logging in when
// there is no visa or the chain has been idle too long.
func (c *Client) session(ctx context.Context) (visa string, gen, seq uint64, o *connector.Outcome) {
	for range 3 {
		now := c.call.Now()
		c.mu.Lock()
		if c.visa != "" && now.Sub(c.last) < VisaIdle-VisaMargin {
			c.seq++
			c.last = now
			visa, gen, seq = c.visa, c.gen, c.seq
			c.mu.Unlock()
			return visa, gen, seq, nil
		}
		gen = c.gen
		c.mu.Unlock()
		if o := c.login(ctx, gen); o != nil {
			return "", 0, 0, o
		}
	}
	return "", 0, 0, &connector.Outcome{Status: connector.Auth, Message: "Cove: no usable visa after logging in"}
}

// adopt keeps a visa from an answer when it answers a later call than the
// one that brought the current visa.
func (c *Client) adopt(visa string, seq uint64) {
	if visa == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq > c.visaAt && visa != c.visa {
		c.remember(c.visa)
		c.visa, c.visaAt = visa, seq
	}
}

// drop forgets the visa of login generation gen, so the next call logs in.
func (c *Client) drop(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.remember(c.visa)
		c.visa = ""
	}
}

func (c *Client) remember(visa string) {
	if visa == "" {
		return
	}
	c.spent = append(c.spent, visa)
	if len(c.spent) > 16 {
		c.spent = c.spent[1:]
	}
}

// login starts a new visa chain unless another worker already replaced
// generation gen; concurrent callers share one Login call.
func (c *Client) login(ctx context.Context, gen uint64) *connector.Outcome {
	_, err, _ := c.flight.Do("login", func() (any, error) {
		ctx := context.WithoutCancel(ctx)
		now := c.call.Now()
		c.mu.Lock()
		if c.gen != gen && c.visa != "" && now.Sub(c.last) < VisaIdle-VisaMargin {
			c.mu.Unlock()
			return nil, nil
		}
		c.seq++
		seq := c.seq
		c.mu.Unlock()
		params := map[string]string{"partner": c.partner, "username": c.username, "password": c.password}
		ans, o := c.post(ctx, envelope{JSONRPC: "2.0", ID: strconv.FormatUint(seq, 10), Method: "Login", Params: params}, false)
		if o != nil {
			o.Message = "Cove Login: " + o.Message
			return nil, outcomeError{*o}
		}
		if ans.Error != nil {
			return nil, outcomeError{connector.Outcome{Status: connector.Auth, HTTPStatus: http.StatusOK, Message: fmt.Sprintf(
				"Cove refused the login of %s under partner %q: %s", c.username, c.partner, ans.Error.Message)}}
		}
		if ans.Visa == "" {
			return nil, outcomeError{connector.Outcome{Status: connector.Retryable, HTTPStatus: http.StatusOK,
				Message: "Cove answered Login without a visa"}}
		}
		var res struct {
			Result struct {
				PartnerID int64 `json:"PartnerId"`
			} `json:"result"`
		}
		_ = json.Unmarshal(ans.Result, &res)
		c.mu.Lock()
		c.remember(c.visa)
		c.gen++
		c.visa, c.visaAt, c.last = ans.Visa, seq, now
		if res.Result.PartnerID != 0 {
			c.myPID = res.Result.PartnerID
		}
		c.mu.Unlock()
		c.call.Logger().Debug("cove: logged in", "vendor", "cove", "partner", c.partner)
		return nil, nil
	})
	if err != nil {
		var oe outcomeError
		if errors.As(err, &oe) {
			return &oe.o
		}
		return &connector.Outcome{Status: connector.Retryable, Message: err.Error()}
	}
	return nil
}

// outcomeError carries an outcome through singleflight.
type outcomeError struct{ o connector.Outcome }

func (e outcomeError) Error() string { return e.o.Message }

// post sends one JSON-RPC call and reads its answer, classifying what
// went wrong on the HTTP level.
func (c *Client) post(ctx context.Context, env envelope, mayApply bool) (*answer, *connector.Outcome) {
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.url, JSON: env})
	if err != nil {
		o := c.call.FailureOutcome(err, mayApply)
		return nil, &o
	}
	var ans answer
	decodeErr := json.Unmarshal(resp.Body, &ans)
	if resp.BodyErr != nil {
		decodeErr = resp.BodyErr
	}
	msg, snippet := "", ""
	if decodeErr == nil && ans.Error != nil {
		// Visas out first, so that one echoed back cannot read as wording.
		ans.Error.Message = c.scrub(ans.Error.Message, env.Visa)
		msg = ans.Error.Message
	} else if decodeErr != nil {
		snippet = httpcall.Snippet(resp.Body)
	}
	if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
		return nil, &connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: "Cove refused the call: " + or(msg, httpcall.StatusText(resp.Status))}
	}
	if resp.Status == http.StatusNotFound {
		// The endpoint is one fixed address: a 404 never means "no such user".
		o := httpcall.NotFound(resp, msg)
		return nil, &o
	}
	if o, ok := c.call.Trouble(resp, or(msg, snippet)); ok {
		return nil, &o
	}
	if !resp.OK() {
		if decodeErr == nil && ans.Error != nil {
			return &ans, nil // a JSON-RPC refusal sent with a 4xx status: read it as one
		}
		return nil, &connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status,
			Message: fmt.Sprintf("Cove refused %s with %s and no readable reason (check base_url: it should be the JSON-RPC endpoint)",
				env.Method, httpcall.StatusText(resp.Status))}
	}
	if decodeErr != nil || (ans.Error == nil && len(ans.Result) == 0) {
		cause := "it has neither result nor error"
		if decodeErr != nil {
			cause = decodeErr.Error()
		}
		status := connector.Retryable
		tail := ""
		if mayApply {
			status, tail = connector.Uncertain, "; it may have been applied"
		}
		return nil, &connector.Outcome{Status: status, HTTPStatus: resp.Status,
			Message: fmt.Sprintf("Cove's answer to %s could not be read (%s)%s", env.Method, cause, tail)}
	}
	return &ans, nil
}

func or(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// scrub keeps the password and every visa out of a message.
func (c *Client) scrub(msg string, extra ...string) string {
	c.mu.Lock()
	secrets := append([]string{c.password, c.visa}, c.spent...)
	c.mu.Unlock()
	return httpcall.Scrub(msg, append(secrets, extra...)...)
}

func (c *Client) finish(o connector.Outcome, rec schema.Record) connector.Outcome {
	o.Message = c.scrub(o.Message, httpcall.RecordSecrets(rec)...)
	return o
}
