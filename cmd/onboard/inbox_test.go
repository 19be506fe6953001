package main

// End-to-end tests of `onboard inbox` and `onboard history` as separate
// processes against a separate `onboard sandbox` process (see e2e_test.go:
// TestMain, startSandboxProcess, ledger).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/inbox"
	"github.com/onboard/onboard/internal/terminal"
)

// acefoneCSV is a valid acefone.user sheet of n people from first on.
func acefoneCSV(first, n int) string {
	var b strings.Builder
	b.WriteString("Name,Mobile Number,Create Agent,Email,Login ID,Role ID,Password,Enabled,Caller IDs\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "Inbox Person %d,+91 80 4567 %04d,TRUE,inbox.p%d@acme.example,inbox.p%d,3,Cubbon-Park-%d,TRUE,201\n", i, 3100+i, i, i, i)
	}
	return b.String()
}

func dropFile(t *testing.T, path string, data []byte, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// killedPasses starts inbox passes one after another, killing each with
// SIGKILL after a random delay, until n were killed or one ends by itself
// (the work is done); it returns the number killed mid-way.
func killedPasses(t *testing.T, rng *rand.Rand, n int, args []string) int {
	t.Helper()
	kills := 0
	for i := 0; kills < n && i < 4*n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := onboardCmd(ctx, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		finished := false
		select {
		case <-done:
			finished = true
		case <-time.After(time.Duration(10+rng.IntN(1500)) * time.Millisecond):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
		cancel()
		if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
			t.Fatalf("pass %d panicked:\n%s", i, stderr.String())
		}
		if finished {
			break
		}
	}
	return kills
}

// slowConfig copies the sandbox's config with every vendor's rate set to
// rate requests a second.
func slowConfig(t *testing.T, cfg, rate string) string {
	t.Helper()
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	slow := filepath.Join(t.TempDir(), "slow.yaml")
	if err := os.WriteFile(slow, bytes.ReplaceAll(data, []byte("rate: 50"), []byte("rate: "+rate)), 0o600); err != nil {
		t.Fatal(err)
	}
	return slow
}

// filed lists the files in every dated folder under dir/top, by name.
func filed(t *testing.T, dir, top string) map[string]int {
	t.Helper()
	out := map[string]int{}
	days, _ := filepath.Glob(filepath.Join(dir, top, "*", "*"))
	for _, p := range days {
		out[filepath.Base(p)]++
	}
	return out
}

// workbooks counts the names in files that are a workbook of stem.
func workbooks(files map[string]int, stem, kind string) int {
	n := 0
	for name, c := range files {
		if strings.HasPrefix(name, stem+"-"+kind+"-") && strings.HasSuffix(name, ".xlsx") {
			n += c
		}
	}
	return n
}

func validRows(t *testing.T, input string) int {
	t.Helper()
	_, out, _ := runOnboard(t, "validate", input, "--json", "--no-report")
	var v struct{ Valid int }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("validate --json: %v\n%s", err, out)
	}
	return v.Valid
}

