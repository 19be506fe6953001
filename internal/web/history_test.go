package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/sandbox"
)

// putRun records a run in the history the way the CLI, the inbox or a
// schedule does.
func putRun(t *testing.T, dir string, r history.Run) {
	t.Helper()
	if err := history.Put(dir, r); err != nil {
		t.Fatal(err)
	}
}

func TestHistoryPageListsEveryRunForITNotHR(t *testing.T) {
	hist := t.TempDir()
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.HistoryDir = hist })
	now := e.clock.now()
	putRun(t, hist, history.Run{ID: "20261130-090000-aa", Source: history.Inbox, Input: "/srv/inbox/processing/monday.xlsx",
		Started: now.Add(-2 * time.Hour), Ended: now.Add(-2 * time.Hour), Who: "cron", Outcome: history.Failed,
		Records: history.Counts{Total: 2, ByStatus: map[string]int{"created": 1, "failed": 1}}})
	putRun(t, hist, history.Run{ID: "20261130-100000-cc", Source: history.CLI, Input: "/home/alice/new-hires.xlsx",
		Started: now.Add(-time.Hour), Ended: now.Add(-time.Hour), Who: "alice", Outcome: history.Done,
		People:  &history.Counts{Total: 3, ByStatus: map[string]int{"done": 2, "done_earlier": 1}},
		Records: history.Counts{Total: 6, ByStatus: map[string]int{"created": 4, "done_earlier": 2}}})

	for _, user := range []string{"it", "admin"} {
		page := e.signIn(user).get("/history")
		if page.code != http.StatusOK {
			t.Fatalf("%s GET /history: %d", user, page.code)
		}
		mustContain(t, user+"'s history page", page.body,
			`href="/history/runs/20261130-100000-cc"`, `href="/history/runs/20261130-090000-aa"`,
			`data-source="cli"`, `data-source="inbox"`, "new-hires.xlsx", "monday.xlsx", "alice",
			"3: 2 done, 1 done earlier", "6: 4 created, 2 done earlier", "2: 1 created, 1 failed",
			`<span class="tag good">done</span>`, `<span class="tag bad">failed</span>`, `data-label="Source"`)
		mustNotContain(t, user+"'s history page", page.body, "/home/alice", "/srv/inbox")
		if cli, inbox := strings.Index(page.body, "20261130-100000-cc"), strings.Index(page.body, "20261130-090000-aa"); cli > inbox {
			t.Errorf("%s's history page lists the older inbox run before the newer CLI run", user)
		}
	}

	hr := e.signIn("hr")
	page := hr.get("/history")
	if page.code != http.StatusOK {
		t.Fatalf("HR GET /history: %d", page.code)
	}
	mustContain(t, "HR's history page", page.body, "Your batches", "Runs of your batches", "No runs recorded yet.")
	mustNotContain(t, "HR's history page", page.body, "20261130-100000-cc", "20261130-090000-aa", "new-hires.xlsx", "alice", "/history/runs/")
}

func TestHistoryPageShowsHRTheirOwnWebRunsOnly(t *testing.T) {
	hist := t.TempDir()
	recorded := make(chan struct{}, 1)
	e := newEnv(t, sandbox.Faults{}, func(o *Options) {
		o.HistoryDir = hist
		// Notify comes after the history record is written.
		o.Notify = func(context.Context, string, string, *batch.Result, error) error {
			recorded <- struct{}{}
			return nil
		}
	})
	putRun(t, hist, history.Run{ID: "20261130-080000-dd", Source: history.Schedule, Input: "/srv/in/nightly.csv",
		Started: e.clock.now().Add(-time.Hour), Outcome: history.Done, Records: history.Counts{ByStatus: map[string]int{}}})

	hr := e.signIn("hr")
	page := hr.newBatch("hires.csv", sheet(2))
	if res := hr.post(page+"/request", nil); res.code != http.StatusSeeOther {
		t.Fatalf("request: %d", res.code)
	}
	it := e.signIn("it")
	if res := it.post(page+"/run", url.Values{"confirm": {"yes"}}); res.code != http.StatusSeeOther {
		t.Fatalf("run: %d %s", res.code, res.body)
	}
	b := e.waitRun(page)
	<-recorded
	if b.Run.RunID == "" {
		t.Fatalf("the batch's run has no run ID: %+v", b.Run)
	}

	own := hr.get("/history").body
	mustContain(t, "HR's history page", own, `data-run="`+b.Run.RunID+`"`, `data-source="web"`, "hires.csv", "Uploaded by")
	mustNotContain(t, "HR's history page", own, "20261130-080000-dd", "nightly.csv", `href="/history/runs/`)
	other := e.signIn("hr2").get("/history").body
	mustNotContain(t, "another HR person's history page", other, b.Run.RunID, "20261130-080000-dd")
	all := it.get("/history").body
	mustContain(t, "IT's history page", all, `href="/history/runs/`+b.Run.RunID+`"`, `href="/history/runs/20261130-080000-dd"`, `data-source="schedule"`)
}

func TestHistoryPageWithoutRunHistory(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	page := e.signIn("it").get("/history")
	if page.code != http.StatusOK {
		t.Fatalf("GET /history: %d", page.code)
	}
	mustContain(t, "history page", page.body, "This server keeps no run history.", "No batches yet.")
}

func TestCountsText(t *testing.T) {
	for _, c := range []struct {
		in   history.Counts
		want string
	}{
		{history.Counts{}, "0"},
		{history.Counts{Total: 2, ByStatus: map[string]int{"failed": 1, "created": 1, "skipped": 0}}, "2: 1 created, 1 failed"},
		{history.Counts{Total: 1, ByStatus: map[string]int{"not_sent": 1}}, "1: 1 not sent"},
	} {
		if got := countsText(c.in); got != c.want {
			t.Errorf("countsText(%+v) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := inputName(`C:\Users\hr\hires.xlsx`); got != "hires.xlsx" {
		t.Errorf("inputName = %q", got)
	}
}
