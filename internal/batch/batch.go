// Package batch runs the whole job of `onboard run` as a library call:
// read → validate → plan → dispatch → record, and returns one
// outcome.Result that every face (CLI, web, inbox) renders. Options come
// in, with the dependencies a caller may inject (clients, clock, state
// directory, progress); the stages live in their own packages and in the
// files of this one (read.go, send.go).
package batch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/validate"
)

// Options configure one run.
type Options struct {
	Input    string
	Validate validate.Options // Target, Defaults (config defaults are merged in)
	Config   *config.Config
	// StateDir holds the crash-safe state; "" means no state. A dry run
	// only reads it, and only when it exists.
	StateDir string
	// Reconcile looks every record up at the vendor before creating it,
	// for a state that was lost or damaged.
	Reconcile bool
	DryRun    bool
	// DryRunOut receives the requests a dry run would send, one JSON
	// document per line, secrets redacted; nil = not written.
	DryRunOut io.Writer
	// Concurrency, when > 0, caps every vendor's requests in flight.
	Concurrency int
	HTTP        *http.Client // shared transport for the clients; nil = default
	Logger      *slog.Logger // never given secrets; nil = discard
	// Progress builds the progress display for n records to send; nil = none.
	Progress func(n int) progress.Reporter
	// Events, when set, is called (from several goroutines) for every
	// create request and every record sent, per vendor (events.go).
	Events func(Event)
	// Plan, when set, reads the input as an HR new-hire sheet and derives
	// each person's vendor records through it.
	Plan *hires.Plan
	// Roles resolves Cove role names the plan leaves to run time; nil
	// uses the configured Cove client.
	Roles hires.RoleResolver
	// CredentialsDir receives the file of generated passwords (mode 0600).
	CredentialsDir string
	Grace          time.Duration // how long in-flight requests may finish after an interrupt
	Backoff        dispatch.Backoff
	// Clients replaces the clients built from Config, by vendor name (tests,
	// a server sharing one client per vendor).
	Clients map[string]connector.Client
	// Limiters replaces the per-run rate limiters, by vendor name: a server
	// running several batches shares one per vendor, so that together they
	// never exceed the vendor's rate.
	Limiters map[string]*rate.Limiter
	Now      func() time.Time // the clock; nil = time.Now
	RunID    string           // names this run's files; "" = made from the start time
}

// Result is a run's outcome.Result plus what the report stage needs to
// read the input again exactly as the run did.
type Result struct {
	outcome.Result
	// ValidateOptions are the validation options in effect (config
	// defaults merged).
	ValidateOptions validate.Options
	Validation      *validate.Summary // per-vendor sheets: the validation summary
	HRSheet         string            // HR sheet runs: the sheet read
	PasswordColumn  string            // HR sheet runs: the header of the column to mask
	Stats           dispatch.Stats
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// NewRunID returns an ID for a run started at t: its time to the second
// and four random hex digits, so two runs in one second differ.
func NewRunID(t time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return t.Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// Run runs the whole job. The error is non-nil only when the run could not
// be carried out (unusable input, a bad option, the state locked or
// failing); records that fail are in the Result. When ctx is cancelled,
// records not yet sent are "not sent" and Result.Interrupted is set.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	res := &Result{Result: outcome.Result{Input: opt.Input, Start: opt.now(), DryRun: opt.DryRun, RunID: opt.RunID}}
	if res.RunID == "" {
		res.RunID = NewRunID(res.Start)
	}
	if opt.Config != nil {
		for _, s := range opt.Config.Redacted() {
			res.Settings = append(res.Settings, outcome.Setting{Vendor: s.Vendor, Key: s.Key, Value: s.Value})
		}
	}
	r, err := newRunner(opt, res)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := r.read(ctx); err != nil {
		return nil, err
	}
	if err := r.decide(); err != nil {
		return nil, err
	}
	if opt.DryRun {
		err = r.preview()
	} else {
		err = r.send(ctx)
	}
	r.finish(ctx)
	return res, err
}
