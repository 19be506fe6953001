package fonedynamics

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's Fone Dynamics simulator: portal online logins, mounted by
// package sandbox at SandboxPath (Sandbox.Mount).

// Fone Dynamics error bodies are in the ServiceStack shape the vendor's
// official C# and Java SDKs read:
//
//	{"ResponseStatus": {"ErrorCode": "...", "Message": "...",
//	  "Errors": [{"ErrorCode": "...", "FieldName": "...", "Message": "..."}]}}
//
// The shape is from the SDKs; the codes and wording below are assumed (the
// vendor's "REST API Error Codes" page is not among the sources). The
// duplicate's wording is deliberately one no client keyword list knows:
// a client must settle a refusal by looking the login up, not by reading.
const (
	SandboxCodeInvalid     = "Invalid"             // a parameter breaks a rule
	SandboxCodeRequired    = "NotEmpty"            // a required parameter is missing
	SandboxCodeEmailInUse  = "OnlineLoginConflict" // an online login with this Email exists
	SandboxCodeBadRequest  = "BadRequest"          // the body is not a JSON object
	SandboxCodeAuth        = "Unauthorized"        // account SID or token refused
	SandboxCodeNotFound    = "NotFound"            // no such property or online login
	SandboxCodeTooLarge    = "RequestTooLarge"     // request body too large
	SandboxCodeRateLimited = "TooManyRequests"     // over the rate limit
	SandboxCodeInternal    = "InternalServerError" // injected 500
	SandboxCodeUnavailable = "ServiceUnavailable"  // injected 503
	SandboxCodeStoreFull   = "InsufficientStorage" // the sandbox's record bound was reached
)

// sim is the simulator mounted on one sandbox.
type sim struct {
	env simcore.Env
}

func mountSandbox(env simcore.Env) {
	s := &sim{env: env}
	env.Handle("POST /v2/Properties/{PropertySid}/OnlineLogins", simcore.Create, simcore.Plain(fdError), s.fdCreateLogin)
	env.Handle("GET /v2/OnlineLogins", simcore.Lookup, simcore.Plain(fdError), s.fdListLogins)
	env.Handle("GET /v2/OnlineLogins/{OnlineLoginSid}", simcore.Lookup, simcore.Plain(fdError), s.fdGetLogin)
	env.Handle("/", simcore.Auth, simcore.Plain(fdError), func(c *simcore.Call) simcore.Reply {
		return fdError(http.StatusNotFound, "no such Fone Dynamics resource in the sandbox: "+c.R.Method+" "+c.R.URL.Path)
	})
}

// fdError is Fone Dynamics' error body with the code for the status.
func fdError(status int, msg string) simcore.Reply {
	code := map[int]string{
		http.StatusBadRequest: SandboxCodeBadRequest, http.StatusUnauthorized: SandboxCodeAuth, http.StatusNotFound: SandboxCodeNotFound,
		http.StatusRequestEntityTooLarge: SandboxCodeTooLarge, http.StatusTooManyRequests: SandboxCodeRateLimited,
		http.StatusInternalServerError: SandboxCodeInternal, http.StatusServiceUnavailable: SandboxCodeUnavailable,
		http.StatusInsufficientStorage: SandboxCodeStoreFull,
	}[status]
	if code == "" {
		code = strings.ReplaceAll(http.StatusText(status), " ", "")
	}
	return fdFailure(status, code, msg, nil)
}

// fdFieldError is one entry of ResponseStatus.Errors.
type fdFieldError struct {
	ErrorCode string `json:"ErrorCode"`
	FieldName string `json:"FieldName"`
	Message   string `json:"Message"`
}

// fdFailure is a ResponseStatus error body; fields may be nil.
func fdFailure(status int, code, msg string, fields []fdFieldError) simcore.Reply {
	if fields == nil {
		fields = []fdFieldError{}
	}
	return simcore.Reply{Status: status, Body: map[string]any{"ResponseStatus": map[string]any{
		"ErrorCode": code, "Message": msg, "Errors": fields}}}
}

// fdInvalid is a 400 listing each broken field rule, ServiceStack style:
// the first field's code and all messages at the top, one entry per field.
func fdInvalid(problems []simcore.FieldProblem) simcore.Reply {
	fields := make([]fdFieldError, len(problems))
	for i, p := range problems {
		code := SandboxCodeInvalid
		if p.Msg == "is required" {
			code = SandboxCodeRequired
		}
		fields[i] = fdFieldError{ErrorCode: code, FieldName: p.Key, Message: p.String()}
	}
	return fdFailure(http.StatusBadRequest, fields[0].ErrorCode, simcore.JoinProblems(problems), fields)
}

// fdAuth checks HTTP Basic account SID and token.
func fdAuth(c *simcore.Call) (simcore.Reply, bool) {
	user, pass, ok := c.R.BasicAuth()
	if ok && subtle.ConstantTimeCompare([]byte(user), []byte(SandboxAccountSid)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(SandboxToken)) == 1 {
		return simcore.Reply{}, true
	}
	rep := fdError(http.StatusUnauthorized, "Authentication failed: use HTTP Basic with your account SID and API token")
	rep.Header = map[string]string{"WWW-Authenticate": `Basic realm="Fone Dynamics"`}
	return rep, false
}

