package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// The browser suite drives real Chromium through the DevTools protocol
// against `onboard serve --sandbox` on 127.0.0.1. Without a browser it is
// skipped, except in CI (CI set), where that is a failure. With
// ONBOARD_SCREENSHOTS=DIR it saves each page at 1280 and 390 px wide.

// findChromium returns the browser to drive.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found: CI must have it (.ci/run installs the Debian package chromium)")
	}
	t.Skip("no Chromium found: install it (apt-get install -y chromium) to run the browser suite")
	return ""
}

// demoServe runs onboard serve --sandbox (with extra flags) and returns
// its address and the demo users' passwords.
func demoServe(t *testing.T, extra ...string) (string, map[string]string) {
	t.Helper()
	args := append([]string{"serve", "--sandbox", "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"), "--log-format", "json"}, extra...)
	cmd := onboardCmd(context.Background(), args...)
	cmd.Dir = t.TempDir()
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); <-done })
	passwords := map[string]string{}
	pwReady := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[1] == "password" {
				passwords[f[0]] = f[2]
				if len(passwords) == 2 {
					close(pwReady)
				}
			}
		}
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "onboard serve: open "); ok {
				addr <- strings.Fields(rest)[0]
			}
		}
		_ = cmd.Wait()
		close(done)
	}()
	timeout := time.After(60 * time.Second)
	var a string
	for _, wait := range []string{"address", "passwords"} {
		select {
		case a = <-addr:
		case <-pwReady:
			pwReady = nil
		case <-done:
			t.Fatal("onboard serve ended before listening")
		case <-timeout:
			t.Fatalf("onboard serve did not show its %s", wait)
		}
	}
	return a, passwords
}

// page is one browser tab with helpers for the steps.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	dl   string // download directory
	shot string // screenshot directory, "" = none
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

// html returns the page's main content.
func (p *page) html() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base+path), chromedp.WaitVisible(chromedp.CSS("main")))
}

func (p *page) mustShow(what string, wants ...string) {
	p.t.Helper()
	html := p.html()
	for _, w := range wants {
		if !strings.Contains(html, w) {
			p.t.Errorf("%s does not show %q:\n%s", what, w, html)
		}
	}
}

func (p *page) signIn(user, pw string) {
	p.t.Helper()
	p.open("/signin")
	p.do(chromedp.SendKeys(chromedp.CSS("#user"), user), chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("a[href='/template.xlsx']")))
}

func (p *page) signOut() {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))
}

// download clicks sel and returns the downloaded file's path.
func (p *page) download(sel string) string {
	p.t.Helper()
	progress := chromedp.Events(p.ctx, browser.DownloadProgress)
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: p.dl, EventsEnabled: ptrTo(true)})
		return err
	}), chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			p.t.Fatal(err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			return filepath.Join(p.dl, ev.GUID)
		case browser.DownloadProgressStateCanceled:
			p.t.Fatalf("the download of %s was cancelled", sel)
		}
	}
	p.t.Fatalf("no download from %s", sel)
	return ""
}

func ptrTo[T any](v T) *T { return &v }

