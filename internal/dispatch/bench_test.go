package dispatch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// The benchmark's shape.
const (
	benchVendors = 4
	benchJobs    = 1000 // per vendor
	benchRate    = 200  // requests per second per vendor
	benchBurst   = 1
	benchLatency = 20 * time.Millisecond
)

// BenchmarkDispatch sends 4,000 jobs to four vendors answering in 20 ms,
// each limited to 200 requests/s, under a few concurrency caps (0 is the
// lanes' default); rate × latency is 4 requests in flight. The floor is
// the busiest vendor's jobs ÷ its rate (≈5 s); "x-floor" is the wall
// time over that floor (target ≤ 1.05).
func BenchmarkDispatch(b *testing.B) {
	floor := time.Duration(float64(benchJobs-benchBurst) / benchRate * float64(time.Second))
	for _, conc := range []int{4, 8, 0} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) { benchDispatch(b, conc, floor) })
	}
}

func benchDispatch(b *testing.B, conc int, floor time.Duration) {
	for b.Loop() {
		lanes := map[string]*Lane{}
		var jobs []*Job
		for v := range benchVendors {
			name := fmt.Sprintf("v%d", v)
			lanes[name] = &Lane{Client: &fakeClient{latency: benchLatency}, Rate: benchRate, Burst: benchBurst, Concurrency: conc}
			for i := range benchJobs {
				jobs = append(jobs, job(v*benchJobs+i, name))
			}
		}
		d := &Dispatcher{Lanes: lanes}
		created := 0
		start := time.Now()
		stats, err := d.Run(context.Background(), jobs, func(res Result) {
			if res.Status == Created {
				created++
			}
		})
		wall := time.Since(start)
		if err != nil || created != len(jobs) {
			b.Fatalf("created %d of %d: %v", created, len(jobs), err)
		}
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(float64(stats.Vendors["v0"].Requests)/stats.Vendors["v0"].Active.Seconds(), "req/s/vendor")
	}
}

// TestDefaultConcurrencyReachesTheRate checks the lane default leaves
// headroom over rate × latency.
func TestDefaultConcurrencyReachesTheRate(t *testing.T) {
	for _, c := range []struct {
		r    rate.Limit
		want int
	}{{0.5, 4}, {5, 4}, {20, 7}, {200, 52}, {1000, 64}, {rate.Inf, 64}} {
		if got := DefaultConcurrency(c.r); got != c.want {
			t.Errorf("DefaultConcurrency(%v) = %d, want %d", c.r, got, c.want)
		}
	}
}
