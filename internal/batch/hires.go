package batch

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/plan"
	"github.com/onboard/onboard/internal/validate"
)

// readHires reads the input as an HR new-hire sheet through opt.Plan: one
// outcome per derived vendor record (tagged with its person), and the
// items ready to send.
func readHires(ctx context.Context, in intake.File, opt Options, vopt validate.Options, res *Result) ([]*plan.Item, map[int]*hires.Derived, error) {
	if pending := opt.Plan.Pending(); len(pending) > 0 && !opt.DryRun {
		if opt.Roles == nil {
			return nil, nil, fmt.Errorf("the plan names Cove roles by name, which needs the Cove vendor in the config to look them up (or give their IDs in the plan's cove: roles: table)")
		}
		if err := opt.Plan.Resolve(ctx, opt.Roles); err != nil {
			return nil, nil, fmt.Errorf("resolve names in the plan: %w", err)
		}
	}
	b, err := opt.Plan.Process(in, hires.Options{Defaults: vopt.Defaults})
	if err != nil {
		return nil, nil, err
	}
	res.People, res.HiresProblems = b.People, b.Problems
	person := make(map[*hires.Person]int, len(b.People))
	for i, p := range b.People {
		person[p] = i
	}
	rowErrors := map[int][]string{} // HR-level errors per row
	for _, p := range b.Problems {
		if p.Severity == hires.SeverityError && p.Target == "" {
			rowErrors[p.Row] = append(rowErrors[p.Row], p.Message)
		}
	}
	var items []*plan.Item
	derived := map[int]*hires.Derived{}
	for _, d := range b.Records {
		pi, ok := person[d.Person]
		if !ok {
			pi = -1
		}
		o := Outcome{Target: d.Target.ID, Sheet: d.Person.Sheet, Row: d.Person.Row, Key: d.Key(), Person: pi}
		if d.Target.ID == "netsapiens.site" {
			o.Person = -1 // a site serves the whole office
		}
		if d.OK() {
			tag := len(res.Outcomes)
			derived[tag] = d
			items = append(items, &plan.Item{Sheet: d.Person.Sheet, Row: d.Person.Row, Record: d.Record, Tag: tag})
		} else {
			o.Status = StatusInvalid
			o.Message = problemsText(d, rowErrors[d.Person.Row])
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	return items, derived, nil
}

// problemsText says why a derived record cannot be sent, pointing at the
// HR cells.
func problemsText(d *hires.Derived, rowErrors []string) string {
	var parts []string
	for _, p := range d.Problems {
		if p.Severity == hires.SeverityError {
			parts = append(parts, p.Message)
		}
	}
	if len(parts) == 0 && d.Person.Invalid() {
		parts = append(parts, "not sent: "+strings.Join(rowErrors, "; "))
	}
	if len(parts) == 0 && len(d.Pending()) > 0 {
		parts = append(parts, "not sent: names in "+strings.Join(d.Pending(), ", ")+" are resolved only when running")
	}
	return strings.Join(parts, "; ")
}

// credentialsRecorder writes a record's generated passwords to the
// credentials file right before its first create request, so the file
// lists exactly the passwords of accounts onboard tried to create.
type credentialsRecorder struct {
	next      dispatch.Recorder
	creds     *hires.Credentials
	derived   map[int]*hires.Derived // by outcome tag
	decisions []plan.Decision

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
		if _, err := c.creds.Add(d); err != nil {
			return fmt.Errorf("keep the generated password before sending: %w", err)
		}
	}
	if c.next == nil {
		return nil
	}
	return c.next.Begin(job, attempt)
}

func (c *credentialsRecorder) Finish(r dispatch.Result) error {
	if c.next == nil {
		return nil
	}
	return c.next.Finish(r)
}

// coveRoles is the Cove client's role lookup.
type coveRoles interface {
	Roles(ctx context.Context, partnerID int64) (map[string]int64, error)
}

// coveRoleResolver backs the plan's Cove role names with EnumerateUserRoles.
type coveRoleResolver struct {
	client  coveRoles
	partner string
}

func (r *coveRoleResolver) CoveRoles(ctx context.Context) (map[string]int64, error) {
	id, _ := strconv.ParseInt(r.partner, 10, 64)
	return r.client.Roles(ctx, id)
}

// Overall person statuses.
const (
	PersonDone    = "all done"
	PersonPartial = "partly done"
	PersonFailed  = "failed"
)

// PersonResult is one hire's outcome across systems.
type PersonResult struct {
	Row     int                     `json:"row"`
	Name    string                  `json:"name"`
	Status  string                  `json:"status"`
	Message string                  `json:"message,omitempty"` // why a person got no system at all
	Systems map[string]PersonSystem `json:"systems"`
}

// PersonSystem is one hire's outcome at one target.
type PersonSystem struct {
	Status  string `json:"status"`
	ID      string `json:"id"`
	Message string `json:"message"`
}

// PeopleResults groups the outcomes of an HR sheet run by person.
func (r *Result) PeopleResults() []PersonResult {
	out := make([]PersonResult, len(r.People))
	for i, p := range r.People {
		out[i] = PersonResult{Row: p.Row, Name: p.Name(), Systems: map[string]PersonSystem{}}
	}
	for _, o := range r.Outcomes {
		if o.Person < 0 || o.Person >= len(out) {
			continue
		}
		out[o.Person].Systems[o.Target] = PersonSystem{Status: o.Status, ID: o.ID, Message: o.Message}
	}
	for i, p := range r.People {
		ok, n := 0, len(out[i].Systems)
		for _, s := range out[i].Systems {
			if s.Status == StatusCreated || s.Status == StatusExists {
				ok++
			}
		}
		if n == 0 {
			var msgs []string
			for _, pr := range r.HiresProblems {
				if pr.Row == p.Row && pr.Severity == hires.SeverityError {
					msgs = append(msgs, pr.Message)
				}
			}
			out[i].Message = strings.Join(msgs, "; ")
		}
		switch {
		case n > 0 && ok == n && !p.Invalid():
			out[i].Status = PersonDone
		case ok > 0:
			out[i].Status = PersonPartial
		default:
			out[i].Status = PersonFailed
		}
	}
	return out
}
