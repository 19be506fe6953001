package dispatch

import (
	"sync"
	"time"
)

// gate hands out one lane's turns: a turn is a free place among the
// requests in flight (Lane.Concurrency) plus a token of the lane's rate,
// taken after any lane-wide pause. A job that has already made a request
// (a retry after its backoff, a lookup after a lost answer) goes before
// every job still waiting for its first request, so retries spend the
// vendor's rate budget as soon as their wait ends rather than queueing
// behind the rest of the run and piling up at its end.
type gate struct {
	mu      sync.Mutex
	waiting [2][]ticket   // by rank: 0 jobs already under way, 1 first requests
	arrived chan struct{} // signalled when a job starts waiting
	// inFlight holds one value per turn given and not yet returned.
	inFlight chan struct{}
	now      func() time.Time
	// dry is when a grant left nobody waiting (zero once a job arrives
	// again), dryQueued whether jobs were left in the lane's queue then.
	dry       time.Time
	dryQueued bool
}

// ticket is one job's place in the queue for a turn.
type ticket struct {
	ch  chan struct{} // receives when the turn is granted
	why readiness     // what the job waited for before it queued
	// idle is how long nobody was waiting before this job arrived;
	// starved, that jobs were left in the lane's queue meanwhile.
	idle    time.Duration
	starved bool
}

// readiness says what a job waited for before it queued for a turn, so a
// lane's idle time can be put down to it.
type readiness int

const (
	fresh      readiness = iota // nothing: its first request
	retryAfter                  // a vendor's Retry-After
	backedOff                   // its backoff after a failed request
	lostAnswer                  // the backoff before reconciling a lost answer
)

func newGate(concurrency int, now func() time.Time) *gate {
	return &gate{arrived: make(chan struct{}, 1), inFlight: make(chan struct{}, concurrency), now: now}
}

// enter queues a job for a turn; the returned channel receives when it is
// granted.
func (g *gate) enter(underWay bool, why readiness) chan struct{} {
	ch := make(chan struct{}, 1)
	rank := 1
	if underWay {
		rank = 0
	}
	t := ticket{ch: ch, why: why}
	g.mu.Lock()
	if !g.dry.IsZero() {
		t.idle, t.starved, g.dry = g.now().Sub(g.dry), g.dryQueued, time.Time{}
	}
	g.waiting[rank] = append(g.waiting[rank], t)
	g.mu.Unlock()
	select {
	case g.arrived <- struct{}{}:
	default:
	}
	return ch
}

// leave withdraws a waiting job. It reports false when the turn was
// granted meanwhile: the caller then holds it and must give it back.
func (g *gate) leave(ch chan struct{}) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for rank, q := range g.waiting {
		for i, t := range q {
			if t.ch == ch {
				g.waiting[rank] = append(q[:i], q[i+1:]...)
				return true
			}
		}
	}
	return false
}

func (g *gate) anyWaiting() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiting[0])+len(g.waiting[1]) > 0
}

// grant gives the turn just taken to the first job of the best rank and
// returns its ticket. It reports false when nobody waits any more (they
// left as the lane stopped). queued says jobs are left in the lane's
// queue, not yet taken by a worker.
func (g *gate) grant(queued bool) (ticket, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	at := g.now() // before the job can move the clock
	for rank, q := range g.waiting {
		if len(q) > 0 {
			q[0].ch <- struct{}{}
			g.waiting[rank] = q[1:]
			if len(g.waiting[0])+len(g.waiting[1]) == 0 {
				g.dry, g.dryQueued = at, queued
			}
			return q[0], true
		}
	}
	return ticket{}, false
}

// done gives back a turn once its request is answered.
func (g *gate) done() { <-g.inFlight }

// admit runs for the lane's life: while jobs wait, it takes a place in
// flight, waits out any pause, takes a rate token and grants the turn.
func (r *run) admit(l *lane) {
	g := l.gate
	for {
		select {
		case <-g.arrived:
		case <-l.ctx.Done():
			return
		}
		for g.anyWaiting() {
			if !r.takePlace(l) {
				return
			}
			if err := r.takeToken(l); err != nil {
				g.done()
				return
			}
			t, ok := g.grant(len(l.queue) > 0)
			if !ok {
				g.done()
				continue
			}
			l.idled(t.idle, t.starved, t.why)
		}
	}
}

// idled puts a stretch with no job ready down to jobs left in the lane's
// queue with every worker busy (starved), or else to what the job that
// ended it had been waiting for.
func (l *lane) idled(d time.Duration, starved bool, why readiness) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.stats
	s.NoneReady += d
	switch {
	case starved:
		s.Starved += d
	case why == retryAfter:
		s.WaitRetryAfter += d
	case why == backedOff:
		s.WaitBackoff += d
	case why == lostAnswer:
		s.WaitLost += d
	}
}

// takePlace waits for a free place among the requests in flight,
// counting the wait when there was none; false when the lane stopped.
func (r *run) takePlace(l *lane) bool {
	select {
	case l.gate.inFlight <- struct{}{}:
		return true
	default:
	}
	since := r.now()
	select {
	case l.gate.inFlight <- struct{}{}:
		l.addIdle(&l.stats.Full, r.now().Sub(since))
		return true
	case <-l.ctx.Done():
		return false
	}
}

// addIdle adds d to one of the lane's time counters.
func (l *lane) addIdle(counter *time.Duration, d time.Duration) {
	l.mu.Lock()
	*counter += d
	l.mu.Unlock()
}

// takeToken waits until the lane is not paused and its limiter grants a
// token, or the lane stops.
func (r *run) takeToken(l *lane) error {
	for {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		seen, err := r.waitPause(l)
		if err != nil {
			return err
		}
		if err := l.lim.Wait(l.ctx); err != nil {
			return err
		}
		// A pause that began while waiting for the token applies too.
		l.mu.Lock()
		newer := l.pausedUntil.After(seen) && l.pausedUntil.After(r.now())
		l.mu.Unlock()
		if !newer {
			return l.ctx.Err()
		}
	}
}

// waitTurn blocks until the lane grants this job a turn, or the lane
// stops. ticket is a turn already queued for (nil: queue now); underWay
// says the job made a request before, why what it waited for since. On
// success the caller holds a place in flight until it calls l.gate.done.
func (r *run) waitTurn(l *lane, ticket chan struct{}, underWay bool, why readiness) error {
	ch := ticket
	if ch == nil {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		ch = l.gate.enter(underWay, why)
	}
	select {
	case <-ch:
		if err := l.ctx.Err(); err != nil {
			l.gate.done()
			return err
		}
		return nil
	case <-l.ctx.Done():
		l.gate.abandon(ch)
		return l.ctx.Err()
	}
}

// abandon withdraws a queued turn the job will not use, giving it back
// if it was granted meanwhile.
func (g *gate) abandon(ch chan struct{}) {
	if !g.leave(ch) {
		<-ch
		g.done()
	}
}

// next takes the lane's next job and queues its first turn in the same
// step, so first requests go out in the order of the plan.
func (l *lane) next() (*Job, chan struct{}, bool) {
	l.take.Lock()
	defer l.take.Unlock()
	job, ok := <-l.queue
	if !ok {
		return nil, nil, false
	}
	return job, l.gate.enter(false, fresh), true
}

// carriers is how many jobs of a lane may be under way at once: enough
// beyond its requests in flight that jobs waiting out a backoff or a
// Retry-After do not leave the lane idle while other jobs are ready.
func carriers(concurrency, jobs int) int {
	return min(jobs, 2*concurrency+16)
}
