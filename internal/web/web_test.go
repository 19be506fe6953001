package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/sandbox"
)

// agentPlan is the tests' plan: every Agent gets an Acefone user with a
// generated password (shared with cmd/onboard's serve tests).
const agentPlan = "testdata/agent-plan.yaml"

// sheet is an HR sheet of n good people, plus the bad rows given.
func sheet(n int, bad ...string) []byte {
	var b strings.Builder
	b.WriteString("First name,Last name,Work email,Mobile,Role\n")
	for i := range n {
		fmt.Fprintf(&b, "Person,Number%d,person%d@example.com,+614123%05d,Agent\n", i, i, i)
	}
	for _, row := range bad {
		b.WriteString(row + "\n")
	}
	return []byte(b.String())
}

// cheapHash is an argon2id hash with the smallest accepted cost, so tests
// stay fast; Verify reads the cost from the hash.
func cheapHash(pw string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 1, 8*1024, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(key))
}

const testPassword = "correct horse battery"

// clock is a test clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     testing.TB
	srv   *Server
	ts    *httptest.Server
	sb    *sandbox.Server
	clock *clock
	data  string
	stop  context.CancelFunc
}

// newEnv starts a server on 127.0.0.1 backed by the vendor sandbox, with
// the users hr, it and admin.
func newEnv(t testing.TB, faults sandbox.Faults, mod ...func(*Options)) *env {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfg, err := config.Parse(sandbox.ConfigYAML(base), "sandbox", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	plan, err := hires.LoadPlan(agentPlan)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sb: sb, clock: &clock{t: time.Now()}, data: t.TempDir()}
	h := cheapHash(testPassword)
	opt := Options{DataDir: e.data, Config: cfg, Plan: plan, Now: e.clock.now,
		Users: []config.User{{Name: "hr", Role: "hr", Hash: h}, {Name: "hr2", Role: "hr", Hash: h}, {Name: "it", Role: "it", Hash: h}, {Name: "admin", Role: "admin", Hash: h}}}
	for _, m := range mod {
		m(&opt)
	}
	e.start(opt)
	return e
}

// start (or restart) the server on the env's data directory.
func (e *env) start(opt Options) {
	srv, err := New(opt)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	e.srv, e.stop = srv, cancel
	e.ts = httptest.NewServer(srv.Handler())
	e.t.Cleanup(e.shutdown)
}

func (e *env) shutdown() {
	if e.ts == nil {
		return
	}
	e.ts.Close()
	e.stop()
	e.srv.Close()
	e.ts = nil
}

// browser is one person's cookie jar; it does not follow redirects.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) anon() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs user in with the test password.
func (e *env) signIn(user string) *browser {
	e.t.Helper()
	b := e.anon()
	res := b.post("/signin", url.Values{"user": {user}, "password": {testPassword}})
	if res.code != http.StatusSeeOther || res.header.Get("Location") != "/" {
		e.t.Fatalf("sign in as %s: %d %s", user, res.code, res.body)
	}
	return b
}

type answer struct {
	code   int
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) answer {
	b.e.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(body), res.Header}
}

