package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/onboard/onboard/internal/batch"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg       *prometheus.Registry
	uploads   prometheus.Counter
	runs      *prometheus.CounterVec
	people    *prometheus.CounterVec
	records   *prometheus.CounterVec
	requests  *prometheus.CounterVec
	retries   *prometheus.CounterVec
	throttled *prometheus.CounterVec
	duration  prometheus.Histogram
	signins   *prometheus.CounterVec
	http      *prometheus.CounterVec
}

// batchCollector reports the batches by status at each scrape.
type batchCollector struct {
	s    *Server
	desc *prometheus.Desc
}

func (c batchCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c batchCollector) Collect(ch chan<- prometheus.Metric) {
	all, err := c.s.store.batches()
	if err != nil {
		return
	}
	counts := map[string]int{}
	for _, b := range all {
		counts[b.Status()]++
	}
	for st, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), st)
	}
}

func newMetrics() *metrics {
	m := &metrics{
		reg:       prometheus.NewRegistry(),
		uploads:   prometheus.NewCounter(prometheus.CounterOpts{Name: "onboard_uploads_total", Help: "Sheets uploaded (first versions and corrections)."}),
		runs:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_runs_total", Help: "Runs finished, by outcome."}, []string{"outcome"}),
		people:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_people_total", Help: "People in finished runs, by status."}, []string{"status"}),
		records:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_records_total", Help: "Vendor records in finished runs, by status."}, []string{"status"}),
		requests:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_vendor_requests_total", Help: "Requests sent to vendors."}, []string{"vendor"}),
		retries:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_vendor_retries_total", Help: "Vendor requests repeated after a passing failure."}, []string{"vendor"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_vendor_throttled_total", Help: "429 answers from vendors."}, []string{"vendor"}),
		duration:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onboard_run_duration_seconds", Help: "Wall time of runs.", Buckets: prometheus.ExponentialBuckets(0.5, 2, 14)}),
		signins:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_signins_total", Help: "Sign-in attempts, by result."}, []string{"result"}),
		http:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onboard_http_requests_total", Help: "HTTP requests, by status code class."}, []string{"code"}),
	}
	m.reg.MustRegister(m.uploads, m.runs, m.people, m.records, m.requests, m.retries, m.throttled, m.duration, m.signins, m.http,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observeRun adds a finished run's counts.
func (m *metrics) observeRun(res *batch.Result) {
	outcome := "finished"
	if res.Interrupted {
		outcome = "interrupted"
	}
	m.runs.WithLabelValues(outcome).Inc()
	for st, n := range res.PeopleCounts() {
		m.people.WithLabelValues(st.String()).Add(float64(n))
	}
	for st, n := range res.Counts() {
		m.records.WithLabelValues(st.String()).Add(float64(n))
	}
	for _, v := range res.Vendors {
		m.requests.WithLabelValues(v.Vendor).Add(float64(v.Requests))
		m.retries.WithLabelValues(v.Vendor).Add(float64(v.Retries))
		m.throttled.WithLabelValues(v.Vendor).Add(float64(v.Throttled))
	}
	if !res.End.IsZero() {
		m.duration.Observe(res.End.Sub(res.Start).Seconds())
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
