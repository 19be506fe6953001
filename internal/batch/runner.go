package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/plan"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/state"
)

// runner carries one run through its stages.
type runner struct {
	opt      Options
	res      *Result
	limiters map[string]*rate.Limiter // one per vendor, shared by dispatch and client
	clients  map[string]connector.Client
	in       intake.File
	store    *state.Store

	items   []*plan.Item
	derived map[int]*hires.Derived // HR sheet runs: record index → derived record
	// personIndex maps an HR row to its index in res.People.
	personIndex map[int]int
	// waiting are the records whose names could not be looked up: an
	// earlier run may have created them anyway.
	waiting []int
	creds   *hires.CredentialsFile // HR sheet runs that generate passwords

	planned *plan.Plan
}

func newRunner(opt Options, res *Result) (*runner, error) {
	r := &runner{opt: opt, res: res, limiters: map[string]*rate.Limiter{}}
	if opt.Config == nil {
		return nil, &config.Error{Msg: "no configuration given"}
	}
	for _, v := range opt.Config.Vendors() {
		if l, ok := opt.Limiters[v.Spec.Name]; ok {
			r.limiters[v.Spec.Name] = l
			continue
		}
		r.limiters[v.Spec.Name] = rate.NewLimiter(rate.Limit(v.Rate), max(v.Burst, 1))
	}
	clients, err := r.buildClients()
	if err != nil {
		return nil, err
	}
	r.clients = clients
	return r, nil
}

func (r *runner) buildClients() (map[string]connector.Client, error) {
	clients := map[string]connector.Client{}
	for _, v := range r.opt.Config.Vendors() {
		if c, ok := r.opt.Clients[v.Spec.Name]; ok {
			clients[v.Spec.Name] = c
			continue
		}
		s := v.Settings()
		s.HTTP = r.opt.HTTP
		s.Pace = r.limiters[v.Spec.Name].Wait
		s.Logger = r.opt.Logger.With("vendor", v.Spec.Name)
		c, err := v.Spec.New(s)
		if err != nil {
			return nil, &config.Error{Key: "vendors." + v.Spec.Name, Msg: err.Error()}
		}
		clients[v.Spec.Name] = c
	}
	return clients, nil
}

func (r *runner) close() {
	if r.in != nil {
		r.in.Close()
	}
	if r.store != nil {
		r.store.Close()
	}
	if r.creds != nil {
		if err := r.creds.Close(); err != nil {
			r.opt.Logger.Warn("could not tidy the credentials file", "file", r.creds.Path(), "error", err)
		}
	}
}

// read opens the input and reads it as per-vendor sheets or, with a plan,
// as an HR sheet: every record gets its place in res.Records, and the
// valid ones become plan items.
func (r *runner) read(ctx context.Context) error {
	in, err := intake.Open(r.opt.Input, intake.Options{})
	if err != nil {
		return err
	}
	r.in = in
	vopt := r.opt.Validate
	vopt.Defaults = vopt.Defaults.Over(r.opt.Config.Defaults())
	r.res.ValidateOptions = vopt
	if r.opt.Plan != nil {
		return r.readHires(ctx)
	}
	return r.readSheets(ctx)
}

// plan opens the state (a dry run only reads an existing one) and decides
// what to send.
func (r *runner) decide() error {
	if dir := r.opt.StateDir; dir != "" {
		_, statErr := os.Stat(filepath.Join(dir, state.FileName))
		if !r.opt.DryRun || statErr == nil {
			if err := r.openState(dir); err != nil {
				return err
			}
		}
	}
	popt := plan.Options{Endpoint: r.endpoint, Reconcile: r.opt.Reconcile}
	if r.store != nil {
		popt.State = r.store
	}
	p, err := plan.Build(r.items, popt)
	if err != nil {
		return err
	}
	r.planned = p
	for _, d := range p.Decisions {
		if d.Result != nil {
			r.settle(d, d.Result.Status, d.Result.ID, d.Result.Message, 0)
			r.settleEarlier(d)
		}
	}
	return r.doneDespiteNames()
}

