package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// The test binary re-executes itself as a child process for the lock and
// crash tests; these variables select the child's role.
const (
	childEnv    = "ONBOARD_STATE_TEST_CHILD"
	childDirEnv = "ONBOARD_STATE_TEST_DIR"
	childTagEnv = "ONBOARD_STATE_TEST_TAG"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "lock":
		lockChild(os.Getenv(childDirEnv))
	case "crash":
		crashChild(os.Getenv(childDirEnv), os.Getenv(childTagEnv))
	}
	os.Exit(m.Run())
}

func child(t *testing.T, role, dir, tag string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, childDirEnv+"="+dir, childTagEnv+"="+tag)
	return cmd
}

// lockChild opens the state and exits 0 if it could, 3 on *LockedError
// (printing it), 4 on any other error.
func lockChild(dir string) {
	s, err := Open(dir, Options{})
	var le *LockedError
	switch {
	case err == nil:
		_ = s.Close()
		os.Exit(0)
	case errors.As(err, &le):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
}

func crashEntry(tag string, w, i int) Entry {
	return Entry{
		Endpoint:    "https://crash.test/" + tag,
		Target:      "t.user",
		Key:         fmt.Sprintf("w%d/%06d", w, i),
		PayloadHash: PayloadHash(map[string]any{"w": int64(w), "i": int64(i)}, nil),
		Message:     strings.Repeat("m", 20+(i*37)%3000), // some entries span overflow pages
		Sheet:       "Users",
		Row:         i + 2,
	}
}

// crashChild writes Begin/Finish pairs from 8 workers forever, printing
// "B w i" once a Begin is durable and "F w i" once a Finish is, until the
// parent kills it.
func crashChild(dir, tag string) {
	s, err := Open(dir, Options{LockTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	var mu sync.Mutex
	say := func(format string, a ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format, a...)
		mu.Unlock()
	}
	for w := 0; w < 8; w++ {
		go func() {
			for i := 0; ; i++ {
				e := crashEntry(tag, w, i)
				if err := s.Begin(e); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(4)
				}
				say("B %d %d\n", w, i)
				e.Status, e.VendorID = "created", fmt.Sprintf("id-%d-%d", w, i)
				if err := s.Finish(e); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(4)
				}
				say("F %d %d\n", w, i)
			}
		}()
	}
	select {}
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestBeginFinish(t *testing.T) {
	clock := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	s, err := Open(t.TempDir(), Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := Entry{Endpoint: "https://ns.test/ns-api/v2", Target: "netsapiens.user", Key: "example.com/101",
		PayloadHash: "h1", Sheet: "Users", Row: 2}
	if _, found, err := s.Get(e.Endpoint, e.Target, e.Key); found || err != nil {
		t.Fatalf("Get before Begin: found=%v err=%v", found, err)
	}
	if err := s.Begin(e); err != nil {
		t.Fatal(err)
	}
	got, found, err := s.Get(e.Endpoint, e.Target, e.Key)
	if err != nil || !found || got.Phase != Sending || got.Attempts != 1 || got.PayloadHash != "h1" || !got.Updated.Equal(clock) {
		t.Fatalf("after Begin: %+v found=%v err=%v", got, found, err)
	}
	clock = clock.Add(time.Second)
	if err := s.Finish(Entry{Endpoint: e.Endpoint, Target: e.Target, Key: e.Key, Status: "created", VendorID: "101"}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = s.Get(e.Endpoint, e.Target, e.Key)
	want := Entry{Endpoint: e.Endpoint, Target: e.Target, Key: e.Key, PayloadHash: "h1", Phase: Done, Status: "created",
		VendorID: "101", Attempts: 1, Sheet: "Users", Row: 2, Updated: clock}
	if got != want {
		t.Fatalf("after Finish:\n got %+v\nwant %+v", got, want)
	}
	e.PayloadHash = "h2"
	if err := s.Begin(e); err != nil {
		t.Fatal(err)
	}
	got, _, _ = s.Get(e.Endpoint, e.Target, e.Key)
	if got.Phase != Sending || got.Attempts != 2 || got.PayloadHash != "h2" {
		t.Fatalf("second Begin: %+v", got)
	}

	// A Finish without a Begin (e.g. found at the vendor by a lookup).
	if err := s.Finish(Entry{Endpoint: e.Endpoint, Target: e.Target, Key: "example.com/102", Status: "exists"}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = s.Get(e.Endpoint, e.Target, "example.com/102")
	if got.Phase != Done || got.Attempts != 0 || got.Status != "exists" {
		t.Fatalf("Finish without Begin: %+v", got)
	}

	var keys []string
	if err := s.All(func(e Entry) error { keys = append(keys, e.Key+":"+string(e.Phase)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "example.com/101:sending,example.com/102:done" {
		t.Errorf("All = %v", keys)
	}
	un, err := s.Unfinished()
	if err != nil || len(un) != 1 || un[0].Key != "example.com/101" {
		t.Errorf("Unfinished = %+v, %v", un, err)
	}
	stop := errors.New("stop")
	if err := s.All(func(Entry) error { return stop }); err != stop {
		t.Errorf("All did not return fn's error: %v", err)
	}
	// fn may write: All must not hold a transaction while calling it.
	if err := s.All(func(e Entry) error { return s.Begin(e) }); err != nil {
		t.Errorf("Begin inside All: %v", err)
	}
}

func TestBadEntries(t *testing.T) {
	s := open(t, t.TempDir())
	for _, e := range []Entry{{Target: "t", Key: "k"}, {Endpoint: "e", Key: "k"}, {Endpoint: "e\x00x", Target: "t"}} {
		if err := s.Begin(e); err == nil {
			t.Errorf("Begin(%+v) accepted", e)
		}
	}
	if _, _, err := s.Get("", "t", "k"); err == nil {
		t.Error("Get without an endpoint accepted")
	}
	// Keys that share prefixes stay apart.
	a := Entry{Endpoint: "e", Target: "t", Key: "a\x00b"}
	b := Entry{Endpoint: "e", Target: "t\x00a", Key: "b"}
	if err := s.Begin(a); err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(b); err == nil {
		t.Error("a target with NUL accepted")
	}
}

func TestFilePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	s.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %04o, want %04o", path, fi.Mode().Perm(), want)
		}
	}
}

func TestSecondOpenRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	start := time.Now()
	_, err := Open(dir, Options{})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open: %v (%T), want *LockedError", err, err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("refusal took %v", el)
	}
	if want := "another onboard run is using state " + dir; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q does not start with %q", err, want)
	}
	s.Close()
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

func TestSecondProcessRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	var stderr bytes.Buffer
	cmd := child(t, "lock", dir, "")
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	var xe *exec.ExitError
	if !errors.As(err, &xe) || xe.ExitCode() != 3 {
		t.Fatalf("child: %v, stderr %q; want exit 3 (locked)", err, stderr.String())
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("child took %v to be refused", el)
	}
	if !strings.Contains(stderr.String(), "another onboard run is using state "+dir) {
		t.Errorf("child said %q", stderr.String())
	}
	s.Close()
	if out, err := child(t, "lock", dir, "").CombinedOutput(); err != nil {
		t.Fatalf("child after Close: %v %s", err, out)
	}
}

func TestNewerVersionRefused(t *testing.T) {
	dir := t.TempDir()
	open(t, dir).Close()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).Put(versionKey, []byte("2"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(dir, Options{})
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Found != 2 || ve.Supported != SchemaVersion {
		t.Fatalf("Open: %v, want *VersionError", err)
	}
	if !strings.Contains(err.Error(), "written by a newer onboard (state version 2; this onboard reads up to 1); upgrade onboard") {
		t.Errorf("message %q", err)
	}
	// The refused store must not be left locked.
	if _, err := Open(dir, Options{}); errors.As(err, new(*LockedError)) {
		t.Error("a refused Open left the state locked")
	}
}

func TestNotAStateFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "if it is not an onboard state file, move it away") {
		t.Fatalf("Open = %v", err)
	}
}

