package fakevendor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall"
)

// client talks to the fake vendor's API: POST /v1/users creates (201 with
// {"id"}), 409 is a duplicate, 400 a refusal ({"error": "..."}); GET
// /v1/users/{email} finds a user (200) or not (404).
type client struct {
	call  *httpcall.Caller
	base  string
	token string
}

// New builds a client from the vendor's configuration.
func New(s connector.Settings) (connector.Client, error) {
	base, err := httpcall.BaseURL(Name, s.BaseURL, "")
	if err != nil {
		return nil, err
	}
	tok := strings.TrimSpace(s.Options["token"])
	if tok == "" {
		return nil, fmt.Errorf("%s: token is required", Name)
	}
	return &client{call: httpcall.New(Name, s), base: base, token: tok}, nil
}

func (c *client) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.token}}
}

// body is the JSON a create sends: the record's values by wire key.
func body(req connector.Request) map[string]any {
	out := map[string]any{}
	for _, f := range User.Fields {
		if v := req.Record.Get(f.Key); v != nil {
			out[f.Key] = v
		}
	}
	return out
}

// Create sends one user.
func (c *client) Create(ctx context.Context, req connector.Request) connector.Outcome {
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodPost, URL: c.base + "/v1/users", Header: c.header(), JSON: body(req)})
	if err != nil {
		return c.call.FailureOutcome(err, true)
	}
	var ans struct {
		ID    string `json:"id"`
		Error string `json:"error"`
	}
	_ = json.Unmarshal(resp.Body, &ans)
	if o, ok := c.call.Trouble(resp, ans.Error); ok {
		return o
	}
	switch {
	case resp.Status == http.StatusCreated && ans.ID != "":
		return connector.Outcome{Status: connector.Created, ID: ans.ID, HTTPStatus: resp.Status}
	case resp.Status == http.StatusCreated:
		return connector.Outcome{Status: connector.Uncertain, HTTPStatus: resp.Status, Message: "created, but the answer carried no ID"}
	case resp.Status == http.StatusConflict:
		return c.settle(ctx, req, resp.Status, ans.Error)
	case resp.Status == http.StatusUnauthorized:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: ans.Error}
	default:
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: ans.Error}
	}
}

// settle reads a duplicate refusal by looking the user up.
func (c *client) settle(ctx context.Context, req connector.Request, status int, msg string) connector.Outcome {
	o := c.Lookup(ctx, req)
	if o.Status == connector.Exists {
		o.HTTPStatus = status
		return o
	}
	return connector.Outcome{Status: connector.Invalid, HTTPStatus: status, Message: msg}
}

// Lookup finds a user by email.
func (c *client) Lookup(ctx context.Context, req connector.Request) connector.Outcome {
	email := req.Record.Text("email")
	resp, err := c.call.Do(ctx, httpcall.Request{Method: http.MethodGet, URL: c.base + "/v1/users/" + url.PathEscape(email), Header: c.header()})
	if err != nil {
		return c.call.FailureOutcome(err, false)
	}
	var ans struct {
		ID    string `json:"id"`
		Error string `json:"error"`
	}
	_ = json.Unmarshal(resp.Body, &ans)
	if o, ok := c.call.Trouble(resp, ans.Error); ok {
		return o
	}
	switch resp.Status {
	case http.StatusOK:
		return connector.Outcome{Status: connector.Exists, ID: ans.ID, HTTPStatus: resp.Status}
	case http.StatusNotFound:
		return connector.Outcome{Status: connector.NotFound, HTTPStatus: resp.Status, Message: ans.Error}
	case http.StatusUnauthorized:
		return connector.Outcome{Status: connector.Auth, HTTPStatus: resp.Status, Message: ans.Error}
	default:
		return connector.Outcome{Status: connector.Invalid, HTTPStatus: resp.Status, Message: ans.Error}
	}
}

// Preview returns the request Create would send, the token left out.
func (c *client) Preview(req connector.Request) connector.Preview {
	return connector.Preview{Method: http.MethodPost, URL: c.base + "/v1/users", Body: body(req)}
}