// screenshot saves the page at 1280 and 390 px wide, and checks that at
// 390 px nothing but the scrolling tables is wider than the screen.
func (p *page) screenshot(name string) {
	p.t.Helper()
	for _, w := range []int64{390, 1280} {
		p.do(chromedp.EmulateViewport(w, 844))
		fits, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth + 1"))
		if err != nil {
			p.t.Fatal(err)
		}
		if !fits {
			p.t.Errorf("the %s page is wider than a %d px screen", name, w)
		}
		if p.shot == "" {
			continue
		}
		png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			p.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p.shot, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// browserSheet writes an HR sheet (the starter plan's columns) with the
// given rows.
func browserSheet(t *testing.T, name string, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	content := "First name,Last name,Work email,Mobile,Extension,Department,Office,Job title,Start date,Time zone,Role\n" + strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	rowJane = "Jane,Smith,jane.smith@example.com,+61412345678,201,Sales,Sydney,Rep,2026-12-01,Australia/Sydney,Sales Agent"
	rowTom  = "Tom,Zhang,tom.zhang@example.com,+61412345679,202,Sales,Sydney,Rep,2026-12-01,Australia/Sydney,Sales Agent"
	rowAna  = "Ana,Muller,ana.muller@example.com,+61412345670,203,Support,London,Agent,2026-12-01,Europe/London,Support Agent"
)

func TestBrowserHRToResults(t *testing.T) {
	chromium := findChromium(t)
	base, pw := demoServe(t)
	shots := os.Getenv("ONBOARD_SCREENSHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1280, 844))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTime()
	p := &page{t: t, ctx: ctx, base: base, dl: t.TempDir(), shot: shots}

	// HR: sign in, download the template.
	p.open("/signin")
	p.screenshot("signin")
	p.signIn("hr", pw["hr"])
	p.screenshot("home")
	tpl := p.download("a[href='/template.xlsx']")
	wb, err := excelize.OpenFile(tpl)
	if err != nil {
		t.Fatalf("the template does not open: %v", err)
	}
	if idx, _ := wb.GetSheetIndex("New Hires"); idx < 0 {
		t.Errorf("the template has no New Hires sheet: %v", wb.GetSheetList())
	}
	wb.Close()

	// Upload a sheet with mistakes: red cells and the CLI's messages.
	bad := browserSheet(t, "march.csv", rowJane, strings.Replace(rowTom, "tom.zhang@example.com", "tom@bad", 1), strings.Replace(rowAna, "Support Agent", "Sales Agnet", 1))
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#sheet"), []string{bad}), chromedp.Click(chromedp.CSS("form[action='/batches'] button")),
		chromedp.WaitVisible(chromedp.CSS("table.people")))
	p.mustShow("batch page", "3 people: 1 ready, 2 need fixing", `<span class="cell">C3</span>`,
		"Work email (C3): must be a valid email address such as name@example.com; found 'tom@bad'",
		"Role (K4): 'Sales Agnet' is not a role in the plan. Did you mean 'Sales Agent'?")
	p.screenshot("batch-problems")
	batchURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	batchPath := strings.TrimPrefix(batchURL, base)
	if html := p.html(); strings.Contains(html, "/preview") || strings.Contains(html, "/run\"") {
		t.Error("HR is shown the create button")
	}
	// The validation report downloads.
	rep := p.download("a[href$='/validation.xlsx']")
	if _, err := excelize.OpenFile(rep); err != nil {
		t.Errorf("the validation report does not open: %v", err)
	}

	// Upload the corrected sheet, then request creation.
	good := browserSheet(t, "march-fixed.csv", rowJane, rowTom, rowAna)
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#sheet"), []string{good}), chromedp.Click(chromedp.CSS("form[action$='/versions'] button")),
		chromedp.WaitVisible(chromedp.CSS("#version-2"))) // the new page, not the old one's table
	p.mustShow("batch page", "3 people: 3 ready, 0 need fixing", "Version 2")
	p.do(chromedp.Click(chromedp.CSS("form[action$='/request'] button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	p.mustShow("batch page", "IT has been asked to create the accounts")
	p.screenshot("batch-ready")

	// A cross-site POST is refused: a page on another origin posts to the
	// request form.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><body><form method="post" action="%s%s/request"><button id="go">win a prize</button></form></body></html>`, base, batchPath)
	}))
	defer evil.Close()
	p.do(chromedp.Navigate(evil.URL), chromedp.Click(chromedp.CSS("#go")), chromedp.WaitVisible(chromedp.CSS("main .problem")))
	p.mustShow("refusal", "came from another site")
	p.open("/")
	p.signOut()

	// IT: preview, run, watch the progress, download the results.
	p.signIn("it", pw["it"])
	p.mustShow("IT's home", "creation requested")
	p.open(batchPath)
	p.do(chromedp.Click(chromedp.CSS("a[href$='/preview']")), chromedp.WaitVisible(chromedp.CSS("form[action$='/run'] button")))
	p.mustShow("preview", "NetSapiens phone", "Acefone", "Create")
	p.screenshot("preview")
	p.do(chromedp.Click(chromedp.CSS("form[action$='/run'] button")), chromedp.WaitVisible(chromedp.CSS("a[href$='/results']")))
	p.mustShow("batch page", "Done", "3 people: 3 all done")
	p.do(chromedp.Click(chromedp.CSS("a[href$='/results']")), chromedp.WaitVisible(chromedp.CSS("table.results")))
	p.mustShow("results", "jane.smith", "created", "Generated passwords")
	p.screenshot("results")
	res := p.download("a[href$='/result.xlsx']")
	checkResultWorkbook(t, res, "jane.smith", "tom.zhang", "ana.muller")
	creds := p.download("#credentials")
	if data, _ := os.ReadFile(creds); !strings.Contains(string(data), "jane.smith@example.com") {
		t.Errorf("the credentials file lacks Jane:\n%s", data)
	}
	p.open("/history")
	p.mustShow("history", "march.csv", "done")
	p.screenshot("history")
	p.signOut()

	// HR again: results without passwords; the credentials URL and the run
	// are refused with 403.
	p.signIn("hr", pw["hr"])
	p.open(batchPath + "/results")
	if strings.Contains(p.html(), "credentials.csv") {
		t.Error("HR is shown the credentials download")
	}
	for _, path := range []string{batchPath + "/credentials.csv", batchPath + "/preview"} {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusForbidden {
			t.Errorf("HR opening %s: %d, want 403", path, resp.Status)
		}
	}
	p.open("/")
	p.signOut()
}

// checkResultWorkbook opens the result workbook and looks for each vendor ID.
func checkResultWorkbook(t *testing.T, path string, ids ...string) {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the result workbook does not open: %v", err)
	}
	defer wb.Close()
	var all strings.Builder
	for _, sh := range wb.GetSheetList() {
		rows, _ := wb.GetRows(sh)
		for _, r := range rows {
			all.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	for _, id := range ids {
		if !strings.Contains(all.String(), id) {
			t.Errorf("the result workbook has no %q", id)
		}
	}
}
