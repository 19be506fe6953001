// Package sandbox simulates the vendor APIs onboard talks to — NetSapiens,
// Acefone, Fone Dynamics, Cove and any other registered vendor that brings
// a simulator — on one http.Handler, so that demos, tests and rehearsals
// never touch a real account.
//
// The list of simulated vendors comes from the registry: each vendor
// package provides its simulator (connector.Vendor.Sandbox, a
// simcore.Simulator: its mount, its sandbox credentials, its handlers in
// its simulator.go, its contract-test fixtures). The sandbox keeps the
// ledger, the rate limits, the injected faults and the routing; simcore is
// what the two share.
//
// Mounts (relative to the base URL):
//
//	/netsapiens/ns-api/v2   NetSapiens ns-api v2 (Bearer token)
//	/acefone                Acefone (/v1/auth/login, /v1/auth/refresh, /v1/user)
//	/fonedynamics           Fone Dynamics (/v2/..., HTTP Basic)
//	/cove/jsonapi           Cove JSON-RPC 2.0 (Login → visa)
//	<vendor Sandbox.Path>  any other registered vendor with a simulator
//	/_sandbox/ledger        GET: the ledger; /_sandbox/reset POST: empty it
//
// Behaviour the vendors' references leave open, as the sandbox decides
// it, is listed per vendor with its source or "assumed" in docs/vendors.md
// (and in each simulator file's doc comment). It answers errors in the
// vendors' documented shapes where a source shows them (Fone Dynamics'
// ServiceStack ResponseStatus, Acefone's success/message/error, JSON-RPC
// errors for Cove without made-up codes) and refuses unknown body keys,
// inexactly spelled enums and mistyped JSON values (schema.Field.CheckWire).
//
//   - Faults: the rate limit applies to every call of a vendor; a 5xx and
//     latency to creates and lookups; lost and malformed answers to creates
//     only, after the record was stored. Throttled and 5xx Cove calls carry
//     no visa; the chain is untouched.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/sandbox/simcore"
	"github.com/onboard/onboard/internal/schema"
)

// Mount paths of the four simulated APIs, relative to the base URL.
const (
	NetSapiensPath   = netsapiens.SandboxPath
	AcefonePath      = acefone.SandboxPath
	FoneDynamicsPath = fonedynamics.SandboxPath
	CovePath         = cove.SandboxPath
	LedgerPath       = "/_sandbox/ledger"
	ResetPath        = simcore.ResetPath
)

// Vendor names, as used in configuration, Options.VendorFaults and the
// ledger's stats.
const (
	NetSapiens   = "netsapiens"
	Acefone      = "acefone"
	FoneDynamics = "fonedynamics"
	Cove         = "cove"
)

func init() {
	// The targets are prepared here, once and before any goroutine runs,
	// so handlers only ever read them.
	for _, t := range []*schema.Target{netsapiens.User, netsapiens.Site, acefone.User, fonedynamics.Login, cove.User} {
		if err := t.Prepare(); err != nil {
			panic(fmt.Sprintf("sandbox: %v", err))
		}
	}
}

// Faults is the fault injection for one vendor. The zero value injects
// nothing.
type Faults struct {
	Rate          float64       // requests per second (token bucket); 0 = unlimited
	Burst         int           // bucket size; 0 = the rate rounded up, at least 1
	Latency       time.Duration // added to every create and lookup
	ErrorRate     float64       // share of creates and lookups answered 503 or 500
	LostRate      float64       // share of creates stored, then the connection closed unanswered
	MalformedRate float64       // share of creates stored, then answered with truncated JSON
}

func (f Faults) validate(vendor string) error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"error rate", f.ErrorRate}, {"lost rate", f.LostRate}, {"malformed rate", f.MalformedRate}} {
		if r.v < 0 || r.v > 1 {
			return fmt.Errorf("sandbox: %s: %s %v must be between 0 and 1", vendor, r.name, r.v)
		}
	}
	if sum := f.ErrorRate + f.LostRate + f.MalformedRate; sum > 1 {
		return fmt.Errorf("sandbox: %s: error, lost and malformed rates add up to %v; at most 1", vendor, sum)
	}
	if f.Rate < 0 || f.Burst < 0 || f.Latency < 0 {
		return fmt.Errorf("sandbox: %s: rate, burst and latency must not be negative", vendor)
	}
	return nil
}