func (b *browser) get(path string) answer {
	req, _ := http.NewRequest(http.MethodGet, b.e.ts.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, headers ...string) answer {
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// upload posts a file to path and returns the answer.
func (b *browser) upload(path, name string, content []byte) answer {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("sheet", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// newBatch uploads a sheet as a new batch and returns its page path.
func (b *browser) newBatch(name string, content []byte) string {
	b.e.t.Helper()
	res := b.upload("/batches", name, content)
	loc := res.header.Get("Location")
	if res.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/batches/") {
		b.e.t.Fatalf("upload: %d %q %s", res.code, loc, res.body)
	}
	return loc
}

// waitRun waits, without sleeping, until the batch's run is no longer
// queued or running.
func (e *env) waitRun(page string) *Batch {
	e.t.Helper()
	id := strings.TrimPrefix(page, "/batches/")
	deadline := time.After(30 * time.Second)
	for {
		_, active, changed := e.srv.runs.status(id)
		var b Batch
		if _, err := e.srv.store.get(bucketBatches, id, &b); err != nil {
			e.t.Fatal(err)
		}
		if !active && !b.Active() {
			return &b
		}
		select {
		case <-changed:
		case <-deadline:
			e.t.Fatalf("the run of %s did not end", id)
		}
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not show %q:\n%s", what, w, body)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if w != "" && strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

func TestSignInSetsASafeSessionCookie(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	b := e.anon()
	if res := b.get("/"); res.code != http.StatusSeeOther || res.header.Get("Location") != "/signin" {
		t.Fatalf("home without signing in: %d %s", res.code, res.header.Get("Location"))
	}
	res := b.post("/signin", url.Values{"user": {"hr"}, "password": {testPassword}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", res.code, res.body)
	}
	cookie := res.header.Get("Set-Cookie")
	for _, want := range []string{"onboard_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	home := b.get("/")
	mustContain(t, "home", home.body, "Download the new-hire template", "hr · HR", "Upload and check")
	for h, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if !strings.Contains(home.header.Get(h), want) {
			t.Errorf("header %s = %q, want %q", h, home.header.Get(h), want)
		}
	}
	if strings.Contains(home.header.Get("Content-Security-Policy"), "unsafe-inline") || strings.Contains(home.body, "<script>") {
		t.Error("inline script allowed or used")
	}
	// A second sign-in gets a new token, and the old one stops working.
	before := b.c.Jar.Cookies(mustURL(e.ts.URL))
	res2 := b.post("/signin", url.Values{"user": {"hr"}, "password": {testPassword}})
	if res2.header.Get("Set-Cookie") == cookie {
		t.Error("the session token was not rotated at sign-in")
	}
	stale := e.anon()
	stale.c.Jar.SetCookies(mustURL(e.ts.URL), before)
	if res := stale.get("/"); res.code != http.StatusSeeOther {
		t.Errorf("the token from before the sign-in still works: %d", res.code)
	}
	// Sign out ends the session server-side.
	old := b.c.Jar.Cookies(mustURL(e.ts.URL))
	b.post("/signout", nil)
	replay := e.anon()
	replay.c.Jar.SetCookies(mustURL(e.ts.URL), old)
	if res := replay.get("/"); res.code != http.StatusSeeOther {
		t.Errorf("a signed-out session still works: %d", res.code)
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestWrongPasswordAndRateLimit(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	b := e.anon()
	for i := range 5 {
		res := b.post("/signin", url.Values{"user": {"hr"}, "password": {"wrong password " + fmt.Sprint(i)}})
		if res.code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.code)
		}
		mustContain(t, "sign-in page", res.body, "do not match")
		mustNotContain(t, "sign-in page", res.body, "wrong password")
	}
	// The sixth attempt is refused even with the right password.
	res := b.post("/signin", url.Values{"user": {"hr"}, "password": {testPassword}})
	if res.code != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d", res.code)
	}
	mustContain(t, "sign-in page", res.body, "Too many failed attempts", "15 minutes")
	// Another user from the same address may still try: an office shares
	// one address. Twenty failures from the address stop everyone there.
	for _, u := range []string{"hr2", "it", "admin"} {
		for range 5 {
			if res := e.anon().post("/signin", url.Values{"user": {u}, "password": {"nope"}}); res.code != http.StatusUnauthorized {
				t.Fatalf("%s from a busy address: %d", u, res.code)
			}
		}
	}
	if res := e.anon().post("/signin", url.Values{"user": {"it"}, "password": {testPassword}}); res.code != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from the address: %d", res.code)
	}
	e.clock.add(16 * time.Minute)
	if res := b.post("/signin", url.Values{"user": {"hr"}, "password": {testPassword}}); res.code != http.StatusSeeOther {
		t.Fatalf("after the window: %d", res.code)
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	b := e.signIn("hr")
	e.clock.add(DefaultSessionIdle - time.Minute)
	if res := b.get("/"); res.code != http.StatusOK {
		t.Fatalf("within the idle time: %d", res.code)
	}
	e.clock.add(DefaultSessionIdle + time.Minute)
	if res := b.get("/"); res.code != http.StatusSeeOther {
		t.Fatalf("after the idle time: %d", res.code)
	}
	b = e.signIn("hr")
	for range int(DefaultSessionAbsolute/(DefaultSessionIdle/2)) + 1 {
		e.clock.add(DefaultSessionIdle / 2)
		b.get("/")
	}
	if res := b.get("/"); res.code != http.StatusSeeOther {
		t.Fatalf("after the absolute time: %d", res.code)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	b := e.signIn("hr")
	page := b.newBatch("hires.csv", sheet(2))
	res := b.post(page+"/request", nil, "Sec-Fetch-Site", "cross-site")
	if res.code != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", res.code)
	}
	mustContain(t, "refusal", res.body, "came from another site")
	res = b.post(page+"/request", nil, "Origin", "https://evil.example")
	if res.code != http.StatusForbidden {
		t.Fatalf("POST from another origin: %d", res.code)
	}
	if res := b.post("/signin", url.Values{"user": {"hr"}, "password": {testPassword}}, "Sec-Fetch-Site", "cross-site"); res.code != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", res.code)
	}
	if res := b.post(page+"/request", nil, "Sec-Fetch-Site", "same-origin"); res.code != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d %s", res.code, res.body)
	}
}

func TestUploadShowsProblemsByCell(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	b := e.signIn("hr")
	page := b.newBatch("March hires.csv", sheet(9, "Tom,Zhang,tom@bad,+61412399999,Agent", "Ana,Muller,ana@example.com,+61412388888,Sales Agnet", "Bo,Li,bo@example.com,n/a,Agent"))
	res := b.get(page)
	mustContain(t, "batch page", res.body, "12 people: 9 ready, 3 need fixing", "Work email (C11)", "tom@bad", `<span class="cell">C11</span>`,
		"Role (E12): &#39;Sales Agnet&#39; is not a role in the plan", "Mobile (D13)", "Request creation")
	mustNotContain(t, "batch page", res.body, e.data, "Create accounts…")
	// The validation report is a workbook.
	rep := b.get(page + "/validation.xlsx")
	if rep.code != http.StatusOK || !strings.HasPrefix(rep.body, "PK") || !strings.Contains(rep.header.Get("Content-Disposition"), "March hires-validation.xlsx") {
		t.Fatalf("validation report: %d %q", rep.code, rep.header.Get("Content-Disposition"))
	}
	// A corrected version is a new version of the same batch.
	res = b.upload(page+"/versions", "March hires fixed.csv", sheet(12))
	if res.code != http.StatusSeeOther || res.header.Get("Location") != page {
		t.Fatalf("correction: %d %s", res.code, res.body)
	}
	res = b.get(page)
	mustContain(t, "batch page", res.body, "12 people: 12 ready, 0 need fixing", "Version 2: March hires fixed.csv")
	// Home lists it.
	mustContain(t, "home", b.get("/").body, "March hires.csv", "(version 2)")
	// Another HR user does not see it.
	if res := e.signIn("hr2").get(page); res.code != http.StatusNotFound {
		t.Errorf("another HR user opened the batch: %d", res.code)
	}
}

func TestUploadErrorsAreClear(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.MaxUpload = 64 << 10 })
	b := e.signIn("hr")
	page := b.newBatch("photo.xlsx", []byte("\x89PNG\r\n\x1a\nnot a spreadsheet at all"))
	res := b.get(page)
	mustContain(t, "batch page", res.body, "This file could not be read", "photo.xlsx")
	mustNotContain(t, "batch page", res.body, e.data, "/v1/")
	mustContain(t, "home", b.get("/").body, "cannot be read")

	big := bytes.Repeat([]byte("x"), 70<<10)
	res = b.upload("/batches", "big.csv", big)
	if res.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("too big: %d", res.code)
	}
	mustContain(t, "refusal", res.body, "bigger than 64 KB")

	res = b.upload("/batches", "empty.csv", nil)
	if res.code != http.StatusSeeOther {
		t.Fatalf("empty file: %d", res.code)
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/batches", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := b.do(req); res.code != http.StatusBadRequest || !strings.Contains(res.body, "Choose a spreadsheet") {
		t.Fatalf("no file: %d %s", res.code, res.body)
	}
}

