package main

// TestTorture is the long reliability drill behind `make torture`: kill -9
// at many points of HR new-hire runs and per-vendor runs against a faulty
// sandbox, and state.db cut short at many sizes, each followed by reruns.
// It proves, through the sandbox's ledger and the credentials file, that
// nothing is created twice, nothing valid is lost, no child panics and the
// credentials file agrees with what the vendors hold.
//
// ONBOARD_TORTURE_KILLS (default 8) sets the kill points and
// ONBOARD_TORTURE_CUTS (default 4) the state cuts, so the normal test run
// (CI) is a short version; `make torture` runs 60 and 12.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/state"
)

const (
	tortureHRInput   = "../../samples/new-hires.xlsx"
	torturePlan      = "../../samples/plan.yaml"
	tortureFaults    = "--error-rate=0.1 --lost-rate=0.05 --malformed-rate=0.05 --latency=20ms"
	tortureCutFaults = "--error-rate=0.1 --latency=5ms" // nothing stored without an answer: every re-send shows
	// tortureKillsPerScenario is about how many kills one state directory
	// takes, so the points spread over several sandboxes, seeds and both
	// kinds of run.
	tortureKillsPerScenario = 6
)

// tortureTally counts what the drill found; every count but kills and
// cuts must end at zero.
type tortureTally struct {
	kills, cuts                      int
	duplicates, lost, panics, creds  int
	credsUntidy                      int // of creds: right, but in more lines than one
	stray, silentOpens, resentOnCuts int
}

func (c *tortureTally) summary() string {
	credOK := "credentials consistent"
	if c.creds > 0 {
		credOK = fmt.Sprintf("%d credentials inconsistencies (%d of them untidy: extra lines, newest line right)", c.creds, c.credsUntidy)
	}
	s := fmt.Sprintf("torture: %d kill points, %d state cuts: %d duplicates, %d lost, %d panics, %s",
		c.kills, c.cuts, c.duplicates, c.lost, c.panics, credOK)
	if c.stray+c.silentOpens+c.resentOnCuts > 0 {
		s += fmt.Sprintf(" (also %d unexpected records, %d damaged states opened silently, %d re-sends after a cut)", c.stray, c.silentOpens, c.resentOnCuts)
	}
	return s
}

func (c *tortureTally) failed() bool {
	return c.duplicates+c.lost+c.panics+c.creds+c.stray+c.silentOpens+c.resentOnCuts > 0
}

func TestTorture(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	kills := tortureEnvInt(t, "ONBOARD_TORTURE_KILLS", 8)
	cuts := tortureEnvInt(t, "ONBOARD_TORTURE_CUTS", 4)
	start := time.Now()
	tally := &tortureTally{}
	var expected map[bool]map[tortureKey]bool
	t.Run("baseline", func(t *testing.T) { expected = tortureBaselines(t, tally) })
	if expected == nil {
		t.FailNow()
	}

	// Spread the kills over scenarios of about tortureKillsPerScenario
	// each; even scenarios run the HR flow, odd ones the per-vendor sheets.
	// A scenario whose run ends before all its kills landed leaves the
	// rest to the next ones.
	planned := max(2, (kills+tortureKillsPerScenario-1)/tortureKillsPerScenario)
	for i := 0; tally.kills < kills && i < 3*planned; i++ {
		left := kills - tally.kills
		want := (left + max(1, planned-i) - 1) / max(1, planned-i)
		hr := i%2 == 0
		name := fmt.Sprintf("kill-%02d-%s", i, map[bool]string{true: "hr", false: "vendor"}[hr])
		t.Run(name, func(t *testing.T) {
			tortureKillScenario(t, tally, expected, hr, want, uint64(100+i))
		})
	}
	if cuts > 0 {
		t.Run("state-cuts", func(t *testing.T) { tortureCutScenario(t, tally, expected[false], cuts) })
	}
	line := tally.summary()
	t.Logf("%s (%s)", line, time.Since(start).Round(time.Second))
	fmt.Println(line)
	if tally.kills < kills || tally.cuts < cuts {
		t.Errorf("only %d of %d kill points and %d of %d state cuts happened", tally.kills, kills, tally.cuts, cuts)
	}
	if tally.failed() {
		t.Errorf("the drill found problems: %s", line)
	}
}

