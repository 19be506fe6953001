package hires

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/intake"
)

// sandboxDefaults are the run config's defaults of the sandbox.
var sandboxDefaults = map[string]map[string]string{
	"netsapiens":   {"domain": "sandbox.example"},
	"fonedynamics": {"PropertySid": "S1234567890ABCDEF1234567890ABCDE"},
	"cove":         {"PartnerId": "123456"},
}

// TestSampleWorkbook pins samples/new-hires.xlsx with samples/plan.yaml
// to the findings samples/new-hires.md lists.
func TestSampleWorkbook(t *testing.T) {
	data, err := os.ReadFile("../../samples/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePlan(data, "samples/plan.yaml") // as `--plan samples/plan.yaml` names it
	if err != nil {
		t.Fatalf("samples/plan.yaml: %v", err)
	}
	doc, err := os.ReadFile("../../samples/new-hires.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := intake.Open("../../samples/new-hires.xlsx", intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	b, err := p.Process(f, Options{Defaults: sandboxDefaults})
	if err != nil {
		t.Fatal(err)
	}
	var errs, others []string
	for _, pr := range b.Problems {
		if !strings.Contains(string(doc), pr.Message) {
			t.Errorf("new-hires.md does not list: %s", pr.Message)
		}
		if pr.Severity == SeverityError {
			errs = append(errs, pr.Cell+" "+pr.Rule)
		} else {
			others = append(others, string(pr.Severity)+" "+pr.Cell+" "+pr.Rule)
		}
	}
	if got := strings.Join(errs, ", "); got != "C7 email, D8 required, K9 role, E10 unique, J12 enum" {
		t.Errorf("errors = %s", got)
	}
	if got := strings.Join(others, ", "); got != "note  pending, warning B6 fallback" {
		t.Errorf("warnings and notes = %s", got)
	}

	counts := map[string]int{}
	for _, d := range b.Records {
		counts[d.Target.ID]++
	}
	if len(b.People) != 13 || len(b.Records) != 31 || counts["netsapiens.site"] != 3 || counts["netsapiens.user"] != 12 ||
		counts["acefone.user"] != 8 || counts["fonedynamics.login"] != 3 || counts["cove.user"] != 5 || len(b.Ready()) != 20 {
		t.Errorf("%d people, %d records %v, %d ready", len(b.People), len(b.Records), counts, len(b.Ready()))
	}
	dtmf := map[string]any{}
	for _, d := range b.Records {
		if d.Target.ID == "netsapiens.user" {
			dtmf[d.Person.Text(LastName)] = d.Record.Get("directory-name-number-dtmf-mapping")
		}
	}
	for name, want := range map[string]any{"García": int64(427), "O'Brien": int64(627), "Quinn": int64(784), "Zhang": int64(942), "Dubois": int64(382), "王": nil} {
		if dtmf[name] != want {
			t.Errorf("dial-by-name of %s = %v, want %v", name, dtmf[name], want)
		}
	}

	// Without a run config, the two path fields are warnings.
	nb, err := p.Process(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if nb.Count(SeverityWarning) != 3 || nb.Count(SeverityError) != 5 {
		t.Errorf("without a config: %s", dump(nb.Problems))
	}
	for _, pr := range nb.Problems {
		if !strings.Contains(string(doc), pr.Message) {
			t.Errorf("new-hires.md does not list: %s", pr.Message)
		}
	}

	// At run time the Cove roles resolve and the Cove users become ready.
	if err := p.Resolve(context.Background(), &fakeRoles{roles: map[string]int64{"SuperUser": 1, "Administrator": 2, "Manager": 3, "Operator": 4, "Supporter": 5}}); err != nil {
		t.Fatal(err)
	}
	rb, err := p.Process(f, Options{Defaults: sandboxDefaults})
	if err != nil {
		t.Fatal(err)
	}
	if len(rb.Ready()) != 25 || rb.Count(SeverityNote) != 0 {
		t.Errorf("after Resolve: %d ready, %s", len(rb.Ready()), dump(rb.Problems))
	}
}