// SandboxOnlineLogin is the documented OnlineLogin object, in its field order.
type SandboxOnlineLogin struct {
	OnlineLoginSid string              `json:"OnlineLoginSid"`
	Email          string              `json:"Email"`
	Created        int64               `json:"Created"`
	Enabled        bool                `json:"Enabled"`
	FirstName      string              `json:"FirstName"`
	LastName       string              `json:"LastName"`
	Permissions    []SandboxPermission `json:"Permissions"`
}

// SandboxPermission is one property an online login may use, and how.
type SandboxPermission struct {
	PropertySid string `json:"PropertySid"`
	Scopes      string `json:"Scopes"`
}

// Unique-name namespaces of Fone Dynamics logins.
const (
	fdEmailNS = "fd.email" // Email, account-wide
	fdSidNS   = "fd.sid"   // OnlineLoginSid
)

func fdKnownProperty(sid string) bool {
	return sid == SandboxPropertySid || sid == SandboxExamplePropertySid
}

func (s *sim) fdCreateLogin(c *simcore.Call) simcore.Reply {
	if rep, ok := fdAuth(c); !ok {
		return rep
	}
	// The vendor documents no format for PropertySid (onboard's pattern
	// is advice): any SID that is not the account's property is not found.
	sid := c.R.PathValue("PropertySid")
	if !fdKnownProperty(sid) {
		return fdError(http.StatusNotFound, "Property '"+sid+"' was not found in this account")
	}
	obj, err := simcore.DecodeObject(c.Body)
	if err != nil {
		return fdError(http.StatusBadRequest, err.Error())
	}
	ch := simcore.CheckBody(Login, obj, map[string]any{"PropertySid": sid}, false)
	if len(ch.Problems) > 0 {
		return fdInvalid(ch.Problems)
	}
	email := ch.Rec.Text("Email")
	enabled, _ := ch.Rec.Get("Enabled").(bool)
	st := s.env.Store()
	st.Lock()
	defer st.Unlock()
	if old := st.Get(fdEmailNS, strings.ToLower(email)); old != nil {
		old.Duplicates++
		return fdFailure(http.StatusBadRequest, SandboxCodeEmailInUse, "Email '"+email+"' belongs to an online login of this account", nil)
	}
	if st.Full() {
		return fdError(http.StatusInsufficientStorage, simcore.FullMessage)
	}
	login := &SandboxOnlineLogin{
		OnlineLoginSid: s.env.IDs().UUID(), Email: email, Created: s.env.Now().Unix(), Enabled: enabled,
		FirstName: ch.Rec.Text("FirstName"), LastName: ch.Rec.Text("LastName"),
		Permissions: []SandboxPermission{{PropertySid: sid, Scopes: ch.Rec.Text("Scopes")}},
	}
	st.Add(&simcore.Record{Target: Login.ID, Key: sid + "/" + email, ID: login.OnlineLoginSid, Creates: 1,
		Body: ch.Received, Extra: login},
		fdEmailNS, strings.ToLower(email), fdSidNS, login.OnlineLoginSid)
	return simcore.Reply{Status: http.StatusOK, Created: true, Body: map[string]any{"OnlineLogin": login}}
}

// fdPageSize bounds Results_Count.
const (
	fdDefaultPage = 50
	fdMaxPage     = 500
)

func (s *sim) fdListLogins(c *simcore.Call) simcore.Reply {
	if rep, ok := fdAuth(c); !ok {
		return rep
	}
	q := c.R.URL.Query()
	count, skip := fdDefaultPage, 0
	if v := q.Get("Results_Count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > fdMaxPage {
			return fdError(http.StatusBadRequest, "Results_Count must be a whole number from 1 to "+strconv.Itoa(fdMaxPage)+"; found '"+v+"'")
		}
		count = n
	}
	if v := q.Get("Results_Skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fdError(http.StatusBadRequest, "Results_Skip must be a whole number of at least 0; found '"+v+"'")
		}
		skip = n
	}
	if v := q.Get("PageToken"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "skip:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "skip:") || n < 0 {
			return fdError(http.StatusBadRequest, "PageToken is not a token this API issued")
		}
		skip = n
	}
	s.env.Store().Lock()
	recs := s.env.Store().Records(Login.ID)
	total := len(recs)
	page := make([]SandboxOnlineLogin, 0, count)
	for i := skip; i < total && len(page) < count; i++ {
		page = append(page, *recs[i].Extra.(*SandboxOnlineLogin))
	}
	s.env.Store().Unlock()
	next := ""
	if skip+len(page) < total {
		next = base64.RawURLEncoding.EncodeToString([]byte("skip:" + strconv.Itoa(skip+len(page))))
	}
	return simcore.Reply{Status: http.StatusOK, Body: map[string]any{"OnlineLogins": page, "TotalCount": total, "NextPageToken": next}}
}

func (s *sim) fdGetLogin(c *simcore.Call) simcore.Reply {
	if rep, ok := fdAuth(c); !ok {
		return rep
	}
	sid := c.R.PathValue("OnlineLoginSid")
	s.env.Store().Lock()
	var login *SandboxOnlineLogin
	if rec := s.env.Store().Get(fdSidNS, sid); rec != nil {
		l := *rec.Extra.(*SandboxOnlineLogin)
		login = &l
	}
	s.env.Store().Unlock()
	if login == nil {
		return fdError(http.StatusNotFound, "Online login '"+sid+"' was not found")
	}
	return simcore.Reply{Status: http.StatusOK, Body: map[string]any{"OnlineLogin": login}}
}
