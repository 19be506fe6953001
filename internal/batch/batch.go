// Package batch runs the whole job of `onboard run`: read → validate →
// plan → dispatch → record, and hands the outcome of every row to the
// report stage. It wires the stage packages together; each stage's logic
// lives in its own package.
package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/plan"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/record"
	"github.com/onboard/onboard/internal/state"
	"github.com/onboard/onboard/internal/validate"
)

// Options configure one run.
type Options struct {
	Input    string
	Validate validate.Options // Target, Defaults (config defaults are merged in)
	Config   *config.Config
	// StateDir holds the crash-safe state; "" means no state (dry runs).
	StateDir string
	DryRun   bool
	// DryRunOut receives the requests a dry run would send, one JSON
	// document per line, secrets redacted.
	DryRunOut io.Writer
	// Concurrency, when > 0, caps every vendor's requests in flight.
	Concurrency int
	HTTP        *http.Client // shared transport for the clients; nil = default
	Logger      *slog.Logger // never given secrets; nil = discard
	// Progress builds the progress display for n records to send; nil = none.
	Progress func(n int) progress.Reporter
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
}

// Row statuses in results and reports.
const (
	StatusCreated = "created"
	StatusExists  = "exists"
	StatusInvalid = "invalid"
	StatusFailed  = "failed"
	StatusNotSent = "not sent"
)

// Outcome is what happened to one input row.
type Outcome struct {
	Target   string `json:"target"`
	Sheet    string `json:"sheet"`
	Row      int    `json:"row"`
	Key      string `json:"key"`
	Person   int    `json:"-"` // index in Result.People (HR sheet runs), -1 otherwise
	Status   string `json:"status"`
	ID       string `json:"id"`
	Message  string `json:"message"`
	Attempts int    `json:"attempts"`
}

// Result is the outcome of a whole run.
type Result struct {
	Input       string
	Start, End  time.Time
	Validation  *validate.Summary
	Outcomes    []Outcome // one per data row, in input order
	Stats       dispatch.Stats
	Interrupted bool
	DryRun      bool
	Config      *config.Config
	// People are the persons of an HR sheet run (--plan), in row order;
	// their records' outcomes have Outcome.Person set.
	People []*hires.Person
	// HiresProblems are the HR sheet's validation findings (--plan).
	HiresProblems []*hires.Problem
	// Credentials is the file generated passwords went to, and how many.
	Credentials      string
	CredentialsCount int
	// ValidateOptions are the validation options in effect (config
	// defaults merged), so the report stage can read the input again
	// exactly as the run did.
	ValidateOptions validate.Options
}

// Count returns how many rows ended with status.
func (r *Result) Count(status string) int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Status == status {
			n++
		}
	}
	return n
}

// OK reports whether every row was created or already existed.
func (r *Result) OK() bool {
	return r.Count(StatusCreated)+r.Count(StatusExists) == len(r.Outcomes) && !r.Interrupted
}

// Lookup returns the outcome of a sheet's row (for the report writer).
func (r *Result) Lookup() func(sheet string, row int) (Outcome, bool) {
	idx := make(map[string]int, len(r.Outcomes))
	for i, o := range r.Outcomes {
		idx[fmt.Sprintf("%s\x00%d", o.Sheet, o.Row)] = i
	}
	return func(sheet string, row int) (Outcome, bool) {
		i, ok := idx[fmt.Sprintf("%s\x00%d", sheet, row)]
		if !ok {
			return Outcome{}, false
		}
		return r.Outcomes[i], true
	}
}

