package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/schedule"
)

// withSchedules gives the env a scheduler over one schedule, nightly,
// whose pass goes through the server's run queue and records a history
// run; it returns the scheduler.
func withSchedules(t *testing.T, e *env, historyDir string) *schedule.Scheduler {
	t.Helper()
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	if err := os.WriteFile(path, []byte("schedules:\n  - {name: nightly, cron: \"0 2 * * *\", time_zone: UTC, inbox: /srv/in}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scs, err := config.LoadSchedules(path)
	if err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context, sc config.Schedule, trigger string) schedule.Result {
		var res schedule.Result
		err := e.srv.RunQueued(ctx, sc.Name, func(context.Context) {
			r := history.Run{ID: "20261130-020000-ab", Source: history.Schedule, Input: "/srv/in/hires.csv", Outcome: history.Done,
				Started: e.clock.now(), Ended: e.clock.now(), Records: history.Counts{Total: 2, ByStatus: map[string]int{"created": 2}}}
			if err := history.Put(historyDir, r); err != nil {
				t.Error(err)
			}
			res = schedule.Result{Outcome: history.Done, Summary: "1 file in done/", RunIDs: []string{r.ID}}
		})
		if err != nil {
			return schedule.Result{Outcome: schedule.OutcomeError, Summary: err.Error()}
		}
		return res
	}
	sch, err := schedule.New(schedule.Options{Schedules: scs, Store: e.srv.ScheduleStore(), Run: run, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetSchedules(sch)
	sch.Startup(e.clock.now())
	return sch
}

func TestSchedulesPageRunNowAndPermissions(t *testing.T) {
	hist := t.TempDir()
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.HistoryDir = hist })
	sch := withSchedules(t, e, hist)

	hr := e.signIn("hr")
	if res := hr.get("/schedules"); res.code != http.StatusForbidden {
		t.Errorf("HR GET /schedules: %d", res.code)
	}
	if res := hr.post("/schedules/nightly/run", nil); res.code != http.StatusForbidden {
		t.Errorf("HR run now: %d", res.code)
	}
	if strings.Contains(hr.get("/").body, `href="/schedules"`) {
		t.Error("HR is shown the Schedules link")
	}
	if res := e.signIn("admin").get("/schedules"); res.code != http.StatusOK {
		t.Errorf("admin GET /schedules: %d", res.code)
	}

	it := e.signIn("it")
	page := it.get("/schedules")
	mustContain(t, "schedules page", page.body, `href="/schedules"`, "nightly", "0 2 * * *", "(UTC)", "/srv/in", "not yet", `action="/schedules/nightly/run"`,
		`<meta http-equiv="refresh" content="10">`)
	if res := it.post("/schedules/nightly/run", nil, "Sec-Fetch-Site", "cross-site"); res.code != http.StatusForbidden {
		t.Errorf("cross-site run now: %d", res.code)
	}
	if res := it.post("/schedules/nope/run", nil); res.code != http.StatusNotFound {
		t.Errorf("unknown schedule: %d", res.code)
	}
	res := it.post("/schedules/nightly/run", url.Values{})
	if res.code != http.StatusSeeOther || res.header.Get("Location") != "/schedules?m=schedule-started" {
		t.Fatalf("run now: %d %q %s", res.code, res.header.Get("Location"), res.body)
	}
	sch.Wait()
	page = it.get("/schedules")
	mustContain(t, "schedules page after the run", page.body, "run now by it", "done", "1 file in done/",
		`href="/history/runs/20261130-020000-ab"`)
	run := it.get("/history/runs/20261130-020000-ab")
	mustContain(t, "run page", run.body, "schedule", "/srv/in/hires.csv", "created 2")
	if res := hr.get("/history/runs/20261130-020000-ab"); res.code != http.StatusForbidden {
		t.Errorf("HR GET a run record: %d", res.code)
	}
	if res := it.get("/history/runs/nope"); res.code != http.StatusNotFound {
		t.Errorf("unknown run: %d", res.code)
	}
	audit := e.signIn("admin").get("/audit")
	mustContain(t, "audit log", audit.body, "ran a schedule now", "nightly")
}

func TestScheduleStateSurvivesARestart(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	want := schedule.State{Cron: "0 2 * * * UTC", Next: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
		Last: &schedule.Run{Trigger: schedule.TriggerCron, Result: schedule.Result{Outcome: "failed", RunIDs: []string{"r1"}}}}
	if _, ok, err := e.srv.ScheduleStore().Load("nightly"); ok || err != nil {
		t.Fatalf("a new server has state: %v %v", ok, err)
	}
	if err := e.srv.ScheduleStore().Save("nightly", want); err != nil {
		t.Fatal(err)
	}
	opt := e.srv.opt
	e.shutdown()
	e.start(opt)
	got, ok, err := e.srv.ScheduleStore().Load("nightly")
	if err != nil || !ok || !got.Next.Equal(want.Next) || got.Last == nil || got.Last.Outcome != "failed" || got.Last.RunIDs[0] != "r1" {
		t.Fatalf("after a restart: %+v %v %v", got, ok, err)
	}
}

func TestRunQueuedWaitsForTheBatchBeforeIt(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	release := make(chan struct{})
	started := make(chan struct{})
	var order []string
	var mu sync.Mutex
	add := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	go func() {
		_ = e.srv.RunQueued(context.Background(), "first", func(context.Context) { close(started); <-release; add("first") })
	}()
	<-started
	done := make(chan error, 1)
	go func() {
		done <- e.srv.RunQueued(context.Background(), "second", func(context.Context) { add("second") })
	}()
	// A third whose caller gives up while it waits leaves the queue.
	ctx, cancel := context.WithCancel(context.Background())
	third := make(chan error, 1)
	go func() { third <- e.srv.RunQueued(ctx, "third", func(context.Context) { add("third") }) }()
	cancel()
	if err := <-third; err == nil {
		t.Error("a cancelled wait returned no error")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(order, ",") != "first,second" {
		t.Fatalf("order = %v", order)
	}
}

func TestWebRunIsRecordedAndNotified(t *testing.T) {
	hist := t.TempDir()
	type call struct {
		source, input, report string
		err                   error
	}
	calls := make(chan call, 1)
	e := newEnv(t, sandbox.Faults{}, func(o *Options) {
		o.HistoryDir = hist
		o.Notify = func(_ context.Context, source, input string, res *batch.Result, runErr error) error {
			c := call{source: source, input: input, err: runErr}
			if res != nil {
				c.report = res.Report
			}
			calls <- c
			return nil
		}
	})
	hr := e.signIn("hr")
	page := hr.newBatch("hires.csv", sheet(2))
	it := e.signIn("it")
	if res := it.post(page+"/run", url.Values{"confirm": {"yes"}}); res.code != http.StatusSeeOther {
		t.Fatalf("run: %d", res.code)
	}
	b := e.waitRun(page)
	c := <-calls
	if c.source != history.Web || c.input != "hires.csv" || c.err != nil || filepath.Base(c.report) != resultXLSX {
		t.Fatalf("notified %+v", c)
	}
	if _, err := os.Stat(c.report); err != nil {
		t.Errorf("the workbook to attach is missing: %v", err)
	}
	runs, err := history.List(hist, time.Time{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("history: %v %v", runs, err)
	}
	r := runs[0]
	if r.Source != history.Web || r.Who != "it" || r.ID != b.Run.RunID || r.Outcome != history.Done || r.Input != "hires.csv" || r.InputHash == "" {
		t.Fatalf("history record = %+v", r)
	}
}
