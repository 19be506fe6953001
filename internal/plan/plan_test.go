package plan

import (
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/state"
)

var _ = registry.Targets // targets are prepared by the registry's init

type fakeState map[string]state.Entry

func (f fakeState) Get(endpoint, target, key string) (state.Entry, bool, error) {
	e, ok := f[endpoint+"|"+target+"|"+key]
	return e, ok, nil
}

func user(ext, site string) *Item {
	r := schema.NewRecord(netsapiens.User)
	r.Set("domain", "acme.example")
	r.Set("user", ext)
	r.Set("name-first-name", "Jane")
	if site != "" {
		r.Set("site", site)
	}
	return &Item{Sheet: "NetSapiens Users", Row: 2, Record: r}
}

func site(name string) *Item {
	r := schema.NewRecord(netsapiens.Site)
	r.Set("domain", "acme.example")
	r.Set("site", name)
	return &Item{Sheet: "NetSapiens Sites", Row: 2, Record: r}
}

func acefoneUser(login string) *Item {
	r := schema.NewRecord(acefone.User)
	r.Set("login_id", login)
	return &Item{Sheet: "Acefone Users", Row: 3, Record: r}
}

func endpoints(configured ...string) func(string) (string, bool) {
	return func(v string) (string, bool) {
		for _, c := range configured {
			if c == v {
				return "https://" + v + ".test", true
			}
		}
		return "", false
	}
}

func TestSitesFirstAndUsersWaitForTheirSite(t *testing.T) {
	items := []*Item{user("101", "Denver HQ"), user("102", "Elsewhere"), site("Denver HQ"), user("103", "")}
	p, err := Build(items, Options{Endpoint: endpoints("netsapiens")})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 4 || p.Jobs[0].Record.Target.ID != "netsapiens.site" {
		t.Fatalf("site must be dispatched first: %v", p.Jobs)
	}
	if got := p.Decisions[0].Job.After; len(got) != 1 || got[0] != 2 {
		t.Errorf("user 101 After = %v, want [2]", got)
	}
	if got := p.Decisions[1].Job.After; len(got) != 0 {
		t.Errorf("user with a site not in the batch must not wait: %v", got)
	}
	if got := p.Decisions[3].Job.After; len(got) != 0 {
		t.Errorf("user without a site must not wait: %v", got)
	}
}

func TestVendorNotConfigured(t *testing.T) {
	p, err := Build([]*Item{acefoneUser("priya"), user("101", "")}, Options{Endpoint: endpoints("netsapiens")})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Decisions[0]
	if d.Job != nil || d.Result == nil || d.Result.Status != dispatch.NotSent || !strings.Contains(d.Result.Message, "acefone is not configured") {
		t.Fatalf("decision = %+v", d)
	}
	if p.Decisions[1].Job == nil || len(p.Jobs) != 1 {
		t.Fatal("configured vendor's record must be sent")
	}
}

func TestEarlierRunsFromState(t *testing.T) {
	created, sending, uncertain, failed := user("101", ""), user("102", ""), user("103", ""), user("104", "")
	changed := user("105", "")
	ep := "https://netsapiens.test|netsapiens.user|acme.example/"
	st := fakeState{
		ep + "101": {Phase: state.Done, Status: "created", VendorID: "acme.example/101", PayloadHash: state.RecordHash(created.Record)},
		ep + "102": {Phase: state.Sending},
		ep + "103": {Phase: state.Done, Status: outcome.Uncertain.String()},
		ep + "104": {Phase: state.Done, Status: "failed"},
		ep + "105": {Phase: state.Done, Status: "created", VendorID: "x", PayloadHash: "other"},
	}
	p, err := Build([]*Item{created, sending, uncertain, failed, changed}, Options{Endpoint: endpoints("netsapiens"), State: st})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Decisions[0].Result; r == nil || r.Status != outcome.DoneEarlier || r.ID != "acme.example/101" || strings.Contains(r.Message, "changed") {
		t.Errorf("created earlier: %+v", r)
	}
	if j := p.Decisions[1].Job; j == nil || !j.Reconcile {
		t.Errorf("in-flight earlier must be reconciled: %+v", j)
	}
	if j := p.Decisions[2].Job; j == nil || !j.Reconcile {
		t.Errorf("uncertain earlier must be reconciled: %+v", j)
	}
	if j := p.Decisions[3].Job; j == nil || j.Reconcile {
		t.Errorf("failed earlier must simply be sent again: %+v", j)
	}
	if r := p.Decisions[4].Result; r == nil || !strings.Contains(r.Message, "changed since") {
		t.Errorf("changed row: %+v", r)
	}
	if len(p.Jobs) != 3 {
		t.Errorf("jobs = %d, want 3", len(p.Jobs))
	}
	// --reconcile: every record sent is looked up first.
	p, err = Build([]*Item{created, failed}, Options{Endpoint: endpoints("netsapiens"), State: st, Reconcile: true})
	if err != nil {
		t.Fatal(err)
	}
	if j := p.Decisions[1].Job; j == nil || !j.Reconcile {
		t.Errorf("with Reconcile every job must be looked up first: %+v", j)
	}
	if len(p.Jobs) != 1 {
		t.Errorf("jobs = %d, want 3", len(p.Jobs))
	}
}
