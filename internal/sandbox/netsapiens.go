package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/sandbox/simcore"
	"github.com/onboard/onboard/internal/schema"
)

// NetSapiens: ns-api v2 users and sites.

func (s *Server) netsapiensRoutes(mux *http.ServeMux) {
	p := NetSapiensPath + "/domains/{domain}"
	mux.Handle("POST "+p+"/users", s.endpoint(NetSapiens, kindCreate, nsError, s.nsCreateUser))
	mux.Handle("POST "+p+"/sites", s.endpoint(NetSapiens, kindCreate, nsError, s.nsCreateSite))
	mux.Handle("GET "+p+"/users/{user}", s.endpoint(NetSapiens, kindLookup, nsError, s.nsGetUser))
	mux.Handle("GET "+p+"/sites/{site}", s.endpoint(NetSapiens, kindLookup, nsError, s.nsGetSite))
	mux.Handle(NetSapiensPath+"/", s.endpoint(NetSapiens, kindAuth, nsError, func(c *call) reply {
		return nsError(c, http.StatusNotFound, "no such ns-api v2 resource in the sandbox: "+c.r.Method+" "+c.r.URL.Path)
	}))
}

// nsError is NetSapiens' error body: {"code": <status>, "message": "..."}
// (shared/vendors/netsapiens.md; the reference pages, seeds 001 and 003,
// show no error body).
func nsError(_ *call, status int, msg string) reply {
	return reply{status: status, body: map[string]any{"code": status, "message": msg}}
}

// nsAuth checks the Bearer token.
func nsAuth(c *call) (reply, bool) {
	auth := c.r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) != NetSapiensToken {
		rep := nsError(c, http.StatusUnauthorized, "Unauthorized: a valid Bearer token is required")
		rep.header = map[string]string{"WWW-Authenticate": `Bearer realm="ns-api"`}
		return rep, false
	}
	return reply{}, true
}

// nsDomain checks the path's domain and resolves "~".
func (s *Server) nsDomain(c *call) (string, reply, bool) {
	raw := c.r.PathValue("domain")
	if _, p := netsapiens.User.Field("domain").CheckWire(raw); p != nil || raw == "" {
		msg := "domain is required"
		if p != nil {
			msg = "domain " + p.Message
		}
		return "", nsError(c, http.StatusBadRequest, msg), false
	}
	if raw == "~" {
		return NetSapiensDomain, reply{}, true
	}
	if len(s.opts.Domains) > 0 && !strings.EqualFold(raw, NetSapiensDomain) &&
		!slices.ContainsFunc(s.opts.Domains, func(d string) bool { return strings.EqualFold(d, raw) }) {
		return "", nsError(c, http.StatusNotFound, "Domain '"+raw+"' not found"), false
	}
	return raw, reply{}, true
}

// nsPrepare runs what every NetSapiens call starts with.
func (s *Server) nsPrepare(c *call) (string, reply, bool) {
	if rep, ok := nsAuth(c); !ok {
		return "", rep, false
	}
	return s.nsDomain(c)
}

// nsVendorTargets are NetSapiens' targets as the vendor checks a body,
// built on first use (after the registry prepared the originals).
var nsVendorTargets = sync.OnceValue(func() map[string]*schema.Target {
	return map[string]*schema.Target{netsapiens.User.ID: nsVendorView(netsapiens.User), netsapiens.Site.ID: nsVendorView(netsapiens.Site)}
})

