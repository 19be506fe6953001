package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/progress"
	"github.com/onboard/onboard/internal/report"
)

// Live is the progress of the run in progress, as the page shows it.
type Live struct {
	Batch    string  `json:"batch"`
	State    string  `json:"state"`
	Position int     `json:"position,omitempty"` // place in the queue, 1 = next
	Total    int     `json:"total"`
	Done     int     `json:"done"`
	OK       int     `json:"ok"`
	Failed   int     `json:"failed"`
	Elapsed  float64 `json:"elapsed"`       // seconds
	ETA      float64 `json:"eta,omitempty"` // seconds left, estimated
	// Vendors are the requests so far per vendor, by name.
	Vendors map[string]VendorLive `json:"vendors,omitempty"`
}

// VendorLive counts one vendor's requests during a run.
type VendorLive struct {
	Requests  int `json:"requests"`
	Retries   int `json:"retries"`
	Throttled int `json:"throttled"` // records whose last answer was 429
}

// runQueue runs one batch at a time, in the order asked.
type runQueue struct {
	s *Server

	mu      sync.Mutex
	queue   []string                         // batch IDs (or task names) waiting
	tasks   map[string]func(context.Context) // queued work that is not a batch (a schedule's pass), by name
	current string
	cancel  context.CancelFunc
	live    Live
	started time.Time
	changed chan struct{} // closed and replaced on every change
	wake    chan struct{}
	idle    sync.WaitGroup
}

func newRunQueue(s *Server) *runQueue {
	return &runQueue{s: s, changed: make(chan struct{}), wake: make(chan struct{}, 1)}
}