func TestHRIsRefusedITActions(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	hr := e.signIn("hr")
	page := hr.newBatch("hires.csv", sheet(3))
	for _, path := range []string{page + "/preview", page + "/credentials.csv", "/audit", "/audit.jsonl"} {
		if res := hr.get(path); res.code != http.StatusForbidden {
			t.Errorf("HR GET %s: %d", path, res.code)
		}
	}
	for _, path := range []string{page + "/run", page + "/cancel"} {
		if res := hr.post(path, url.Values{"confirm": {"yes"}}); res.code != http.StatusForbidden {
			t.Errorf("HR POST %s: %d", path, res.code)
		}
	}
	if strings.Contains(hr.get(page).body, "/run\"") {
		t.Error("HR is shown the run button")
	}
	if res := e.signIn("it").get("/audit"); res.code != http.StatusForbidden {
		t.Errorf("IT opened the audit log: %d", res.code)
	}
	if res := e.anon().post(page+"/run", url.Values{"confirm": {"yes"}}); res.code != http.StatusUnauthorized {
		t.Errorf("anonymous run: %d", res.code)
	}
}

func TestRequestPreviewRunResults(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	hr := e.signIn("hr")
	page := hr.newBatch("hires.csv", sheet(4, "Tom,Zhang,tom@bad,+61412399999,Agent"))
	if res := hr.post(page+"/request", nil); res.code != http.StatusSeeOther {
		t.Fatalf("request: %d", res.code)
	}
	mustContain(t, "batch page", hr.get(page).body, "IT has been asked")

	it := e.signIn("it")
	mustContain(t, "IT's home", it.get("/").body, "creation requested")
	prev := it.get(page + "/preview")
	mustContain(t, "preview", prev.body, "Acefone", "Create 4 accounts now")
	if n := len(e.sb.Ledger().Created["acefone.user"]); n != 0 {
		t.Fatalf("the preview created %d accounts", n)
	}
	if res := it.post(page+"/run", nil); res.code != http.StatusBadRequest {
		t.Fatalf("run without confirming: %d", res.code)
	}
	if res := it.post(page+"/run", url.Values{"confirm": {"yes"}}); res.code != http.StatusSeeOther {
		t.Fatalf("run: %d %s", res.code, res.body)
	}
	b := e.waitRun(page)
	if b.Run.State != RunDone || b.Run.Created != 4 || b.Run.Passwords != 4 {
		t.Fatalf("run = %+v", b.Run)
	}
	res := it.get(page + "/results")
	mustContain(t, "results", res.body, "Number0", "created", "credentials.csv", "Download the result workbook")
	for _, f := range []string{"/result.xlsx", "/results.csv", "/credentials.csv"} {
		if res := it.get(page + f); res.code != http.StatusOK || len(res.body) == 0 {
			t.Errorf("IT download %s: %d", f, res.code)
		}
	}
	creds := it.get(page + "/credentials.csv").body
	mustContain(t, "credentials", creds, "person0@example.com")
	// HR sees the results but not the passwords.
	hres := hr.get(page + "/results")
	if hres.code != http.StatusOK || strings.Contains(hres.body, "credentials.csv") {
		t.Errorf("HR results: %d, link to credentials shown: %v", hres.code, strings.Contains(hres.body, "credentials.csv"))
	}
	if res := hr.get(page + "/credentials.csv"); res.code != http.StatusForbidden {
		t.Errorf("HR credentials: %d", res.code)
	}
	// No password in the pages, the log or the audit.
	admin := e.signIn("admin")
	audit := admin.get("/audit.jsonl")
	mustContain(t, "audit", audit.body, `"action":"downloaded credentials"`, `"action":"started a run"`, `"action":"requested creation"`, `"action":"uploaded"`, `"action":"signed in"`)
	for _, line := range strings.Split(creds, "\n")[1:] {
		fields := strings.Split(line, ",")
		if len(fields) < 3 {
			continue
		}
		for _, f := range fields {
			if len(f) >= 16 && !strings.Contains(f, "@") && !strings.Contains(f, "-") {
				mustNotContain(t, "results page", res.body, f)
				mustNotContain(t, "audit", audit.body, f)
			}
		}
	}
	mustContain(t, "history", admin.get("/history").body, "hires.csv", "done")
	// Every account once.
	for _, l := range e.sb.Ledger().Created["acefone.user"] {
		if l.Creates != 1 {
			t.Errorf("%s created %d times", l.Key, l.Creates)
		}
	}
	if n := len(e.sb.Ledger().Created["acefone.user"]); n != 4 {
		t.Errorf("%d accounts created, want 4", n)
	}
}

