package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/terminal"
)

// lockedBuffer is an output stream a test can read while a command writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSandboxCommandServesUntilCancelled(t *testing.T) {
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	io := &terminal.IO{In: strings.NewReader(""), Out: out, ErrOut: errOut}
	cfg := filepath.Join(t.TempDir(), "sandbox.yaml")
	root := newRoot(io)
	root.SetArgs([]string{"sandbox", "--listen", "127.0.0.1:0", "--write-config", cfg, "--error-rate", "0.1", "--rate", "cove=5"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- root.ExecuteContext(ctx) }()

	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("no banner; stdout %q stderr %q (returned: %v)", out.String(), errOut.String(), <-done)
	}
	if took := time.Since(began); took > time.Second {
		t.Errorf("started in %v", took)
	}
	text := out.String()
	for _, s := range []string{base + "/netsapiens/ns-api/v2", "sandbox-netsapiens-token", "sandbox@cove.test",
		"5xx 10%", "cove 5 req/s", "configuration written to " + cfg} {
		if !strings.Contains(text, s) {
			t.Errorf("stdout lacks %q:\n%s", s, text)
		}
	}
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/_sandbox/ledger")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("ledger status %d", resp.StatusCode)
	}
	client.CloseIdleConnections()
	info, err := os.Stat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("config mode %v", info.Mode().Perm())
	}
	data, _ := os.ReadFile(cfg)
	if !strings.Contains(string(data), "base_url: '"+base+"/acefone'") {
		t.Errorf("config does not point at %s:\n%s", base, data)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("command returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command did not stop")
	}
	if _, err := client.Get(base + "/_sandbox/ledger"); err == nil {
		t.Error("sandbox still answers after stopping")
	}
}

func TestSandboxCommandRefusesBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:8089"}, "not a loopback address"},
		{[]string{"--listen", ":8089"}, "not a loopback address"},
		{[]string{"--listen", "8089"}, "must be host:port"},
		{[]string{"--rate", "twilio=5"}, "unknown vendor"},
		{[]string{"--rate", "netsapiens"}, "VENDOR=REQUESTS_PER_SECOND"},
		{[]string{"--error-rate", "2"}, "--error-rate"},
		{[]string{"--error-rate", "0.7", "--lost-rate", "0.7"}, "add up to"},
	}
	for _, c := range cases {
		out, errOut := &lockedBuffer{}, &lockedBuffer{}
		io := &terminal.IO{In: strings.NewReader(""), Out: out, ErrOut: errOut}
		root := newRoot(io)
		root.SetArgs(append([]string{"sandbox", "--quiet"}, c.args...))
		err := root.ExecuteContext(context.Background())
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUnusable || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v; want exit %d mentioning %q", c.args, err, exitUnusable, c.want)
		}
		if strings.Contains(out.String(), "listening") {
			t.Errorf("%v: started anyway", c.args)
		}
	}
}

func TestCheckListen(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8089": true, "localhost:0": true, "[::1]:8089": true, "127.0.0.2:80": true,
		"0.0.0.0:8089": false, "192.168.1.5:8089": false, "example.com:80": false, "[::]:8089": false,
	} {
		if err := checkListen(addr, false); (err == nil) != ok {
			t.Errorf("checkListen(%q) = %v", addr, err)
		}
	}
	if err := checkListen("0.0.0.0:8089", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
}
