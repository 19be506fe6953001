package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/schema"
)

// Status is how a job ended: the one record status of package outcome.
type Status = outcome.Status

// The final statuses of a job.
const (
	Created = outcome.Created // the vendor created the record (or a lookup confirmed our lost create)
	Exists  = outcome.Exists  // the record already existed before this job's first send
	Invalid = outcome.Invalid // the vendor rejected the data; Message is its words
	Failed  = outcome.Failed  // sent, but no success: retries exhausted, authentication refused, interrupted
	NotSent = outcome.NotSent // nothing was sent in this run; Message says why
)

// Job is one record to create at one vendor.
type Job struct {
	Index  int           // the job's position in the plan; unique within one Run
	Vendor string        // lane name, e.g. "netsapiens"
	Record schema.Record // validated wire values; its Target must be prepared (Target.Prepare)
	// After lists the Index of every job that must succeed first (a
	// NetSapiens site before the users naming it). A job whose dependency
	// did not succeed is not sent. Indexes not in the run are a planning
	// mistake: the job is not sent, rather than risk sending it too early.
	After []int
	// Reconcile says a previous run recorded a send without an outcome:
	// the record is looked up first and sent only when the vendor has none.
	Reconcile bool
}

// Result is how one job ended.
type Result struct {
	Job        *Job
	Status     Status
	ID         string // the vendor's ID of the record, when known
	Message    string // the vendor's words, or what happened
	Attempts   int    // Create requests sent in this run
	Lookups    int    // Lookup requests made in this run
	HTTPStatus int    // status code of the last answer, 0 when none came
	// Uncertain says the record may exist at the vendor although Status
	// does not say so: a request's answer was lost and no lookup settled
	// it. A later run must reconcile (look up) before sending it again.
	Uncertain bool
}

// Recorder is the durable log of what was sent. Begin is called, and must
// return, before each Create request goes out; Finish is called with the
// final result of every job that made at least one request in this run
// (before onResult sees it). Calls come from several workers at once, so
// implementations must be safe for concurrent use. An error from either
// stops the run: nothing is sent that could not be recorded.
type Recorder interface {
	Begin(job *Job, attempt int) error
	Finish(res Result) error
}

// Lane is one vendor's connection and limits. Zero fields take defaults.
type Lane struct {
	Client connector.Client
	// Rate is the requests per second allowed to this vendor, shared by
	// all its workers and targets, Lookups included; rate.Inf for none.
	// 0 or less means DefaultRate.
	Rate  rate.Limit
	Burst int // requests allowed at once above Rate; 0 means 1
	// Limiter, when set, is the vendor's limiter, shared with its client
	// (connector.Settings.Pace) for requests beyond one per call; Rate and
	// Burst are then ignored.
	Limiter *rate.Limiter
	// Concurrency caps the requests in flight to this vendor. It needs to
	// be at least Rate × the vendor's latency to reach Rate; 0 means
	// DefaultConcurrency(Rate).
	Concurrency int
	MaxAttempts int           // Create requests per job, and separately Lookups; 0 means DefaultMaxAttempts
	Timeout     time.Duration // per request; 0 means DefaultTimeout
}

// Lane defaults, matching the configuration's.
const (
	DefaultRate        rate.Limit = 5
	DefaultMaxAttempts            = 5
	DefaultTimeout                = 30 * time.Second
	DefaultGrace                  = 10 * time.Second
	// AssumedLatency is the vendor response time DefaultConcurrency plans for.
	AssumedLatency = 250 * time.Millisecond
)

// DefaultConcurrency is the number of requests in flight needed to reach
// rate r when answers take AssumedLatency, plus headroom for slow answers:
// ceil(r × 250 ms) + 2, at least 4 and at most 64 (each send also waits for two durable state writes).
func DefaultConcurrency(r rate.Limit) int {
	if r == rate.Inf || r <= 0 {
		return 64
	}
	n := int(math.Ceil(float64(r)*AssumedLatency.Seconds())) + 2
	return min(max(n, 4), 64)
}

