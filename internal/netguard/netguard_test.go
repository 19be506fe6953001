package netguard_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/onboard/onboard/internal/netguard"
)

// recorder is a testing.TB that keeps Errorf calls instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

func TestCheck(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:80", "127.8.9.10:1", "[::1]:443", "localhost:8089", "LOCALHOST:1"} {
		if err := netguard.Check(ok); err != nil {
			t.Errorf("Check(%s) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"10.1.2.3:80", "example.com:443", "[::2]:1", "0.0.0.0:80", "128.0.0.1:80", "169.254.169.254:80", "localhost.example.com:80", "[::ffff:10.0.0.1]:80"} {
		if err := netguard.Check(bad); !errors.Is(err, netguard.ErrNotLoopback) {
			t.Errorf("Check(%s) = %v, want ErrNotLoopback", bad, err)
		}
	}
}

// TestRefusedBeforeAnyTraffic dials outside addresses: the refusal is the
// guard's own error (the test is told of each), given before a DNS query
// or a connect is attempted, so it comes back at once with no network.
func TestRefusedBeforeAnyTraffic(t *testing.T) {
	rec := &recorder{TB: t}
	client := &http.Client{Transport: netguard.LoopbackOnly(rec)}
	for _, u := range []string{"http://10.1.2.3/x", "https://example.com:443/", "http://[2001:db8::1]:8080/"} {
		resp, err := client.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s reached something", u)
		}
		if !errors.Is(err, netguard.ErrNotLoopback) {
			t.Errorf("GET %s: %v, want ErrNotLoopback", u, err)
		}
	}
	if n := rec.count(); n != 3 {
		t.Errorf("test reported %d refusals, want 3: %q", n, rec.errs)
	}
	dial := netguard.Dialer(nil)
	if _, err := dial(context.Background(), "tcp", "10.1.2.3:80"); !errors.Is(err, netguard.ErrNotLoopback) {
		t.Errorf("dial 10.1.2.3: %v", err)
	}
}

// TestControlRefusesAfterResolution proves the second line: a plain
// net.Dialer with Control refuses a non-loopback IP before connecting.
func TestControlRefusesAfterResolution(t *testing.T) {
	d := &net.Dialer{Control: netguard.Control}
	_, err := d.DialContext(context.Background(), "tcp", "10.1.2.3:9")
	if !errors.Is(err, netguard.ErrNotLoopback) {
		t.Errorf("dial 10.1.2.3:9 = %v, want ErrNotLoopback", err)
	}
}

func TestLoopbackWorks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "here")
	}))
	defer srv.Close()
	rec := &recorder{TB: t}
	client := &http.Client{Transport: netguard.LoopbackOnly(rec)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "here" || rec.count() != 0 {
		t.Errorf("body %q, refusals %q", body, rec.errs)
	}
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	resp, err = netguard.Client(t).Get("http://localhost:" + port)
	if err != nil {
		t.Fatalf("localhost: %v", err)
	}
	resp.Body.Close()
}