// Run runs the whole job. The error is non-nil only when the run could not
// be carried out (unusable input, a bad option, the state locked or
// failing); rows that fail are in the Result. When ctx is cancelled, rows
// not yet sent are "not sent: interrupted" and Result.Interrupted is set.
func Run(ctx context.Context, opt Options) (*Result, error) {
	logger := opt.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	res := &Result{Input: opt.Input, Start: time.Now(), DryRun: opt.DryRun, Config: opt.Config}
	limiters := map[string]*rate.Limiter{} // one per vendor, shared by dispatch and client
	for _, v := range opt.Config.Vendors() {
		limiters[v.Spec.Name] = rate.NewLimiter(rate.Limit(v.Rate), max(v.Burst, 1))
	}
	clients, err := buildClients(opt, logger, limiters)
	if err != nil {
		return nil, err
	}
	if opt.Plan != nil && opt.Roles == nil {
		if c, ok := clients["cove"].(coveRoles); ok {
			opt.Roles = &coveRoleResolver{client: c, partner: opt.Config.Defaults()["cove"]["PartnerId"]}
		}
	}
	in, err := intake.Open(opt.Input, intake.Options{})
	if err != nil {
		return nil, err
	}
	defer in.Close()

	vopt := opt.Validate
	vopt.Defaults = vopt.Defaults.Over(opt.Config.Defaults())
	res.ValidateOptions = vopt
	var items []*plan.Item
	var derived map[int]*hires.Derived // hires mode: outcome index → record
	if opt.Plan != nil {
		if items, derived, err = readHires(ctx, in, opt, vopt, res); err != nil {
			return nil, err
		}
	} else {
		sum, err := validate.Run(ctx, in, vopt, validate.RowFunc(func(r *validate.RowResult) error {
			o := Outcome{Target: r.Target.ID, Sheet: r.Sheet, Row: r.Row.Num, Person: -1}
			if r.Valid {
				o.Key = r.Record.Key()
				items = append(items, &plan.Item{Sheet: r.Sheet, Row: r.Row.Num, Record: r.Record, Tag: len(res.Outcomes)})
			} else {
				o.Status = StatusInvalid
				o.Message = issuesText(r.Issues)
			}
			res.Outcomes = append(res.Outcomes, o)
			return nil
		}))
		res.Validation = sum
		if err != nil {
			return nil, err
		}
	}

	endpoint := func(vendor string) (string, bool) {
		v, ok := opt.Config.Vendor(vendor)
		if !ok {
			return "", false
		}
		return v.BaseURL, true
	}
	var store *state.Store
	if opt.StateDir != "" && !opt.DryRun {
		store, err = state.Open(opt.StateDir, state.Options{})
		if err != nil {
			return nil, err
		}
		defer store.Close()
	}
	popt := plan.Options{Endpoint: endpoint}
	if store != nil {
		popt.State = store
	}
	p, err := plan.Build(items, popt)
	if err != nil {
		return nil, err
	}
	settle := func(d plan.Decision, r dispatch.Result) {
		o := &res.Outcomes[d.Item.Tag]
		o.Status, o.ID, o.Message, o.Attempts = r.Status.String(), r.ID, r.Message, r.Attempts
	}
	for _, d := range p.Decisions {
		if d.Result != nil {
			settle(d, *d.Result)
		}
	}

	if opt.DryRun {
		if err := preview(opt.DryRunOut, p, clients); err != nil {
			return nil, err
		}
		for _, d := range p.Decisions {
			if d.Job != nil {
				settle(d, dispatch.Result{Status: dispatch.NotSent, Message: "not sent: dry run"})
			}
		}
		res.End = time.Now()
		return res, nil
	}

	d := &dispatch.Dispatcher{Lanes: map[string]*dispatch.Lane{}, Logger: logger, Grace: opt.Grace, Backoff: opt.Backoff}
	for _, v := range opt.Config.Vendors() {
		lane := &dispatch.Lane{Client: clients[v.Spec.Name], Limiter: limiters[v.Spec.Name],
			Concurrency: v.Concurrency, MaxAttempts: v.MaxAttempts, Timeout: v.Timeout}
		if opt.Concurrency > 0 {
			lane.Concurrency = opt.Concurrency
		}
		d.Lanes[v.Spec.Name] = lane
	}
	if store != nil {
		d.Recorder = &record.Recorder{Store: store, Items: p.Decisions, Endpoint: func(v string) string {
			e, _ := endpoint(v)
			return e
		}}
	}
	if derived != nil {
		creds := hires.NewCredentials(hires.CredentialsPath(opt.CredentialsDir, opt.Input, res.Start))
		d.Recorder = &credentialsRecorder{next: d.Recorder, creds: creds, derived: derived, decisions: p.Decisions, done: map[int]bool{}}
		defer func() { res.Credentials = creds.Path(); res.CredentialsCount = creds.Count() }()
	}
	var bar progress.Reporter = nopProgress{}
	if opt.Progress != nil && len(p.Jobs) > 0 {
		bar = opt.Progress(len(p.Jobs))
	}
	stats, err := d.Run(ctx, p.Jobs, func(r dispatch.Result) {
		settle(p.Decisions[r.Job.Index], r)
		bar.Step(r.Status.Succeeded())
	})
	bar.Finish()
	res.Stats = stats
	res.Interrupted = ctx.Err() != nil
	res.End = time.Now()
	if err != nil {
		return res, fmt.Errorf("run stopped: %w", err)
	}
	return res, nil
}

type nopProgress struct{}

func (nopProgress) Step(bool) {}
func (nopProgress) Finish()   {}

// issuesText joins a row's problems for the Message column.
func issuesText(issues []validate.Issue) string {
	parts := make([]string, 0, len(issues))
	for _, is := range issues {
		if is.Severity != validate.Error {
			continue
		}
		if is.Column != "" {
			parts = append(parts, is.Column+": "+is.Detail)
		} else {
			parts = append(parts, is.Detail)
		}
	}
	return strings.Join(parts, "; ")
}

func buildClients(opt Options, logger *slog.Logger, limiters map[string]*rate.Limiter) (map[string]connector.Client, error) {
	clients := map[string]connector.Client{}
	for _, v := range opt.Config.Vendors() {
		s := v.Settings()
		s.HTTP = opt.HTTP
		s.Pace = limiters[v.Spec.Name].Wait
		s.Logger = logger.With("vendor", v.Spec.Name)
		c, err := v.Spec.New(s)
		if err != nil {
			return nil, &config.Error{Key: "vendors." + v.Spec.Name, Msg: err.Error()}
		}
		clients[v.Spec.Name] = c
	}
	return clients, nil
}

// preview writes the request each job would send, one JSON line each,
// in dispatch order.
func preview(w io.Writer, p *plan.Plan, clients map[string]connector.Client) error {
	if w == nil {
		return nil
	}
	enc := json.NewEncoder(w)
	for _, j := range p.Jobs {
		d := p.Decisions[j.Index]
		pv := clients[j.Vendor].Preview(connector.Request{Record: j.Record})
		line := struct {
			Target string `json:"target"`
			Sheet  string `json:"sheet"`
			Row    int    `json:"row"`
			connector.Preview
		}{j.Record.Target.ID, d.Item.Sheet, d.Item.Row, pv}
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("write dry-run requests: %w", err)
		}
	}
	return nil
}

// VendorNames lists the vendors with stats, sorted, for summaries.
func (r *Result) VendorNames() []string {
	var names []string
	for n := range r.Stats.Vendors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