// Dispatcher sends jobs through per-vendor lanes. Configure it, then call
// Run; a Dispatcher must not be copied after first use.
type Dispatcher struct {
	Lanes    map[string]*Lane // by Job.Vendor
	Recorder Recorder         // nil records nothing
	Backoff  Backoff          // zero fields take defaults
	// Grace is how long requests in flight may still finish after the
	// run's context is cancelled; then their contexts are cancelled too.
	// 0 means DefaultGrace; negative means none.
	Grace  time.Duration
	Logger *slog.Logger // nil logs nothing; never given secrets

	Now   func() time.Time                                 // clock; nil means time.Now
	Sleep func(ctx context.Context, d time.Duration) error // backoff and pause waits; nil sleeps for real
	Rand  *rand.Rand                                       // jitter; nil means math/rand/v2's; used under a lock

	randMu sync.Mutex
}

// Run sends jobs and returns when every job has a result. onResult (may
// be nil) is called exactly once per job, never concurrently with itself,
// in the order jobs end, so callers need no locks. Nil jobs are skipped,
// and a *Job listed twice is delivered once.
//
// When ctx is cancelled no new request is made; requests in flight get
// Grace to finish; every job not yet sent ends NotSent "not sent:
// interrupted". Run still returns only after every result is delivered.
//
// The error is non-nil only when the Recorder failed; cancellation is not
// an error here (the caller knows its ctx).
func (d *Dispatcher) Run(ctx context.Context, jobs []*Job, onResult func(Result)) (Stats, error) {
	r := d.newRun(ctx)
	defer r.close()
	started := r.now()

	list := make([]*Job, 0, len(jobs))
	for _, j := range jobs {
		if j != nil {
			list = append(list, j)
		}
	}
	g := newGraph(list)
	stats := newStats()
	deliver := func(res Result) {
		stats.count(res)
		if onResult != nil {
			onResult(res)
		}
	}

	// Lanes and their workers, only for vendors that have jobs.
	perLane := map[string]int{}
	pending := 0
	for i, j := range list {
		if g.done[i] {
			continue
		}
		pending++
		if g.fault[i] == "" {
			if l := d.Lanes[j.Vendor]; l == nil || l.Client == nil {
				g.fault[i] = fmt.Sprintf("not sent: no connection is configured for vendor %q", j.Vendor)
				continue
			}
			perLane[j.Vendor]++
		}
	}
	results := make(chan Result, len(list))
	var wg sync.WaitGroup
	for name, n := range perLane {
		l := r.lane(name, d.Lanes[name], n)
		for range carriers(l.cfg.Concurrency, n) {
			wg.Go(func() {
				for {
					job, ticket, ok := l.next()
					if !ok {
						return
					}
					results <- r.process(l, job, ticket)
				}
			})
		}
	}

	// Resolve the jobs that cannot be sent, then enqueue the ready ones;
	// each result may release or fail its dependents.
	var work []int
	settle := func(i int, res Result) {
		work = append(work[:0], i)
		outcome := map[int]Result{i: res}
		for len(work) > 0 {
			k := work[len(work)-1]
			work = work[:len(work)-1]
			res := outcome[k]
			delete(outcome, k)
			if g.done[k] {
				continue
			}
			g.done[k] = true
			pending--
			deliver(res)
			for _, dep := range g.dependents[k] {
				if g.done[dep] {
					continue
				}
				if g.fault[dep] != "" {
					outcome[dep] = notSent(list[dep], g.fault[dep])
					work = append(work, dep)
					continue
				}
				if !res.Status.Succeeded() {
					outcome[dep] = notSent(list[dep], dependencyFailed(list[k], res))
					work = append(work, dep)
					continue
				}
				g.waiting[dep]--
				if g.waiting[dep] == 0 && g.fault[dep] == "" {
					r.lanes[list[dep].Vendor].queue <- list[dep]
				}
			}
		}
	}
	for i, j := range list {
		if g.fault[i] != "" {
			settle(i, notSent(j, g.fault[i]))
		}
	}
	for i, j := range list {
		if !g.done[i] && g.waiting[i] == 0 {
			r.lanes[j.Vendor].queue <- j
		}
	}
	for pending > 0 {
		res := <-results
		settle(g.position[res.Job], res)
	}
	for _, l := range r.lanes {
		close(l.queue)
	}
	wg.Wait()

	for name, l := range r.lanes {
		stats.addLane(name, l.snapshot())
	}
	stats.Elapsed = r.now().Sub(started)
	return stats, r.failure()
}