func TestSecretsNeverStored(t *testing.T) {
	target := registry.Target("fonedynamics.login")
	if target == nil {
		t.Fatal("no fonedynamics.login target")
	}
	rec := schema.NewRecord(target)
	rec.Set("PropertySid", "S1234")
	rec.Set("Email", "jane@example.com")
	rec.Set("Password", "S3cret!pw")
	rec.Set("FirstName", "Jane")
	rec.Set("LastName", "Smith")
	rec.Set("Scopes", []string{"Reporting"})

	dir := t.TempDir()
	s := open(t, dir)
	e := Entry{Endpoint: "https://fd.test", Target: target.ID, Key: rec.Key(), PayloadHash: RecordHash(rec), Sheet: "Logins", Row: 2}
	if err := s.Begin(e); err != nil {
		t.Fatal(err)
	}
	e.Status, e.VendorID, e.Message = "created", "OL123", "created"
	if err := s.Finish(e); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(rec.Key())) {
		t.Fatal("the entry is not in the file at all; the check below would prove nothing")
	}
	if bytes.Contains(raw, []byte("S3cret!pw")) {
		t.Error("the database file contains the password")
	}
}

func TestPayloadHash(t *testing.T) {
	body := func(pw string) map[string]any {
		m := map[string]any{"Email": "a@b.c", "Scopes": "Reporting", "n": int64(1), "ids": []int64{1, 2},
			"meta": json.RawMessage(`{"b": 1, "a": [true, "x"]}`)}
		if pw != "" {
			m["Password"] = pw
		}
		return m
	}
	secret := []string{"Password"}
	h := PayloadHash(body("one"), secret)
	if len(h) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", h)
	}
	if PayloadHash(body("two"), secret) != h {
		t.Error("the hash depends on the secret's value")
	}
	if PayloadHash(body(""), secret) == h {
		t.Error("the hash does not note whether a secret was sent")
	}
	if PayloadHash(body("one"), nil) == h {
		t.Error("secretKeys ignored")
	}
	respaced := body("one")
	respaced["meta"] = json.RawMessage(`{"a":[true,"x"],"b":1}`)
	if PayloadHash(respaced, secret) != h {
		t.Error("key order or spacing inside a JSON value changes the hash")
	}
	changed := body("one")
	changed["Email"] = "x@b.c"
	if PayloadHash(changed, secret) == h {
		t.Error("a changed value leaves the hash unchanged")
	}
	typed := body("one")
	typed["n"] = "1"
	if PayloadHash(typed, secret) == h {
		t.Error("1 and \"1\" hash alike")
	}

	target := registry.Target("cove.user")
	rec := schema.NewRecord(target)
	rec.Set("PartnerId", int64(5))
	rec.Set("Name", "a@b.c")
	rec.Set("Password", "S3cret!pw")
	if RecordHash(rec) != PayloadHash(rec.Redacted(), nil) {
		t.Error("RecordHash differs from the hash of the redacted body")
	}
}