func TestCancelAndResumeCreateEachAccountOnce(t *testing.T) {
	e := newEnv(t, sandbox.Faults{Latency: 20 * time.Millisecond})
	it := e.signIn("it")
	page := it.newBatch("hires.csv", sheet(30))
	id := strings.TrimPrefix(page, "/batches/")
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	// Cancel once some accounts are done.
	for {
		live, active, changed := e.srv.runs.status(id)
		if !active {
			break
		}
		if live.Done >= 3 {
			if v := live.Vendors["acefone"]; v.Requests < live.Done {
				t.Errorf("live progress: %d done but %d Acefone requests", live.Done, v.Requests)
			}
			break
		}
		<-changed
	}
	if res := it.post(page+"/cancel", nil); res.code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.code)
	}
	b := e.waitRun(page)
	if b.Run.State == RunInterrupted {
		mustContain(t, "batch page", it.get(page).body, "Interrupted — resume", "Resume")
	}
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	b = e.waitRun(page)
	if b.Run.State != RunDone {
		t.Fatalf("resumed run = %+v", b.Run)
	}
	created := e.sb.Ledger().Created["acefone.user"]
	if len(created) != 30 {
		t.Errorf("%d accounts, want 30", len(created))
	}
	for _, l := range created {
		if l.Creates != 1 {
			t.Errorf("%s created %d times", l.Key, l.Creates)
		}
	}
}

