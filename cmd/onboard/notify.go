package main

import (
	"context"
	"log/slog"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/notify"
)

// sendNotifications tells the people named in the configuration's notify:
// section how a run ended: source is what started it (cli, inbox,
// schedule, web), input the file, res the result (nil when the run could
// not start) and runErr why it could not finish. It returns within
// notify.DefaultTimeout even if a receiver hangs, and still sends after
// Ctrl-C. Its error never changes the run's exit code: print it as a
// warning. Call it after the result workbook is written, so the workbook
// is attached.
func sendNotifications(ctx context.Context, cfg *config.Config, source, input string, res *batch.Result, runErr error, logger *slog.Logger) error {
	if cfg == nil || cfg.Notify() == nil {
		return nil
	}
	run := notify.Run{Input: input, Err: runErr, Source: source}
	if res != nil {
		run.Result = &res.Result
	}
	n := &notify.Notifier{Config: cfg.Notify(), Logger: logger}
	return n.Send(context.WithoutCancel(ctx), notify.Build(run))
}
