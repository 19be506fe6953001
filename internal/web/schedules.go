package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/schedule"
)

// Schedules are the schedules the server runs (internal/schedule), as the
// Schedules page shows and starts them.
type Schedules interface {
	Status() ([]schedule.Status, <-chan struct{})
	RunNow(name, by string) error
}

// SetSchedules gives the server its scheduler; call it before Start.
func (s *Server) SetSchedules(sch Schedules) { s.schedules = sch }

// Limiters are the server's vendor rate limiters, one per vendor, for
// every run of the process (scheduled passes use them too).
func (s *Server) Limiters() map[string]*rate.Limiter { return s.limiters }

// bucketSchedules keeps each schedule's next and last run.
var bucketSchedules = []byte("schedules")

// ScheduleStore keeps the schedules' state in the server's database, so
// a restart knows what it missed.
func (s *Server) ScheduleStore() schedule.Store { return scheduleStore{s.store.db} }

type scheduleStore struct{ db *bolt.DB }

func (st scheduleStore) Load(name string) (schedule.State, bool, error) {
	var out schedule.State
	var data []byte
	err := st.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSchedules); b != nil {
			data = append([]byte(nil), b.Get([]byte(name))...)
		}
		return nil
	})
	if err != nil || len(data) == 0 {
		return out, false, err
	}
	return out, true, json.Unmarshal(data, &out)
}

func (st scheduleStore) Save(name string, state schedule.State) error {
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	return st.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSchedules)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), data)
	})
}

// RunQueued runs fn in the run queue — after the runs queued before it,
// never beside another — and returns once it has run. When ctx ends
// before its turn it is taken out of the queue.
func (s *Server) RunQueued(ctx context.Context, name string, fn func(context.Context)) error {
	q := s.runs
	id := "task:" + name + ":" + newID(4)
	done := make(chan struct{})
	q.mu.Lock()
	if q.tasks == nil {
		q.tasks = map[string]func(context.Context){}
	}
	q.tasks[id] = func(ctx context.Context) {
		defer close(done)
		fn(ctx)
	}
	q.mu.Unlock()
	q.enqueue(id)
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	_, waiting := q.tasks[id]
	delete(q.tasks, id)
	q.mu.Unlock()
	if waiting {
		q.cancelRun(id)
		return ctx.Err()
	}
	<-done
	return nil
}

// schedulesData is the Schedules page's.
type schedulesData struct {
	Schedules []schedule.Status
	Running   bool
}

// RefreshSeconds makes the page reload itself: often while a run goes.
func (d schedulesData) RefreshSeconds() int {
	if d.Running {
		return 2
	}
	return 10
}

func (s *Server) schedulesPage(w http.ResponseWriter, r *http.Request) {
	var d schedulesData
	if s.schedules != nil {
		d.Schedules, _ = s.schedules.Status()
	}
	for _, st := range d.Schedules {
		d.Running = d.Running || st.Running
	}
	s.render(w, r, http.StatusOK, "schedules.html", "Schedules", d)
}

// runScheduleNow starts a schedule's pass at once (IT).
func (s *Server) runScheduleNow(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if s.schedules == nil {
		s.fail(w, r, http.StatusNotFound, "There is no such schedule.")
		return
	}
	err := s.schedules.RunNow(name, who(r).User)
	switch {
	case errors.Is(err, schedule.ErrUnknown):
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no schedule called %q. Reload the Schedules page.", name))
		return
	case errors.Is(err, schedule.ErrRunning):
		http.Redirect(w, r, flash("/schedules", "schedule-running"), http.StatusSeeOther)
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "The schedule could not be started; the server log says why.")
		return
	}
	s.auditAction(r, "ran a schedule now", "", name)
	http.Redirect(w, r, flash("/schedules", "schedule-started"), http.StatusSeeOther)
}

// historyRun shows one run's history record (IT): what a schedule's or
// a batch's run did.
func (s *Server) historyRun(w http.ResponseWriter, r *http.Request) {
	if s.opt.HistoryDir == "" {
		s.fail(w, r, http.StatusNotFound, "This server keeps no run history.")
		return
	}
	run, err := history.Get(s.opt.HistoryDir, r.PathValue("run"))
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "There is no run with this ID in the history.")
		return
	}
	s.render(w, r, http.StatusOK, "run.html", "Run "+run.ID, run)
}

// afterRun records a batch's finished run in the history and tells the
// people of the notify: section, with the result workbook.
func (s *Server) afterRun(id string, res *batch.Result, runErr error, log *slog.Logger) {
	var b Batch
	if ok, err := s.store.get(bucketBatches, id, &b); !ok || err != nil || b.Run == nil {
		return
	}
	if res != nil {
		res.Report = filepath.Join(s.reportsDir(id), resultXLSX)
	}
	if s.opt.HistoryDir != "" {
		if err := history.Put(s.opt.HistoryDir, s.webRecord(&b, res)); err != nil {
			log.Error("record the run in the history", "error", err)
		}
	}
	if s.opt.Notify != nil {
		if err := s.opt.Notify(context.Background(), history.Web, b.Name(), res, runErr); err != nil {
			log.Warn("notification", "error", err)
		}
	}
}

// webRecord is the history record of batch b's run.
func (s *Server) webRecord(b *Batch, res *batch.Result) history.Run {
	if res == nil {
		return history.Run{ID: batch.NewRunID(b.Run.Started), Source: history.Web, Input: b.Name(), Started: b.Run.Started,
			Ended: b.Run.Ended, Who: b.Run.By, Outcome: history.Failed, Notes: []string{b.Run.Message},
			Records: history.Counts{ByStatus: map[string]int{}}}
	}
	r := history.FromResult(&res.Result, history.Web)
	r.Input, r.Who = b.Name(), b.Run.By
	if h, err := history.HashFile(s.runInput(b)); err == nil {
		r.InputHash = h
	}
	return r
}
