package hires

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// planErrors unpacks the *PlanErrors of a (joined) error.
func planErrors(t *testing.T, err error) []*PlanError {
	t.Helper()
	var out []*PlanError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var pe *PlanError
		if !errors.As(e, &pe) {
			t.Fatalf("error %v (%T) is not a *PlanError", e, e)
		}
		out = append(out, pe)
	}
	walk(err)
	return out
}

// markerLine returns the 1-based line holding "#<".
func markerLine(t *testing.T, text string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "#<") {
			return i + 1
		}
	}
	t.Fatal("no #< marker")
	return 0
}

func TestTestPlanLoads(t *testing.T) {
	p := mustPlan(t, testPlan)
	if got := strings.Join(p.RoleNames(), "|"); got != "Sales Agent|Manager|Backup Only" {
		t.Errorf("roles = %s", got)
	}
	if len(p.Pending()) != 0 {
		t.Errorf("Pending = %v, want none: the plan gives cove: roles", p.Pending())
	}
	if pol := p.Passwords("fonedynamics.login"); pol == nil || !pol.Generate || pol.Length != 24 {
		t.Errorf("fonedynamics password policy = %+v", pol)
	}
	if p.Passwords("cove.user") != nil {
		t.Error("cove.user has no password policy in the test plan")
	}
}

