package batch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/plan"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/validate"
)

// readSheets validates per-vendor sheets: one record per data row.
func (r *runner) readSheets(ctx context.Context) error {
	sum, err := validate.Run(ctx, r.in, r.res.ValidateOptions, validate.RowFunc(func(v *validate.RowResult) error {
		rec := outcome.Record{Target: v.Target.ID, System: v.Target.SystemName(), Sheet: v.Sheet, Row: v.Row.Num, Person: -1}
		if v.Valid {
			rec.Key = v.Record.Key()
			r.items = append(r.items, &plan.Item{Sheet: v.Sheet, Row: v.Row.Num, Record: v.Record, Tag: len(r.res.Records)})
		} else {
			rec.Status = outcome.Invalid
			rec.Message = issuesText(v.Issues)
		}
		r.res.Records = append(r.res.Records, rec)
		return nil
	}))
	r.res.Validation = sum
	return err
}

// issuesText joins a row's problems for the Message column.
func issuesText(issues []validate.Issue) string {
	parts := make([]string, 0, len(issues))
	for _, is := range issues {
		if is.Severity != validate.Error {
			continue
		}
		switch {
		case is.Column != "" && is.Cell != "":
			parts = append(parts, is.Column+" ("+is.Cell+"): "+is.Detail)
		case is.Column != "":
			parts = append(parts, is.Column+": "+is.Detail)
		default:
			parts = append(parts, is.Detail)
		}
	}
	return strings.Join(parts, "; ")
}

// readHires reads the input as an HR new-hire sheet through the plan: one
// person per row, one record per account the plan gives them. Names the
// plan leaves to run time (Cove roles) are looked up only when someone in
// the sheet needs them, in a dry run too.
func (r *runner) readHires(ctx context.Context) error {
	hopt := hires.Options{Defaults: r.res.ValidateOptions.Defaults}
	b, err := r.opt.Plan.Process(r.in, hopt)
	if err != nil {
		return err
	}
	var unresolved error
	if needsNames(b) {
		if unresolved = r.resolveNames(ctx); unresolved == nil {
			if b, err = r.opt.Plan.Process(r.in, hopt); err != nil {
				return err
			}
		}
	}
	r.res.HRSheet = b.Sheet
	r.people(b)
	r.derived = map[int]*hires.Derived{}
	for _, d := range b.Records {
		r.addDerived(d, unresolved)
	}
	return r.openCredentials()
}

// openCredentials opens the input's credentials file when the run will
// send generated passwords, and gives each record back the password an
// earlier run sent but never saw confirmed.
func (r *runner) openCredentials() error {
	if r.opt.DryRun {
		return nil
	}
	var generated []*hires.Derived
	for _, d := range r.derived {
		if d.Generated() {
			generated = append(generated, d)
		}
	}
	if len(generated) == 0 {
		return nil
	}
	c, err := hires.OpenCredentials(r.opt.CredentialsDir, r.opt.Input)
	if err != nil {
		return err
	}
	r.creds = c
	for _, d := range generated {
		c.Reuse(d)
	}
	r.noteLegacyCredentials(c.Path())
	return nil
}

// noteLegacyCredentials says where passwords of runs made before onboard
// kept one credentials file per sheet are: they stay in their per-run
// files, which nothing reads or changes. File names only, no folders.
func (r *runner) noteLegacyCredentials(current string) {
	old, err := hires.LegacyCredentialsFiles(r.opt.CredentialsDir, r.opt.Input)
	if err != nil || len(old) == 0 {
		return
	}
	names := filepath.Base(old[0])
	if len(old) > 1 {
		names += fmt.Sprintf(" and %d more", len(old)-1)
	}
	r.res.Notices = append(r.res.Notices, fmt.Sprintf("passwords from runs of earlier versions of onboard stay in %s (same folder); this run adds to %s",
		names, filepath.Base(current)))
}

// needsNames reports whether any record waits for a name lookup.
func needsNames(b *hires.Batch) bool {
	for _, d := range b.Records {
		if len(d.Pending()) > 0 {
			return true
		}
	}
	return false
}

// people turns the HR sheet's persons into the result's people, each with
// the errors of their own row; sheet-wide errors go to SheetProblems.
func (r *runner) people(b *hires.Batch) {
	r.res.People, r.res.SheetProblems, r.personIndex = peopleOf(b)
	if len(b.People) > 0 {
		r.res.PasswordColumn = b.People[0].Header(hires.Password)
	}
}

// peopleOf lists the people of an HR sheet with the errors of their own
// row, the sheet-wide errors, and each person's index by row.
func peopleOf(b *hires.Batch) ([]outcome.Person, []string, map[int]int) {
	people := make([]outcome.Person, 0, len(b.People))
	index := make(map[int]int, len(b.People))
	for i, p := range b.People {
		index[p.Row] = i
		people = append(people, outcome.Person{Sheet: p.Sheet, Row: p.Row, Name: p.Name(), Problems: []string{}})
	}
	sheet := []string{}
	for _, pr := range b.Problems {
		if pr.Severity != hires.SeverityError || pr.Target != "" {
			continue
		}
		if i, ok := index[pr.Row]; ok && pr.Row > 0 {
			people[i].Problems = append(people[i].Problems, pr.Message)
		} else if pr.Row == 0 {
			sheet = append(sheet, pr.Message)
		}
	}
	return people, sheet, index
}

