// Package schedule runs the schedules: of the configuration inside
// `onboard serve`: each schedule's inbox pass at the times of its cron
// expression (github.com/robfig/cron/v3 reads them), once at start-up when
// a run was missed while the server was down (catch_up), and on demand
// ("Run now"). What it remembers per schedule — the next run due and how
// the last one ended — lives in a Store (the server's database), so a
// restart knows what it missed.
//
// The clock is injected (Options.Now, Options.After): tests move time by
// hand and call Tick, never sleep.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/config"
)

// Triggers: what started a run.
const (
	TriggerCron    = "schedule"
	TriggerCatchUp = "catch-up" // a run missed while the server was down
	TriggerNow     = "run now"
)

// Outcomes of a run, besides the history outcomes the run function gives.
const (
	OutcomeRunning = "running"
	OutcomeNoFiles = "no new files"
	OutcomeBusy    = "busy"  // another pass held the inbox
	OutcomeError   = "error" // the pass could not run
	// OutcomeStopped is a run the server stopped during (killed or shut
	// down); the next pass finishes what it left in processing/.
	OutcomeStopped = "stopped"
)

// Run is how one run of a schedule went.
type Run struct {
	Trigger string    `json:"trigger"`
	By      string    `json:"by,omitempty"` // who asked, for "run now"
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	Result
}

// Result is what the run function reports.
type Result struct {
	Outcome string   `json:"outcome"` // done, failed, dry run, no new files, busy, error
	Summary string   `json:"summary,omitempty"`
	RunIDs  []string `json:"run_ids,omitempty"` // the history records of the files it ran
}

// State is what is kept per schedule across restarts.
type State struct {
	Cron string    `json:"cron"` // the expression and zone Next was computed from
	Next time.Time `json:"next"`
	Last *Run      `json:"last,omitempty"`
}

// Store keeps each schedule's State.
type Store interface {
	Load(name string) (State, bool, error)
	Save(name string, st State) error
}

// RunFunc runs one pass of a schedule's inbox. It is called from its own
// goroutine; ctx ends when the server stops.
type RunFunc func(ctx context.Context, s config.Schedule, trigger string) Result

// Options configure a Scheduler.
type Options struct {
	Schedules []config.Schedule
	Store     Store
	Run       RunFunc
	Now       func() time.Time                       // nil = time.Now
	After     func(d time.Duration) <-chan time.Time // nil = time.After
	Logger    *slog.Logger
}

// Status is one schedule as the Schedules page shows it.
type Status struct {
	config.Schedule
	Next    time.Time
	Last    *Run
	Running bool
}

// Errors of RunNow.
var (
	ErrUnknown = errors.New("there is no such schedule")
	ErrRunning = errors.New("this schedule is running now; wait for it to finish")
)

// Scheduler runs the schedules. Start it once; Wait waits for the runs in
// progress after its context ended.
type Scheduler struct {
	opt  Options
	byN  map[string]config.Schedule
	runs sync.WaitGroup

	mu      sync.Mutex
	ctx     context.Context
	states  map[string]*State
	running map[string]bool
	changed chan struct{}
}

// New loads each schedule's state from the store.
func New(opt Options) (*Scheduler, error) {
	if opt.Run == nil || opt.Store == nil {
		return nil, errors.New("schedule: no run function or store")
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{opt: opt, byN: map[string]config.Schedule{}, ctx: context.Background(),
		states: map[string]*State{}, running: map[string]bool{}, changed: make(chan struct{})}
	for _, sc := range opt.Schedules {
		s.byN[sc.Name] = sc
		st, ok, err := opt.Store.Load(sc.Name)
		if err != nil {
			return nil, fmt.Errorf("read the state of schedule %s: %w", sc.Name, err)
		}
		if ok {
			if st.Last != nil && st.Last.Outcome == OutcomeRunning {
				st.Last.Outcome = OutcomeStopped
				st.Last.Summary = "the server stopped during this run; the next run finishes the files it left in processing/"
			}
			s.states[sc.Name] = &st
		}
	}
	return s, nil
}

func (s *Scheduler) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now()
	}
	return time.Now()
}

func (s *Scheduler) after(d time.Duration) <-chan time.Time {
	if s.opt.After != nil {
		return s.opt.After(d)
	}
	return time.After(d)
}

// fingerprint names the expression and zone a Next was computed from.
func fingerprint(sc config.Schedule) string { return sc.Cron + " " + sc.Location.String() }

// Start catches up missed runs and then runs every schedule when due,
// until ctx ends.
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	s.Startup(s.now())
	go s.loop(ctx)
}

// Wait returns when no run is in progress; call it after Start's ctx ended.
func (s *Scheduler) Wait() { s.runs.Wait() }

