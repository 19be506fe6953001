package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// Cove: JSON-RPC 2.0 with visas.

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
	CoveCodeLoginFailed = 2100 // unknown partner/username or bad password
	CoveCodeThrottled   = 4290 // over the rate limit (HTTP 429); the sandbox's own
	CoveCodeUnavailable = 5030 // injected 5xx; the sandbox's own
)

// CoveRoles are the roles EnumerateUserRoles returns. Assumed: the stored
// sources name SuperUser, Administrator, Manager, Operator and Supporter
// without IDs (shared/vendors/cove.md) and issue 10 gives the range 1–7;
// the IDs and the names of 6 and 7 are the sandbox's.
var CoveRoles = []CoveRole{
	{1, "SuperUser"}, {2, "Administrator"}, {3, "Manager"}, {4, "Operator"},
	{5, "Supporter"}, {6, "Reporter"}, {7, "Notifier"},
}

// CoveRole is one user role.
type CoveRole struct {
	ID   int64  `json:"Id"`
	Name string `json:"Name"`
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

func (s *Server) coveRoutes(mux *http.ServeMux) {
	cs := &coveState{chains: make(map[uint64]time.Time)}
	mux.Handle("POST "+CovePath, s.endpoint(Cove, kindAuth, coveHTTPError, func(c *call) reply { return s.coveCall(c, cs) }))
	mux.Handle(CovePath, s.endpoint(Cove, kindAuth, coveHTTPError, func(c *call) reply {
		rep := coveHTTPError(c, http.StatusMethodNotAllowed, "the JSON-RPC endpoint takes POST only")
		rep.header = map[string]string{"Allow": http.MethodPost}
		return rep
	}))
}

type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Visa    string          `json:"visa"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

type rpcResponse struct {
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
	Visa    string          `json:"visa,omitempty"`
}

// requestID returns the call's id for an answer (null when none).
func requestID(body []byte) json.RawMessage {
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
func coveHTTPError(c *call, status int, msg string) reply {
	data := map[int]int{
		http.StatusTooManyRequests: CoveCodeThrottled, http.StatusServiceUnavailable: CoveCodeUnavailable,
		http.StatusInternalServerError: CoveCodeUnavailable,
	}[status]
	rep := rpcFail(requestID(c.body), RPCInternalError, msg, data, "")
	rep.status = status
	rep.rejected = false // counted as throttled or as an error instead
	return rep
}

// rpcFail is a JSON-RPC error answer (HTTP 200), with a fresh visa when
// the call's visa was good.
func rpcFail(id json.RawMessage, code int, msg string, data int, visa string) reply {
	e := &rpcError{Code: code, Message: msg}
	if data != 0 {
		e.Data = data
	}
	return reply{status: http.StatusOK, rejected: true, body: rpcResponse{ID: id, JSONRPC: "2.0", Error: e, Visa: visa}}
}

// rpcOK is a JSON-RPC result, which Cove nests as {"result": value}.
func rpcOK(id json.RawMessage, value any, visa string) reply {
	return reply{status: http.StatusOK, body: rpcResponse{ID: id, JSONRPC: "2.0", Result: map[string]any{"result": value}, Visa: visa}}
}

// coveLookups are the methods exposed to lookup faults.
var coveLookups = map[string]bool{
	"GetUserInfo": true, "GetUserInfoById": true, "EnumerateUsers": true,
	"EnumerateUserRoles": true, "GetPartnerInfo": true,
}

func (s *Server) coveCall(c *call, cs *coveState) reply {
	trimmed := bytes.TrimSpace(c.body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return rpcFail(json.RawMessage("null"), RPCInvalidRequest, "batch requests are not supported; send one call per request", 0, "")
	}
	var req rpcRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		return rpcFail(json.RawMessage("null"), RPCParseError, "Parse error: the body is not a JSON-RPC request object", 0, "")
	}
	id := req.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return rpcFail(id, RPCInvalidRequest, `Invalid Request: "jsonrpc" must be "2.0" and "method" must be given`, 0, "")
	}
	switch {
	case req.Method == "AddUser":
		if rep, stop := c.inject(kindCreate); stop {
			return rep
		}
	case coveLookups[req.Method]:
		if rep, stop := c.inject(kindLookup); stop {
			return rep
		}
	case req.Method == "Login":
		return s.coveLogin(id, req.Params, cs)
	default:
		return rpcFail(id, RPCMethodNotFound, "Method not found: "+req.Method+" (method names are case sensitive)", 0, "")
	}
	visa, rep, ok := s.coveVisa(id, req.Visa, cs)
	if !ok {
		return rep
	}
	var params map[string]json.RawMessage
	if len(bytes.TrimSpace(req.Params)) > 0 && string(bytes.TrimSpace(req.Params)) != "null" {
		if err := json.Unmarshal(req.Params, &params); err != nil {
			return rpcFail(id, RPCInvalidParams, "Invalid params: params must be a JSON object", 0, visa)
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
		return rpcOK(id, CoveRoles, visa)
	default: // GetPartnerInfo
		var name string
		if rep, ok := coveParam(id, params, "name", &name, visa); !ok {
			return rep
		}
		for _, p := range CovePartners {
			if p.Name == name {
				return rpcOK(id, map[string]any{"Id": p.ID, "Name": p.Name, "ParentId": p.ParentID, "Level": p.Level, "State": "InProduction"}, visa)
			}
		}
		return rpcFail(id, RPCInternalError, "Partner '"+name+"' not found", 0, visa)
	}
}

// coveParam reads one required parameter.
func coveParam(id json.RawMessage, params map[string]json.RawMessage, name string, dst any, visa string) (reply, bool) {
	raw, ok := params[name]
	if !ok {
		return rpcFail(id, RPCInvalidParams, "Invalid params: "+name+" is required", 0, visa), false
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return rpcFail(id, RPCInvalidParams, "Invalid params: "+name+" has the wrong type", 0, visa), false
	}
	return reply{}, true
}

func (s *Server) coveLogin(id json.RawMessage, raw json.RawMessage, cs *coveState) reply {
	var p struct {
		Partner  string `json:"partner"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return rpcFail(id, RPCInvalidParams, "Invalid params: Login takes {partner, username, password}", 0, "")
	}
	if p.Partner != CovePartner || !strings.EqualFold(p.Username, CoveUsername) || p.Password != CovePassword {
		return rpcFail(id, RPCInternalError, "Unknown partner/username or bad password", CoveCodeLoginFailed, "")
	}
	now := s.now()
	cs.mu.Lock()
	if len(cs.chains) >= maxVisaChains/2 {
		cs.prune(now, s.opts.VisaIdle)
	}
	cs.nextID++
	chain := cs.nextID
	cs.chains[chain] = now
	cs.mu.Unlock()
	return rpcOK(id, coveAdmin(), s.visa(chain))
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
func (s *Server) visa(chain uint64) string {
	return s.secrets.Sign(visaKind, simcore.Pack(chain, simcore.Nonce()))
}

