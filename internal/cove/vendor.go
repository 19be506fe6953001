// Package cove is the Cove vendor: its targets' field descriptions, its
// configuration options and its API client.
package cove

import (
	"errors"

	"github.com/onboard/onboard/internal/connector"
)

// Vendor describes Cove to the rest of the tool.
var Vendor = connector.Vendor{
	Name:    "cove",
	Label:   "Cove",
	Targets: Targets,
	New:     New,
}

// New builds a client from settings.
func New(s connector.Settings) (connector.Client, error) {
	return nil, errors.New("cove: client not built yet")
}