// Startup computes each schedule's next run at now; a schedule whose
// saved next run has passed (the server was down) runs once now when its
// catch_up is set.
func (s *Scheduler) Startup(now time.Time) {
	for _, sc := range s.opt.Schedules {
		s.mu.Lock()
		st := s.states[sc.Name]
		missed := st != nil && st.Cron == fingerprint(sc) && !st.Next.IsZero() && !st.Next.After(now)
		if st == nil {
			st = &State{}
			s.states[sc.Name] = st
		}
		was := st.Next
		st.Cron, st.Next = fingerprint(sc), sc.Next(now)
		s.save(sc.Name)
		s.mu.Unlock()
		switch {
		case missed && sc.CatchUp:
			s.opt.Logger.Info("schedule missed a run while the server was down: running it now", "schedule", sc.Name, "due", was)
			s.start(sc, TriggerCatchUp, "")
		case missed:
			s.opt.Logger.Info("schedule missed a run while the server was down (catch_up: false)", "schedule", sc.Name, "due", was)
		}
	}
}

// Tick starts every schedule due at now and returns how long until the
// next one is due.
func (s *Scheduler) Tick(now time.Time) time.Duration {
	var due []config.Schedule
	wait := time.Duration(-1)
	s.mu.Lock()
	for _, sc := range s.opt.Schedules {
		st := s.states[sc.Name]
		if st == nil {
			continue
		}
		if !st.Next.After(now) {
			st.Next = sc.Next(now)
			s.save(sc.Name)
			if s.running[sc.Name] {
				s.opt.Logger.Warn("schedule due while its previous run is still going: skipped", "schedule", sc.Name)
			} else {
				due = append(due, sc)
			}
		}
		if d := st.Next.Sub(now); wait < 0 || d < wait {
			wait = d
		}
	}
	s.mu.Unlock()
	for _, sc := range due {
		s.start(sc, TriggerCron, "")
	}
	return wait
}

// loop ticks at every due time (at least once a minute, in case the wall
// clock jumped) until ctx ends.
func (s *Scheduler) loop(ctx context.Context) {
	for {
		wait := s.Tick(s.now())
		if wait < 0 || wait > time.Minute {
			wait = time.Minute
		}
		select {
		case <-ctx.Done():
			return
		case <-s.after(wait):
		}
	}
}

// RunNow starts a run of schedule name at once, asked by by.
func (s *Scheduler) RunNow(name, by string) error {
	sc, ok := s.byN[name]
	if !ok {
		return ErrUnknown
	}
	if !s.start(sc, TriggerNow, by) {
		return ErrRunning
	}
	return nil
}

// start runs sc in its own goroutine unless it is running; false when it
// was.
func (s *Scheduler) start(sc config.Schedule, trigger, by string) bool {
	s.mu.Lock()
	if s.running[sc.Name] {
		s.mu.Unlock()
		return false
	}
	s.running[sc.Name] = true
	ctx := s.ctx
	run := &Run{Trigger: trigger, By: by, Started: s.now(), Result: Result{Outcome: OutcomeRunning}}
	s.stateOf(sc.Name).Last = run
	s.save(sc.Name)
	s.runs.Add(1)
	s.mu.Unlock()
	s.opt.Logger.Info("schedule run started", "schedule", sc.Name, "trigger", trigger, "by", by)
	go func() {
		defer s.runs.Done()
		res := s.opt.Run(ctx, sc, trigger)
		s.finish(sc.Name, run, res)
	}()
	return true
}

// finish records how a run ended.
func (s *Scheduler) finish(name string, run *Run, res Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	done := *run
	done.Result, done.Ended = res, s.now()
	s.stateOf(name).Last = &done
	s.running[name] = false
	s.save(name)
	s.opt.Logger.Info("schedule run ended", "schedule", name, "outcome", res.Outcome, "summary", res.Summary)
}

// stateOf is the state of name, created when missing; s.mu is held.
func (s *Scheduler) stateOf(name string) *State {
	st := s.states[name]
	if st == nil {
		st = &State{}
		s.states[name] = st
	}
	return st
}

// save writes name's state and wakes the watchers; s.mu is held. A store
// error is logged: the schedule goes on.
func (s *Scheduler) save(name string) {
	if err := s.opt.Store.Save(name, *s.states[name]); err != nil {
		s.opt.Logger.Error("save the state of a schedule", "schedule", name, "error", err)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// Status lists every schedule with its next and last run, in
// configuration order, and a channel closed at the next change.
func (s *Scheduler) Status() ([]Status, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.opt.Schedules))
	for _, sc := range s.opt.Schedules {
		st := Status{Schedule: sc, Running: s.running[sc.Name]}
		if x := s.states[sc.Name]; x != nil {
			st.Next = x.Next
			if x.Last != nil {
				last := *x.Last
				st.Last = &last
			}
		}
		out = append(out, st)
	}
	return out, s.changed
}