// nsVendorView is t as the vendor's API applies it: onboard's advice
// (Field.Advice, such as digits-only extensions: the vendor types user as
// any string, seed 001) is no rule of the vendor's, and the fields onboard
// fills with their documented default (netsapiens.SentDefaults: user-scope)
// are required, as the vendor's reference marks them.
func nsVendorView(t *schema.Target) *schema.Target {
	view := &schema.Target{ID: t.ID, Vendor: t.Vendor, Label: t.Label, System: t.System, Key: t.Key, Unique: t.Unique, Refs: t.Refs}
	required := map[string]bool{}
	for _, f := range netsapiens.SentDefaults(t) {
		required[f.Key] = true
	}
	for _, f := range t.Fields {
		g := *f
		for _, rule := range f.Advice {
			relax(&g, rule)
		}
		g.Advice = nil
		g.Required = g.Required || required[f.Key]
		view.Fields = append(view.Fields, &g)
	}
	if err := view.Prepare(); err != nil {
		return t // a copy of a prepared description cannot be wrong; the original will do
	}
	return view
}

// relax drops one advised rule from a field.
func relax(f *schema.Field, rule string) {
	switch rule {
	case schema.RuleDigits, schema.RulePhone:
		f.Kind = schema.String
	case schema.RulePattern:
		f.Pattern, f.PatternHelp = "", ""
	case schema.RuleRange:
		f.Min, f.Max = nil, nil
	case schema.RuleLength:
		f.MaxLen = 0
	}
}

// nsCheck decodes and checks a create body.
func nsCheck(c *call, t *schema.Target, domain string) (simcore.Checked, reply, bool) {
	obj, err := simcore.DecodeObject(c.body)
	if err != nil {
		return simcore.Checked{}, nsError(c, http.StatusBadRequest, err.Error()), false
	}
	ch := simcore.CheckBody(nsVendorTargets()[t.ID], obj, map[string]any{"domain": domain}, false)
	if len(ch.Problems) > 0 {
		return ch, nsError(c, http.StatusBadRequest, simcore.JoinProblems(ch.Problems)), false
	}
	return ch, reply{}, true
}

// Unique-name namespaces of NetSapiens records.
const (
	nsUserNS  = "ns.user"  // domain/user
	nsSiteNS  = "ns.site"  // domain/site
	nsLoginNS = "ns.login" // login-username, system-wide
)

func nsName(parts ...string) string { return strings.ToLower(strings.Join(parts, "/")) }

// nsStored is a NetSapiens record as kept: the received body without the
// synchronous flag.
func nsStored(ch simcore.Checked) map[string]any {
	body := make(map[string]any, len(ch.Received))
	for k, v := range ch.Received {
		if k != "synchronous" {
			body[k] = v
		}
	}
	return body
}

func (s *Server) nsCreateUser(c *call) reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	ch, rep, ok := nsCheck(c, netsapiens.User, domain)
	if !ok {
		return rep
	}
	user := ch.Rec.Text("user")
	login := ch.Rec.Text("login-username")
	if login == "" {
		login = user + "@" + domain
	}
	body := nsStored(ch)
	st := s.store
	st.Lock()
	defer st.Unlock()
	if old := st.Get(nsUserNS, nsName(domain, user)); old != nil {
		old.Duplicates++
		return nsError(c, http.StatusConflict, "User '"+user+"' already exists in domain '"+domain+"'")
	}
	if old := st.Get(nsLoginNS, strings.ToLower(login)); old != nil {
		old.Duplicates++
		return nsError(c, http.StatusConflict, "login-username '"+login+"' is already in use; it must be unique across the whole system")
	}
	if st.Full() {
		return nsError(c, http.StatusInsufficientStorage, "sandbox store is full; POST "+ResetPath+" to empty it")
	}
	site := ch.Rec.Text("site")
	if site != "" && st.Get(nsSiteNS, nsName(domain, site)) == nil {
		// "If the site is not previously created then a new site will be
		// created with the value given on new user create."
		implicit := &simcore.Record{Target: targetNSSite, Key: domain + "/" + site, ID: site, Implicit: true,
			Body: map[string]any{"site": site}}
		st.Add(implicit, nsSiteNS, nsName(domain, site))
	}
	rec := &simcore.Record{Target: targetNSUser, Key: domain + "/" + user, ID: login, Creates: 1, Body: body}
	st.Add(rec, nsUserNS, nsName(domain, user), nsLoginNS, strings.ToLower(login))
	return nsCreated(ch, nsObject(netsapiens.User, domain, body, map[string]any{"login-username": login}))
}

