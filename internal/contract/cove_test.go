package contract

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/schema"
)

// coveUser is the n-th Cove user of these tests.
func coveUser(t *testing.T, n int) schema.Record {
	email := fmt.Sprintf("backup%d@example.com", n)
	return rec(t, "cove.user", map[string]string{"PartnerId": fmt.Sprint(sandbox.CovePartnerID), "Name": email, "EmailAddress": email,
		"Password": userPassword, "RoleId": "3", "FirstName": "Backup", "FullName": "Test"})
}

// coveErrors returns the sandbox's JSON-RPC error answers seen so far
// and fails when one carries a Cove code in error.data: the sandbox answers
// as the real service is assumed to, with no undocumented code.
func (e *env) coveErrors() []string {
	e.t.Helper()
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	var out []string
	for _, b := range e.rec.bodies {
		if !strings.Contains(b, `"error"`) {
			continue
		}
		if strings.Contains(b, `"data"`) {
			e.t.Errorf("the sandbox answered with a code in error.data: %s", b)
		}
		out = append(out, b)
	}
	return out
}

// A duplicate answered without a known code (and in wording the client
// never looks for) ends Exists with the existing user's ID, found by
// GetUserInfo.
func TestCoveDuplicateWithoutCodeEndsExists(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := e.client(sandbox.Cove)
	ctx := context.Background()
	first := c.Create(ctx, req(coveUser(t, 1)))
	if first.Status != connector.Created || first.ID == "" {
		t.Fatalf("create: %+v", first)
	}
	again := c.Create(ctx, req(coveUser(t, 1)))
	if again.Status != connector.Exists || again.ID != first.ID {
		t.Fatalf("second create: %+v, want exists with ID %s", again, first.ID)
	}
	errs := e.coveErrors()
	if len(errs) != 1 || !strings.Contains(errs[0], "is taken") || !strings.Contains(again.Message, "is taken") {
		t.Errorf("refusals %v, outcome %+v: want the one duplicate refusal, its message kept", errs, again)
	}
	if entries := e.ledger("cove.user"); len(entries) != 1 || entries[0].Creates != 1 || entries[0].Duplicates != 1 {
		t.Errorf("ledger %+v", entries)
	}
	// AddUser, refused AddUser, GetUserInfo, after one Login.
	if st := e.sb.Ledger().Stats[sandbox.Cove]; st.Requests != 4 {
		t.Errorf("stats %+v: want login, AddUser, AddUser, GetUserInfo", st)
	}
	e.checkNoSecrets(first.Message, again.Message)
}

// A refusal that is not a duplicate is looked up too, and reported
// Invalid with Cove's message verbatim when nobody is found.
func TestCoveUnknownRefusalIsInvalidVerbatim(t *testing.T) {
	e := start(t, sandbox.Options{})
	bad := coveUser(t, 2)
	bad.Set("RoleId", int64(9)) // a wire value validation would have refused
	o := e.client(sandbox.Cove).Create(context.Background(), req(bad))
	if o.Status != connector.Invalid || o.Message != "Role 9 does not exist; see EnumerateUserRoles" {
		t.Errorf("outcome %+v, want invalid with the sandbox's message verbatim", o)
	}
	if n := len(e.ledger("cove.user")); n != 0 {
		t.Errorf("%d users stored", n)
	}
	if st := e.sb.Ledger().Stats[sandbox.Cove]; st.Requests != 3 {
		t.Errorf("stats %+v: want login, AddUser, GetUserInfo", st)
	}
	e.coveErrors()
}

// A visa refused without a known code (the sandbox's chain lapsed while
// the client's clock says it is alive) ends in a fresh Login and Created.
func TestCoveExpiredVisaWithoutCodeLogsInAgain(t *testing.T) {
	e := start(t, sandbox.Options{})
	lagging := httpcalltest.NewClock(e.clock.Now())
	c := e.client(sandbox.Cove, func(s *connector.Settings) { s.Now = lagging.Now })
	ctx := context.Background()
	if o := c.Create(ctx, req(coveUser(t, 1))); o.Status != connector.Created {
		t.Fatalf("create: %+v", o)
	}
	e.clock.Advance(16 * time.Minute) // lapsed at the sandbox only
	o := c.Create(ctx, req(coveUser(t, 2)))
	if o.Status != connector.Created || o.ID == "" {
		t.Fatalf("create after the lapse: %+v", o)
	}
	errs := e.coveErrors()
	if len(errs) != 1 || !strings.Contains(errs[0], "Session timed out") {
		t.Errorf("refusals %v: want one lapsed-session refusal", errs)
	}
	if st := e.sb.Ledger().Stats[sandbox.Cove]; st.Rejected != 1 || st.Requests != 5 {
		t.Errorf("stats %+v: want login, AddUser, refused AddUser, login, AddUser", st)
	}
	if entries := e.ledger("cove.user"); len(entries) != 2 {
		t.Errorf("ledger %+v", entries)
	}
	e.checkNoSecrets(o.Message)
}
