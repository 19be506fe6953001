package acefone_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/sandbox"
)

func check(t *testing.T, base string, opts map[string]string) connector.CheckReport {
	t.Helper()
	c, err := acefone.New(connector.Settings{BaseURL: base, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return c.(connector.Checker).Check(context.Background(), nil)
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

func TestCheckAgainstSandbox(t *testing.T) {
	base := sandboxURL(t) + sandbox.AcefonePath
	for name, opts := range map[string]map[string]string{
		"login": {"login_id": sandbox.AcefoneLoginID, "password": sandbox.AcefonePassword},
		"token": {"token": sandbox.AcefoneStaticToken},
	} {
		rep := check(t, base, opts)
		if !rep.Ready() {
			t.Errorf("%s: not ready: %+v", name, rep.Steps)
		}
		if s, _ := rep.Step(connector.StepRead); s.State != connector.StepOK || s.Detail != "token refreshed" {
			t.Errorf("%s: read step %+v", name, s)
		}
	}
}

func TestCheckRefusedCredentials(t *testing.T) {
	base := sandboxURL(t) + sandbox.AcefonePath
	for name, c := range map[string]struct {
		opts map[string]string
		fix  string
	}{
		"password": {map[string]string{"login_id": sandbox.AcefoneLoginID, "password": "wrong-password"}, "login_id and password"},
		"token":    {map[string]string{"token": "wrong-static-token"}, "token"},
	} {
		rep := check(t, base, c.opts)
		s, failed := rep.Failure()
		if !failed || s.Name != connector.StepCredentials || s.Fix != c.fix {
			t.Errorf("%s: failure %+v (%v)", name, s, failed)
		}
		for _, st := range rep.Steps {
			if strings.Contains(st.Detail, "wrong-") {
				t.Errorf("%s: a secret is printed: %q", name, st.Detail)
			}
		}
	}
}

func TestCheckWrongPath(t *testing.T) {
	rep := check(t, sandboxURL(t)+"/acefon", map[string]string{"login_id": sandbox.AcefoneLoginID, "password": sandbox.AcefonePassword})
	if s, failed := rep.Failure(); !failed || !strings.Contains(s.Detail, "not found: check base_url") {
		t.Errorf("failure %+v (%v)", s, failed)
	}
}
