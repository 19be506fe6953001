package netsapiens_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/sandbox"
)

// checker builds a NetSapiens client for the check with the given base
// URL and token.
func checker(t *testing.T, base, token string, hc *http.Client) connector.Checker {
	t.Helper()
	c, err := netsapiens.New(connector.Settings{BaseURL: base, Options: map[string]string{"token": token}, HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	return c.(connector.Checker)
}

func sandboxURL(t *testing.T, opts sandbox.Options) string {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func step(t *testing.T, rep connector.CheckReport, name string) connector.CheckStep {
	t.Helper()
	s, ok := rep.Step(name)
	if !ok {
		t.Fatalf("no %s step in %+v", name, rep.Steps)
	}
	return s
}

func TestCheckAgainstSandbox(t *testing.T) {
	base := sandboxURL(t, sandbox.Options{Domains: []string{"acme.example"}}) + sandbox.NetSapiensPath
	ctx := context.Background()

	rep := checker(t, base, sandbox.NetSapiensToken, nil).Check(ctx, map[string]string{"domain": "acme.example"})
	if !rep.Ready() {
		t.Fatalf("not ready: %+v", rep.Steps)
	}
	if s := step(t, rep, connector.StepDefaults); s.State != connector.StepOK || s.Detail != "domain acme.example found" {
		t.Errorf("defaults step %+v", s)
	}
	if s := step(t, rep, connector.StepPermission); s.State != connector.StepNotChecked {
		t.Errorf("permission step %+v, want not checked", s)
	}
	if s := step(t, rep, connector.StepTLS); s.State != connector.StepNotChecked {
		t.Errorf("tls step over plain http %+v, want not checked", s)
	}
	if rep.Latency <= 0 {
		t.Errorf("latency %v, want measured", rep.Latency)
	}

	// No defaults.domain: the token's own domain.
	if rep := checker(t, base, sandbox.NetSapiensToken, nil).Check(ctx, nil); !rep.Ready() {
		t.Errorf("without a default domain: %+v", rep.Steps)
	}

	rep = checker(t, base, sandbox.NetSapiensToken, nil).Check(ctx, map[string]string{"domain": "missing.example"})
	s := step(t, rep, connector.StepDefaults)
	if rep.Ready() || s.State != connector.StepFailed || s.Fix != "defaults.domain" || !strings.Contains(s.Detail, "missing.example") {
		t.Errorf("missing domain: ready %v, step %+v", rep.Ready(), s)
	}
}

func TestCheckWrongTokenAndWrongPath(t *testing.T) {
	root := sandboxURL(t, sandbox.Options{})
	ctx := context.Background()

	rep := checker(t, root+sandbox.NetSapiensPath, "not-the-token", nil).Check(ctx, map[string]string{"domain": sandbox.NetSapiensDomain})
	s, failed := rep.Failure()
	if !failed || s.Name != connector.StepCredentials || s.Fix != "token" {
		t.Errorf("wrong token: failure %+v (%v)", s, failed)
	}
	for _, st := range rep.Steps {
		if strings.Contains(st.Detail, "not-the-token") {
			t.Errorf("the token is printed: %q", st.Detail)
		}
	}

	rep = checker(t, root+"/netsapiens/ns-api/v3", sandbox.NetSapiensToken, nil).Check(ctx, nil)
	if s, failed := rep.Failure(); !failed || !strings.Contains(s.Detail, "not found: check base_url") {
		t.Errorf("wrong path: failure %+v (%v)", s, failed)
	}
}

// A domain read answered over TLS with rate-limit headers: tls ok, and the
// headers are reported.
func TestCheckTLSAndRateLimitHeaders(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/ns-api/v2/domains/acme.example" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("X-RateLimit-Remaining", "99")
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"domain": "acme.example", "description": "Acme"}`))
	}))
	defer srv.Close()
	ctx := context.Background()

	rep := checker(t, srv.URL+"/ns-api/v2", "tok", srv.Client()).Check(ctx, map[string]string{"domain": "acme.example"})
	if !rep.Ready() || step(t, rep, connector.StepTLS).State != connector.StepOK {
		t.Fatalf("over trusted TLS: %+v", rep.Steps)
	}
	if rep.RateLimits["X-Ratelimit-Remaining"] != "99" || rep.RateLimitText() != "X-Ratelimit-Limit=100, X-Ratelimit-Remaining=99" {
		t.Errorf("rate limits %v", rep.RateLimits)
	}

	// The same server with a client that does not trust its certificate.
	rep = checker(t, srv.URL+"/ns-api/v2", "tok", nil).Check(ctx, nil)
	if s, failed := rep.Failure(); !failed || s.Name != connector.StepTLS || !strings.Contains(s.Fix, "base_url") {
		t.Errorf("untrusted certificate: failure %+v (%v)", s, failed)
	}
}

func TestCheckUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	rep := checker(t, base+"/ns-api/v2", "tok", nil).Check(context.Background(), nil)
	if s, failed := rep.Failure(); !failed || s.Name != connector.StepReachable || !strings.Contains(s.Detail, "no answer from") {
		t.Errorf("closed port: failure %+v (%v)", s, failed)
	}
}
