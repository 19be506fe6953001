package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSchedulePage runs onboard serve --sandbox with a schedule
// every minute over an inbox holding one sheet: IT sees the schedule,
// "Run now" runs it and the page, reloading itself, shows how it ended;
// then a sheet dropped into the inbox is taken by the cron itself.
func TestBrowserSchedulePage(t *testing.T) {
	chromium := findChromium(t)
	dir := t.TempDir()
	inboxDir := filepath.Join(dir, "inbox")
	if err := os.Mkdir(inboxDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dropSheet(t, inboxDir, "week.csv", rowJane)
	cfg := filepath.Join(dir, "onboard.yaml")
	text := "schedules:\n  - name: every-minute\n    cron: \"* * * * *\"\n    time_zone: UTC\n    inbox: inbox\n    settle: 0s\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	base, pw := demoServe(t, "--config", cfg)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1280, 844))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTime()
	p := &page{t: t, ctx: ctx, base: base, dl: t.TempDir(), shot: os.Getenv("ONBOARD_SCREENSHOTS")}
	if p.shot != "" {
		if err := os.MkdirAll(p.shot, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	p.signIn("it", pw["it"])
	p.do(chromedp.Click(chromedp.CSS("nav a[href='/schedules']")), chromedp.WaitVisible(chromedp.CSS("#schedules")))
	p.mustShow("schedules page", "every-minute", "* * * * *", "(UTC)", inboxDir)
	row := "tr[data-schedule='every-minute']"

	// Run now; the page reloads itself until the run has ended. (The
	// cron may take the sheet first: then Run now finds no new files.)
	p.do(chromedp.Click(chromedp.CSS(row+" form button")),
		chromedp.WaitVisible(chromedp.CSS(row+" td.outcome[data-outcome='done'], "+row+" td.outcome[data-outcome='no new files']")))
	p.screenshot("schedules")
	done, _ := filepath.Glob(filepath.Join(inboxDir, "done", "*", "week.csv"))
	if len(done) != 1 {
		t.Fatalf("week.csv is not in done/: %v", done)
	}
	html := p.html()
	if !strings.Contains(html, "no new files") {
		p.mustShow("schedules page after run now", "run now by it", "1 file", "in done/")
		p.do(chromedp.Click(chromedp.CSS(row+" td.outcome a")), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
		p.mustShow("the run's history record", "schedule", "week.csv", "done")
		p.open("/schedules")
	}
	started, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(row+" td.outcome"), "data-started"))
	if err != nil {
		t.Fatal(err)
	}

	// A new sheet is taken by the schedule itself within a minute; the
	// page, left open, shows it.
	dropSheet(t, inboxDir, "week2.csv", rowTom)
	p.do(chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("%s td.outcome[data-trigger='schedule'][data-outcome='done']:not([data-started='%s'])", row, started.Value))))
	p.mustShow("schedules page after the cron", "1 file", "in done/")
	if got, _ := filepath.Glob(filepath.Join(inboxDir, "done", "*", "week2.csv")); len(got) != 1 {
		t.Errorf("week2.csv is not in done/: %v", got)
	}
}

// dropSheet writes an HR sheet into the inbox, complete at once (a
// temporary name renamed, as a careful export does).
func dropSheet(t *testing.T, dir, name string, rows ...string) {
	t.Helper()
	src := browserSheet(t, name, rows...)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, name+".part")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}
