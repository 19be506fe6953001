package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/fonedynamics"
)

// fdSeedRequest is the request body of the reference's example ("Creating
// a new online login", seed 000). The reference page as stored shows the
// address as "[email protected]", an artefact of the page's e-mail
// obfuscation; the value is jane@example.com, as its response shows and
// /work/shared/vendors/fonedynamics.md restates.
const fdSeedRequest = `{
  "Email": "jane@example.com",
  "Password": "SecurePassword123!",
  "FirstName": "Jane",
  "LastName": "Smith",
  "Scopes": "Reporting,Integrations",
  "Enabled": true
}`

var (
	fdAuthHeader = map[string]string{"Authorization": basic(FoneDynamicsAccountSid, FoneDynamicsToken)}
	uuidPattern  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "http://x", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

// fdStatus is the ResponseStatus object of a Fone Dynamics error answer,
// nil when the answer is not in that shape.
func fdStatus(t *testing.T, a answer) map[string]any {
	t.Helper()
	rs, _ := a.json(t)["ResponseStatus"].(map[string]any)
	return rs
}

// fdFieldErrors is ResponseStatus.Errors as FieldName → ErrorCode.
func fdFieldErrors(rs map[string]any) map[string]string {
	out := map[string]string{}
	list, _ := rs["Errors"].([]any)
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out[fmt.Sprint(m["FieldName"])] = fmt.Sprint(m["ErrorCode"])
		}
	}
	return out
}

func fdCreatePath(sid string) string {
	return FoneDynamicsPath + "/v2/Properties/" + sid + "/OnlineLogins"
}

func TestFoneDynamicsSeedExample(t *testing.T) {
	clock := newClock()
	e := start(t, Options{Now: clock.Now})
	a := e.send("POST", fdCreatePath(FoneDynamicsExamplePropertySid), fdAuthHeader, fdSeedRequest)
	e.mustStatus(a, http.StatusOK)
	var got struct {
		OnlineLogin map[string]json.RawMessage
	}
	if err := json.Unmarshal(a.raw, &got); err != nil {
		t.Fatal(err)
	}
	// Exactly the documented shape, keys in the documented order.
	keyOrder := regexp.MustCompile(`^\{"OnlineLogin":\{"OnlineLoginSid":"[^"]+","Email":"jane@example.com","Created":\d+,"Enabled":true,"FirstName":"Jane","LastName":"Smith","Permissions":\[\{"PropertySid":"S1234567890ABCDEF1234567890ABCDE","Scopes":"Reporting,Integrations"\}\]\}\}$`)
	if !keyOrder.Match(a.raw) {
		t.Fatalf("body %s", a.raw)
	}
	var sid string
	_ = json.Unmarshal(got.OnlineLogin["OnlineLoginSid"], &sid)
	if !uuidPattern.MatchString(sid) {
		t.Errorf("OnlineLoginSid %q is not a UUID", sid)
	}
	if string(got.OnlineLogin["Created"]) != fmt.Sprint(clock.Now().Unix()) {
		t.Errorf("Created %s", got.OnlineLogin["Created"])
	}
	if strings.Contains(string(a.raw), "SecurePassword123!") {
		t.Error("the answer echoes the password")
	}
	logins := e.srv.Ledger().Created["fonedynamics.login"]
	if len(logins) != 1 || logins[0].Key != FoneDynamicsExamplePropertySid+"/jane@example.com" || logins[0].ID != sid ||
		logins[0].Body["Password"] != "********" {
		t.Fatalf("ledger %+v", logins)
	}
	// Enabled defaults to false.
	a = e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, strings.Replace(strings.Replace(fdSeedRequest, `,
  "Enabled": true`, "", 1), "jane@", "john@", 1))
	e.mustStatus(a, http.StatusOK)
	if !strings.Contains(string(a.raw), `"Enabled":false`) {
		t.Errorf("Enabled default: %s", a.raw)
	}
}

// TestFoneDynamicsSeedFile sends the JSON of the stored reference page as
// it is, when the shared seeds are beside the repository.
func TestFoneDynamicsSeedFile(t *testing.T) {
	text := readSeed(t, "000_")
	from := strings.Index(text, "{\n  \"Email\"")
	if from < 0 {
		t.Fatal("seed 000 has no example request")
	}
	end := strings.Index(text[from:], "}")
	if end < 0 {
		t.Fatal("seed 000's example request does not end")
	}
	raw := text[from : from+end+1]
	e := start(t, Options{})
	// As stored, the address is the page's obfuscation placeholder: the
	// API refuses it as an email, with its error shape.
	a := e.send("POST", fdCreatePath(FoneDynamicsExamplePropertySid), fdAuthHeader, raw)
	e.mustStatus(a, http.StatusBadRequest)
	if rs := fdStatus(t, a); rs["ErrorCode"] != FDCodeInvalid || !strings.Contains(fmt.Sprint(rs["Message"]), "Email must be a valid email address") ||
		fdFieldErrors(rs)["Email"] != FDCodeInvalid {
		t.Errorf("body %s", a.raw)
	}
	// The placeholder's space is a no-break space.
	fixed := regexp.MustCompile(`\[email\s*.?\s*protected\]`).ReplaceAllString(raw, "jane@example.com")
	if fixed == raw {
		t.Fatal("seed 000's placeholder address not found")
	}
	e.mustStatus(e.send("POST", fdCreatePath(FoneDynamicsExamplePropertySid), fdAuthHeader, fixed), http.StatusOK)
}

