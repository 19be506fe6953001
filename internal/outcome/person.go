package outcome

import (
	"fmt"
	"sort"
)

// PersonStatus is one person's outcome across every system they get.
type PersonStatus int

// The person statuses: the first three after a run, the last two after a
// dry run (or validation).
const (
	PersonPending PersonStatus = iota
	AllDone                    // every account is at its vendor
	PartlyDone                 // some accounts are, some failed or were not sent
	PersonFailed               // no account is, because of a problem
	NotFinished                // no problem, but the run stopped before all were sent
	Ready                      // dry run: every account would be created (or is already there)
	NeedsFixing                // a problem in the sheet must be fixed first
)

var personText = [...]string{
	PersonPending: "pending", AllDone: "all done", PartlyDone: "partly done", PersonFailed: "failed",
	NotFinished: "not finished", Ready: "ready", NeedsFixing: "needs fixing",
}

func (s PersonStatus) String() string {
	if s >= 0 && int(s) < len(personText) {
		return personText[s]
	}
	return fmt.Sprintf("person-status(%d)", int(s))
}

// MarshalText writes the status as its String.
func (s PersonStatus) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(personText) {
		return nil, fmt.Errorf("outcome: unknown person status %d", int(s))
	}
	return []byte(personText[s]), nil
}

// UnmarshalText reads a status written by MarshalText.
func (s *PersonStatus) UnmarshalText(b []byte) error {
	for i, t := range personText {
		if t == string(b) {
			*s = PersonStatus(i)
			return nil
		}
	}
	return fmt.Errorf("outcome: unknown person status %q", b)
}

// Fine reports whether nobody has to act for this person.
func (s PersonStatus) Fine() bool { return s == AllDone || s == Ready }

// Person is one hire of an HR sheet and what happened to each of their
// accounts.
type Person struct {
	Sheet  string       `json:"sheet"`
	Row    int          `json:"row"`
	Name   string       `json:"name"`
	Status PersonStatus `json:"status"`
	// Problems are the sentences a person must act on, each once, each
	// naming its cell: the person's own (an unknown role, a bad date) and
	// their accounts' (a vendor's refusal).
	Problems []string `json:"problems"`
	// Systems maps a target ID to that account's outcome.
	Systems map[string]System `json:"systems"`
}

// System is one person's account at one target.
type System struct {
	Target  string `json:"target"`
	Name    string `json:"name"` // plain name, e.g. "NetSapiens phone"
	Status  Status `json:"status"`
	ID      string `json:"id"`
	Message string `json:"message"`
}

// Targets lists the targets any person has, in the order given by order
// (unknown ones last, sorted).
func Targets(people []Person, order []string) []string {
	seen := map[string]bool{}
	for _, p := range people {
		for t := range p.Systems {
			seen[t] = true
		}
	}
	var out []string
	for _, t := range order {
		if seen[t] {
			out = append(out, t)
			delete(seen, t)
		}
	}
	var rest []string
	for t := range seen {
		rest = append(rest, t)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Settle fills each person's Systems from the records tagged with them
// and sets their Status. Problems already on a person (their own row's
// findings) are kept; record problems not already said are added.
func (r *Result) Settle() {
	for i := range r.People {
		p := &r.People[i]
		if p.Systems == nil {
			p.Systems = map[string]System{}
		}
		if p.Problems == nil {
			p.Problems = []string{}
		}
	}
	for _, rec := range r.Records {
		if rec.Person < 0 || rec.Person >= len(r.People) {
			continue
		}
		p := &r.People[rec.Person]
		p.Systems[rec.Target] = System{Target: rec.Target, Name: rec.System, Status: rec.Status, ID: rec.ID, Message: rec.Message}
		if rec.Status.Problem() && rec.Message != "" && !rec.RowProblem {
			p.addProblem(rec.Message)
		}
	}
	for i := range r.People {
		p := &r.People[i]
		p.Status = personStatus(p, r.DryRun)
	}
}

func (p *Person) addProblem(msg string) {
	for _, m := range p.Problems {
		if m == msg {
			return
		}
	}
	p.Problems = append(p.Problems, msg)
}

func personStatus(p *Person, dry bool) PersonStatus {
	n, atVendor, problems, unsent := len(p.Systems), 0, len(p.Problems), 0
	for _, s := range p.Systems {
		switch {
		case s.Status.AtVendor():
			atVendor++
		case s.Status.Problem():
			problems++
		case s.Status == NotSent:
			unsent++
		}
	}
	if dry {
		if problems > 0 || n == 0 {
			return NeedsFixing
		}
		return Ready
	}
	switch {
	case n > 0 && atVendor == n && problems == 0:
		return AllDone
	case atVendor > 0:
		return PartlyDone
	case problems == 0 && unsent > 0:
		return NotFinished
	}
	return PersonFailed
}

// PeopleCounts returns the people per status.
func (r *Result) PeopleCounts() map[PersonStatus]int {
	m := map[PersonStatus]int{}
	for _, p := range r.People {
		m[p.Status]++
	}
	return m
}
