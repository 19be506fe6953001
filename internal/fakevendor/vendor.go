// Package fakevendor is a fifth vendor that exists only for tests: it
// proves that a vendor is one package. Its fields, its client and its
// sandbox simulator are all here; a test adds it with one call,
// registry.Register(&fakevendor.Vendor), and nothing else in the tool
// names it. No command registers it, so users never see it.
package fakevendor

import (
	"fmt"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// Name is the vendor's configuration key and target prefix.
const Name = "fakevendor"

// Options are the configuration keys the vendor takes: one API token.
var Options = []connector.Option{
	{Name: "token", Secret: true, Required: true, Help: "API token (sent as a Bearer token)"},
}

// Vendor describes the fake vendor to the rest of the tool.
var Vendor = connector.Vendor{
	Name:    Name,
	Label:   "Fake Vendor",
	Targets: Targets,
	Options: Options,
	New:     New,
	Sandbox: &simcore.Simulator{
		Path:     SandboxPath,
		Targets:  []string{User.ID},
		Settings: []simcore.Setting{{Name: "token", Value: SandboxToken, Secret: true}, {Name: "rate", Value: 50}},
		Mount:    mount,
		Fixtures: []simcore.Fixture{{Target: "fakevendor.user", Lookup: true,
			Good: func(n int) map[string]string {
				return map[string]string{"email": fmt.Sprintf("user%d@example.com", n), "name": "Jane Smith", "seats": "2"}
			},
			Bad:      map[string]string{"email": "bad@example.com", "name": "Bad Seats"},
			BadWire:  map[string]any{"seats": int64(11)}, // past validation: the simulator's refusal is tested
			BadWords: "seats must be 1 to 10"}},
	},
}
