package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/connector"
)

// run is the state of one Dispatcher.Run.
type run struct {
	d     *Dispatcher
	log   *slog.Logger
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	// ctx stops new requests: cancelled with the caller's context or when
	// the Recorder fails. reqCtx carries the requests themselves: it
	// outlives ctx by the grace period so requests in flight can finish.
	ctx       context.Context
	stop      context.CancelCauseFunc
	reqCtx    context.Context
	cancelReq context.CancelFunc
	finished  chan struct{}
	watcher   sync.WaitGroup

	lanes map[string]*lane
	gates sync.WaitGroup // the lanes' admit loops

	mu  sync.Mutex
	err error // first Recorder failure
}

// lane is one vendor's runtime state.
type lane struct {
	name  string
	cfg   Lane // with defaults applied
	lim   *rate.Limiter
	ctx   context.Context // cancelled when this lane (or the run) stops sending
	stop  context.CancelCauseFunc
	queue chan *Job
	gate  *gate
	take  sync.Mutex // see next

	mu          sync.Mutex
	pausedUntil time.Time
	drained     time.Time       // end of the last pause after which the limiter was emptied
	unsupported map[string]bool // targets whose Lookup answered Unsupported: not asked again
	stats       VendorStats
	first, last time.Time
	lastFresh   time.Time // start of the latest first request of a job
}

func (d *Dispatcher) newRun(parent context.Context) *run {
	r := &run{d: d, log: d.Logger, now: d.Now, sleep: d.Sleep, lanes: map[string]*lane{}, finished: make(chan struct{})}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.sleep == nil {
		r.sleep = sleep
	}
	r.ctx, r.stop = context.WithCancelCause(parent)
	r.reqCtx, r.cancelReq = context.WithCancel(context.WithoutCancel(parent))
	grace := d.Grace
	if grace == 0 {
		grace = DefaultGrace
	}
	r.watcher.Go(func() {
		select {
		case <-parent.Done():
			r.log.Info("dispatch interrupted; letting requests in flight finish", "grace", max(grace, 0))
			if grace > 0 {
				t := time.NewTimer(grace)
				defer t.Stop()
				select {
				case <-t.C:
					r.log.Warn("grace period over; cancelling requests still in flight")
				case <-r.finished:
				}
			}
			r.cancelReq()
		case <-r.finished:
		}
	})
	return r
}

// close releases the run's goroutine and contexts.
func (r *run) close() {
	close(r.finished)
	r.watcher.Wait()
	r.cancelReq()
	r.stop(nil)
	for _, l := range r.lanes {
		l.stop(nil)
	}
	r.gates.Wait()
}

func (r *run) lane(name string, cfg *Lane, jobs int) *lane {
	c := *cfg
	if c.Limiter != nil { // a shared limiter says the rate
		c.Rate, c.Burst = c.Limiter.Limit(), c.Limiter.Burst()
	}
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency(c.Rate)
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	lim := c.Limiter
	if lim == nil {
		lim = rate.NewLimiter(c.Rate, c.Burst)
	}
	l := &lane{name: name, cfg: c, lim: lim, queue: make(chan *Job, jobs), gate: newGate(c.Concurrency, r.now)}
	l.ctx, l.stop = context.WithCancelCause(r.ctx)
	r.lanes[name] = l
	r.gates.Go(func() { r.admit(l) })
	return l
}

func (r *run) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return fmt.Errorf("dispatch stopped: %w", r.err)
	}
	return nil
}

// recorderFailed stops the whole run: nothing more is sent.
func (r *run) recorderFailed(err, cause error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	r.log.Error("progress could not be recorded; stopping", "err", err)
	r.stop(&stopCause{reason: "progress could not be saved: " + cause.Error()})
}

// reason says why l stopped sending, for "not sent: <reason>".
func (r *run) reason(l *lane) string {
	var sc *stopCause
	if errors.As(context.Cause(l.ctx), &sc) {
		return sc.reason
	}
	return "interrupted"
}

