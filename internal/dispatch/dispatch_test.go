package dispatch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/connector"
)

// checkRate fails when any window between two requests holds more than
// burst + rate × (window + 50 ms) requests. The 50 ms absorbs scheduling
// noise on a loaded machine: the fake stamps a request a moment after the
// limiter let it go, so delayed requests can bunch up with punctual ones.
// Without the limiter every request lands within a few milliseconds.
func checkRate(t *testing.T, calls []call, r float64, burst int) {
	t.Helper()
	const noise = 50 * time.Millisecond
	for i := range calls {
		for j := i; j < len(calls); j++ {
			window := calls[j].start.Sub(calls[i].start)
			if n, allowed := j-i+1, float64(burst)+r*(window+noise).Seconds(); float64(n) > allowed {
				t.Fatalf("%d requests within %v; a rate of %.0f/s with burst %d allows %.1f", n, window, r, burst, allowed)
			}
		}
	}
}

func TestRateIsSharedByWorkersTargetsAndLookups(t *testing.T) {
	f := &fakeClient{}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: 50, Burst: 2, Concurrency: 8}}}
	var jobs []*Job
	for i := range 20 {
		j := job(i, "a")
		if i%2 == 0 {
			j.Record = record(siteTarget, fmt.Sprintf("site-%d", i))
			j.Reconcile = true // a Lookup, then a Create: both wait for the limiter
		}
		jobs = append(jobs, j)
	}
	got, stats, err := collect(t, context.Background(), d, jobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r.Status != Created {
			t.Errorf("job %d: %v %q", r.Job.Index, r.Status, r.Message)
		}
	}
	calls := f.snapshot()
	if len(calls) != 30 {
		t.Fatalf("%d requests, want 20 creates + 10 lookups", len(calls))
	}
	checkRate(t, calls, 50, 2)
	if s := stats.Vendors["a"]; s.Requests != 30 || s.Lookups != 10 || s.Creates != 20 || s.Jobs != 20 || s.Outcomes[Created] != 20 {
		t.Errorf("stats %+v", s)
	}
}

func TestConcurrencyCapIsNeverExceeded(t *testing.T) {
	f := &fakeClient{latency: 10 * time.Millisecond}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 3}}}
	var jobs []*Job
	for i := range 30 {
		jobs = append(jobs, job(i, "a"))
	}
	collect(t, context.Background(), d, jobs)
	if f.maxInflight != 3 {
		t.Errorf("at most %d requests in flight, want exactly the cap of 3", f.maxInflight)
	}
}

