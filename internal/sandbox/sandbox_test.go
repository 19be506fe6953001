package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable clock for tokens, visas and rate limits.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a sandbox listening on a loopback port for one test.
type env struct {
	t      *testing.T
	srv    *Server
	base   string
	client *http.Client
}

func start(t *testing.T, opts Options) *env {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, err := s.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{t: t, srv: s, base: base, client: client}
}

// answer is one HTTP exchange.
type answer struct {
	status int
	header http.Header
	raw    []byte
	err    error
}

// json decodes the answer's body into a generic value.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v: %s", a.status, err, a.raw)
	}
	return m
}

// send makes one request; body is a string (sent raw) or a value (JSON).
func (e *env) send(method, path string, header map[string]string, body any) answer {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw, err: err}
}

func (e *env) mustStatus(a answer, want int) {
	e.t.Helper()
	if a.err != nil {
		e.t.Fatalf("request failed: %v", a.err)
	}
	if a.status != want {
		e.t.Fatalf("status %d, want %d; body %s", a.status, want, a.raw)
	}
}

var nsAuthHeader = map[string]string{"Authorization": "Bearer " + NetSapiensToken}

// nsUser is a small valid NetSapiens user body.
func nsUser(ext string) map[string]any {
	return map[string]any{"user": ext, "name-first-name": "Jane", "name-last-name": "Smith",
		"email-address": "jane." + ext + "@example.com", "user-scope": "Basic User"}
}

func TestStartServesAndCloseStops(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	base, err := s.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 500*time.Millisecond {
		t.Errorf("Start took %v", took)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base URL %q", base)
	}
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get(base + LedgerPath)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ledger status %d", resp.StatusCode)
	}
	if _, err := s.Start(context.Background(), "127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	client.CloseIdleConnections()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := client.Get(base + LedgerPath); err == nil {
		t.Error("server still answers after Close")
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before Start, %d after Close", before, n)
	}
}

func TestStartStopsWhenContextEnds(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	base, err := s.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Second}
	deadline := time.Now().Add(3 * time.Second)
	for {
		resp, err := client.Get(base + LedgerPath)
		if err != nil {
			break
		}
		resp.Body.Close()
		client.CloseIdleConnections()
		if time.Now().After(deadline) {
			t.Fatal("server still answers after its context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	bad := []Options{
		{Faults: Faults{ErrorRate: 1.5}},
		{Faults: Faults{ErrorRate: 0.6, LostRate: 0.6}},
		{Faults: Faults{Rate: -1}},
		{VendorFaults: map[string]Faults{"twilio": {}}},
		{Domains: []string{"bad domain!"}},
	}
	for i, o := range bad {
		if _, err := New(o); err == nil {
			t.Errorf("options %d accepted", i)
		}
	}
}

func TestUnknownPathAnswersJSON404(t *testing.T) {
	e := start(t, Options{})
	a := e.send("GET", "/nowhere", nil, nil)
	e.mustStatus(a, http.StatusNotFound)
	if m := a.json(t); !strings.Contains(fmt.Sprint(m["message"]), "/nowhere") {
		t.Errorf("body %s", a.raw)
	}
	a = e.send("GET", NetSapiensPath+"/domains/~/phones", nsAuthHeader, nil)
	e.mustStatus(a, http.StatusNotFound)
	if m := a.json(t); m["code"] != float64(404) {
		t.Errorf("NetSapiens 404 not in vendor shape: %s", a.raw)
	}
}

func TestLedgerAndReset(t *testing.T) {
	e := start(t, Options{})
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("101")), http.StatusAccepted)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("101")), http.StatusConflict)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("101")), http.StatusConflict)

	a := e.send("GET", LedgerPath, nil, nil)
	e.mustStatus(a, http.StatusOK)
	var l Ledger
	if err := json.Unmarshal(a.raw, &l); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{targetNSSite, targetNSUser, targetAcefone, targetFD, targetCove} {
		if _, ok := l.Created[target]; !ok {
			t.Errorf("ledger has no section %s", target)
		}
	}
	users := l.Created["netsapiens.user"]
	if len(users) != 1 {
		t.Fatalf("users %+v", users)
	}
	u := users[0]
	if u.Key != "sandbox.example/101" || u.ID != "101@sandbox.example" || u.Creates != 1 || u.Duplicates != 2 {
		t.Errorf("entry %+v", u)
	}
	if u.Body["email-address"] != "jane.101@example.com" || u.Body["synchronous"] != nil {
		t.Errorf("body %v", u.Body)
	}
	st := l.Stats[NetSapiens]
	if st.Requests != 3 || st.Created != 1 || st.Rejected != 2 {
		t.Errorf("stats %+v", st)
	}

	e.mustStatus(e.send("POST", ResetPath, nil, nil), http.StatusOK)
	l = e.srv.Ledger()
	if n := len(l.Created["netsapiens.user"]); n != 0 {
		t.Errorf("%d users after reset", n)
	}
	if l.Stats[NetSapiens] != (Stats{}) {
		t.Errorf("stats after reset %+v", l.Stats[NetSapiens])
	}
	// After a reset the same user can be created again.
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("101")), http.StatusAccepted)
}

func TestConcurrentCreatesOfOneKeyStoreOnce(t *testing.T) {
	e := start(t, Options{})
	const n = 16
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("555"))
			statuses <- a.status
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusAccepted] != 1 || counts[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v", counts)
	}
	users := e.srv.Ledger().Created["netsapiens.user"]
	if len(users) != 1 || users[0].Creates != 1 || users[0].Duplicates != n-1 {
		t.Fatalf("ledger %+v", users)
	}
}

func TestMaxRecordsBoundsTheStore(t *testing.T) {
	e := start(t, Options{MaxRecords: 2})
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("1")), http.StatusAccepted)
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("2")), http.StatusAccepted)
	a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("3"))
	e.mustStatus(a, http.StatusInsufficientStorage)
	if m := a.json(t); !strings.Contains(fmt.Sprint(m["message"]), ResetPath) {
		t.Errorf("message does not say how to fix: %s", a.raw)
	}
	e.srv.Reset()
	e.mustStatus(e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, nsUser("3")), http.StatusAccepted)
}

func TestOversizedBodyIsRefused(t *testing.T) {
	e := start(t, Options{})
	big := `{"user":"` + strings.Repeat("1", maxBodyBytes) + `"}`
	a := e.send("POST", NetSapiensPath+"/domains/~/users", nsAuthHeader, big)
	e.mustStatus(a, http.StatusRequestEntityTooLarge)
}

// BenchmarkNetSapiensCreate measures creates per second through the
// loopback network, validation and ledger included.
func BenchmarkNetSapiensCreate(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	base, err := s.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	body, _ := json.Marshal(nsUser("0"))
	var n sync.Mutex
	next := 0
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n.Lock()
			next++
			ext := fmt.Sprint(next)
			n.Unlock()
			data := bytes.Replace(body, []byte(`"user":"0"`), []byte(`"user":"`+ext+`"`), 1)
			data = bytes.Replace(data, []byte("jane.0@"), []byte("jane."+ext+"@"), 1)
			req, _ := http.NewRequest("POST", base+NetSapiensPath+"/domains/~/users", bytes.NewReader(data))
			req.Header.Set("Authorization", "Bearer "+NetSapiensToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
