package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Checker is implemented by a Client that can test its settings against
// the vendor without creating anything: `onboard check`. defaults are the
// vendor's path-field defaults from the configuration (wire key → value,
// as config.Vendor.Defaults), whose existence at the vendor is checked.
type Checker interface {
	Check(ctx context.Context, defaults map[string]string) CheckReport
}

// StepState is how one check step ended.
type StepState string

// The states of a check step. A step NotChecked is no failure: the
// vendor offers no read that shows it.
const (
	StepOK         StepState = "ok"
	StepFailed     StepState = "failed"
	StepNotChecked StepState = "not checked"
)

// Names of the check steps, in the order a check takes them.
const (
	StepReachable   = "reachable"   // an HTTP answer came back
	StepTLS         = "tls"         // the certificate was accepted (https only)
	StepCredentials = "credentials" // the vendor accepted the sign-in
	StepRead        = "read"        // the read-only call succeeded
	StepPermission  = "permission"  // the credentials may create records
	StepDefaults    = "defaults"    // a configured path default exists at the vendor
)

// CheckStep is one thing a check found out. Detail never holds a secret.
type CheckStep struct {
	Name   string    `json:"name"`
	State  StepState `json:"state"`
	Detail string    `json:"detail"`
	// Fix names the configuration keys to look at when the step failed,
	// e.g. "username and password" or "defaults.domain".
	Fix string `json:"fix,omitempty"`
}

// CheckReport is what a vendor's check found: its steps in order, how
// long the read-only call took, and the rate-limit headers seen.
type CheckReport struct {
	Steps      []CheckStep
	Latency    time.Duration     // round trip of the read-only call
	RateLimits map[string]string // header name → value, e.g. X-RateLimit-Remaining
}

// Add appends a step.
func (r *CheckReport) Add(name string, state StepState, detail, fix string) {
	r.Steps = append(r.Steps, CheckStep{Name: name, State: state, Detail: detail, Fix: fix})
}

// OK appends a step that passed.
func (r *CheckReport) OK(name, detail string) { r.Add(name, StepOK, detail, "") }

// Fail appends a step that failed, with the configuration keys to fix.
func (r *CheckReport) Fail(name, detail, fix string) { r.Add(name, StepFailed, detail, fix) }

// Skip appends a step the vendor gives no way to check.
func (r *CheckReport) Skip(name, detail string) { r.Add(name, StepNotChecked, detail, "") }

// Ready reports whether no step failed (and at least one ran).
func (r CheckReport) Ready() bool {
	_, failed := r.Failure()
	return len(r.Steps) > 0 && !failed
}

// Failure returns the first failed step.
func (r CheckReport) Failure() (CheckStep, bool) {
	for _, s := range r.Steps {
		if s.State == StepFailed {
			return s, true
		}
	}
	return CheckStep{}, false
}

// Step returns the named step (the first of that name).
func (r CheckReport) Step(name string) (CheckStep, bool) {
	for _, s := range r.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return CheckStep{}, false
}

// Scrub applies scrub (which removes secrets) to every step's detail.
func (r *CheckReport) Scrub(scrub func(string) string) {
	for i := range r.Steps {
		r.Steps[i].Detail = scrub(r.Steps[i].Detail)
	}
}

// SeeHeaders keeps the rate-limit headers of an answer: X-RateLimit-*,
// X-Rate-Limit-*, RateLimit-* (IETF draft) and Retry-After.
func (r *CheckReport) SeeHeaders(h http.Header) {
	for k, vs := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-ratelimit") && !strings.HasPrefix(lk, "x-rate-limit") &&
			!strings.HasPrefix(lk, "ratelimit") && lk != "retry-after" {
			continue
		}
		if r.RateLimits == nil {
			r.RateLimits = make(map[string]string)
		}
		r.RateLimits[http.CanonicalHeaderKey(k)] = strings.Join(vs, ", ")
	}
}

// RateLimitText renders the rate-limit headers seen, "Name=value, ...",
// in name order; "" when none.
func (r CheckReport) RateLimitText() string {
	keys := make([]string, 0, len(r.RateLimits))
	for k := range r.RateLimits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + r.RateLimits[k]
	}
	return strings.Join(parts, ", ")
}

// Reached records the reachable and tls steps for the first request of a
// check to baseURL, given the error it ended with (nil: an answer came).
// It reports whether an answer came, so the check can go on.
func (r *CheckReport) Reached(baseURL string, err error) bool {
	u, _ := url.Parse(baseURL)
	host, https := baseURL, false
	if u != nil {
		host, https = u.Host, u.Scheme == "https"
	}
	switch {
	case err == nil:
		r.OK(StepReachable, host+" answered")
		if https {
			r.OK(StepTLS, "certificate accepted")
		} else {
			r.Skip(StepTLS, "plain http: no TLS")
		}
		return true
	case TLSFailure(err):
		r.OK(StepReachable, host+" accepted a connection")
		r.Fail(StepTLS, "the TLS handshake with "+host+" failed ("+rootCause(err)+")",
			"base_url (the host name must match the certificate; a private certificate authority must be trusted by this machine)")
		return false
	}
	r.Fail(StepReachable, "no answer from "+host+" ("+rootCause(err)+")", "base_url, and the network or proxy between here and the vendor")
	return false
}

// TLSFailure reports whether err is a failed TLS handshake: a certificate
// that is not trusted, expired or for another host, or a server that does
// not speak TLS.
func TLSFailure(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert)
}

// rootCause is the innermost error's text, without the wrappers that
// repeat the method and address.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		var ue *url.Error
		if errors.As(err, &ue) || strings.Contains(err.Error(), next.Error()) {
			err = next
			continue
		}
		return err.Error()
	}
}
