package main

// End-to-end tests of `onboard run` as separate processes against a
// separate `onboard sandbox` process on 127.0.0.1: kill -9 at many points,
// Ctrl-C, and the state lock. The test binary re-executes itself as the
// onboard command (see TestMain), so no build step is needed.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/templates/samplegen"
	"github.com/onboard/onboard/internal/terminal"
)

const runAsOnboard = "ONBOARD_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsOnboard) == "1" {
		main() // the real entry point, signal handling included
	}
	code := m.Run()
	// Tests write reports and state under their own temp folders, never
	// beside the sources.
	for _, stray := range []string{"reports", ".onboard-state"} {
		if _, err := os.Stat(stray); err == nil && code == 0 {
			fmt.Fprintf(os.Stderr, "a test left %s/ in the package folder\n", stray)
			code = 1
		}
	}
	os.Exit(code)
}

const sampleWorkbook = "../../samples/vendor-sheets.xlsx"

// onboardCmd returns the onboard command line as a child process.
func onboardCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), runAsOnboard+"=1", "CI=1")
	return cmd
}

// startSandboxProcess runs `onboard sandbox` in its own process and
// returns its base URL and a config file pointing at it.
func startSandboxProcess(t *testing.T, extra ...string) (base, cfgPath string) {
	t.Helper()
	cfgPath = filepath.Join(t.TempDir(), "sandbox.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := onboardCmd(ctx, append([]string{"sandbox", "--listen", "127.0.0.1:0", "--write-config", cfgPath}, extra...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	deadline := time.After(20 * time.Second)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			l := lines.Text()
			if b, ok := strings.CutPrefix(l, "onboard sandbox listening on "); ok {
				base = strings.Fields(b)[0]
			}
			if strings.HasPrefix(l, "configuration written to") {
				found <- base
			}
		}
	}()
	select {
	case base = <-found:
	case <-deadline:
		t.Fatal("sandbox did not start")
	}
	return base, cfgPath
}

func ledger(t *testing.T, base string) sandbox.Ledger {
	t.Helper()
	resp, err := http.Get(base + sandbox.LedgerPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l sandbox.Ledger
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	return l
}

// waitForCreates polls the sandbox's ledger until it holds at least n
// records created by a request, so a test acts once a run is really
// sending rather than after a guessed delay. It fails the test when the
// deadline passes first, or when done (the run under test) ends before.
func waitForCreates(t *testing.T, base string, n int, done <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		created := 0
		for _, entries := range ledger(t, base).Created {
			for _, e := range entries {
				created += e.Creates
			}
		}
		if created >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox saw %d creates in 30s, want %d", created, n)
		}
		select {
		case <-done:
			t.Fatalf("the run ended after %d creates, before the test could act", created)
		case <-tick.C:
		}
	}
}

