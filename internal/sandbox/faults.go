package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// Stats counts what one vendor's API answered.
type Stats struct {
	Requests  int `json:"requests"`  // every call to the vendor's mount
	Created   int `json:"created"`   // records stored
	Rejected  int `json:"rejected"`  // 4xx answers (other than 429) and JSON-RPC errors
	Throttled int `json:"throttled"` // 429 answers from the rate limit
	Errors    int `json:"errors"`    // injected 5xx answers
	Lost      int `json:"lost"`      // connections closed without an answer
	Malformed int `json:"malformed"` // answers with truncated JSON
}

// vendorState is one vendor's fault injection and counters.
type vendorState struct {
	name    string
	faults  Faults
	limiter *rate.Limiter // nil: unlimited

	mu    sync.Mutex // guards rng and stats
	rng   *rand.Rand
	stats Stats
}

func newVendorState(name string, f Faults, rng *rand.Rand) *vendorState {
	v := &vendorState{name: name, faults: f, rng: rng}
	if f.Rate > 0 {
		burst := f.Burst
		if burst == 0 {
			burst = int(math.Ceil(f.Rate))
		}
		v.limiter = rate.NewLimiter(rate.Limit(f.Rate), burst)
	}
	return v
}

func (v *vendorState) count(fn func(*Stats)) {
	v.mu.Lock()
	fn(&v.stats)
	v.mu.Unlock()
}

// callKind says which faults a call is exposed to.
type callKind int

const (
	kindAuth   = callKind(simcore.Auth)   // rate limit only
	kindLookup = callKind(simcore.Lookup) // rate limit, latency, 5xx
	kindCreate = callKind(simcore.Create) // everything
)

// fault is what injection decided for one call.
type fault int

const (
	faultNone fault = iota
	faultError
	faultLost
	faultMalformed
)

var faultNames = [...]string{"", "5xx", "lost", "malformed"}

// reply is a vendor's answer before it is written (or lost, or cut).
type reply struct {
	status   int
	header   map[string]string
	body     any
	rejected bool // an error answer with a success status (JSON-RPC)
	created  bool // a record was stored
}

// call is one request to a vendor mount on its way through the sandbox.
type call struct {
	s     *Server
	v     *vendorState
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	fault fault
	start time.Time
	// errorReply shapes an error the way this vendor does.
	errorReply func(c *call, status int, msg string) reply
}

// endpoint wraps a vendor handler with body reading, the rate limit and,
// for creates and lookups, fault injection.
func (s *Server) endpoint(vendor string, kind callKind, errorReply func(*call, int, string) reply, h func(*call) reply) http.HandlerFunc {
	v := s.vendors[vendor]
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, v: v, w: w, r: r, start: time.Now(), errorReply: errorReply}
		v.count(func(st *Stats) { st.Requests++ })
		if rep, ok := c.admit(); !ok {
			c.finish(rep)
			return
		}
		if kind != kindAuth {
			if rep, stop := c.inject(kind); stop {
				c.finish(rep)
				return
			}
		}
		c.finish(h(c))
	}
}

// admit reads the body and applies the vendor's rate limit.
func (c *call) admit() (reply, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return c.errorReply(c, http.StatusRequestEntityTooLarge, "request body larger than 1 MiB"), false
		}
		return c.errorReply(c, http.StatusBadRequest, "could not read the request body"), false
	}
	c.body = body
	if c.v.limiter == nil {
		return reply{}, true
	}
	now := c.s.now()
	res := c.v.limiter.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if res.OK() && delay == 0 {
		return reply{}, true
	}
	res.CancelAt(now)
	c.v.count(func(st *Stats) { st.Throttled++ })
	secs := int(math.Ceil(delay.Seconds()))
	if secs < 1 {
		secs = 1
	}
	rep := c.errorReply(c, http.StatusTooManyRequests, "rate limit exceeded; retry after "+strconv.Itoa(secs)+" s")
	rep.header = map[string]string{"Retry-After": strconv.Itoa(secs)}
	return rep, false
}

// inject draws this call's fault (one draw per call, so a seed gives the
// same sequence for the same calls), waits the added latency, and answers
// an injected 5xx at once. Lost and malformed answers are applied by finish,
// after the handler has stored the record.
func (c *call) inject(kind callKind) (reply, bool) {
	f := c.v.faults
	c.v.mu.Lock()
	u := c.v.rng.Float64()
	c.v.mu.Unlock()
	switch {
	case u < f.ErrorRate:
		c.fault = faultError
	case kind == kindCreate && u < f.ErrorRate+f.LostRate:
		c.fault = faultLost
	case kind == kindCreate && u < f.ErrorRate+f.LostRate+f.MalformedRate:
		c.fault = faultMalformed
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			t.Stop()
		case <-c.s.closing:
			t.Stop()
		}
	}
	if c.fault != faultError {
		return reply{}, false
	}
	c.v.count(func(st *Stats) { st.Errors++ })
	// The first half of the error share answers 503 (with Retry-After),
	// the second half 500.
	if u < f.ErrorRate/2 {
		rep := c.errorReply(c, http.StatusServiceUnavailable, "service temporarily unavailable")
		rep.header = map[string]string{"Retry-After": "1"}
		return rep, true
	}
	return c.errorReply(c, http.StatusInternalServerError, "internal server error"), true
}

// finish writes the reply — whole, cut short, or not at all.
func (c *call) finish(rep reply) {
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	c.v.count(func(st *Stats) {
		if rep.created {
			st.Created++
		}
		if rep.rejected || (rep.status >= 400 && rep.status < 500 && rep.status != http.StatusTooManyRequests) {
			st.Rejected++
		}
		switch c.fault {
		case faultLost:
			st.Lost++
		case faultMalformed:
			st.Malformed++
		}
	})
	c.s.log.Info("sandbox call", "vendor", c.v.name, "method", c.r.Method, "path", c.r.URL.Path,
		"status", rep.status, "fault", faultNames[c.fault], "took", time.Since(c.start).Round(time.Microsecond))
	if c.fault == faultLost {
		loseConnection(c.w)
		return
	}
	data, err := json.Marshal(rep.body)
	if err != nil {
		data = []byte(`{"message":"sandbox could not encode its answer"}`)
		rep.status = http.StatusInternalServerError
	}
	if c.fault == faultMalformed {
		data = data[:len(data)/2]
	}
	h := c.w.Header()
	for k, v := range rep.header {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(rep.status)
	_, _ = c.w.Write(data)
}

// loseConnection closes the client's connection without writing a byte of
// the response. It needs a real server (Start, httptest.NewServer): a
// writer that cannot be hijacked gets the handler aborted instead.
func loseConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// writeJSON writes a sandbox (non-vendor) answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"message":"sandbox could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