func TestRetryAfterPausesTheWholeLaneOnly(t *testing.T) {
	const pause = 300 * time.Millisecond
	a := &fakeClient{latency: 5 * time.Millisecond, script: map[string][]step{
		"a-0": {{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 429, Message: "too many requests", RetryAfter: pause}}},
	}}
	b := &fakeClient{}
	d := &Dispatcher{Lanes: map[string]*Lane{
		"a": {Client: a, Rate: 100, Burst: 4, Concurrency: 4},
		"b": {Client: b, Rate: 50, Concurrency: 2},
	}}
	var jobs []*Job
	for i := range 12 {
		jobs = append(jobs, job(i, "a"))
	}
	for i := 100; i < 120; i++ {
		jobs = append(jobs, job(i, "b"))
	}
	got, stats, _ := collect(t, context.Background(), d, jobs)
	for _, r := range got {
		if r.Status != Created {
			t.Errorf("job %d: %v %q", r.Job.Index, r.Status, r.Message)
		}
	}
	if r := got[0]; r.Attempts != 2 {
		t.Errorf("throttled job took %d attempts, want 2", r.Attempts)
	}
	var throttled time.Time
	for _, c := range a.snapshot() {
		if c.out.HTTPStatus == 429 {
			throttled = c.end
		}
	}
	during := func(calls []call) (n int) {
		for _, c := range calls {
			if c.start.After(throttled) && c.start.Before(throttled.Add(pause)) {
				n++
			}
		}
		return n
	}
	// One request may slip between the 429 answer and the pause taking
	// effect; without a lane-wide pause about 30 would go out.
	if n := during(a.snapshot()); n > 1 {
		t.Errorf("%d requests to the throttled vendor during its Retry-After pause", n)
	}
	if n := during(b.snapshot()); n < 5 {
		t.Errorf("only %d requests to the other vendor during the pause; it should carry on at its rate", n)
	}
	checkRate(t, a.snapshot(), 100, 4)
	// It resumes at its rate, without the burst of 4 saved up while paused:
	// in the first 25 ms at 100/s at most 3 tokens come due.
	resumed := 0
	for _, c := range a.snapshot() {
		if c.start.After(throttled.Add(pause)) && c.start.Before(throttled.Add(pause+25*time.Millisecond)) {
			resumed++
		}
	}
	if resumed > 3 {
		t.Errorf("%d requests in the first 25 ms after the pause; the lane should resume at its rate", resumed)
	}
	if s := stats.Vendors["a"]; s.Throttled != 1 || s.Pauses != 1 || s.Paused < pause-time.Millisecond || s.Retries != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestRetryableGivesUpAfterMaxAttempts(t *testing.T) {
	unavailable := step{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 503, Message: "service unavailable"}}
	f := &fakeClient{script: map[string][]step{"a-0": {unavailable, unavailable, unavailable, unavailable, unavailable, unavailable}}}
	sl := &sleepLog{}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, MaxAttempts: 5}},
		Sleep: sl.Sleep, Rand: rand.New(rand.NewPCG(1, 2))}
	got, stats, _ := collect(t, context.Background(), d, []*Job{job(0, "a")})
	r := got[0]
	if r.Status != Failed || r.Message != "gave up after 5 attempts: 503 service unavailable" || r.Attempts != 5 || r.Uncertain {
		t.Errorf("got %v %q attempts %d uncertain %v", r.Status, r.Message, r.Attempts, r.Uncertain)
	}
	if n := f.createCount(); n != 5 {
		t.Errorf("%d creates sent, want 5", n)
	}
	delays := sl.all()
	if len(delays) != 4 {
		t.Fatalf("%d backoff waits, want 4: %v", len(delays), delays)
	}
	for i, dl := range delays {
		if ceiling := (Backoff{}).Ceiling(i + 1); dl < 0 || dl > ceiling {
			t.Errorf("wait %d is %v, outside [0, %v]", i+1, dl, ceiling)
		}
	}
	if s := stats.Vendors["a"]; s.Retries != 4 || s.Creates != 5 {
		t.Errorf("stats %+v", s)
	}
}

func TestRetryAfterLongerThanBackoffIsHonoured(t *testing.T) {
	f := &fakeClient{script: map[string][]step{"a-0": {
		{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 503, RetryAfter: 3 * time.Second}},
	}}}
	sl := &sleepLog{}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf}}, Sleep: sl.Sleep}
	got, _, _ := collect(t, context.Background(), d, []*Job{job(0, "a")})
	if got[0].Status != Created {
		t.Fatalf("got %v %q", got[0].Status, got[0].Message)
	}
	longest := time.Duration(0)
	for _, dl := range sl.all() {
		longest = max(longest, dl)
	}
	if longest < 3*time.Second {
		t.Errorf("waited at most %v before the retry, want the vendor's 3s Retry-After", longest)
	}
}