func notSent(j *Job, msg string) Result {
	return Result{Job: j, Status: NotSent, Message: msg, Uncertain: j.Reconcile}
}

// dependencyFailed says why a job is not sent: "not sent: site
// 'example.com/hq' was not created (invalid: site name taken)".
func dependencyFailed(dep *Job, res Result) string {
	why := res.Status.String()
	if res.Message != "" {
		why += ": " + strings.TrimPrefix(res.Message, "not sent: ")
	}
	return fmt.Sprintf("not sent: %s '%s' was not created (%s)", noun(dep), recordKey(dep), why)
}

// noun names what a job creates: "site" for netsapiens.site.
func noun(j *Job) string {
	if t := j.Record.Target; t != nil {
		if _, after, ok := strings.Cut(t.ID, "."); ok {
			return after
		}
		return t.ID
	}
	return "record"
}

// recordKey is the job's natural key, or its index when the record has no
// target (never expected from the planner).
func recordKey(j *Job) string {
	if j.Record.Target == nil || len(j.Record.Values) != len(j.Record.Target.Fields) {
		return fmt.Sprintf("job %d", j.Index)
	}
	return j.Record.Key()
}

// graph holds the dependencies between jobs, by position in the list.
type graph struct {
	position   map[*Job]int
	dependents [][]int  // jobs waiting for this one
	waiting    []int    // dependencies not yet succeeded
	fault      []string // why a job cannot be sent at all, "" when it can
	done       []bool
}

func newGraph(list []*Job) *graph {
	n := len(list)
	g := &graph{position: make(map[*Job]int, n), dependents: make([][]int, n),
		waiting: make([]int, n), fault: make([]string, n), done: make([]bool, n)}
	byIndex := make(map[int]int, n)
	for i, j := range list {
		if _, dup := g.position[j]; dup {
			// The same *Job twice: deliver it once; the copy is dropped.
			g.done[i] = true
			continue
		}
		g.position[j] = i
		if _, dup := byIndex[j.Index]; dup {
			g.fault[i] = fmt.Sprintf("not sent: job index %d appears twice in the plan", j.Index)
			continue
		}
		byIndex[j.Index] = i
	}
	for i, j := range list {
		if g.done[i] {
			continue
		}
		seen := map[int]bool{}
		for _, a := range j.After {
			if seen[a] {
				continue
			}
			seen[a] = true
			k, ok := byIndex[a]
			switch {
			case !ok:
				g.fault[i] = fmt.Sprintf("not sent: it must follow job %d, which is not in this run", a)
			case k == i:
				g.fault[i] = "not sent: the job is listed as its own dependency"
			default:
				g.dependents[k] = append(g.dependents[k], i)
				g.waiting[i]++
			}
		}
	}
	// Jobs Kahn's algorithm cannot order are in (or behind) a cycle.
	left := append([]int(nil), g.waiting...)
	var queue []int
	for i := range list {
		if left[i] == 0 {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, dep := range g.dependents[k] {
			left[dep]--
			if left[dep] == 0 {
				queue = append(queue, dep)
			}
		}
	}
	for i := range list {
		if left[i] > 0 && g.fault[i] == "" && !g.done[i] {
			g.fault[i] = "not sent: its 'after' dependencies form a cycle"
		}
	}
	return g
}

// stopCause is why a lane or the run stopped sending, as NotSent says it.
type stopCause struct{ reason string }

func (c *stopCause) Error() string { return c.reason }
