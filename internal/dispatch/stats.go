package dispatch

import "time"

// Stats sums up one Run for the report's summary.
type Stats struct {
	Elapsed  time.Duration          // wall time of the run
	Outcomes map[Status]int         // jobs by final status
	Vendors  map[string]VendorStats // by vendor (lane) name
}

// VendorStats sums up one vendor's lane.
type VendorStats struct {
	Jobs        int
	Concurrency int // cap on requests in flight
	Outcomes    map[Status]int
	Requests    int           // every request made: Creates + Lookups
	Creates     int           // Create requests
	Lookups     int           // Lookup requests
	Retries     int           // requests repeating an earlier one for the same job
	Throttled   int           // 429 answers
	Pauses      int           // lane-wide pauses for Retry-After
	Paused      time.Duration // total time the lane was paused
	Busy        time.Duration // sum of the requests' durations
	Slowest     time.Duration // longest single request
	Active      time.Duration // from the first request sent to the last answer
	// Tail is the end of Active spent after the last job's first request:
	// retries and lookups with no new job left to fill the rate between them.
	Tail time.Duration
	// Full is the time jobs ready to send waited because Concurrency
	// requests were already in flight: the lane was held back by slow
	// answers or slow progress writes, not by its rate.
	Full time.Duration
	// NoneReady is the time no job was ready to send: every job under way
	// was waiting out a backoff or an answer (the run's tail, mostly),
	// from the turn that left nobody waiting to the next job's arrival.
	// It is split by what that job had waited for; the rest (WaitOther)
	// is first requests waiting on answers or on their dependencies.
	NoneReady      time.Duration
	WaitRetryAfter time.Duration // a vendor's Retry-After (a 503's)
	WaitBackoff    time.Duration // the backoff after a failed request
	WaitLost       time.Duration // the backoff before reconciling a lost answer
	// Starved is the part of NoneReady during which jobs were ready in the
	// lane's queue but every one of its workers was busy with jobs waiting
	// out a backoff, a Retry-After or an answer.
	Starved time.Duration

	Lost      int           // Create answers lost (Uncertain): the record may exist
	LostWait  time.Duration // time those requests took until the loss was seen (a timeout, a dropped connection)
	Reconcile time.Duration // from each lost answer to its job's end: waits, lookups, re-sends
	Recording time.Duration // time spent recording sends (Recorder.Begin), each holding its place in flight
}

// WaitOther is the part of NoneReady that no job waiting out a backoff,
// a Retry-After or a lost answer explains: first requests waiting on
// answers (workers) or on the plan's dependencies.
func (v VendorStats) WaitOther() time.Duration {
	return v.NoneReady - v.WaitRetryAfter - v.WaitBackoff - v.WaitLost - v.Starved
}

// MeanLatency is the average time a request took.
func (v VendorStats) MeanLatency() time.Duration {
	if v.Requests == 0 {
		return 0
	}
	return v.Busy / time.Duration(v.Requests)
}

// Throughput is the requests per second achieved while the lane was active.
func (v VendorStats) Throughput() float64 {
	if v.Active <= 0 {
		return 0
	}
	return float64(v.Requests) / v.Active.Seconds()
}

func newStats() Stats {
	return Stats{Outcomes: map[Status]int{}, Vendors: map[string]VendorStats{}}
}

func (s *Stats) count(res Result) {
	s.Outcomes[res.Status]++
	v := s.Vendors[res.Job.Vendor]
	if v.Outcomes == nil {
		v.Outcomes = map[Status]int{}
	}
	v.Jobs++
	v.Outcomes[res.Status]++
	s.Vendors[res.Job.Vendor] = v
}

// addLane merges a lane's request counters into its vendor's entry.
func (s *Stats) addLane(name string, l VendorStats) {
	v := s.Vendors[name]
	l.Jobs, l.Outcomes = v.Jobs, v.Outcomes
	s.Vendors[name] = l
}