func TestPlanMistakes(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown target", "  fonedynamics.login:\n    Email", "  fonedynamics.logins: #<\n    Email",
			"targets: unknown target 'fonedynamics.logins'. Did you mean 'fonedynamics.login'?"},
		{"unknown wire key", "    status: TRUE", "    statuss: TRUE #<", "acefone.user has no field 'statuss'. Did you mean 'status'?"},
		{"unknown HR column", "number: {column: Mobile}", "number: {column: Mobil} #<", "unknown HR column 'Mobil'. Did you mean 'Mobile'?"},
		{"template does not parse", `name: {template: "{{.FirstName}} {{.LastName}}"}`, `name: {template: "{{.FirstName} {{.LastName}}"} #<`,
			"acefone.user: name: the template cannot be read"},
		{"template does not render", `login_id: {template: "{{ascii (lower .FirstName)}}.{{ascii (lower .LastName)}}"}`,
			`login_id: {template: "{{slice .FirstName 2 10}}"} #<`, "for the example row (First name 'Jane') the plan's template (plan.yaml:"},
		{"template names no column", `name: {template: "{{.FirstName}} {{.LastName}}"}`, `name: {template: "{{.FirstNme}} {{.LastName}}"} #<`,
			"the template uses .FirstNme, which is not an HR column; did you mean .FirstName?"},
		{"template uses the password", `name: {template: "{{.FirstName}} {{.LastName}}"}`, `name: {template: "{{.Password}}"} #<`,
			"a template cannot use the Password column"},
		{"required field never filled", "  acefone.user:\n    name:", "  acefone.user: #<\n    name:",
			"acefone.user: Acefone needs status (Enabled) on every record, but the plan does not fill it"},
		{"role names no system", "Backup Only: [cove]", "Backup Only: [cov] #<", "roles: Backup Only: 'cov' is not a system. Did you mean 'cove'?"},
		{"role gives a site", "Backup Only: [cove]", "Backup Only: [cove, netsapiens.site] #<", "netsapiens.site is not given to people"},
		{"by_role names no role", "user-scope: {by_role: {Manager: Office Manager}, value: Basic User}", "user-scope: {by_role: {Manger: Office Manager}, value: Basic User} #<",
			"by_role names 'Manger', which is not a role in roles:. Did you mean 'Manager'?"},
		{"by_role misses a role", "user_role: {value: Agent}", "user_role: {by_role: {Manager: Agent}} #<",
			"by_role gives nothing for role"},
		{"constant breaks the vendor rule", "value: Basic User}", "value: Basic Usr} #<", "'Basic Usr' is not an allowed value. Did you mean 'Basic User'?"},
		{"password in targets", "    status: TRUE\n", "    status: TRUE\n    password: {column: Password} #<\n", "acefone.user: password is a password"},
		{"unknown derivation", "{derive: dtmf}", "{derive: dtfm} #<", "unknown derivation 'dtfm'. Did you mean 'dtmf'?"},
		{"derivation on the wrong column", "login-username: {derive: login-from-email}", "login-username: {derive: login-from-email, column: First name} #<",
			"for the example row (First name 'Jane') 'Jane' is not an email address"},
		{"column of the wrong kind", "directory-name-number-dtmf-mapping: {derive: dtmf}", "directory-name-number-dtmf-mapping: {column: First name} #<",
			"this gives 'Jane', but NetSapiens' Dial By Name Digits must be a whole number from 100 to 999"},
		{"two ways to fill", "number: {column: Mobile}", "number: {column: Mobile, value: 123} #<", "column goes with derive only"},
		{"name not in the lookup table", "user_role: {value: Agent}", "user_role: {value: Agnt} #<",
			"'Agnt' is not in the plan's acefone: roles table (Agent). Did you mean 'Agent'?"},
		{"list item not in the lookup table", "caller_id: {value: [Sales line, 102]}", "caller_id: {value: [Sales lin, 102]} #<", "Did you mean 'Sales line'?"},
		{"lookup ID not a number", "roles: {Agent: 3}", "roles: {Agent: three} #<", "acefone: roles: the ID of 'Agent' must be a whole number"},
		{"not YAML", "    create_agent: TRUE", "\tcreate_agent: TRUE #<", "not valid YAML"},
		{"key given twice", "    status: TRUE\n", "    status: TRUE\n    status: FALSE #<\n", "'status' is given twice"},
		{"unknown section", "passwords:", "passwrods: #<", "unknown section 'passwrods'. Did you mean 'passwords'?"},
		{"password too short", "length: 24}", "length: 8} #<", "length must be a whole number from 16 to 128"},
		{"password for a target without one", "  acefone.user: {generate: true}", "  acefone.user: {generate: true}\n  netsapiens.user: {generate: true} #<",
			"passwords: netsapiens.user has no password field"},
		{"unknown HR column in columns", "  Office: {values: [Denver HQ, London, Sydney]}", "  Offices: {values: [Denver HQ, London, Sydney]} #<", "columns: unknown HR column 'Offices'. Did you mean 'Office'?"},
		{"custom column with a known name", "  Office: {values: [Denver HQ, London, Sydney]}", "  Office: {values: [Denver HQ, London, Sydney]}\n  Mobile: {custom: true} #<",
			"columns: 'Mobile' is already the HR column 'Mobile'"},
	}
	drops := map[string]string{"required field never filled": "    status: TRUE\n"} // lines removed as well
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(testPlan, c.old) {
				t.Fatalf("test plan has no %q", c.old)
			}
			text := strings.Replace(testPlan, c.old, c.new, 1)
			if drop := drops[c.name]; drop != "" {
				text = strings.Replace(text, drop, "", 1)
			}
			line := markerLine(t, text)
			p, err := ParsePlan([]byte(text), "plan.yaml")
			if err == nil || p != nil {
				t.Fatalf("ParsePlan accepted the plan")
			}
			var got []string
			for _, pe := range planErrors(t, err) {
				got = append(got, pe.Error())
				if pe.Line == line && strings.Contains(pe.Message, c.want) {
					if !strings.HasPrefix(pe.Error(), fmt.Sprintf("plan.yaml:%d: ", line)) {
						t.Errorf("Error() = %q, want it to start with plan.yaml:%d", pe.Error(), line)
					}
					return
				}
			}
			t.Errorf("no error on line %d containing %q; got:\n  %s", line, c.want, strings.Join(got, "\n  "))
		})
	}
}