// coveVisa checks a call's visa and returns the next one of its chain.
func (s *Server) coveVisa(id json.RawMessage, visa string, cs *coveState) (string, reply, bool) {
	if visa == "" {
		return "", rpcFail(id, RPCInternalError, "Visa is required: call Login first", 0, ""), false
	}
	payload, ok := s.secrets.Verify(visaKind, visa)
	vals, ok2 := simcore.Unpack(payload, 2)
	if !ok || !ok2 {
		return "", rpcFail(id, RPCInternalError, "Visa is not valid", 0, ""), false
	}
	chain := vals[0]
	now := s.now()
	cs.mu.Lock()
	last, known := cs.chains[chain]
	lapsed := known && now.Sub(last) > s.opts.VisaIdle
	if known && !lapsed {
		cs.chains[chain] = now
	} else if lapsed {
		delete(cs.chains, chain)
	}
	cs.mu.Unlock()
	if !known || lapsed {
		return "", rpcFail(id, RPCInternalError, "Session timed out after "+s.opts.VisaIdle.String()+" without a call; log in again", 0, ""), false
	}
	return s.visa(chain), reply{}, true
}

func coveFindPartner(id int64) *CovePartnerInfo {
	for i := range CovePartners {
		if CovePartners[i].ID == id {
			return &CovePartners[i]
		}
	}
	return nil
}

func coveNoPartner(id json.RawMessage, partnerID int64, visa string) reply {
	return rpcFail(id, RPCInternalError, "Partner "+strconv.FormatInt(partnerID, 10)+" not found or not accessible to this login", 0, visa)
}

