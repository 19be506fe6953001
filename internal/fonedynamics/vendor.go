// Package fonedynamics is the Fone Dynamics vendor: its targets' field descriptions, its
// configuration options and its API client.
package fonedynamics

import (
	"errors"

	"github.com/onboard/onboard/internal/connector"
)

// Vendor describes Fone Dynamics to the rest of the tool.
var Vendor = connector.Vendor{
	Name:    "fonedynamics",
	Label:   "Fone Dynamics",
	Targets: Targets,
	New:     New,
}

// New builds a client from settings.
func New(s connector.Settings) (connector.Client, error) {
	return nil, errors.New("fonedynamics: client not built yet")
}
