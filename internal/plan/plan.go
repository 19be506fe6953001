// Package plan turns validated records into dispatch jobs: it decides,
// for each record, whether it must be sent, was already created by an
// earlier run (from the crash-safe state), must be reconciled first
// because an earlier send's answer was lost, or cannot be sent (vendor not
// configured); and it orders records that depend on one another
// (NetSapiens sites before the users naming them).
package plan

import (
	"fmt"
	"strings"

	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/state"
)

// Item is one valid record and where it came from.
type Item struct {
	Sheet  string
	Row    int // spreadsheet row number
	Record schema.Record
	// Tag is the caller's own reference (e.g. the index of the row's
	// outcome); the plan carries it through untouched.
	Tag int
}

// Lookup reads what earlier runs recorded; *state.Store satisfies it.
type Lookup interface {
	Get(endpoint, target, key string) (state.Entry, bool, error)
}

// Options say which vendors can be reached and where.
type Options struct {
	// Endpoint returns the base URL of a configured vendor, and false when
	// the vendor is not configured.
	Endpoint func(vendor string) (string, bool)
	State    Lookup // nil: no earlier runs
	// Reconcile looks every record up at the vendor before creating it
	// (--reconcile): for a state that was lost or damaged.
	Reconcile bool
}

// Decision is what the plan decided for one item.
type Decision struct {
	Item *Item
	// Job is set when the item goes to the dispatcher.
	Job *dispatch.Job
	// Result is set when the item's outcome is known without sending.
	Result *dispatch.Result
	// Hash identifies the payload (state.RecordHash), stored with the send.
	Hash string
}

// Plan is the ordered list of decisions, one per item, in item order.
type Plan struct {
	Decisions []Decision
	Jobs      []*dispatch.Job // the Decisions' jobs, in dispatch order
}

// Build plans items. Items must already be valid.
func Build(items []*Item, opt Options) (*Plan, error) {
	p := &Plan{Decisions: make([]Decision, len(items))}
	// Index of jobs by target + natural key, for references.
	byKey := map[string]int{}
	for i, it := range items {
		d := Decision{Item: it, Hash: state.RecordHash(it.Record)}
		t := it.Record.Target
		endpoint, ok := opt.Endpoint(t.Vendor)
		if !ok {
			d.Result = result(dispatch.NotSent, "", "not sent: vendor "+t.Vendor+" is not configured (add it under vendors: in the config file)")
			p.Decisions[i] = d
			continue
		}
		job := &dispatch.Job{Index: i, Vendor: t.Vendor, Record: it.Record}
		if opt.State != nil {
			e, found, err := opt.State.Get(endpoint, t.ID, it.Record.Key())
			if err != nil {
				return nil, fmt.Errorf("plan: read state for %s %s: %w", t.ID, it.Record.Key(), err)
			}
			if found {
				if r := Earlier(e, d.Hash); r != nil {
					d.Result = r
					p.Decisions[i] = d
					continue
				}
				job.Reconcile = e.Phase == state.Sending || e.Status == outcome.Uncertain.String()
			}
		}
		if opt.Reconcile {
			job.Reconcile = true
		}
		d.Job = job
		byKey[t.ID+"\x00"+it.Record.Key()] = i
		p.Decisions[i] = d
	}
	// References: a record naming another record of this batch waits for it.
	for i := range p.Decisions {
		d := &p.Decisions[i]
		if d.Job == nil {
			continue
		}
		rec := d.Item.Record
		for _, ref := range rec.Target.Refs {
			if rec.Get(ref.Field) == nil {
				continue
			}
			parts := make([]string, len(ref.Key))
			for k, f := range ref.Key {
				parts[k] = rec.Text(f)
			}
			if j, ok := byKey[ref.Target+"\x00"+strings.Join(parts, "/")]; ok && j != i {
				d.Job.After = append(d.Job.After, j)
			}
		}
	}
	// Dispatch order: targets that others refer to first (sites before
	// users), then item order.
	referenced := map[string]bool{}
	for _, it := range items {
		for _, ref := range it.Record.Target.Refs {
			referenced[ref.Target] = true
		}
	}
	for pass := 0; pass < 2; pass++ {
		for i := range p.Decisions {
			d := p.Decisions[i]
			if d.Job == nil {
				continue
			}
			if (pass == 0) == referenced[d.Item.Record.Target.ID] {
				p.Jobs = append(p.Jobs, d.Job)
			}
		}
	}
	return p, nil
}

// Earlier turns what an earlier run recorded into this run's result: a
// record it created or found is done (nil Job); nil means the record must
// be sent, after a lookup when the earlier send's answer was lost.
func Earlier(e state.Entry, hash string) *dispatch.Result {
	var st outcome.Status
	if err := st.UnmarshalText([]byte(e.Status)); err != nil || e.Phase == state.Sending || !st.AtVendor() {
		return nil
	}
	msg := "created by an earlier run"
	if st == outcome.Exists {
		msg = "found at the vendor by an earlier run"
	}
	if e.PayloadHash != "" && e.PayloadHash != hash {
		msg += "; the row has changed since, but onboard only creates records: change it at the vendor"
	}
	return &dispatch.Result{Status: outcome.DoneEarlier, ID: e.VendorID, Message: msg}
}

func result(st dispatch.Status, id, msg string) *dispatch.Result {
	return &dispatch.Result{Status: st, ID: id, Message: msg}
}