// TestInboxKillNineAtRandomMomentsFilesEveryFileOnceAndCreatesEveryAccountOnce
// drops a good sheet, a sheet with mistakes, a half-written file, an
// Office lock file and an unusable file, runs passes killed at random
// moments, completes the half-written file and drops a duplicate of a
// done one, kills more passes, and proves through the sandbox's ledger
// and the folders that every valid account was created exactly once and
// every file ended in the right folder with its workbook.
func TestInboxKillNineAtRandomMomentsFilesEveryFileOnceAndCreatesEveryAccountOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	base, cfg := startSandboxProcess(t, "--latency", "20ms", "--seed", "5")
	// 4 requests a second per vendor: a pass over every file takes some
	// seconds, long enough for kills to land anywhere in it.
	cfg = slowConfig(t, cfg, "4")
	dir, stateDir := t.TempDir(), t.TempDir()
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	good, late := acefoneCSV(1, 8), acefoneCSV(20, 8)
	mistakes, err := os.ReadFile(sampleWorkbook)
	if err != nil {
		t.Fatal(err)
	}
	dropFile(t, filepath.Join(dir, "acefone.user-good.csv"), []byte(good), past)
	dropFile(t, filepath.Join(dir, "mistakes.xlsx"), mistakes, past)
	dropFile(t, filepath.Join(dir, "~$mistakes.xlsx"), []byte("owner"), past)
	dropFile(t, filepath.Join(dir, "broken.xlsx"), []byte("PK\x03\x04 this is not a workbook"), past)
	// Still being written: half of it, modified "now" as far as any pass
	// can tell (its time is after every pass's settle window started).
	dropFile(t, filepath.Join(dir, "acefone.user-late.csv"), []byte(late[:len(late)/2]), future)

	args := []string{"inbox", dir, "--config", cfg, "--state", stateDir, "--settle", "0", "--json"}
	rng := rand.New(rand.NewPCG(12, 34))
	kills := killedPasses(t, rng, 10, args)
	if code, _, stderr := runOnboard(t, args...); code != exitOK && code != exitRowsInvalid {
		t.Fatalf("final pass of phase 1: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "acefone.user-late.csv")); err != nil {
		t.Fatalf("the half-written file was taken: %v", err)
	}

	// The writer finishes; a duplicate of a done file arrives.
	dropFile(t, filepath.Join(dir, "acefone.user-late.csv"), []byte(late), past)
	dropFile(t, filepath.Join(dir, "acefone.user-good-again.csv"), []byte(good), past)
	kills += killedPasses(t, rng, 6, args)
	if code, _, stderr := runOnboard(t, args...); code != exitOK && code != exitRowsInvalid {
		t.Fatalf("final pass: exit %d\n%s", code, stderr)
	}
	if kills < 4 {
		t.Fatalf("only %d passes were killed mid-way: the test proves little", kills)
	}
	// One more pass finds nothing left to do.
	code, out, stderr := runOnboard(t, args...)
	var last struct{ Files []struct{ Name string } }
	if err := json.Unmarshal(out, &last); err != nil || len(last.Files) != 0 || code != exitOK {
		t.Errorf("a pass after the last found work left (exit %d, %v): %s\n%s", code, err, out, stderr)
	}

	// Every valid account exactly once.
	want := 8 + 8 + validRows(t, sampleWorkbook)
	n := 0
	for target, entries := range ledger(t, base).Created {
		for _, e := range entries {
			if e.Implicit {
				continue
			}
			n++
			if e.Creates != 1 {
				t.Errorf("%s %s was created %d times", target, e.Key, e.Creates)
			}
		}
	}
	if n != want {
		t.Errorf("the sandbox holds %d accounts, want %d", n, want)
	}

	// Every file in its folder, with its workbook.
	done, failed := filed(t, dir, inbox.DoneDir), filed(t, dir, inbox.FailedDir)
	for _, name := range []string{"acefone.user-good.csv", "mistakes.xlsx", "acefone.user-late.csv", "acefone.user-good-again.csv"} {
		if done[name] != 1 {
			t.Errorf("done/ holds %d of %s: %v", done[name], name, done)
		}
	}
	for _, stem := range []string{"acefone.user-good", "mistakes", "acefone.user-late"} {
		if workbooks(done, stem, "result") != 1 {
			t.Errorf("done/ holds %d result workbooks of %s: %v", workbooks(done, stem, "result"), stem, done)
		}
	}
	if workbooks(done, "acefone.user-good-again", "result") != 0 {
		t.Errorf("the duplicate was run: %v", done)
	}
	if failed["broken.xlsx"] != 1 || failed["broken.xlsx.problem.txt"] != 1 || len(failed) != 2 {
		t.Errorf("failed/ holds %v", failed)
	}
	if _, err := os.Stat(filepath.Join(dir, "~$mistakes.xlsx")); err != nil {
		t.Errorf("the Office lock file was moved: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, inbox.Processing)); len(left) != 0 {
		t.Errorf("processing/ still holds %d entries", len(left))
	}
	for name := range done {
		if strings.HasSuffix(name, ".xlsx") {
			b, err := os.ReadFile(filepath.Join(dir, inbox.DoneDir, time.Now().Format("2006-01-02"), name))
			if err == nil && !bytes.HasPrefix(b, []byte("PK")) {
				t.Errorf("%s is not a workbook", name)
			}
		}
	}
	checkInboxHistory(t, stateDir)
	t.Logf("%d passes killed mid-way; %d accounts, each created once", kills, n)
}

// checkInboxHistory reads `onboard history --json`: one record per file,
// the duplicate recognised as such.
func checkInboxHistory(t *testing.T, stateDir string) {
	t.Helper()
	code, out, stderr := runOnboard(t, "history", "--json", "--state", stateDir, "--since", "1d")
	if code != exitOK {
		t.Fatalf("history: exit %d\n%s", code, stderr)
	}
	var h struct {
		Runs []struct {
			RunID, Source, Input, Outcome, Report string
			InputHash                             string `json:"input_sha256"`
		}
	}
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("history --json: %v\n%s", err, out)
	}
	outcomes := map[string]string{}
	for _, r := range h.Runs {
		if r.Source != "inbox" || len(r.InputHash) != 64 {
			t.Errorf("run %+v", r)
		}
		if prev, ok := outcomes[filepath.Base(r.Input)]; ok {
			t.Errorf("%s recorded twice (%s, %s)", r.Input, prev, r.Outcome)
		}
		outcomes[filepath.Base(r.Input)] = r.Outcome
		if r.Outcome == "done" && r.Report == "" {
			t.Errorf("%s done without a workbook in the history", r.Input)
		}
	}
	want := map[string]string{"acefone.user-good.csv": "done", "mistakes.xlsx": "done", "acefone.user-late.csv": "done",
		"acefone.user-good-again.csv": "duplicate", "broken.xlsx": "failed"}
	for name, o := range want {
		if outcomes[name] != o {
			t.Errorf("history: %s is %q, want %q (all: %v)", name, outcomes[name], o, outcomes)
		}
	}
}