// doneDespiteNames reports as done earlier the records whose names could
// not be looked up this time but that an earlier run created: nothing
// needs sending for them, so the failed lookup does not matter.
func (r *runner) doneDespiteNames() error {
	if r.store == nil {
		return nil
	}
	for _, i := range r.waiting {
		rec := &r.res.Records[i]
		t := registry.Target(rec.Target)
		if t == nil {
			continue
		}
		endpoint, ok := r.endpoint(t.Vendor)
		if !ok {
			continue
		}
		e, found, err := r.store.Get(endpoint, rec.Target, rec.Key)
		if err != nil {
			return fmt.Errorf("read the state for %s %s: %w", rec.Target, rec.Key, err)
		}
		if done := plan.Earlier(e, ""); found && done != nil {
			rec.Status, rec.ID, rec.Message = done.Status, done.ID, done.Message
		}
	}
	return nil
}

// settleEarlier marks the generated password of a record an earlier run
// created as set: that run may have died before saying so.
func (r *runner) settleEarlier(d plan.Decision) {
	if r.creds == nil || d.Result.Status != outcome.DoneEarlier {
		return
	}
	if dv := r.derived[d.Item.Tag]; dv != nil && dv.Generated() {
		if err := r.creds.Settle(dv.Target.ID, dv.Key(), hires.Applied); err != nil {
			r.opt.Logger.Warn("could not mark a password as set", "file", r.creds.Path(), "error", err)
		}
	}
}

// openState opens the crash-safe state, falling back to its last good
// copy when state.db is damaged. A restored copy does not know what was
// sent after it was saved, so the run then looks every record up before
// creating it. --reconcile also gets past a state with no usable copy.
func (r *runner) openState(dir string) error {
	in, err := state.InputOf(r.opt.Input)
	if err != nil {
		return err
	}
	store, err := state.Open(dir, state.Options{Now: r.opt.Now, Input: in, UseBackup: true, SetAsideDamaged: r.opt.Reconcile})
	if err != nil {
		return err
	}
	r.store = store
	if rec := store.Restored(); rec != nil {
		r.opt.Reconcile = true
		r.res.Notices = append(r.res.Notices, rec.String()+"; every record is looked up at its vendor before it is created")
	}
	return nil
}

// failed reports whether any record failed to reach its vendor for a
// reason other than its data (a backup is kept only of a clean run).
func (r *runner) failed() bool {
	return r.res.Count(outcome.Failed) > 0
}

func (r *runner) endpoint(vendor string) (string, bool) {
	v, ok := r.opt.Config.Vendor(vendor)
	if !ok {
		return "", false
	}
	return v.BaseURL, true
}

// settle writes a decision's outcome into its record.
func (r *runner) settle(d plan.Decision, st outcome.Status, id, msg string, attempts int) {
	rec := &r.res.Records[d.Item.Tag]
	rec.Status, rec.ID, rec.Message, rec.Attempts = st, id, msg, attempts
}

// finish stamps the end, the request counts and the people's outcome.
func (r *runner) finish(ctx context.Context) {
	r.res.End = r.opt.now()
	r.res.Interrupted = ctx.Err() != nil && !r.opt.DryRun
	r.res.Vendors = vendorStats(r.res.Stats)
	r.res.Settle()
	if r.store != nil && !r.opt.DryRun && !r.res.Interrupted && !r.failed() {
		if err := r.store.Checkpoint(); err != nil {
			r.res.Notices = append(r.res.Notices, "could not keep a backup copy of the state: "+err.Error())
		}
	}
	if r.creds != nil && r.creds.Count() > 0 {
		r.res.Credentials, r.res.NewPasswords = r.creds.Path(), r.creds.Count()
	}
}