// runOnboard runs onboard to completion and returns its exit code and
// stdout.
func runOnboard(t *testing.T, args ...string) (int, []byte, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := onboardCmd(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.Bytes(), stderr.String()
}

// runOutput is what the tests read of `onboard run --json`. Counts are
// per record (one per input row of a per-vendor sheet).
type runOutput struct {
	Rows, Created, Exists, Invalid, Failed int
	NotSent                                int `json:"not_sent"`
	// DoneEarlier counts records an earlier run created (the state knew
	// them, so nothing was sent).
	DoneEarlier int `json:"-"`
	Interrupted bool
	// Records holds the counts in the schema-1 document:
	// {"total": 9, "by_status": {"created": 3, "done_earlier": 6}}.
	Records *struct {
		Total    int            `json:"total"`
		ByStatus map[string]int `json:"by_status"`
	} `json:"records"`
	Results []struct {
		Target, Sheet, Key, Status, ID, Message string
		Row, Attempts                           int
	}
}

// decodeRun reads the run's JSON document, with the counts either at the
// top (the first shape) or under "records".
func decodeRun(t *testing.T, out []byte) runOutput {
	t.Helper()
	var r runOutput
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if r.Records != nil {
		b := r.Records.ByStatus
		r.Rows, r.Created, r.Exists, r.DoneEarlier = r.Records.Total, b["created"], b["exists"], b["done_earlier"]
		r.Invalid, r.Failed, r.NotSent = b["invalid"], b["failed"], b["not_sent"]
	}
	return r
}

// TestKillNineAtManyPointsThenResume kills `onboard run` with SIGKILL at
// many moments, reruns it each time, and proves through the sandbox's
// ledger that every valid row was created exactly once and that the final
// report is complete.
func TestKillNineAtManyPointsThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	base, cfg := startSandboxProcess(t, "--latency", "30ms", "--lost-rate", "0.05", "--seed", "11")
	stateDir := t.TempDir()
	// Two requests in flight per vendor keep each run long enough (about a
	// second) for most kill points to land mid-run.
	args := []string{"run", sampleWorkbook, "--config", cfg, "--state", stateDir, "--yes", "--json", "--no-report", "--quiet", "--concurrency", "2"}
	rng := rand.New(rand.NewPCG(42, 42))
	kills := 0
	for i := 0; i < 12; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := onboardCmd(ctx, args...)
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		delay := time.Duration(20+rng.IntN(250)) * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done: // finished before the kill: everything was already sent
		case <-time.After(delay):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
		cancel()
	}
	if kills < 3 {
		t.Fatalf("only %d runs were killed mid-way: the test proves little", kills)
	}
	code, out, stderr := runOnboard(t, args...)
	r := decodeRun(t, out)
	mistakes := len(samplegen.Mistakes())
	valid := r.Rows - mistakes
	// Every valid row must be known as created by us: by an earlier run
	// (from the state), or confirmed by a lookup (or the vendor's
	// duplicate answer) for a send whose answer the kill lost. "exists"
	// would mean the run lost track of a record it created and sent it
	// again.
	if code != exitRowsInvalid || r.Invalid != mistakes || r.Created+r.DoneEarlier != valid || r.Exists != 0 || r.Failed+r.NotSent != 0 {
		t.Fatalf("final run: exit %d, %+v\nstderr: %s", code, r, stderr)
	}
	if len(r.Results) != r.Rows {
		t.Errorf("final report has %d results for %d rows", len(r.Results), r.Rows)
	}
	for _, res := range r.Results {
		if (res.Status == "created" || res.Status == "exists" || res.Status == "done earlier") && res.ID == "" {
			t.Errorf("%s row %d: %s without a vendor ID", res.Sheet, res.Row, res.Status)
		}
	}
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
	if n != valid {
		t.Errorf("sandbox holds %d records, want %d (one per valid row)", n, valid)
	}
	t.Logf("%d of 12 runs killed mid-way; final run complete", kills)
}

