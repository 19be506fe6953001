package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/web/auth"
)

func TestUserAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	add := func(stdin string, args ...string) (int, string) {
		var errOut bytes.Buffer
		io := &terminal.IO{In: strings.NewReader(stdin), Out: io.Discard, ErrOut: &errOut}
		code := run(io, append([]string{"user", "add"}, args...))
		return code, errOut.String()
	}
	const pw = "a long enough password"
	if code, out := add(pw+"\n", "ana", "--role", "hr", "--password-stdin", "--config", path); code != 0 {
		t.Fatalf("user add: %d %s", code, out)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), pw) || !strings.Contains(string(data), "$argon2id$") {
		t.Fatalf("the file holds:\n%s", data)
	}
	a, err := config.LoadAuth(path)
	if err != nil || len(a.Users) != 1 || a.Users[0].Role != "hr" {
		t.Fatalf("users %+v, %v", a.Users, err)
	}
	if err := auth.Verify(a.Users[0].Hash, pw); err != nil {
		t.Errorf("the hash does not match the password: %v", err)
	}
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"short\n", []string{"bo", "--role", "it", "--password-stdin", "--config", path}, "too short"},
		{pw + "\n", []string{"bo", "--role", "boss", "--password-stdin", "--config", path}, "hr, it or admin"},
		{pw + "\n", []string{"Bad Name", "--role", "it", "--password-stdin", "--config", path}, "user name"},
		{"", []string{"bo", "--role", "it", "--password-stdin", "--config", path}, "no password"},
		{pw + "\n", []string{"bo", "--role", "it", "--config", path}, "--password-stdin"},
	} {
		code, out := add(c.stdin, c.args...)
		if code != exitUnusable || !strings.Contains(out, c.want) {
			t.Errorf("%v: %d %q, want %q", c.args, code, out, c.want)
		}
		if strings.Contains(out, pw) {
			t.Errorf("the message repeats the password: %s", out)
		}
	}
}

func TestServeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--sandbox", "--tls-cert", "x.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"serve", "--sandbox", "--trusted-proxy", "nonsense"}, "--trusted-proxy"},
		{[]string{"serve", "--sandbox", "--max-upload", "0"}, "--max-upload"},
		{[]string{"serve", "--config", filepath.Join(t.TempDir(), "none.yaml"), "--plan", "p.yaml"}, "none.yaml"},
	} {
		var errOut bytes.Buffer
		code := run(&terminal.IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut}, c.args)
		if code != exitUnusable || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: %d %q, want %q", c.args, code, errOut.String(), c.want)
		}
	}
}

// servePlan is the web tests' plan: every Agent gets an Acefone user
// with a generated password.
const servePlan = "../../internal/web/testdata/agent-plan.yaml"

// serveProcess is `onboard serve` in its own process.
type serveProcess struct {
	cmd  *exec.Cmd
	base string
	done chan struct{}
}

// startServe runs onboard serve and waits until it listens.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	cmd := onboardCmd(context.Background(), append([]string{"serve", "--listen", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "onboard serve: open "); ok {
				found <- strings.Fields(rest)[0]
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })
	select {
	case p.base = <-found:
	case <-p.done:
		t.Fatal("onboard serve ended before listening")
	case <-time.After(30 * time.Second):
		t.Fatal("onboard serve did not start")
	}
	return p
}

// webClient signs in to a served onboard.
func webClient(t *testing.T, base, user, pw string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/signin", url.Values{"user": {user}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	return c
}

// waitEvents reads the batch's progress events until stop says so.
func waitEvents(t *testing.T, c *http.Client, url string, stop func(event, data string) bool) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			event = e
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok && stop(event, d) {
			return
		}
	}
	t.Fatalf("the event stream ended before the awaited event: %v", sc.Err())
}

