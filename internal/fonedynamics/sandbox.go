package fonedynamics

import (
	"fmt"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's Fone Dynamics account. It opens nothing but the sandbox.
const (
	SandboxPath       = "/fonedynamics" // mount below the sandbox's base URL
	SandboxAccountSid = "ACsandbox"
	SandboxToken      = "sandbox-token"
	// SandboxPropertySid is the sandbox account's property.
	SandboxPropertySid = "SSANDBOX0123456789ABCDEF01234567"
	// SandboxExamplePropertySid is the property of the vendor's reference
	// examples; the sandbox account has it too.
	SandboxExamplePropertySid = "S1234567890ABCDEF1234567890ABCDE"
)

// sandboxUserPassword is the password of the contract suite's logins.
const sandboxUserPassword = "Sandb0x-User-Pass!"

// Sandbox describes Fone Dynamics in the sandbox: where it is mounted, the
// configuration that reaches it, its handlers (simulator.go) and the
// contract suite's records.
var Sandbox = &simcore.Simulator{
	Path:    SandboxPath,
	Targets: []string{"fonedynamics.login"},
	Settings: []simcore.Setting{{Name: "account_sid", Value: SandboxAccountSid},
		{Name: "token", Value: SandboxToken, Secret: true}, {Name: "rate", Value: 50}},
	Defaults: []simcore.Setting{{Name: "PropertySid", Value: SandboxPropertySid}},
	Mount:    mountSandbox,
	Fixtures: []simcore.Fixture{{Target: "fonedynamics.login", Lookup: true,
		Good: func(n int) map[string]string {
			return map[string]string{"PropertySid": SandboxPropertySid,
				"Email": fmt.Sprintf("login%d@example.com", n), "Password": sandboxUserPassword, "FirstName": "Jane", "LastName": "Smith",
				"Scopes": "Reporting, Integrations", "Enabled": "TRUE"}
		},
		Bad: map[string]string{"PropertySid": "SNOSUCHPROPERTY000000000000000000",
			"Email": "nobody@example.com", "Password": sandboxUserPassword, "FirstName": "Jane", "LastName": "Smith", "Scopes": "Reporting"},
		BadWords: "Property 'SNOSUCHPROPERTY000000000000000000' was not found in this account"}},
}
