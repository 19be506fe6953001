package netsapiens

import (
	"fmt"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's NetSapiens account. It opens nothing but the sandbox.
const (
	SandboxPath   = "/netsapiens/ns-api/v2" // mount below the sandbox's base URL
	SandboxToken  = "sandbox-netsapiens-token"
	SandboxDomain = "sandbox.example" // the token's domain, what "~" means
)

// Sandbox describes NetSapiens in the sandbox: where it is mounted, the
// configuration that reaches it, its handlers (simulator.go) and the
// contract suite's records.
var Sandbox = &simcore.Simulator{
	Path:    SandboxPath,
	Targets: []string{"netsapiens.site", "netsapiens.user"},
	Settings: []simcore.Setting{{Name: "token", Value: SandboxToken, Secret: true},
		{Name: "rate", Value: 50}},
	Defaults: []simcore.Setting{{Name: "domain", Value: SandboxDomain}},
	Mount:    mountSandbox,
	Fixtures: []simcore.Fixture{
		{Target: "netsapiens.site", Lookup: true,
			Good: func(n int) map[string]string {
				return map[string]string{"domain": SandboxDomain, "site": fmt.Sprintf("Site %d", n)}
			},
			Bad:      map[string]string{"domain": SandboxDomain, "site": "Bad Site"},
			BadWire:  map[string]any{"area-code": int64(42)}, // a wire value validation would have refused
			BadWords: "area-code"},
		{Target: "netsapiens.user", Lookup: true, IDIsKey: true,
			Good: func(n int) map[string]string {
				return map[string]string{"domain": SandboxDomain, "user": fmt.Sprint(100 + n),
					"name-first-name": "Jane", "name-last-name": "Smith", "email-address": fmt.Sprintf("jane%d@example.com", n),
					"user-scope": "Basic User", "synchronous": []string{"yes", "no"}[n%2]}
			},
			Bad: map[string]string{"domain": "nowhere.example", "user": "100",
				"name-first-name": "Jane", "name-last-name": "Smith", "email-address": "jane@example.com", "user-scope": "Basic User"},
			BadWords: "Domain 'nowhere.example' not found"},
	},
}
