package acefone

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's Acefone simulator: JWT-style login and refresh, and user
// creation, mounted by package sandbox at SandboxPath (Sandbox.Mount).
//
// Shapes, with their sources (seed 002 is the vendor's Create User page;
// shared = shared/vendors/acefone.md):
//   - Every answer is {"success": bool, "message": "...", "error": {...}}:
//     seed 002 documents exactly these three response variables. A created
//     user gets {"success": true, "message": "User created successfully"}
//     and no ID (the seed shows no created-ID field; shared: "record
//     whatever ID the body carries ... otherwise the login_id"), so the
//     ledger's ID is the login ID.
//   - Login and refresh answer {"success": true, "access_token", "token_type":
//     "bearer", "expires_in": 3600} (shared, "Getting started").
//
// Guesses (assumed; no source shows them):
//   - The inside of "error": field name → list of messages, as Laravel-style
//     validation writes it (the seed only says it is an object giving "the
//     error type"); an answer about no single field carries "error": {}.
//   - A duplicate login_id is HTTP 400 with error.login_id
//     (SandboxDuplicateMessage); the real wording and status are unknown.
//   - Token refusals are HTTP 401 with error.token (shared says a 401
//     mid-run means renew; the body is assumed); refresh accepts a token up
//     to TokenRefreshWindow after it lapsed.
//   - Validation follows the client's schema: JSON types checked strictly,
//     unknown keys refused, caller_id items at least 1. Rules the schema
//     marks as advice (the seed does not state them) are not refused: any
//     number string is taken as sent; but a user_role below 1 is refused
//     with SandboxRoleMessage, as no role can have that ID.
//   - The sandbox never answers 400 with "success": true (seed 002 says
//     the vendor can; when is not documented): contract tests make it.

// sim is the simulator mounted on one sandbox.
type sim struct {
	env simcore.Env
}

func mountSandbox(env simcore.Env) {
	s := &sim{env: env}
	env.Handle("POST /v1/auth/login", simcore.Auth, simcore.Plain(acefoneError), s.acefoneLogin)
	env.Handle("POST /v1/auth/refresh", simcore.Auth, simcore.Plain(acefoneError), s.acefoneRefresh)
	env.Handle("POST /v1/user", simcore.Create, simcore.Plain(acefoneError), s.acefoneCreateUser)
	env.Handle("/", simcore.Auth, simcore.Plain(acefoneError), func(c *simcore.Call) simcore.Reply {
		return acefoneError(http.StatusNotFound, "no such Acefone API resource in the sandbox: "+c.R.Method+" "+c.R.URL.Path)
	})
}

// SandboxDuplicateMessage is the error text for a login_id already taken,
// under "error": {"login_id": [...]}.
const SandboxDuplicateMessage = "The login id has already been taken."

// acefoneError is Acefone's failure body: {"success": false, "message":
// "...", "error": {...}}.
func acefoneError(status int, msg string) simcore.Reply {
	return acefoneFailure(status, msg, map[string][]string{})
}

func acefoneFailure(status int, msg string, fields map[string][]string) simcore.Reply {
	return simcore.Reply{Status: status, Body: map[string]any{"success": false, "message": msg, "error": fields}}
}

// tokenKind marks Acefone access tokens.
const tokenKind = "acefone"

// acefoneToken issues an access token: its issue time and a nonce, signed.
func (s *sim) acefoneToken() simcore.Reply {
	tok := s.env.Signer().Sign(tokenKind, simcore.Pack(uint64(s.env.Now().UnixNano()), simcore.Nonce()))
	return simcore.Reply{Status: http.StatusOK, Body: map[string]any{
		"success": true, "access_token": tok, "token_type": "bearer",
		"expires_in": int64(s.env.Options().TokenTTL / time.Second),
	}}
}

// tokenState says what an Authorization header holds.
type tokenState int

const (
	tokenMissing tokenState = iota
	tokenInvalid
	tokenExpired
	tokenValid
)

// acefoneTokenState reads the token from Authorization, raw or after
// "Bearer", and returns its state and issue time.
func (s *sim) acefoneTokenState(r *http.Request) (tokenState, time.Time) {
	tok := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, rest, ok := strings.Cut(tok, " "); ok && strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(rest)
	}
	if tok == "" {
		return tokenMissing, time.Time{}
	}
	if tok == SandboxStaticToken {
		return tokenValid, s.env.Now()
	}
	payload, ok := s.env.Signer().Verify(tokenKind, tok)
	if !ok {
		return tokenInvalid, time.Time{}
	}
	vals, ok := simcore.Unpack(payload, 2)
	if !ok {
		return tokenInvalid, time.Time{}
	}
	issued := time.Unix(0, int64(vals[0]))
	if !s.env.Now().Before(issued.Add(s.env.Options().TokenTTL)) {
		return tokenExpired, issued
	}
	return tokenValid, issued
}