func (r *run) jitter() float64 {
	if r.d.Rand == nil {
		return rand.Float64()
	}
	r.d.randMu.Lock()
	defer r.d.randMu.Unlock()
	return r.d.Rand.Float64()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jobRun carries one job through its requests.
type jobRun struct {
	r     *run
	l     *lane
	job   *Job
	res   Result
	last  connector.Outcome // last retryable or lost answer
	begun bool              // Recorder.Begin succeeded at least once
	// ticket is the turn the job queued for when it was taken from the
	// lane's queue, so first requests go in plan order; nil once used.
	ticket  chan struct{}
	holding bool      // the job holds a turn (a place in flight) until release
	why     readiness // what the job's last wait was for (fresh: none since its last request)
	lostAt  time.Time // when its first lost answer came; zero when none did
}

// process takes one job to its final result and records it.
func (r *run) process(l *lane, job *Job, ticket chan struct{}) Result {
	j := &jobRun{r: r, l: l, job: job, res: Result{Job: job, Uncertain: job.Reconcile}, ticket: ticket}
	res := j.run()
	j.release()
	if j.ticket != nil { // never used: the lane stopped first
		l.gate.abandon(j.ticket)
	}
	if rec := r.d.Recorder; rec != nil && (j.begun || res.Lookups > 0) {
		if err := rec.Finish(res); err != nil {
			r.recorderFailed(fmt.Errorf("recording the outcome of %s: %w", describe(job), err), err)
		}
	}
	r.log.Debug("job done", "vendor", l.name, "job", job.Index, "record", describe(job),
		"status", res.Status.String(), "attempts", res.Attempts, "lookups", res.Lookups, "uncertain", res.Uncertain)
	return res
}

func (j *jobRun) run() Result {
	limit := j.l.cfg.MaxAttempts
	lookup := j.job.Reconcile // look the record up before (re)sending
	noLookup := false         // the vendor cannot look this record up
	lookupFailures := 0
	for {
		if lookup && j.l.lookupUnsupported(j.job) {
			lookup, noLookup = false, true
		}
		if lookup {
			out, ok := j.request(true)
			if !ok {
				return j.stopped()
			}
			switch out.Status {
			case connector.Exists, connector.Created:
				msg := "confirmed by lookup after a lost answer"
				if j.res.Attempts == 0 {
					msg = "confirmed by lookup after an earlier run lost the answer"
				}
				return j.end(Created, out.ID, msg, false)
			case connector.NotFound:
				lookup, j.res.Uncertain = false, false
			case connector.Unsupported:
				lookup, noLookup = false, true
				j.l.noLookup(j.job)
			case connector.Auth:
				j.r.authFailed(j.l, out)
				return j.end(Failed, "", "authentication failed: "+answer(out), j.res.Uncertain)
			case connector.Retryable, connector.Uncertain:
				j.last = out
				j.r.pause(j.l, out)
				lookupFailures++
				if lookupFailures >= limit {
					return j.end(Failed, "", fmt.Sprintf("could not confirm whether the record was created: gave up after %s: %s",
						plural(lookupFailures, "lookup"), answer(out)), true)
				}
				if !j.wait(lookupFailures, out) {
					return j.stopped()
				}
			default: // Invalid, or a status a lookup should not give
				return j.end(Failed, "", "could not confirm whether the record was created: the lookup answered "+answer(out), true)
			}
			continue
		}

		if j.res.Attempts >= limit {
			msg := fmt.Sprintf("gave up after %s: %s", plural(j.res.Attempts, "attempt"), answer(j.last))
			if j.res.Uncertain {
				msg += " (an answer was lost, so the record may exist)"
			}
			return j.end(Failed, "", msg, j.res.Uncertain)
		}
		out, ok := j.request(false)
		if !ok {
			return j.stopped()
		}
		switch out.Status {
		case connector.Created:
			return j.end(Created, out.ID, out.Message, false)
		case connector.Exists:
			if j.res.Uncertain {
				return j.end(Created, out.ID, "confirmed by the vendor's duplicate answer after a lost answer", false)
			}
			return j.end(Exists, out.ID, out.Message, false)
		case connector.Invalid:
			return j.end(Invalid, "", out.Message, j.res.Uncertain)
		case connector.Auth:
			j.r.authFailed(j.l, out)
			return j.end(Failed, "", "authentication failed: "+answer(out), j.res.Uncertain)
		case connector.Retryable:
			j.last = out
			j.r.pause(j.l, out)
		default: // Uncertain, or a status Create should not give: never blindly re-send
			j.last = out
			j.res.Uncertain = true
			lookup = !noLookup
		}
		if j.res.Attempts < limit || lookup {
			if !j.wait(j.res.Attempts, out) {
				return j.stopped()
			}
		}
	}
}

func (j *jobRun) end(s Status, id, msg string, uncertain bool) Result {
	j.release()
	if !j.lostAt.IsZero() {
		j.l.addIdle(&j.l.stats.Reconcile, j.r.now().Sub(j.lostAt))
		j.lostAt = time.Time{}
	}
	j.res.Status, j.res.ID, j.res.Message, j.res.Uncertain = s, id, msg, uncertain
	return j.res
}

// stopped ends a job its lane no longer sends for.
func (j *jobRun) stopped() Result {
	j.release()
	reason := j.r.reason(j.l)
	switch {
	case j.res.Attempts == 0 && j.res.Uncertain:
		return j.end(NotSent, "", "not sent: "+reason+" (a request from an earlier run is still unconfirmed)", true)
	case j.res.Attempts == 0:
		return j.end(NotSent, "", "not sent: "+reason, false)
	case j.res.Uncertain:
		return j.end(Failed, "", reason+" before the outcome was confirmed; last answer: "+answer(j.last), true)
	default:
		return j.end(Failed, "", fmt.Sprintf("%s after %s; last answer: %s", reason, plural(j.res.Attempts, "attempt"), answer(j.last)), false)
	}
}

// release gives back the job's turn once its answer has been acted on
// (so a refused login stops the lane before another request goes out).
func (j *jobRun) release() {
	if j.holding {
		j.holding = false
		j.l.gate.done()
	}
}

// wait sleeps before retry n: the backoff, or Retry-After when longer.
func (j *jobRun) wait(n int, out connector.Outcome) bool {
	j.release()
	d := j.r.d.Backoff.Delay(n, j.r.jitter())
	j.why = backedOff
	switch {
	case out.RetryAfter > d:
		d, j.why = out.RetryAfter, retryAfter
	case out.Status == connector.Uncertain:
		j.why = lostAnswer
	}
	return j.r.sleep(j.l.ctx, d) == nil
}

// request makes one Create (or Lookup) once the lane allows it. It
// returns false, having sent nothing, when the lane stopped first.
func (j *jobRun) request(lookup bool) (connector.Outcome, bool) {
	r, l := j.r, j.l
	j.release()
	ticket, why := j.ticket, j.why
	j.ticket, j.why = nil, fresh
	if err := r.waitTurn(l, ticket, j.res.Attempts+j.res.Lookups > 0, why); err != nil {
		return connector.Outcome{}, false
	}
	j.holding = true
	if lookup && l.lookupUnsupported(j.job) {
		// Another job learned it while this one waited for its turn.
		return connector.Outcome{Status: connector.Unsupported}, true
	}
	n := j.res.Lookups + 1
	if !lookup {
		n = j.res.Attempts + 1
		if !j.record(n) {
			return connector.Outcome{}, false
		}
	}
	start := r.now()
	out := r.call(l, j.job, lookup)
	took := r.now().Sub(start)
	l.count(start, took, lookup, j.res.Attempts+j.res.Lookups == 0, n, out)
	if lookup {
		j.res.Lookups++
	} else {
		j.res.Attempts++
	}
	if !lookup && out.Status == connector.Uncertain {
		j.lost(took)
	}
	j.res.HTTPStatus = out.HTTPStatus
	r.log.Debug("request", "vendor", l.name, "job", j.job.Index, "record", describe(j.job), "lookup", lookup,
		"try", n, "outcome", out.Status.String(), "http", out.HTTPStatus, "took", took)
	return out, true
}

// record durably notes attempt n before it is sent (Recorder.Begin),
// timing the write; a failure stops the run.
func (j *jobRun) record(n int) bool {
	r, l := j.r, j.l
	rec := r.d.Recorder
	if rec == nil {
		return l.ctx.Err() == nil
	}
	since := r.now()
	if err := rec.Begin(j.job, n); err != nil {
		r.recorderFailed(fmt.Errorf("recording attempt %d of %s: %w", n, describe(j.job), err), err)
		return false
	}
	l.addIdle(&l.stats.Recording, r.now().Sub(since))
	j.begun = true
	return l.ctx.Err() == nil // stopped while recording
}

// lost counts a Create whose answer was lost after took, and starts the
// job's reconcile clock at its first.
func (j *jobRun) lost(took time.Duration) {
	l := j.l
	l.mu.Lock()
	l.stats.Lost++
	l.stats.LostWait += took
	l.mu.Unlock()
	if j.lostAt.IsZero() {
		j.lostAt = j.r.now()
	}
}

// call makes the request with its own deadline. A panicking client is a
// bug; the job then counts as uncertain rather than taking the run down.
func (r *run) call(l *lane, job *Job, lookup bool) (out connector.Outcome) {
	ctx, cancel := context.WithTimeout(r.reqCtx, l.cfg.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("vendor client panicked", "vendor", l.name, "panic", fmt.Sprint(p))
			out = connector.Outcome{Status: connector.Uncertain, Message: fmt.Sprintf("internal error in the %s client: %v", l.name, p)}
		}
	}()
	req := connector.Request{Record: job.Record}
	if lookup {
		return l.cfg.Client.Lookup(ctx, req)
	}
	return l.cfg.Client.Create(ctx, req)
}

