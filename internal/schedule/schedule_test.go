package schedule

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/config"
)

// memStore is a Store in memory, shared across "restarts".
type memStore struct {
	mu sync.Mutex
	m  map[string]State
}

func (m *memStore) Load(name string) (State, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.m[name]
	return st, ok, nil
}

func (m *memStore) Save(name string, st State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]State{}
	}
	m.m[name] = st
	return nil
}

// recorder is a run function that counts runs per trigger.
type recorder struct {
	mu       sync.Mutex
	triggers []string
	release  chan struct{} // when set, each run waits for it
}

func (r *recorder) run(ctx context.Context, sc config.Schedule, trigger string) Result {
	r.mu.Lock()
	r.triggers = append(r.triggers, trigger)
	r.mu.Unlock()
	if r.release != nil {
		<-r.release
	}
	return Result{Outcome: "done", Summary: sc.Name + ": 1 file in done/", RunIDs: []string{"run-1"}}
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.triggers...)
}

func schedules(t *testing.T, text string) []config.Schedule {
	t.Helper()
	path := filepath.Join(t.TempDir(), "onboard.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := config.LoadSchedules(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const every5 = "schedules:\n  - {name: five, cron: \"*/5 * * * *\", time_zone: UTC, inbox: /in}\n"

func newScheduler(t *testing.T, scs []config.Schedule, st Store, r *recorder) *Scheduler {
	t.Helper()
	s, err := New(Options{Schedules: scs, Store: st, Run: r.run})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func at(hh, mm, ss int) time.Time { return time.Date(2026, 11, 30, hh, mm, ss, 0, time.UTC) }

func TestTickRunsWhenDue(t *testing.T) {
	r := &recorder{}
	s := newScheduler(t, schedules(t, every5), &memStore{}, r)
	s.Startup(at(10, 0, 30))
	if len(r.got()) != 0 {
		t.Fatalf("a first start ran %v; nothing was missed", r.got())
	}
	st, _ := s.Status()
	if !st[0].Next.Equal(at(10, 5, 0)) {
		t.Fatalf("next = %s, want 10:05", st[0].Next)
	}
	if wait := s.Tick(at(10, 4, 59)); wait != time.Second || len(r.got()) != 0 {
		t.Fatalf("at 10:04:59: wait %s, runs %v; want 1s and none", wait, r.got())
	}
	if wait := s.Tick(at(10, 5, 0)); wait != 5*time.Minute {
		t.Fatalf("at 10:05 wait = %s, want 5m", wait)
	}
	s.Wait()
	s.Tick(at(10, 5, 30))
	s.Wait()
	if got := r.got(); len(got) != 1 || got[0] != TriggerCron {
		t.Fatalf("runs = %v, want one scheduled run", got)
	}
	st, _ = s.Status()
	if st[0].Last == nil || st[0].Last.Outcome != "done" || st[0].Last.Trigger != TriggerCron || st[0].Running || !st[0].Next.Equal(at(10, 10, 0)) {
		t.Fatalf("status = %+v", st[0])
	}
}

func TestCatchUpOnceAfterRestart(t *testing.T) {
	store := &memStore{}
	scs := schedules(t, every5)
	first := newScheduler(t, scs, store, &recorder{})
	first.Startup(at(10, 0, 0)) // next due 10:05; then the server stops

	r := &recorder{}
	second := newScheduler(t, scs, store, r)
	second.Startup(at(10, 31, 0)) // six runs were missed: one catch-up
	second.Wait()
	if got := r.got(); len(got) != 1 || got[0] != TriggerCatchUp {
		t.Fatalf("runs after restart = %v, want one catch-up", got)
	}
	st, _ := second.Status()
	if !st[0].Next.Equal(at(10, 35, 0)) || st[0].Last.Trigger != TriggerCatchUp {
		t.Fatalf("status = %+v", st[0])
	}
	// The catch-up and its outcome are remembered by the next restart.
	third := newScheduler(t, scs, store, &recorder{})
	st, _ = third.Status()
	if st[0].Last == nil || st[0].Last.Outcome != "done" || st[0].Last.RunIDs[0] != "run-1" || st[0].Last.Ended.IsZero() {
		t.Fatalf("last run after restart = %+v", st[0].Last)
	}
	third.Startup(at(10, 32, 0)) // not missed: 10:35 is still ahead
	third.Wait()
}

func TestNoCatchUpWhenOff(t *testing.T) {
	store := &memStore{}
	scs := schedules(t, "schedules:\n  - {name: five, cron: \"*/5 * * * *\", time_zone: UTC, inbox: /in, catch_up: false}\n")
	newScheduler(t, scs, store, &recorder{}).Startup(at(10, 0, 0))
	r := &recorder{}
	s := newScheduler(t, scs, store, r)
	s.Startup(at(11, 0, 0))
	s.Wait()
	if len(r.got()) != 0 {
		t.Fatalf("catch_up: false ran %v", r.got())
	}
	if st, _ := s.Status(); !st[0].Next.Equal(at(11, 5, 0)) {
		t.Fatalf("next = %s", st[0].Next)
	}
}

func TestChangedCronIsNotAMissedRun(t *testing.T) {
	store := &memStore{}
	newScheduler(t, schedules(t, every5), store, &recorder{}).Startup(at(10, 0, 0))
	r := &recorder{}
	s := newScheduler(t, schedules(t, "schedules:\n  - {name: five, cron: \"0 2 * * *\", time_zone: UTC, inbox: /in}\n"), store, r)
	s.Startup(at(10, 30, 0))
	s.Wait()
	if len(r.got()) != 0 {
		t.Fatalf("a changed expression ran %v at start-up", r.got())
	}
}

func TestRunNow(t *testing.T) {
	r := &recorder{release: make(chan struct{})}
	s := newScheduler(t, schedules(t, every5), &memStore{}, r)
	s.Startup(at(10, 0, 0))
	if err := s.RunNow("nope", "it"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("unknown schedule: %v", err)
	}
	if err := s.RunNow("five", "it"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Status()
	if !st[0].Running || st[0].Last.Outcome != OutcomeRunning || st[0].Last.By != "it" {
		t.Fatalf("while running: %+v", st[0])
	}
	if err := s.RunNow("five", "it"); !errors.Is(err, ErrRunning) {
		t.Fatalf("second run now: %v", err)
	}
	s.Tick(at(10, 5, 0)) // due while running: skipped, not queued
	close(r.release)
	s.Wait()
	if got := r.got(); len(got) != 1 || got[0] != TriggerNow {
		t.Fatalf("runs = %v", got)
	}
	st, _ = s.Status()
	if st[0].Running || st[0].Last.Outcome != "done" || !st[0].Next.Equal(at(10, 10, 0)) {
		t.Fatalf("after: %+v", st[0])
	}
}

func TestARunCutShortByAStopIsShownAsStopped(t *testing.T) {
	store := &memStore{}
	_ = store.Save("five", State{Cron: "*/5 * * * * UTC", Next: at(10, 5, 0), Last: &Run{Trigger: TriggerCron, Started: at(10, 0, 0), Result: Result{Outcome: OutcomeRunning}}})
	s := newScheduler(t, schedules(t, every5), store, &recorder{})
	st, _ := s.Status()
	if st[0].Running || st[0].Last.Outcome != OutcomeStopped {
		t.Fatalf("after a kill during a run: %+v", st[0])
	}
}

func TestStatusChangeWakesWatchers(t *testing.T) {
	s := newScheduler(t, schedules(t, every5), &memStore{}, &recorder{})
	_, changed := s.Status()
	s.Startup(at(10, 0, 0))
	select {
	case <-changed:
	default:
		t.Fatal("Startup did not signal a change")
	}
}
