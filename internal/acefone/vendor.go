// Package acefone is the Acefone vendor: its targets' field descriptions, its
// configuration options and its API client.
package acefone

import (
	"github.com/onboard/onboard/internal/connector"
)

// DefaultURL is Acefone's documented API address (India); the UK
// deployment is https://api.acefone.co.uk.
const DefaultURL = "https://api.acefone.in"

// Options are the configuration keys Acefone takes: login_id and password
// (the client logs in for a 60-minute token and renews it), or a
// long-lived token issued by Acefone. One of the two is required.
var Options = []connector.Option{
	{Name: "login_id", Help: "Login ID of the API user; with password, the client logs in for a token"},
	{Name: "password", Secret: true, Help: "Password of the API user"},
	{Name: "token", Secret: true, Help: "A long-lived API token issued by Acefone, instead of login_id and password"},
}

// Vendor describes Acefone to the rest of the tool.
var Vendor = connector.Vendor{
	Name:       "acefone",
	Label:      "Acefone",
	DefaultURL: DefaultURL,
	Targets:    Targets,
	Options:    Options,
	New:        New,
	Sandbox:    Sandbox,
	Samples:    SampleSheets,
}