// TestInboxSecondPassWhileOneRunsExits75AndTouchesNothing overlaps two
// passes: the second exits 75 at once with a clear line and leaves every
// file where it was.
func TestInboxSecondPassWhileOneRunsExits75AndTouchesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	base, cfg := startSandboxProcess(t, "--latency", "50ms")
	slow := slowConfig(t, cfg, "2")
	dir, stateDir := t.TempDir(), t.TempDir()
	past := time.Now().Add(-time.Hour)
	dropFile(t, filepath.Join(dir, "acefone.user-first.csv"), []byte(acefoneCSV(1, 20)), past)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := onboardCmd(ctx, "inbox", dir, "--config", slow, "--state", stateDir, "--settle", "0")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = first.Wait(); close(exited) }()
	defer func() { _ = first.Process.Kill(); <-exited }()
	// A pass sends only after it holds the inbox's lock.
	waitForCreates(t, base, 1, exited)
	dropFile(t, filepath.Join(dir, "acefone.user-second.csv"), []byte(acefoneCSV(40, 2)), past)
	before := snapshot(t, dir)
	code, stdout, stderr := runOnboard(t, "inbox", dir, "--config", slow, "--state", stateDir, "--settle", "0")
	if code != exitBusy || !strings.Contains(stderr, "another onboard inbox pass") || !strings.Contains(stderr, "did nothing") || len(stdout) != 0 {
		t.Fatalf("second pass: exit %d, stderr %q", code, stderr)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the second pass changed the inbox:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot lists every path under dir with its size and time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Name() != inbox.LockName {
			lines = append(lines, fmt.Sprintf("%s %d %d", p, fi.Size(), fi.ModTime().UnixNano()))
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestInboxAllOrNothingSendsNothingFromASheetWithMistakes: the file goes
// to failed/ with its validation workbook and the vendor saw no create.
func TestInboxAllOrNothingSendsNothingFromASheetWithMistakes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	base, cfg := startSandboxProcess(t)
	dir := t.TempDir()
	mistakes, err := os.ReadFile(sampleWorkbook)
	if err != nil {
		t.Fatal(err)
	}
	dropFile(t, filepath.Join(dir, "mistakes.xlsx"), mistakes, time.Now().Add(-time.Hour))
	code, out, stderr := runOnboard(t, "inbox", dir, "--config", cfg, "--state", t.TempDir(), "--settle", "0", "--policy", "all-or-nothing", "--json")
	if code != exitRowsInvalid {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc struct {
		Files []struct{ Name, Outcome, Workbook, Problem string }
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Files) != 1 {
		t.Fatalf("%v %s", err, out)
	}
	f := doc.Files[0]
	if f.Outcome != "failed" || !strings.Contains(f.Workbook, "/failed/") || !strings.Contains(f.Workbook, "mistakes-validation-") || !strings.Contains(f.Problem, "all-or-nothing") {
		t.Errorf("file %+v", f)
	}
	if _, err := os.Stat(f.Workbook); err != nil {
		t.Error(err)
	}
	for target, entries := range ledger(t, base).Created {
		if len(entries) > 0 {
			t.Errorf("%s: %d records created under all-or-nothing", target, len(entries))
		}
	}
}

// TestInboxDryRunValidatesAndMovesNothing writes the dry-run workbook and
// leaves the file in the inbox.
func TestInboxDryRunValidatesAndMovesNothing(t *testing.T) {
	t.Setenv("ONBOARD_HOME", t.TempDir())
	dir := t.TempDir()
	mistakes, err := os.ReadFile(sampleWorkbook)
	if err != nil {
		t.Fatal(err)
	}
	dropFile(t, filepath.Join(dir, "mistakes.xlsx"), mistakes, time.Now().Add(-time.Hour))
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run(io, []string{"inbox", dir, "--sandbox", "--state", t.TempDir(), "--settle", "0", "--dry-run"})
	if code != exitRowsInvalid {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "mistakes.xlsx")); err != nil {
		t.Errorf("the file moved: %v", err)
	}
	books, _ := filepath.Glob(filepath.Join(dir, inbox.DryRunDir, "*", "mistakes-dryrun-*.xlsx"))
	if len(books) != 1 {
		t.Errorf("dry-run workbooks: %v", books)
	}
	for _, d := range []string{inbox.DoneDir, inbox.FailedDir, inbox.Processing} {
		if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
			t.Errorf("a dry run made %s/", d)
		}
	}
	if !strings.Contains(errOut.String(), "To fix (9)") || !strings.Contains(errOut.String(), "nothing sent, nothing moved") {
		t.Errorf("stderr:\n%s", errOut.String())
	}
}

