// Package record is the pipeline's record stage: it writes every send to
// the crash-safe state before it goes out and its outcome after it
// returns, so a later run knows what exists, what failed and what must be
// reconciled.
package record

import (
	"fmt"

	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/plan"
	"github.com/onboard/onboard/internal/state"
)

// Store is the part of *state.Store the recorder writes to.
type Store interface {
	Begin(e state.Entry) error
	Finish(e state.Entry) error
}

// Recorder implements dispatch.Recorder on a state store.
type Recorder struct {
	Store    Store
	Endpoint func(vendor string) string // base URL per vendor: part of the state key
	// Items gives each job's provenance and payload hash, by Job.Index.
	Items []plan.Decision
}

var _ dispatch.Recorder = (*Recorder)(nil)

func (r *Recorder) entry(job *dispatch.Job) state.Entry {
	e := state.Entry{
		Endpoint: r.Endpoint(job.Vendor),
		Target:   job.Record.Target.ID,
		Key:      job.Record.Key(),
	}
	if job.Index >= 0 && job.Index < len(r.Items) {
		d := r.Items[job.Index]
		e.PayloadHash = d.Hash
		if d.Item != nil {
			e.Sheet, e.Row = d.Item.Sheet, d.Item.Row
		}
	}
	return e
}

// Begin durably records the intent to send job, before the request.
func (r *Recorder) Begin(job *dispatch.Job, attempt int) error {
	if err := r.Store.Begin(r.entry(job)); err != nil {
		return fmt.Errorf("record intent to send %s %s: %w", job.Record.Target.ID, job.Record.Key(), err)
	}
	return nil
}

// Finish durably records a job's final outcome. An outcome that leaves the
// record possibly created (a lost answer no lookup settled) is stored as
// outcome.Uncertain so the next run reconciles before sending.
func (r *Recorder) Finish(res dispatch.Result) error {
	e := r.entry(res.Job)
	e.Status, e.VendorID, e.Message = res.Status.String(), res.ID, res.Message
	if res.Uncertain && !res.Status.Succeeded() {
		e.Status = outcome.Uncertain.String()
	}
	if err := r.Store.Finish(e); err != nil {
		return fmt.Errorf("record outcome of %s %s: %w", e.Target, e.Key, err)
	}
	return nil
}
