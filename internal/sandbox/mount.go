package sandbox

import (
	"net/http"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// sim is one simulated vendor as the server mounts it: a vendor of the
// registry and its simulator.
type sim struct {
	simcore.Simulator
	name  string // configuration key: "netsapiens"
	label string // "NetSapiens"
	// routes mounts a simulator built into this package; nil for one a
	// vendor package provides (Simulator.Mount).
	routes func(*Server, *http.ServeMux)
}

// builtin are the simulators kept in this package, by vendor name; every
// other vendor brings its own (connector.Vendor.Sandbox).
var builtin = map[string]sim{
	NetSapiens: {Simulator: simcore.Simulator{Path: NetSapiensPath, Targets: []string{targetNSSite, targetNSUser},
		Settings: []Setting{{Name: "token", Value: NetSapiensToken, Secret: true}, {Name: "rate", Value: 50, Secret: false}},
		Defaults: []Setting{{Name: "domain", Value: NetSapiensDomain, Secret: false}}},
		routes: (*Server).netsapiensRoutes},
	Acefone: {Simulator: simcore.Simulator{Path: AcefonePath, Targets: []string{targetAcefone},
		Settings: []Setting{{Name: "login_id", Value: AcefoneLoginID, Secret: false}, {Name: "password", Value: AcefonePassword, Secret: true}, {Name: "rate", Value: 50, Secret: false}}},
		routes: (*Server).acefoneRoutes},
	FoneDynamics: {Simulator: simcore.Simulator{Path: FoneDynamicsPath, Targets: []string{targetFD},
		Settings: []Setting{{Name: "account_sid", Value: FoneDynamicsAccountSid, Secret: false}, {Name: "token", Value: FoneDynamicsToken, Secret: true}, {Name: "rate", Value: 50, Secret: false}},
		Defaults: []Setting{{Name: "PropertySid", Value: FoneDynamicsPropertySid, Secret: false}}},
		routes: (*Server).foneDynamicsRoutes},
	Cove: {Simulator: simcore.Simulator{Path: CovePath, Targets: []string{targetCove},
		Settings: []Setting{{Name: "partner", Value: CovePartner, Secret: false}, {Name: "username", Value: CoveUsername, Secret: false}, {Name: "password", Value: CovePassword, Secret: true}, {Name: "rate", Value: 50, Secret: false}},
		Defaults: []Setting{{Name: "PartnerId", Value: CovePartnerID, Secret: false}}},
		routes: (*Server).coveRoutes},
}

// simulators lists, in the registry's creation order, every vendor the
// sandbox can simulate.
func simulators() []sim {
	var out []sim
	for _, v := range registry.Vendors {
		if b, ok := builtin[v.Name]; ok {
			b.name, b.label = v.Name, v.Label
			out = append(out, b)
			continue
		}
		if v.Sandbox != nil && v.Sandbox.Mount != nil {
			out = append(out, sim{Simulator: *v.Sandbox, name: v.Name, label: v.Label})
		}
	}
	return out
}

// Vendors lists the simulated vendors in onboard's creation order.
func Vendors() []string {
	var names []string
	for _, sm := range simulators() {
		names = append(names, sm.name)
	}
	return names
}

// mount registers one simulator's handlers on mux.
func (s *Server) mount(mux *http.ServeMux, sm sim) {
	if sm.routes != nil {
		sm.routes(s, mux)
		return
	}
	sm.Mount(&simEnv{s: s, mux: mux, sim: sm})
}

// simEnv is the simcore.Env a vendor package's simulator mounts itself on.
type simEnv struct {
	s   *Server
	mux *http.ServeMux
	sim sim
}

func (e *simEnv) Store() *simcore.Store { return e.s.store }

func (e *simEnv) Now() time.Time { return e.s.now() }

// Handle mounts h below the simulator's path through the sandbox's
// endpoint: body reading, the rate limit, fault injection and counting.
func (e *simEnv) Handle(pattern string, kind simcore.Kind, errorReply simcore.ErrorFunc, h simcore.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	full := e.sim.Path + path
	if method != "" {
		full = method + " " + full
	}
	errf := func(_ *call, status int, msg string) reply { return fromCore(errorReply(status, msg)) }
	e.mux.Handle(full, e.s.endpoint(e.sim.name, callKind(kind), errf, func(c *call) reply {
		return fromCore(h(&simcore.Call{R: c.r, Body: c.body}))
	}))
}

// fromCore converts a simulator's reply.
func fromCore(r simcore.Reply) reply {
	return reply{status: r.Status, header: r.Header, body: r.Body, rejected: r.Rejected, created: r.Created}
}