func TestBackoffGrowsWithFullJitter(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Cap: time.Second}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if c := b.Ceiling(i + 1); c != w*time.Millisecond {
			t.Errorf("ceiling of retry %d = %v, want %v", i+1, c, w*time.Millisecond)
		}
	}
	if b.Ceiling(200) != time.Second {
		t.Errorf("ceiling does not stay at the cap for late retries: %v", b.Ceiling(200))
	}
	if (Backoff{}).Ceiling(1) != DefaultBackoffBase || (Backoff{}).Ceiling(30) != DefaultBackoffCap {
		t.Error("zero Backoff does not use the defaults")
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for n := 1; n <= 5; n++ {
		c := b.Ceiling(n)
		lo, hi := c, time.Duration(0)
		for range 200 {
			d := b.Delay(n, rng.Float64())
			if d < 0 || d > c {
				t.Fatalf("retry %d waited %v, outside [0, %v]", n, d, c)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo > c/10 || hi < c*9/10 {
			t.Errorf("retry %d: waits span only [%v, %v] of [0, %v]; jitter is not full", n, lo, hi, c)
		}
	}
}

func TestLostAnswerIsLookedUpNotResent(t *testing.T) {
	lost := connector.Outcome{Status: connector.Uncertain, Message: "connection reset after sending"}
	f := &fakeClient{script: map[string][]step{
		"a-0": {{out: lost, apply: true}},  // applied: the lookup finds it
		"a-1": {{out: lost, apply: false}}, // not applied: the lookup says not found, so send again
	}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf}}, Sleep: (&sleepLog{}).Sleep}
	got, stats, _ := collect(t, context.Background(), d, []*Job{job(0, "a"), job(1, "a")})
	if r := got[0]; r.Status != Created || r.ID != "id-a-0" || r.Message != "confirmed by lookup after a lost answer" ||
		r.Attempts != 1 || r.Lookups != 1 || r.Uncertain {
		t.Errorf("applied: %+v", r)
	}
	if r := got[1]; r.Status != Created || r.Attempts != 2 || r.Lookups != 1 || r.Uncertain {
		t.Errorf("not applied: %+v", r)
	}
	if f.creates["a-0"] != 1 || f.creates["a-1"] != 2 {
		t.Errorf("creates per key %v; the applied record must be sent once", f.creates)
	}
	if s := stats.Vendors["a"]; s.Lookups != 2 || s.Creates != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestLostAnswerWithoutLookupReliesOnDuplicateAnswer(t *testing.T) {
	lost := connector.Outcome{Status: connector.Uncertain, Message: "timeout awaiting answer"}
	f := &fakeClient{noLookup: true, script: map[string][]step{
		"a-0": {{out: lost, apply: true}},
		"a-1": {{out: lost, apply: false}},
	}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 1}}, Sleep: (&sleepLog{}).Sleep}
	got, _, _ := collect(t, context.Background(), d, []*Job{job(0, "a"), job(1, "a")})
	if r := got[0]; r.Status != Created || r.ID != "id-a-0" || r.Attempts != 2 || r.Uncertain ||
		r.Message != "confirmed by the vendor's duplicate answer after a lost answer" {
		t.Errorf("applied: %+v", r)
	}
	if r := got[1]; r.Status != Created || r.Attempts != 2 || r.Uncertain || r.Message != "" {
		t.Errorf("not applied: %+v", r)
	}
	// The vendor said once that it has no lookup; it is not asked again.
	if f.creates["a-0"] != 2 || f.creates["a-1"] != 2 || f.lookupN["a-0"]+f.lookupN["a-1"] != 1 {
		t.Errorf("creates %v lookups %v", f.creates, f.lookupN)
	}
}

func TestLostAnswersExhaustedStayUncertain(t *testing.T) {
	lost := step{out: connector.Outcome{Status: connector.Uncertain, Message: "timeout awaiting answer"}}
	f := &fakeClient{noLookup: true, script: map[string][]step{"a-0": {lost, lost, lost}}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, MaxAttempts: 3}}, Sleep: (&sleepLog{}).Sleep}
	got, _, _ := collect(t, context.Background(), d, []*Job{job(0, "a")})
	r := got[0]
	if r.Status != Failed || !r.Uncertain || r.Attempts != 3 ||
		r.Message != "gave up after 3 attempts: timeout awaiting answer (an answer was lost, so the record may exist)" {
		t.Errorf("got %+v", r)
	}
}

