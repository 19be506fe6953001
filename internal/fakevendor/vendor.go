// Package fakevendor is a fifth vendor that exists only for tests: it
// proves that a vendor is one package. Its fields, its client and its
// sandbox simulator are all here; a test adds it with one call,
// registry.Register(&fakevendor.Vendor), and nothing else in the tool
// names it. No command registers it, so users never see it.
package fakevendor

import (
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
	},
}