// notify wakes everyone watching the progress; q.mu is held.
func (q *runQueue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// enqueue adds a batch to the queue and returns its position.
func (q *runQueue) enqueue(id string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = append(q.queue, id)
	q.notify()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return len(q.queue)
}

// status returns the progress of batch id and a channel closed at the
// next change.
func (q *runQueue) status(id string) (Live, bool, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.current == id {
		l := q.live
		l.Vendors = maps.Clone(q.live.Vendors)
		l.Elapsed = time.Since(q.started).Seconds()
		if l.Done > 0 && l.Total > l.Done {
			l.ETA = l.Elapsed / float64(l.Done) * float64(l.Total-l.Done)
		}
		return l, true, q.changed
	}
	for i, w := range q.queue {
		if w == id {
			return Live{Batch: id, State: RunQueued, Position: i + 1}, true, q.changed
		}
	}
	return Live{Batch: id}, false, q.changed
}

// cancelRun stops batch id: out of the queue, or its run cancelled like
// Ctrl-C (no new sends; in flight finish; resumable).
func (q *runQueue) cancelRun(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, w := range q.queue {
		if w == id {
			q.queue = append(q.queue[:i], q.queue[i+1:]...)
			q.notify()
			return true
		}
	}
	if q.current == id && q.cancel != nil {
		q.cancel()
		return true
	}
	return false
}

// start runs the loop until ctx ends; wait waits for it.
func (q *runQueue) start(ctx context.Context) {
	q.idle.Add(1)
	go q.loop(ctx)
}

// wait returns once no run is in progress (after ctx of loop ended).
func (q *runQueue) wait() { q.idle.Wait() }

// loop runs queued batches one at a time until ctx ends.
func (q *runQueue) loop(ctx context.Context) {
	defer q.idle.Done()
	for {
		q.mu.Lock()
		var id string
		if len(q.queue) > 0 {
			id, q.queue = q.queue[0], q.queue[1:]
		}
		q.mu.Unlock()
		if id == "" {
			select {
			case <-ctx.Done():
				return
			case <-q.wake:
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		q.runOne(ctx, id)
	}
}

// runOne runs one batch and records how it ended.
func (q *runQueue) runOne(parent context.Context, id string) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	q.mu.Lock()
	q.current, q.cancel, q.started = id, cancel, time.Now()
	q.live = Live{Batch: id, State: RunRunning}
	q.notify()
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.current, q.cancel = "", nil
		q.notify()
		q.mu.Unlock()
	}()
	q.mu.Lock()
	task := q.tasks[id]
	delete(q.tasks, id)
	q.mu.Unlock()
	if task != nil {
		task(ctx)
		return
	}
	q.s.execute(ctx, id, q)
}

// progressOf feeds the run's steps into the live progress.
type progressOf struct{ q *runQueue }

func (p progressOf) Step(ok bool) {
	p.q.mu.Lock()
	defer p.q.mu.Unlock()
	p.q.live.Done++
	if ok {
		p.q.live.OK++
	} else {
		p.q.live.Failed++
	}
	p.q.notify()
}

func (p progressOf) Finish() {}

// event counts a vendor request or result in the live progress.
func (q *runQueue) event(e batch.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.live.Vendors == nil {
		q.live.Vendors = map[string]VendorLive{}
	}
	v := q.live.Vendors[e.Vendor]
	switch e.Kind {
	case batch.EventRequest:
		v.Requests++
		if e.Attempt > 1 {
			v.Retries++
		}
	case batch.EventDone:
		if e.HTTPStatus == http.StatusTooManyRequests {
			v.Throttled++
		}
	}
	q.live.Vendors[e.Vendor] = v
	q.notify()
}

// setTotal sets how many records the run sends.
func (q *runQueue) setTotal(n int) progress.Reporter {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.live.Total = n
	q.notify()
	return progressOf{q}
}

// execute runs the batch's newest version with the CLI's pipeline and
// writes its result files.
func (s *Server) execute(ctx context.Context, id string, q *runQueue) {
	b, err := s.store.updateBatch(id, func(b *Batch) error {
		if b.Run == nil {
			return errors.New("no run asked")
		}
		b.Run.State, b.Run.Started, b.Run.Message = RunRunning, s.now(), ""
		return nil
	})
	if err != nil {
		s.log.Error("start a run", "batch", id, "error", err)
		return
	}
	log := s.log.With("batch", id, "user", b.Run.By)
	log.Info("run started", "version", b.Run.Version)
	opt, err := s.runOptions(b)
	if err == nil {
		opt.Progress, opt.Events = q.setTotal, q.event
	}
	var res *batch.Result
	if err == nil {
		res, err = batch.Run(ctx, opt)
	}
	s.finishRun(id, res, err, log)
}

// runOptions are the batch.Options of a real run of b's newest version.
func (s *Server) runOptions(b *Batch) (batch.Options, error) {
	if s.opt.Config == nil {
		return batch.Options{}, errors.New("the server has no vendor configuration: start it with --config or --sandbox")
	}
	input := s.runInput(b)
	if err := copyFile(s.inputPath(b, b.Latest()), input); err != nil {
		return batch.Options{}, fmt.Errorf("prepare the sheet: %w", err)
	}
	if err := os.MkdirAll(s.reportsDir(b.ID), 0o700); err != nil {
		return batch.Options{}, err
	}
	return batch.Options{
		Input: input, Config: s.opt.Config, Plan: s.opt.Plan, StateDir: s.stateDir(b.ID),
		CredentialsDir: s.reportsDir(b.ID), Limiters: s.limiters, Logger: s.log.With("batch", b.ID),
		Grace: s.opt.Grace, RunID: batch.NewRunID(s.now()),
	}, nil
}

// finishRun records the outcome and writes the result workbook, CSV and
// JSON next to the batch.
func (s *Server) finishRun(id string, res *batch.Result, runErr error, log *slog.Logger) {
	if res != nil {
		if err := s.writeResults(id, res); err != nil {
			log.Error("write the results", "error", err)
		}
		s.metrics.observeRun(res)
	}
	_, err := s.store.updateBatch(id, func(b *Batch) error {
		r := b.Run
		r.Ended = s.now()
		switch {
		case res == nil:
			r.State, r.Message = RunFailed, s.publicError(runErr)
		case res.Interrupted:
			r.State, r.Message = RunInterrupted, "stopped before the end; resume to create the rest"
		default:
			r.State = RunDone
			if runErr != nil {
				r.Message = s.publicError(runErr)
			}
		}
		if res != nil {
			r.RunID, r.Headline, r.Records = res.RunID, res.PeopleHeadline(), len(res.Records)
			r.Created = res.Count(outcome.Created) + res.Count(outcome.Exists) + res.Count(outcome.DoneEarlier)
			r.Failed = res.Count(outcome.Failed) + res.Count(outcome.Invalid)
			r.Passwords = res.NewPasswords
			if res.Credentials != "" {
				r.CredentialsGone = false
			}
		}
		return nil
	})
	if err != nil {
		log.Error("record the run", "error", err)
	}
	state := "failed"
	if res != nil {
		state = "finished"
		if res.Interrupted {
			state = "interrupted"
		}
	}
	log.Info("run "+state, "records", recordsOf(res))
	s.afterRun(id, res, runErr, log)
}

func recordsOf(res *batch.Result) int {
	if res == nil {
		return 0
	}
	return len(res.Records)
}

// Result file names in a batch's reports directory.
const (
	resultJSON = "result.json"
	resultXLSX = "result.xlsx"
	resultCSV  = "results.csv"
)

// writeResults keeps the run's outcome (JSON, for the results page), its
// result workbook and results CSV.
func (s *Server) writeResults(id string, res *batch.Result) error {
	dir := s.reportsDir(id)
	var errs []error
	src := report.Source{Validate: res.ValidateOptions, HRSheet: res.HRSheet, PasswordColumn: res.PasswordColumn}
	if err := report.WriteResult(context.Background(), filepath.Join(dir, resultXLSX), &res.Result, src); err != nil {
		errs = append(errs, err)
	}
	if err := report.WriteResultsCSV(filepath.Join(dir, resultCSV), &res.Result); err != nil {
		errs = append(errs, err)
	}
	data, err := json.Marshal(&res.Result)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, resultJSON), data, 0o600)
	}
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// loadResult reads the outcome of a batch's last run; nil when none.
func (s *Server) loadResult(id string) *outcome.Result {
	data, err := os.ReadFile(filepath.Join(s.reportsDir(id), resultJSON))
	if err != nil {
		return nil
	}
	var res outcome.Result
	if json.Unmarshal(data, &res) != nil {
		return nil
	}
	return &res
}