// TestInboxRefusesBadOptionsAndConfigWithExit2BeforeTouchingAnything.
func TestInboxRefusesBadOptionsAndConfigWithExit2BeforeTouchingAnything(t *testing.T) {
	dir := t.TempDir()
	dropFile(t, filepath.Join(dir, "acefone.user-x.csv"), []byte(acefoneCSV(1, 1)), time.Now().Add(-time.Hour))
	before := snapshot(t, dir)
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inbox", dir, "--sandbox", "--policy", "some"}, "--policy must be valid-rows or all-or-nothing"},
		{[]string{"inbox", dir, "--config", missing}, "nope.yaml"},
		{[]string{"inbox", dir, "--sandbox", "--plan", missing}, "nope.yaml"},
		{[]string{"inbox"}, "give the inbox folder"},
		{[]string{"inbox", filepath.Join(dir, "nope"), "--sandbox"}, "give the folder HR drops the spreadsheets into"},
	} {
		var out, errOut bytes.Buffer
		io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		if code := run(io, tc.args); code != exitUnusable || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut.String())
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the inbox changed:\n%s\n%s", before, after)
	}
}

// TestHistoryListsAndShowsRunsAndReadsItsOptions runs the inbox in
// process on the sandbox and reads the runs back.
func TestHistoryListsAndShowsRunsAndReadsItsOptions(t *testing.T) {
	t.Setenv("ONBOARD_HOME", t.TempDir())
	dir, stateDir := t.TempDir(), t.TempDir()
	dropFile(t, filepath.Join(dir, "acefone.user-hist.csv"), []byte(acefoneCSV(1, 2)), time.Now().Add(-time.Hour))
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	if code := run(io, []string{"inbox", dir, "--sandbox", "--state", stateDir, "--settle", "0"}); code != exitOK {
		t.Fatalf("inbox: exit %d\n%s", code, errOut.String())
	}
	out.Reset()
	if code := run(io, []string{"history", "--state", stateDir, "--since", "7d"}); code != exitOK {
		t.Fatalf("history: exit %d\n%s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "inbox") || !strings.Contains(lines[1], "2: 2 created") || !strings.Contains(lines[1], "acefone.user-hist.csv") {
		t.Fatalf("history:\n%s", out.String())
	}
	id := strings.Fields(lines[1])[0]
	out.Reset()
	if code := run(io, []string{"history", "show", id[:len(id)-2], "--state", stateDir}); code != exitOK {
		t.Fatalf("show: exit %d\n%s", code, errOut.String())
	}
	for _, want := range []string{"Run " + id + " (inbox)", "SHA-256:", "row 2, Acefone inbox.p1: created", "Workbook:", "/done/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Cubbon-Park") {
		t.Errorf("a password reached the history:\n%s", out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--state", stateDir, "--since", "a week"}, "e.g. 7d"},
		{[]string{"history", "show", "nope", "--state", stateDir}, "no run \"nope\""},
		{[]string{"history", "extra", "--state", stateDir}, "is extra"},
	} {
		errOut.Reset()
		if code := run(io, tc.args); code != exitUnusable || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut.String())
		}
	}
	out.Reset()
	if code := run(io, []string{"history", "--state", t.TempDir()}); code != exitOK || !strings.Contains(out.String(), "No runs recorded") {
		t.Errorf("empty history: exit %d, %q", code, out.String())
	}
}

