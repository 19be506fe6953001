package netsapiens

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/onboard/onboard/internal/sandbox/simcore"
	"github.com/onboard/onboard/internal/schema"
)

// The sandbox's NetSapiens simulator: ns-api v2 users and sites, mounted
// by package sandbox at SandboxPath (Sandbox.Mount).

// sim is the simulator mounted on one sandbox.
type sim struct {
	env simcore.Env
}

func mountSandbox(env simcore.Env) {
	s := &sim{env: env}
	p := "/domains/{domain}"
	env.Handle("POST "+p+"/users", simcore.Create, simcore.Plain(nsError), s.nsCreateUser)
	env.Handle("POST "+p+"/sites", simcore.Create, simcore.Plain(nsError), s.nsCreateSite)
	env.Handle("GET "+p+"/users/{user}", simcore.Lookup, simcore.Plain(nsError), s.nsGetUser)
	env.Handle("GET "+p+"/sites/{site}", simcore.Lookup, simcore.Plain(nsError), s.nsGetSite)
	env.Handle("/", simcore.Auth, simcore.Plain(nsError), func(c *simcore.Call) simcore.Reply {
		return nsError(http.StatusNotFound, "no such ns-api v2 resource in the sandbox: "+c.R.Method+" "+c.R.URL.Path)
	})
}

// nsError is NetSapiens' error body: {"code": <status>, "message": "..."}
// (shared/vendors/netsapiens.md; the reference pages, seeds 001 and 003,
// show no error body).
func nsError(status int, msg string) simcore.Reply {
	return simcore.Reply{Status: status, Body: map[string]any{"code": status, "message": msg}}
}

// nsAuth checks the Bearer token.
func nsAuth(c *simcore.Call) (simcore.Reply, bool) {
	auth := c.R.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) != SandboxToken {
		rep := nsError(http.StatusUnauthorized, "Unauthorized: a valid Bearer token is required")
		rep.Header = map[string]string{"WWW-Authenticate": `Bearer realm="ns-api"`}
		return rep, false
	}
	return simcore.Reply{}, true
}

// nsDomain checks the path's domain and resolves "~".
func (s *sim) nsDomain(c *simcore.Call) (string, simcore.Reply, bool) {
	raw := c.R.PathValue("domain")
	if _, p := User.Field("domain").CheckWire(raw); p != nil || raw == "" {
		msg := "domain is required"
		if p != nil {
			msg = "domain " + p.Message
		}
		return "", nsError(http.StatusBadRequest, msg), false
	}
	if raw == "~" {
		return SandboxDomain, simcore.Reply{}, true
	}
	if len(s.env.Options().Domains) > 0 && !strings.EqualFold(raw, SandboxDomain) &&
		!slices.ContainsFunc(s.env.Options().Domains, func(d string) bool { return strings.EqualFold(d, raw) }) {
		return "", nsError(http.StatusNotFound, "Domain '"+raw+"' not found"), false
	}
	return raw, simcore.Reply{}, true
}

// nsPrepare runs what every NetSapiens call starts with.
func (s *sim) nsPrepare(c *simcore.Call) (string, simcore.Reply, bool) {
	if rep, ok := nsAuth(c); !ok {
		return "", rep, false
	}
	return s.nsDomain(c)
}

// nsVendorTargets are NetSapiens' targets as the vendor checks a body,
// built on first use (after the registry prepared the originals).
var nsVendorTargets = sync.OnceValue(func() map[string]*schema.Target {
	return map[string]*schema.Target{User.ID: nsVendorView(User), Site.ID: nsVendorView(Site)}
})