// waitPause waits out the lane's pause, and any extension of it, and
// returns the end of the pause it honoured.
func (r *run) waitPause(l *lane) (time.Time, error) {
	l.mu.Lock()
	until := l.pausedUntil
	l.mu.Unlock()
	for {
		if d := until.Sub(r.now()); d > 0 {
			if err := r.sleep(l.ctx, d); err != nil {
				return until, err
			}
		}
		l.mu.Lock()
		next := l.pausedUntil
		if !next.After(until) {
			// Resume at the configured rate rather than with the burst
			// saved up during the pause: the first to wake empties the bucket.
			if until.After(l.drained) {
				l.drained = until
				l.lim.ReserveN(r.now(), l.lim.Burst())
			}
			l.mu.Unlock()
			return until, nil
		}
		l.mu.Unlock()
		until = next
	}
}

// pause holds the whole lane for a 429's Retry-After; waitPause resumes
// it. A Retry-After on another answer (a 503) delays only that job's
// retry: one overloaded answer is no reason to stop every worker.
func (r *run) pause(l *lane, out connector.Outcome) {
	if out.RetryAfter <= 0 || out.HTTPStatus != http.StatusTooManyRequests {
		return
	}
	now := r.now()
	until := now.Add(out.RetryAfter)
	l.mu.Lock()
	if !until.After(l.pausedUntil) {
		l.mu.Unlock()
		return
	}
	l.stats.Pauses++
	l.stats.Paused += until.Sub(later(now, l.pausedUntil))
	l.pausedUntil = until
	l.mu.Unlock()
	r.log.Warn("vendor asked to slow down; pausing all its requests", "vendor", l.name,
		"http", out.HTTPStatus, "retry_after", out.RetryAfter)
}

