// Package cove is the Cove vendor: its targets' field descriptions, its
// configuration options and its API client.
package cove

import (
	"github.com/onboard/onboard/internal/connector"
)

// DefaultURL is Cove's documented JSON-RPC endpoint.
const DefaultURL = "https://api.backup.management/jsonapi"

// Options are the configuration keys Cove takes: the Login method's
// credentials. The user needs API Authentication enabled.
var Options = []connector.Option{
	{Name: "partner", Required: true, Help: "Name of the customer (partner) to log in under, as Cove shows it"},
	{Name: "username", Required: true, Help: "Email address of the API user"},
	{Name: "password", Secret: true, Required: true, Help: "Password of the API user"},
}

// Vendor describes Cove to the rest of the tool.
var Vendor = connector.Vendor{
	Name:       "cove",
	Label:      "Cove",
	DefaultURL: DefaultURL,
	Targets:    Targets,
	Options:    Options,
	New:        New,
	Sandbox:    Sandbox,
	Samples:    SampleSheets,
}