func TestInterruptFinishesInFlightWritesReportAndExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	base, cfg := startSandboxProcess(t, "--latency", "50ms")
	// A slow configured rate so most rows are still waiting at the interrupt.
	slow := filepath.Join(t.TempDir(), "slow.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(slow, bytes.ReplaceAll(data, []byte("rate: 50"), []byte("rate: 4")), 0o600); err != nil {
		t.Fatal(err)
	}
	stateDir := t.TempDir()
	reportPath := filepath.Join(t.TempDir(), "result.xlsx")
	args := []string{"run", sampleWorkbook, "--config", slow, "--state", stateDir, "--yes", "--json", "--report", reportPath, "--quiet"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := onboardCmd(ctx, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	// Interrupt once the run is sending: its signal handler is installed
	// and most rows are still waiting for the slow rate.
	waitForCreates(t, base, 1, exited)
	_ = cmd.Process.Signal(os.Interrupt)
	<-exited
	err = waitErr
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit = %v, want %d", err, exitInterrupted)
	}
	r := decodeRun(t, stdout.Bytes())
	if !r.Interrupted || r.NotSent == 0 || len(r.Results) != r.Rows {
		t.Fatalf("interrupted run output: %+v", r)
	}
	if _, err := os.Stat(reportPath); err != nil {
		t.Errorf("no report after the interrupt: %v", err)
	}
	for _, res := range r.Results {
		if res.Status == "not sent" && !strings.Contains(res.Message, "interrupted") && !strings.Contains(res.Message, "not created") {
			t.Errorf("row %d not sent: %q", res.Row, res.Message)
		}
	}
	// The rerun sends the rest.
	code, out, _ := runOnboard(t, "run", sampleWorkbook, "--config", cfg, "--state", stateDir, "--yes", "--json", "--no-report", "--quiet")
	again := decodeRun(t, out)
	if code != exitRowsInvalid || again.Created+again.Exists+again.DoneEarlier != again.Rows-len(samplegen.Mistakes()) {
		t.Fatalf("rerun: exit %d %+v", code, again)
	}
	for target, entries := range ledger(t, base).Created {
		for _, e := range entries {
			if e.Creates > 1 {
				t.Errorf("%s %s created %d times", target, e.Key, e.Creates)
			}
		}
	}
}

func TestSecondRunOnTheSameStateIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	base, cfg := startSandboxProcess(t, "--latency", "100ms")
	slow := filepath.Join(t.TempDir(), "slow.yaml")
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(slow, bytes.ReplaceAll(data, []byte("rate: 50"), []byte("rate: 2")), 0o600); err != nil {
		t.Fatal(err)
	}
	stateDir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := onboardCmd(ctx, "run", sampleWorkbook, "--config", slow, "--state", stateDir, "--yes", "--quiet", "--no-report")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = first.Wait(); close(exited) }()
	defer func() { _ = first.Process.Kill(); <-exited }()
	// A run sends only after it has locked its state: once the sandbox has
	// seen a create, the first run holds the lock.
	waitForCreates(t, base, 1, exited)
	code, _, stderr := runOnboard(t, "run", sampleWorkbook, "--config", slow, "--state", stateDir, "--yes", "--quiet", "--no-report")
	if code != exitUnusable || !strings.Contains(stderr, "another onboard run is using state") {
		t.Fatalf("second run: exit %d, stderr %q", code, stderr)
	}
}

func TestRunNeedsConfigOrSandbox(t *testing.T) {
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	if code := run(io, []string{"run", sampleWorkbook}); code != exitUnusable || !strings.Contains(errOut.String(), "--sandbox") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run(io, []string{"run", "no-such-file.xlsx", "--sandbox"}); code != exitUnusable || !strings.Contains(errOut.String(), "no such file") {
		t.Fatalf("missing input: exit %d, stderr %q", code, errOut.String())
	}
}

func TestRunSandboxJSONHasNoSecrets(t *testing.T) {
	var out, errOut bytes.Buffer
	io := &terminal.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	report := filepath.Join(t.TempDir(), "r.xlsx")
	code := run(io, []string{"run", sampleWorkbook, "--sandbox", "--json", "--quiet", "--state", t.TempDir(), "--report", report})
	if code != exitRowsInvalid {
		t.Fatalf("exit %d (sample has deliberate mistakes, so 1 expected); stderr %s", code, errOut.String())
	}
	r := decodeRun(t, out.Bytes())
	if r.Invalid != len(samplegen.Mistakes()) || r.Created != r.Rows-r.Invalid {
		t.Errorf("result %+v", r)
	}
	all := out.String() + errOut.String()
	for _, s := range []string{"Harbour-Bridge-21", "Bondi!Surf2024", sandbox.NetSapiensToken, sandbox.AcefonePassword, sandbox.FoneDynamicsToken} {
		if strings.Contains(all, s) {
			t.Errorf("output contains secret %q", s)
		}
	}
	if _, err := os.Stat(report); err != nil {
		t.Error(err)
	}
}
