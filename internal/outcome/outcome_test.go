package outcome

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStatusesRoundTripAsText(t *testing.T) {
	for s := Pending; s <= Uncertain; s++ {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatalf("%d: %v", s, err)
		}
		var back Status
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%q read back as %v (%v)", b, back, err)
		}
	}
	if _, err := Status(99).MarshalText(); err == nil {
		t.Error("an unknown status must not be written")
	}
	var s Status
	if err := s.UnmarshalText([]byte("made up")); err == nil {
		t.Error("an unknown word must not be read")
	}
	b, _ := json.Marshal(Record{Status: DoneEarlier})
	if !strings.Contains(string(b), `"status":"done earlier"`) {
		t.Errorf("JSON: %s", b)
	}
}

func person(problems ...string) Person { return Person{Name: "P", Problems: problems} }

func TestPersonStatusFollowsTheirAccounts(t *testing.T) {
	cases := []struct {
		name    string
		dry     bool
		person  Person
		records []Status
		want    PersonStatus
	}{
		{"all created", false, person(), []Status{Created, DoneEarlier}, AllDone},
		{"one refused", false, person(), []Status{Created, Invalid}, PartlyDone},
		{"own row wrong", false, person("Role (K9): not a role"), nil, PersonFailed},
		{"row wrong but one system fine", false, person("Mobile (D8): needed"), []Status{Created}, PartlyDone},
		{"interrupted before sending", false, person(), []Status{NotSent}, NotFinished},
		{"dry run ready", true, person(), []Status{WouldCreate, DoneEarlier, Unresolved}, Ready},
		{"dry run with a problem", true, person(), []Status{WouldCreate, Invalid}, NeedsFixing},
		{"dry run, own row wrong", true, person("Start date (I3): not a date"), nil, NeedsFixing},
	}
	for _, c := range cases {
		res := &Result{DryRun: c.dry, People: []Person{c.person}}
		for i, st := range c.records {
			res.Records = append(res.Records, Record{Target: []string{"a.x", "b.x", "c.x"}[i], Person: 0, Status: st, Message: "vendor said no"})
		}
		res.Settle()
		if got := res.People[0].Status; got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestProblemsAreSaidOncePerPerson(t *testing.T) {
	res := &Result{People: []Person{person("Start date (I3): not a date")}, Records: []Record{
		{Target: "a.x", Person: 0, Status: Invalid, Message: "not sent: the person's row has a problem to fix first", RowProblem: true},
		{Target: "b.x", Person: 0, Status: Invalid, Message: "Mobile (D3): needed", RowProblem: false},
		{Target: "c.x", Person: 0, Status: Invalid, Message: "Mobile (D3): needed"},
	}}
	res.Settle()
	if got := strings.Join(res.People[0].Problems, " / "); got != "Start date (I3): not a date / Mobile (D3): needed" {
		t.Errorf("problems: %s", got)
	}
}

func TestHeadlinesCountInPeopleAndSayWhenNothingIsNew(t *testing.T) {
	res := &Result{People: []Person{person(), person("x")}, Records: []Record{
		{Target: "a.x", Person: 0, Status: DoneEarlier, ID: "1"},
		{Target: "a.x", Person: 1, Status: Invalid, Message: "bad"},
	}}
	res.Settle()
	if got := res.PeopleHeadline(); got != "2 people: 1 all done, 1 failed" {
		t.Errorf("people: %q", got)
	}
	if got := res.RecordsHeadline("account", "accounts"); got != "2 accounts: 0 created now, 1 already done in an earlier run, 1 invalid" {
		t.Errorf("records: %q", got)
	}
	if !res.NothingNew() || !strings.HasPrefix(res.Verdict(), "Nothing new was sent") {
		t.Errorf("a rerun that sent nothing: NothingNew %v, verdict %q", res.NothingNew(), res.Verdict())
	}
	dry := &Result{DryRun: true, People: []Person{person(), person("x")}}
	dry.Settle()
	if got := dry.PeopleHeadline(); got != "2 people: 0 ready, 2 need fixing" {
		t.Errorf("dry run: %q", got)
	}
	if empty := (&Result{}); empty.OK() == false || !strings.HasPrefix(empty.Verdict(), "No rows found") {
		t.Errorf("empty: %q", empty.Verdict())
	}
}
