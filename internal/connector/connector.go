// Package connector defines what every vendor package provides: its targets
// (declarative field descriptions), its configuration options, and a Client
// that creates one record and looks one up, classifying every answer as an
// Outcome the run can act on.
package connector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/onboard/onboard/internal/sandbox/simcore"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/schema/sample"
)

// Status classifies a vendor's answer to one request.
type Status int

// The outcome classes every client maps answers into.
const (
	Created   Status = iota + 1 // the record was created; ID holds the vendor's ID
	Exists                      // the record already existed; ID holds its ID when a lookup found it
	Invalid                     // the vendor rejected the data; Message is its words verbatim
	Auth                        // credentials refused even after one refresh
	Retryable                   // 429, 5xx, timeout, connection reset before sending completed
	Uncertain                   // the request may have been applied but no answer came back
	NotFound                    // Lookup only: the vendor has no such record
	// Unsupported is Lookup only: this vendor or target offers no way to
	// find a record by its natural key. Dispatch then re-sends after a lost
	// answer and relies on the vendor's duplicate (Exists) answer.
	Unsupported
)

var statusNames = map[Status]string{
	Created: "created", Exists: "exists", Invalid: "invalid", Auth: "auth",
	Retryable: "retryable", Uncertain: "uncertain", NotFound: "not found",
	Unsupported: "unsupported",
}

// String returns the status as shown in reports and logs.
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Outcome is a client's classified answer. Message never contains a secret.
type Outcome struct {
	Status     Status
	ID         string        // vendor's ID of the created or existing record
	Message    string        // vendor's message (verbatim for Invalid), or what went wrong
	HTTPStatus int           // status code seen, 0 when no answer came
	RetryAfter time.Duration // for Retryable 429/503: how long the vendor asked us to wait
}

// Request is one record to create or look up.
type Request struct {
	Record schema.Record
}

// Preview is the exact HTTP request a Create would send, with secrets
// redacted: what `onboard run --dry-run` prints.
type Preview struct {
	Method string         `json:"method"`
	URL    string         `json:"url"`
	Body   map[string]any `json:"body"`
}

// Client talks to one vendor. Implementations are safe for concurrent use.
type Client interface {
	// Create sends one record and classifies the answer.
	Create(ctx context.Context, req Request) Outcome
	// Lookup finds the record by its natural key, to reconcile an
	// uncertain outcome or a duplicate: Exists (with ID) or NotFound, or
	// Unsupported when the vendor has no such lookup.
	Lookup(ctx context.Context, req Request) Outcome
	// Preview returns the request Create would send, secrets redacted.
	Preview(req Request) Preview
}

// RoleLister is a Client that can list the vendor's user roles, name →
// ID, so a plan may name roles the vendor defines ("Manager") and have them
// looked up at run time (Cove's EnumerateUserRoles). defaults are the
// vendor's path defaults from the configuration (Cove: PartnerId).
type RoleLister interface {
	ListRoles(ctx context.Context, defaults map[string]string) (map[string]int64, error)
}

// Option is one configuration key a vendor takes beyond the common ones
// (base_url, rate, concurrency, timeout, defaults), declared as data so
// config parsing, `onboard sandbox --write-config` and docs agree.
type Option struct {
	Name     string // YAML key, e.g. "token"
	Help     string
	Secret   bool // never printed; should come from ${ENV}
	Required bool
	Default  string
}

// Settings is what a client is built from: the vendor's section of the
// configuration, resolved.
type Settings struct {
	BaseURL string
	Options map[string]string // values of the vendor's Options, env vars expanded
	Timeout time.Duration     // per-request timeout
	HTTP    *http.Client      // shared transport; nil means a default client
	Logger  *slog.Logger      // nil means slog.Default(); never given secrets
	Now     func() time.Time  // clock, for token expiry; nil means time.Now
	// Pace, when set, waits for the vendor's rate limit. The dispatcher
	// paces each Create and Lookup call; a client calls Pace before every
	// further request one call makes (the next page of a lookup, a retried
	// page), so the vendor never sees more than its configured rate.
	Pace func(ctx context.Context) error
}

// Vendor describes one vendor package: everything the rest of the tool
// needs to know about it.
type Vendor struct {
	Name       string // config key and target prefix: "netsapiens"
	Label      string // "NetSapiens"
	DefaultURL string // documented public base URL, if the vendor has one
	Targets    []*schema.Target
	Options    []Option
	New        func(Settings) (Client, error)
	// Sandbox, when set, simulates the vendor's API in the sandbox
	// (`onboard sandbox`, --sandbox runs, the contract tests): its mount,
	// sandbox credentials, handlers and contract fixtures.
	Sandbox *simcore.Simulator
	// Samples, when set, are the vendor's tabs of the sample workbook
	// (samples/vendor-sheets.xlsx, `make templates`).
	Samples func() []sample.Sheet
}

// CallError is a read-only call (a name lookup, a check) that did not
// succeed, classified like a Create's answer so callers can retry what is
// passing.
type CallError struct {
	Op      string // what was asked, e.g. "cove: EnumerateUserRoles for partner 123"
	Outcome Outcome
}

func (e *CallError) Error() string {
	return e.Op + ": " + e.Outcome.Status.String() + ": " + e.Outcome.Message
}

// Retryable reports whether trying again later may succeed (a 429, a 5xx,
// a lost answer).
func (e *CallError) Retryable() bool {
	return e.Outcome.Status == Retryable || e.Outcome.Status == Uncertain
}
