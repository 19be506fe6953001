package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// Fone Dynamics: portal online logins.

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
	FDCodeInvalid     = "Invalid"             // a parameter breaks a rule
	FDCodeRequired    = "NotEmpty"            // a required parameter is missing
	FDCodeEmailInUse  = "OnlineLoginConflict" // an online login with this Email exists
	FDCodeBadRequest  = "BadRequest"          // the body is not a JSON object
	FDCodeAuth        = "Unauthorized"        // account SID or token refused
	FDCodeNotFound    = "NotFound"            // no such property or online login
	FDCodeTooLarge    = "RequestTooLarge"     // request body too large
	FDCodeRateLimited = "TooManyRequests"     // over the rate limit
	FDCodeInternal    = "InternalServerError" // injected 500
	FDCodeUnavailable = "ServiceUnavailable"  // injected 503
	FDCodeStoreFull   = "InsufficientStorage" // the sandbox's record bound was reached
)

func (s *Server) foneDynamicsRoutes(mux *http.ServeMux) {
	mux.Handle("POST "+FoneDynamicsPath+"/v2/Properties/{PropertySid}/OnlineLogins", s.endpoint(FoneDynamics, kindCreate, fdError, s.fdCreateLogin))
	mux.Handle("GET "+FoneDynamicsPath+"/v2/OnlineLogins", s.endpoint(FoneDynamics, kindLookup, fdError, s.fdListLogins))
	mux.Handle("GET "+FoneDynamicsPath+"/v2/OnlineLogins/{OnlineLoginSid}", s.endpoint(FoneDynamics, kindLookup, fdError, s.fdGetLogin))
	mux.Handle(FoneDynamicsPath+"/", s.endpoint(FoneDynamics, kindAuth, fdError, func(c *call) reply {
		return fdError(c, http.StatusNotFound, "no such Fone Dynamics resource in the sandbox: "+c.r.Method+" "+c.r.URL.Path)
	}))
}