func TestLookupFailuresAreRetriedThenLeftUncertain(t *testing.T) {
	busy := connector.Outcome{Status: connector.Retryable, HTTPStatus: 502, Message: "bad gateway"}
	f := &fakeClient{
		script:  map[string][]step{"a-0": {{out: connector.Outcome{Status: connector.Uncertain}, apply: true}}},
		lookups: map[string][]connector.Outcome{"a-0": {busy, busy}, "a-1": {busy, busy, busy}},
	}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, MaxAttempts: 3}}, Sleep: (&sleepLog{}).Sleep}
	j1 := job(1, "a")
	j1.Reconcile = true
	got, _, _ := collect(t, context.Background(), d, []*Job{job(0, "a"), j1})
	if r := got[0]; r.Status != Created || r.Lookups != 3 || r.Attempts != 1 {
		t.Errorf("third lookup should confirm: %+v", r)
	}
	if r := got[1]; r.Status != Failed || !r.Uncertain || r.Attempts != 0 || r.Lookups != 3 ||
		r.Message != "could not confirm whether the record was created: gave up after 3 lookups: 502 bad gateway" {
		t.Errorf("got %+v", r)
	}
	if f.creates["a-1"] != 0 {
		t.Error("an unconfirmed record was sent again")
	}
}

func TestReconcileLooksUpFirst(t *testing.T) {
	f := &fakeClient{stored: map[string]string{"a-0": "id-a-0"}, creates: map[string]int{}, lookupN: map[string]int{}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf}}}
	j0, j1 := job(0, "a"), job(1, "a")
	j0.Reconcile, j1.Reconcile = true, true
	got, _, _ := collect(t, context.Background(), d, []*Job{j0, j1})
	if r := got[0]; r.Status != Created || r.ID != "id-a-0" || r.Attempts != 0 || r.Lookups != 1 ||
		r.Message != "confirmed by lookup after an earlier run lost the answer" {
		t.Errorf("present: %+v", r)
	}
	if r := got[1]; r.Status != Created || r.Attempts != 1 || r.Lookups != 1 || r.Uncertain {
		t.Errorf("absent: %+v", r)
	}
	if f.creates["a-0"] != 0 || f.creates["a-1"] != 1 {
		t.Errorf("creates %v", f.creates)
	}
}

func TestAnswersMapToStatuses(t *testing.T) {
	f := &fakeClient{script: map[string][]step{
		"a-1": {{out: connector.Outcome{Status: connector.Exists, ID: "x1", HTTPStatus: 409, Message: "user exists"}}},
		"a-2": {{out: connector.Outcome{Status: connector.Invalid, HTTPStatus: 400, Message: "extension must be 3-6 digits"}}},
	}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf}}}
	got, stats, _ := collect(t, context.Background(), d, []*Job{job(0, "a"), job(1, "a"), job(2, "a"), job(3, "nowhere")})
	if r := got[0]; r.Status != Created || r.ID != "id-a-0" || r.HTTPStatus != 201 {
		t.Errorf("created: %+v", r)
	}
	if r := got[1]; r.Status != Exists || r.ID != "x1" || r.Message != "user exists" {
		t.Errorf("exists: %+v", r)
	}
	if r := got[2]; r.Status != Invalid || r.Message != "extension must be 3-6 digits" || r.Attempts != 1 {
		t.Errorf("invalid: %+v", r)
	}
	if r := got[3]; r.Status != NotSent || r.Message != `not sent: no connection is configured for vendor "nowhere"` {
		t.Errorf("no lane: %+v", r)
	}
	if stats.Outcomes[Created] != 1 || stats.Outcomes[Exists] != 1 || stats.Outcomes[Invalid] != 1 || stats.Outcomes[NotSent] != 1 {
		t.Errorf("outcomes %v", stats.Outcomes)
	}
}

