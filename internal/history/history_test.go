package history

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/outcome"
)

func result(id string, start time.Time, statuses ...outcome.Status) *outcome.Result {
	r := &outcome.Result{RunID: id, Input: "hires.csv", Start: start, End: start.Add(time.Minute)}
	for i, st := range statuses {
		r.Records = append(r.Records, outcome.Record{Target: "acefone.user", System: "Acefone", Sheet: "acefone.user", Row: i + 2, Key: "k" + string(rune('a'+i)), Status: st})
	}
	return r
}

func TestPutListGetAndShowAgain(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	old := FromResult(result("20261120-020000-aaaa", now.AddDate(0, 0, -10), outcome.Created), CLI)
	recent := FromResult(result("20261130-020000-bbbb", now, outcome.Created, outcome.Invalid, outcome.Failed), Inbox)
	for _, r := range []Run{recent, old} {
		if err := Put(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	all, err := List(dir, time.Time{})
	if err != nil || len(all) != 2 || all[0].ID != old.ID {
		t.Fatalf("List: %v %+v", err, all)
	}
	week, err := List(dir, now.AddDate(0, 0, -7))
	if err != nil || len(week) != 1 || week[0].ID != recent.ID {
		t.Fatalf("List since: %v %+v", err, week)
	}
	got, err := Get(dir, "20261130")
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != Failed || got.Records.Total != 3 || got.Records.ByStatus["invalid"] != 1 || len(got.Results) != 3 || got.Results[2].Status != outcome.Failed {
		t.Errorf("got %+v", got)
	}
	if _, err := Get(dir, "2026"); err == nil || !strings.Contains(err.Error(), "2 runs start with") {
		t.Errorf("ambiguous: %v", err)
	}
	if _, err := Get(dir, "nope"); err == nil || !strings.Contains(err.Error(), "onboard history") {
		t.Errorf("missing: %v", err)
	}
}

func TestOnlyADoneInboxRunMarksItsContentDone(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	for _, r := range []Run{
		{ID: "1", Source: CLI, Outcome: Done, InputHash: "h-cli", Started: start},
		{ID: "2", Source: Inbox, Outcome: Failed, InputHash: "h-failed", Started: start},
		{ID: "3", Source: Inbox, Outcome: Done, InputHash: "h-done", Started: start},
		{ID: "4", Source: Inbox, Outcome: Duplicate, InputHash: "h-done", Started: start},
	} {
		if err := Put(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	for hash, want := range map[string]string{"h-cli": "", "h-failed": "", "h-done": "3", "other": ""} {
		r, ok, err := FindDone(dir, hash)
		if err != nil || ok != (want != "") || r.ID != want {
			t.Errorf("FindDone(%s) = %q %v %v, want %q", hash, r.ID, ok, err, want)
		}
	}
}

func TestNoHistoryYetReadsAsEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	runs, err := List(dir, time.Time{})
	if err != nil || len(runs) != 0 {
		t.Fatalf("%v %v", runs, err)
	}
	if _, ok, err := FindDone(dir, "x"); ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("reading created the state folder: %v", err)
	}
}

func TestRecordResultHashesTheInputAndSortsTheOutcome(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(t.TempDir(), "hires.csv")
	if err := os.WriteFile(input, []byte("a,b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := result("r1", time.Now(), outcome.Created, outcome.NotSent)
	res.Input = input
	if err := RecordResult(dir, res, CLI); err != nil {
		t.Fatal(err)
	}
	r, err := Get(dir, "r1")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("a,b\n"))
	if r.InputHash != hex.EncodeToString(sum[:]) || r.Outcome != Failed || r.Source != CLI || r.Records.ByStatus["not_sent"] != 1 {
		t.Errorf("got %+v", r)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file: %v %v", fi, err)
	}
}

func TestOutcomeOf(t *testing.T) {
	cases := []struct {
		res  *outcome.Result
		want string
	}{
		{result("a", time.Now(), outcome.Created, outcome.Invalid), Done},
		{result("a", time.Now(), outcome.Created, outcome.Failed), Failed},
		{result("a", time.Now()), Failed},
		{&outcome.Result{DryRun: true}, DryRun},
		{&outcome.Result{Interrupted: true, Records: []outcome.Record{{}}}, Interrupted},
	}
	for i, c := range cases {
		if got := OutcomeOf(c.res); got != c.want {
			t.Errorf("%d: %s, want %s", i, got, c.want)
		}
	}
}
