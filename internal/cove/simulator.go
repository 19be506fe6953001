package cove

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's Cove simulator: JSON-RPC 2.0 with visas, mounted by
// package sandbox at SandboxPath (Sandbox.Mount).

// JSON-RPC error codes the sandbox's Cove answers with: JSON-RPC 2.0's own.
const (
	RPCParseError     = -32700
	RPCInvalidRequest = -32600
	RPCMethodNotFound = -32601
	RPCInvalidParams  = -32602
	RPCInternalError  = -32603 // application errors (assumed: Cove documents no code for them)
)

// Cove's own codes, sent in error.data. Only a failed Login carries one
// (2100, the code the brief and issue 10 name as the vendor's; assumed
// otherwise: the stored seed lists no error codes). Every other refusal
// (a duplicate name, a lapsed or unknown visa, an unknown partner, role or
// user, broken params) is RPCInternalError or RPCInvalidParams with a
// message and no data, as the real service is assumed to send it, so that
// the client cannot lean on codes the vendor never published. The HTTP
// 429/5xx answers keep a data code: the client reads their HTTP status.
const (
	SandboxCodeLoginFailed = 2100 // unknown partner/username or bad password
	SandboxCodeThrottled   = 4290 // over the rate limit (HTTP 429); the sandbox's own
	SandboxCodeUnavailable = 5030 // injected 5xx; the sandbox's own
)

// SandboxRoles are the roles EnumerateUserRoles returns. Assumed: the stored
// sources name SuperUser, Administrator, Manager, Operator and Supporter
// without IDs (shared/vendors/cove.md) and issue 10 gives the range 1–7;
// the IDs and the names of 6 and 7 are the sandbox's.
var SandboxRoles = []SandboxRole{
	{1, "SuperUser"}, {2, "Administrator"}, {3, "Manager"}, {4, "Operator"},
	{5, "Supporter"}, {6, "Reporter"}, {7, "Notifier"},
}

// SandboxRole is one user role.
type SandboxRole struct {
	ID   int64  `json:"Id"`
	Name string `json:"Name"`
}

// SandboxPartners are the Cove customers the sandbox login may add users
// to: the sandbox partner and its two child customers.
var SandboxPartners = []SandboxPartnerInfo{
	{ID: SandboxPartnerID, Name: SandboxPartner, ParentID: 1, Level: "Reseller"},
	{ID: 123457, Name: "Sandbox Customer A", ParentID: SandboxPartnerID, Level: "EndCustomer"},
	{ID: 123458, Name: "Sandbox Customer B", ParentID: SandboxPartnerID, Level: "EndCustomer"},
}

// SandboxPartnerInfo is one Cove customer the sandbox knows.
type SandboxPartnerInfo struct {
	ID       int64
	Name     string
	ParentID int64
	Level    string
}

// coveAdminID is the user ID of the sandbox login user.
const coveAdminID = 100001

// coveState holds the visa chains.
type coveState struct {
	mu     sync.Mutex
	chains map[uint64]time.Time // chain ID → time of its last call
	nextID uint64
}

const (
	visaKind      = "visa"
	maxVisaChains = 10000
)

// sim is the simulator mounted on one sandbox, with its visa chains.
type sim struct {
	env simcore.Env
	cs  *coveState
}

func mountSandbox(env simcore.Env) {
	s := &sim{env: env, cs: &coveState{chains: make(map[uint64]time.Time)}}
	env.Handle("POST ", simcore.Auth, coveHTTPError, func(c *simcore.Call) simcore.Reply { return s.coveCall(c, s.cs) })
	env.Handle("", simcore.Auth, coveHTTPError, func(c *simcore.Call) simcore.Reply {
		rep := coveHTTPError(c, http.StatusMethodNotAllowed, "the JSON-RPC endpoint takes POST only")
		rep.Header = map[string]string{"Allow": http.MethodPost}
		return rep
	})
}

type simRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Visa    string          `json:"visa"`
}

type simRPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

type simResponse struct {
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *simRPCError    `json:"error,omitempty"`
	Visa    string          `json:"visa,omitempty"`
}

// simRequestID returns the call's id for an answer (null when none).
func simRequestID(body []byte) json.RawMessage {
	var env struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(body, &env) == nil && len(env.ID) > 0 {
		return env.ID
	}
	return json.RawMessage("null")
}

// coveHTTPError answers with an HTTP error status and a JSON-RPC error
// body (throttling, injected 5xx, oversized bodies).
func coveHTTPError(c *simcore.Call, status int, msg string) simcore.Reply {
	data := map[int]int{
		http.StatusTooManyRequests: SandboxCodeThrottled, http.StatusServiceUnavailable: SandboxCodeUnavailable,
		http.StatusInternalServerError: SandboxCodeUnavailable,
	}[status]
	rep := simFail(simRequestID(c.Body), RPCInternalError, msg, data, "")
	rep.Status = status
	rep.Rejected = false // counted as throttled or as an error instead
	return rep
}

// simFail is a JSON-RPC error answer (HTTP 200), with a fresh visa when
// the call's visa was good.
func simFail(id json.RawMessage, code int, msg string, data int, visa string) simcore.Reply {
	e := &simRPCError{Code: code, Message: msg}
	if data != 0 {
		e.Data = data
	}
	return simcore.Reply{Status: http.StatusOK, Rejected: true, Body: simResponse{ID: id, JSONRPC: "2.0", Error: e, Visa: visa}}
}

// simOK is a JSON-RPC result, which Cove nests as {"result": value}.
func simOK(id json.RawMessage, value any, visa string) simcore.Reply {
	return simcore.Reply{Status: http.StatusOK, Body: simResponse{ID: id, JSONRPC: "2.0", Result: map[string]any{"result": value}, Visa: visa}}
}

// coveLookups are the methods exposed to lookup faults.
var coveLookups = map[string]bool{
	"GetUserInfo": true, "GetUserInfoById": true, "EnumerateUsers": true,
	"EnumerateUserRoles": true, "GetPartnerInfo": true,
}

func (s *sim) coveCall(c *simcore.Call, cs *coveState) simcore.Reply {
	trimmed := bytes.TrimSpace(c.Body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return simFail(json.RawMessage("null"), RPCInvalidRequest, "batch requests are not supported; send one call per request", 0, "")
	}
	var req simRequest
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return simFail(json.RawMessage("null"), RPCParseError, "Parse error: the body is not a JSON-RPC request object", 0, "")
	}
	id := req.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return simFail(id, RPCInvalidRequest, `Invalid Request: "jsonrpc" must be "2.0" and "method" must be given`, 0, "")
	}
	switch {
	case req.Method == "AddUser":
		if rep, stop := c.Inject(simcore.Create); stop {
			return rep
		}
	case coveLookups[req.Method]:
		if rep, stop := c.Inject(simcore.Lookup); stop {
			return rep
		}
	case req.Method == "Login":
		return s.coveLogin(id, req.Params, cs)
	default:
		return simFail(id, RPCMethodNotFound, "Method not found: "+req.Method+" (method names are case sensitive)", 0, "")
	}
	visa, rep, ok := s.coveVisa(id, req.Visa, cs)
	if !ok {
		return rep
	}
	var params map[string]json.RawMessage
	if len(bytes.TrimSpace(req.Params)) > 0 && string(bytes.TrimSpace(req.Params)) != "null" {
		if err := json.Unmarshal(req.Params, &params); err != nil {
			return simFail(id, RPCInvalidParams, "Invalid params: params must be a JSON object", 0, visa)
		}
	}
	switch req.Method {
	case "AddUser":
		return s.coveAddUser(id, params, visa)
	case "GetUserInfo":
		return s.coveGetUserInfo(id, params, visa)
	case "GetUserInfoById":
		return s.coveGetUserInfoByID(id, params, visa)
	case "EnumerateUsers":
		return s.coveEnumerateUsers(id, params, visa)
	case "EnumerateUserRoles":
		var partnerID int64
		if rep, ok := coveParam(id, params, "partnerId", &partnerID, visa); !ok {
			return rep
		}
		if coveFindPartner(partnerID) == nil {
			return coveNoPartner(id, partnerID, visa)
		}
		return simOK(id, SandboxRoles, visa)
	default: // GetPartnerInfo
		var name string
		if rep, ok := coveParam(id, params, "name", &name, visa); !ok {
			return rep
		}
		for _, p := range SandboxPartners {
			if p.Name == name {
				return simOK(id, map[string]any{"Id": p.ID, "Name": p.Name, "ParentId": p.ParentID, "Level": p.Level, "State": "InProduction"}, visa)
			}
		}
		return simFail(id, RPCInternalError, "Partner '"+name+"' not found", 0, visa)
	}
}

