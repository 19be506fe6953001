package contract

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/connector/httpcall/httpcalltest"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/sandbox"
)

// rewriter changes one sandbox answer (status and body) on its way out;
// it sees the request's path and the sandbox's status.
type rewriter func(path string, status int, body []byte) (int, []byte)

// startRewritten is start with every answer passed through rw: the
// sandbox still decides and records; only the answer's shape changes, to
// one a vendor's document shows but the sandbox does not produce.
func startRewritten(t *testing.T, opts sandbox.Options, rw rewriter) *env {
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
	h := sb.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cap := httptest.NewRecorder()
		h.ServeHTTP(cap, r)
		status, body := rw(r.URL.Path, cap.Code, cap.Body.Bytes())
		for k, v := range cap.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	e.sb, e.base = sb, srv.URL
	return e
}

const acefoneCreatePath = sandbox.AcefonePath + "/v1/user"

// Seed 002: a 400 may carry "success": true, and its message is shown.
// success true is the documented success signal, so the user is created
// and the vendor's message is kept.
func TestAcefoneBadRequestWithSuccessTrue(t *testing.T) {
	e := startRewritten(t, sandbox.Options{}, func(path string, status int, body []byte) (int, []byte) {
		if path == acefoneCreatePath && status == http.StatusOK {
			return http.StatusBadRequest, body
		}
		return status, body
	})
	o := e.client(sandbox.Acefone).Create(context.Background(), req(byID(t, "acefone.user").record(t, 1)))
	entries := e.ledger("acefone.user")
	if len(entries) != 1 || entries[0].Creates != 1 {
		t.Fatalf("ledger %+v", entries)
	}
	if o.Status != connector.Created || o.ID != entries[0].ID || o.ID != "priya.1" || o.HTTPStatus != http.StatusBadRequest {
		t.Errorf("outcome %+v, want created as priya.1", o)
	}
	if !strings.HasPrefix(o.Message, "User created successfully") {
		t.Errorf("message %q: want the vendor's message", o.Message)
	}
	e.checkNoSecrets(o.Message)
}

// The same 400 with success true but an error object is a refusal: the
// seed's "error" names an input that was not right.
func TestAcefoneBadRequestWithSuccessTrueAndErrors(t *testing.T) {
	e := startRewritten(t, sandbox.Options{}, func(path string, status int, body []byte) (int, []byte) {
		if path == acefoneCreatePath && status == http.StatusBadRequest {
			return status, []byte(strings.Replace(string(body), `"success":false`, `"success":true`, 1))
		}
		return status, body
	})
	o := e.client(sandbox.Acefone).Create(context.Background(), req(byID(t, "acefone.user").bad(t)))
	if o.Status != connector.Invalid || !strings.Contains(o.Message, "user_role") || strings.Contains(o.Message, `{"`) {
		t.Errorf("outcome %+v, want invalid in the vendor's words", o)
	}
	if n := len(e.ledger("acefone.user")); n != 0 {
		t.Errorf("%d records stored", n)
	}
}

// Issue 9 item 7: a create whose answer is cut short is reconciled by the
// re-send rule (Acefone has no lookup) and ends created, never invalid.
func TestAcefoneMalformedAnswerReconciled(t *testing.T) {
	for seed := uint64(1); seed < 64; seed++ {
		e := start(t, sandbox.Options{Seed: seed, Faults: sandbox.Faults{MalformedRate: 0.5}})
		c := e.client(sandbox.Acefone)
		probe := c.Create(context.Background(), req(byID(t, "acefone.user").record(t, 1)))
		if probe.Status == connector.Invalid || strings.Contains(probe.Message, `{"`) {
			t.Fatalf("seed %d: a malformed answer was reported %+v", seed, probe)
		}
		if probe.Status != connector.Uncertain {
			continue
		}
		job := &dispatch.Job{Index: 1, Vendor: sandbox.Acefone, Record: byID(t, "acefone.user").record(t, 1), Reconcile: true}
		d := &dispatch.Dispatcher{
			Lanes: map[string]*dispatch.Lane{sandbox.Acefone: {Client: c, Rate: rate.Inf, MaxAttempts: 20}},
			Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		}
		var res dispatch.Result
		if _, err := d.Run(context.Background(), []*dispatch.Job{job}, func(r dispatch.Result) { res = r }); err != nil {
			t.Fatal(err)
		}
		entries := e.ledger("acefone.user")
		if res.Status != dispatch.Created || res.ID != "priya.1" || res.Uncertain || len(entries) != 1 || entries[0].Creates != 1 || entries[0].Duplicates < 1 {
			t.Errorf("seed %d: result %+v, ledger %+v", seed, res, entries)
		}
		if strings.Contains(res.Message, `{"`) {
			t.Errorf("message %q carries a raw body", res.Message)
		}
		e.checkNoSecrets(probe.Message, res.Message)
		return
	}
	t.Fatal("no seed below 64 cuts the first answer")
}

// An expired token refused with a 400 whose error object names the token
// (no 401) is renewed once like a 401.
func TestAcefoneAuthShapedBadRequestRenews(t *testing.T) {
	e := startRewritten(t, sandbox.Options{TokenTTL: 10 * time.Minute}, func(path string, status int, body []byte) (int, []byte) {
		if path == acefoneCreatePath && status == http.StatusUnauthorized {
			return http.StatusBadRequest, body
		}
		return status, body
	})
	lagging := httpcalltest.NewClock(e.clock.Now())
	c := e.client(sandbox.Acefone, func(s *connector.Settings) { s.Now = lagging.Now })
	if o := c.Create(context.Background(), req(byID(t, "acefone.user").record(t, 1))); o.Status != connector.Created {
		t.Fatalf("create: %+v", o)
	}
	e.clock.Advance(11 * time.Minute) // the sandbox's token lapsed; the client does not know
	o := c.Create(context.Background(), req(byID(t, "acefone.user").record(t, 2)))
	if o.Status != connector.Created {
		t.Fatalf("create after expiry: %+v", o)
	}
	if st := e.sb.Ledger().Stats[sandbox.Acefone]; st.Rejected != 1 || st.Requests != 5 {
		t.Errorf("stats %+v: want login, create, refused create, refresh, create", st)
	}
	e.checkNoSecrets(o.Message)
}
