package hires

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/intake"
)

// testPlan is a small plan covering every target, with every name table
// given (nothing left to run time).
const testPlan = `
columns:
  Office: {values: [Denver HQ, London, Sydney]}
roles:
  Sales Agent: [netsapiens.user, acefone.user]
  Manager: [netsapiens.user, fonedynamics.login, cove.user]
  Backup Only: [cove]
targets:
  netsapiens.site:
    site: {column: Office}
    time-zone: {column: Time zone}
  netsapiens.user:
    user: {column: Extension}
    name-first-name: {column: First name}
    name-last-name: {column: Last name}
    email-address: {column: Work email}
    login-username: {derive: login-from-email}
    user-scope: {by_role: {Manager: Office Manager}, value: Basic User}
    site: {column: Office}
    time-zone: {column: Time zone}
    directory-name-number-dtmf-mapping: {derive: dtmf}
  acefone.user:
    name: {template: "{{.FirstName}} {{.LastName}}"}
    number: {column: Mobile}
    email: {column: Work email}
    login_id: {template: "{{ascii (lower .FirstName)}}.{{ascii (lower .LastName)}}"}
    create_agent: TRUE
    status: TRUE
    user_role: {value: Agent}
    caller_id: {value: [Sales line, 102]}
  fonedynamics.login:
    Email: {column: Work email}
    FirstName: {column: First name}
    LastName: {column: Last name}
    Scopes: {value: [Reporting, Manage]}
  cove.user:
    EmailAddress: {column: Work email}
    Name: {derive: same-as-email}
    RoleId: {by_role: {Manager: Manager}, value: Operator}
passwords:
  acefone.user: {generate: true}
  fonedynamics.login: {generate: true, length: 24}
acefone:
  roles: {Agent: 3}
  caller_ids: {Sales line: 101}
cove:
  roles: {Manager: 4, Operator: 5}
`

// header is the standard HR header: A First name ... M Password.
var header = []string{"First name", "Last name", "Work email", "Mobile", "Extension", "Department", "Office",
	"Job title", "Start date", "Time zone", "Role", "Systems", "Password"}

// row builds a row in header order from column label → text.
func row(vals map[string]string) []string {
	base := map[string]string{"First name": "Jane", "Last name": "Smith", "Work email": "jane.smith@acme.example",
		"Mobile": "+1 303 555 0142", "Extension": "101", "Department": "Sales", "Office": "Denver HQ",
		"Job title": "Account Executive", "Start date": "2025-03-03", "Time zone": "America/Denver", "Role": "Sales Agent"}
	for k, v := range vals {
		base[k] = v
	}
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = base[h]
	}
	return out
}

func mustPlan(t *testing.T, yaml string) *Plan {
	t.Helper()
	p, err := ParsePlan([]byte(yaml), "plan.yaml")
	if err != nil {
		t.Fatalf("ParsePlan: %v", err)
	}
	return p
}

// readPeople reads rows (numbered from 2) with the standard header.
func readPeople(t *testing.T, p *Plan, rows ...[]string) ([]*Person, []*Problem) {
	t.Helper()
	r, probs, err := p.NewReader("New Hires", header, 1)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var people []*Person
	for i, cells := range rows {
		person, rp := r.Person(intake.Row{Num: i + 2, Cells: cells})
		people = append(people, person)
		probs = append(probs, rp...)
	}
	return people, probs
}

// messages returns the problems' messages of a severity.
func messages(ps []*Problem, sev Severity) []string {
	var out []string
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, p.Message)
		}
	}
	return out
}

func findProblem(ps []*Problem, cell, rule string) *Problem {
	for _, p := range ps {
		if p.Cell == cell && p.Rule == rule {
			return p
		}
	}
	return nil
}

func dump(ps []*Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n  " + string(p.Severity) + " " + p.Cell + " " + p.Rule + ": " + p.Message)
	}
	return b.String()
}

func rowCells(cells []string) intake.Row { return intake.Row{Num: 2, Cells: cells} }

// nil2crypto returns the default source (crypto/rand) through Options.
func nil2crypto() io.Reader { return Options{}.rand() }

func errorsAs(err error, target any) bool { return errors.As(err, target) }