// credentialsPath is the batch's credentials file (named after the run
// input, as the CLI names it).
func (s *Server) credentialsPath(b *Batch) string {
	return hires.CredentialsFilePath(s.reportsDir(b.ID), s.runInput(b))
}

// preview is a dry run of the batch's newest version: what a run would
// create per system.
func (s *Server) preview(ctx context.Context, b *Batch) (*batch.Result, error) {
	opt, err := s.runOptions(b)
	if err != nil {
		return nil, err
	}
	opt.DryRun, opt.CredentialsDir = true, ""
	return batch.Run(ctx, opt)
}

// markInterrupted marks the runs a previous process left queued or
// running as interrupted, to be resumed.
func (s *Server) markInterrupted() error {
	all, err := s.store.batches()
	if err != nil {
		return fmt.Errorf("read the batches: %w", err)
	}
	for _, b := range all {
		if !b.Active() {
			continue
		}
		if _, err := s.store.updateBatch(b.ID, func(b *Batch) error {
			b.Run.State, b.Run.Message = RunInterrupted, "the server stopped during the run; resume to create the rest"
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// expireCredentials deletes credentials files older than the retention.
func (s *Server) expireCredentials() {
	all, err := s.store.batches()
	if err != nil {
		return
	}
	for _, b := range all {
		if b.Run == nil || b.Run.CredentialsGone || b.Active() {
			continue
		}
		path := s.credentialsPath(b)
		fi, err := os.Stat(path)
		if err != nil || s.now().Sub(fi.ModTime()) < s.opt.CredentialRetention {
			continue
		}
		if err := os.Remove(path); err != nil {
			s.log.Error("delete an expired credentials file", "batch", b.ID, "error", err)
			continue
		}
		_, _ = s.store.updateBatch(b.ID, func(b *Batch) error { b.Run.CredentialsGone = true; return nil })
		_ = s.store.audit(AuditEntry{Time: s.now(), User: "onboard", Action: "credentials deleted", Batch: b.ID, Detail: "retention period over"})
		s.log.Info("credentials file deleted after the retention period", "batch", b.ID)
	}
}

// copyFile copies src to dst (0600), creating dst's directory.
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