var _ = exec.Command // onboardCmd returns *exec.Cmd

// TestInboxHRSheetKeepsGeneratedPasswordsOutOfTheInbox runs the sample
// new-hire sheet through its plan: the people are filed with their
// workbook, the generated passwords stay in the reports folder (never in
// the inbox HR reads), and history show prints each person again.
func TestInboxHRSheetKeepsGeneratedPasswordsOutOfTheInbox(t *testing.T) {
	home := t.TempDir()
	t.Setenv("ONBOARD_HOME", home)
	dir, stateDir := t.TempDir(), t.TempDir()
	hires, err := os.ReadFile("../../samples/new-hires.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	dropFile(t, filepath.Join(dir, "new-hires.xlsx"), hires, time.Now().Add(-time.Hour))
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run(io, []string{"inbox", dir, "--sandbox", "--plan", "../../samples/plan.yaml", "--state", stateDir, "--settle", "0"})
	if code != exitOK {
		t.Fatalf("exit %d (invalid people are reported, the valid ones created: done/)\n%s", code, errOut.String())
	}
	for _, want := range []string{"new-hires.xlsx: 13 people", "To fix (5)", "row 7, Priya Sharma: Work email (C7)", "→ done/", "1 in done/, 0 in failed/"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, errOut.String())
		}
	}
	done := filed(t, dir, inbox.DoneDir)
	if done["new-hires.xlsx"] != 1 || workbooks(done, "new-hires", "result") != 1 || len(done) != 2 {
		t.Errorf("done/ holds %v", done)
	}
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.Contains(strings.ToUpper(fi.Name()), "CREDENTIALS") {
			t.Errorf("a credentials file is in the inbox: %s", p)
		}
		return nil
	})
	if creds, _ := filepath.Glob(filepath.Join(home, "reports", "*CREDENTIALS*")); len(creds) != 1 {
		t.Errorf("credentials files in the reports folder: %v", creds)
	}
	out.Reset()
	if code := run(io, []string{"history", "--state", stateDir, "--json"}); code != exitOK {
		t.Fatalf("history: %d %s", code, errOut.String())
	}
	var h struct {
		Runs []struct {
			RunID string `json:"run_id"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &h); err != nil || len(h.Runs) != 1 {
		t.Fatalf("%v %s", err, out.String())
	}
	out.Reset()
	if code := run(io, []string{"history", "show", h.Runs[0].RunID, "--state", stateDir}); code != exitOK {
		t.Fatalf("show: %d %s", code, errOut.String())
	}
	for _, want := range []string{"People:   13:", "row 7, Priya Sharma: failed", "to fix: Work email (C7)", ": all done"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, out.String())
		}
	}
}