// TestServeKill9Resume kills onboard serve with SIGKILL mid-run; the
// restarted server shows the batch as interrupted, and resuming creates
// every remaining account exactly once (the sandbox, in its own process,
// keeps the ledger).
func TestServeKill9Resume(t *testing.T) {
	sbBase, cfgPath := startSandboxProcess(t, "--latency", "25ms", "--quiet")
	const pw = "a long enough password"
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := config.AddUser(cfgPath, "it", "it", h); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	planPath := servePlan
	const people = 40
	var sheet strings.Builder
	sheet.WriteString("First name,Last name,Work email,Mobile,Role\n")
	for i := range people {
		fmt.Fprintf(&sheet, "Person,Number%d,person%d@example.com,+614123%05d,Agent\n", i, i, i)
	}
	args := []string{"--config", cfgPath, "--plan", planPath, "--data", filepath.Join(dir, "data")}

	srv := startServe(t, args...)
	c := webClient(t, srv.base, "it", pw)
	page := uploadSheet(t, c, srv.base, sheet.String())
	res, err := c.PostForm(srv.base+page+"/run", url.Values{"confirm": {"yes"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %v %v", res, err)
	}
	res.Body.Close()
	waitEvents(t, c, srv.base+page+"/events", func(event, data string) bool {
		var p struct{ Done int }
		_ = json.Unmarshal([]byte(data), &p)
		return event == "done" || p.Done >= 5
	})
	if err := srv.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to tidy up
		t.Fatal(err)
	}
	<-srv.done
	before := ledgerCount(t, sbBase)
	t.Logf("killed with %d of %d accounts created", before, people)
	if before >= people {
		t.Logf("the run ended before the kill (%d accounts); the resume then has nothing to do", before)
	}

	srv = startServe(t, args...)
	c = webClient(t, srv.base, "it", pw)
	body := getBody(t, c, srv.base+page)
	if before < people && !strings.Contains(body, "Interrupted — resume") {
		t.Fatalf("after the restart the batch page does not say interrupted:\n%s", body)
	}
	res, err = c.PostForm(srv.base+page+"/run", url.Values{"confirm": {"yes"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resume: %v %v", res, err)
	}
	res.Body.Close()
	waitEvents(t, c, srv.base+page+"/events", func(event, _ string) bool { return event == "done" })
	if !strings.Contains(getBody(t, c, srv.base+page), "Done") {
		t.Error("the batch page does not say done")
	}
	var ledger sandbox.Ledger
	getJSON(t, sbBase+"/_sandbox/ledger", &ledger)
	created := ledger.Created["acefone.user"]
	if len(created) != people {
		t.Errorf("%d accounts at the vendor, want %d", len(created), people)
	}
	for _, e := range created {
		if e.Creates != 1 {
			t.Errorf("%s created %d times", e.Key, e.Creates)
		}
	}
	// SIGTERM: a graceful stop, exit 0.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("after SIGTERM onboard serve exited %d", code)
	}
}

// TestServeSandboxTakesUsersFromConfig: with --sandbox the vendors are the
// simulators but the users come from --config, and no demo users are made.
func TestServeSandboxTakesUsersFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "users.yaml")
	const pw = "another long password"
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := config.AddUser(cfgPath, "ana", "hr", h); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, "--sandbox", "--config", cfgPath)
	c := webClient(t, srv.base, "ana", pw)
	if body := getBody(t, c, srv.base+"/"); !strings.Contains(body, "ana · HR") {
		t.Errorf("home page:\n%s", body)
	}
	res, err := http.PostForm(srv.base+"/signin", url.Values{"user": {"hr"}, "password": {"anything at all"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a demo user exists although the config has users: %d", res.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(dir, "onboard-data", "web.db")); err != nil {
		t.Errorf("the data is not next to the config: %v", err)
	}
}

func uploadSheet(t *testing.T, c *http.Client, base, content string) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("sheet", "hires.csv")
	fw.Write([]byte(content))
	mw.Close()
	res, err := c.Post(base+"/batches", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/batches/") {
		t.Fatalf("upload: %d %s", res.StatusCode, loc)
	}
	return loc
}

func getBody(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func ledgerCount(t *testing.T, base string) int {
	var l sandbox.Ledger
	getJSON(t, base+"/_sandbox/ledger", &l)
	return len(l.Created["acefone.user"])
}

func TestListenWarning(t *testing.T) {
	for listen, warn := range map[string]bool{"127.0.0.1:8080": false, "localhost:8080": false, "[::1]:8080": false,
		"0.0.0.0:8080": true, ":8080": true, "10.1.2.3:80": true} {
		if got := listenWarning(listen, false) != ""; got != warn {
			t.Errorf("%s without TLS: warning %v, want %v", listen, got, warn)
		}
		if listenWarning(listen, true) != "" {
			t.Errorf("%s with TLS: warned", listen)
		}
	}
}

// TestUserListAndRemove lists users with their roles and never a hash,
// removes one keeping the rest of the file and its comments, says that a
// running server needs a restart, and names the users there when asked to
// remove one that is not.
func TestUserListAndRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	if err := os.WriteFile(path, []byte("# the team's configuration\nsandbox: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	user := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		io := &terminal.IO{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
		code := run(io, append([]string{"user"}, args...))
		return code, out.String(), errOut.String()
	}
	const pw = "a long enough password\n"
	for _, u := range [][2]string{{"ana", "hr"}, {"bo", "it"}} {
		if code, _, msg := user(pw, "add", u[0], "--role", u[1], "--password-stdin", "--config", path); code != 0 || !strings.Contains(msg, "restart onboard serve") {
			t.Fatalf("user add %s: %d %s", u[0], code, msg)
		}
	}
	code, out, msg := user("", "list", "--config", path)
	if code != 0 || !strings.Contains(out, "ana\t") || !strings.Contains(out, "bo\t") || strings.Contains(out+msg, "argon2") {
		t.Fatalf("user list: %d %q %q", code, out, msg)
	}
	if code, _, msg := user("", "remove", "ana", "--config", path); code != 0 || !strings.Contains(msg, "ana can no longer sign in; restart onboard serve") {
		t.Fatalf("user remove: %d %s", code, msg)
	}
	a, err := config.LoadAuth(path)
	if err != nil || len(a.Users) != 1 || a.Users[0].Name != "bo" {
		t.Fatalf("users after remove: %+v, %v", a.Users, err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "# the team's configuration") || !strings.Contains(string(data), "sandbox: true") {
		t.Errorf("the rest of the file was not kept:\n%s", data)
	}
	if code, _, msg := user("", "remove", "ana", "--config", path); code != exitUnusable || !strings.Contains(msg, `there is no user "ana"`) || !strings.Contains(msg, "the users there are bo") {
		t.Errorf("removing a missing user: %d %s", code, msg)
	}
	if code, _, msg := user("", "remove", "bo", "--config", filepath.Join(t.TempDir(), "none.yaml")); code != exitUnusable || !strings.Contains(msg, "none.yaml") {
		t.Errorf("removing from a missing file: %d %s", code, msg)
	}
}