// tortureEnvInt reads a count from the environment.
func tortureEnvInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number ≥ 0", name, v)
	}
	return n
}

// tortureKey names one record at one vendor.
type tortureKey struct{ target, key string }

// tortureBaselines asks a dry run on a fault-free sandbox which records
// each input should create (true: the HR flow, false: per-vendor sheets).
func tortureBaselines(t *testing.T, tally *tortureTally) map[bool]map[tortureKey]bool {
	t.Helper()
	sb := startTortureSandbox(t, tally, 1, "")
	out := map[bool]map[tortureKey]bool{}
	for _, hr := range []bool{true, false} {
		args := tortureRunArgs(hr, sb.cfg, t.TempDir())
		args = append(args, "--dry-run")
		res := tortureRun(t, tally, t.TempDir(), args...)
		want := map[tortureKey]bool{}
		for _, r := range decodeTortureResults(t, res.stdout) {
			if r.Status == "would create" {
				want[tortureKey{r.Target, r.Key}] = true
			}
		}
		if len(want) == 0 {
			t.Fatalf("dry run of %v would create nothing: exit %d\n%s", args, res.code, res.stderr)
		}
		out[hr] = want
	}
	return out
}

// tortureRunArgs is the run command of one kind.
func tortureRunArgs(hr bool, cfg, stateDir string) []string {
	args := []string{"run", sampleWorkbook}
	if hr {
		args = []string{"run", tortureHRInput, "--plan", torturePlan}
	}
	return append(args, "--config", cfg, "--state", stateDir, "--yes", "--json", "--no-report", "--quiet", "--concurrency", "2")
}

// tortureKillScenario kills runs of one input on one state directory
// want times, each kill after the sandbox stored one to three more
// records (or, now and then, while the run starts), then runs it to the
// end and checks ledger, results and credentials.
func tortureKillScenario(t *testing.T, tally *tortureTally, expected map[bool]map[tortureKey]bool, hr bool, want int, seed uint64) {
	sb := startTortureSandbox(t, tally, seed, tortureFaults)
	home, stateDir := t.TempDir(), t.TempDir()
	args := tortureRunArgs(hr, sb.cfg, stateDir)
	rng := rand.New(rand.NewPCG(seed, 7))
	landed := 0
	for attempt := 0; landed < want && attempt < want*3; attempt++ {
		killed, exited := tortureKillOnce(t, tally, sb, home, args, rng)
		if killed {
			landed++
		}
		if exited {
			break // the run finished before the kill: nothing left to interrupt
		}
	}
	tally.kills += landed
	res := tortureFinalRun(t, tally, home, args)
	tortureCheckLedger(t, tally, sb, expected[hr], res, fmt.Sprintf("%s, seed %d", strings.Join(args, " "), seed))
	if hr {
		tortureCheckCredentials(t, tally, sb, filepath.Join(home, "reports", "new-hires-CREDENTIALS.csv"))
	}
	t.Logf("seed %d: %d kills landed mid-run", seed, landed)
}

