package batch_test

import (
	"context"
	"sync"
	"testing"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/sandbox"
)

// TestEventsFollowTheSends checks Options.Events against the run's own
// counts: one request event per create request, retries included, and one
// done event per record sent, per vendor.
func TestEventsFollowTheSends(t *testing.T) {
	sb, cfg := startSandbox(t, sandbox.Options{Seed: 3, Faults: sandbox.Faults{ErrorRate: 0.2}})
	var mu sync.Mutex
	requests, retries, done := map[string]int{}, map[string]int{}, map[string]int{}
	opt := batch.Options{Input: sample, Config: cfg, StateDir: t.TempDir(), Backoff: fastBackoff,
		Events: func(e batch.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch e.Kind {
			case batch.EventRequest:
				requests[e.Vendor]++
				if e.Attempt > 1 {
					retries[e.Vendor]++
				}
			case batch.EventDone:
				done[e.Vendor]++
			}
		}}
	res, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for _, r := range res.Records {
		if r.Status == outcome.Created {
			sent[vendorOf(r.Target)]++
		}
	}
	totalRetries := 0
	for _, v := range res.Vendors {
		if requests[v.Vendor] != v.Creates {
			t.Errorf("%s: %d request events, the run counted %d creates", v.Vendor, requests[v.Vendor], v.Creates)
		}
		if done[v.Vendor] < sent[v.Vendor] {
			t.Errorf("%s: %d done events for %d records created", v.Vendor, done[v.Vendor], sent[v.Vendor])
		}
		totalRetries += retries[v.Vendor]
	}
	if sb.Ledger().Stats == nil || totalRetries == 0 {
		t.Error("no retry was seen: the faults did not bite, the test proves less than it says")
	}
}

func vendorOf(target string) string {
	for i := range target {
		if target[i] == '.' {
			return target[:i]
		}
	}
	return target
}