// fdError is Fone Dynamics' error body with the code for the status.
func fdError(_ *call, status int, msg string) reply {
	code := map[int]string{
		http.StatusBadRequest: FDCodeBadRequest, http.StatusUnauthorized: FDCodeAuth, http.StatusNotFound: FDCodeNotFound,
		http.StatusRequestEntityTooLarge: FDCodeTooLarge, http.StatusTooManyRequests: FDCodeRateLimited,
		http.StatusInternalServerError: FDCodeInternal, http.StatusServiceUnavailable: FDCodeUnavailable,
		http.StatusInsufficientStorage: FDCodeStoreFull,
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
func fdFailure(status int, code, msg string, fields []fdFieldError) reply {
	if fields == nil {
		fields = []fdFieldError{}
	}
	return reply{status: status, body: map[string]any{"ResponseStatus": map[string]any{
		"ErrorCode": code, "Message": msg, "Errors": fields}}}
}

// fdInvalid is a 400 listing each broken field rule, ServiceStack style:
// the first field's code and all messages at the top, one entry per field.
func fdInvalid(problems []simcore.FieldProblem) reply {
	fields := make([]fdFieldError, len(problems))
	for i, p := range problems {
		code := FDCodeInvalid
		if p.Msg == "is required" {
			code = FDCodeRequired
		}
		fields[i] = fdFieldError{ErrorCode: code, FieldName: p.Key, Message: p.String()}
	}
	return fdFailure(http.StatusBadRequest, fields[0].ErrorCode, simcore.JoinProblems(problems), fields)
}

// fdAuth checks HTTP Basic account SID and token.
func fdAuth(c *call) (reply, bool) {
	user, pass, ok := c.r.BasicAuth()
	if ok && subtle.ConstantTimeCompare([]byte(user), []byte(FoneDynamicsAccountSid)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(FoneDynamicsToken)) == 1 {
		return reply{}, true
	}
	rep := fdError(c, http.StatusUnauthorized, "Authentication failed: use HTTP Basic with your account SID and API token")
	rep.header = map[string]string{"WWW-Authenticate": `Basic realm="Fone Dynamics"`}
	return rep, false
}

// fdOnlineLogin is the documented OnlineLogin object, in its field order.
type fdOnlineLogin struct {
	OnlineLoginSid string         `json:"OnlineLoginSid"`
	Email          string         `json:"Email"`
	Created        int64          `json:"Created"`
	Enabled        bool           `json:"Enabled"`
	FirstName      string         `json:"FirstName"`
	LastName       string         `json:"LastName"`
	Permissions    []fdPermission `json:"Permissions"`
}

type fdPermission struct {
	PropertySid string `json:"PropertySid"`
	Scopes      string `json:"Scopes"`
}

// Unique-name namespaces of Fone Dynamics logins.
const (
	fdEmailNS = "fd.email" // Email, account-wide
	fdSidNS   = "fd.sid"   // OnlineLoginSid
)

func fdKnownProperty(sid string) bool {
	return sid == FoneDynamicsPropertySid || sid == FoneDynamicsExamplePropertySid
}

func (s *Server) fdCreateLogin(c *call) reply {
	if rep, ok := fdAuth(c); !ok {
		return rep
	}
	// The vendor documents no format for PropertySid (onboard's pattern
	// is advice): any SID that is not the account's property is not found.
	sid := c.r.PathValue("PropertySid")
	if !fdKnownProperty(sid) {
		return fdError(c, http.StatusNotFound, "Property '"+sid+"' was not found in this account")
	}
	obj, err := simcore.DecodeObject(c.body)
	if err != nil {
		return fdError(c, http.StatusBadRequest, err.Error())
	}
	ch := simcore.CheckBody(fonedynamics.Login, obj, map[string]any{"PropertySid": sid}, false)
	if len(ch.Problems) > 0 {
		return fdInvalid(ch.Problems)
	}
	email := ch.Rec.Text("Email")
	enabled, _ := ch.Rec.Get("Enabled").(bool)
	st := s.store
	st.Lock()
	defer st.Unlock()
	if old := st.Get(fdEmailNS, strings.ToLower(email)); old != nil {
		old.Duplicates++
		return fdFailure(http.StatusBadRequest, FDCodeEmailInUse, "Email '"+email+"' belongs to an online login of this account", nil)
	}
	if st.Full() {
		return fdError(c, http.StatusInsufficientStorage, "sandbox store is full; POST "+ResetPath+" to empty it")
	}
	login := &fdOnlineLogin{
		OnlineLoginSid: s.ids.UUID(), Email: email, Created: s.now().Unix(), Enabled: enabled,
		FirstName: ch.Rec.Text("FirstName"), LastName: ch.Rec.Text("LastName"),
		Permissions: []fdPermission{{PropertySid: sid, Scopes: ch.Rec.Text("Scopes")}},
	}
	st.Add(&simcore.Record{Target: targetFD, Key: sid + "/" + email, ID: login.OnlineLoginSid, Creates: 1,
		Body: ch.Received, Extra: login},
		fdEmailNS, strings.ToLower(email), fdSidNS, login.OnlineLoginSid)
	return reply{status: http.StatusOK, created: true, body: map[string]any{"OnlineLogin": login}}
}

// fdPageSize bounds Results_Count.
const (
	fdDefaultPage = 50
	fdMaxPage     = 500
)

func (s *Server) fdListLogins(c *call) reply {
	if rep, ok := fdAuth(c); !ok {
		return rep
	}
	q := c.r.URL.Query()
	count, skip := fdDefaultPage, 0
	if v := q.Get("Results_Count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > fdMaxPage {
			return fdError(c, http.StatusBadRequest, "Results_Count must be a whole number from 1 to "+strconv.Itoa(fdMaxPage)+"; found '"+v+"'")
		}
		count = n
	}
	if v := q.Get("Results_Skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fdError(c, http.StatusBadRequest, "Results_Skip must be a whole number of at least 0; found '"+v+"'")
		}
		skip = n
	}
	if v := q.Get("PageToken"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "skip:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "skip:") || n < 0 {
			return fdError(c, http.StatusBadRequest, "PageToken is not a token this API issued")
		}
		skip = n
	}
	s.store.Lock()
	recs := s.store.Records(targetFD)
	total := len(recs)
	page := make([]fdOnlineLogin, 0, count)
	for i := skip; i < total && len(page) < count; i++ {
		page = append(page, *recs[i].Extra.(*fdOnlineLogin))
	}
	s.store.Unlock()
	next := ""
	if skip+len(page) < total {
		next = base64.RawURLEncoding.EncodeToString([]byte("skip:" + strconv.Itoa(skip+len(page))))
	}
	return reply{status: http.StatusOK, body: map[string]any{"OnlineLogins": page, "TotalCount": total, "NextPageToken": next}}
}

func (s *Server) fdGetLogin(c *call) reply {
	if rep, ok := fdAuth(c); !ok {
		return rep
	}
	sid := c.r.PathValue("OnlineLoginSid")
	s.store.Lock()
	var login *fdOnlineLogin
	if rec := s.store.Get(fdSidNS, sid); rec != nil {
		l := *rec.Extra.(*fdOnlineLogin)
		login = &l
	}
	s.store.Unlock()
	if login == nil {
		return fdError(c, http.StatusNotFound, "Online login '"+sid+"' was not found")
	}
	return reply{status: http.StatusOK, body: map[string]any{"OnlineLogin": login}}
}
