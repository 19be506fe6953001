package dispatch

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
)

// stepClock is a clock that moves only when told: Sleep advances it
// at once, and so may a fake vendor or recorder.
type stepClock struct{ *httpcalltest.Clock }

func (c stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// slowRecorder takes 7 ms of the clock to record each send.
type slowRecorder struct{ clock stepClock }

func (s slowRecorder) Begin(*Job, int) error { s.clock.Advance(7 * time.Millisecond); return nil }
func (s slowRecorder) Finish(Result) error   { return nil }

func TestStatsSayWhereTheLaneIdled(t *testing.T) {
	// One job: a 503 with Retry-After 1 s, a 500, a lost answer, then the
	// lookup finds the record. Each request takes 3 ms, each record 7 ms.
	clock := stepClock{httpcalltest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}
	f := &fakeClient{script: map[string][]step{"a-0": {
		{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 503, RetryAfter: time.Second}},
		{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 500}},
		{out: connector.Outcome{Status: connector.Uncertain}, apply: true},
	}}}
	f.onStart = func(call) { clock.Advance(3 * time.Millisecond) }
	backoff := Backoff{Base: 100 * time.Millisecond}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 1}},
		Recorder: slowRecorder{clock}, Backoff: backoff, Now: clock.Now, Sleep: clock.Sleep, Rand: rand.New(rand.NewPCG(1, 2))}
	got, stats, err := collect(t, context.Background(), d, []*Job{job(0, "a")})
	if err != nil {
		t.Fatal(err)
	}
	if r := got[0]; r.Status != Created || r.Attempts != 3 || r.Lookups != 1 {
		t.Fatalf("result %+v", r)
	}
	u := rand.New(rand.NewPCG(1, 2))
	u.Float64() // the 503's backoff, shorter than its Retry-After
	toRetry, toLookup := backoff.Delay(2, u.Float64()), backoff.Delay(3, u.Float64())

	s := stats.Vendors["a"]
	// Each idle stretch runs from the grant of the job's turn, so it also
	// holds that request's record (7 ms) and answer (3 ms).
	for _, c := range []struct {
		name      string
		got, wait time.Duration
	}{{"WaitRetryAfter", s.WaitRetryAfter, time.Second}, {"WaitBackoff", s.WaitBackoff, toRetry}, {"WaitLost", s.WaitLost, toLookup}} {
		if want := c.wait + 10*time.Millisecond; c.got != want {
			t.Errorf("%s %v, want %v", c.name, c.got, want)
		}
	}
	if s.Starved != 0 || s.WaitOther() < 0 || s.NoneReady != s.WaitRetryAfter+s.WaitBackoff+s.WaitLost+s.WaitOther() {
		t.Errorf("idle does not add up: %+v", s)
	}
	if s.Lost != 1 || s.LostWait != 3*time.Millisecond {
		t.Errorf("lost %d after %v, want 1 after 3ms", s.Lost, s.LostWait)
	}
	if want := toLookup + 3*time.Millisecond; s.Reconcile != want {
		t.Errorf("reconciled in %v, want the wait before the lookup and the lookup, %v", s.Reconcile, want)
	}
	if s.Recording != 21*time.Millisecond {
		t.Errorf("recording %v, want 3 × 7ms", s.Recording)
	}
}

func TestStarvedLaneIsCounted(t *testing.T) {
	// One worker (a lane with few carriers is one whose jobs all wait out
	// backoffs): while a-0 waits out its Retry-After, a-1 sits in the
	// queue with no worker free to take it.
	clock := stepClock{httpcalltest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}
	f := &fakeClient{script: map[string][]step{"a-0": {
		{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 503, RetryAfter: time.Second}},
	}}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 1}},
		Now: clock.Now, Sleep: clock.Sleep}
	r := d.newRun(context.Background())
	defer r.close()
	l := r.lane("a", d.Lanes["a"], 2)
	l.queue <- job(0, "a")
	l.queue <- job(1, "a")
	for range 2 {
		j, ticket, _ := l.next()
		if res := r.process(l, j, ticket); res.Status != Created {
			t.Fatalf("%+v", res)
		}
	}
	if s := l.snapshot(); s.Starved != time.Second || s.NoneReady != time.Second {
		t.Errorf("starved %v, want the 1 s a-1 sat queued behind a-0's wait: %+v", s.Starved, s)
	}
}