func (r *run) authFailed(l *lane, out connector.Outcome) {
	l.stop(&stopCause{reason: "authentication failed: " + answer(out)})
	r.log.Error("vendor refused the credentials; sending nothing more to it", "vendor", l.name, "http", out.HTTPStatus)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// lookupUnsupported reports whether the vendor already said it cannot
// look up records of the job's target, so no token is spent asking again.
func (l *lane) lookupUnsupported(j *Job) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unsupported[targetID(j)]
}

func (l *lane) noLookup(j *Job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unsupported == nil {
		l.unsupported = map[string]bool{}
	}
	l.unsupported[targetID(j)] = true
}

func targetID(j *Job) string {
	if j.Record.Target == nil {
		return ""
	}
	return j.Record.Target.ID
}

// count adds one request to the lane's statistics.
// fresh says this is the job's first request in this run.
func (l *lane) count(start time.Time, took time.Duration, lookup, fresh bool, n int, out connector.Outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.stats
	s.Requests++
	if lookup {
		s.Lookups++
	} else {
		s.Creates++
	}
	if n > 1 {
		s.Retries++
	}
	if out.HTTPStatus == http.StatusTooManyRequests {
		s.Throttled++
	}
	s.Busy += took
	s.Slowest = max(s.Slowest, took)
	if l.first.IsZero() || start.Before(l.first) {
		l.first = start
	}
	if end := start.Add(took); end.After(l.last) {
		l.last = end
	}
	if fresh && start.After(l.lastFresh) {
		l.lastFresh = start
	}
}

func (l *lane) snapshot() VendorStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Concurrency = l.cfg.Concurrency
	if !l.first.IsZero() {
		s.Active = l.last.Sub(l.first)
		s.Tail = l.last.Sub(l.lastFresh)
	}
	return s
}

// answer renders an outcome for a message: "503 service unavailable".
func answer(out connector.Outcome) string {
	msg := strings.TrimSpace(out.Message)
	if out.HTTPStatus == 0 {
		if msg == "" {
			return "no answer"
		}
		return msg
	}
	code := strconv.Itoa(out.HTTPStatus)
	switch {
	case msg == "":
		return code + " " + strings.ToLower(http.StatusText(out.HTTPStatus))
	case strings.HasPrefix(msg, code):
		return msg
	default:
		return code + " " + msg
	}
}

// describe names a job's record in logs and errors: netsapiens.user "example.com/101".
func describe(j *Job) string {
	target := targetID(j)
	if target == "" {
		target = j.Vendor
	}
	return fmt.Sprintf("%s %q", target, recordKey(j))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