// Options configure a Server. The zero value is a well-behaved sandbox.
type Options struct {
	// Seed makes fault injection and generated IDs repeatable: the same
	// seed and the same sequence of calls give the same faults.
	Seed uint64
	// Faults apply to every vendor without an entry in VendorFaults.
	Faults Faults
	// VendorFaults replace Faults for the named vendors.
	VendorFaults map[string]Faults
	// TokenTTL is the lifetime of an Acefone access token (default 1h).
	TokenTTL time.Duration
	// TokenRefreshWindow is how long after expiry an Acefone token can
	// still be refreshed (default 14 days).
	TokenRefreshWindow time.Duration
	// VisaIdle is how long a Cove visa chain lives without a call
	// (default 15m).
	VisaIdle time.Duration
	// Now is the clock for tokens, visas, rate limits and timestamps
	// (default time.Now).
	Now func() time.Time
	// MaxRecords bounds the records kept across all vendors (default
	// 50,000); past it creates are answered 507 until a reset.
	MaxRecords int
	// Domains, when set, are the only NetSapiens domains that exist
	// besides NetSapiensDomain; otherwise every well-formed domain does.
	Domains []string
	// Logger gets one line per request (method, path, status, fault);
	// never bodies or credentials. Nil discards.
	Logger *slog.Logger
}

// Server is a running set of simulated vendor APIs. It is safe for
// concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	handler http.Handler
	vendors map[string]*vendorState
	sims    []sim // the simulated vendors, in creation order
	store   *simcore.Store
	secrets *simcore.Signer
	ids     *simcore.IDSource

	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex // guards srv, serveErr and done below
	srv      *http.Server
	done     chan struct{}
	serveErr error
}

// Defaults used when Options leave a value zero.
const (
	DefaultTokenTTL           = time.Hour
	DefaultTokenRefreshWindow = 14 * 24 * time.Hour
	DefaultVisaIdle           = 15 * time.Minute
	DefaultMaxRecords         = 50000
	maxBodyBytes              = 1 << 20
)

// New builds a sandbox from options; it is not listening yet (see Start,
// or serve Handler yourself).
func New(opts Options) (*Server, error) {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.TokenRefreshWindow <= 0 {
		opts.TokenRefreshWindow = DefaultTokenRefreshWindow
	}
	if opts.VisaIdle <= 0 {
		opts.VisaIdle = DefaultVisaIdle
	}
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = DefaultMaxRecords
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	sims := simulators()
	for name := range opts.VendorFaults {
		if !isVendor(sims, name) {
			return nil, fmt.Errorf("sandbox: unknown vendor %q in fault settings; use one of %s", name, strings.Join(Vendors(), ", "))
		}
	}
	domain := netsapiens.User.Field("domain")
	for _, d := range opts.Domains {
		if _, p := domain.CheckWire(d); p != nil || d == "" || d == "~" {
			return nil, fmt.Errorf("sandbox: NetSapiens domain %q: not a valid domain name", d)
		}
	}
	s := &Server{
		opts:    opts,
		now:     opts.Now,
		log:     opts.Logger,
		vendors: make(map[string]*vendorState),
		sims:    sims,
		store:   simcore.NewStore(opts.MaxRecords),
		secrets: simcore.NewSigner(),
		ids:     simcore.NewIDSource(opts.Seed),
		closing: make(chan struct{}),
	}
	for i, sm := range sims {
		name := sm.name
		f := opts.Faults
		if vf, ok := opts.VendorFaults[name]; ok {
			f = vf
		}
		if err := f.validate(name); err != nil {
			return nil, err
		}
		s.vendors[name] = newVendorState(name, f, rand.New(rand.NewPCG(opts.Seed, uint64(i)+1)))
	}
	s.handler = s.routes()
	return s, nil
}

func isVendor(sims []sim, name string) bool {
	for _, sm := range sims {
		if sm.name == name {
			return true
		}
	}
	return false
}

// Handler returns the handler serving every simulated API and the ledger.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	var mounts []string
	for _, sm := range s.sims {
		s.mount(mux, sm)
		mounts = append(mounts, sm.Path)
	}
	mounts = append(mounts, LedgerPath, ResetPath)
	mux.HandleFunc("GET "+LedgerPath, s.serveLedger)
	mux.HandleFunc("POST "+ResetPath, s.serveReset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"message": "no such sandbox endpoint: " + r.Method + " " + r.URL.Path,
			"mounts":  mounts,
		})
	})
	return mux
}

// Start listens on addr (host:port; port 0 picks a free one) and serves in
// the background until Close is called or ctx ends. It returns the base
// URL, e.g. "http://127.0.0.1:41234".
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("sandbox: already started")
	}
	select {
	case <-s.closing:
		return "", errors.New("sandbox: closed")
	default:
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.mu.Lock()
			s.serveErr = err
			s.mu.Unlock()
		}
	}()
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	go func() {
		<-done
		stop()
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops serving: it waits up to five seconds for calls in progress
// (cutting injected latency short), then closes every connection. It is
// safe to call more than once and on a server never started.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, srv.Close())
	}
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serveErr != nil {
		return fmt.Errorf("sandbox: serve: %w", s.serveErr)
	}
	if err != nil {
		return fmt.Errorf("sandbox: shut down: %w", err)
	}
	return nil
}
