// Package acefone is the Acefone vendor: its targets' field descriptions, its
// configuration options and its API client.
package acefone

import (
	"errors"

	"github.com/onboard/onboard/internal/connector"
)

// Vendor describes Acefone to the rest of the tool.
var Vendor = connector.Vendor{
	Name:    "acefone",
	Label:   "Acefone",
	Targets: Targets,
	New:     New,
}

// New builds a client from settings.
func New(s connector.Settings) (connector.Client, error) {
	return nil, errors.New("acefone: client not built yet")
}