func (s *Server) nsCreateSite(c *call) reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	ch, rep, ok := nsCheck(c, netsapiens.Site, domain)
	if !ok {
		return rep
	}
	site := ch.Rec.Text("site")
	login := ch.Rec.Text("login-username")
	body := nsStored(ch)
	st := s.store
	st.Lock()
	defer st.Unlock()
	if old := st.Get(nsSiteNS, nsName(domain, site)); old != nil {
		old.Duplicates++
		return nsError(c, http.StatusConflict, "Site '"+site+"' already exists in domain '"+domain+"'")
	}
	if login != "" {
		if old := st.Get(nsLoginNS, strings.ToLower(login)); old != nil {
			old.Duplicates++
			return nsError(c, http.StatusConflict, "login-username '"+login+"' is already in use; it must be unique across the whole system")
		}
	}
	if st.Full() {
		return nsError(c, http.StatusInsufficientStorage, "sandbox store is full; POST "+ResetPath+" to empty it")
	}
	rec := &simcore.Record{Target: targetNSSite, Key: domain + "/" + site, ID: site, Creates: 1, Body: body}
	names := []string{nsSiteNS, nsName(domain, site)}
	if login != "" {
		names = append(names, nsLoginNS, strings.ToLower(login))
	}
	st.Add(rec, names...)
	return nsCreated(ch, nsObject(netsapiens.Site, domain, body, nil))
}

// nsCreated answers a create: 200 with the object when synchronous is
// "yes", else 202 Accepted.
func nsCreated(ch simcore.Checked, obj map[string]any) reply {
	if ch.Rec.Text("synchronous") == "yes" {
		return reply{status: http.StatusOK, body: obj, created: true}
	}
	return reply{status: http.StatusAccepted, body: map[string]any{"code": http.StatusAccepted, "message": "Accepted"}, created: true}
}

// nsObject is a record as the API returns it: the domain, the stored
// values, then the documented defaults for what was not given.
func nsObject(t *schema.Target, domain string, body map[string]any, extra map[string]any) map[string]any {
	obj := map[string]any{"domain": domain}
	for k, v := range body {
		obj[k] = v
	}
	for k, v := range extra {
		if _, ok := obj[k]; !ok {
			obj[k] = v
		}
	}
	for _, f := range t.Fields {
		if f.Path || f.Key == "synchronous" || f.Default == "" {
			continue
		}
		if _, ok := obj[f.Key]; ok {
			continue
		}
		if v, p := f.Parse(f.Default); p == nil && v != nil {
			obj[f.Key] = v
		}
	}
	return obj
}

func (s *Server) nsGetUser(c *call) reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	user := c.r.PathValue("user")
	s.store.Lock()
	rec := s.store.Get(nsUserNS, nsName(domain, user))
	var obj map[string]any
	if rec != nil {
		obj = nsObject(netsapiens.User, domain, rec.Body, map[string]any{"login-username": rec.ID})
	}
	s.store.Unlock()
	if rec == nil {
		return nsError(c, http.StatusNotFound, "User '"+user+"' not found in domain '"+domain+"'")
	}
	return reply{status: http.StatusOK, body: obj}
}

func (s *Server) nsGetSite(c *call) reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	site := c.r.PathValue("site")
	s.store.Lock()
	rec := s.store.Get(nsSiteNS, nsName(domain, site))
	var obj map[string]any
	if rec != nil {
		obj = nsObject(netsapiens.Site, domain, rec.Body, nil)
	}
	s.store.Unlock()
	if rec == nil {
		return nsError(c, http.StatusNotFound, "Site '"+site+"' not found in domain '"+domain+"'")
	}
	return reply{status: http.StatusOK, body: obj}
}
