package web

import (
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/sandbox"
)

// BenchmarkUploadAndValidate1000 uploads a 1,000-person sheet and renders
// its batch page (the target: under 1 s).
func BenchmarkUploadAndValidate1000(b *testing.B) {
	e := newEnv(b, sandbox.Faults{})
	content := sheet(990, manyBad(10)...)
	hr := e.signInB(b, "hr")
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		page := hr.upload("/batches", "big.csv", content).header.Get("Location")
		res := hr.get(page)
		if !strings.Contains(res.body, "1000 people: 990 ready, 10 need fixing") {
			b.Fatalf("batch page: %d", res.code)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/page")
	}
}

// BenchmarkConcurrentSessions50 has 50 sessions upload and validate the
// same 1,000-person sheet at once; it reports the p95 latency and the
// process's peak RSS.
func BenchmarkConcurrentSessions50(b *testing.B) {
	e := newEnv(b, sandbox.Faults{})
	content := sheet(990, manyBad(10)...)
	browsers := make([]*browser, 50)
	for i := range browsers {
		browsers[i] = e.signInB(b, "hr")
	}
	b.ResetTimer()
	for b.Loop() {
		var mu sync.Mutex
		var took []time.Duration
		var wg sync.WaitGroup
		for _, br := range browsers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				page := br.upload("/batches", "big.csv", content).header.Get("Location")
				res := br.get(page)
				if !strings.Contains(res.body, "990 ready") {
					b.Errorf("batch page: %d", res.code)
				}
				mu.Lock()
				took = append(took, time.Since(start))
				mu.Unlock()
			}()
		}
		wg.Wait()
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		b.ReportMetric(float64(took[len(took)*95/100-1].Milliseconds()), "p95-ms")
		b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "max-ms")
	}
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// manyBad returns n rows with a bad e-mail address.
func manyBad(n int) []string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "Bad,Row" + strconv.Itoa(i) + ",bad" + strconv.Itoa(i) + "@nowhere,+61499" + strconv.Itoa(100000+i) + ",Agent"
	}
	return rows
}

// peakRSSMB is the process's peak resident set (VmHWM), in MB.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// signInB is signIn for benchmarks.
func (e *env) signInB(b *testing.B, user string) *browser {
	br := e.anon()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/signin", strings.NewReader("user="+user+"&password="+strings.ReplaceAll(testPassword, " ", "+")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := br.do(req); res.code != http.StatusSeeOther {
		b.Fatalf("sign in: %d", res.code)
	}
	return br
}

// BenchmarkProgressEvents runs 40 people against a slow sandbox and
// reports the longest gap between progress events (the issue asks for at
// least one a second).
func BenchmarkProgressEvents(b *testing.B) {
	e := newEnv(b, sandbox.Faults{Latency: 100 * time.Millisecond}, func(o *Options) {})
	it := e.signInB(b, "it")
	for b.Loop() {
		page := it.upload("/batches", "h.csv", sheet(40)).header.Get("Location")
		it.post(page+"/run", map[string][]string{"confirm": {"yes"}})
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+page+"/events", nil)
		res, err := it.c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var gaps []time.Duration
		last := time.Now()
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			if n > 0 && strings.Contains(string(buf[:n]), "event: ") {
				gaps = append(gaps, time.Since(last))
				last = time.Now()
			}
			if err != nil {
				break
			}
		}
		res.Body.Close()
		sort.Slice(gaps, func(i, j int) bool { return gaps[i] > gaps[j] })
		if len(gaps) > 0 {
			b.ReportMetric(float64(gaps[0].Milliseconds()), "max-gap-ms")
		}
		b.ReportMetric(float64(len(gaps)), "events")
	}
}
