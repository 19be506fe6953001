// Package outcome is the one result model of a run: the typed status of
// each vendor record, the per-record and per-person results, and the
// counts every face shows (CLI text and JSON, the result workbook, the
// web pages, notifications). The batch stage produces a Result; report,
// CLI and the rest only read it. Nothing outside this package compares
// status strings: statuses are typed and turn into text only through
// MarshalText and String.
package outcome

import (
	"fmt"
	"time"
)

// Status is how one vendor record ended (or, in a dry run, would end).
type Status int

// The record statuses. The zero value is Pending: not decided yet.
const (
	Pending     Status = iota
	Created            // created by this run
	Exists             // the vendor already had it before this run's first send
	DoneEarlier        // created or found by an earlier run: nothing sent now
	Invalid            // refused: the data breaks a rule (ours or the vendor's)
	Failed             // sent, but no success: retries exhausted, refused access, ...
	NotSent            // nothing sent in this run: interrupted, vendor not configured, ...
	WouldCreate        // dry run: valid and would be sent
	Unresolved         // dry run: a name (e.g. a Cove role) could not be looked up offline
	// Uncertain is kept in the state only: a create whose answer was lost
	// and that no lookup settled. The next run looks it up before sending.
	Uncertain
)

var statusText = [...]string{
	Pending: "pending", Created: "created", Exists: "exists", DoneEarlier: "done earlier",
	Invalid: "invalid", Failed: "failed", NotSent: "not sent", WouldCreate: "would create",
	Unresolved: "unresolved", Uncertain: "uncertain",
}

// String is the status as shown in reports ("created", "not sent", ...).
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusText) {
		return statusText[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// MarshalText writes the status as its String, for JSON and CSV.
func (s Status) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(statusText) {
		return nil, fmt.Errorf("outcome: unknown status %d", int(s))
	}
	return []byte(statusText[s]), nil
}

// UnmarshalText reads a status written by MarshalText.
func (s *Status) UnmarshalText(b []byte) error {
	for i, t := range statusText {
		if t == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("outcome: unknown status %q", b)
}

// Statuses lists every final status in the order reports count them.
func Statuses() []Status {
	return []Status{Created, Exists, DoneEarlier, WouldCreate, Unresolved, Invalid, Failed, NotSent}
}

// AtVendor reports whether the record is at the vendor.
func (s Status) AtVendor() bool { return s == Created || s == Exists || s == DoneEarlier }

// Succeeded is AtVendor: records that depend on this one are sent only then.
func (s Status) Succeeded() bool { return s.AtVendor() }

// Problem reports whether a person must act on the record: it was refused
// or failed.
func (s Status) Problem() bool { return s == Invalid || s == Failed }

// Fine reports whether the status is as good as the run could make it:
// at the vendor, or (dry run) ready to be sent.
func (s Status) Fine() bool { return s.AtVendor() || s == WouldCreate || s == Unresolved }

// Record is what happened to one vendor record: a row of a per-vendor
// sheet, or one account derived from a person of an HR sheet.
type Record struct {
	Target   string `json:"target"`           // target ID, e.g. "acefone.user"
	System   string `json:"system"`           // plain name, e.g. "Acefone"
	Sheet    string `json:"sheet"`            // input sheet
	Row      int    `json:"row"`              // input row as Excel shows it
	Key      string `json:"key"`              // the record's natural key
	Person   int    `json:"-"`                // index in Result.People; -1 when none
	Status   Status `json:"status"`           // how it ended
	ID       string `json:"id"`               // the vendor's ID, when known
	Message  string `json:"message"`          // why, in words; the vendor's own for refusals
	Attempts int    `json:"attempts"`         // create requests sent in this run
	Shared   bool   `json:"shared,omitempty"` // serves several people (a NetSapiens site)
	// RowProblem says the record was not sent because its person's row has
	// a problem; the problem itself is on the person, said once.
	RowProblem bool `json:"row_problem,omitempty"`
}

// Result is the outcome of one run (or dry run) of one input.
type Result struct {
	RunID       string
	Input       string
	Start, End  time.Time
	DryRun      bool
	Interrupted bool
	Records     []Record
	// People are the persons of an HR sheet, in row order; nil for
	// per-vendor sheets.
	People []Person
	// SheetProblems are findings about the input as a whole (a missing
	// column, a plan mismatch): they stop people without naming a row.
	SheetProblems []string
	Vendors       []VendorStats // requests per vendor, by name
	Settings      []Setting     // the configuration in effect, secrets removed
	Credentials   string        // the credentials file, when passwords were generated
	NewPasswords  int           // passwords written to it in this run
	// Notices are things a person should know about the run itself (a
	// damaged state restored from its backup).
	Notices []string
	// Report and ResultsCSV are the files written, once written.
	Report, ResultsCSV string
}

// VendorStats counts one vendor's requests in a run.
type VendorStats struct {
	Vendor    string        `json:"vendor"`
	System    string        `json:"system"`
	Requests  int           `json:"requests"`
	Creates   int           `json:"creates"`
	Lookups   int           `json:"lookups"`
	Retries   int           `json:"retries"`
	Throttled int           `json:"throttled"`
	Paused    time.Duration `json:"-"`
}

// Setting is one configuration value, secrets removed.
type Setting struct{ Vendor, Key, Value string }

// Count returns how many records ended with status s.
func (r *Result) Count(s Status) int {
	n := 0
	for i := range r.Records {
		if r.Records[i].Status == s {
			n++
		}
	}
	return n
}

// Counts returns the records per status.
func (r *Result) Counts() map[Status]int {
	m := map[Status]int{}
	for i := range r.Records {
		m[r.Records[i].Status]++
	}
	return m
}

// OK reports whether the run did all it could: every record at the vendor
// (or, in a dry run, ready), nobody stopped by a sheet problem, and not
// interrupted.
func (r *Result) OK() bool {
	if r.Interrupted || len(r.SheetProblems) > 0 {
		return false
	}
	for i := range r.Records {
		if !r.Records[i].Status.Fine() {
			return false
		}
	}
	for i := range r.People {
		if !r.People[i].Status.Fine() {
			return false
		}
	}
	return true
}

// NothingNew reports whether a real run sent nothing new: no record was
// created now, and those that can be at the vendor were done by an
// earlier run.
func (r *Result) NothingNew() bool {
	if r.DryRun || r.Count(DoneEarlier) == 0 {
		return false
	}
	for i := range r.Records {
		if r.Records[i].Status == Created || r.Records[i].Attempts > 0 {
			return false
		}
	}
	return true
}
