package fonedynamics

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
)

var _ connector.Checker = (*Client)(nil)

// Check lists the first page of the account's online logins
// (GET /v2/OnlineLogins) with the configured credentials. The vendor
// documents no read of a property, so the default PropertySid is found
// only when a login on that page has permissions on it; otherwise it is
// "not checked". It never creates anything.
func (c *Client) Check(ctx context.Context, defaults map[string]string) connector.CheckReport {
	var rep connector.CheckReport
	q := url.Values{"Results_Count": {strconv.Itoa(pageSize)}, "Results_Skip": {"0"}}
	start := time.Now()
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodGet, URL: c.base + "/v2/OnlineLogins?" + q.Encode(), Header: c.header()})
	rep.Latency = time.Since(start)
	if !rep.Reached(c.base, err) {
		return c.scrubbed(rep)
	}
	rep.SeeHeaders(resp.Header)
	if !resp.OK() {
		c.checkRefused(&rep, resp)
		return c.scrubbed(rep)
	}
	rep.OK(connector.StepCredentials, "signed in")
	obj, err := httpcall.DecodeObject(resp.Body)
	if resp.BodyErr != nil {
		err = resp.BodyErr
	}
	list, _ := httpcall.Field(obj, "OnlineLogins")
	logins, isList := list.([]any)
	if err != nil || !isList {
		rep.Fail(connector.StepRead, fmt.Sprintf("the list of online logins could not be read (%s)", or(err, "it has no OnlineLogins list")),
			"base_url (it should be the API's address, such as "+DefaultURL+")")
		return c.scrubbed(rep)
	}
	rep.OK(connector.StepRead, fmt.Sprintf("%d online logins listed (first page)", len(logins)))
	rep.Skip(connector.StepPermission, "Fone Dynamics shows an API token's scopes only when it creates something")
	checkProperty(&rep, strings.TrimSpace(defaults["PropertySid"]), logins)
	return c.scrubbed(rep)
}

// checkRefused records a refused list request: credentials, a wrong
// address, a busy vendor, or another refusal in its words.
func (c *Client) checkRefused(rep *connector.CheckReport, resp *httpcall.Response) {
	o := c.listRefused(resp)
	switch {
	case o.Status == connector.Auth:
		fix := "account_sid and token"
		if c.scheme == "bearer" {
			fix = "token"
		}
		rep.Fail(connector.StepCredentials, "the credentials were refused ("+strings.TrimPrefix(o.Message, "Fone Dynamics refused the credentials: ")+")", fix)
	case o.Status == connector.Retryable:
		rep.Fail(connector.StepRead, "Fone Dynamics could not answer now ("+o.Message+"); try again later", "")
	case resp.Status == http.StatusNotFound:
		rep.Fail(connector.StepRead, o.Message, "")
	default:
		rep.Fail(connector.StepRead, o.Message, "base_url")
	}
}

// checkProperty records whether the default property is seen among the
// logins' permissions.
func checkProperty(rep *connector.CheckReport, property string, logins []any) {
	if property == "" {
		return
	}
	for _, it := range logins {
		if login, ok := it.(map[string]any); ok && hasProperty(login, property) {
			rep.OK(connector.StepDefaults, "property "+property+" found")
			return
		}
	}
	rep.Skip(connector.StepDefaults, "property "+property+": no login on the first page has permissions on it, "+
		"and Fone Dynamics documents no way to read a property")
}

func or(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

func (c *Client) scrubbed(rep connector.CheckReport) connector.CheckReport {
	rep.Scrub(func(s string) string { return httpcall.Scrub(s, c.token, strings.TrimPrefix(c.auth, "Basic ")) })
	return rep
}