func TestRestartMarksARunInterrupted(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	it := e.signIn("it")
	page := it.newBatch("hires.csv", sheet(2))
	id := strings.TrimPrefix(page, "/batches/")
	// As if the process died mid-run: the record says running.
	if _, err := e.srv.store.updateBatch(id, func(b *Batch) error {
		b.Run = &RunInfo{State: RunRunning, Version: 1, By: "it", Queued: time.Now()}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	opt := e.srv.opt
	e.shutdown()
	e.start(opt)
	it = e.signIn("it")
	mustContain(t, "batch page", it.get(page).body, "Interrupted — resume", "the server stopped during the run")
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	if b := e.waitRun(page); b.Run.State != RunDone || b.Run.Created != 2 {
		t.Fatalf("resumed run = %+v", b.Run)
	}
}

func TestProxyUsers(t *testing.T) {
	_, loop, _ := netParseCIDR("127.0.0.0/8")
	e := newEnv(t, sandbox.Faults{}, func(o *Options) {
		o.TrustedProxies = []*netIPNet{loop}
		o.SSO = config.SSO{Roles: map[string]string{"ana@example.com": "it"}}
	})
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/", nil)
	req.Header.Set("X-Forwarded-Email", "Ana@Example.com")
	res := e.anon().do(req)
	mustContain(t, "home", res.body, "ana@example.com · IT")
	req.Header.Set("X-Forwarded-Email", "stranger@example.com")
	if res := e.anon().do(req); res.code != http.StatusForbidden || !strings.Contains(res.body, "no role") {
		t.Errorf("an unmapped proxy user: %d", res.code)
	}
	// From an address that is not the proxy, the header means nothing.
	e2 := newEnv(t, sandbox.Faults{}, func(o *Options) {
		_, other, _ := netParseCIDR("10.0.0.0/8")
		o.TrustedProxies = []*netIPNet{other}
		o.SSO = config.SSO{DefaultRole: "admin"}
	})
	req2, _ := http.NewRequest(http.MethodGet, e2.ts.URL+"/", nil)
	req2.Header.Set("X-Forwarded-User", "mallory")
	if res := e2.anon().do(req2); res.code != http.StatusSeeOther {
		t.Errorf("forwarded user from an untrusted address: %d", res.code)
	}
}

func TestHealthMetricsAndFiles(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	b := e.anon()
	if res := b.get("/healthz"); res.code != http.StatusOK {
		t.Errorf("healthz: %d", res.code)
	}
	e.signIn("hr").newBatch("h.csv", sheet(1))
	res := b.get("/metrics")
	mustContain(t, "metrics", res.body, "onboard_uploads_total 1", "onboard_signins_total{result=\"ok\"} 1")
	if res := b.get("/static/app.js"); res.code != http.StatusOK || !strings.Contains(res.body, "EventSource") {
		t.Errorf("app.js: %d", res.code)
	}
	if res := e.signIn("hr").get("/nowhere"); res.code != http.StatusNotFound {
		t.Errorf("unknown page: %d", res.code)
	}
	tpl := e.signIn("hr").get("/template.xlsx")
	if tpl.code != http.StatusOK || !strings.HasPrefix(tpl.body, "PK") {
		t.Errorf("template: %d", tpl.code)
	}
	// Files and directories are private.
	err := filepath.Walk(e.data, func(path string, fi os.FileInfo, err error) error {
		if err != nil || path == e.data {
			return err
		}
		perm := fi.Mode().Perm()
		if (fi.IsDir() && perm&0o077 != 0) || (!fi.IsDir() && perm&0o077 != 0) {
			t.Errorf("%s has mode %v", path, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Short names for net's, so the test reads as the options do.
type netIPNet = net.IPNet

var netParseCIDR = net.ParseCIDR

func TestCredentialsDeletedAfterRetention(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.CredentialRetention = 2 * time.Hour })
	it := e.signIn("it")
	page := it.newBatch("hires.csv", sheet(2))
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	e.waitRun(page)
	if res := it.get(page + "/credentials.csv"); res.code != http.StatusOK {
		t.Fatalf("credentials before the retention: %d", res.code)
	}
	e.srv.expireCredentials()
	if res := it.get(page + "/credentials.csv"); res.code != http.StatusOK {
		t.Fatalf("credentials deleted too early: %d", res.code)
	}
	e.clock.add(3 * time.Hour)
	e.srv.expireSessions()
	it = e.signIn("it") // the old session ran out too
	e.srv.expireCredentials()
	res := it.get(page + "/credentials.csv")
	if res.code != http.StatusNotFound || !strings.Contains(res.body, "deleted after the retention period") {
		t.Fatalf("credentials after the retention: %d %s", res.code, res.body)
	}
	var b Batch
	e.srv.store.get(bucketBatches, strings.TrimPrefix(page, "/batches/"), &b)
	if !b.Run.CredentialsGone {
		t.Error("the batch does not record the deletion")
	}
	mustContain(t, "audit", e.signIn("admin").get("/audit.jsonl").body, `"action":"credentials deleted"`)
	mustContain(t, "metrics", e.anon().get("/metrics").body, `onboard_batches{status="done"} 1`)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogsShowIDsNotPathsOrSecrets(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	it := e.signIn("it")
	it.newBatch("photo.xlsx", []byte("not a spreadsheet"))
	page := it.newBatch("hires.csv", sheet(2))
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	e.waitRun(page)
	creds := it.get(page + "/credentials.csv").body
	e.anon().post("/signin", url.Values{"user": {"hr"}, "password": {"my secret attempt"}})
	e.anon().post("/signin", url.Values{"user": {"typed-my-password-here"}, "password": {""}})
	e.srv.log.Error("probe", "error", fmt.Errorf("open %s: denied", filepath.Join(e.data, "batches", "x", "v1", "probe.xlsx")))
	out := logs.String()
	mustContain(t, "log", out, `"error":"open probe.xlsx: denied"`)
	mustContain(t, "log", out, `"batch":"`+strings.TrimPrefix(page, "/batches/")+`"`, `"user":"it"`, `"msg":"run finished"`)
	mustNotContain(t, "log", out, e.data, testPassword, "my secret attempt", "typed-my-password-here")
	mustContain(t, "log", out, `"user":"(unknown user)"`)
	for _, line := range strings.Split(creds, "\n")[1:] {
		for _, f := range strings.Split(line, ",") {
			if len(f) >= 16 && !strings.ContainsAny(f, "@-") {
				mustNotContain(t, "log", out, f)
			}
		}
	}
	// A link cannot make a page say something: flash messages go by code.
	mustNotContain(t, "page", it.get(page+"?m=Call+555-0100+to+confirm").body, "555-0100")
	mustContain(t, "page", it.get(page+"?m=requested").body, "IT has been asked")
}

func TestRunsQueueOneAtATime(t *testing.T) {
	e := newEnv(t, sandbox.Faults{Latency: 20 * time.Millisecond})
	it := e.signIn("it")
	first := it.newBatch("a.csv", sheet(10))
	second := it.newBatch("b.csv", sheet(3))
	it.post(first+"/run", url.Values{"confirm": {"yes"}})
	for { // the first has left the queue and is running
		live, active, changed := e.srv.runs.status(strings.TrimPrefix(first, "/batches/"))
		if live.State == RunRunning {
			break
		}
		if !active {
			t.Fatal("the first run ended before the test saw it running")
		}
		<-changed
	}
	it.post(second+"/run", url.Values{"confirm": {"yes"}})
	id := strings.TrimPrefix(second, "/batches/")
	// While the first runs, the second waits in the queue at position 1.
	for {
		live, active, changed := e.srv.runs.status(id)
		if live.State == RunQueued {
			if live.Position != 1 {
				t.Errorf("queue position %d, want 1", live.Position)
			}
			mustContain(t, "queued batch page", it.get(second).body, "Waiting in the queue (position 1)")
			break
		}
		if !active || live.State == RunRunning {
			t.Fatal("the second batch ran before the first ended")
		}
		<-changed
	}
	a, b := e.waitRun(first), e.waitRun(second)
	if a.Run.State != RunDone || b.Run.State != RunDone || b.Run.Started.Before(a.Run.Ended) {
		t.Errorf("runs overlapped or failed: %+v %+v", a.Run, b.Run)
	}
}

func TestOldExcelFileGetsAPlainMessage(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	hr := e.signIn("hr")
	page := hr.newBatch("hires.xlsx", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), bytes.Repeat([]byte{0}, 600)...))
	mustContain(t, "batch page", hr.get(page).body, "This file could not be read", "save it as")
}

func TestCorrectionAfterARunCreatesOnlyTheRest(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	it := e.signIn("it")
	page := it.newBatch("hires.csv", sheet(3, "Tom,Zhang,tom@bad,+61412399999,Agent"))
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	if b := e.waitRun(page); b.Run.Created != 3 {
		t.Fatalf("first run = %+v", b.Run)
	}
	it.upload(page+"/versions", "hires-fixed.csv", sheet(3, "Tom,Zhang,tom@example.com,+61412399999,Agent"))
	mustContain(t, "preview", it.get(page+"/preview").body, "Create 1 account now")
	it.post(page+"/run", url.Values{"confirm": {"yes"}})
	b := e.waitRun(page)
	if b.Run.State != RunDone || b.Run.Version != 2 {
		t.Fatalf("second run = %+v", b.Run)
	}
	res := it.get(page + "/results")
	mustContain(t, "results", res.body, "4 people: 4 all done")
	created := e.sb.Ledger().Created["acefone.user"]
	if len(created) != 4 {
		t.Errorf("%d accounts, want 4", len(created))
	}
	for _, l := range created {
		if l.Creates != 1 {
			t.Errorf("%s created %d times", l.Key, l.Creates)
		}
	}
}

func TestTLSCookiesAndHSTS(t *testing.T) {
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.TLS = true })
	ts := httptest.NewTLSServer(e.srv.Handler())
	defer ts.Close()
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.PostForm(ts.URL+"/signin", url.Values{"user": {"hr"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-onboard=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS under TLS")
	}
}

func TestEventsOfAFinishedBatchEndAtOnce(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	hr := e.signIn("hr")
	page := hr.newBatch("h.csv", sheet(1))
	res := hr.get(page + "/events")
	if res.code != http.StatusOK || res.header.Get("Content-Type") != "text/event-stream" || !strings.Contains(res.body, "event: done") {
		t.Errorf("events: %d %q %q", res.code, res.header.Get("Content-Type"), res.body)
	}
	if res := e.signIn("hr2").get(page + "/events"); res.code != http.StatusNotFound {
		t.Errorf("another HR user's events: %d", res.code)
	}
	if res := e.anon().get(page + "/events"); res.code != http.StatusUnauthorized {
		t.Errorf("anonymous events: %d", res.code)
	}
}

func TestUsersPageForAdminsOnly(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	res := e.signIn("admin").get("/users")
	mustContain(t, "users page", res.body, "<td>hr</td><td>HR</td>", "<td>it</td><td>IT</td>", "<td>admin</td><td>Admin</td>")
	mustNotContain(t, "users page", res.body, "argon2id")
	for _, u := range []string{"hr", "it"} {
		if res := e.signIn(u).get("/users"); res.code != http.StatusForbidden {
			t.Errorf("%s opened the users page: %d", u, res.code)
		}
	}
}

func TestClientAddrBehindTrustedProxy(t *testing.T) {
	_, loop, _ := netParseCIDR("127.0.0.0/8")
	e := newEnv(t, sandbox.Faults{}, func(o *Options) { o.TrustedProxies = []*netIPNet{loop} })
	for _, c := range []struct{ remote, xff, want string }{
		{"127.0.0.1:5000", "203.0.113.9", "203.0.113.9"},
		{"127.0.0.1:5000", "198.51.100.1, 203.0.113.9, 127.0.0.2", "203.0.113.9"}, // the last hop not a proxy
		{"127.0.0.1:5000", "", "127.0.0.1"},
		{"127.0.0.1:5000", "not an address", "127.0.0.1"},
		{"192.0.2.7:5000", "203.0.113.9", "192.0.2.7"}, // not from the proxy: the header means nothing
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := e.srv.clientAddr(r); got != c.want {
			t.Errorf("%s via %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

func TestConcurrentCorrectionsGetTheirOwnVersions(t *testing.T) {
	e := newEnv(t, sandbox.Faults{})
	hr := e.signIn("hr")
	page := hr.newBatch("h.csv", sheet(1))
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hr.upload(page+"/versions", fmt.Sprintf("h%d.csv", i), sheet(2+i))
		}()
	}
	wg.Wait()
	var b Batch
	e.srv.store.get(bucketBatches, strings.TrimPrefix(page, "/batches/"), &b)
	if len(b.Versions) != 5 {
		t.Fatalf("%d versions, want 5", len(b.Versions))
	}
	people := map[int]bool{}
	for i, v := range b.Versions {
		if v.N != i+1 {
			t.Errorf("version %d is numbered %d", i+1, v.N)
		}
		people[v.People] = true
	}
	if len(people) != 5 { // 1, 2, 3, 4 and 5 people: no upload overwrote another
		t.Errorf("people per version: %v", people)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"March hires.xlsx":                 "March hires.xlsx",
		"../../etc/passwd":                 "passwd.xlsx",
		`C:\Users\ana\new hires.CSV`:       "new hires.csv",
		"..xlsx":                           "upload.xlsx",
		"<script>x</script>.csv":           "script_.csv", // "/" splits the name
		"":                                 "upload.xlsx",
		strings.Repeat("a", 300) + ".xlsx": strings.Repeat("a", 80) + ".xlsx",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