// acefoneAuthError answers a request whose token is not valid.
func acefoneAuthError(st tokenState) simcore.Reply {
	msg := map[tokenState]string{
		tokenMissing: "Token not provided",
		tokenInvalid: "Token is invalid",
		tokenExpired: "Token has expired",
	}[st]
	return acefoneFailure(http.StatusUnauthorized, msg, map[string][]string{"token": {msg}})
}

func (s *sim) acefoneLogin(c *simcore.Call) simcore.Reply {
	var in struct {
		LoginID  *string `json:"login_id"`
		Password *string `json:"password"`
	}
	if err := json.Unmarshal(c.Body, &in); err != nil {
		return acefoneFailure(http.StatusBadRequest, "the body must be a JSON object with login_id and password", map[string][]string{})
	}
	missing := map[string][]string{}
	if in.LoginID == nil || *in.LoginID == "" {
		missing["login_id"] = []string{"The login id field is required."}
	}
	if in.Password == nil || *in.Password == "" {
		missing["password"] = []string{"The password field is required."}
	}
	if len(missing) > 0 {
		return acefoneFailure(http.StatusBadRequest, "login_id and password are required", missing)
	}
	if !strings.EqualFold(*in.LoginID, SandboxLoginID) || *in.Password != SandboxPassword {
		return acefoneFailure(http.StatusUnauthorized, "Invalid login credentials",
			map[string][]string{"credentials": {"The login ID or password is incorrect."}})
	}
	return s.acefoneToken()
}

func (s *sim) acefoneRefresh(c *simcore.Call) simcore.Reply {
	st, issued := s.acefoneTokenState(c.R)
	switch st {
	case tokenValid:
	case tokenExpired:
		if !s.env.Now().Before(issued.Add(s.env.Options().TokenTTL + s.env.Options().TokenRefreshWindow)) {
			return acefoneFailure(http.StatusUnauthorized, "Token can no longer be refreshed; log in again",
				map[string][]string{"token": {"Token has expired and can no longer be refreshed"}})
		}
	default:
		return acefoneAuthError(st)
	}
	return s.acefoneToken()
}

// SandboxRoleMessage refuses a user_role below 1: the sandbox has no
// roles, and no role can have such an ID (assumed wording and rule).
const SandboxRoleMessage = "The selected user role is invalid."

// acefoneVendorProblems keeps the problems of checkBody that the sandbox
// refuses. A rule that is only onboard's advice (schema Field.Advice: the
// seed does not state it) is not the vendor's, so the value is taken as
// sent, except a user_role below 1, refused as a role that cannot exist.
func acefoneVendorProblems(ch *simcore.Checked, obj map[string]any) []simcore.FieldProblem {
	var out []simcore.FieldProblem
	for _, p := range ch.Problems {
		f := User.Field(p.Key)
		if f == nil {
			out = append(out, p)
			continue
		}
		v, wp := f.CheckWire(obj[p.Key])
		switch {
		case wp == nil || !wp.Warning:
			out = append(out, p)
		case p.Key == "user_role":
			out = append(out, simcore.FieldProblem{Key: p.Key, Msg: SandboxRoleMessage})
		default:
			if v == nil {
				v = obj[p.Key] // CheckWire drops a string it only warns about: take it as sent
			}
			ch.Rec.Set(p.Key, v)
			ch.Received[p.Key] = v
		}
	}
	return out
}

// Unique-name namespace of Acefone users.
const acefoneNS = "acefone.login"

func (s *sim) acefoneCreateUser(c *simcore.Call) simcore.Reply {
	if st, _ := s.acefoneTokenState(c.R); st != tokenValid {
		return acefoneAuthError(st)
	}
	obj, err := simcore.DecodeObject(c.Body)
	if err != nil {
		return acefoneFailure(http.StatusBadRequest, err.Error(), map[string][]string{})
	}
	ch := simcore.CheckBody(User, obj, nil, false)
	ch.Problems = acefoneVendorProblems(&ch, obj)
	if len(ch.Problems) > 0 {
		fields := map[string][]string{}
		for _, p := range ch.Problems {
			fields[p.Key] = append(fields[p.Key], p.String())
		}
		return acefoneFailure(http.StatusBadRequest, simcore.JoinProblems(ch.Problems), fields)
	}
	login := ch.Rec.Text("login_id")
	st := s.env.Store()
	st.Lock()
	defer st.Unlock()
	if old := st.Get(acefoneNS, strings.ToLower(login)); old != nil {
		old.Duplicates++
		return acefoneFailure(http.StatusBadRequest, SandboxDuplicateMessage,
			map[string][]string{"login_id": {SandboxDuplicateMessage}})
	}
	if st.Full() {
		return acefoneError(http.StatusInsufficientStorage, simcore.FullMessage)
	}
	st.Add(&simcore.Record{Target: User.ID, Key: login, ID: login, Creates: 1,
		Body: ch.Received}, acefoneNS, strings.ToLower(login))
	return simcore.Reply{Status: http.StatusOK, Created: true,
		Body: map[string]any{"success": true, "message": "User created successfully"}}
}
