// Package netsapiens is the NetSapiens vendor: its targets' field descriptions, its
// configuration options and its API client.
package netsapiens

import (
	"github.com/onboard/onboard/internal/connector"
)

// DefaultURL is empty: every NetSapiens installation has its own address
// (https://<host>/ns-api/v2), so base_url must be configured.
const DefaultURL = ""

// Options are the configuration keys NetSapiens takes.
var Options = []connector.Option{
	{Name: "token", Secret: true, Required: true,
		Help: "API key or OAuth access token, sent as Authorization: Bearer <token>"},
}

// Vendor describes NetSapiens to the rest of the tool.
var Vendor = connector.Vendor{
	Name:       "netsapiens",
	Label:      "NetSapiens",
	DefaultURL: DefaultURL,
	Targets:    Targets,
	Options:    Options,
	New:        New,
	Sandbox:    Sandbox,
	Samples:    SampleSheets,
}
