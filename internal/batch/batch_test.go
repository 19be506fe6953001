package batch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/state"
	"github.com/onboard/onboard/internal/templates/samplegen"
)

const sample = "../../samples/vendor-sheets.xlsx"

func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *config.Config) {
	t.Helper()
	sb, err := sandbox.New(opts)
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
	return sb, cfg
}

// fastBackoff keeps retry waits short in tests.
var fastBackoff = dispatch.Backoff{Base: 5 * time.Millisecond, Cap: 50 * time.Millisecond}

func run(t *testing.T, cfg *config.Config, stateDir string) *batch.Result {
	t.Helper()
	res, err := batch.Run(context.Background(), batch.Options{Input: sample, Config: cfg, StateDir: stateDir, Backoff: fastBackoff})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkExactlyOnce asserts every record in the ledger was accepted as new
// exactly once and that there are as many as want.
func checkExactlyOnce(t *testing.T, sb *sandbox.Server, want int) {
	t.Helper()
	n := 0
	for target, entries := range sb.Ledger().Created {
		for _, e := range entries {
			if e.Implicit {
				continue
			}
			n++
			if e.Creates != 1 {
				t.Errorf("%s %s created %d times", target, e.Key, e.Creates)
			}
		}
	}
	if n != want {
		t.Errorf("ledger holds %d records, want %d", n, want)
	}
}

func TestRunCreatesEveryValidRowOnceAndResumes(t *testing.T) {
	sb, cfg := startSandbox(t, sandbox.Options{Seed: 1})
	stateDir := t.TempDir()
	res := run(t, cfg, stateDir)

	mistakes := len(samplegen.Mistakes())
	valid := len(res.Records) - mistakes
	if got := res.Count(outcome.Invalid); got != mistakes {
		t.Errorf("invalid = %d, want the sample's %d mistakes", got, mistakes)
	}
	if got := res.Count(outcome.Created); got != valid {
		for _, o := range res.Records {
			if o.Status != outcome.Created && o.Status != outcome.Invalid {
				t.Logf("%s row %d: %s %s", o.Sheet, o.Row, o.Status, o.Message)
			}
		}
		t.Fatalf("created = %d, want %d", got, valid)
	}
	for _, o := range res.Records {
		if o.Status == outcome.Created && (o.ID == "" || o.Attempts < 1) {
			t.Errorf("%s row %d created without an ID or attempt: %+v", o.Sheet, o.Row, o)
		}
	}
	checkExactlyOnce(t, sb, valid)

	// The same input again: nothing is sent, everything is reported.
	again := run(t, cfg, stateDir)
	for name, v := range again.Stats.Vendors {
		if v.Requests != 0 {
			t.Errorf("rerun sent %d requests to %s", v.Requests, name)
		}
	}
	if got := again.Count(outcome.DoneEarlier); got != valid || again.Count(outcome.Created) != 0 {
		t.Errorf("rerun reports %d done earlier and %d created, want %d and 0", got, again.Count(outcome.Created), valid)
	}
	for _, o := range again.Records {
		if o.Status == outcome.DoneEarlier && (!strings.Contains(o.Message, "earlier run") || o.ID == "") {
			t.Errorf("rerun row %d: %q (ID %q) does not say it was created earlier", o.Row, o.Message, o.ID)
		}
	}
	if !again.NothingNew() || !strings.Contains(again.RecordsHeadline("row", "rows"), "0 created now") {
		t.Errorf("a rerun that sent nothing must say so: %q", again.RecordsHeadline("row", "rows"))
	}
	checkExactlyOnce(t, sb, valid)
}

func TestRunWithFaultsStillCreatesExactlyOnce(t *testing.T) {
	sb, cfg := startSandbox(t, sandbox.Options{Seed: 7, Faults: sandbox.Faults{ErrorRate: 0.15, LostRate: 0.15, MalformedRate: 0.05}})
	res := run(t, cfg, t.TempDir())
	valid := len(res.Records) - len(samplegen.Mistakes())
	if got := res.Count(outcome.Created); got != valid {
		for _, o := range res.Records {
			if o.Status != outcome.Created && o.Status != outcome.Invalid {
				t.Logf("%s row %d: %s %s", o.Sheet, o.Row, o.Status, o.Message)
			}
		}
		t.Errorf("created = %d, want %d", got, valid)
	}
	st := sb.Ledger().Stats
	faults := 0
	for _, s := range st {
		faults += s.Errors + s.Lost + s.Malformed
	}
	if faults == 0 {
		t.Fatal("no fault was injected: the test proves nothing")
	}
	checkExactlyOnce(t, sb, valid)
}

func TestVendorNotConfiguredAndDryRun(t *testing.T) {
	sb, full := startSandbox(t, sandbox.Options{})
	// Keep only NetSapiens.
	var yaml bytes.Buffer
	for _, line := range strings.Split(string(sandbox.ConfigYAML(strings.TrimSuffix(full.Settings("netsapiens").BaseURL, sandbox.NetSapiensPath))), "\n") {
		if strings.Contains(line, "acefone:") || strings.Contains(line, "fonedynamics:") || strings.Contains(line, "cove:") {
			continue
		}
		yaml.WriteString(line + "\n")
	}
	cfg, err := config.Parse(yaml.Bytes(), "netsapiens only", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, cfg, t.TempDir())
	for _, o := range res.Records {
		if o.Status == outcome.Invalid {
			continue
		}
		if strings.HasPrefix(o.Target, "netsapiens.") != (o.Status == outcome.Created) {
			t.Errorf("%s row %d: %s %s", o.Target, o.Row, o.Status, o.Message)
		}
		if !strings.HasPrefix(o.Target, "netsapiens.") && !strings.Contains(o.Message, "not configured") {
			t.Errorf("%s row %d: message %q", o.Target, o.Row, o.Message)
		}
	}

	// A dry run prints requests with secrets redacted and sends nothing.
	sb.Reset()
	var out bytes.Buffer
	dry, err := batch.Run(context.Background(), batch.Options{Input: sample, Config: full, DryRun: true, DryRunOut: &out})
	if err != nil {
		t.Fatal(err)
	}
	if n := dry.Count(outcome.WouldCreate); n != len(dry.Records)-len(samplegen.Mistakes()) {
		t.Errorf("dry run: %d would create, want every valid row", n)
	}
	for target, entries := range sb.Ledger().Created {
		if len(entries) != 0 {
			t.Errorf("dry run created %s records: %v", target, entries)
		}
	}
	if !strings.Contains(out.String(), `"method":"POST"`) || !strings.Contains(out.String(), "********") {
		t.Errorf("dry run output lacks requests or redaction:\n%.500s", out.String())
	}
	for _, secret := range samplePasswords() {
		if strings.Contains(out.String(), secret) {
			t.Errorf("dry run printed password %q", secret)
		}
	}
}

// samplePasswords are the passwords typed in the sample workbook.
func samplePasswords() []string {
	return []string{"Harbour-Bridge-21", "Bondi!Surf2024", "Opera#House88", "Yarra_River_42"}
}

func TestNoSecretInStateOrResultWorkbook(t *testing.T) {
	_, cfg := startSandbox(t, sandbox.Options{})
	stateDir := t.TempDir()
	res := run(t, cfg, stateDir)
	path := filepath.Join(t.TempDir(), "result.xlsx")
	if err := report.WriteResult(context.Background(), path, &res.Result, source(res)); err != nil {
		t.Fatal(err)
	}
	secrets := append(samplePasswords(), sandbox.NetSapiensToken, sandbox.AcefonePassword, sandbox.FoneDynamicsToken, sandbox.CovePassword)
	db, err := os.ReadFile(filepath.Join(stateDir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(db, []byte("netsapiens.user")) {
		t.Fatal("state file holds no entries: the check proves nothing")
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var book bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(&book, rc)
		rc.Close()
	}
	if !strings.Contains(book.String(), "olivia.taylor@acme.example") {
		t.Fatal("result workbook lacks the sample's data: the check proves nothing")
	}
	for _, s := range secrets {
		if bytes.Contains(db, []byte(s)) {
			t.Errorf("state holds secret %q", s)
		}
		if strings.Contains(book.String(), s) {
			t.Errorf("result workbook holds secret %q", s)
		}
	}
}

func TestHRSheetRunPerPersonAndResume(t *testing.T) {
	sb, cfg := startSandbox(t, sandbox.Options{Seed: 3, Faults: sandbox.Faults{LostRate: 0.1}})
	p, err := hires.LoadPlan("../../samples/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stateDir, credsDir := t.TempDir(), t.TempDir()
	// A per-run credentials file an earlier version wrote: the run says
	// where it is (name only) and leaves it as it is.
	legacy := filepath.Join(credsDir, "new-hires-CREDENTIALS-20250303-091500.csv")
	if err := os.WriteFile(legacy, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opt := batch.Options{Input: "../../samples/new-hires.xlsx", Config: cfg, StateDir: stateDir, Plan: p, CredentialsDir: credsDir, Backoff: fastBackoff}
	res, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notices, "\n")
	if !strings.Contains(notes, "new-hires-CREDENTIALS-20250303-091500.csv (same folder); this run adds to new-hires-CREDENTIALS.csv") || strings.Contains(notes, credsDir) {
		t.Errorf("notices %q do not point at the earlier credentials file by name", res.Notices)
	}
	if data, _ := os.ReadFile(legacy); string(data) != "old\n" {
		t.Errorf("the earlier credentials file was changed: %q", data)
	}
	people := res.People
	if len(people) != 13 {
		t.Fatalf("%d people, want the sample's 13", len(people))
	}
	status := map[string]outcome.PersonStatus{}
	for _, pr := range people {
		status[pr.Name] = pr.Status
	}
	// The sample's deliberate mistakes: a bad email (Priya), a bad time
	// zone (Noah) and an unknown role (Ana) stop the person; 'n/a' mobile
	// (Tom) and a duplicate extension (Marcus) stop one system each.
	want := map[string]outcome.PersonStatus{"Jane Smith": outcome.AllDone, "Priya Sharma": outcome.PersonFailed, "Noah Kelly": outcome.PersonFailed,
		"Ana Müller": outcome.PersonFailed, "Tom Zhang": outcome.PartlyDone, "Marcus Webb": outcome.PartlyDone, "Olivia Brown": outcome.AllDone}
	for name, st := range want {
		if status[name] != st {
			t.Errorf("%s: %s, want %s", name, status[name], st)
		}
	}
	for _, pr := range people {
		if pr.Name == "Ana Müller" && !strings.Contains(strings.Join(pr.Problems, "; "), "Sales Agnet") {
			t.Errorf("unknown role not explained: %q", pr.Problems)
		}
		if !pr.Status.Fine() && len(pr.Problems) == 0 {
			t.Errorf("%s (row %d) is %s with no reason", pr.Name, pr.Row, pr.Status)
		}
		seen := map[string]bool{}
		for _, m := range pr.Problems {
			if seen[m] {
				t.Errorf("%s: problem said twice: %q", pr.Name, m)
			}
			seen[m] = true
		}
	}
	created := res.Count(outcome.Created)
	checkExactlyOnce(t, sb, created)

	// Generated passwords reach the 0600 credentials file and nothing else.
	if res.NewPasswords == 0 {
		t.Fatal("the sample plan generates passwords; none were written")
	}
	st, err := os.Stat(res.Credentials)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file %s: %v, mode %v", res.Credentials, err, st.Mode())
	}
	passwords := credentialPasswords(t, res.Credentials)
	if len(passwords) != res.NewPasswords {
		t.Errorf("credentials file has %d passwords, the run says %d", len(passwords), res.NewPasswords)
	}
	path := filepath.Join(t.TempDir(), "result.xlsx")
	if err := report.WriteResult(context.Background(), path, &res.Result, source(res)); err != nil {
		t.Fatal(err)
	}
	db, _ := os.ReadFile(filepath.Join(stateDir, "state.db"))
	book := unzipAll(t, path)
	led := fmt.Sprint(sb.Ledger())
	for _, pw := range passwords {
		if len(pw) < 12 {
			t.Fatalf("credentials line parsed badly: %q", pw)
		}
		if bytes.Contains(db, []byte(pw)) || strings.Contains(book, pw) || strings.Contains(led, pw) {
			t.Errorf("generated password found outside the credentials file")
		}
	}

	// Rerun: only what is still missing is sent; nothing twice.
	again, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range again.Stats.Vendors {
		if v.Creates != 0 {
			t.Errorf("rerun sent %d creates to %s", v.Creates, name)
		}
	}
	if again.Count(outcome.DoneEarlier) != created || again.Count(outcome.Created) != 0 {
		t.Errorf("rerun reports %d done earlier, %d created; want %d and 0", again.Count(outcome.DoneEarlier), again.Count(outcome.Created), created)
	}
	checkExactlyOnce(t, sb, created)
}

// credentialPasswords reads the Password column of a credentials file,
// keyed by account, checking every line is "set".
func credentialPasswords(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("credentials file %s: %v, %d lines", path, err, len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		if r[col["Status"]] != "set" {
			t.Errorf("credentials line for %s is %q, want set", r[col["Account"]], r[col["Status"]])
		}
		out[r[col["Target"]]+" "+r[col["Account"]]] = r[col["Password"]]
	}
	return out
}

// source is how the report reads the run's input again.
func source(res *batch.Result) report.Source {
	return report.Source{Validate: res.ValidateOptions, HRSheet: res.HRSheet, PasswordColumn: res.PasswordColumn}
}

func unzipAll(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var all bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(&all, rc)
		rc.Close()
	}
	return all.String()
}

// lostAnswers sends each create for real but reports its answer as lost,
// and cannot look anything up: a run killed while its creates were in
// flight, as far as the credentials are concerned.
type lostAnswers struct{ connector.Client }

func (l lostAnswers) Create(ctx context.Context, req connector.Request) connector.Outcome {
	l.Client.Create(ctx, req)
	return connector.Outcome{Status: connector.Uncertain, Message: "answer lost"}
}

func (l lostAnswers) Lookup(context.Context, connector.Request) connector.Outcome {
	return connector.Outcome{Status: connector.Retryable, Message: "lookup unavailable"}
}

func TestPasswordsFollowTheAccountAcrossAnInterruptedRun(t *testing.T) {
	sb, cfg := startSandbox(t, sandbox.Options{})
	p, err := hires.LoadPlan("../../samples/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := cfg.Vendor("acefone")
	s := v.Settings()
	real, err := v.Spec.New(s)
	if err != nil {
		t.Fatal(err)
	}
	stateDir, credsDir := t.TempDir(), t.TempDir()
	opt := batch.Options{Input: "../../samples/new-hires.xlsx", Config: cfg, StateDir: stateDir, Plan: p, CredentialsDir: credsDir,
		Backoff: fastBackoff, Clients: map[string]connector.Client{"acefone": lostAnswers{real}}}
	first, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	lines := credentialLines(t, first.Credentials)
	unconfirmed := map[string]string{}
	for _, l := range lines {
		if l.target == "acefone.user" {
			if l.status != "not confirmed" {
				t.Errorf("Acefone %s after a lost answer: %q, want not confirmed", l.account, l.status)
			}
			unconfirmed[l.account] = l.password
		}
	}
	if len(unconfirmed) == 0 {
		t.Fatal("no Acefone password was generated: the test proves nothing")
	}

	opt.Clients = nil // the vendor answers again
	second, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if second.Credentials != "" && second.Credentials != first.Credentials {
		t.Errorf("a second credentials file: %s and %s", first.Credentials, second.Credentials)
	}
	seen := map[string]int{}
	for _, l := range credentialLines(t, first.Credentials) {
		seen[l.target+" "+l.account]++
		if l.target != "acefone.user" {
			continue
		}
		if l.status != "set" || l.password != unconfirmed[l.account] {
			t.Errorf("Acefone %s after the rerun: %q with a %s password, want set with the first run's", l.account, l.status,
				map[bool]string{true: "the same", false: "new"}[l.password == unconfirmed[l.account]])
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s has %d lines, want 1", k, n)
		}
	}
	checkExactlyOnce(t, sb, first.Count(outcome.Created)+len(unconfirmed))
}

type credLine struct{ target, account, password, status string }

func credentialLines(t *testing.T, path string) []credLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("credentials file %s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []credLine
	for _, r := range rows[1:] {
		out = append(out, credLine{r[col["Target"]], r[col["Account"]], r[col["Password"]], r[col["Status"]]})
	}
	return out
}

// TestDryRunAgreesWithTheRealRun runs each sample dry, then for real on
// the same sandbox: the dry run's "would create" records are exactly the
// ones created, and its ready people are exactly the ones all done.
func TestDryRunAgreesWithTheRealRun(t *testing.T) {
	p, err := hires.LoadPlan("../../samples/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, input string
		plan        *hires.Plan
	}{{"HR sheet", "../../samples/new-hires.xlsx", p}, {"per-vendor sheets", sample, nil}} {
		t.Run(c.name, func(t *testing.T) {
			sb, cfg := startSandbox(t, sandbox.Options{})
			opt := batch.Options{Input: c.input, Config: cfg, StateDir: t.TempDir(), Plan: c.plan, CredentialsDir: t.TempDir(), Backoff: fastBackoff}
			dryOpt := opt
			dryOpt.DryRun = true
			dry, err := batch.Run(context.Background(), dryOpt)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(sb.Ledger().Created["acefone.user"]); n != 0 {
				t.Fatalf("the dry run created %d records", n)
			}
			real, err := batch.Run(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(dry.Records) != len(real.Records) || dry.Count(outcome.WouldCreate) == 0 {
				t.Fatalf("dry run %d records (%d would create), real run %d", len(dry.Records), dry.Count(outcome.WouldCreate), len(real.Records))
			}
			for i, d := range dry.Records {
				r := real.Records[i]
				if (d.Status == outcome.WouldCreate) != (r.Status == outcome.Created) || d.Key != r.Key || d.Target != r.Target {
					t.Errorf("%s row %d %s: dry run %v, real run %v (%s)", d.Sheet, d.Row, d.Target, d.Status, r.Status, r.Message)
				}
				if d.Status == outcome.Invalid && d.Message != r.Message {
					t.Errorf("row %d: the dry run says %q, the real run %q", d.Row, d.Message, r.Message)
				}
			}
			for i, d := range dry.People {
				if (d.Status == outcome.Ready) != (real.People[i].Status == outcome.AllDone) {
					t.Errorf("%s: dry run %v, real run %v", d.Name, d.Status, real.People[i].Status)
				}
			}
			if c.plan != nil && dry.Count(outcome.Unresolved) != 0 {
				t.Errorf("the sandbox can resolve every Cove role name, yet %d records are unresolved", dry.Count(outcome.Unresolved))
			}
		})
	}
}

// TestDamagedStateIsRestoredOrReconciledNeverForgotten cuts state.db
// short after a run: with the backup the next run restores it and sends
// nothing again; without it the run refuses, and --reconcile looks every
// record up instead of creating it twice.
func TestDamagedStateIsRestoredOrReconciledNeverForgotten(t *testing.T) {
	sb, cfg := startSandbox(t, sandbox.Options{})
	stateDir := t.TempDir()
	first := run(t, cfg, stateDir)
	created := first.Count(outcome.Created)
	db := filepath.Join(stateDir, "state.db")
	// Keep only the two meta pages: every page they point at is gone, so
	// the cut always damages the state. (Half the file, as before, was
	// sometimes only unused space when a busy machine batched the writes
	// into fewer pages, and then there was nothing to restore.)
	cut := func() {
		t.Helper()
		st, err := os.Stat(db)
		if err != nil {
			t.Fatal(err)
		}
		keep := int64(2 * os.Getpagesize())
		if st.Size() <= keep {
			t.Fatalf("state.db is only %d bytes after a run", st.Size())
		}
		if err := os.Truncate(db, keep); err != nil {
			t.Fatal(err)
		}
	}

	cut()
	restored := run(t, cfg, stateDir)
	if len(restored.Notices) == 0 || !strings.Contains(restored.Notices[0], "state.db.bak") {
		t.Errorf("the run must say it used the backup: %q", restored.Notices)
	}
	if restored.Count(outcome.DoneEarlier) != created {
		t.Errorf("after restoring: %d done earlier, want %d", restored.Count(outcome.DoneEarlier), created)
	}
	checkExactlyOnce(t, sb, created)

	cut()
	if err := os.Remove(filepath.Join(stateDir, "state.db.bak")); err != nil {
		t.Fatal(err)
	}
	opt := batch.Options{Input: sample, Config: cfg, StateDir: stateDir, Backoff: fastBackoff}
	_, err := batch.Run(context.Background(), opt)
	var de *state.DamagedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "--reconcile") {
		t.Fatalf("a damaged state without backup: %v, want a DamagedError naming --reconcile", err)
	}
	opt.Reconcile = true
	res, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Count(outcome.Created) + res.Count(outcome.Exists); n != created {
		t.Errorf("reconciled run: %d created or found, want %d", n, created)
	}
	checkExactlyOnce(t, sb, created)
}

// flakyRoles answers Cove role names after failing a number of times with
// a passing vendor error.
type flakyRoles struct {
	fails, calls int
}

func (f *flakyRoles) CoveRoles(context.Context) (map[string]int64, error) {
	f.calls++
	if f.calls <= f.fails {
		return nil, &connector.CallError{Op: "cove: EnumerateUserRoles", Outcome: connector.Outcome{Status: connector.Retryable, Message: "HTTP 503"}}
	}
	return map[string]int64{"Manager": 3, "Administrator": 2, "Operator": 5}, nil
}

func hrOptions(t *testing.T, cfg *config.Config, planText string, roles hires.RoleResolver) batch.Options {
	t.Helper()
	p, err := hires.ParsePlan([]byte(planText), "plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return batch.Options{Input: "../../samples/new-hires.xlsx", Config: cfg, StateDir: t.TempDir(), Plan: p, CredentialsDir: t.TempDir(),
		Backoff: fastBackoff, Roles: roles}
}

func samplePlan(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../samples/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRoleNamesAreRetriedAndAFailureStopsOnlyCove(t *testing.T) {
	_, cfg := startSandbox(t, sandbox.Options{})
	roles := &flakyRoles{fails: 2}
	res, err := batch.Run(context.Background(), hrOptions(t, cfg, samplePlan(t), roles))
	if err != nil {
		t.Fatalf("two passing failures of the role lookup stopped the run: %v", err)
	}
	cove := 0
	for _, r := range res.Records {
		if r.Target == "cove.user" && r.Status == outcome.Created {
			cove++
		}
	}
	if roles.calls != 3 || cove == 0 {
		t.Errorf("lookup called %d times, %d Cove users created; want 3 and some", roles.calls, cove)
	}

	// A lookup that keeps failing stops the Cove accounts only; once they
	// were created, a rerun that cannot look names up reports them done.
	_, fresh := startSandbox(t, sandbox.Options{})
	opt := hrOptions(t, fresh, samplePlan(t), &flakyRoles{fails: 1 << 30})
	down, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range down.Records {
		switch {
		case r.Target == "cove.user" && r.Status.Problem():
			if r.Status != outcome.Failed || !strings.Contains(r.Message, "could not be looked up") {
				t.Errorf("Cove row %d: %v %q", r.Row, r.Status, r.Message)
			}
		case r.Target == "cove.user" && !r.Status.Problem():
			t.Errorf("Cove row %d without its role: %v", r.Row, r.Status)
		case r.Target == "acefone.user" && r.Status != outcome.Created && r.Status != outcome.Invalid:
			t.Errorf("Acefone row %d: %v (%s): the Cove lookup must not stop other systems", r.Row, r.Status, r.Message)
		}
	}
	opt.Roles = &flakyRoles{}
	if _, err := batch.Run(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	opt.Roles = &flakyRoles{fails: 1 << 30}
	again, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again.Records {
		if r.Target == "cove.user" && r.Status.Problem() {
			t.Errorf("Cove row %d was created earlier but is reported %v: %s", r.Row, r.Status, r.Message)
		}
	}
}

// withoutSystems copies an HR workbook with its Systems column emptied.
func withoutSystems(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "Systems")
	if col < 0 {
		t.Fatalf("no Systems column in %v", rows[0])
	}
	for r := 2; r <= len(rows); r++ {
		cell, _ := excelize.CoordinatesToCellName(col+1, r)
		if err := f.SetCellValue(sheet, cell, ""); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "new-hires.xlsx")
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNoRoleLookupWhenNobodyGetsCove(t *testing.T) {
	_, cfg := startSandbox(t, sandbox.Options{})
	text := samplePlan(t)
	for old, repl := range map[string]string{
		"Manager: [netsapiens.user, fonedynamics.login, cove.user]": "Manager: [netsapiens.user, fonedynamics.login]",
		"IT Admin: [netsapiens, cove]":                              "IT Admin: [netsapiens]",
	} {
		if !strings.Contains(text, old) {
			t.Fatalf("the sample plan no longer says %q", old)
		}
		text = strings.Replace(text, old, repl, 1)
	}
	roles := &flakyRoles{fails: 1 << 30}
	opt := hrOptions(t, cfg, text, roles)
	opt.Input = withoutSystems(t, opt.Input) // row 13 asks for +cove
	res, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if roles.calls != 0 {
		t.Errorf("Cove roles were looked up %d times though nobody gets Cove", roles.calls)
	}
	for _, r := range res.Records {
		if r.Target == "cove.user" {
			t.Errorf("row %d got a Cove account", r.Row)
		}
	}
}
