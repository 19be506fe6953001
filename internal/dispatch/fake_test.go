package dispatch

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/schema"
)

// Test targets: a site and a user naming it, keyed by "name".
var (
	siteTarget = prepared(&schema.Target{ID: "test.site", Vendor: "test", Label: "Test Sites",
		Fields: []*schema.Field{{Key: "name", Label: "Name"}}, Key: []string{"name"}})
	userTarget = prepared(&schema.Target{ID: "test.user", Vendor: "test", Label: "Test Users",
		Fields: []*schema.Field{{Key: "name", Label: "Name"}, {Key: "site", Label: "Site"}}, Key: []string{"name"}})
)

func prepared(t *schema.Target) *schema.Target {
	if err := t.Prepare(); err != nil {
		panic(err)
	}
	return t
}

func record(t *schema.Target, name string) schema.Record {
	r := schema.NewRecord(t)
	r.Set("name", name)
	return r
}

// job returns a user job named after its vendor and index.
func job(index int, vendor string, after ...int) *Job {
	return &Job{Index: index, Vendor: vendor, Record: record(userTarget, fmt.Sprintf("%s-%d", vendor, index)), After: after}
}

// step is one scripted answer; apply says the vendor stored the record
// even if the answer says otherwise (a lost answer).
type step struct {
	out   connector.Outcome
	apply bool
}

// call is one request the fake saw.
type call struct {
	key        string
	lookup     bool
	start, end time.Time
	out        connector.Outcome
}

// fakeClient is a scripted vendor: by default it creates a record and
// answers Exists for a key it already has; creates and lookups are
// counted and timestamped.
type fakeClient struct {
	latency  time.Duration
	delay    map[string]time.Duration       // latency by key, overriding latency
	noLookup bool                           // Lookup answers Unsupported
	script   map[string][]step              // answers to successive creates of a key
	lookups  map[string][]connector.Outcome // answers to successive lookups of a key
	onStart  func(c call)                   // called as each request starts
	block    bool                           // Create waits for its context to end, then answers Uncertain

	mu          sync.Mutex
	stored      map[string]string // key → ID
	calls       []call
	creates     map[string]int
	lookupN     map[string]int
	inflight    int
	maxInflight int
}

func (f *fakeClient) Create(ctx context.Context, req connector.Request) connector.Outcome {
	return f.do(ctx, req, false)
}

func (f *fakeClient) Lookup(ctx context.Context, req connector.Request) connector.Outcome {
	return f.do(ctx, req, true)
}

func (f *fakeClient) Preview(req connector.Request) connector.Preview {
	return connector.Preview{Method: http.MethodPost, URL: "http://127.0.0.1/fake"}
}

func (f *fakeClient) do(ctx context.Context, req connector.Request, lookup bool) connector.Outcome {
	key := req.Record.Key()
	c := call{key: key, lookup: lookup, start: time.Now()}
	f.mu.Lock()
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.mu.Unlock()
	if f.onStart != nil {
		f.onStart(c)
	}
	if f.block && !lookup {
		<-ctx.Done()
	} else if d, ok := f.delay[key]; ok {
		time.Sleep(d)
	} else if f.latency > 0 {
		time.Sleep(f.latency)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inflight--
	if f.stored == nil {
		f.stored, f.creates, f.lookupN = map[string]string{}, map[string]int{}, map[string]int{}
	}
	var out connector.Outcome
	switch {
	case lookup:
		f.lookupN[key]++
		n := f.lookupN[key]
		switch {
		case f.noLookup:
			out = connector.Outcome{Status: connector.Unsupported, Message: "lookup unsupported"}
		case n <= len(f.lookups[key]):
			out = f.lookups[key][n-1]
		case f.stored[key] != "":
			out = connector.Outcome{Status: connector.Exists, ID: f.stored[key], HTTPStatus: 200}
		default:
			out = connector.Outcome{Status: connector.NotFound, HTTPStatus: 404}
		}
	case f.block:
		out = connector.Outcome{Status: connector.Uncertain, Message: "no answer: " + ctx.Err().Error()}
	default:
		f.creates[key]++
		n := f.creates[key]
		switch {
		case n <= len(f.script[key]):
			s := f.script[key][n-1]
			out = s.out
			if s.apply || s.out.Status == connector.Created {
				f.stored[key] = "id-" + key
				out.ID = f.stored[key]
			}
		case f.stored[key] != "":
			out = connector.Outcome{Status: connector.Exists, ID: f.stored[key], HTTPStatus: 409, Message: "already exists"}
		default:
			f.stored[key] = "id-" + key
			out = connector.Outcome{Status: connector.Created, ID: f.stored[key], HTTPStatus: 201}
		}
	}
	c.end, c.out = time.Now(), out
	f.calls = append(f.calls, c)
	return out
}

// snapshot returns the calls seen so far, by start time.
func (f *fakeClient) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := slices.Clone(f.calls)
	slices.SortFunc(calls, func(a, b call) int { return a.start.Compare(b.start) })
	return calls
}

func (f *fakeClient) createCount() int {
	n := 0
	for _, c := range f.snapshot() {
		if !c.lookup {
			n++
		}
	}
	return n
}

// collect runs d over jobs and checks that every job got exactly one
// result; onResult deliberately uses no lock (-race checks it is serial).
func collect(t *testing.T, ctx context.Context, d *Dispatcher, jobs []*Job) (map[int]Result, Stats, error) {
	t.Helper()
	got := map[int]Result{}
	calls := 0
	stats, err := d.Run(ctx, jobs, func(r Result) {
		calls++
		if _, dup := got[r.Job.Index]; dup {
			t.Errorf("job %d delivered twice", r.Job.Index)
		}
		got[r.Job.Index] = r
	})
	if calls != len(jobs) {
		t.Errorf("onResult called %d times for %d jobs", calls, len(jobs))
	}
	for _, j := range jobs {
		if _, ok := got[j.Index]; !ok {
			t.Errorf("job %d has no result", j.Index)
		}
	}
	return got, stats, err
}

// sleepLog is a fake Sleep that records the waits asked for and returns
// at once (or when ctx is done).
type sleepLog struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepLog) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepLog) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.delays)
}