func TestAuthFailureStopsOnlyThatVendor(t *testing.T) {
	a := &fakeClient{latency: 20 * time.Millisecond, delay: map[string]time.Duration{"a-0": 0}, script: map[string][]step{
		"a-0": {{out: connector.Outcome{Status: connector.Auth, HTTPStatus: 401, Message: "token expired"}}},
	}}
	// a-0 and a-1 go out together (two places); a-0's refusal comes only
	// once a-1 has started, so a request that starts after it is one the
	// lane let out after learning of the refusal, not a slow goroutine.
	a1Started := make(chan struct{})
	a.onStart = func(c call) {
		switch c.key {
		case "a-1":
			close(a1Started)
		case "a-0":
			select {
			case <-a1Started:
			case <-time.After(10 * time.Second):
				t.Error("a-1 did not start while a-0 was in flight")
			}
		}
	}
	b := &fakeClient{latency: time.Millisecond}
	d := &Dispatcher{Lanes: map[string]*Lane{
		"a": {Client: a, Rate: rate.Inf, Concurrency: 2},
		"b": {Client: b, Rate: rate.Inf, Concurrency: 2},
	}}
	var jobs []*Job
	for i := range 10 {
		jobs = append(jobs, job(i, "a"), job(100+i, "b"))
	}
	got, _, _ := collect(t, context.Background(), d, jobs)
	if r := got[0]; r.Status != Failed || r.Message != "authentication failed: 401 token expired" {
		t.Errorf("refused job: %+v", r)
	}
	calls := a.snapshot()
	var refused time.Time
	for _, c := range calls {
		if c.out.Status == connector.Auth {
			refused = c.end
		}
	}
	for _, c := range calls {
		if c.start.After(refused) {
			t.Errorf("request for %s started after the vendor refused the credentials", c.key)
		}
	}
	if len(calls) > 2 {
		t.Errorf("%d requests to the refusing vendor; only those in flight may finish", len(calls))
	}
	notSent := 0
	for i := 1; i < 10; i++ {
		switch r := got[i]; r.Status {
		case NotSent:
			notSent++
			if r.Message != "not sent: authentication failed: 401 token expired" || r.Attempts != 0 {
				t.Errorf("job %d: %+v", i, r)
			}
		case Created: // was in flight
		default:
			t.Errorf("job %d: %+v", i, r)
		}
	}
	if notSent < 8 {
		t.Errorf("%d jobs not sent, want at least 8", notSent)
	}
	for i := 100; i < 110; i++ {
		if got[i].Status != Created {
			t.Errorf("other vendor's job %d: %+v", i, got[i])
		}
	}
}

func TestSitesGoBeforeTheirUsers(t *testing.T) {
	f := &fakeClient{latency: 30 * time.Millisecond}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 4}}}
	site := &Job{Index: 0, Vendor: "a", Record: record(siteTarget, "hq")}
	jobs := []*Job{job(3, "a", 0), job(1, "a", 0), site, job(2, "a", 0)}
	got, _, _ := collect(t, context.Background(), d, jobs)
	var siteDone time.Time
	for _, c := range f.snapshot() {
		if c.key == "hq" {
			siteDone = c.end
		}
	}
	for _, c := range f.snapshot() {
		if c.key != "hq" && c.start.Before(siteDone) {
			t.Errorf("user %s sent before its site was created", c.key)
		}
	}
	for i := range 4 {
		if got[i].Status != Created {
			t.Errorf("job %d: %+v", i, got[i])
		}
	}
}

func TestUsersOfAFailedSiteAreNotSent(t *testing.T) {
	f := &fakeClient{script: map[string][]step{
		"hq": {{out: connector.Outcome{Status: connector.Invalid, HTTPStatus: 400, Message: "domain not found"}}},
	}}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf}}}
	site := &Job{Index: 0, Vendor: "a", Record: record(siteTarget, "hq")}
	jobs := []*Job{site, job(1, "a", 0), job(2, "a", 1), job(3, "a"), job(4, "a", 0, 3)}
	got, _, _ := collect(t, context.Background(), d, jobs)
	if r := got[1]; r.Status != NotSent || r.Message != "not sent: site 'hq' was not created (invalid: domain not found)" {
		t.Errorf("user of the site: %+v", r)
	}
	if r := got[2]; r.Status != NotSent || r.Message != "not sent: user 'a-1' was not created (not sent: site 'hq' was not created (invalid: domain not found))" {
		t.Errorf("chained: %q", r.Message)
	}
	if got[3].Status != Created || got[4].Status != NotSent {
		t.Errorf("independent %v, two dependencies %v", got[3].Status, got[4].Status)
	}
	if f.createCount() != 2 {
		t.Errorf("%d creates; only the site and the independent user should be sent", f.createCount())
	}
}

