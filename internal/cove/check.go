package cove

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
)

var _ connector.Checker = (*Client)(nil)

// Check logs in (Login → visa) and enumerates the user roles of the
// default PartnerId (else of the login's own partner) with that visa,
// which also shows the partner exists and this login may reach it. It
// sends its own two calls and leaves the client's visa chain alone; it
// never creates anything.
func (c *Client) Check(ctx context.Context, defaults map[string]string) connector.CheckReport {
	var rep connector.CheckReport
	ans, resp, err := c.checkCall(ctx, envelope{JSONRPC: "2.0", ID: "1", Method: "Login",
		Params: map[string]string{"partner": c.partner, "username": c.username, "password": c.password}})
	if !rep.Reached(c.url, err) {
		return c.scrubbed(rep)
	}
	rep.SeeHeaders(resp.Header)
	if !checkHTTP(&rep, resp, ans, "Login") {
		return c.scrubbed(rep, ans.Visa)
	}
	if ans.Error != nil {
		rep.Fail(connector.StepCredentials, fmt.Sprintf("the login was refused (Cove said: %s)", c.scrub(ans.Error.text())),
			"partner, username and password")
		return c.scrubbed(rep)
	}
	if ans.Visa == "" {
		rep.Fail(connector.StepCredentials, "Cove answered Login without a visa", "base_url (it should be the JSON-RPC endpoint)")
		return c.scrubbed(rep)
	}
	rep.OK(connector.StepCredentials, "signed in")
	var me struct {
		Result struct {
			PartnerID int64 `json:"PartnerId"`
			RoleID    int64 `json:"RoleId"`
		} `json:"result"`
	}
	_ = json.Unmarshal(ans.Result, &me)
	visa := ans.Visa
	partner, fromDefaults := partnerToCheck(defaults, me.Result.PartnerID)
	if partner == 0 {
		rep.Skip(connector.StepRead, "no PartnerId in defaults, and the login did not say which partner it belongs to")
		return c.scrubbed(rep, visa)
	}
	start := time.Now()
	ans, resp, err = c.checkCall(ctx, envelope{JSONRPC: "2.0", ID: "2", Visa: visa, Method: "EnumerateUserRoles",
		Params: map[string]any{"partnerId": partner}})
	rep.Latency = time.Since(start)
	if err != nil {
		rep.Fail(connector.StepRead, c.call.FailureOutcome(err, false).Message, "")
		return c.scrubbed(rep, visa)
	}
	rep.SeeHeaders(resp.Header)
	if !checkHTTP(&rep, resp, ans, "EnumerateUserRoles") {
		return c.scrubbed(rep, visa, ans.Visa)
	}
	c.rolesAnswer(&rep, ans, partner, fromDefaults, me.Result.RoleID)
	return c.scrubbed(rep, visa, ans.Visa)
}

// partnerToCheck is the default PartnerId when configured, else the
// login's own partner.
func partnerToCheck(defaults map[string]string, own int64) (int64, bool) {
	if v := strings.TrimSpace(defaults["PartnerId"]); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return n, true
		}
	}
	return own, false
}

// rolesAnswer records the read, the default partner and the login's role.
func (c *Client) rolesAnswer(rep *connector.CheckReport, ans *answer, partner int64, fromDefaults bool, roleID int64) {
	if ans.Error != nil {
		msg := c.scrub(ans.Error.text())
		if ans.Error.authShaped() {
			rep.Fail(connector.StepCredentials, "signed in, but Cove refused the visa it had just given (Cove said: "+msg+")", "partner, username and password")
			return
		}
		if fromDefaults {
			rep.OK(connector.StepRead, "EnumerateUserRoles answered")
			rep.Fail(connector.StepDefaults, fmt.Sprintf("partner %d was not found or this login may not reach it (Cove said: %s)", partner, msg), "defaults.PartnerId")
			return
		}
		rep.Fail(connector.StepRead, fmt.Sprintf("EnumerateUserRoles for the login's own partner %d was refused (Cove said: %s)", partner, msg), "")
		return
	}
	var res struct {
		Result []struct {
			ID   int64  `json:"Id"`
			Name string `json:"Name"`
		} `json:"result"`
	}
	if err := json.Unmarshal(ans.Result, &res); err != nil {
		rep.Fail(connector.StepRead, "Cove's answer to EnumerateUserRoles could not be read: result is not a list of roles", "base_url")
		return
	}
	rep.OK(connector.StepRead, fmt.Sprintf("%d user roles listed", len(res.Result)))
	if fromDefaults {
		rep.OK(connector.StepDefaults, fmt.Sprintf("partner %d found", partner))
	}
	role := ""
	for _, r := range res.Result {
		if r.ID == roleID && roleID != 0 {
			role = " (the login's role is " + r.Name + ")"
		}
	}
	rep.Skip(connector.StepPermission, "Cove documents no rights per role; AddUser shows them"+role)
}

// checkCall posts one JSON-RPC call and reads its answer, keeping the
// transport error for the reachable and tls steps.
func (c *Client) checkCall(ctx context.Context, env envelope) (*answer, *httpcall.Response, error) {
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.url, JSON: env})
	if err != nil {
		return &answer{}, nil, err
	}
	var ans answer
	if json.Unmarshal(resp.Body, &ans) != nil || resp.BodyErr != nil {
		ans = answer{}
	}
	return &ans, resp, nil
}

// checkHTTP records an answer that is no JSON-RPC answer (a wrong
// address, a busy vendor, refused at the HTTP level); false then.
func checkHTTP(rep *connector.CheckReport, resp *httpcall.Response, ans *answer, method string) bool {
	readable := ans.Error != nil || len(ans.Result) > 0
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		rep.Fail(connector.StepCredentials, "Cove refused "+method+" with "+httpcall.StatusText(resp.Status), "partner, username and password")
	case resp.Status == http.StatusNotFound:
		rep.Fail(connector.StepRead, httpcall.NotFound(resp, "").Message, "")
	case resp.Status == http.StatusTooManyRequests || resp.Status >= 500:
		rep.Fail(connector.StepRead, "Cove could not answer "+method+" now ("+httpcall.StatusText(resp.Status)+"); try again later", "")
	case !readable:
		rep.Fail(connector.StepRead, fmt.Sprintf("Cove's answer to %s (%s) is not a JSON-RPC answer", method, httpcall.StatusText(resp.Status)),
			"base_url (it should be the JSON-RPC endpoint, such as "+DefaultURL+")")
	default:
		return true
	}
	return false
}

func (c *Client) scrubbed(rep connector.CheckReport, visas ...string) connector.CheckReport {
	rep.Scrub(func(s string) string { return c.scrub(s, visas...) })
	return rep
}
