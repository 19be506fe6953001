package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/plan"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/record"
	"github.com/onboard/onboard/internal/registry"
)

// preview settles a dry run: every record the real run would send is
// "would create", and its request goes to DryRunOut, secrets redacted.
func (r *runner) preview() error {
	for _, d := range r.planned.Decisions {
		if d.Job != nil {
			r.settle(d, outcome.WouldCreate, "", "would be sent to "+d.Item.Record.Target.SystemName(), 0)
		}
	}
	if r.opt.DryRunOut == nil {
		return nil
	}
	enc := json.NewEncoder(r.opt.DryRunOut)
	for _, j := range r.planned.Jobs {
		d := r.planned.Decisions[j.Index]
		pv := r.clients[j.Vendor].Preview(connector.Request{Record: j.Record})
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

// send dispatches the plan's jobs through one rate-limited lane per
// vendor, recording each send in the state before it goes out.
func (r *runner) send(ctx context.Context) error {
	opt := r.opt
	d := &dispatch.Dispatcher{Lanes: map[string]*dispatch.Lane{}, Logger: opt.Logger, Grace: opt.Grace, Backoff: opt.Backoff}
	for _, v := range opt.Config.Vendors() {
		lane := &dispatch.Lane{Client: r.clients[v.Spec.Name], Limiter: r.limiters[v.Spec.Name],
			Concurrency: v.Concurrency, MaxAttempts: v.MaxAttempts, Timeout: v.Timeout}
		if opt.Concurrency > 0 {
			lane.Concurrency = opt.Concurrency
		}
		d.Lanes[v.Spec.Name] = lane
	}
	if r.store != nil {
		d.Recorder = &record.Recorder{Store: r.store, Items: r.planned.Decisions, Endpoint: func(v string) string {
			e, _ := r.endpoint(v)
			return e
		}}
	}
	if r.creds != nil {
		d.Recorder = &credentialsRecorder{next: d.Recorder, creds: r.creds, derived: r.derived, decisions: r.planned.Decisions, run: r.res.RunID, done: map[int]bool{}}
	}
	d.Recorder = withEvents(d.Recorder, opt.Events)
	var bar progress.Reporter = nopProgress{}
	if opt.Progress != nil && len(r.planned.Jobs) > 0 {
		bar = opt.Progress(len(r.planned.Jobs))
	}
	stats, err := d.Run(ctx, r.planned.Jobs, func(res dispatch.Result) {
		r.settle(r.planned.Decisions[res.Job.Index], res.Status, res.ID, res.Message, res.Attempts)
		bar.Step(res.Status.Succeeded())
	})
	bar.Finish()
	r.res.Stats = stats
	if err != nil {
		return fmt.Errorf("run stopped: %w", err)
	}
	return nil
}

type nopProgress struct{}

func (nopProgress) Step(bool) {}
func (nopProgress) Finish()   {}

// vendorStats lists the request counts per vendor, by name.
func vendorStats(s dispatch.Stats) []outcome.VendorStats {
	var out []outcome.VendorStats
	for name, v := range s.Vendors {
		label := name
		if v := registry.Vendor(name); v != nil {
			label = v.Label
		}
		out = append(out, outcome.VendorStats{Vendor: name, System: label, Requests: v.Requests, Creates: v.Creates, Lookups: v.Lookups,
			Retries: v.Retries, Throttled: v.Throttled, Paused: v.Paused})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Vendor < out[j].Vendor })
	return out
}

// credentialsRecorder keeps the credentials file in step with the sends:
// a record's generated password is on disk before its first create
// request, and its line says "set" or "not set" once the vendor answered
// for sure.
type credentialsRecorder struct {
	next      dispatch.Recorder
	creds     *hires.CredentialsFile
	derived   map[int]*hires.Derived // by record index
	decisions []plan.Decision
	run       string // the run ID written on each new line

	mu   sync.Mutex
	done map[int]bool
}

func (c *credentialsRecorder) Begin(job *dispatch.Job, attempt int) error {
	tag := c.decisions[job.Index].Item.Tag
	c.mu.Lock()
	first := !c.done[tag]
	c.done[tag] = true
	c.mu.Unlock()
	if d := c.derived[tag]; first && d != nil && d.Generated() {
		if err := c.creds.Add(d, c.run); err != nil {
			return fmt.Errorf("keep the generated password before sending: %w", err)
		}
	}
	if c.next == nil {
		return nil
	}
	return c.next.Begin(job, attempt)
}

func (c *credentialsRecorder) Finish(res dispatch.Result) error {
	if d := c.derived[c.decisions[res.Job.Index].Item.Tag]; d != nil && d.Generated() {
		if s, ok := settlement(res); ok {
			if err := c.creds.Settle(d.Target.ID, d.Key(), s); err != nil {
				return fmt.Errorf("mark the generated password: %w", err)
			}
		}
	}
	if c.next == nil {
		return nil
	}
	return c.next.Finish(res)
}

// settlement says what a job's result means for its generated password:
// set, certainly not set, or not known yet (false).
func settlement(res dispatch.Result) (hires.Settlement, bool) {
	switch {
	case res.Status == outcome.Created, res.Status == outcome.Exists && res.Job.Reconcile:
		return hires.Applied, true // ours, or our own in-flight create found again
	case res.Status == outcome.Exists, res.Status == outcome.Invalid:
		return hires.NotApplied, true
	}
	return 0, false
}
