// Package netguard keeps tests on this machine: a dialer and an HTTP
// transport that refuse any connection outside 127.0.0.0/8 and ::1 before
// a packet is sent (host names other than localhost are refused before they
// are looked up, so not even a DNS query leaves).
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// ErrNotLoopback is wrapped by every refused dial.
var ErrNotLoopback = errors.New("netguard: only 127.0.0.0/8 and ::1 may be dialed in tests")

// Check returns an error wrapping ErrNotLoopback unless address
// ("host:port") is a loopback IP address or localhost.
func Check(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("dial %s: %w", address, ErrNotLoopback)
	}
	return nil
}

// Control is a net.Dialer Control function that refuses, before the
// connect, any address Check refuses. It sees addresses after name
// resolution, so it also catches a localhost that resolves elsewhere.
func Control(network, address string, _ syscall.RawConn) error {
	return Check(address)
}

// Dialer returns a dial function that refuses non-loopback addresses
// before resolving or connecting, and checks again (Control) once a name
// is resolved. onRefuse, when not nil, is told of each refusal.
func Dialer(onRefuse func(address string, err error)) func(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Control: Control}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if err := Check(address); err != nil {
			if onRefuse != nil {
				onRefuse(address, err)
			}
			return nil, err
		}
		conn, err := d.DialContext(ctx, network, address)
		if err != nil && errors.Is(err, ErrNotLoopback) && onRefuse != nil {
			onRefuse(address, err)
		}
		return conn, err
	}
}

// Transport returns an HTTP transport that only reaches loopback
// addresses and ignores proxy settings from the environment.
func Transport(onRefuse func(address string, err error)) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = Dialer(onRefuse)
	t.DialTLSContext = nil
	return t
}

// LoopbackOnly returns a transport for a test's HTTP clients that fails
// the test (t.Errorf) on any attempt to dial outside loopback, and
// refuses the dial. Its idle connections are closed when the test ends.
func LoopbackOnly(t testing.TB) *http.Transport {
	t.Helper()
	tr := Transport(func(address string, err error) {
		t.Errorf("test tried to leave this machine: %v", err)
	})
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// Client returns an HTTP client over LoopbackOnly that does not follow
// redirects (as onboard's own clients do not).
func Client(t testing.TB) *http.Client {
	t.Helper()
	return &http.Client{
		Transport: LoopbackOnly(t),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
