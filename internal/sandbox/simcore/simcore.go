// Package simcore is what a vendor package needs to simulate its API in
// the sandbox: the ledger's store, the call and reply a handler sees, and
// the description of a simulator (mount, ledger sections, credentials).
// The sandbox server (package sandbox) keeps the ledger, the rate limits,
// the injected faults and the routing; a vendor package provides only its
// handlers. simcore imports no vendor and no part of the server, so vendor
// packages may import it without a cycle.
package simcore

import (
	"net/http"
	"time"
)

// Kind says which injected faults a call is exposed to.
type Kind int

// The kinds of call a simulator mounts.
const (
	Auth   Kind = iota // rate limit only (sign-in, refresh, "not found" catch-alls)
	Lookup             // rate limit, latency, 5xx
	Create             // everything: also lost and malformed answers after the record was stored
)

// Call is one request to a simulated vendor: the request and its body,
// already read (at most 1 MiB).
type Call struct {
	R    *http.Request
	Body []byte
	// Faults, set by the sandbox, applies the vendor's injected faults
	// (latency, 5xx, and for creates a lost or cut answer after the
	// handler stored the record) to a call whose kind the handler learns
	// only from its body (Cove's JSON-RPC method); see Inject.
	Faults func(kind Kind) (rep Reply, stop bool)
}

// Inject applies the injected faults for a call of this kind, once per
// call: when stop is true, answer rep instead. Without Faults it does
// nothing.
func (c *Call) Inject(kind Kind) (rep Reply, stop bool) {
	if c.Faults == nil {
		return Reply{}, false
	}
	return c.Faults(kind)
}

// Reply is a vendor's answer before the sandbox writes it (or loses it,
// or cuts it short).
type Reply struct {
	Status   int               // HTTP status; 0 means 200
	Header   map[string]string // extra headers
	Body     any               // encoded as JSON
	Rejected bool              // an error answer with a success status (JSON-RPC)
	Created  bool              // a record was stored
}

// ErrorFunc shapes an error the way the vendor does; the sandbox uses it
// for its own refusals (rate limit, injected 5xx, a body too large). The
// call is the request as far as it was read (Body may be nil), for a shape
// that echoes part of it (a JSON-RPC request ID).
type ErrorFunc func(c *Call, status int, msg string) Reply

// Plain adapts an error shape that does not depend on the request.
func Plain(f func(status int, msg string) Reply) ErrorFunc {
	return func(_ *Call, status int, msg string) Reply { return f(status, msg) }
}

// Handler answers one call.
type Handler func(*Call) Reply

// Env is what the sandbox gives a simulator when it mounts it.
type Env interface {
	// Handle mounts h at pattern ("POST /v1/user", or "/" for every
	// other path), relative to the simulator's Path.
	Handle(pattern string, kind Kind, errorReply ErrorFunc, h Handler)
	// Store is the ledger every simulator stores its records in.
	Store() *Store
	// Now is the sandbox's clock.
	Now() time.Time
	// Signer issues and checks the sandbox's tokens (one key for every
	// vendor, so a token of one is refused by another).
	Signer() *Signer
	// Options are the sandbox's options a simulator reads.
	Options() Options
	// IDs hands out record IDs, repeatable for a seed (sandbox.Options.Seed).
	IDs() *IDSource
}

// Options are the sandbox's options a simulator reads (sandbox.Options).
type Options struct {
	TokenTTL           time.Duration // an Acefone access token
	TokenRefreshWindow time.Duration // how long after expiry it can still be refreshed
	VisaIdle           time.Duration // a Cove visa chain without a call
	// Domains, when set, are the only NetSapiens domains that exist
	// besides the sandbox token's own.
	Domains []string
}

// Setting is one configuration key and its value (a string or an int).
type Setting struct {
	Name   string
	Value  any
	Secret bool // a credential at a real vendor (the sandbox's are public)
}

// Simulator describes one vendor's simulated API.
type Simulator struct {
	// Path is the mount below the sandbox's base URL, e.g. "/acefone".
	Path string
	// Targets are the ledger sections (target IDs) the simulator stores
	// records under, in creation order.
	Targets []string
	// Settings are the vendor's configuration keys pointing at the
	// sandbox (its credentials, a rate), in the order the file lists them.
	Settings []Setting
	// Defaults are the path-field defaults the sandbox account has.
	Defaults []Setting
	// Mount registers the simulator's handlers.
	Mount func(Env)
	// Fixtures are the contract suite's records, one per target.
	Fixtures []Fixture
}

// ResetPath is the sandbox's own endpoint that empties the store: name it
// when the store is full (FullMessage).
const ResetPath = "/_sandbox/reset"

// FullMessage is the refusal of a create when the store is full, answered
// with HTTP 507.
const FullMessage = "sandbox store is full; POST " + ResetPath + " to empty it"

// Fixture is what the contract suite (internal/contract) needs to test one
// target's client against the simulator.
type Fixture struct {
	Target string // target ID
	// Good returns the n-th good record as a sheet's cells: wire key →
	// text. Records for different n differ in their natural key.
	Good func(n int) map[string]string
	// Bad is a record the simulator refuses: cells as Good, then wire
	// values set past validation (BadWire), as a client could send them.
	Bad     map[string]string
	BadWire map[string]any
	// BadWords are words the refusal's message holds.
	BadWords string
	// Lookup says whether the client can look a record up (Acefone
	// cannot: its lookup answers Unsupported).
	Lookup bool
	// IDIsKey says the client's ID for a record is its natural key (the
	// ledger's Key), not the vendor's ID (NetSapiens users).
	IDIsKey bool
}
