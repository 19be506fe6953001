package sandbox

import (
	"net/http"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// sim is one simulated vendor as the server mounts it: a vendor of the
// registry and the simulator its package provides.
type sim struct {
	simcore.Simulator
	name  string // configuration key: "netsapiens"
	label string // "NetSapiens"
}

// simulators lists, in the registry's creation order, every vendor whose
// package provides a simulator (connector.Vendor.Sandbox with Mount).
func simulators() []sim {
	var out []sim
	for _, v := range registry.Vendors {
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

func (e *simEnv) Signer() *simcore.Signer { return e.s.secrets }

func (e *simEnv) IDs() *simcore.IDSource { return e.s.ids }

func (e *simEnv) Options() simcore.Options {
	o := e.s.opts
	return simcore.Options{TokenTTL: o.TokenTTL, TokenRefreshWindow: o.TokenRefreshWindow, VisaIdle: o.VisaIdle, Domains: o.Domains}
}

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
	errf := func(c *call, status int, msg string) reply {
		return fromCore(errorReply(&simcore.Call{R: c.r, Body: c.body}, status, msg))
	}
	e.mux.Handle(full, e.s.endpoint(e.sim.name, callKind(kind), errf, func(c *call) reply {
		return fromCore(h(&simcore.Call{R: c.r, Body: c.body, Faults: func(k simcore.Kind) (simcore.Reply, bool) {
			rep, stop := c.inject(callKind(k))
			return toCore(rep), stop
		}}))
	}))
}

// toCore converts a reply for a simulator.
func toCore(r reply) simcore.Reply {
	return simcore.Reply{Status: r.status, Header: r.header, Body: r.body, Rejected: r.rejected, Created: r.created}
}

// fromCore converts a simulator's reply.
func fromCore(r simcore.Reply) reply {
	return reply{status: r.Status, header: r.Header, body: r.Body, rejected: r.Rejected, created: r.Created}
}
