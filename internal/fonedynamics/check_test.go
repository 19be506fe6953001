package fonedynamics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/sandbox"
)

func checker(t *testing.T, base string, opts map[string]string) connector.Checker {
	t.Helper()
	c, err := fonedynamics.New(connector.Settings{BaseURL: base, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return c.(connector.Checker)
}

func sandboxURL(t *testing.T) string {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func good() map[string]string {
	return map[string]string{"account_sid": sandbox.FoneDynamicsAccountSid, "token": sandbox.FoneDynamicsToken}
}

func TestCheckAgainstSandbox(t *testing.T) {
	base := sandboxURL(t) + sandbox.FoneDynamicsPath
	rep := checker(t, base, good()).Check(context.Background(), map[string]string{"PropertySid": sandbox.FoneDynamicsPropertySid})
	if !rep.Ready() {
		t.Fatalf("not ready: %+v", rep.Steps)
	}
	// The sandbox account has no logins yet, so nothing shows the
	// property: not checked, which is no failure.
	s, _ := rep.Step(connector.StepDefaults)
	if s.State != connector.StepNotChecked || !strings.HasPrefix(s.Detail, "property "+sandbox.FoneDynamicsPropertySid+":") {
		t.Errorf("defaults step %+v", s)
	}
	if s, _ := rep.Step(connector.StepRead); s.State != connector.StepOK {
		t.Errorf("read step %+v", s)
	}
}

func TestCheckWrongCredentialsAndPath(t *testing.T) {
	root := sandboxURL(t)
	opts := good()
	opts["token"] = "wrong-token"
	rep := checker(t, root+sandbox.FoneDynamicsPath, opts).Check(context.Background(), nil)
	s, failed := rep.Failure()
	if !failed || s.Name != connector.StepCredentials || s.Fix != "account_sid and token" {
		t.Errorf("wrong token: failure %+v (%v)", s, failed)
	}

	rep = checker(t, root+"/fonedynamix", good()).Check(context.Background(), nil)
	if s, failed := rep.Failure(); !failed || !strings.Contains(s.Detail, "not found: check base_url") {
		t.Errorf("wrong path: failure %+v (%v)", s, failed)
	}
}

// A login with permissions on the default property shows it exists; the
// rate-limit headers of the list are kept; only the first page is read.
func TestCheckFindsPropertyOnFirstPage(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodGet || r.URL.Path != "/v2/OnlineLogins" || r.URL.Query().Get("Results_Skip") != "0" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
		}
		w.Header().Set("RateLimit-Remaining", "7")
		_, _ = w.Write([]byte(`{"OnlineLogins": [{"OnlineLoginSid": "a", "Email": "x@example.com",
			"Permissions": [{"PropertySid": "SPROP"}]}], "TotalCount": 500, "NextPageToken": "n"}`))
	}))
	defer srv.Close()
	rep := checker(t, srv.URL, good()).Check(context.Background(), map[string]string{"PropertySid": "SPROP"})
	s, _ := rep.Step(connector.StepDefaults)
	if !rep.Ready() || s.State != connector.StepOK || s.Detail != "property SPROP found" {
		t.Errorf("steps %+v", rep.Steps)
	}
	if calls != 1 || rep.RateLimits["Ratelimit-Remaining"] != "7" {
		t.Errorf("%d calls, rate limits %v; want one call and the header", calls, rep.RateLimits)
	}
}
