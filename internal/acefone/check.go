package acefone

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
)

var _ connector.Checker = (*Client)(nil)

// Check signs in (POST /v1/auth/login with login_id and password, or the
// configured token) and refreshes the token (POST /v1/auth/refresh), the
// one call Acefone offers that reads without creating. Acefone's user
// create takes no path defaults, so there are none to check.
func (c *Client) Check(ctx context.Context, _ map[string]string) connector.CheckReport {
	var rep connector.CheckReport
	tok := token{value: c.static, scheme: "Bearer"}
	fix := "token"
	if c.loginID != "" {
		fix = "login_id and password"
		resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.base + "/v1/auth/login",
			JSON: map[string]string{"login_id": c.loginID, "password": c.password}})
		if !rep.Reached(c.base, err) {
			return c.scrubbed(rep)
		}
		rep.SeeHeaders(resp.Header)
		t, o := c.tokenAnswer(resp, "login for login_id "+c.loginID)
		if o != nil {
			failToken(&rep, resp, *o, connector.StepCredentials, fix)
			return c.scrubbed(rep)
		}
		c.store(t)
		rep.OK(connector.StepCredentials, "signed in")
		tok = t
	}
	start := time.Now()
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.base + "/v1/auth/refresh", Header: tok.header()})
	rep.Latency = time.Since(start)
	if c.loginID == "" && !rep.Reached(c.base, err) {
		return c.scrubbed(rep)
	}
	if err != nil {
		rep.Fail(connector.StepRead, c.call.FailureOutcome(err, false).Message, "")
		return c.scrubbed(rep)
	}
	rep.SeeHeaders(resp.Header)
	t, o := c.tokenAnswer(resp, "token refresh")
	if o != nil {
		step := connector.StepRead
		if c.loginID == "" {
			step = connector.StepCredentials // the configured token is what was refused
		}
		failToken(&rep, resp, *o, step, fix)
		return c.scrubbed(rep)
	}
	c.store(t)
	if c.loginID == "" {
		rep.OK(connector.StepCredentials, "the configured token was accepted")
	}
	rep.OK(connector.StepRead, "token refreshed")
	rep.Skip(connector.StepPermission, "Acefone shows an API user's rights only when it creates something")
	return c.scrubbed(rep)
}

// failToken records a refused or unusable login or refresh answer.
func failToken(rep *connector.CheckReport, resp *httpcall.Response, o connector.Outcome, step, fix string) {
	switch {
	case resp.Status == http.StatusNotFound:
		rep.Fail(connector.StepRead, o.Message, "")
	case o.Status == connector.Auth && step == connector.StepCredentials:
		rep.Fail(step, "the sign-in was refused ("+strings.TrimPrefix(o.Message, "Acefone refused the ")+")", fix)
	case o.Status == connector.Auth:
		rep.Fail(step, "signed in, but the token refresh was refused ("+o.Message+")", fix)
	case o.Status == connector.Retryable && resp.Status >= 429:
		rep.Fail(connector.StepRead, o.Message+"; try again later", "")
	default:
		rep.Fail(connector.StepRead, o.Message, "base_url")
	}
}

func (c *Client) scrubbed(rep connector.CheckReport) connector.CheckReport {
	c.mu.Lock()
	secrets := append([]string{c.password, c.static, c.tok.value}, c.spent...)
	c.mu.Unlock()
	rep.Scrub(func(s string) string { return httpcall.Scrub(s, secrets...) })
	return rep
}