func TestUnorderablePlansAreNotSent(t *testing.T) {
	f := &fakeClient{}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf}}}
	jobs := []*Job{job(0, "a", 1), job(1, "a", 0), job(2, "a", 9), job(3, "a", 3), job(4, "a")}
	got, _, _ := collect(t, context.Background(), d, jobs)
	want := map[int]string{
		0: "not sent: its 'after' dependencies form a cycle",
		1: "not sent: its 'after' dependencies form a cycle",
		2: "not sent: it must follow job 9, which is not in this run",
		3: "not sent: the job is listed as its own dependency",
	}
	for i, msg := range want {
		if got[i].Status != NotSent || got[i].Message != msg {
			t.Errorf("job %d: %v %q, want %q", i, got[i].Status, got[i].Message, msg)
		}
	}
	if got[4].Status != Created || f.createCount() != 1 {
		t.Errorf("the orderable job: %+v, creates %d", got[4], f.createCount())
	}
}

func TestCancelLetsInFlightFinishAndSendsNothingNew(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt atomic.Pointer[time.Time]
	var once sync.Once
	f := &fakeClient{latency: 100 * time.Millisecond}
	f.onStart = func(call) {
		once.Do(func() {
			time.Sleep(10 * time.Millisecond) // let the second worker start too
			now := time.Now()
			cancelledAt.Store(&now)
			cancel()
		})
	}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 2}}, Grace: 5 * time.Second}
	var jobs []*Job
	for i := range 20 {
		jobs = append(jobs, job(i, "a"))
	}
	got, _, err := collect(t, ctx, d, jobs)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.snapshot()
	for _, c := range calls {
		if c.start.After(*cancelledAt.Load()) {
			t.Errorf("request for %s started after the cancel", c.key)
		}
	}
	created, notSent := 0, 0
	for _, r := range got {
		switch {
		case r.Status == Created:
			created++
		case r.Status == NotSent && r.Message == "not sent: interrupted":
			notSent++
		default:
			t.Errorf("job %d: %+v", r.Job.Index, r)
		}
	}
	if created != len(calls) || created == 0 || created > 2 || notSent != 20-created {
		t.Errorf("%d created, %d not sent, %d requests: in-flight requests should finish, the rest not be sent", created, notSent, len(calls))
	}
}

func TestGraceEndsStuckRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeClient{block: true}
	f.onStart = func(call) { cancel() }
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 1}}, Grace: 50 * time.Millisecond}
	start := time.Now()
	got, _, _ := collect(t, ctx, d, []*Job{job(0, "a"), job(1, "a")})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Run took %v after a cancel with a 50ms grace", took)
	}
	if r := got[0]; r.Status != Failed || !r.Uncertain ||
		!strings.HasPrefix(r.Message, "interrupted before the outcome was confirmed; last answer: no answer: context canceled") {
		t.Errorf("stuck job: %+v", r)
	}
	if r := got[1]; r.Status != NotSent || r.Message != "not sent: interrupted" {
		t.Errorf("queued job: %+v", r)
	}
}

// eventLog is a Recorder that logs, with the fake's requests and the
// delivered results, into one ordered list.
type eventLog struct {
	mu        sync.Mutex
	events    []string
	failBegin int // Begin fails on this call (1-based); 0 never
	begins    int
}

func (e *eventLog) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, fmt.Sprintf(format, args...))
}

var errDiskFull = errors.New("disk full")

func (e *eventLog) Begin(j *Job, attempt int) error {
	e.mu.Lock()
	e.begins++
	fail := e.begins == e.failBegin
	e.mu.Unlock()
	if fail {
		return errDiskFull
	}
	e.add("begin %s %d", recordKey(j), attempt)
	return nil
}

func (e *eventLog) Finish(r Result) error {
	e.add("finish %s %s", recordKey(r.Job), r.Status)
	return nil
}

