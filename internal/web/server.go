// Package web is `onboard serve`: the pages where HR uploads the new-hire
// sheet and IT creates the accounts, on the same pipeline as `onboard run`
// (batch.CheckHires to check, batch.Run to preview and run).
//
// Pages (routes.go), in HR's order:
//
//	GET  /signin, POST /signin, POST /signout
//	GET  /                           home: template, upload box, recent batches
//	GET  /template.xlsx              the plan's new-hire template
//	POST /batches                    upload → a new batch, checked once (check.json)
//	GET  /batches/{id}               people ready / to fix, by cell
//	POST /batches/{id}/versions      a corrected sheet: version N+1
//	GET  /batches/{id}/validation.xlsx
//	POST /batches/{id}/request       HR asks IT to create the accounts
//	GET  /batches/{id}/preview       IT: dry run per system, then confirm
//	POST /batches/{id}/run, /cancel  IT: queue (or resume) and cancel a run
//	GET  /batches/{id}/events        live progress, server-sent events
//	GET  /batches/{id}/results, /result.xlsx, /results.csv
//	GET  /batches/{id}/credentials.csv  IT only, audited, deleted after retention
//	GET  /history; /audit, /audit.jsonl, /users (admin); /healthz; /metrics
//	GET  /schedules, POST /schedules/{name}/run  IT: scheduled inbox passes, run now
//	GET  /history/runs/{run}         IT: one run's history record
//
// State lives under Options.DataDir: web.db (bbolt: batches, sessions, the
// audit log, the schedules' next and last runs) and batches/<id>/ with v<N>/ uploads, input/ (what runs read),
// state/ (the CLI's crash-safe state) and reports/ (results, credentials).
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/hires"
	"github.com/onboard/onboard/internal/web/auth"
)

//go:embed assets
var assets embed.FS

// Defaults of Options.
const (
	DefaultMaxUpload           = 25 << 20
	DefaultSessionIdle         = 30 * time.Minute
	DefaultSessionAbsolute     = 12 * time.Hour
	DefaultCredentialRetention = 7 * 24 * time.Hour
)

// Options configure a Server.
type Options struct {
	DataDir string         // where web.db and the batches live (0700)
	Config  *config.Config // vendors for runs; nil = runs refused
	Plan    *hires.Plan    // the onboarding plan HR sheets are read through
	Users   []config.User  // local users
	SSO     config.SSO
	// TrustedProxies are the addresses whose X-Forwarded-User/Email are
	// believed.
	TrustedProxies []*net.IPNet
	TLS            bool // served over TLS: cookies are Secure
	MaxUpload      int64
	// SessionIdle and SessionAbsolute end a session after that long
	// without a request, or that long after sign-in.
	SessionIdle, SessionAbsolute time.Duration
	// CredentialRetention is how long a credentials file is kept after
	// its run.
	CredentialRetention time.Duration
	Logger              *slog.Logger
	Now                 func() time.Time
	// Grace is how long in-flight vendor requests may finish after a
	// cancel or shutdown.
	Grace time.Duration
	// HistoryDir is the state directory whose history.db gets a record of
	// every finished run (what `onboard history` reads); "" keeps none.
	HistoryDir string
	// Notify, when set, is called when a batch's run ends (source "web"),
	// after its result workbook is written, to tell the notify: people.
	Notify func(ctx context.Context, source, input string, res *batch.Result, runErr error) error
}

// localUser is a user who signs in with a password.
type localUser struct {
	role auth.Role
	hash string
}