// coveAdmin is the sandbox login user, present from the start.
func coveAdmin() map[string]any {
	return map[string]any{
		"EmailAddress": CoveUsername, "FirstLoginTime": 1700000000, "FirstName": "Sandbox", "Flags": []string{"AllowApiAuthentication"},
		"FullName": "Admin", "Id": coveAdminID, "LastLoginTime": 1700000000, "Name": CoveUsername,
		"PartnerId": CovePartnerID, "Password": nil, "PhoneNumber": "", "RoleId": 1, "Title": "Administrator",
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

func (s *Server) coveAddUser(id json.RawMessage, params map[string]json.RawMessage, visa string) reply {
	raw, ok := params["userInfo"]
	if !ok {
		return rpcFail(id, RPCInvalidParams, "Invalid params: userInfo is required", 0, visa)
	}
	info, err := simcore.DecodeObject(raw)
	if err != nil {
		return rpcFail(id, RPCInvalidParams, "Invalid params: userInfo: "+err.Error(), 0, visa)
	}
	if rep, bad := coveRoleMissing(id, info, visa); bad {
		return rep
	}
	ch := simcore.CheckBody(cove.User, info, nil, true)
	if len(ch.Problems) > 0 {
		for i := range ch.Problems {
			ch.Problems[i].Key = "userInfo." + ch.Problems[i].Key
		}
		return rpcFail(id, RPCInvalidParams, "Invalid params: "+simcore.JoinProblems(ch.Problems), 0, visa)
	}
	partnerID, _ := ch.Rec.Get("PartnerId").(int64)
	if coveFindPartner(partnerID) == nil {
		return coveNoPartner(id, partnerID, visa)
	}
	name := ch.Rec.Text("Name")
	st := s.store
	st.Lock()
	defer st.Unlock()
	if old := st.Get(coveNameNS, strings.ToLower(name)); old != nil || strings.EqualFold(name, CoveUsername) {
		if old != nil {
			old.Duplicates++
		}
		return rpcFail(id, RPCInternalError, "Login name '"+name+"' is taken", 0, visa)
	}
	if st.Full() {
		return rpcFail(id, RPCInternalError, "sandbox store is full; POST "+ResetPath+" to empty it", 0, visa)
	}
	userID := s.ids.Seq(Cove, 900001)
	idText := strconv.FormatInt(userID, 10)
	st.Add(&simcore.Record{Target: targetCove, Key: ch.Rec.Key(), ID: idText, Creates: 1, Body: ch.Received},
		coveNameNS, strings.ToLower(name), coveIDNS, idText)
	rep := rpcOK(id, userID, visa)
	rep.created = true
	return rep
}

// coveRoleMissing refuses a whole-number RoleId that is not one of
// EnumerateUserRoles: the service checks roles against the partner's list
// (an application error), not against a range.
func coveRoleMissing(id json.RawMessage, info map[string]any, visa string) (reply, bool) {
	n, ok := info["RoleId"].(json.Number)
	if !ok {
		return reply{}, false
	}
	role, err := n.Int64()
	if err != nil || coveKnownRole(role) {
		return reply{}, false
	}
	return rpcFail(id, RPCInternalError, "Role "+n.String()+" does not exist; see EnumerateUserRoles", 0, visa), true
}

func coveKnownRole(id int64) bool {
	for _, r := range CoveRoles {
		if r.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) coveGetUserInfo(id json.RawMessage, params map[string]json.RawMessage, visa string) reply {
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
	if partnerID == CovePartnerID && strings.EqualFold(name, CoveUsername) {
		return rpcOK(id, coveAdmin(), visa)
	}
	s.store.Lock()
	var found map[string]any
	for _, rec := range s.store.Records(targetCove) {
		if rec.Body["PartnerId"] == partnerID &&
			(strings.EqualFold(name, asString(rec.Body["Name"])) || strings.EqualFold(name, asString(rec.Body["EmailAddress"]))) {
			found = coveUser(rec)
			break
		}
	}
	s.store.Unlock()
	if found == nil {
		return rpcFail(id, RPCInternalError, "User '"+name+"' not found in partner "+strconv.FormatInt(partnerID, 10), 0, visa)
	}
	return rpcOK(id, found, visa)
}

func (s *Server) coveGetUserInfoByID(id json.RawMessage, params map[string]json.RawMessage, visa string) reply {
	var userID int64
	if rep, ok := coveParam(id, params, "userId", &userID, visa); !ok {
		return rep
	}
	if userID == coveAdminID {
		return rpcOK(id, coveAdmin(), visa)
	}
	s.store.Lock()
	var found map[string]any
	if rec := s.store.Get(coveIDNS, strconv.FormatInt(userID, 10)); rec != nil {
		found = coveUser(rec)
	}
	s.store.Unlock()
	if found == nil {
		return rpcFail(id, RPCInternalError, "User "+strconv.FormatInt(userID, 10)+" not found", 0, visa)
	}
	return rpcOK(id, found, visa)
}

func (s *Server) coveEnumerateUsers(id json.RawMessage, params map[string]json.RawMessage, visa string) reply {
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
	if want[CovePartnerID] {
		users = append(users, coveAdmin())
	}
	s.store.Lock()
	for _, rec := range s.store.Records(targetCove) {
		if p, ok := rec.Body["PartnerId"].(int64); ok && want[p] {
			users = append(users, coveUser(rec))
		}
	}
	s.store.Unlock()
	return rpcOK(id, users, visa)
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
