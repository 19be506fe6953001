package netsapiens

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
)

var _ connector.Checker = (*Client)(nil)

// probeUser is the user name the check reads when the installation does
// not answer the domain read: a name no one has, so the answer says
// whether the domain exists without touching any real user.
const probeUser = "onboard-check-probe"

// Check reads the configured domain (defaults.domain, else the token's
// own domain "~") with the token: GET /domains/{domain}. An installation
// that does not offer the domain read (a 404 in the API's error shape) is
// asked for a user that does not exist in the domain instead,
// GET /domains/{domain}/users/onboard-check-probe: a 404 that names the
// probe user means the domain is there. It never creates anything.
func (c *Client) Check(ctx context.Context, defaults map[string]string) connector.CheckReport {
	var rep connector.CheckReport
	dom := strings.TrimSpace(defaults["domain"])
	if dom == "" {
		dom = "~"
	}
	domURL := c.base + "/domains/" + url.PathEscape(dom)
	resp, err := c.timed(ctx, &rep, domURL)
	if !rep.Reached(c.base, err) {
		return c.scrubbed(rep)
	}
	a := read(resp)
	if resp.Status == http.StatusNotFound && a.vendorError {
		// No domain read here (or no such domain): ask for a user.
		if resp, err = c.timed(ctx, &rep, domURL+"/users/"+probeUser); err != nil {
			rep.Fail(connector.StepRead, "reading a user of domain "+dom+": "+c.call.FailureOutcome(err, false).Message, "")
			return c.scrubbed(rep)
		}
		c.probeAnswer(&rep, dom, resp, read(resp))
		return c.scrubbed(rep)
	}
	c.domainAnswer(&rep, dom, resp, a)
	return c.scrubbed(rep)
}

// timed sends one GET with the token, keeping its latency and rate-limit
// headers in rep.
func (c *Client) timed(ctx context.Context, rep *connector.CheckReport, u string) (*httpcall.Response, error) {
	start := time.Now()
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodGet, URL: u, Header: c.header()})
	rep.Latency = time.Since(start)
	if err == nil {
		rep.SeeHeaders(resp.Header)
	}
	return resp, err
}

// domainAnswer reads the answer to GET /domains/{domain}.
func (c *Client) domainAnswer(rep *connector.CheckReport, dom string, resp *httpcall.Response, a answer) {
	if !c.signedIn(rep, resp, a) {
		return
	}
	if !resp.OK() || a.obj == nil {
		failRead(rep, resp, a, "reading domain "+dom)
		return
	}
	rep.OK(connector.StepRead, "domain read")
	name := dom
	if v := httpcall.FieldText(a.obj, "domain"); v != "" {
		name = v
	}
	rep.OK(connector.StepDefaults, "domain "+name+" found")
	skipPermission(rep)
}

// probeAnswer reads the answer to GET /domains/{domain}/users/{probe}.
func (c *Client) probeAnswer(rep *connector.CheckReport, dom string, resp *httpcall.Response, a answer) {
	if !c.signedIn(rep, resp, a) {
		return
	}
	switch {
	case resp.OK() && a.obj != nil:
		rep.OK(connector.StepRead, "user read")
		rep.OK(connector.StepDefaults, "domain "+dom+" found")
	case resp.Status == http.StatusNotFound && a.vendorError:
		rep.OK(connector.StepRead, "user read (no such user, as expected)")
		switch {
		case dom == "~":
			rep.OK(connector.StepDefaults, "the token's own domain is used (no defaults.domain)")
		case strings.Contains(a.msg, probeUser):
			rep.OK(connector.StepDefaults, "domain "+dom+" found")
		case strings.Contains(strings.ToLower(a.msg), strings.ToLower(dom)):
			rep.Fail(connector.StepDefaults, fmt.Sprintf("domain %s was not found (NetSapiens said: %s)", dom, a.msg), "defaults.domain")
		default:
			rep.Skip(connector.StepDefaults, fmt.Sprintf("whether domain %s exists could not be told from NetSapiens' answer (%s)", dom, a.msg))
		}
	default:
		failRead(rep, resp, a, "reading a user of domain "+dom)
		return
	}
	skipPermission(rep)
}

// signedIn records the credentials step: false when the token was refused.
func (c *Client) signedIn(rep *connector.CheckReport, resp *httpcall.Response, a answer) bool {
	if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
		rep.Fail(connector.StepCredentials, "the token was refused (NetSapiens said: "+words(resp, a.msg)+")", "token")
		return false
	}
	if resp.Status == http.StatusNotFound && !a.vendorError {
		rep.Fail(connector.StepRead, httpcall.NotFound(resp, a.msg).Message, "")
		return false
	}
	if o, ok := c.call.Trouble(resp, a.msg); ok {
		rep.Fail(connector.StepRead, "NetSapiens could not answer now ("+o.Message+"); try again later", "")
		return false
	}
	rep.OK(connector.StepCredentials, "signed in")
	return true
}

// failRead records a read that got an answer it cannot use.
func failRead(rep *connector.CheckReport, resp *httpcall.Response, a answer, what string) {
	msg := unexpected(resp, a.msg).Message
	if a.broken || (resp.OK() && a.obj == nil) {
		msg = brokenWords(resp, a)
	}
	rep.Fail(connector.StepRead, what+": "+msg, "base_url (it should end in /ns-api/v2)")
}

// skipPermission says why permission to create is not checked.
func skipPermission(rep *connector.CheckReport) {
	rep.Skip(connector.StepPermission, "NetSapiens shows a token's rights only when it creates something")
}

func (c *Client) scrubbed(rep connector.CheckReport) connector.CheckReport {
	rep.Scrub(func(s string) string { return httpcall.Scrub(s, c.token) })
	return rep
}
