package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/config"
)

// Defaults for a Notifier's zero fields.
const (
	// DefaultTimeout bounds all the notifications of one run together.
	DefaultTimeout = 10 * time.Second
	// DefaultAttempts is how many times each channel is tried.
	DefaultAttempts = 3
	// DefaultBackoff is the wait before the second try; it doubles.
	DefaultBackoff = 500 * time.Millisecond
	// attemptTimeout bounds one try, so a hung receiver leaves time to retry.
	attemptTimeout = 4 * time.Second
)

// Notifier sends a run's summary through the configured channels.
type Notifier struct {
	Config *config.Notify
	// HTTP posts the webhook; nil means a client that follows no redirect.
	HTTP *http.Client
	// Dial opens SMTP connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// TLSConfig is used for SMTP; nil means the system's roots, checking
	// the host name. Tests set RootCAs here.
	TLSConfig *tls.Config
	Logger    *slog.Logger
	// Timeout bounds Send as a whole; 0 means DefaultTimeout.
	Timeout time.Duration
	// Attempts per channel (0 means DefaultAttempts); Backoff is the first
	// wait between them (0 means DefaultBackoff), doubling after each.
	Attempts int
	Backoff  time.Duration
}

// Send notifies every channel whose on: list has the summary's outcome,
// the channels at once, and returns when all are done or the Timeout has
// passed. The error (nil when all went out) joins one error per channel
// that failed, worded for a person and free of secrets; it is also logged.
// It never panics on a bad summary or configuration.
func (n *Notifier) Send(ctx context.Context, s *Summary) error {
	if n == nil || n.Config == nil || s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout())
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	run := func(name string, send func(context.Context, *Summary) (int, error)) {
		defer wg.Done()
		tries, err := send(ctx, s)
		n.log(name, s, tries, err)
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	if w := n.Config.Webhook; w.Sends(s.Outcome) {
		wg.Add(1)
		go run("webhook", n.postWebhook)
	}
	if e := n.Config.Email; e.Sends(s.Outcome) {
		wg.Add(1)
		go run("email", n.sendEmail)
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (n *Notifier) log(channel string, s *Summary, tries int, err error) {
	if n.Logger == nil {
		return
	}
	if err != nil {
		n.Logger.Warn("notification not sent", "channel", channel, "outcome", s.Outcome, "attempts", tries, "error", err.Error())
		return
	}
	n.Logger.Info("notification sent", "channel", channel, "outcome", s.Outcome, "attempts", tries)
}

func (n *Notifier) timeout() time.Duration {
	if n.Timeout > 0 {
		return n.Timeout
	}
	return DefaultTimeout
}

// retry calls try until it succeeds, says its error is permanent, the
// attempts are used up or ctx ends, waiting with doubling backoff in
// between. It returns the number of tries and the last error.
func (n *Notifier) retry(ctx context.Context, try func(context.Context) (retryable bool, err error)) (int, error) {
	attempts, wait := n.Attempts, n.Backoff
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	if wait <= 0 {
		wait = DefaultBackoff
	}
	var err error
	for i := 1; ; i++ {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		var again bool
		again, err = try(actx)
		cancel()
		if err == nil || !again || i >= attempts {
			return i, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return i, err
		case <-t.C:
		}
		wait *= 2
	}
}

// redact returns err with every secret replaced by ****. Errors from
// libraries may quote what they were given (a URL with its token); this
// makes sure none of it reaches a log or a person.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if len(s) >= 3 {
			msg = strings.ReplaceAll(msg, s, "****")
		}
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError keeps the original error for errors.Is (a deadline) but
// shows only the redacted message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// deadlineWords turns a context error into words.
func deadlineWords(err error, bound time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", bound)
	}
	return err
}
