package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// coveSeedAddUser is the AddUser sample request of the reference (seed
// 004), with {{visa}} to be replaced by a real visa.
const coveSeedAddUser = `{ "id": "jsonrpc", "jsonrpc": "2.0", "visa": "{{visa}}", "method": "AddUser", "params": { "userInfo": { "Name" : "backup.test@mail.com", "PartnerId" : 123456, "Password" : "AbC123DeF!", "RoleId" : 1, "EmailAddress" : "backup.test@mail.com", "FirstName" : "Backup", "FullName" : "Test", "Title": "Manager" } } }`

// rpcAnswer is a decoded JSON-RPC answer.
type rpcAnswer struct {
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc"`
	Result  *struct {
		Result json.RawMessage `json:"result"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    int    `json:"data"`
	} `json:"error"`
	Visa string `json:"visa"`
}

// rpc sends one call (a raw string or an envelope value) and decodes the
// answer, which must come with HTTP 200.
func (e *env) rpc(body any) rpcAnswer {
	e.t.Helper()
	a := e.send("POST", CovePath, nil, body)
	e.mustStatus(a, http.StatusOK)
	var r rpcAnswer
	if err := json.Unmarshal(a.raw, &r); err != nil {
		e.t.Fatalf("answer %s: %v", a.raw, err)
	}
	if r.JSONRPC != "2.0" {
		e.t.Errorf("answer without jsonrpc 2.0: %s", a.raw)
	}
	return r
}

func envelope(method, visa string, params any) map[string]any {
	m := map[string]any{"jsonrpc": "2.0", "id": "jsonrpc", "method": method, "params": params}
	if visa != "" {
		m["visa"] = visa
	}
	return m
}

func (e *env) coveLogin() string {
	e.t.Helper()
	r := e.rpc(envelope("Login", "", map[string]any{"partner": CovePartner, "username": CoveUsername, "password": CovePassword}))
	if r.Error != nil || r.Visa == "" || r.Result == nil {
		e.t.Fatalf("login: %+v", r)
	}
	return r.Visa
}

func coveUserInfo(name string, partner int64) map[string]any {
	return map[string]any{"userInfo": map[string]any{"Name": name, "EmailAddress": name, "PartnerId": partner, "RoleId": 3, "Password": "Pa55word!"}}
}

func wantRPCError(t *testing.T, r rpcAnswer, code, data int) {
	t.Helper()
	if r.Error == nil || r.Error.Code != code || r.Error.Data != data || r.Error.Message == "" || r.Result != nil {
		t.Fatalf("want error %d/%d, got %+v (result %+v)", code, data, r.Error, r.Result)
	}
}

// wantRefusal is an error with no Cove code in data (none is documented
// but Login's 2100) whose message holds words.
func wantRefusal(t *testing.T, r rpcAnswer, code int, words string) {
	t.Helper()
	wantRPCError(t, r, code, 0)
	if !strings.Contains(r.Error.Message, words) {
		t.Fatalf("message %q, want it to say %q", r.Error.Message, words)
	}
}

func TestCoveLogin(t *testing.T) {
	e := start(t, Options{})
	r := e.rpc(envelope("Login", "", map[string]any{"partner": CovePartner, "username": CoveUsername, "password": CovePassword}))
	if string(r.ID) != `"jsonrpc"` || r.Visa == "" {
		t.Fatalf("login %+v", r)
	}
	var user map[string]any
	if err := json.Unmarshal(r.Result.Result, &user); err != nil {
		t.Fatal(err)
	}
	if user["EmailAddress"] != CoveUsername || user["PartnerId"] != float64(CovePartnerID) || user["Password"] != nil {
		t.Errorf("login user %v", user)
	}
	for _, p := range []map[string]any{
		{"partner": CovePartner, "username": CoveUsername, "password": "wrong"},
		{"partner": "Other Partner", "username": CoveUsername, "password": CovePassword},
		{"partner": CovePartner, "username": "other@cove.test", "password": CovePassword},
	} {
		r := e.rpc(envelope("Login", "", p))
		wantRPCError(t, r, RPCInternalError, CoveCodeLoginFailed)
		if r.Visa != "" {
			t.Error("failed login carries a visa")
		}
	}
}

func TestCoveSeedAddUser(t *testing.T) {
	e := start(t, Options{})
	visa := e.coveLogin()
	r := e.rpc(strings.Replace(coveSeedAddUser, "{{visa}}", visa, 1))
	if r.Error != nil || r.Result == nil {
		t.Fatalf("AddUser: %+v", r.Error)
	}
	var id int64
	if err := json.Unmarshal(r.Result.Result, &id); err != nil || id <= 0 {
		t.Fatalf("result.result %s", r.Result.Result)
	}
	if r.Visa == "" || r.Visa == visa || string(r.ID) != `"jsonrpc"` {
		t.Errorf("answer visa/id: %+v", r)
	}
	users := e.srv.Ledger().Created["cove.user"]
	if len(users) != 1 || users[0].Key != "123456/backup.test@mail.com" || users[0].ID != fmt.Sprint(id) ||
		users[0].Body["Password"] != "********" || users[0].Body["Title"] != "Manager" {
		t.Fatalf("ledger %+v", users)
	}

	// The same call again: the Name exists.
	r = e.rpc(strings.Replace(coveSeedAddUser, "{{visa}}", r.Visa, 1))
	wantRefusal(t, r, RPCInternalError, "Login name 'backup.test@mail.com' is taken")
	if r.Visa == "" {
		t.Error("an application error with a good visa carries no fresh visa")
	}
	if u := e.srv.Ledger().Created["cove.user"]; u[0].Duplicates != 1 {
		t.Errorf("duplicates %d", u[0].Duplicates)
	}
	// GetUserInfo finds it for reconciliation.
	r = e.rpc(envelope("GetUserInfo", r.Visa, map[string]any{"partnerId": 123456, "nameOrEmail": "Backup.Test@mail.com"}))
	if r.Error != nil {
		t.Fatalf("GetUserInfo: %+v", r.Error)
	}
	var info map[string]any
	_ = json.Unmarshal(r.Result.Result, &info)
	if info["Id"] != float64(id) || info["Name"] != "backup.test@mail.com" || info["Password"] != nil || info["RoleId"] != float64(1) {
		t.Errorf("GetUserInfo %v", info)
	}
}

// TestCoveSeedFile sends the stored reference page's sample as it is.
func TestCoveSeedFile(t *testing.T) {
	text := readSeed(t, "004_")
	i := strings.Index(text, "Sample request\n")
	if i < 0 {
		t.Fatal("seed 004 has no sample request")
	}
	line, _, _ := strings.Cut(text[i+len("Sample request\n"):], "\n")
	e := start(t, Options{})
	r := e.rpc(strings.Replace(line, "{{visa}}", e.coveLogin(), 1))
	if r.Error != nil || r.Result == nil {
		t.Fatalf("seed 004 sample: %+v", r.Error)
	}
}

func TestCoveVisas(t *testing.T) {
	clock := newClock()
	e := start(t, Options{Now: clock.Now, VisaIdle: 15 * time.Minute})
	roles := func(visa string) rpcAnswer {
		return e.rpc(envelope("EnumerateUserRoles", visa, map[string]any{"partnerId": CovePartnerID}))
	}
	wantRefusal(t, roles(""), RPCInternalError, "Visa is required")
	wantRefusal(t, roles("not-a-visa"), RPCInternalError, "Visa is not valid")

	v0 := e.coveLogin()
	r1 := roles(v0)
	if r1.Error != nil || r1.Visa == "" || r1.Visa == v0 {
		t.Fatalf("first call %+v", r1)
	}
	// Every answer carries a new visa; older ones of the chain still work
	// while the chain is alive.
	clock.Advance(10 * time.Minute)
	r2 := roles(v0)
	if r2.Error != nil || r2.Visa == r1.Visa {
		t.Fatalf("old visa within the chain: %+v", r2.Error)
	}
	clock.Advance(10 * time.Minute) // 20 min after login, 10 after the last call
	if r := roles(r1.Visa); r.Error != nil {
		t.Fatalf("chain kept alive by calls: %+v", r.Error)
	}
	// Idle past the limit: every visa of the chain has lapsed.
	clock.Advance(15*time.Minute + time.Second)
	r := roles(r2.Visa)
	wantRefusal(t, r, RPCInternalError, "Session timed out after 15m0s without a call; log in again")
	if r.Visa != "" {
		t.Error("a lapsed visa got a new one")
	}
	wantRefusal(t, roles(v0), RPCInternalError, "Session timed out")
	// Login starts a new chain.
	if r := roles(e.coveLogin()); r.Error != nil {
		t.Fatalf("after a new login: %+v", r.Error)
	}
	// A visa from another sandbox is not valid here.
	other := start(t, Options{})
	wantRefusal(t, roles(other.coveLogin()), RPCInternalError, "Visa is not valid")
}

func TestCoveAddUserRules(t *testing.T) {
	e := start(t, Options{})
	visa := e.coveLogin()
	add := func(params any) rpcAnswer {
		r := e.rpc(envelope("AddUser", visa, params))
		if r.Visa != "" {
			visa = r.Visa
		}
		return r
	}
	mismatch := coveUserInfo("a@example.com", CovePartnerID)
	mismatch["userInfo"].(map[string]any)["EmailAddress"] = "b@example.com"
	r := add(mismatch)
	wantRPCError(t, r, RPCInvalidParams, 0)
	if !strings.Contains(r.Error.Message, "userInfo.Name must be the same as EmailAddress ('b@example.com'); found 'a@example.com'") {
		t.Errorf("message %q", r.Error.Message)
	}
	for name, info := range map[string]map[string]any{
		"no name":      {"EmailAddress": "c@example.com", "PartnerId": CovePartnerID},
		"bad email":    {"Name": "c", "EmailAddress": "c", "PartnerId": CovePartnerID},
		"no partner":   {"Name": "c@example.com", "EmailAddress": "c@example.com"},
		"string id":    {"Name": "c@example.com", "EmailAddress": "c@example.com", "PartnerId": "123456"},
		"ID sent":      {"Name": "c@example.com", "EmailAddress": "c@example.com", "PartnerId": CovePartnerID, "ID": 5},
		"flags string": {"Name": "c@example.com", "EmailAddress": "c@example.com", "PartnerId": CovePartnerID, "Flags": "SecurityOfficer"},
		"2FA state":    {"Name": "c@example.com", "EmailAddress": "c@example.com", "PartnerId": CovePartnerID, "TwoFactorAuthenticationStatus": []string{"Sometimes"}},
	} {
		r := add(map[string]any{"userInfo": info})
		if r.Error == nil || r.Error.Code != RPCInvalidParams {
			t.Errorf("%s: %+v", name, r.Error)
		}
		if r.Error != nil && strings.Contains(r.Error.Message, "Pa55word!") {
			t.Errorf("%s: message echoes the password", name)
		}
	}
	wantRefusal(t, add(map[string]any{}), RPCInvalidParams, "userInfo is required")
	wantRefusal(t, add(coveUserInfo("d@example.com", 999999)), RPCInternalError, "Partner 999999 not found")
	badRole := coveUserInfo("d@example.com", CovePartnerID)
	badRole["userInfo"].(map[string]any)["RoleId"] = 99
	wantRefusal(t, add(badRole), RPCInternalError, "Role 99 does not exist")
	// The sandbox login's own name is taken.
	wantRefusal(t, add(coveUserInfo(CoveUsername, CovePartnerID)), RPCInternalError, "is taken")

	// Child customers of the sandbox partner are allowed; Name is unique
	// across the service, whatever the partner.
	if r := add(coveUserInfo("d@example.com", 123457)); r.Error != nil {
		t.Fatalf("child partner: %+v", r.Error)
	}
	wantRefusal(t, add(coveUserInfo("D@example.com", 123458)), RPCInternalError, "is taken")
	if n := len(e.srv.Ledger().Created["cove.user"]); n != 1 {
		t.Errorf("%d users stored", n)
	}
}

func TestCoveLookupsAndProtocol(t *testing.T) {
	e := start(t, Options{})
	visa := e.coveLogin()
	call := func(method string, params any) rpcAnswer {
		r := e.rpc(envelope(method, visa, params))
		if r.Visa != "" {
			visa = r.Visa
		}
		return r
	}
	r := call("EnumerateUserRoles", map[string]any{"partnerId": CovePartnerID})
	var roles []CoveRole
	_ = json.Unmarshal(r.Result.Result, &roles)
	names := map[string]int64{}
	for _, role := range roles {
		names[role.Name] = role.ID
	}
	for name, id := range map[string]int64{"SuperUser": 1, "Administrator": 2, "Manager": 3, "Operator": 4, "Supporter": 5} {
		if names[name] != id {
			t.Errorf("role %s = %d, want %d (roles %+v)", name, names[name], id, roles)
		}
	}
	r = call("AddUser", coveUserInfo("e@example.com", 123457))
	var id int64
	_ = json.Unmarshal(r.Result.Result, &id)

	r = call("EnumerateUsers", map[string]any{"partnerIds": []int64{123457}})
	var users []map[string]any
	_ = json.Unmarshal(r.Result.Result, &users)
	if len(users) != 1 || users[0]["Name"] != "e@example.com" || users[0]["Id"] != float64(id) {
		t.Errorf("EnumerateUsers %s", r.Result.Result)
	}
	r = call("EnumerateUsers", map[string]any{"partnerIds": []int64{CovePartnerID, 123457}})
	_ = json.Unmarshal(r.Result.Result, &users)
	if len(users) != 2 {
		t.Errorf("EnumerateUsers with the admin: %s", r.Result.Result)
	}
	r = call("GetUserInfoById", map[string]any{"userId": id})
	if r.Error != nil || !strings.Contains(string(r.Result.Result), `"e@example.com"`) {
		t.Errorf("GetUserInfoById %+v", r)
	}
	wantRefusal(t, call("GetUserInfoById", map[string]any{"userId": 1}), RPCInternalError, "User 1 not found")
	// Looked up under the wrong partner: not found.
	wantRefusal(t, call("GetUserInfo", map[string]any{"partnerId": CovePartnerID, "nameOrEmail": "e@example.com"}), RPCInternalError, "not found")
	wantRPCError(t, call("GetUserInfo", map[string]any{"partnerId": CovePartnerID}), RPCInvalidParams, 0)
	r = call("GetPartnerInfo", map[string]any{"name": CovePartner})
	if r.Error != nil || !strings.Contains(string(r.Result.Result), `"Id":123456`) {
		t.Errorf("GetPartnerInfo %+v", r)
	}

	wantRPCError(t, call("addUser", coveUserInfo("f@example.com", CovePartnerID)), RPCMethodNotFound, 0)
	wantRPCError(t, e.rpc(`{"jsonrpc": "2.0", "method": "Login"`), RPCParseError, 0)
	wantRPCError(t, e.rpc(`[{"jsonrpc": "2.0", "id": 1, "method": "Login"}]`), RPCInvalidRequest, 0)
	wantRPCError(t, e.rpc(`{"jsonrpc": "1.0", "id": 1, "method": "Login"}`), RPCInvalidRequest, 0)
	// A numeric id comes back as sent.
	r = e.rpc(`{"jsonrpc": "2.0", "id": 42, "method": "Nope"}`)
	if string(r.ID) != "42" {
		t.Errorf("id %s", r.ID)
	}
	e.mustStatus(e.send("GET", CovePath, nil, nil), http.StatusMethodNotAllowed)
}

// TestCoveNoMadeUpCodes checks that no answer but a failed Login carries
// a Cove code in error.data: the client must not depend on codes the
// vendor never published.
func TestCoveNoMadeUpCodes(t *testing.T) {
	clock := newClock()
	e := start(t, Options{Now: clock.Now, VisaIdle: 15 * time.Minute})
	visa := e.coveLogin()
	raw := func(body any) string {
		a := e.send("POST", CovePath, nil, body)
		e.mustStatus(a, http.StatusOK)
		return string(a.raw)
	}
	answers := []string{
		raw(envelope("AddUser", visa, coveUserInfo(CoveUsername, CovePartnerID))),
		raw(envelope("AddUser", visa, coveUserInfo("x@example.com", 999999))),
		raw(envelope("GetUserInfo", visa, map[string]any{"partnerId": CovePartnerID, "nameOrEmail": "nobody@example.com"})),
		raw(envelope("AddUser", visa, map[string]any{})),
		raw(envelope("AddUser", "", coveUserInfo("x@example.com", CovePartnerID))),
	}
	clock.Advance(16 * time.Minute)
	answers = append(answers, raw(envelope("AddUser", visa, coveUserInfo("x@example.com", CovePartnerID))))
	for _, a := range answers {
		if !strings.Contains(a, `"error"`) || strings.Contains(a, `"data"`) {
			t.Errorf("answer %s: want an error without data", a)
		}
	}
}
