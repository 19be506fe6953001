package outcome

import (
	"fmt"
	"strings"
)

// Words says a record status in a sentence: "already existed".
func (s Status) Words() string {
	switch s {
	case Exists:
		return "already existed"
	case DoneEarlier:
		return "already done in an earlier run"
	case WouldCreate:
		return "would be created"
	case NotSent:
		return "not sent"
	}
	return s.String()
}

// Plural returns "1 person" or "6 people" style counts.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// PeopleHeadline counts people in their unit: "6 people: 4 all done, 1
// partly done, 1 failed", or after a dry run "6 people: 2 ready, 4 need
// fixing". Empty when the run had no people.
func (r *Result) PeopleHeadline() string {
	if r.People == nil {
		return ""
	}
	c := r.PeopleCounts()
	order := []PersonStatus{AllDone, PartlyDone, NotFinished, PersonFailed}
	if r.DryRun {
		order = []PersonStatus{Ready, NeedsFixing}
	}
	var parts []string
	for _, s := range order {
		if c[s] > 0 || s == order[0] {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], personWords(s, c[s])))
		}
	}
	return Plural(len(r.People), "person", "people") + ": " + strings.Join(parts, ", ")
}

func personWords(s PersonStatus, n int) string {
	if s == NeedsFixing && n != 1 {
		return "need fixing"
	}
	return s.String()
}

// RecordsHeadline counts records: "31 accounts: 25 created, 6 invalid". A
// rerun that sent nothing says "0 created now, 9 already done in an
// earlier run". unit is "account"/"accounts" or "row"/"rows".
func (r *Result) RecordsHeadline(one, many string) string {
	c := r.Counts()
	var parts []string
	if !r.DryRun {
		parts = append(parts, fmt.Sprintf("%d created", c[Created]))
		if c[Created] == 0 && c[DoneEarlier] > 0 {
			parts[0] = "0 created now"
		}
	}
	for _, s := range Statuses() {
		if s == Created || c[s] == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s", c[s], s.Words()))
	}
	return Plural(len(r.Records), one, many) + ": " + strings.Join(parts, ", ")
}

// Verdict is one sentence on the whole run, for a person.
func (r *Result) Verdict() string {
	switch {
	case r.Interrupted:
		return "Interrupted: run the same command again to send the rest."
	case len(r.Records) == 0 && len(r.People) == 0:
		return "No rows found: the sheet has a header but nobody under it."
	case r.DryRun && r.OK():
		return "Dry run: nothing was sent. Everything is ready to be created."
	case r.DryRun:
		return "Dry run: nothing was sent. Fix the problems listed, then run again."
	case r.NothingNew() && r.OK():
		return "Nothing new: every account was already done in an earlier run."
	case r.NothingNew():
		return "Nothing new was sent: what could be created was done in an earlier run; fix the problems listed, then run again."
	case r.OK():
		return "Done: every account was created or already there."
	}
	return "Some accounts were not created: fix the problems listed, then run the same command again (what is done is not sent twice)."
}