// readSeed returns a shared seed file's text, skipping the test when the
// seeds are not beside the repository.
func readSeed(t *testing.T, prefix string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "seeds", prefix+"*.txt"))
	if len(matches) == 0 {
		t.Skip("shared seeds not found beside the repository")
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestFoneDynamicsErrors(t *testing.T) {
	e := start(t, Options{})
	e.mustStatus(e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, fdSeedRequest), http.StatusOK)

	// The same Email again, also under another property: it is the login's
	// user name.
	for _, sid := range []string{FoneDynamicsPropertySid, FoneDynamicsExamplePropertySid} {
		a := e.send("POST", fdCreatePath(sid), fdAuthHeader, strings.Replace(fdSeedRequest, "jane@", "JANE@", 1))
		e.mustStatus(a, http.StatusBadRequest)
		// ServiceStack shape, no field errors, wording no keyword list
		// knows: a client must look the login up.
		rs := fdStatus(t, a)
		if rs["ErrorCode"] != FDCodeEmailInUse || !strings.Contains(fmt.Sprint(rs["Message"]), "belongs to an online login") || len(fdFieldErrors(rs)) != 0 {
			t.Errorf("duplicate body %s", a.raw)
		}
		for _, w := range []string{"already", "duplicate", "in use", "taken", "exists"} {
			if strings.Contains(strings.ToLower(string(a.raw)), w) {
				t.Errorf("duplicate body says %q: %s", w, a.raw)
			}
		}
	}
	if l := e.srv.Ledger().Created["fonedynamics.login"]; len(l) != 1 || l[0].Duplicates != 2 {
		t.Fatalf("ledger %+v", l)
	}

	cases := []struct{ name, from, to, want, field, code string }{
		{"scope", "Reporting,Integrations", "Reporting,Reportng", "Did you mean 'Reporting'?", "Scopes", FDCodeInvalid},
		{"scope case", "Reporting,Integrations", "reporting", "must be spelled exactly 'Reporting'", "Scopes", FDCodeInvalid},
		{"email", "jane@example.com", "jane", "Email must be a valid email address", "Email", FDCodeInvalid},
		{"missing", `"FirstName": "Jane",`, ``, "FirstName is required", "FirstName", FDCodeRequired},
		{"enabled type", `"Enabled": true`, `"Enabled": "yes"`, "Enabled must be true or false", "Enabled", FDCodeInvalid},
		{"unknown", `"LastName"`, `"Surname"`, "Surname is not a known field", "Surname", FDCodeInvalid},
		{"path key in body", `"Enabled": true`, `"Enabled": true, "PropertySid": "S1"`, "PropertySid is not a known field", "PropertySid", FDCodeInvalid},
	}
	for _, c := range cases {
		body := strings.Replace(fdSeedRequest, c.from, c.to, 1)
		body = strings.Replace(body, "jane@", "new@", 1)
		a := e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, body)
		if a.status != http.StatusBadRequest {
			t.Errorf("%s: status %d %s", c.name, a.status, a.raw)
			continue
		}
		// The top-level code is the first field error's, as ServiceStack
		// reports validation.
		rs := fdStatus(t, a)
		first, _ := rs["Errors"].([]any)
		if len(first) == 0 || rs["ErrorCode"] != first[0].(map[string]any)["ErrorCode"] ||
			!strings.Contains(fmt.Sprint(rs["Message"]), c.want) || fdFieldErrors(rs)[c.field] != c.code {
			t.Errorf("%s: body %s; want %q on field %s", c.name, a.raw, c.want, c.field)
		}
	}

	// Credentials.
	for _, h := range []map[string]string{nil, {"Authorization": basic(FoneDynamicsAccountSid, "wrong")},
		{"Authorization": basic("ACother", FoneDynamicsToken)}, {"Authorization": "Bearer " + FoneDynamicsToken}} {
		a := e.send("POST", fdCreatePath(FoneDynamicsPropertySid), h, strings.Replace(fdSeedRequest, "jane@", "x@", 1))
		e.mustStatus(a, http.StatusUnauthorized)
		if rs := fdStatus(t, a); rs["ErrorCode"] != FDCodeAuth || rs["Message"] == "" {
			t.Errorf("401 body %s", a.raw)
		}
		e.mustStatus(e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins", h, nil), http.StatusUnauthorized)
	}
	// Unknown and malformed properties.
	a := e.send("POST", fdCreatePath("SNOTMINE0000000000000000000000000"), fdAuthHeader, fdSeedRequest)
	e.mustStatus(a, http.StatusNotFound)
	if rs := fdStatus(t, a); rs["ErrorCode"] != FDCodeNotFound || !strings.Contains(fmt.Sprint(rs["Message"]), "SNOTMINE") {
		t.Errorf("404 body %s", a.raw)
	}
	// The vendor documents no SID format: one breaking onboard's advice
	// is simply not found.
	a = e.send("POST", fdCreatePath("S-1"), fdAuthHeader, fdSeedRequest)
	e.mustStatus(a, http.StatusNotFound)
	if rs := fdStatus(t, a); rs["ErrorCode"] != FDCodeNotFound || len(fdFieldErrors(rs)) != 0 {
		t.Errorf("bad property body %s", a.raw)
	}
}