func TestRecorderBeginPrecedesEverySendAndFinishFollows(t *testing.T) {
	rec := &eventLog{}
	f := &fakeClient{script: map[string][]step{
		"a-1": {{out: connector.Outcome{Status: connector.Retryable, HTTPStatus: 503}}},
		"a-2": {{out: connector.Outcome{Status: connector.Uncertain}, apply: true}},
	}}
	f.onStart = func(c call) {
		if !c.lookup {
			rec.add("send %s", c.key)
		}
	}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 3}}, Recorder: rec, Sleep: (&sleepLog{}).Sleep}
	jobs := []*Job{job(0, "a"), job(1, "a"), job(2, "a"), job(3, "nowhere")}
	_, err := d.Run(context.Background(), jobs, func(r Result) { rec.add("result %s %s", recordKey(r.Job), r.Status) })
	if err != nil {
		t.Fatal(err)
	}
	sends := map[string]int{"a-0": 1, "a-1": 2, "a-2": 1}
	for key, n := range sends {
		var seq []string
		for _, e := range rec.events {
			if strings.Contains(e, " "+key) {
				seq = append(seq, e)
			}
		}
		var want []string
		for i := 1; i <= n; i++ {
			want = append(want, fmt.Sprintf("begin %s %d", key, i), "send "+key)
		}
		want = append(want, "finish "+key+" created", "result "+key+" created")
		if strings.Join(seq, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s:\n got %v\nwant %v", key, seq, want)
		}
	}
	for _, e := range rec.events {
		if strings.Contains(e, "nowhere") && !strings.HasPrefix(e, "result") {
			t.Errorf("a job that made no request was recorded: %s", e)
		}
	}
}

func TestRecorderFailureStopsSending(t *testing.T) {
	rec := &eventLog{failBegin: 3}
	f := &fakeClient{}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: rate.Inf, Concurrency: 1}}, Recorder: rec}
	var jobs []*Job
	for i := range 10 {
		jobs = append(jobs, job(i, "a"))
	}
	got, _, err := collect(t, context.Background(), d, jobs)
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("error %v, want the recorder's", err)
	}
	if n := f.createCount(); n != 2 {
		t.Errorf("%d creates; only the two recorded ones may go out", n)
	}
	if got[0].Status != Created || got[1].Status != Created {
		t.Errorf("recorded jobs: %v %v", got[0].Status, got[1].Status)
	}
	for i := 2; i < 10; i++ {
		if r := got[i]; r.Status != NotSent || r.Message != "not sent: progress could not be saved: disk full" {
			t.Errorf("job %d: %+v", i, r)
		}
	}
	for _, e := range rec.events {
		if strings.HasPrefix(e, "finish a-2") {
			t.Error("Finish called for the job whose Begin failed")
		}
	}
}

func TestOtherVendorsRunInParallel(t *testing.T) {
	// Two vendors at 20/s each: 10 jobs each take ≈0.45s side by side, ≈0.9s one after the other.
	a, b := &fakeClient{}, &fakeClient{}
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: a, Rate: 20}, "b": {Client: b, Rate: 20}}}
	var jobs []*Job
	for i := range 10 {
		jobs = append(jobs, job(i, "a"), job(100+i, "b"))
	}
	collect(t, context.Background(), d, jobs)
	ca, cb := a.snapshot(), b.snapshot()
	if cb[0].start.After(ca[len(ca)-1].start) || ca[0].start.After(cb[len(cb)-1].start) {
		t.Error("one vendor waited for the other to finish")
	}
}

func TestNoGoroutinesLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeClient{latency: 5 * time.Millisecond}
	f.onStart = func(call) { cancel() }
	d := &Dispatcher{Lanes: map[string]*Lane{"a": {Client: f, Rate: 100}, "b": {Client: &fakeClient{}, Rate: rate.Inf}}}
	var jobs []*Job
	for i := range 20 {
		jobs = append(jobs, job(i, "a"), job(100+i, "b"))
	}
	collect(t, ctx, d, jobs)
	collect(t, context.Background(), d, []*Job{job(0, "b")})
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left over:\n%s", n-before, buf[:runtime.Stack(buf, true)])
	}
}