// tortureKillOnce starts a run and kills it with SIGKILL at a random
// point; it reports whether the kill landed and whether the run ended on
// its own first.
func tortureKillOnce(t *testing.T, tally *tortureTally, sb *tortureSandbox, home string, args []string, rng *rand.Rand) (killed, exited bool) {
	t.Helper()
	before := tortureCreates(t, sb.base)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := tortureCmd(ctx, home, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	defer func() { tortureCheckPanic(t, tally, "killed run "+strings.Join(args, " "), stderr.String()) }()
	var trigger <-chan time.Time
	if rng.IntN(5) == 0 {
		// While the run starts: state, credentials file and name lookups.
		trigger = time.After(time.Duration(5+rng.IntN(150)) * time.Millisecond)
	} else {
		trigger = tortureAfterCreates(sb.base, before+1+rng.IntN(3), time.Duration(rng.IntN(25))*time.Millisecond, done)
	}
	select {
	case <-done:
		return false, true
	case <-trigger:
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		<-done
		return false, true
	}
	<-done
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled(), !(ok && ws.Signaled())
}

// tortureAfterCreates fires jitter after the sandbox holds n created
// records; it never fires if the run ends first.
func tortureAfterCreates(base string, n int, jitter time.Duration, done <-chan struct{}) <-chan time.Time {
	fire := make(chan time.Time, 1)
	go func() {
		tick := time.NewTicker(3 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if c, err := tortureCreatesErr(base); err == nil && c >= n {
				select { // a random point shortly after the store
				case <-done:
				case now := <-time.After(jitter):
					fire <- now
				}
				return
			}
		}
	}()
	return fire
}

// tortureFinalRun runs to the end; a record that failed for a vendor's
// transient errors is what a person reruns for, so one more run is
// allowed for that alone.
func tortureFinalRun(t *testing.T, tally *tortureTally, home string, args []string) tortureResult {
	t.Helper()
	res := tortureRun(t, tally, home, args...)
	for i := 0; i < 2 && tortureFailedRecords(t, res) > 0; i++ {
		t.Logf("final run left %d records failed (vendor faults): running again", tortureFailedRecords(t, res))
		res = tortureRun(t, tally, home, args...)
	}
	if res.code != exitRowsInvalid && res.code != 0 {
		t.Errorf("final run %s: exit %d\n%s", strings.Join(args, " "), res.code, res.stderr)
	}
	return res
}

func tortureFailedRecords(t *testing.T, res tortureResult) int {
	n := 0
	for _, r := range decodeTortureResults(t, res.stdout) {
		if r.Status == "failed" || r.Status == "not sent" {
			n++
		}
	}
	return n
}

// tortureCheckLedger counts duplicates (a record created more than once),
// lost records (expected but not at the vendor, or not reported there)
// and strays (created but not expected).
func tortureCheckLedger(t *testing.T, tally *tortureTally, sb *tortureSandbox, expected map[tortureKey]bool, final tortureResult, what string) {
	t.Helper()
	held := map[tortureKey]bool{}
	resent := 0
	for target, entries := range ledger(t, sb.base).Created {
		for _, e := range entries {
			resent += e.Duplicates
			if e.Implicit {
				continue
			}
			k := tortureKey{target, e.Key}
			held[k] = true
			if e.Creates != 1 {
				tally.duplicates++
				t.Errorf("DUPLICATE: %s %s created %d times (%s)", target, e.Key, e.Creates, what)
			}
			if !expected[k] {
				tally.stray++
				t.Errorf("UNEXPECTED: %s %s is at the vendor but no valid row asks for it (%s)", target, e.Key, what)
			}
		}
	}
	// Two rows may name one record (the sample's duplicate extension): the
	// record is there when any of its rows says so.
	status := map[tortureKey]tortureRecord{}
	for _, r := range decodeTortureResults(t, final.stdout) {
		k := tortureKey{r.Target, r.Key}
		if !tortureAtVendor(status[k].Status) {
			status[k] = r
		}
	}
	for k := range expected {
		st := status[k].Status
		if !held[k] || !tortureAtVendor(st) {
			tally.lost++
			t.Errorf("LOST: %s %s: at the vendor %v, final run says %q: %q (%s)", k.target, k.key, held[k], st, status[k].Message, what)
		}
	}
	if resent > 0 {
		t.Logf("%d create requests were answered \"already exists\" (a re-send after a lost answer, or Acefone's reconcile-by-create); none stored twice", resent)
	}
}

// tortureAtVendor reports whether a result status says the record is at
// its vendor.
func tortureAtVendor(status string) bool {
	return status == "created" || status == "done earlier" || status == "exists"
}

// tortureCheckCredentials checks the HR credentials file against the
// ledger: exactly one line per Acefone and Fone Dynamics account the
// vendor holds, "set", and no line for any other account. An account
// whose lines, read newest first per password, still name one password
// "set" and none "not confirmed" is counted as untidy (the file says the
// right thing, in more lines than one); any other mismatch as wrong.
func tortureCheckCredentials(t *testing.T, tally *tortureTally, sb *tortureSandbox, path string) {
	t.Helper()
	lines := tortureReadCredentials(t, path)
	byAccount := map[tortureKey][]map[string]string{}
	for _, l := range lines {
		k := tortureKey{l["Target"], l["Account"]}
		byAccount[k] = append(byAccount[k], l)
	}
	accounts := map[tortureKey]bool{}
	for target, entries := range ledger(t, sb.base).Created {
		if target != "acefone.user" && target != "fonedynamics.login" {
			continue
		}
		for _, e := range entries {
			accounts[tortureKey{target, e.Key}] = true
		}
	}
	bad := false
	for k := range accounts {
		ls := byAccount[k]
		switch {
		case len(ls) == 1 && ls[0]["Status"] == "set":
			continue
		case tortureNewestSaysSet(ls):
			tally.creds++
			tally.credsUntidy++
			t.Errorf("CREDENTIALS (untidy): %s %s has %d lines (%s) in %s after the final run; want one line \"set\"", k.target, k.key, len(ls), tortureStatuses(ls), path)
		default:
			tally.creds++
			t.Errorf("CREDENTIALS (wrong): %s %s has %d lines (%s) in %s after the final run; want one line \"set\"", k.target, k.key, len(ls), tortureStatuses(ls), path)
		}
		bad = true
	}
	for k, ls := range byAccount {
		if !accounts[k] {
			tally.creds++
			bad = true
			t.Errorf("CREDENTIALS (wrong): %s %s has %d lines (%s) in %s but no account at the vendor", k.target, k.key, len(ls), tortureStatuses(ls), path)
		}
	}
	if bad {
		t.Logf("credentials file (passwords as fingerprints):\n%s", tortureCredentialsDump(lines))
	}
}

// tortureNewestSaysSet reports whether an account's lines, newest line
// per password, give exactly one password "set" and none "not confirmed".
func tortureNewestSaysSet(ls []map[string]string) bool {
	newest := map[string]string{}
	for _, l := range ls {
		newest[l["Password"]] = l["Status"]
	}
	set := 0
	for _, st := range newest {
		switch st {
		case "set":
			set++
		case "not confirmed":
			return false
		}
	}
	return set == 1
}

func tortureStatuses(ls []map[string]string) string {
	var out []string
	for _, l := range ls {
		out = append(out, l["Status"])
	}
	return strings.Join(out, ", ")
}

// tortureCredentialsDump shows the credentials lines, each password as a
// short fingerprint (enough to see whether two lines hold the same one).
func tortureCredentialsDump(lines []map[string]string) string {
	var b strings.Builder
	for _, l := range lines {
		sum := sha256.Sum256([]byte(l["Password"]))
		fmt.Fprintf(&b, "  %s %s password#%x status=%q run=%s updated=%s\n", l["Target"], l["Account"], sum[:3], l["Status"], l["Run"], l["Updated"])
	}
	return b.String()
}

// tortureReadCredentials reads the credentials CSV as maps by column.
func tortureReadCredentials(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("credentials file: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("credentials file %s: %v (%d lines)", path, err, len(rows))
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(row) {
				m[h] = row[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// tortureCutScenario completes a per-vendor run, then for each cut copies
// its state directory, cuts state.db short and reruns: the rerun must
// refuse the state (exit 2, "damaged") or restore state.db.bak and say
// so, and send nothing again; a --reconcile run must then complete with
// nothing created twice. Every other cut also removes state.db.bak, so
// both ways out are taken.
func tortureCutScenario(t *testing.T, tally *tortureTally, expected map[tortureKey]bool, cuts int) {
	sb := startTortureSandbox(t, tally, 900, tortureCutFaults)
	home, done := t.TempDir(), t.TempDir()
	first := tortureFinalRun(t, tally, home, tortureRunArgs(false, sb.cfg, done))
	tortureCheckLedger(t, tally, sb, expected, first, "the run before the cuts")
	db, err := os.ReadFile(filepath.Join(done, state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	used := tortureUsedSize(t, db)
	t.Logf("state.db: %d bytes, %d of them in use by the database", len(db), used)
	for i, size := range tortureCutSizes(used, cuts) {
		keepBackup := i%2 == 0
		t.Run(fmt.Sprintf("cut-%d-of-%d-backup-%v", size, used, keepBackup), func(t *testing.T) {
			tortureCutOnce(t, tally, sb, home, done, expected, size, keepBackup)
		})
		tally.cuts++
	}
}

// tortureUsedSize is how much of a bbolt file the database uses: its
// high-water page count times the page size, from the newer of the two
// meta pages (bbolt grows the file in larger steps, and a cut in the
// never-used tail damages nothing).
func tortureUsedSize(t *testing.T, db []byte) int {
	t.Helper()
	best, used := uint64(0), 0
	for _, off := range []int{0, 4096} {
		if len(db) < off+16+64 {
			t.Fatalf("state.db is only %d bytes", len(db))
		}
		m := db[off+16:]
		pageSize := binary.LittleEndian.Uint32(m[8:])
		pgid, txid := binary.LittleEndian.Uint64(m[40:]), binary.LittleEndian.Uint64(m[48:])
		if binary.LittleEndian.Uint32(m) == 0xED0CDAED && txid >= best {
			best, used = txid, int(pgid)*int(pageSize)
		}
	}
	if used <= 4096 || used > len(db) {
		t.Fatalf("state.db (%d bytes) says %d bytes in use: not a bbolt file this test understands", len(db), used)
	}
	return used
}

// tortureCutSizes picks where state.db is cut, within the part the
// database uses: empty, inside the first 4 KB, at shares of it, the last
// 4 KB missing; then seeded random sizes when more cuts are asked for.
func tortureCutSizes(size, n int) []int {
	pct := func(p int) int { return size * p / 100 }
	fixed := []int{0, pct(50), size - 4096, 1000, pct(97), pct(25), pct(75), pct(90), 4096, pct(10), size - 1, pct(60)}
	rng := rand.New(rand.NewPCG(uint64(size), 3))
	var out []int
	seen := map[int]bool{}
	for i := 0; len(out) < n && i < n*10; i++ {
		s := rng.IntN(size)
		if i < len(fixed) {
			s = fixed[i]
		}
		if s >= 0 && s < size && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func tortureCutOnce(t *testing.T, tally *tortureTally, sb *tortureSandbox, home, done string, expected map[tortureKey]bool, size int, keepBackup bool) {
	dir := t.TempDir()
	for _, name := range []string{state.FileName, state.BackupName} {
		if name == state.BackupName && !keepBackup {
			continue
		}
		data, err := os.ReadFile(filepath.Join(done, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == state.FileName {
			data = data[:size]
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	what := fmt.Sprintf("state.db cut to %d bytes, backup kept %v", size, keepBackup)
	before := tortureResends(t, sb.base)
	args := tortureRunArgs(false, sb.cfg, dir)
	res := tortureRun(t, tally, home, args...)
	notices := strings.Join(decodeTortureNotices(t, res), "\n") + "\n" + res.stderr
	switch {
	case res.code == exitUnusable && strings.Contains(res.stderr, "damaged"):
		t.Logf("%s: refused, exit 2: %s", what, strings.TrimSpace(res.stderr))
	case strings.Contains(notices, state.BackupName):
		if !keepBackup {
			t.Errorf("%s: a notice names %s, which was removed: %s", what, state.BackupName, notices)
		}
		t.Logf("%s: exit %d, used the backup: %s", what, res.code, strings.TrimSpace(notices))
	default:
		tally.silentOpens++
		t.Errorf("SILENT: %s: exit %d with neither \"damaged\" nor a note about %s\nstderr: %s\nnotices: %s", what, res.code, state.BackupName, res.stderr, notices)
	}
	if n := tortureResends(t, sb.base) - before; n > 0 {
		tally.resentOnCuts += n
		t.Errorf("RESENT: %s: %d records already at the vendor were sent again", what, n)
	}
	final := tortureFinalRun(t, tally, home, append(args, "--reconcile"))
	tortureCheckLedger(t, tally, sb, expected, final, what+", then --reconcile")
	if n := tortureResends(t, sb.base) - before; n > 0 {
		tally.resentOnCuts += n
		t.Errorf("RESENT: %s, then --reconcile: %d records already at the vendor were sent again", what, n)
	}
}

// tortureResends counts the create requests the sandbox refused because
// the record was already there, for vendors onboard can look records up
// at (Acefone documents no lookup: a repeated create is how onboard
// reconciles an Acefone user, by design).
func tortureResends(t *testing.T, base string) int {
	n := 0
	for target, entries := range ledger(t, base).Created {
		if target == "acefone.user" {
			continue
		}
		for _, e := range entries {
			n += e.Duplicates
		}
	}
	return n
}

// tortureResult is one finished child run.
type tortureResult struct {
	code   int
	stdout []byte
	stderr string
}

type tortureRecord struct {
	Target, Key, Status, Message string
}

// tortureRun runs onboard with ONBOARD_HOME=home to the end.
func tortureRun(t *testing.T, tally *tortureTally, home string, args ...string) tortureResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := tortureCmd(ctx, home, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	tortureCheckPanic(t, tally, strings.Join(args, " "), stderr.String())
	return tortureResult{code: code, stdout: stdout.Bytes(), stderr: stderr.String()}
}

// tortureCmd is onboard as a child process whose files go under home.
func tortureCmd(ctx context.Context, home string, args ...string) *exec.Cmd {
	cmd := onboardCmd(ctx, args...)
	cmd.Env = append(cmd.Env, "ONBOARD_HOME="+home)
	return cmd
}

// decodeTortureResults reads the records of a run's JSON document (none
// when the run printed no document, e.g. an unusable state).
func decodeTortureResults(t *testing.T, stdout []byte) []tortureRecord {
	t.Helper()
	if len(bytes.TrimSpace(stdout)) == 0 {
		return nil
	}
	var doc struct{ Results []tortureRecord }
	if err := json.Unmarshal(stdout, &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
	}
	return doc.Results
}

func decodeTortureNotices(t *testing.T, res tortureResult) []string {
	t.Helper()
	if len(bytes.TrimSpace(res.stdout)) == 0 {
		return nil
	}
	var doc struct{ Notices []string }
	if err := json.Unmarshal(res.stdout, &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, res.stdout)
	}
	return doc.Notices
}

// tortureCheckPanic counts a child whose stderr shows a Go panic or
// runtime crash.
func tortureCheckPanic(t *testing.T, tally *tortureTally, what, stderr string) {
	t.Helper()
	for _, sign := range []string{"panic:", "goroutine ", "fatal error"} {
		if strings.Contains(stderr, sign) {
			tally.panics++
			t.Errorf("PANIC in %s:\n%s", what, stderr)
			return
		}
	}
}

// tortureSandbox is an `onboard sandbox` child with faults.
type tortureSandbox struct {
	base, cfg string
}

// startTortureSandbox starts a sandbox with the given faults and seed; its
// stderr is checked for panics when the test ends.
func startTortureSandbox(t *testing.T, tally *tortureTally, seed uint64, faults string) *tortureSandbox {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "sandbox.yaml")
	args := []string{"sandbox", "--listen", "127.0.0.1:0", "--write-config", cfg, "--quiet", "--seed", strconv.FormatUint(seed, 10)}
	args = append(args, strings.Fields(faults)...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := onboardCmd(ctx, args...)
	stdout := &tortureBuffer{}
	stderr := &tortureBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		tortureCheckPanic(t, tally, "sandbox "+strings.Join(args, " "), stderr.String())
	})
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		out := stdout.String()
		if strings.Contains(out, "configuration written to") {
			for _, l := range strings.Split(out, "\n") {
				if b, ok := strings.CutPrefix(l, "onboard sandbox listening on "); ok {
					return &tortureSandbox{base: strings.Fields(b)[0], cfg: cfg}
				}
			}
		}
		select {
		case <-exited:
			t.Fatalf("sandbox %v ended: %s", args, stderr.String())
		case <-deadline:
			t.Fatalf("sandbox %v did not start", args)
		case <-tick.C:
		}
	}
}

// tortureCreates counts the records the sandbox created by request.
func tortureCreates(t *testing.T, base string) int {
	t.Helper()
	n, err := tortureCreatesErr(base)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func tortureCreatesErr(base string) (int, error) {
	resp, err := http.Get(base + sandbox.LedgerPath)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var l sandbox.Ledger
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return 0, err
	}
	n := 0
	for _, entries := range l.Created {
		for _, e := range entries {
			n += e.Creates
		}
	}
	return n, nil
}

// tortureBuffer is a bytes.Buffer safe for a child's writes while the
// test reads it.
type tortureBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *tortureBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *tortureBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
