package dispatch

import "time"

// Backoff spaces the retries of one job: exponential growth with full
// jitter, so workers retrying at once spread out instead of colliding.
type Backoff struct {
	Base time.Duration // ceiling of the first retry's wait; 0 means DefaultBackoffBase
	Cap  time.Duration // largest ceiling; 0 means DefaultBackoffCap
}

// Backoff defaults.
const (
	DefaultBackoffBase = 200 * time.Millisecond
	DefaultBackoffCap  = 10 * time.Second
)

// Ceiling returns the longest wait before retry n (1 for the first):
// min(Cap, Base × 2^(n-1)).
func (b Backoff) Ceiling(n int) time.Duration {
	base, limit := b.Base, b.Cap
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if limit <= 0 {
		limit = DefaultBackoffCap
	}
	c := base
	for i := 1; i < n && c < limit; i++ {
		c *= 2
	}
	return min(c, limit)
}

// Delay returns the wait before retry n given u drawn uniformly from
// [0, 1): u × Ceiling(n) ("full jitter").
func (b Backoff) Delay(n int, u float64) time.Duration {
	u = min(max(u, 0), 1)
	return time.Duration(u * float64(b.Ceiling(n)))
}
