package hires

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/intake"
)

func TestHeaderMatching(t *testing.T) {
	p := mustPlan(t, testPlan)
	hdr := []string{"Given name", "SURNAME", "E-mail", "Mobile Number", "ext.", "Dept", "Office / Site", "Position", "Start_Date", "Time Zone *", "role*", "Moble", "", "Role"}
	r, probs, err := p.NewReader("Starters", hdr, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{FirstName: 0, LastName: 1, WorkEmail: 2, Mobile: 3, Extension: 4, Department: 5, Office: 6, JobTitle: 7, StartDate: 8, TimeZone: 9, Role: 10}
	for k, i := range want {
		if got, ok := r.cols.index[k]; !ok || got != i {
			t.Errorf("%s → column %d (%v), want %d", k, got, ok, i)
		}
	}
	if len(probs) != 2 {
		t.Fatalf("problems: %s", dump(probs))
	}
	if p := probs[0]; p.Severity != SeverityWarning || p.Cell != "L3" || p.Suggestion != "Mobile" ||
		p.Message != "Column 'Moble' (L3) is not an HR column the plan knows, so it is ignored. Did you mean 'Mobile'?" {
		t.Errorf("unknown column: %+v", p)
	}
	if p := probs[1]; p.Severity != SeverityError || p.Cell != "N3" || !strings.Contains(p.Message, "repeats 'role*' (K3)") {
		t.Errorf("repeated column: %+v", p)
	}
	person, _ := r.Person(intake.Row{Num: 4, Cells: []string{"Jane", "Smith", "jane@acme.example", "", "", "", "", "", "", "", "Sales Agent"}})
	if person.Header(TimeZone) != "Time Zone" || person.Cell(TimeZone) != "J4" || person.Header(Systems) != "Systems" || person.Cell(Systems) != "" {
		t.Errorf("header/cell: %q %q %q %q", person.Header(TimeZone), person.Cell(TimeZone), person.Header(Systems), person.Cell(Systems))
	}
}

func TestMissingRequiredColumns(t *testing.T) {
	p := mustPlan(t, testPlan)
	_, _, err := p.NewReader("New Hires", []string{"First name", "Email", "Mobile"}, 1)
	var mc *MissingColumnsError
	if !errors.As(err, &mc) || strings.Join(mc.Missing, ",") != "Last name,Role" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "sheet 'New Hires' has no Last name, Role columns (the header is row 1)") {
		t.Errorf("message: %s", err)
	}
}

func TestReadRow(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, probs := readPeople(t, p,
		row(map[string]string{"Mobile": "N/A", "Role": "sales agent", "Time zone": "america/denver", "Start date": "45719", "Systems": "+Cove"}),
		row(map[string]string{"First name": "n/a", "Work email": "tom@acme.example", "Mobile": "+44 (0)20 7946 0018", "Start date": "13/04/2025"}),
		row(map[string]string{"Work email": "JANE.SMITH@acme.example", "Start date": "03/04/2025", "Extension": "1O1"}),
		row(map[string]string{"Work email": "ana@acme.example", "Role": "", "Start date": "3 March 2025", "Systems": "+cov"}),
		row(map[string]string{"Work email": "bo@acme.example", "Role": "Salse Agent", "Start date": "soon", "Time zone": "Europe/Londres"}),
	)
	jane := people[0]
	if jane.Text(Mobile) != "" || jane.Raw(Mobile) != "N/A" {
		t.Errorf("placeholder mobile: text %q raw %q", jane.Text(Mobile), jane.Raw(Mobile))
	}
	if jane.Role() != "Sales Agent" || jane.Text(TimeZone) != "America/Denver" || jane.Text(StartDate) != "2025-03-03" {
		t.Errorf("canonical texts: %q %q %q", jane.Role(), jane.Text(TimeZone), jane.Text(StartDate))
	}
	if jane.Invalid() || len(jane.changes) != 1 || !jane.changes[0].add || jane.changes[0].targets[0] != "cove.user" {
		t.Errorf("jane: invalid %v changes %+v", jane.Invalid(), jane.changes)
	}
	if people[1].Text(Mobile) != "+4402079460018" || people[1].Text(StartDate) != "2025-04-13" {
		t.Errorf("row 3: %q %q", people[1].Text(Mobile), people[1].Text(StartDate))
	}
	want := []string{
		"First name (A3): every person needs a first name; found 'n/a'",
		"Work email (C4): 'JANE.SMITH@acme.example' is also on row 2 (C2); each person needs one row and their own email",
		"Extension (E4): must contain digits only; found '1O1'",
		"Start date (I4): '03/04/2025' could be day/month or month/day; write it as 2025-04-03 or 2025-03-04",
		"Role (K5): every person needs a role; the cell is empty (the roles are Sales Agent, Manager, Backup Only)",
		"Systems (L5): 'cov' is not a system. Did you mean 'cove'? Write +cove to add a system or -acefone to remove one",
		"Start date (I6): must be a date such as 2025-03-03; found 'soon'",
		"Time zone (J6): 'Europe/Londres' is not an allowed value. Did you mean 'Europe/London'?",
		"Role (K6): 'Salse Agent' is not a role in the plan. Did you mean 'Sales Agent'?",
	}
	got := messages(probs, SeverityError)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if pr := findProblem(probs, "K6", RuleRole); pr == nil || pr.Suggestion != "Sales Agent" || pr.Row != 6 || pr.Column != "Role" {
		t.Errorf("role problem: %+v", pr)
	}
	if people[3].Text(StartDate) != "2025-03-03" || !people[3].Invalid() || people[3].Role() != "" {
		t.Errorf("row 5: %q %v %q", people[3].Text(StartDate), people[3].Invalid(), people[3].Role())
	}
}

func TestSystemsCell(t *testing.T) {
	cases := map[string]string{
		"+cove":                         "+cove.user",
		"cove":                          "+cove.user",
		"-acefone.user":                 "-acefone.user",
		"+Fone Dynamics; -netsapiens":   "+fonedynamics.login -netsapiens.user",
		" + cove , - ACEFONE ":          "+cove.user -acefone.user",
		"+netsapiens.user,\n-cove.user": "+netsapiens.user -cove.user",
	}
	for in, want := range cases {
		changes, msg, _ := parseSystems(in)
		var got []string
		for _, c := range changes {
			sign := "-"
			if c.add {
				sign = "+"
			}
			got = append(got, sign+strings.Join(c.targets, ","))
		}
		if msg != "" || strings.Join(got, " ") != want {
			t.Errorf("parseSystems(%q) = %v %q, want %s", in, got, msg, want)
		}
	}
	if _, msg, _ := parseSystems("+netsapiens.site"); !strings.Contains(msg, "sites are created per office") {
		t.Errorf("site in Systems: %q", msg)
	}
	if _, msg, sug := parseSystems("+zoom"); sug != "" || !strings.Contains(msg, "'zoom' is not a system (the systems are netsapiens, acefone") {
		t.Errorf("unknown system: %q %q", msg, sug)
	}
}

func TestPersonNeverShowsPassword(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p, row(map[string]string{"Password": "Sheet-Secret-991!"}))
	person := people[0]
	j, err := json.Marshal(person)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{string(j), fmt.Sprint(person), fmt.Sprintf("%+v", person), person.Raw(Password)} {
		if strings.Contains(s, "Sheet-Secret-991!") {
			t.Errorf("password shown: %s", s)
		}
	}
	if person.Text(Password) != "Sheet-Secret-991!" {
		t.Error("Text(Password) must return the password for the records")
	}
}
