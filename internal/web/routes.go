package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/web/auth"
)

type ctxKey int

const identityKey ctxKey = 1

// who is the identity of a request that passed signedIn.
func who(r *http.Request) *Identity {
	id, _ := r.Context().Value(identityKey).(*Identity)
	return id
}

// routes wires every page; state-changing requests pass Go's
// cross-origin protection, every page gets the security headers.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signin)
	mux.HandleFunc("POST /signout", s.signout)

	signed := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.signedIn(h)) }
	can := func(pattern string, allowed func(auth.Role) bool, h http.HandlerFunc) {
		mux.Handle(pattern, s.signedIn(s.allow(allowed, h)))
	}
	signed("GET /{$}", s.home)
	signed("GET /template.xlsx", s.template)
	signed("POST /batches", s.upload)
	signed("GET /batches/{id}", s.batchPage)
	signed("POST /batches/{id}/versions", s.uploadVersion)
	signed("GET /batches/{id}/validation.xlsx", s.validationReport)
	signed("POST /batches/{id}/request", s.requestCreation)
	can("GET /batches/{id}/preview", auth.Role.CanRun, s.previewPage)
	can("POST /batches/{id}/run", auth.Role.CanRun, s.startRun)
	can("POST /batches/{id}/cancel", auth.Role.CanRun, s.cancelRun)
	signed("GET /batches/{id}/events", s.events)
	signed("GET /batches/{id}/results", s.resultsPage)
	signed("GET /batches/{id}/result.xlsx", s.resultWorkbook)
	signed("GET /batches/{id}/results.csv", s.resultsCSV)
	can("GET /batches/{id}/credentials.csv", auth.Role.CanSeeCredentials, s.credentials)
	signed("GET /history", s.history)
	can("GET /history/runs/{run}", auth.Role.CanRun, s.historyRun)
	can("GET /schedules", auth.Role.CanRun, s.schedulesPage)
	can("POST /schedules/{name}/run", auth.Role.CanRun, s.runScheduleNow)
	can("GET /audit", auth.Role.CanAudit, s.auditPage)
	can("GET /users", auth.Role.CanAudit, s.usersPage)
	can("GET /audit.jsonl", auth.Role.CanAudit, s.auditExport)
	mux.HandleFunc("/", s.notFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "addr", s.clientAddr(r))
		s.fail(w, r, http.StatusForbidden, "This request came from another site and was refused. Open onboard's own page and try again.")
	}))
	return s.headers(s.logged(cop.Handler(mux)))
}

// headers sets the security headers of every answer.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.opt.TLS {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code for the log.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged logs each request (path only, never its query or body).
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		s.metrics.http.WithLabelValues(string(rune('0'+code/100)) + "xx").Inc()
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		level := slog.LevelInfo
		if code >= 500 {
			level = slog.LevelError
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", code, "ms", time.Since(start).Milliseconds(), "addr", s.clientAddr(r)}
		if id := who(r); id != nil {
			attrs = append(attrs, "user", id.User)
		}
		if b := r.PathValue("id"); b != "" {
			attrs = append(attrs, "batch", b)
		}
		s.log.Log(r.Context(), level, "request", attrs...)
	})
}

// signedIn sends people who are not signed in to the sign-in page (or
// answers 401 to scripts) and gives the handler who they are.
func (s *Server) signedIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.identify(r)
		if id == nil {
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/events") {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusUnauthorized, "You are not signed in (or your session ended). Sign in and try again.")
			return
		}
		if id.Role == "" {
			s.fail(w, r, http.StatusForbidden, "You are signed in as "+id.User+" but have no role in onboard. Ask IT to give you one.")
			return
		}
		// The sign-in is also in the request's context, for the log line.
		*r = *r.WithContext(context.WithValue(r.Context(), identityKey, id))
		next(w, r)
	})
}

// allow refuses, with 403, the roles that may not do this.
func (s *Server) allow(ok func(auth.Role) bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id := who(r); !ok(id.Role) {
			s.log.Warn("refused", "user", id.User, "role", string(id.Role), "path", r.URL.Path)
			s.fail(w, r, http.StatusForbidden, "Your role ("+id.Role.Label()+") may not do this. Ask IT.")
			return
		}
		next(w, r)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.store.db.View(func(*boltTx) error { return nil }); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "There is no such page.")
}
