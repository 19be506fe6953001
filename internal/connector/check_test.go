package connector

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReachedOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()

	var trusted CheckReport
	_, err := srv.Client().Get(srv.URL)
	if !trusted.Reached(srv.URL, err) {
		t.Fatalf("trusted server: %+v", trusted.Steps)
	}
	if s, _ := trusted.Step(StepTLS); s.State != StepOK {
		t.Errorf("tls step %+v", s)
	}

	var untrusted CheckReport
	_, err = http.Get(srv.URL) // the default client does not trust httptest's certificate
	if untrusted.Reached(srv.URL, err) {
		t.Fatal("an untrusted certificate reads as reached")
	}
	s, failed := untrusted.Failure()
	if !failed || s.Name != StepTLS || !strings.Contains(s.Detail, "certificate") {
		t.Errorf("failure %+v", s)
	}
	if r, _ := untrusted.Step(StepReachable); r.State != StepOK {
		t.Errorf("the host answered the handshake, so it is reachable: %+v", r)
	}
}

func TestReachedNoAnswer(t *testing.T) {
	var rep CheckReport
	if rep.Reached("http://127.0.0.1:1/api", errors.New("dial tcp 127.0.0.1:1: connect: connection refused")) {
		t.Fatal("a refused connection reads as reached")
	}
	s, _ := rep.Failure()
	if s.Name != StepReachable || s.Detail != "no answer from 127.0.0.1:1 (dial tcp 127.0.0.1:1: connect: connection refused)" {
		t.Errorf("failure %+v", s)
	}
	if _, has := rep.Step(StepTLS); has {
		t.Error("no tls step without a connection")
	}
}

func TestSeeHeadersKeepsOnlyRateLimits(t *testing.T) {
	var rep CheckReport
	rep.SeeHeaders(http.Header{"X-Ratelimit-Remaining": {"4"}, "Ratelimit-Reset": {"30"}, "Retry-After": {"2"},
		"Authorization": {"Bearer secret"}, "Content-Type": {"application/json"}})
	if got := rep.RateLimitText(); got != "Ratelimit-Reset=30, Retry-After=2, X-Ratelimit-Remaining=4" {
		t.Errorf("rate limits %q", got)
	}
}

func TestReadyNeedsAStepAndNoFailure(t *testing.T) {
	var rep CheckReport
	if rep.Ready() {
		t.Error("an empty report is ready")
	}
	rep.OK(StepCredentials, "signed in")
	rep.Skip(StepPermission, "not shown")
	if !rep.Ready() {
		t.Error("a skipped step made the report not ready")
	}
	rep.Fail(StepDefaults, "domain x was not found", "defaults.domain")
	if rep.Ready() {
		t.Error("a failed step left the report ready")
	}
	rep.Scrub(func(s string) string { return strings.ReplaceAll(s, "x", "*") })
	if s, _ := rep.Failure(); s.Detail != "domain * was not found" {
		t.Errorf("scrubbed detail %q", s.Detail)
	}
}
