package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/inbox"
	"github.com/onboard/onboard/internal/notify"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/schedule"
	"github.com/onboard/onboard/internal/web"
)

// TestServerScheduleRunsTheInboxPass runs a schedule of the server by
// hand ("Run now"): the inbox's sheet is run against the sandbox through
// the server's queue, filed in done/, recorded with source "schedule" and
// notified; a second run finds nothing new; a pass holding the inbox makes
// it "busy".
func TestServerScheduleRunsTheInboxPass(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	type hook struct {
		Source, Outcome string
		Valid           bool
	}
	hooks := make(chan hook, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var h hook
		_ = json.Unmarshal(body, &h)
		h.Valid = notify.Verify("hook-secret", body, r.Header.Get(notify.SignatureHeader))
		hooks <- h
	}))
	defer receiver.Close()
	yml := string(sandbox.ConfigYAML(base)) + "notify:\n  webhook: {url: '" + receiver.URL + "/hook', secret: hook-secret}\n"
	cfg, err := config.Parse([]byte(yml), "onboard.yaml", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	plan, err := hires.ParsePlan(initPlan, "the starter plan")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inboxDir, stateDir := filepath.Join(dir, "inbox"), filepath.Join(dir, ".onboard-state")
	if err := os.Mkdir(inboxDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dropSheet(t, inboxDir, "week.csv", rowJane, rowTom)
	cfgPath := filepath.Join(dir, "schedules.yaml")
	if err := os.WriteFile(cfgPath, []byte("schedules:\n  - {name: nightly, cron: \"0 2 * * *\", inbox: inbox, settle: 0s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scs, err := config.LoadSchedules(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	opt := web.Options{DataDir: filepath.Join(dir, "data"), Config: cfg, Plan: plan, HistoryDir: stateDir, Logger: slog.New(slog.DiscardHandler)}
	srv, err := web.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	srv.Start(ctx)
	defer func() { stop(); srv.Close() }()
	tio, _, errOut := testIO()
	f := &serveFlags{schedules: scs, stateDir: stateDir}
	sch, err := f.scheduler(tio, srv, opt)
	if err != nil {
		t.Fatal(err)
	}
	last := func() *schedule.Run {
		t.Helper()
		if err := sch.RunNow("nightly", "it"); err != nil {
			t.Fatal(err)
		}
		sch.Wait()
		st, _ := sch.Status()
		return st[0].Last
	}

	run := last()
	if run.Outcome != history.Done || len(run.RunIDs) != 1 {
		t.Fatalf("last run = %+v (stderr %s)", run, errOut)
	}
	rec, err := history.Get(stateDir, run.RunIDs[0])
	if err != nil || rec.Source != history.Schedule || rec.Outcome != history.Done {
		t.Fatalf("history record = %+v, %v", rec, err)
	}
	if got, _ := filepath.Glob(filepath.Join(inboxDir, "done", "*", "week.csv")); len(got) != 1 {
		t.Errorf("week.csv is not in done/: %v", got)
	}
	created := 0
	for _, recs := range sb.Ledger().Created {
		created += len(recs)
	}
	if created == 0 {
		t.Error("the pass created no account at the sandbox")
	}
	if h := <-hooks; h.Source != history.Schedule || h.Outcome != "success" || !h.Valid {
		t.Errorf("webhook received %+v", h)
	}

	if run := last(); run.Outcome != schedule.OutcomeNoFiles || len(run.RunIDs) != 0 {
		t.Errorf("second run = %+v", run)
	}
	unlock, err := inbox.Lock(inboxDir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if run := last(); run.Outcome != schedule.OutcomeBusy {
		t.Errorf("run while another pass holds the inbox = %+v", run)
	}
}

// TestServerRefusesAScheduleWhoseInboxCannotBeUsed checks the inbox of
// every schedule when the server starts, so IT hears of a wrong folder
// then, not at two in the morning: a missing folder, a file, and a
// folder where onboard cannot make its processing/ folder (here a file
// of that name is in the way, which stops root too) stop the start,
// naming the schedule and the fix; a dry-run schedule only reads.
func TestServerRefusesAScheduleWhoseInboxCannotBeUsed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	blocked := filepath.Join(dir, "blocked")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(blocked, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(blocked, inbox.Processing), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, inbox string
		dryRun      bool
		want        string // "" = accepted
	}{
		{"missing", filepath.Join(dir, "nope"), false, "it does not exist; give the folder HR drops the spreadsheets into"},
		{"a file", file, false, "it is a file; give the folder HR drops the spreadsheets into"},
		{"no processing folder possible", blocked, false, "cannot create its processing folder there"},
		{"the same, dry runs only", blocked, true, ""},
		{"fine", t.TempDir(), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &serveFlags{schedules: []config.Schedule{{Name: "nightly", Inbox: tc.inbox, DryRun: tc.dryRun}}}
			err := f.checkSchedules()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "schedule nightly")):
				t.Fatalf("error %v, want one naming schedule nightly and %q", err, tc.want)
			}
		})
	}
}