// fdOnlineLogin is the simulator's OnlineLogin object.
type fdOnlineLogin = fonedynamics.SandboxOnlineLogin

func TestFoneDynamicsLookups(t *testing.T) {
	e := start(t, Options{})
	var sids []string
	for i := range 5 {
		body := strings.Replace(fdSeedRequest, "jane@", fmt.Sprintf("user%d@", i), 1)
		a := e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, body)
		e.mustStatus(a, http.StatusOK)
		var got struct{ OnlineLogin fdOnlineLogin }
		if err := json.Unmarshal(a.raw, &got); err != nil {
			t.Fatal(err)
		}
		sids = append(sids, got.OnlineLogin.OnlineLoginSid)
	}
	type page struct {
		OnlineLogins  []fdOnlineLogin
		TotalCount    int
		NextPageToken string
	}
	list := func(query string) page {
		t.Helper()
		a := e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins"+query, fdAuthHeader, nil)
		e.mustStatus(a, http.StatusOK)
		var p page
		if err := json.Unmarshal(a.raw, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := list("")
	if len(p.OnlineLogins) != 5 || p.TotalCount != 5 || p.NextPageToken != "" {
		t.Fatalf("default page %+v", p)
	}
	p = list("?Results_Count=2&Results_Skip=1")
	if len(p.OnlineLogins) != 2 || p.TotalCount != 5 || p.OnlineLogins[0].Email != "user1@example.com" || p.NextPageToken == "" {
		t.Fatalf("page 2 of 2 %+v", p)
	}
	p = list("?Results_Count=2&PageToken=" + p.NextPageToken)
	if len(p.OnlineLogins) != 2 || p.OnlineLogins[0].Email != "user3@example.com" {
		t.Fatalf("page by token %+v", p)
	}
	p = list("?Results_Skip=4")
	if len(p.OnlineLogins) != 1 || p.NextPageToken != "" {
		t.Fatalf("last page %+v", p)
	}
	for _, q := range []string{"?Results_Count=0", "?Results_Count=x", "?Results_Skip=-1", "?PageToken=zzz"} {
		e.mustStatus(e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins"+q, fdAuthHeader, nil), http.StatusBadRequest)
	}

	a := e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins/"+sids[2], fdAuthHeader, nil)
	e.mustStatus(a, http.StatusOK)
	var one struct{ OnlineLogin fdOnlineLogin }
	if err := json.Unmarshal(a.raw, &one); err != nil {
		t.Fatal(err)
	}
	if one.OnlineLogin.Email != "user2@example.com" || one.OnlineLogin.OnlineLoginSid != sids[2] {
		t.Errorf("get %+v", one)
	}
	a = e.send("GET", FoneDynamicsPath+"/v2/OnlineLogins/5b8c8b7f-5c8e-5f0f-9b8f-2345678901cd", fdAuthHeader, nil)
	e.mustStatus(a, http.StatusNotFound)
	if rs := fdStatus(t, a); rs["ErrorCode"] != FDCodeNotFound {
		t.Errorf("404 body %s", a.raw)
	}
}

func TestFoneDynamicsIDsRepeatWithSeed(t *testing.T) {
	sidsFor := func(seed uint64) []string {
		e := start(t, Options{Seed: seed, Now: func() time.Time { return time.Unix(1771826857, 0) }})
		var out []string
		for i := range 3 {
			a := e.send("POST", fdCreatePath(FoneDynamicsPropertySid), fdAuthHeader, strings.Replace(fdSeedRequest, "jane@", fmt.Sprintf("u%d@", i), 1))
			e.mustStatus(a, http.StatusOK)
			out = append(out, string(a.raw))
		}
		return out
	}
	a, b, c := sidsFor(7), sidsFor(7), sidsFor(8)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different answers:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("different seeds, same IDs")
	}
}