func TestPlanWithoutSections(t *testing.T) {
	cases := map[string]string{
		"":                         "the plan is empty",
		"roles: {A: [cove]}":       "the plan has no targets: section",
		"targets: {}":              "the plan has no roles: section",
		"roles: {}\ntargets: {}\n": "roles: lists no roles",
		"- a\n- b\n":               "the plan must be a mapping",
	}
	for text, want := range cases {
		_, err := ParsePlan([]byte(text), "p.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePlan(%q) = %v, want an error containing %q", text, err, want)
		}
	}
}

func TestRoleGivesTargetWithoutSection(t *testing.T) {
	text := `roles:
  Sales: [acefone] #<
targets:
  cove.user:
    EmailAddress: {column: Work email}
    Name: {derive: same-as-email}
`
	_, err := ParsePlan([]byte(text), "plan.yaml")
	if err == nil {
		t.Fatal("accepted a role giving a target the plan cannot fill")
	}
	pes := planErrors(t, err)
	if len(pes) != 1 || pes[0].Line != 2 || !strings.Contains(pes[0].Message, "roles: Sales gives acefone.user, but targets: has no acefone.user section") {
		t.Errorf("errors = %v", err)
	}
}

func TestLoadPlan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(testPlan, "status: TRUE", "status: maybe", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadPlan(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":") || !strings.Contains(err.Error(), "must be TRUE or FALSE") {
		t.Errorf("LoadPlan = %v, want an error naming %s and the line", err, path)
	}
	if _, err := LoadPlan(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "reading the onboarding plan") {
		t.Errorf("LoadPlan(missing) = %v", err)
	}
}

func TestPlanColumns(t *testing.T) {
	text := strings.Replace(testPlan, "columns:\n", `columns:
  Work email: {aliases: [Acme mail]}
  Mobile: {required: true}
  Cost centre: {custom: true, kind: digits, example: "4100"}
`, 1)
	text = strings.Replace(text, "    status: TRUE\n", "    status: TRUE\n    time_group: {template: \"CC{{.CostCentre}}\"}\n", 1)
	p := mustPlan(t, text)
	sheet := p.Sheet()
	if f := sheet.MatchHeader("ACME Mail"); f == nil || f.Key != WorkEmail {
		t.Errorf("plan alias not matched: %v", f)
	}
	if f := sheet.MatchHeader("Work E-mail *"); f == nil || f.Key != WorkEmail {
		t.Errorf("built-in alias not matched: %v", f)
	}
	if f := sheet.Field(Mobile); !f.Required {
		t.Error("Mobile not made required")
	}
	if f := sheet.Field("CostCentre"); f == nil || f.Label != "Cost centre" {
		t.Fatalf("custom column = %+v", f)
	}
	if f := sheet.Field(Office); len(f.Enum) != 3 || f.Example != "Denver HQ" {
		t.Errorf("Office values = %v", f.Enum)
	}
	if f := sheet.Field(Role); strings.Join(f.Enum, ",") != "Sales Agent,Manager,Backup Only" {
		t.Errorf("Role values = %v", f.Enum)
	}
	// The base description is not changed by a plan.
	if baseColumn(Mobile).Required || len(baseColumn(Office).Enum) != 0 {
		t.Error("a plan changed the base HR columns")
	}
	// The custom column reaches templates and is checked as digits.
	hdr := append(append([]string(nil), header...), "Cost Centre")
	r, _, err := p.NewReader("New Hires", hdr, 1)
	if err != nil {
		t.Fatal(err)
	}
	person, probs := r.Person(rowCells(append(row(nil), "4100")))
	if len(probs) != 0 {
		t.Fatalf("problems: %s", dump(probs))
	}
	recs, _ := p.Expand(person, Options{})
	if got := recs[1].Text("time_group"); got != "CC4100" {
		t.Errorf("time_group = %q", got)
	}
	r, _, _ = p.NewReader("New Hires", hdr, 1)
	_, probs = r.Person(rowCells(append(row(nil), "41-A")))
	if len(probs) != 1 || probs[0].Cell != "N2" || !strings.Contains(probs[0].Message, "Cost Centre (N2): must contain digits only") {
		t.Errorf("custom column problems: %s", dump(probs))
	}
}
