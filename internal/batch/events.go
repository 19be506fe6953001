package batch

import (
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/outcome"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventRequest: a create request is about to go out to Vendor
	// (Attempt 1 for the first try of a record, more for a retry).
	EventRequest EventKind = iota + 1
	// EventDone: a record Vendor was sent ended with Status.
	EventDone
)

// Event is one step of a run's sending, for a live display (Options.Events):
// per-vendor requests, retries and throttled answers as they happen.
type Event struct {
	Kind    EventKind
	Vendor  string // lane name, e.g. "acefone"
	Attempt int    // EventRequest: which try of the record
	// EventDone: how the record ended, and the last answer's HTTP status
	// (429 when the vendor was still throttling; 0 when none came).
	Status     outcome.Status
	HTTPStatus int
}

// eventRecorder reports dispatch's Begin and Finish as Events and passes
// them on; the durable recorder (state, credentials) stays in charge.
type eventRecorder struct {
	next dispatch.Recorder
	fn   func(Event)
}

// withEvents wraps next so that fn sees every send; nil fn changes nothing.
func withEvents(next dispatch.Recorder, fn func(Event)) dispatch.Recorder {
	if fn == nil {
		return next
	}
	return &eventRecorder{next: next, fn: fn}
}

func (e *eventRecorder) Begin(job *dispatch.Job, attempt int) error {
	if e.next != nil {
		if err := e.next.Begin(job, attempt); err != nil {
			return err
		}
	}
	e.fn(Event{Kind: EventRequest, Vendor: job.Vendor, Attempt: attempt})
	return nil
}

func (e *eventRecorder) Finish(res dispatch.Result) error {
	if e.next != nil {
		if err := e.next.Finish(res); err != nil {
			return err
		}
	}
	e.fn(Event{Kind: EventDone, Vendor: res.Job.Vendor, Status: res.Status, HTTPStatus: res.HTTPStatus})
	return nil
}