// Server serves the pages. Close it to stop runs (resumably) and close
// the database.
type Server struct {
	opt     Options
	store   *store
	log     *slog.Logger
	pages   map[string]*template.Template
	handler http.Handler
	// Failed sign-ins: 5 per user and 20 per address in 15 minutes (an
	// office behind one address has several people).
	userLimiter, addrLimiter *auth.Limiter
	limiters                 map[string]*rate.Limiter // one per vendor, for every run
	metrics                  *metrics
	runs                     *runQueue
	schedules                Schedules // nil when the server runs none
	checks                   *checkCache
	stopping                 <-chan struct{} // closed when the server stops (Start's ctx)
	checking                 chan struct{}   // one token per check running (GOMAXPROCS)

	batchLocks sync.Map // batch ID → *sync.Mutex (lockBatch)

	mu    sync.Mutex
	users map[string]localUser
}

// New opens the data directory and prepares the server; runs interrupted
// by a previous process are marked "interrupted".
func New(opt Options) (*Server, error) {
	if opt.DataDir == "" {
		return nil, errors.New("no data directory given")
	}
	if opt.Plan == nil {
		return nil, errors.New("no onboarding plan given: start onboard serve with --plan plan.yaml")
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = DefaultMaxUpload
	}
	if opt.SessionIdle <= 0 {
		opt.SessionIdle = DefaultSessionIdle
	}
	if opt.SessionAbsolute <= 0 {
		opt.SessionAbsolute = DefaultSessionAbsolute
	}
	if opt.CredentialRetention <= 0 {
		opt.CredentialRetention = DefaultCredentialRetention
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	st, err := openStore(opt.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, store: st, log: opt.Logger, userLimiter: auth.NewLimiter(5, 15*time.Minute),
		addrLimiter: auth.NewLimiter(20, 15*time.Minute),
		users:       map[string]localUser{}, metrics: newMetrics(), checks: newCheckCache(4),
		checking: make(chan struct{}, runtime.GOMAXPROCS(0))}
	s.userLimiter.Now, s.addrLimiter.Now = opt.Now, opt.Now
	s.log = slog.New(pathRedactor{next: opt.Logger.Handler(), s: s})
	for _, u := range opt.Users {
		s.users[u.Name] = localUser{role: auth.Role(u.Role), hash: u.Hash}
	}
	s.limiters = sharedLimiters(opt.Config)
	if s.pages, err = parsePages(); err != nil {
		st.close()
		return nil, err
	}
	s.metrics.reg.MustRegister(batchCollector{s: s, desc: prometheus.NewDesc("onboard_batches", "Batches by status.", []string{"status"}, nil)})
	s.runs = newRunQueue(s)
	if err := s.markInterrupted(); err != nil {
		st.close()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// sharedLimiters makes one rate limiter per configured vendor, shared by
// every run of the process (batch.Options.Limiters).
func sharedLimiters(cfg *config.Config) map[string]*rate.Limiter {
	out := map[string]*rate.Limiter{}
	if cfg == nil {
		return out
	}
	for _, v := range cfg.Vendors() {
		out[v.Spec.Name] = rate.NewLimiter(rate.Limit(v.Rate), max(v.Burst, 1))
	}
	return out
}

// AddUser adds (or replaces) a local user in memory, e.g. a demo user.
func (s *Server) AddUser(name string, role auth.Role, hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = localUser{role: role, hash: hash}
}

// HasUsers reports whether anyone can sign in with a password.
func (s *Server) HasUsers() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users) > 0
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Start begins the run queue and the credentials janitor; they stop when
// ctx is cancelled (a run then stops as after Ctrl-C, resumable).
func (s *Server) Start(ctx context.Context) {
	s.stopping = ctx.Done()
	s.runs.start(ctx)
	go s.janitor(ctx)
}

// Close waits for the run in progress to stop and closes the database.
func (s *Server) Close() error {
	s.runs.wait()
	return s.store.close()
}

func (s *Server) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now()
	}
	return time.Now()
}

// janitor deletes credentials files older than the retention period,
// hourly.
func (s *Server) janitor(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		s.expireCredentials()
		s.expireSessions()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// parsePages parses every page template with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "assets/templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("assets/templates/"):]
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "assets/templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", base, err)
		}
		out[base] = t
	}
	return out, nil
}
