package cove_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/sandbox"
)

func check(t *testing.T, base, password string, defaults map[string]string) connector.CheckReport {
	t.Helper()
	c, err := cove.New(connector.Settings{BaseURL: base, Options: map[string]string{
		"partner": sandbox.CovePartner, "username": sandbox.CoveUsername, "password": password}})
	if err != nil {
		t.Fatal(err)
	}
	return c.(connector.Checker).Check(context.Background(), defaults)
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
	base := sandboxURL(t) + sandbox.CovePath
	rep := check(t, base, sandbox.CovePassword, map[string]string{"PartnerId": strconv.Itoa(sandbox.CovePartnerID)})
	if !rep.Ready() {
		t.Fatalf("not ready: %+v", rep.Steps)
	}
	want := "partner " + strconv.Itoa(sandbox.CovePartnerID) + " found"
	if s, _ := rep.Step(connector.StepDefaults); s.State != connector.StepOK || s.Detail != want {
		t.Errorf("defaults step %+v, want %q", s, want)
	}
	// Without a default, the login's own partner's roles are read.
	rep = check(t, base, sandbox.CovePassword, nil)
	if _, has := rep.Step(connector.StepDefaults); !rep.Ready() || has {
		t.Errorf("without PartnerId: %+v", rep.Steps)
	}
}

func TestCheckRefusedLoginAndUnknownPartner(t *testing.T) {
	base := sandboxURL(t) + sandbox.CovePath
	rep := check(t, base, "wrong-password", nil)
	s, failed := rep.Failure()
	if !failed || s.Name != connector.StepCredentials || s.Fix != "partner, username and password" ||
		!strings.HasPrefix(s.Detail, "the login was refused") || strings.Contains(s.Detail, "wrong-password") {
		t.Errorf("wrong password: failure %+v (%v)", s, failed)
	}

	rep = check(t, base, sandbox.CovePassword, map[string]string{"PartnerId": "999"})
	s, failed = rep.Failure()
	if !failed || s.Name != connector.StepDefaults || s.Fix != "defaults.PartnerId" || !strings.Contains(s.Detail, "partner 999") {
		t.Errorf("unknown partner: failure %+v (%v)", s, failed)
	}
	for _, st := range rep.Steps {
		if strings.Contains(st.Detail, "visa.") {
			t.Errorf("a visa is printed: %q", st.Detail)
		}
	}
}

func TestCheckWrongPath(t *testing.T) {
	rep := check(t, sandboxURL(t)+"/cove/json", sandbox.CovePassword, nil)
	if s, failed := rep.Failure(); !failed || !strings.Contains(s.Detail, "not found: check base_url") {
		t.Errorf("failure %+v (%v)", s, failed)
	}
}