// nsVendorView is t as the vendor's API applies it: onboard's advice
// (Field.Advice, such as digits-only extensions: the vendor types user as
// any string, seed 001) is no rule of the vendor's, and the fields onboard
// fills with their documented default (SentDefaults: user-scope)
// are required, as the vendor's reference marks them.
func nsVendorView(t *schema.Target) *schema.Target {
	view := &schema.Target{ID: t.ID, Vendor: t.Vendor, Label: t.Label, System: t.System, Key: t.Key, Unique: t.Unique, Refs: t.Refs}
	required := map[string]bool{}
	for _, f := range SentDefaults(t) {
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
func nsCheck(c *simcore.Call, t *schema.Target, domain string) (simcore.Checked, simcore.Reply, bool) {
	obj, err := simcore.DecodeObject(c.Body)
	if err != nil {
		return simcore.Checked{}, nsError(http.StatusBadRequest, err.Error()), false
	}
	ch := simcore.CheckBody(nsVendorTargets()[t.ID], obj, map[string]any{"domain": domain}, false)
	if len(ch.Problems) > 0 {
		return ch, nsError(http.StatusBadRequest, simcore.JoinProblems(ch.Problems)), false
	}
	return ch, simcore.Reply{}, true
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

func (s *sim) nsCreateUser(c *simcore.Call) simcore.Reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	ch, rep, ok := nsCheck(c, User, domain)
	if !ok {
		return rep
	}
	user := ch.Rec.Text("user")
	login := ch.Rec.Text("login-username")
	if login == "" {
		login = user + "@" + domain
	}
	body := nsStored(ch)
	st := s.env.Store()
	st.Lock()
	defer st.Unlock()
	if old := st.Get(nsUserNS, nsName(domain, user)); old != nil {
		old.Duplicates++
		return nsError(http.StatusConflict, "User '"+user+"' already exists in domain '"+domain+"'")
	}
	if old := st.Get(nsLoginNS, strings.ToLower(login)); old != nil {
		old.Duplicates++
		return nsError(http.StatusConflict, "login-username '"+login+"' is already in use; it must be unique across the whole system")
	}
	if st.Full() {
		return nsError(http.StatusInsufficientStorage, simcore.FullMessage)
	}
	site := ch.Rec.Text("site")
	if site != "" && st.Get(nsSiteNS, nsName(domain, site)) == nil {
		// "If the site is not previously created then a new site will be
		// created with the value given on new user create."
		implicit := &simcore.Record{Target: Site.ID, Key: domain + "/" + site, ID: site, Implicit: true,
			Body: map[string]any{"site": site}}
		st.Add(implicit, nsSiteNS, nsName(domain, site))
	}
	rec := &simcore.Record{Target: User.ID, Key: domain + "/" + user, ID: login, Creates: 1, Body: body}
	st.Add(rec, nsUserNS, nsName(domain, user), nsLoginNS, strings.ToLower(login))
	return nsCreated(ch, nsObject(User, domain, body, map[string]any{"login-username": login}))
}

func (s *sim) nsCreateSite(c *simcore.Call) simcore.Reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	ch, rep, ok := nsCheck(c, Site, domain)
	if !ok {
		return rep
	}
	site := ch.Rec.Text("site")
	login := ch.Rec.Text("login-username")
	body := nsStored(ch)
	st := s.env.Store()
	st.Lock()
	defer st.Unlock()
	if old := st.Get(nsSiteNS, nsName(domain, site)); old != nil {
		old.Duplicates++
		return nsError(http.StatusConflict, "Site '"+site+"' already exists in domain '"+domain+"'")
	}
	if login != "" {
		if old := st.Get(nsLoginNS, strings.ToLower(login)); old != nil {
			old.Duplicates++
			return nsError(http.StatusConflict, "login-username '"+login+"' is already in use; it must be unique across the whole system")
		}
	}
	if st.Full() {
		return nsError(http.StatusInsufficientStorage, simcore.FullMessage)
	}
	rec := &simcore.Record{Target: Site.ID, Key: domain + "/" + site, ID: site, Creates: 1, Body: body}
	names := []string{nsSiteNS, nsName(domain, site)}
	if login != "" {
		names = append(names, nsLoginNS, strings.ToLower(login))
	}
	st.Add(rec, names...)
	return nsCreated(ch, nsObject(Site, domain, body, nil))
}

// nsCreated answers a create: 200 with the object when synchronous is
// "yes", else 202 Accepted.
func nsCreated(ch simcore.Checked, obj map[string]any) simcore.Reply {
	if ch.Rec.Text("synchronous") == "yes" {
		return simcore.Reply{Status: http.StatusOK, Body: obj, Created: true}
	}
	return simcore.Reply{Status: http.StatusAccepted, Body: map[string]any{"code": http.StatusAccepted, "message": "Accepted"}, Created: true}
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

func (s *sim) nsGetUser(c *simcore.Call) simcore.Reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	user := c.R.PathValue("user")
	s.env.Store().Lock()
	rec := s.env.Store().Get(nsUserNS, nsName(domain, user))
	var obj map[string]any
	if rec != nil {
		obj = nsObject(User, domain, rec.Body, map[string]any{"login-username": rec.ID})
	}
	s.env.Store().Unlock()
	if rec == nil {
		return nsError(http.StatusNotFound, "User '"+user+"' not found in domain '"+domain+"'")
	}
	return simcore.Reply{Status: http.StatusOK, Body: obj}
}

func (s *sim) nsGetSite(c *simcore.Call) simcore.Reply {
	domain, rep, ok := s.nsPrepare(c)
	if !ok {
		return rep
	}
	site := c.R.PathValue("site")
	s.env.Store().Lock()
	rec := s.env.Store().Get(nsSiteNS, nsName(domain, site))
	var obj map[string]any
	if rec != nil {
		obj = nsObject(Site, domain, rec.Body, nil)
	}
	s.env.Store().Unlock()
	if rec == nil {
		return nsError(http.StatusNotFound, "Site '"+site+"' not found in domain '"+domain+"'")
	}
	return simcore.Reply{Status: http.StatusOK, Body: obj}
}
