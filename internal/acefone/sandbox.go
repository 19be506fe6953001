package acefone

import (
	"fmt"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's Acefone account. It opens nothing but the sandbox.
const (
	SandboxPath     = "/acefone" // mount below the sandbox's base URL
	SandboxLoginID  = "sandbox@acefone.test"
	SandboxPassword = "sandbox-password"
	// SandboxStaticToken is a long-lived token, as the vendor can issue:
	// it is accepted without a login and never expires.
	SandboxStaticToken = "sandbox-acefone-static-token"
)

// sandboxUserPassword is the password of the contract suite's users.
const sandboxUserPassword = "Sandb0x-User-Pass!"

// Sandbox describes Acefone in the sandbox: where it is mounted, the
// configuration that reaches it, its handlers (simulator.go) and the
// contract suite's records.
var Sandbox = &simcore.Simulator{
	Path:    SandboxPath,
	Targets: []string{"acefone.user"},
	Settings: []simcore.Setting{{Name: "login_id", Value: SandboxLoginID},
		{Name: "password", Value: SandboxPassword, Secret: true}, {Name: "rate", Value: 50}},
	Mount: mountSandbox,
	Fixtures: []simcore.Fixture{{Target: "acefone.user",
		Good: func(n int) map[string]string {
			return map[string]string{"name": "Priya Sharma", "number": "919876543210", "create_agent": "TRUE",
				"email": fmt.Sprintf("priya%d@example.com", n), "login_id": fmt.Sprintf("priya.%d", n), "user_role": "3",
				"password": sandboxUserPassword, "status": "TRUE", "caller_id": "101, 102", "department": "Sales Department"}
		},
		Bad: map[string]string{"name": "Priya Sharma", "number": "919876543210", "create_agent": "TRUE",
			"email": "priya@example.com", "login_id": "priya.bad", "user_role": "3", "password": sandboxUserPassword, "status": "TRUE", "caller_id": "101"},
		BadWire:  map[string]any{"user_role": int64(0)},
		BadWords: "user_role"}},
}
