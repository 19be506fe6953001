// Package netsapiens is the NetSapiens vendor: its targets' field descriptions, its
// configuration options and its API client.
package netsapiens

import (
	"errors"

	"github.com/onboard/onboard/internal/connector"
)

// Vendor describes NetSapiens to the rest of the tool.
var Vendor = connector.Vendor{
	Name:    "netsapiens",
	Label:   "NetSapiens",
	Targets: Targets,
	New:     New,
}

// New builds a client from settings.
func New(s connector.Settings) (connector.Client, error) {
	return nil, errors.New("netsapiens: client not built yet")
}
