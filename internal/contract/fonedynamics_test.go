package contract

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/schema"
)

// fdLogin is the n-th Fone Dynamics login of the contract table.
func fdLogin(t *testing.T, n int) schema.Record {
	for _, tc := range targets {
		if tc.id == "fonedynamics.login" {
			return tc.record(t, n)
		}
	}
	t.Fatal("no fonedynamics.login in the contract table")
	return schema.Record{}
}

// fdRequests is how many requests the sandbox's Fone Dynamics has served.
func (e *env) fdRequests() int { return e.sb.Ledger().Stats[sandbox.FoneDynamics].Requests }

// lastResponseStatus is the ResponseStatus of the last error answer a
// client got.
func (e *env) lastResponseStatus() map[string]any {
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	for i := len(e.rec.bodies) - 1; i >= 0; i-- {
		var m map[string]any
		if json.Unmarshal([]byte(e.rec.bodies[i]), &m) == nil {
			if rs, ok := m["ResponseStatus"].(map[string]any); ok {
				return rs
			}
		}
	}
	return nil
}

// The sandbox refuses a duplicate in the vendor's ServiceStack shape, in
// words no client knows; the client settles it by the login list and
// ends Exists with the login's ID — also when the same email is sent for
// another property (the email is the login's user name, account-wide).
func TestFoneDynamicsDuplicateInResponseStatusSettledByLookup(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := e.client(sandbox.FoneDynamics)
	ctx := context.Background()
	first := c.Create(ctx, req(fdLogin(t, 1)))
	if first.Status != connector.Created || first.ID == "" {
		t.Fatalf("create: %+v", first)
	}
	other := fdLogin(t, 1)
	other.Set("PropertySid", sandbox.FoneDynamicsExamplePropertySid)
	for name, r := range map[string]schema.Record{"same property": fdLogin(t, 1), "another property": other} {
		before := e.fdRequests()
		o := c.Create(ctx, req(r))
		rs := e.lastResponseStatus()
		if rs == nil || rs["ErrorCode"] != sandbox.FDCodeEmailInUse {
			t.Fatalf("%s: the sandbox did not refuse in the ResponseStatus shape: %v", name, rs)
		}
		said := rs["Message"].(string)
		for _, w := range []string{"already", "duplicate", "in use", "taken"} {
			if strings.Contains(strings.ToLower(said), w) {
				t.Fatalf("%s: the sandbox's wording %q holds %q, a word a client might know", name, said, w)
			}
		}
		if o.Status != connector.Exists || o.ID != first.ID || o.HTTPStatus != http.StatusBadRequest || !strings.HasPrefix(o.Message, said) {
			t.Errorf("%s: outcome %+v, want exists %s with %q", name, o, first.ID, said)
		}
		if n := e.fdRequests() - before; n < 2 {
			t.Errorf("%s: %d requests: the refusal was not looked up", name, n)
		}
		e.checkNoSecrets(o.Message)
	}
	if l := e.ledger("fonedynamics.login"); len(l) != 1 || l[0].Duplicates != 2 {
		t.Errorf("ledger %+v", l)
	}
}

// A refusal naming fields other than Email is a validation error the
// client recognises: Invalid with the vendor's message, no lookup.
func TestFoneDynamicsFieldValidationIsInvalidWithoutLookup(t *testing.T) {
	e := start(t, sandbox.Options{})
	r := fdLogin(t, 1)
	r.Set("Scopes", "Reporting,Reportng") // a wire value validation would have refused
	before := e.fdRequests()
	o := e.client(sandbox.FoneDynamics).Create(context.Background(), req(r))
	if o.Status != connector.Invalid || !strings.Contains(o.Message, "Scopes") || !strings.Contains(o.Message, "Did you mean 'Reporting'?") ||
		strings.Contains(o.Message, `{"`) {
		t.Errorf("outcome %+v", o)
	}
	if n := e.fdRequests() - before; n != 1 {
		t.Errorf("%d requests, want the create only", n)
	}
}

// An Email the vendor refuses (not found by the lookup) ends Invalid with
// the vendor's message verbatim, after the lookup.
func TestFoneDynamicsEmailRefusalNotListedIsInvalidVerbatim(t *testing.T) {
	e := start(t, sandbox.Options{})
	r := fdLogin(t, 1)
	r.Set("Email", "not-an-address")
	before := e.fdRequests()
	o := e.client(sandbox.FoneDynamics).Create(context.Background(), req(r))
	rs := e.lastResponseStatus()
	if rs == nil {
		t.Fatal("no ResponseStatus answer seen")
	}
	want := rs["Message"].(string) + " (error code " + rs["ErrorCode"].(string) + ")"
	if o.Status != connector.Invalid || o.Message != want {
		t.Errorf("outcome %+v, want invalid %q", o, want)
	}
	if n := e.fdRequests() - before; n != 2 {
		t.Errorf("%d requests, want the create and one list page", n)
	}
}

// A duplicate whose refusal arrives cut short is still settled by the
// lookup: Exists with the ID, not Invalid with a piece of JSON.
func TestFoneDynamicsMalformedDuplicateIsExists(t *testing.T) {
	bad := start(t, sandbox.Options{Faults: sandbox.Faults{MalformedRate: 1}})
	cb := bad.client(sandbox.FoneDynamics)
	if o := cb.Create(context.Background(), req(fdLogin(t, 1))); o.Status != connector.Uncertain || strings.Contains(o.Message, `{"`) {
		t.Fatalf("malformed answer to a create: %+v", o)
	}
	// The second create is a duplicate whose 400 is cut in half.
	o := cb.Create(context.Background(), req(fdLogin(t, 1)))
	entries := bad.ledger("fonedynamics.login")
	if len(entries) != 1 || o.Status != connector.Exists || o.ID != entries[0].ID || strings.Contains(o.Message, `{"`) {
		t.Errorf("outcome %+v, ledger %+v", o, entries)
	}
}
