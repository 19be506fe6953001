package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/sandbox"
	"github.com/onboard/onboard/internal/sandbox/simcore"
	"github.com/onboard/onboard/internal/schema"
)

// recorder is an HTTP transport that keeps every answer body, so a test
// can collect the tokens and visas the sandbox issued and check that none
// leaks into a message or a log.
type recorder struct {
	mu     sync.Mutex
	bodies []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.mu.Lock()
	r.bodies = append(r.bodies, string(body))
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		// Hand the client the cut body and the error, as the network would.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

var issued = regexp.MustCompile(`"(?:access_token|visa)":"([^"]+)"`)

// secrets returns every token and visa the sandbox handed out.
func (r *recorder) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		for _, m := range issued.FindAllStringSubmatch(b, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// env is one sandbox served over HTTP, its clock and what the clients
// logged.
type env struct {
	t     *testing.T
	sb    *sandbox.Server
	base  string
	clock *httpcalltest.Clock
	logs  *httpcalltest.LogBuffer
	rec   *recorder
}

func start(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	e := &env{t: t, clock: httpcalltest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
		logs: &httpcalltest.LogBuffer{}, rec: &recorder{}}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	e.sb, e.base = sb, srv.URL
	return e
}

// credentials are the sandbox's settings for a vendor, as the
// configuration would give them.
func credentials(t *testing.T, vendor string) sandbox.VendorCredentials {
	for _, c := range sandbox.Credentials() {
		if c.Vendor == vendor {
			return c
		}
	}
	t.Fatalf("sandbox has no credentials for %s", vendor)
	return sandbox.VendorCredentials{}
}

// client builds vendor's client from the sandbox's credentials; mod may
// change the settings (a wrong password, another clock).
func (e *env) client(vendor string, mod ...func(*connector.Settings)) connector.Client {
	e.t.Helper()
	creds := credentials(e.t, vendor)
	opts := map[string]string{}
	for _, s := range creds.Settings {
		if s.Name != "rate" && s.Name != "concurrency" {
			opts[s.Name] = fmt.Sprint(s.Value)
		}
	}
	s := connector.Settings{BaseURL: e.base + creds.Path, Options: opts, Timeout: 5 * time.Second,
		Now: e.clock.Now, Logger: e.logs.Logger(), HTTP: &http.Client{Transport: e.rec}}
	for _, m := range mod {
		m(&s)
	}
	c, err := registry.Vendor(vendor).New(s)
	if err != nil {
		e.t.Fatalf("%s: %v", vendor, err)
	}
	return c
}

func (e *env) ledger(target string) []sandbox.LedgerEntry {
	return e.sb.Ledger().Created[target]
}

// checkNoSecrets fails when a credential, an issued token or visa, or a
// record password shows in the messages or the log.
func (e *env) checkNoSecrets(messages ...string) {
	e.t.Helper()
	secrets := append(e.rec.secrets(), sandbox.NetSapiensToken, sandbox.AcefonePassword, sandbox.AcefoneStaticToken,
		sandbox.FoneDynamicsToken, sandbox.CovePassword, userPassword, "wrong-secret")
	httpcalltest.NoSecrets(e.t, "log", e.logs.String(), secrets...)
	for _, m := range messages {
		httpcalltest.NoSecrets(e.t, "message", m, secrets...)
	}
}

const userPassword = "Sandb0x-User-Pass!"

// target is one vendor target under test: how to make its n-th record.
type target struct {
	vendor string
	id     string
	record func(t *testing.T, n int) schema.Record
	// lookup says whether Lookup can find a record (Acefone cannot).
	lookup bool
	// idIsKey says the client's ID is the record's natural key.
	idIsKey bool
	// bad is a record the sandbox refuses, and words its message holds.
	bad      func(t *testing.T) schema.Record
	badWords string
}

func rec(t *testing.T, id string, texts map[string]string) schema.Record {
	t.Helper()
	return httpcalltest.Record(t, registry.Target(id), texts)
}

// targets are every simulated target, in creation order, from the
// fixtures each vendor package gives with its simulator.
var targets = simulatedTargets()

func simulatedTargets() []target {
	var out []target
	for _, v := range registry.Vendors {
		if v.Sandbox == nil {
			continue
		}
		for _, f := range v.Sandbox.Fixtures {
			out = append(out, fromFixture(v.Name, f))
		}
	}
	return out
}

func fromFixture(vendor string, f simcore.Fixture) target {
	return target{vendor: vendor, id: f.Target, lookup: f.Lookup, idIsKey: f.IDIsKey, badWords: f.BadWords,
		record: func(t *testing.T, n int) schema.Record { return rec(t, f.Target, f.Good(n)) },
		bad: func(t *testing.T) schema.Record {
			r := rec(t, f.Target, f.Bad)
			for k, v := range f.BadWire {
				r.Set(k, v)
			}
			return r
		}}
}

// byID is the target under test with this ID.
func byID(t *testing.T, id string) target {
	t.Helper()
	for _, tc := range targets {
		if tc.id == id {
			return tc
		}
	}
	t.Fatalf("no contract fixture for %s", id)
	return target{}
}

func req(r schema.Record) connector.Request { return connector.Request{Record: r} }

// wantID is the ledger's name for what the client calls ID: the vendor's
// ID, except for NetSapiens users, whose ID is their natural key.
func wantID(tc target, entry sandbox.LedgerEntry) string {
	if tc.idIsKey {
		return entry.Key
	}
	return entry.ID
}

func TestSandboxCredentialsAreDeclaredOptions(t *testing.T) {
	for _, c := range sandbox.Credentials() {
		v := registry.Vendor(c.Vendor)
		if v == nil {
			t.Errorf("sandbox vendor %s is not registered", c.Vendor)
			continue
		}
		declared := map[string]connector.Option{}
		for _, o := range v.Options {
			declared[o.Name] = o
		}
		given := map[string]bool{}
		for _, s := range c.Settings {
			if s.Name == "rate" || s.Name == "concurrency" {
				continue
			}
			given[s.Name] = true
			o, ok := declared[s.Name]
			if !ok {
				t.Errorf("%s: sandbox setting %s is not one of the vendor's options", c.Vendor, s.Name)
			}
			if s.Secret && !o.Secret {
				t.Errorf("%s: option %s carries a credential but is not marked secret", c.Vendor, s.Name)
			}
		}
		for _, o := range v.Options {
			if o.Required && !given[o.Name] {
				t.Errorf("%s: required option %s is missing from the sandbox's settings", c.Vendor, o.Name)
			}
		}
	}
}

func TestCreatedThenExists(t *testing.T) {
	for _, tc := range targets {
		t.Run(tc.id, func(t *testing.T) {
			e := start(t, sandbox.Options{})
			c := e.client(tc.vendor)
			ctx := context.Background()
			first := c.Create(ctx, req(tc.record(t, 1)))
			if first.Status != connector.Created {
				t.Fatalf("create: %+v", first)
			}
			entries := e.ledger(tc.id)
			if len(entries) != 1 || entries[0].Creates != 1 || first.ID != wantID(tc, entries[0]) {
				t.Fatalf("ledger %+v after outcome %+v", entries, first)
			}
			again := c.Create(ctx, req(tc.record(t, 1)))
			if again.Status != connector.Exists {
				t.Fatalf("second create: %+v", again)
			}
			if tc.lookup && again.ID != first.ID {
				t.Errorf("exists with ID %q, created as %q", again.ID, first.ID)
			}
			if !tc.lookup && again.ID != wantID(tc, entries[0]) {
				t.Errorf("exists with ID %q, want the ledger's %q", again.ID, wantID(tc, entries[0]))
			}
			entries = e.ledger(tc.id)
			if len(entries) != 1 || entries[0].Creates != 1 || entries[0].Duplicates != 1 {
				t.Errorf("ledger after the duplicate: %+v", entries)
			}
			lk := c.Lookup(ctx, req(tc.record(t, 1)))
			switch {
			case tc.lookup && (lk.Status != connector.Exists || lk.ID != first.ID):
				t.Errorf("lookup of the created record: %+v", lk)
			case !tc.lookup && lk.Status != connector.Unsupported:
				t.Errorf("lookup without a vendor lookup: %+v", lk)
			}
			if tc.lookup {
				if lk := c.Lookup(ctx, req(tc.record(t, 2))); lk.Status != connector.NotFound {
					t.Errorf("lookup of a record never created: %+v", lk)
				}
			}
			e.checkNoSecrets(first.Message, again.Message, lk.Message)
		})
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range targets {
		t.Run(tc.id, func(t *testing.T) {
			e := start(t, sandbox.Options{Domains: []string{"example.com"}})
			o := e.client(tc.vendor).Create(context.Background(), req(tc.bad(t)))
			if o.Status != connector.Invalid || !strings.Contains(o.Message, tc.badWords) {
				t.Errorf("outcome %+v, want invalid mentioning %q", o, tc.badWords)
			}
			if n := len(e.ledger(tc.id)); n != 0 {
				t.Errorf("%d records stored", n)
			}
			e.checkNoSecrets(o.Message)
		})
	}
}

func TestAuth(t *testing.T) {
	// wrong replaces every secret setting (a token, a password).
	wrong := func(vendor string) func(*connector.Settings) {
		return func(s *connector.Settings) {
			for _, c := range credentials(t, vendor).Settings {
				if c.Secret {
					s.Options[c.Name] = "wrong-secret"
				}
			}
		}
	}
	for _, tc := range targets {
		t.Run(tc.id, func(t *testing.T) {
			e := start(t, sandbox.Options{})
			o := e.client(tc.vendor, wrong(tc.vendor)).Create(context.Background(), req(tc.record(t, 1)))
			if o.Status != connector.Auth || o.Message == "" {
				t.Errorf("outcome %+v", o)
			}
			if n := len(e.ledger(tc.id)); n != 0 {
				t.Errorf("%d records stored", n)
			}
			e.checkNoSecrets(o.Message)
		})
	}
	t.Run("acefone static token", func(t *testing.T) {
		e := start(t, sandbox.Options{})
		c := e.client(sandbox.Acefone, func(s *connector.Settings) {
			s.Options = map[string]string{"token": sandbox.AcefoneStaticToken}
		})
		if o := c.Create(context.Background(), req(byID(t, "acefone.user").record(t, 1))); o.Status != connector.Created {
			t.Errorf("outcome %+v", o)
		}
		e.checkNoSecrets()
	})
}

func TestRetryable(t *testing.T) {
	for _, tc := range targets {
		t.Run(tc.id+" rate limit", func(t *testing.T) {
			// The sandbox's clock stands still, so its bucket of one never refills.
			e := start(t, sandbox.Options{Faults: sandbox.Faults{Rate: 1, Burst: 1}})
			c := e.client(tc.vendor)
			var o connector.Outcome
			for n := 1; n <= 3; n++ {
				if o = c.Create(context.Background(), req(tc.record(t, n))); o.Status != connector.Created {
					break
				}
			}
			if o.Status != connector.Retryable || o.HTTPStatus != http.StatusTooManyRequests || o.RetryAfter < time.Second {
				t.Errorf("outcome %+v, want retryable 429 with Retry-After", o)
			}
			e.checkNoSecrets(o.Message)
		})
		t.Run(tc.id+" 5xx", func(t *testing.T) {
			e := start(t, sandbox.Options{Faults: sandbox.Faults{ErrorRate: 1}})
			o := e.client(tc.vendor).Create(context.Background(), req(tc.record(t, 1)))
			if o.Status != connector.Retryable || o.HTTPStatus < 500 {
				t.Errorf("outcome %+v, want retryable 5xx", o)
			}
			if n := len(e.ledger(tc.id)); n != 0 {
				t.Errorf("%d records stored", n)
			}
		})
	}
}

func TestUncertainThenReconciled(t *testing.T) {
	for _, tc := range targets {
		t.Run(tc.id+" lost answer", func(t *testing.T) {
			if !tc.lookup {
				t.Skip("no lookup: see TestAcefoneLostAnswerReconciledByDuplicate")
			}
			e := start(t, sandbox.Options{Faults: sandbox.Faults{LostRate: 1}})
			c := e.client(tc.vendor)
			o := c.Create(context.Background(), req(tc.record(t, 1)))
			if o.Status != connector.Uncertain {
				t.Fatalf("outcome %+v, want uncertain", o)
			}
			entries := e.ledger(tc.id)
			if len(entries) != 1 {
				t.Fatalf("ledger %+v: the lost create was stored", entries)
			}
			lk := c.Lookup(context.Background(), req(tc.record(t, 1)))
			if lk.Status != connector.Exists || lk.ID != wantID(tc, entries[0]) {
				t.Errorf("lookup after the lost answer: %+v, ledger %+v", lk, entries[0])
			}
			e.checkNoSecrets(o.Message, lk.Message)
		})
		t.Run(tc.id+" malformed answer", func(t *testing.T) {
			e := start(t, sandbox.Options{Faults: sandbox.Faults{MalformedRate: 1}})
			o := e.client(tc.vendor).Create(context.Background(), req(tc.record(t, 1)))
			want := connector.Uncertain // an unreadable answer is checked by reading back, never trusted
			if o.Status != want {
				t.Errorf("outcome %+v, want %v", o, want)
			}
			if n := len(e.ledger(tc.id)); n != 1 {
				t.Errorf("%d records stored, want 1", n)
			}
		})
	}
}

// An Acefone create whose answer is lost is settled by creating again:
// the duplicate login ID is reported as Exists.
func TestAcefoneLostAnswerReconciledByDuplicate(t *testing.T) {
	tc := byID(t, "acefone.user")
	// Find a seed whose first create is lost; later creates are lost or not
	// at random, so creating again eventually gets an answer.
	for seed := uint64(1); seed < 64; seed++ {
		e := start(t, sandbox.Options{Seed: seed, Faults: sandbox.Faults{LostRate: 0.5}})
		c := e.client(tc.vendor)
		o := c.Create(context.Background(), req(tc.record(t, 1)))
		if o.Status != connector.Uncertain {
			continue
		}
		if lk := c.Lookup(context.Background(), req(tc.record(t, 1))); lk.Status != connector.Unsupported || !strings.Contains(lk.Message, "unknown") {
			t.Errorf("lookup %+v", lk)
		}
		for i := 0; i < 20 && o.Status == connector.Uncertain; i++ {
			o = c.Create(context.Background(), req(tc.record(t, 1)))
		}
		entries := e.ledger(tc.id)
		if o.Status != connector.Exists || o.ID != "priya.1" || len(entries) != 1 || entries[0].Creates != 1 || entries[0].Duplicates < 1 {
			t.Errorf("outcome %+v, ledger %+v", o, entries)
		}
		return
	}
	t.Fatal("no seed below 64 loses the first create")
}

func TestAcefoneTokenRenewal(t *testing.T) {
	rec := byID(t, "acefone.user").record
	t.Run("refreshed before it lapses", func(t *testing.T) {
		e := start(t, sandbox.Options{TokenTTL: 10 * time.Minute})
		c := e.client(sandbox.Acefone)
		for n := 1; n <= 3; n++ {
			if o := c.Create(context.Background(), req(rec(t, n))); o.Status != connector.Created {
				t.Fatalf("create %d: %+v", n, o)
			}
			e.clock.Advance(9 * time.Minute)
		}
		if st := e.sb.Ledger().Stats[sandbox.Acefone]; st.Rejected != 0 || st.Requests != 6 {
			t.Errorf("stats %+v: want a login, three creates and two refreshes, none refused", st)
		}
	})
	t.Run("401 on an expired token: refresh and retry", func(t *testing.T) {
		e := start(t, sandbox.Options{TokenTTL: 10 * time.Minute})
		lagging := httpcalltest.NewClock(e.clock.Now())
		c := e.client(sandbox.Acefone, func(s *connector.Settings) { s.Now = lagging.Now })
		if o := c.Create(context.Background(), req(rec(t, 1))); o.Status != connector.Created {
			t.Fatalf("create: %+v", o)
		}
		e.clock.Advance(11 * time.Minute) // the sandbox's token lapsed; the client does not know
		o := c.Create(context.Background(), req(rec(t, 2)))
		if o.Status != connector.Created {
			t.Fatalf("create after expiry: %+v", o)
		}
		if st := e.sb.Ledger().Stats[sandbox.Acefone]; st.Rejected != 1 || st.Requests != 5 {
			t.Errorf("stats %+v: want login, create, refused create, refresh, create", st)
		}
		e.checkNoSecrets(o.Message)
	})
}

func TestCoveVisas(t *testing.T) {
	rec := byID(t, "cove.user").record
	t.Run("a lapsed chain is replaced before the call", func(t *testing.T) {
		e := start(t, sandbox.Options{})
		c := e.client(sandbox.Cove)
		for n := 1; n <= 3; n++ {
			if o := c.Create(context.Background(), req(rec(t, n))); o.Status != connector.Created {
				t.Fatalf("create %d: %+v", n, o)
			}
			e.clock.Advance(16 * time.Minute)
		}
		if st := e.sb.Ledger().Stats[sandbox.Cove]; st.Rejected != 0 || st.Requests != 6 {
			t.Errorf("stats %+v: want three logins and three AddUser calls, none refused", st)
		}
	})
	t.Run("a refused visa: login again and retry", func(t *testing.T) {
		e := start(t, sandbox.Options{})
		lagging := httpcalltest.NewClock(e.clock.Now())
		c := e.client(sandbox.Cove, func(s *connector.Settings) { s.Now = lagging.Now })
		if o := c.Create(context.Background(), req(rec(t, 1))); o.Status != connector.Created {
			t.Fatalf("create: %+v", o)
		}
		e.clock.Advance(16 * time.Minute) // the chain lapsed at the sandbox only
		o := c.Create(context.Background(), req(rec(t, 2)))
		if o.Status != connector.Created {
			t.Fatalf("create after the lapse: %+v", o)
		}
		if st := e.sb.Ledger().Stats[sandbox.Cove]; st.Rejected != 1 || st.Requests != 5 {
			t.Errorf("stats %+v: want login, AddUser, refused AddUser, login, AddUser", st)
		}
		e.checkNoSecrets(o.Message)
	})
	t.Run("roles", func(t *testing.T) {
		e := start(t, sandbox.Options{})
		c := e.client(sandbox.Cove).(*cove.Client)
		roles, err := c.Roles(context.Background(), 0)
		if err != nil || len(roles) != len(sandbox.CoveRoles) || roles["Manager"] != 3 {
			t.Errorf("roles %v, %v", roles, err)
		}
		if _, err := c.Roles(context.Background(), 999); err == nil {
			t.Error("roles of an unknown partner: want an error")
		}
	})
}

func TestConcurrentWorkers(t *testing.T) {
	const workers, perTarget = 6, 30
	e := start(t, sandbox.Options{})
	for _, tc := range targets {
		c := e.client(tc.vendor)
		var wg sync.WaitGroup
		next := make(chan int)
		var mu sync.Mutex
		ids := map[string]bool{}
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range next {
					o := c.Create(context.Background(), req(tc.record(t, n)))
					mu.Lock()
					if o.Status != connector.Created || ids[o.ID] {
						t.Errorf("%s record %d: %+v", tc.id, n, o)
					}
					ids[o.ID] = true
					mu.Unlock()
				}
			}()
		}
		for n := 1; n <= perTarget; n++ {
			next <- n
		}
		close(next)
		wg.Wait()
		entries := e.ledger(tc.id)
		if len(entries) != perTarget {
			t.Errorf("%s: %d records stored, want %d", tc.id, len(entries), perTarget)
		}
		for _, en := range entries {
			if en.Creates != 1 || en.Duplicates != 0 {
				t.Errorf("%s: %+v", tc.id, en)
			}
		}
	}
	st := e.sb.Ledger().Stats
	if st[sandbox.Acefone].Requests != perTarget+1 || st[sandbox.Cove].Requests != perTarget+1 {
		t.Errorf("want one shared login each: acefone %+v, cove %+v", st[sandbox.Acefone], st[sandbox.Cove])
	}
	if n := len(e.rec.secrets()); n < perTarget+2 { // an Acefone token, a visa per Cove call
		t.Errorf("only %d tokens and visas recorded; the secrets check would be hollow", n)
	}
	e.checkNoSecrets()
}

// A NetSapiens 409 about a login username held by another user is not the
// user existing: the lookup finds no such user, so the row is invalid.
func TestNetSapiensLoginUsernameTakenByAnotherUser(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := e.client(sandbox.NetSapiens)
	user := func(ext string) schema.Record {
		return rec(t, "netsapiens.user", map[string]string{"domain": sandbox.NetSapiensDomain, "user": ext,
			"name-first-name": "Jane", "name-last-name": "Smith", "email-address": "jane@example.com",
			"user-scope": "Basic User", "login-username": "jane@example.com"})
	}
	if o := c.Create(context.Background(), req(user("101"))); o.Status != connector.Created {
		t.Fatalf("first user: %+v", o)
	}
	o := c.Create(context.Background(), req(user("102")))
	if o.Status != connector.Invalid || o.HTTPStatus != http.StatusConflict ||
		!strings.HasPrefix(o.Message, "login-username 'jane@example.com' is already in use") || !strings.Contains(o.Message, `no user "102"`) {
		t.Errorf("outcome %+v", o)
	}
	if entries := e.ledger("netsapiens.user"); len(entries) != 1 || entries[0].Duplicates != 1 {
		t.Errorf("ledger %+v", entries)
	}
}

// Finding a Fone Dynamics login pages through the account's list.
func TestFoneDynamicsLookupPages(t *testing.T) {
	const logins = 230
	e := start(t, sandbox.Options{})
	c := e.client(sandbox.FoneDynamics)
	tc := byID(t, "fonedynamics.login")
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				if o := c.Create(context.Background(), req(tc.record(t, n))); o.Status != connector.Created {
					t.Errorf("create %d: %+v", n, o)
				}
			}
		}()
	}
	for n := 1; n <= logins; n++ {
		next <- n
	}
	close(next)
	wg.Wait()
	entries := e.ledger(tc.id)
	last := entries[len(entries)-1]
	var n int
	if _, err := fmt.Sscanf(strings.TrimPrefix(last.Key, sandbox.FoneDynamicsPropertySid+"/"), "login%d@example.com", &n); err != nil {
		t.Fatalf("ledger key %q: %v", last.Key, err)
	}
	before := e.sb.Ledger().Stats[sandbox.FoneDynamics].Requests
	lk := c.Lookup(context.Background(), req(tc.record(t, n)))
	if lk.Status != connector.Exists || lk.ID != last.ID {
		t.Errorf("lookup of the last login: %+v, ledger %+v", lk, last)
	}
	// The first page, then the last: a login just created (the one an
	// uncertain create reconciles) is found without reading the middle.
	if pages := e.sb.Ledger().Stats[sandbox.FoneDynamics].Requests - before; pages != 2 {
		t.Errorf("%d list pages read, want 2 (first and last) for %d logins", pages, logins)
	}
	if lk := c.Lookup(context.Background(), req(tc.record(t, logins+1))); lk.Status != connector.NotFound {
		t.Errorf("lookup of a login never created: %+v", lk)
	}
}