// addDerived adds one derived record: an item to send when it is whole,
// else its outcome now.
func (r *runner) addDerived(d *hires.Derived, unresolved error) {
	rec := derivedRecord(d, r.personIndex)
	if d.OK() {
		tag := len(r.res.Records)
		r.derived[tag] = d
		r.items = append(r.items, &plan.Item{Sheet: d.Person.Sheet, Row: d.Person.Row, Record: d.Record, Tag: tag})
	} else if rec.Status == outcome.Pending {
		rec.Status, rec.Message = r.unresolvedOutcome(d, unresolved)
		r.waiting = append(r.waiting, len(r.res.Records))
	}
	r.res.Records = append(r.res.Records, rec)
}

// derivedRecord is the result record of a derived record, its status set
// when it cannot be sent (Pending when whole, or waiting for names).
func derivedRecord(d *hires.Derived, personIndex map[int]int) outcome.Record {
	rec := outcome.Record{Target: d.Target.ID, System: d.Target.SystemName(), Sheet: d.Person.Sheet, Row: d.Person.Row,
		Key: d.Key(), Person: -1, Shared: d.Target.Shared}
	if i, ok := personIndex[d.Person.Row]; ok && !rec.Shared {
		rec.Person = i
	}
	switch own := errorMessages(d.Problems); {
	case d.OK():
	case len(own) > 0:
		rec.Status, rec.Message = outcome.Invalid, strings.Join(own, "; ")
	case d.Person.Invalid():
		rec.Status, rec.RowProblem = outcome.Invalid, true
		rec.Message = "not sent: the person's row has a problem to fix first"
	case len(d.Pending()) > 0:
	default:
		rec.Status, rec.Message = outcome.Invalid, "not sent: the record is incomplete"
	}
	return rec
}

// CheckHires turns a checked HR sheet into a dry-run result without
// sending or looking anything up: what `onboard validate --plan` shows.
// Records that are whole "would create"; names left to run time are
// "unresolved".
func CheckHires(input string, b *hires.Batch) *outcome.Result {
	res := &outcome.Result{Input: input, DryRun: true}
	var index map[int]int
	res.People, res.SheetProblems, index = peopleOf(b)
	for _, d := range b.Records {
		rec := derivedRecord(d, index)
		switch {
		case d.OK():
			rec.Status = outcome.WouldCreate
		case rec.Status == outcome.Pending:
			rec.Status, rec.Message = outcome.Unresolved, "the "+strings.Join(d.Pending(), ", ")+" name is looked up when running"
		}
		res.Records = append(res.Records, rec)
	}
	res.Settle()
	return res
}

func errorMessages(ps []*hires.Problem) []string {
	var out []string
	for _, p := range ps {
		if p.Severity == hires.SeverityError {
			out = append(out, p.Message)
		}
	}
	return out
}

// unresolvedOutcome says why a record whose names could not be looked up
// is not sent: in a dry run it is "unresolved" (the real run looks again),
// in a real run it failed.
func (r *runner) unresolvedOutcome(d *hires.Derived, why error) (outcome.Status, string) {
	msg := "the " + strings.Join(d.Pending(), ", ") + " name could not be looked up"
	if why != nil {
		msg += ": " + why.Error()
	}
	if r.opt.DryRun {
		return outcome.Unresolved, msg + " (a real run looks it up again)"
	}
	return outcome.Failed, "not sent: " + msg
}

// errNoResolver is why names cannot be looked up without the vendor:
// "Cove is not in the configuration (add it under vendors:, or give the
// role IDs in the plan's cove: roles: table)".
func errNoResolver() error {
	l := runtimeLookup()
	label := l.Vendor
	if v := registry.Vendor(l.Vendor); v != nil {
		label = v.Label
	}
	return fmt.Errorf("%s is not in the configuration (add it under vendors:, or give the role IDs in the plan's %s: table)", label, l.Section())
}

// runtimeLookup is the plan's name table a vendor can supply at run time
// (Cove's roles).
func runtimeLookup() hires.Lookup {
	for _, l := range hires.Lookups {
		if l.Runtime {
			return l
		}
	}
	return hires.Lookup{}
}

// resolveNames looks up the names the plan leaves to run time, retrying a
// passing failure with backoff.
func (r *runner) resolveNames(ctx context.Context) error {
	roles := r.opt.Roles
	if roles == nil {
		roles = r.runtimeResolver()
	}
	if roles == nil {
		return errNoResolver()
	}
	var err error
	for attempt := 1; attempt <= 4; attempt++ {
		if err = r.opt.Plan.Resolve(ctx, roles); err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(r.opt.Backoff.Ceiling(attempt)):
		}
	}
	return err
}

// retryable reports whether a lookup failed for a passing reason.
func retryable(err error) bool {
	var ce *connector.CallError
	return errors.As(err, &ce) && ce.Retryable()
}

// runtimeResolver backs the plan's run-time role names with the client of
// the vendor that supplies them (connector.RoleLister), or nil when that
// vendor is not configured or its client cannot list roles.
func (r *runner) runtimeResolver() hires.RoleResolver {
	l := runtimeLookup()
	c, ok := r.clients[l.Vendor].(connector.RoleLister)
	if !ok {
		return nil
	}
	return &roleResolver{client: c, defaults: r.opt.Config.Defaults()[l.Vendor]}
}

// roleResolver backs the plan's role names with the vendor's role list.
type roleResolver struct {
	client   connector.RoleLister
	defaults map[string]string
}

func (c *roleResolver) CoveRoles(ctx context.Context) (map[string]int64, error) {
	return c.client.ListRoles(ctx, c.defaults)
}