// coveParam reads one required parameter.
func coveParam(id json.RawMessage, params map[string]json.RawMessage, name string, dst any, visa string) (simcore.Reply, bool) {
	raw, ok := params[name]
	if !ok {
		return simFail(id, RPCInvalidParams, "Invalid params: "+name+" is required", 0, visa), false
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return simFail(id, RPCInvalidParams, "Invalid params: "+name+" has the wrong type", 0, visa), false
	}
	return simcore.Reply{}, true
}

func (s *sim) coveLogin(id json.RawMessage, raw json.RawMessage, cs *coveState) simcore.Reply {
	var p struct {
		Partner  string `json:"partner"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return simFail(id, RPCInvalidParams, "Invalid params: Login takes {partner, username, password}", 0, "")
	}
	if p.Partner != SandboxPartner || !strings.EqualFold(p.Username, SandboxUsername) || p.Password != SandboxPassword {
		return simFail(id, RPCInternalError, "Unknown partner/username or bad password", SandboxCodeLoginFailed, "")
	}
	now := s.env.Now()
	cs.mu.Lock()
	if len(cs.chains) >= maxVisaChains/2 {
		cs.prune(now, s.env.Options().VisaIdle)
	}
	cs.nextID++
	chain := cs.nextID
	cs.chains[chain] = now
	cs.mu.Unlock()
	return simOK(id, coveAdmin(), s.visa(chain))
}

// prune forgets lapsed chains and, past the bound, the least recently
// used ones (mu held).
func (cs *coveState) prune(now time.Time, idle time.Duration) {
	for id, last := range cs.chains {
		if now.Sub(last) > idle {
			delete(cs.chains, id)
		}
	}
	for len(cs.chains) >= maxVisaChains {
		var oldID uint64
		var oldest time.Time
		for id, last := range cs.chains {
			if oldID == 0 || last.Before(oldest) {
				oldID, oldest = id, last
			}
		}
		delete(cs.chains, oldID)
	}
}

// visa issues a new visa of a chain.
func (s *sim) visa(chain uint64) string {
	return s.env.Signer().Sign(visaKind, simcore.Pack(chain, simcore.Nonce()))
}

// coveVisa checks a call's visa and returns the next one of its chain.
func (s *sim) coveVisa(id json.RawMessage, visa string, cs *coveState) (string, simcore.Reply, bool) {
	if visa == "" {
		return "", simFail(id, RPCInternalError, "Visa is required: call Login first", 0, ""), false
	}
	payload, ok := s.env.Signer().Verify(visaKind, visa)
	vals, ok2 := simcore.Unpack(payload, 2)
	if !ok || !ok2 {
		return "", simFail(id, RPCInternalError, "Visa is not valid", 0, ""), false
	}
	chain := vals[0]
	now := s.env.Now()
	cs.mu.Lock()
	last, known := cs.chains[chain]
	lapsed := known && now.Sub(last) > s.env.Options().VisaIdle
	if known && !lapsed {
		cs.chains[chain] = now
	} else if lapsed {
		delete(cs.chains, chain)
	}
	cs.mu.Unlock()
	if !known || lapsed {
		return "", simFail(id, RPCInternalError, "Session timed out after "+s.env.Options().VisaIdle.String()+" without a call; log in again", 0, ""), false
	}
	return s.visa(chain), simcore.Reply{}, true
}

func coveFindPartner(id int64) *SandboxPartnerInfo {
	for i := range SandboxPartners {
		if SandboxPartners[i].ID == id {
			return &SandboxPartners[i]
		}
	}
	return nil
}

func coveNoPartner(id json.RawMessage, partnerID int64, visa string) simcore.Reply {
	return simFail(id, RPCInternalError, "Partner "+strconv.FormatInt(partnerID, 10)+" not found or not accessible to this login", 0, visa)
}

// coveAdmin is the sandbox login user, present from the start.
func coveAdmin() map[string]any {
	return map[string]any{
		"EmailAddress": SandboxUsername, "FirstLoginTime": 1700000000, "FirstName": "Sandbox", "Flags": []string{"AllowApiAuthentication"},
		"FullName": "Admin", "Id": coveAdminID, "LastLoginTime": 1700000000, "Name": SandboxUsername,
		"PartnerId": SandboxPartnerID, "Password": nil, "PhoneNumber": "", "RoleId": 1, "Title": "Administrator",
	}
}

// coveUser is a stored user as the lookups return it.
func coveUser(rec *simcore.Record) map[string]any {
	u := map[string]any{"FirstLoginTime": nil, "LastLoginTime": nil, "Password": nil,
		"FirstName": "", "FullName": "", "PhoneNumber": "", "Title": "", "Flags": []string{}}
	for k, v := range rec.Body {
		if k != "Password" {
			u[k] = v
		}
	}
	id, _ := strconv.ParseInt(rec.ID, 10, 64)
	u["Id"] = id
	return u
}

// Unique-name namespaces of Cove users.
const (
	coveNameNS = "cove.name" // Name, service-wide
	coveIDNS   = "cove.id"
)

func (s *sim) coveAddUser(id json.RawMessage, params map[string]json.RawMessage, visa string) simcore.Reply {
	raw, ok := params["userInfo"]
	if !ok {
		return simFail(id, RPCInvalidParams, "Invalid params: userInfo is required", 0, visa)
	}
	info, err := simcore.DecodeObject(raw)
	if err != nil {
		return simFail(id, RPCInvalidParams, "Invalid params: userInfo: "+err.Error(), 0, visa)
	}
	if rep, bad := coveRoleMissing(id, info, visa); bad {
		return rep
	}
	ch := simcore.CheckBody(User, info, nil, true)
	if len(ch.Problems) > 0 {
		for i := range ch.Problems {
			ch.Problems[i].Key = "userInfo." + ch.Problems[i].Key
		}
		return simFail(id, RPCInvalidParams, "Invalid params: "+simcore.JoinProblems(ch.Problems), 0, visa)
	}
	partnerID, _ := ch.Rec.Get("PartnerId").(int64)
	if coveFindPartner(partnerID) == nil {
		return coveNoPartner(id, partnerID, visa)
	}
	name := ch.Rec.Text("Name")
	st := s.env.Store()
	st.Lock()
	defer st.Unlock()
	if old := st.Get(coveNameNS, strings.ToLower(name)); old != nil || strings.EqualFold(name, SandboxUsername) {
		if old != nil {
			old.Duplicates++
		}
		return simFail(id, RPCInternalError, "Login name '"+name+"' is taken", 0, visa)
	}
	if st.Full() {
		return simFail(id, RPCInternalError, simcore.FullMessage, 0, visa)
	}
	userID := s.env.IDs().Seq("cove", 900001)
	idText := strconv.FormatInt(userID, 10)
	st.Add(&simcore.Record{Target: User.ID, Key: ch.Rec.Key(), ID: idText, Creates: 1, Body: ch.Received},
		coveNameNS, strings.ToLower(name), coveIDNS, idText)
	rep := simOK(id, userID, visa)
	rep.Created = true
	return rep
}

// coveRoleMissing refuses a whole-number RoleId that is not one of
// EnumerateUserRoles: the service checks roles against the partner's list
// (an application error), not against a range.
func coveRoleMissing(id json.RawMessage, info map[string]any, visa string) (simcore.Reply, bool) {
	n, ok := info["RoleId"].(json.Number)
	if !ok {
		return simcore.Reply{}, false
	}
	role, err := n.Int64()
	if err != nil || coveKnownRole(role) {
		return simcore.Reply{}, false
	}
	return simFail(id, RPCInternalError, "Role "+n.String()+" does not exist; see EnumerateUserRoles", 0, visa), true
}

func coveKnownRole(id int64) bool {
	for _, r := range SandboxRoles {
		if r.ID == id {
			return true
		}
	}
	return false
}

func (s *sim) coveGetUserInfo(id json.RawMessage, params map[string]json.RawMessage, visa string) simcore.Reply {
	var partnerID int64
	var name string
	if rep, ok := coveParam(id, params, "partnerId", &partnerID, visa); !ok {
		return rep
	}
	if rep, ok := coveParam(id, params, "nameOrEmail", &name, visa); !ok {
		return rep
	}
	if coveFindPartner(partnerID) == nil {
		return coveNoPartner(id, partnerID, visa)
	}
	if partnerID == SandboxPartnerID && strings.EqualFold(name, SandboxUsername) {
		return simOK(id, coveAdmin(), visa)
	}
	s.env.Store().Lock()
	var found map[string]any
	for _, rec := range s.env.Store().Records(User.ID) {
		if rec.Body["PartnerId"] == partnerID &&
			(strings.EqualFold(name, asString(rec.Body["Name"])) || strings.EqualFold(name, asString(rec.Body["EmailAddress"]))) {
			found = coveUser(rec)
			break
		}
	}
	s.env.Store().Unlock()
	if found == nil {
		return simFail(id, RPCInternalError, "User '"+name+"' not found in partner "+strconv.FormatInt(partnerID, 10), 0, visa)
	}
	return simOK(id, found, visa)
}

func (s *sim) coveGetUserInfoByID(id json.RawMessage, params map[string]json.RawMessage, visa string) simcore.Reply {
	var userID int64
	if rep, ok := coveParam(id, params, "userId", &userID, visa); !ok {
		return rep
	}
	if userID == coveAdminID {
		return simOK(id, coveAdmin(), visa)
	}
	s.env.Store().Lock()
	var found map[string]any
	if rec := s.env.Store().Get(coveIDNS, strconv.FormatInt(userID, 10)); rec != nil {
		found = coveUser(rec)
	}
	s.env.Store().Unlock()
	if found == nil {
		return simFail(id, RPCInternalError, "User "+strconv.FormatInt(userID, 10)+" not found", 0, visa)
	}
	return simOK(id, found, visa)
}

func (s *sim) coveEnumerateUsers(id json.RawMessage, params map[string]json.RawMessage, visa string) simcore.Reply {
	var partnerIDs []int64
	if rep, ok := coveParam(id, params, "partnerIds", &partnerIDs, visa); !ok {
		return rep
	}
	want := make(map[int64]bool)
	for _, p := range partnerIDs {
		if coveFindPartner(p) == nil {
			return coveNoPartner(id, p, visa)
		}
		want[p] = true
	}
	users := []map[string]any{}
	if want[SandboxPartnerID] {
		users = append(users, coveAdmin())
	}
	s.env.Store().Lock()
	for _, rec := range s.env.Store().Records(User.ID) {
		if p, ok := rec.Body["PartnerId"].(int64); ok && want[p] {
			users = append(users, coveUser(rec))
		}
	}
	s.env.Store().Unlock()
	return simOK(id, users, visa)
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
