// Package fonedynamics is the Fone Dynamics vendor: its targets' field descriptions, its
// configuration options and its API client.
package fonedynamics

import (
	"github.com/onboard/onboard/internal/connector"
)

// DefaultURL is Fone Dynamics' documented API address.
const DefaultURL = "https://api.fonedynamics.com"

// Options are the configuration keys Fone Dynamics takes.
var Options = []connector.Option{
	{Name: "account_sid", Help: "Account SID from the portal; the HTTP Basic user name (required with auth_scheme basic)"},
	{Name: "token", Secret: true, Required: true, Help: "API token from the portal; the HTTP Basic password, or the bearer token"},
	{Name: "auth_scheme", Default: "basic", Help: "How the credentials are sent: basic (account SID and token) or bearer (token only)"},
}

// Vendor describes Fone Dynamics to the rest of the tool.
var Vendor = connector.Vendor{
	Name:       "fonedynamics",
	Label:      "Fone Dynamics",
	DefaultURL: DefaultURL,
	Targets:    Targets,
	Options:    Options,
	New:        New,
	Sandbox:    Sandbox,
	Samples:    SampleSheets,
}
