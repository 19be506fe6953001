// Package progress shows how a long run is going: a progress bar when a
// person watches a terminal, a log line every few seconds otherwise (cron,
// CI), never both, and nothing with --quiet.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Counts are the running totals shown.
type Counts struct {
	Done, Total     int
	Created, Failed int // created (or already existing) and failed/not sent
}

// Reporter receives progress. Implementations are safe for concurrent use.
type Reporter interface {
	// Step records one finished row; ok says whether it succeeded.
	Step(ok bool)
	// Finish ends the display.
	Finish()
}

// Mode picks how progress is shown.
type Mode int

// The ways to show progress.
const (
	Quiet Mode = iota // nothing
	Bar               // schollz/progressbar on a terminal
	Log               // a slog line every Interval
)

// New returns a Reporter for total rows in the given mode. w is stderr;
// logger is used in Log mode.
func New(mode Mode, total int, what string, w io.Writer, logger *slog.Logger, interval time.Duration) Reporter {
	switch mode {
	case Bar:
		return newBar(total, what, w)
	case Log:
		return newLogReporter(total, what, logger, interval)
	default:
		return nopReporter{}
	}
}

type nopReporter struct{}

func (nopReporter) Step(bool) {}
func (nopReporter) Finish()   {}

type barReporter struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
	c   Counts
}

func newBar(total int, what string, w io.Writer) *barReporter {
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	return &barReporter{bar: bar, c: Counts{Total: total}}
}

func (b *barReporter) Step(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.c.Done++
	if ok {
		b.c.Created++
	} else {
		b.c.Failed++
	}
	b.bar.Describe(fmt.Sprintf("sending (%d ok, %d failed)", b.c.Created, b.c.Failed))
	_ = b.bar.Add(1)
}

func (b *barReporter) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.bar.Finish()
}

type logReporter struct {
	mu     sync.Mutex
	c      Counts
	what   string
	logger *slog.Logger
	start  time.Time
	logged bool // a progress line was written
	stop   chan struct{}
	done   chan struct{}
}

func newLogReporter(total int, what string, logger *slog.Logger, interval time.Duration) *logReporter {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	l := startLogReporter(total, what, logger, t.C)
	go func() { <-l.done; t.Stop() }()
	return l
}

// startLogReporter logs a progress line on every tick until Finish.
func startLogReporter(total int, what string, logger *slog.Logger, ticks <-chan time.Time) *logReporter {
	l := &logReporter{c: Counts{Total: total}, what: what, logger: logger, start: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for {
			select {
			case <-ticks:
				l.log("progress")
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

func (l *logReporter) Step(ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Done++
	if ok {
		l.c.Created++
	} else {
		l.c.Failed++
	}
}

func (l *logReporter) log(msg string) {
	l.mu.Lock()
	c := l.c
	l.logged = true
	l.mu.Unlock()
	elapsed := time.Since(l.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(c.Done) / s
	}
	attrs := []any{"what", l.what, "done", c.Done, "total", c.Total, "ok", c.Created, "failed", c.Failed,
		"rows_per_s", math.Round(rate*10) / 10}
	if rate > 0 && c.Done < c.Total {
		attrs = append(attrs, "eta", (time.Duration(float64(c.Total-c.Done)/rate) * time.Second).Round(time.Second).String())
	}
	l.logger.Info(msg, attrs...)
}

// Finish stops the periodic lines. A run long enough to have logged
// progress gets a closing "finished" line; a short one leaves the words to
// the summary that follows.
func (l *logReporter) Finish() {
	select {
	case <-l.stop:
		return
	default:
	}
	close(l.stop)
	<-l.done
	l.mu.Lock()
	logged := l.logged
	l.mu.Unlock()
	if logged {
		l.log("finished")
	}
}
