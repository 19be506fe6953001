package cove

import (
	"fmt"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's Cove login. It opens nothing but the sandbox.
const (
	SandboxPath      = "/cove/jsonapi" // mount below the sandbox's base URL
	SandboxPartner   = "Sandbox Partner"
	SandboxPartnerID = 123456
	SandboxUsername  = "sandbox@cove.test"
	SandboxPassword  = "sandbox-password"
)

// sandboxUserPassword is the password of the contract suite's users.
const sandboxUserPassword = "Sandb0x-User-Pass!"

// Sandbox describes Cove in the sandbox: where it is mounted, the
// configuration that reaches it, its handlers (simulator.go) and the
// contract suite's records.
var Sandbox = &simcore.Simulator{
	Path:    SandboxPath,
	Targets: []string{"cove.user"},
	Settings: []simcore.Setting{{Name: "partner", Value: SandboxPartner}, {Name: "username", Value: SandboxUsername},
		{Name: "password", Value: SandboxPassword, Secret: true}, {Name: "rate", Value: 50}},
	Defaults: []simcore.Setting{{Name: "PartnerId", Value: SandboxPartnerID}},
	Mount:    mountSandbox,
	Fixtures: []simcore.Fixture{{Target: "cove.user", Lookup: true,
		Good: func(n int) map[string]string {
			email := fmt.Sprintf("backup%d@example.com", n)
			return map[string]string{"PartnerId": fmt.Sprint(SandboxPartnerID), "Name": email, "EmailAddress": email,
				"Password": sandboxUserPassword, "RoleId": "3", "FirstName": "Backup", "FullName": "Test"}
		},
		Bad: map[string]string{"PartnerId": fmt.Sprint(SandboxPartnerID), "Name": "bad@example.com",
			"EmailAddress": "bad@example.com", "RoleId": "3"},
		BadWire:  map[string]any{"RoleId": int64(9)}, // past our own 1–7 check: the vendor's refusal is what is tested
		BadWords: "Role 9 does not exist"}},
}
