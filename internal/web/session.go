package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/web/auth"
)

// Session is a signed-in person, kept server-side; the cookie holds only
// a random token whose SHA-256 is the key.
type Session struct {
	User     string    `json:"user"`
	Role     auth.Role `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Identity is who made a request.
type Identity struct {
	User  string
	Role  auth.Role
	Proxy bool   // signed in by the trusted reverse proxy
	token string // the session token, "" for the proxy
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// cookieName is the session cookie's name; under TLS the __Host- prefix
// binds it to this host and path /.
func (s *Server) cookieName() string {
	if s.opt.TLS {
		return "__Host-onboard"
	}
	return "onboard_session"
}

// startSession creates a fresh session (a new token at every sign-in, so
// a token planted before it is worthless) and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, user string, role auth.Role) error {
	if c, err := r.Cookie(s.cookieName()); err == nil && c.Value != "" {
		_ = s.store.delete(bucketSessions, tokenKey(c.Value)) // the old token dies with the sign-in
	}
	token := newID(32)
	now := s.now()
	if err := s.store.put(bucketSessions, tokenKey(token), Session{User: user, Role: role, Created: now, LastSeen: now}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.opt.TLS, SameSite: http.SameSiteLaxMode, MaxAge: int(s.opt.SessionAbsolute.Seconds())})
	return nil
}

// endSession deletes the session and its cookie.
func (s *Server) endSession(w http.ResponseWriter, id *Identity) {
	if id != nil && id.token != "" {
		_ = s.store.delete(bucketSessions, tokenKey(id.token))
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: s.opt.TLS, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// identify returns who made r: the trusted proxy's user, or the session
// of the cookie, or nil.
func (s *Server) identify(r *http.Request) *Identity {
	if id := s.proxyIdentity(r); id != nil {
		return id
	}
	c, err := r.Cookie(s.cookieName())
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil
	}
	key := tokenKey(c.Value)
	var sess Session
	found, err := s.store.get(bucketSessions, key, &sess)
	if err != nil || !found {
		return nil
	}
	now := s.now()
	if now.Sub(sess.LastSeen) > s.opt.SessionIdle || now.Sub(sess.Created) > s.opt.SessionAbsolute {
		_ = s.store.delete(bucketSessions, key)
		return nil
	}
	role, ok := s.roleOf(sess.User)
	if !ok {
		return nil // the user was removed or changed since
	}
	if role != sess.Role {
		sess.Role = role
	}
	if now.Sub(sess.LastSeen) > time.Minute { // write at most once a minute
		sess.LastSeen = now
		_ = s.store.put(bucketSessions, key, sess)
	}
	return &Identity{User: sess.User, Role: sess.Role, token: c.Value}
}

// roleOf is the current role of a local user.
func (s *Server) roleOf(name string) (auth.Role, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	return u.role, ok
}

// proxyIdentity trusts X-Forwarded-User / X-Forwarded-Email only from the
// --trusted-proxy addresses, and maps them to a role by the config's sso:.
func (s *Server) proxyIdentity(r *http.Request) *Identity {
	if len(s.opt.TrustedProxies) == 0 {
		return nil
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || !s.trusted(host) {
		return nil
	}
	user := strings.TrimSpace(r.Header.Get("X-Forwarded-User"))
	email := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Email")))
	if user == "" && email == "" {
		return nil
	}
	name := email
	if name == "" {
		name = strings.ToLower(user)
	}
	role := s.opt.SSO.Roles[email]
	if role == "" {
		role = s.opt.SSO.Roles[strings.ToLower(user)]
	}
	if role == "" {
		role = s.opt.SSO.DefaultRole
	}
	return &Identity{User: name, Role: auth.Role(role), Proxy: true}
}

// clientAddr is the address of the person: the connection's, or behind
// a trusted proxy the last X-Forwarded-For entry that is not a trusted
// proxy itself.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if net.ParseIP(hop) == nil {
			break
		}
		if !s.trusted(hop) {
			return hop
		}
	}
	return host
}

// trusted reports whether addr is one of the --trusted-proxy ranges.
func (s *Server) trusted(addr string) bool {
	ip := net.ParseIP(addr)
	for _, n := range s.opt.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// expireSessions deletes the sessions past their idle or absolute time.
func (s *Server) expireSessions() {
	now := s.now()
	err := s.store.db.Update(func(tx *boltTx) error {
		b := tx.Bucket(bucketSessions)
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var sess Session
			if json.Unmarshal(v, &sess) != nil || now.Sub(sess.LastSeen) > s.opt.SessionIdle || now.Sub(sess.Created) > s.opt.SessionAbsolute {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		s.log.Error("delete expired sessions", "error", err)
	}
}
