package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message the sink accepted.
type received struct {
	From     string
	To       []string
	User     string // the username the client signed in with
	Password string // the password it signed in with
	Data     []byte // the raw message
}

// sink is a real SMTP server on 127.0.0.1 that keeps what it receives.
type sink struct {
	Addr     string
	Port     int
	sessions int
	mu       sync.Mutex
	msgs     chan received
	user     string
	password string
}

// sinkOptions choose how the sink listens.
type sinkOptions struct {
	user, password string      // required sign-in; "" accepts mail without
	tls            *tls.Config // STARTTLS offered when set (or implicit)
	implicit       bool        // TLS from the first byte
}

func startSink(t *testing.T, o sinkOptions) *sink {
	t.Helper()
	s := &sink{msgs: make(chan received, 8), user: o.user, password: o.password}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = o.tls == nil
	srv.TLSConfig = o.tls
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicit {
		ln = tls.NewListener(ln, o.tls)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		// Serve may not have taken the listener yet when a test sends
		// nothing; closing it too makes Serve return either way.
		_ = ln.Close()
		<-done
	})
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	return s
}

// NewSession implements smtp.Backend.
func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	return &session{sink: s}, nil
}

func (s *sink) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// next returns the next message received; Send has returned by the time
// it is called, so the message is already there.
func (s *sink) next(t *testing.T) received {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	default:
		t.Fatal("the SMTP sink received no message")
		return received{}
	}
}

type session struct {
	sink *sink
	cur  received
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.sink.user || pass != ss.sink.password {
			return errors.New("invalid username or password")
		}
		ss.cur.User, ss.cur.Password = user, pass
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.user != "" && ss.cur.User == "" {
		return smtp.ErrAuthRequired
	}
	ss.cur.From = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := ss.cur
	m.Data = b
	ss.sink.msgs <- m
	ss.cur = received{User: ss.cur.User, Password: ss.cur.Password}
	return nil
}

func (ss *session) Reset()        { ss.cur = received{User: ss.cur.User, Password: ss.cur.Password} }
func (ss *session) Logout() error { return nil }

// testTLS returns a server certificate for 127.0.0.1 (httptest's) and a
// client configuration that trusts only it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ts.Close()
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// part is one leaf of a MIME message, decoded.
type part struct {
	Type     string
	Filename string
	Body     []byte
}

// parseMessage reads a raw message into its headers and decoded leaves.
func parseMessage(t *testing.T, raw []byte) (mail.Header, []part) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the message does not parse: %v", err)
	}
	var parts []part
	walk(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body, &parts)
	return m.Header, parts
}

func walk(t *testing.T, ctype, enc, disp string, body io.Reader, out *[]part) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("bad Content-Type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("bad multipart: %v", err)
			}
			walk(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, out)
		}
	}
	var r io.Reader = body
	switch strings.ToLower(enc) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("cannot decode a %s part: %v", mt, err)
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(disp); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	*out = append(*out, part{Type: mt, Filename: name, Body: b})
}

// selfSigned makes a certificate for 127.0.0.1 that nobody trusts.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
