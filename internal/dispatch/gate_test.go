package dispatch

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/connector"
)

func TestGateGrantsJobsUnderWayBeforeFirstRequests(t *testing.T) {
	g := newGate(1, time.Now)
	first, second := g.enter(false, fresh), g.enter(false, fresh)
	retry := g.enter(true, retryAfter)
	for i, want := range []struct {
		ch  chan struct{}
		why readiness
	}{{retry, retryAfter}, {first, fresh}, {second, fresh}} {
		got, ok := g.grant(false)
		if !ok {
			t.Fatalf("grant %d found nobody waiting", i+1)
		}
		select {
		case <-want.ch:
		default:
			t.Fatalf("grant %d went to the wrong job; a retry goes first, then first requests in arrival order", i+1)
		}
		if got.why != want.why {
			t.Errorf("grant %d says the job waited for %d, want %d", i+1, got.why, want.why)
		}
	}
	if _, ok := g.grant(false); ok {
		t.Error("a grant with nobody waiting")
	}
}

func TestGateLeaveAfterGrantKeepsTheTurn(t *testing.T) {
	g := newGate(1, time.Now)
	a, b := g.enter(false, fresh), g.enter(false, fresh)
	g.grant(false)
	if g.leave(a) {
		t.Error("a granted job could leave as if it had not been granted")
	}
	if !g.leave(b) {
		t.Error("a waiting job could not leave")
	}
	if g.anyWaiting() {
		t.Error("jobs still waiting after both were settled")
	}
}

// blockingSleep holds every backoff until release is closed.
type blockingSleep struct{ release chan struct{} }

func (s blockingSleep) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestJobWaitingOutRetryAfterDoesNotIdleTheLane(t *testing.T) {
	// One request in flight at a time; a-0 is told to come back after a
	// minute. The other jobs go meanwhile; a-0's wait ends only when they
	// have all been sent (the fake Sleep), so with a worker held by the
	// wait the run could not finish.
	busy := connector.Outcome{Status: connector.Retryable, HTTPStatus: 503, RetryAfter: time.Minute, Message: "busy"}
	sl := blockingSleep{release: make(chan struct{})}
	f := &fakeClient{script: map[string][]step{"a-0": {{out: busy}}}}
	sent := 0
	f.onStart = func(c call) {
		if sent++; sent == 4 { // a-0, then a-1..a-3
			close(sl.release)
		}
	}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 1}}, Sleep: sl.Sleep}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, stats, err := collect(t, ctx, d, []*Job{job(0, "a"), job(1, "a"), job(2, "a"), job(3, "a")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if r := got[i]; r.Status != Created {
			t.Errorf("job %d: %v %q", i, r.Status, r.Message)
		}
	}
	calls := f.snapshot()
	if len(calls) != 5 || calls[0].key != "a-0" || calls[4].key != "a-0" {
		t.Errorf("requests %v; a-0 first, the others while it waits, then a-0 again", keys(calls))
	}
	if s := stats.Vendors["a"]; s.Pauses != 0 || s.Concurrency != 1 {
		t.Errorf("a 503's Retry-After paused the lane or the cap changed: %+v", s)
	}
}

func keys(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.key)
	}
	return out
}