func TestConcurrentWriters(t *testing.T) {
	s := open(t, t.TempDir())
	const workers, each = 32, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				e := Entry{Endpoint: "https://c.test", Target: "t", Key: fmt.Sprintf("%d/%d", w, i)}
				if err := s.Begin(e); err != nil {
					errs <- err
					return
				}
				e.Status = "created"
				if err := s.Finish(e); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	if err := s.All(func(e Entry) error {
		n++
		if e.Phase != Done || e.Attempts != 1 || e.Status != "created" {
			return fmt.Errorf("entry %+v", e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != workers*each {
		t.Errorf("%d entries, want %d", n, workers*each)
	}
}

// TestKilledMidWrite kills a child process that is writing with SIGKILL,
// reopens the state and checks that every entry is whole, every write the
// child saw complete is there, and no Finish is stored without its Begin.
func TestKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	for round, wait := range []int{150, 400, 40} {
		tag := fmt.Sprint(round)
		acked := crashRound(t, dir, tag, wait)
		s := open(t, dir)
		checkCrashRound(t, s, tag, acked)
		s.Close()
	}
}

type ack struct {
	begun, finished map[[2]int]bool
}

func crashRound(t *testing.T, dir, tag string, lines int) ack {
	t.Helper()
	cmd := child(t, "crash", dir, tag)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := ack{begun: map[[2]int]bool{}, finished: map[[2]int]bool{}}
	var seen atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var op string
			var w, i int
			if _, err := fmt.Sscanf(sc.Text(), "%s %d %d", &op, &w, &i); err != nil {
				continue
			}
			if op == "B" {
				a.begun[[2]int{w, i}] = true
			} else {
				a.finished[[2]int{w, i}] = true
			}
			seen.Add(1)
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for seen.Load() < int64(lines) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-done
	err = cmd.Wait()
	var xe *exec.ExitError
	if !errors.As(err, &xe) || xe.ExitCode() != -1 {
		t.Fatalf("child was not killed mid-run: %v; stderr %q", err, stderr.String())
	}
	if len(a.begun) == 0 {
		t.Fatalf("child wrote nothing before the kill; stderr %q", stderr.String())
	}
	return a
}

func checkCrashRound(t *testing.T, s *Store, tag string, a ack) {
	t.Helper()
	byWorker := map[int][]Entry{}
	if err := s.All(func(e Entry) error {
		if e.Endpoint != "https://crash.test/"+tag {
			return nil
		}
		var w, i int
		if _, err := fmt.Sscanf(e.Key, "w%d/%d", &w, &i); err != nil {
			t.Errorf("key %q", e.Key)
			return nil
		}
		want := crashEntry(tag, w, i)
		if e.PayloadHash != want.PayloadHash || e.Message != want.Message || e.Sheet != want.Sheet || e.Row != want.Row || e.Attempts != 1 {
			t.Errorf("entry %s is not whole: %+v", e.Key, e)
		}
		switch e.Phase {
		case Done:
			if e.Status != "created" || e.VendorID != fmt.Sprintf("id-%d-%d", w, i) {
				t.Errorf("done entry %s lacks its outcome: %+v", e.Key, e)
			}
		case Sending:
			if e.Status != "" || e.VendorID != "" {
				t.Errorf("sending entry %s has an outcome: %+v", e.Key, e)
			}
			if a.finished[[2]int{w, i}] {
				t.Errorf("entry %s: the child saw its Finish complete but it is lost", e.Key)
			}
		default:
			t.Errorf("entry %s phase %q", e.Key, e.Phase)
		}
		byWorker[w] = append(byWorker[w], e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for w, es := range byWorker {
		total += len(es)
		for i, e := range es { // All returns them in key order: i = 0, 1, 2, ...
			if want := fmt.Sprintf("w%d/%06d", w, i); e.Key != want {
				t.Errorf("worker %d: entry %d is %s; a gap means a later Begin was stored without an earlier one", w, i, e.Key)
				break
			}
			if e.Phase == Sending && i != len(es)-1 {
				t.Errorf("worker %d: %s is unfinished but the worker went on to later records", w, e.Key)
			}
		}
	}
	for k := range a.begun {
		found := false
		for _, e := range byWorker[k[0]] {
			if e.Key == fmt.Sprintf("w%d/%06d", k[0], k[1]) {
				found = true
			}
		}
		if !found {
			t.Errorf("Begin of w%d/%d was acknowledged but is not stored", k[0], k[1])
		}
	}
	t.Logf("round %s: %d entries after the kill (%d begins, %d finishes acknowledged)", tag, total, len(a.begun), len(a.finished))
}

// BenchmarkBeginFinish measures durable Begin+Finish pairs per second with
// 32 concurrent workers, fsync on, for the default batch delay and others.
func BenchmarkBeginFinish(b *testing.B) {
	for _, d := range []time.Duration{DefaultBatchDelay, 500 * time.Microsecond, 2 * time.Millisecond, 10 * time.Millisecond} {
		b.Run("delay="+d.String(), func(b *testing.B) { benchmarkBeginFinish(b, d) })
	}
}

func benchmarkBeginFinish(b *testing.B, delay time.Duration) {
	s, err := Open(b.TempDir(), Options{BatchDelay: delay})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				e := Entry{Endpoint: "https://bench.test", Target: "t", Key: fmt.Sprint(n), PayloadHash: "h"}
				if err := s.Begin(e); err != nil {
					b.Error(err)
					return
				}
				e.Status = "created"
				if err := s.Finish(e); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
