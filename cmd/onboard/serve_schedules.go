package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/history"
	"github.com/onboard/onboard/internal/inbox"
	"github.com/onboard/onboard/internal/report"
	"github.com/onboard/onboard/internal/schedule"
	"github.com/onboard/onboard/internal/terminal"
	"github.com/onboard/onboard/internal/web"
)

// serverSchedules runs the schedules: of the configuration inside `onboard
// serve`: each pass is `onboard inbox`'s, queued in the server's run queue
// and sending through its vendor limiters.
type serverSchedules struct {
	io       *terminal.IO
	srv      *web.Server
	cfg      *config.Config
	plan     *hires.Plan // the server's plan, for a schedule that names none
	stateDir string
	logger   *slog.Logger
}

// scheduler prepares the schedules; their plans and inboxes are checked
// now, so a mistake stops the server at start-up with its reason.
func (f *serveFlags) scheduler(io *terminal.IO, srv *web.Server, opt web.Options) (*schedule.Scheduler, error) {
	if err := f.checkSchedules(); err != nil {
		return nil, err
	}
	r := &serverSchedules{io: io, srv: srv, cfg: opt.Config, plan: opt.Plan, stateDir: f.stateDir, logger: opt.Logger}
	sch, err := schedule.New(schedule.Options{Schedules: f.schedules, Store: srv.ScheduleStore(), Run: r.run, Logger: opt.Logger})
	if err != nil {
		return nil, err
	}
	srv.SetSchedules(sch)
	return sch, nil
}

// checkSchedules loads each schedule's plan and checks its inbox: a
// folder that exists and, unless the schedule only does dry runs, one
// onboard can write its processing/ folder into.
func (f *serveFlags) checkSchedules() error {
	for _, sc := range f.schedules {
		if sc.Plan != "" {
			if _, err := hires.LoadPlan(sc.Plan); err != nil {
				return fmt.Errorf("schedule %s: %w", sc.Name, err)
			}
		}
		if err := inbox.CheckFolder(sc.Inbox, !sc.DryRun); err != nil {
			return fmt.Errorf("schedule %s: %w", sc.Name, err)
		}
	}
	return nil
}

// run queues one pass of sc's inbox and waits for it.
func (r *serverSchedules) run(ctx context.Context, sc config.Schedule, trigger string) schedule.Result {
	var res schedule.Result
	if err := r.srv.RunQueued(ctx, "schedule "+sc.Name, func(ctx context.Context) { res = r.pass(ctx, sc) }); err != nil {
		return schedule.Result{Outcome: schedule.OutcomeError, Summary: "the server stopped before the pass could start"}
	}
	return res
}

// pass does one inbox pass as `onboard inbox` would, recording each file
// with source "schedule" and notifying as the inbox does.
func (r *serverSchedules) pass(ctx context.Context, sc config.Schedule) schedule.Result {
	f := &inboxFlags{plan: sc.Plan, policy: sc.Policy, dryRun: sc.DryRun, settle: sc.Settle, stateDir: r.stateDir}
	if err := f.check(); err != nil {
		return schedule.Result{Outcome: schedule.OutcomeError, Summary: err.Error()}
	}
	dir, err := filepath.Abs(sc.Inbox)
	if err != nil {
		return schedule.Result{Outcome: schedule.OutcomeError, Summary: err.Error()}
	}
	home := filepath.Dir(r.stateDir)
	setup := &runSetup{cfg: r.cfg, home: home, stateDir: r.stateDir, reportsDir: filepath.Join(home, report.Dir), stop: func() {}}
	p := &inboxPass{io: r.io, f: f, setup: setup, dir: dir, logger: r.logger.With("schedule", sc.Name),
		limiters: r.srv.Limiters(), plan: r.plan, source: history.Schedule}
	rep, err := inbox.Pass(ctx, p.options())
	if rep != nil {
		p.notifyAll(ctx, rep)
	}
	return passResult(rep, err)
}

// passResult sums a pass up for the Schedules page.
func passResult(rep *inbox.Report, err error) schedule.Result {
	var busy *inbox.BusyError
	switch {
	case errors.As(err, &busy):
		return schedule.Result{Outcome: schedule.OutcomeBusy, Summary: err.Error()}
	case rep == nil:
		return schedule.Result{Outcome: schedule.OutcomeError, Summary: err.Error()}
	}
	res := schedule.Result{Summary: inboxTotal(rep)}
	for _, f := range rep.Files {
		res.RunIDs = append(res.RunIDs, f.ID)
	}
	switch {
	case err != nil:
		res.Outcome, res.Summary = schedule.OutcomeError, err.Error()+" ("+res.Summary+")"
	case len(rep.Files) == 0:
		res.Outcome = schedule.OutcomeNoFiles
	case rep.DryRun:
		res.Outcome = history.DryRun
		if rep.Failed() {
			res.Outcome = "dry run: problems"
		}
	case rep.Failed():
		res.Outcome = history.Failed
	default:
		res.Outcome = history.Done
	}
	return res
}
