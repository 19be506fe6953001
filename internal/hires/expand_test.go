package hires

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// planLine returns "plan.yaml:N" for the test plan's first line containing s.
func planLine(s string) string { return "plan.yaml:" + strconv.Itoa(markerLineOf(testPlan, s)) }

func targetIDs(recs []*Derived) string {
	var ids []string
	for _, d := range recs {
		ids = append(ids, d.Target.ID)
	}
	return strings.Join(ids, " ")
}

func TestRolesAndSystems(t *testing.T) {
	p := mustPlan(t, testPlan)
	cases := []struct {
		role, systems, want string
	}{
		{"Sales Agent", "", "netsapiens.user acefone.user"},
		{"Sales Agent", "+cove", "netsapiens.user acefone.user cove.user"},
		{"Manager", "-fonedynamics, +acefone.user", "netsapiens.user acefone.user cove.user"},
		{"Manager", "+acefone.user; -acefone", "netsapiens.user fonedynamics.login cove.user"},
		{"Backup Only", "Fone Dynamics", "fonedynamics.login cove.user"},
		{"Sales Agent", "-netsapiens, -acefone", ""},
	}
	for _, c := range cases {
		people, probs := readPeople(t, p, row(map[string]string{"Role": c.role, "Systems": c.systems}))
		if len(probs) > 0 {
			t.Fatalf("%s %s: %s", c.role, c.systems, dump(probs))
		}
		recs, probs := p.Expand(people[0], Options{})
		if got := targetIDs(recs); got != c.want {
			t.Errorf("%s with %q → %q, want %q", c.role, c.systems, got, c.want)
		}
		if c.want == "" {
			if len(probs) != 1 || probs[0].Severity != SeverityWarning || probs[0].Cell != "K2" || !strings.Contains(probs[0].Message, "gets no accounts") {
				t.Errorf("no-account warning: %s", dump(probs))
			}
		} else if len(probs) != 0 {
			t.Errorf("%s with %q: %s", c.role, c.systems, dump(probs))
		}
	}
}

func TestSystemsAddsTargetWithoutSection(t *testing.T) {
	p := mustPlan(t, `roles:
  Backup: [cove]
targets:
  cove.user:
    EmailAddress: {column: Work email}
    Name: {derive: same-as-email}
`)
	people, _ := readPeople(t, p, row(map[string]string{"Role": "Backup", "Systems": "+cove, +acefone"}))
	recs, probs := p.Expand(people[0], Options{})
	if len(probs) != 1 || probs[0].Cell != "L2" || probs[0].Message != "Systems (L2): adds acefone.user, but the plan (plan.yaml) has no targets: acefone.user section saying how to fill it" {
		t.Fatalf("problems: %s", dump(probs))
	}
	if targetIDs(recs) != "cove.user" || recs[0].OK() {
		t.Errorf("records %s; OK %v (the row has an error, so nothing is sent)", targetIDs(recs), recs[0].OK())
	}
}

func TestExpandValuesAndSources(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p, row(map[string]string{"First name": "José", "Last name": "O'Brien", "Work email": "Jose.OBrien@acme.example", "Role": "Manager", "Systems": "+acefone"}))
	recs, probs := p.Expand(people[0], Options{})
	if len(probs) != 0 {
		t.Fatalf("problems: %s", dump(probs))
	}
	byID := map[string]*Derived{}
	for _, d := range recs {
		byID[d.Target.ID] = d
		if !d.OK() {
			t.Errorf("%s not OK: %s", d.Target.ID, dump(d.Problems))
		}
	}
	ns := byID["netsapiens.user"]
	wantNS := map[string]any{"user": "101", "name-first-name": "José", "login-username": "jose.obrien@acme.example",
		"user-scope": "Office Manager", "directory-name-number-dtmf-mapping": int64(627), "site": "Denver HQ", "domain": "~"}
	for k, want := range wantNS {
		if got := ns.Record.Get(k); !reflect.DeepEqual(got, want) {
			t.Errorf("netsapiens.user %s = %#v, want %#v", k, got, want)
		}
	}
	dtmf, _ := ns.Value("directory-name-number-dtmf-mapping")
	if dtmf.Source.Kind != SourceDerived || strings.Join(dtmf.Source.Cells, ",") != "B2" || dtmf.Source.Plan != planLine("directory-name-number-dtmf-mapping") {
		t.Errorf("dtmf source = %+v", dtmf.Source)
	}
	scope, _ := ns.Value("user-scope")
	if scope.Source.Kind != SourceByRole || strings.Join(scope.Source.Cells, ",") != "K2" || scope.Source.Plan != planLine("user-scope:") {
		t.Errorf("user-scope source = %+v", scope.Source)
	}
	ace := byID["acefone.user"]
	if got := ace.Record.Get("login_id"); got != "jose.o'brien" {
		t.Errorf("login_id = %#v", got)
	}
	if got := ace.Record.Get("caller_id"); !reflect.DeepEqual(got, []int64{101, 102}) {
		t.Errorf("caller_id = %#v", got)
	}
	role, _ := ace.Value("user_role")
	if ace.Record.Get("user_role") != int64(3) || role.Name != "Agent" || role.Source.Kind != SourceConstant {
		t.Errorf("user_role = %#v (%+v)", ace.Record.Get("user_role"), role)
	}
	name, _ := ace.Value("name")
	if name.Text != "José O'Brien" || name.Source.Kind != SourceTemplate || strings.Join(name.Source.Cells, ",") != "A2,B2" {
		t.Errorf("name = %q %+v", name.Text, name.Source)
	}
	cove := byID["cove.user"]
	if cove.Record.Get("Name") != "Jose.OBrien@acme.example" || cove.Record.Get("EmailAddress") != "Jose.OBrien@acme.example" || cove.Record.Get("RoleId") != int64(4) {
		t.Errorf("cove = %v", cove.Redacted())
	}
	same, _ := cove.Value("Name")
	if same.Source.Kind != SourceSameAs || strings.Join(same.Source.Cells, ",") != "C2" {
		t.Errorf("cove Name source = %+v", same.Source)
	}
	fd := byID["fonedynamics.login"]
	if fd.Record.Get("Scopes") != "Reporting,Manage" || !fd.Generated() {
		t.Errorf("fonedynamics = %v", fd.Redacted())
	}
	if pw := fd.Text("Password"); len(pw) != 24 {
		t.Errorf("generated password has %d characters, want 24", len(pw))
	}
}

func TestProblemsTraceToHRCells(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, hrProbs := readPeople(t, p,
		row(map[string]string{"Mobile": "n/a"}),
		row(map[string]string{"First name": "Tom", "Work email": "tom@acme.example", "Mobile": "", "Extension": ""}),
		row(map[string]string{"First name": "Fang", "Work email": "wang@acme.example", "Last name": "王", "Extension": "103"}),
		row(map[string]string{"First name": "Li", "Work email": "ng@acme.example", "Last name": "Ng", "Extension": "104"}),
		row(map[string]string{"First name": "Bo", "Work email": "bad@acme", "Mobile": "n/a", "Extension": "105"}),
	)
	if len(hrProbs) != 1 || hrProbs[0].Cell != "C6" {
		t.Fatalf("HR problems: %s", dump(hrProbs))
	}
	b := p.ExpandAll(people, Options{Defaults: map[string]map[string]string{}})
	want := []string{
		"Mobile (D2): Acefone needs a mobile number; found 'n/a'",
		"Mobile (D3): Acefone needs a mobile number; the cell is empty",
		"Extension (E3): NetSapiens needs an extension; the cell is empty",
		"Last name (B4): cannot make a dial-by-name code from '王': the keypad spells only the letters A to Z (for NetSapiens' Dial By Name Digits; the plan at " + planLine("dtmf}") + " can give a fallback: {derive: dtmf, fallback: ...})",
		"Last name (B5): 'Ng' has only 2 letters; a dial-by-name code needs 3 (for NetSapiens' Dial By Name Digits; the plan at " + planLine("dtmf}") + " can give a fallback: {derive: dtmf, fallback: ...})",
		"Mobile (D6): Acefone needs a mobile number; found 'n/a'",
	}
	got := messages(b.Problems, SeverityError)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pr := findProblem(b.Problems, "D2", "required")
	if pr == nil || pr.Row != 2 || pr.Column != "Mobile" || pr.Target != "acefone.user" || pr.Field != "number" || pr.Plan != planLine("number:") || pr.Sheet != "New Hires" {
		t.Errorf("D2 problem = %+v", pr)
	}
	// Row 6's bad email is reported once (when the row is read); its
	// records are not sent, and its 'n/a' mobile is still reported.
	for _, d := range b.Records {
		if d.Person.Row == 6 {
			if d.OK() {
				t.Errorf("%s of row 6 is OK despite the bad email", d.Target.ID)
			}
			for _, pr := range d.Problems {
				if pr.Cell == "C6" {
					t.Errorf("bad email reported again: %s", pr.Message)
				}
			}
		}
		if d.Person.Row == 2 && d.Target.ID == "netsapiens.user" && !d.OK() {
			t.Errorf("row 2's NetSapiens user is fine but not OK: %s", dump(d.Problems))
		}
	}
	if findProblem(b.Problems, "D6", "required") == nil {
		t.Error("row 6's n/a mobile not reported")
	}
}

func TestProblemsTraceToPlanAndTemplates(t *testing.T) {
	text := strings.Replace(testPlan, "    user: {column: Extension}\n", "    user: {column: Extension}\n    domain: {template: \"{{lower .Department}}.acme.example\"}\n", 1)
	text = strings.Replace(text, "caller_id: {value: [Sales line, 102]}", "caller_id: {by_role: {Sales Agent: Sales line}}", 1)
	text = strings.Replace(text, "  acefone.user: {generate: true}\n", "", 1)
	p := mustPlan(t, text)
	people, _ := readPeople(t, p,
		row(map[string]string{"Department": "R&D"}),
		row(map[string]string{"First name": "Mo", "Extension": "102", "Work email": "mo@acme.example", "Role": "Manager", "Systems": "+acefone", "Password": "Typed-By-HR-123"}),
	)
	b := p.ExpandAll(people, Options{})
	want := []string{
		"Department (F2): NetSapiens' Domain must match letters, digits, '.', '_' and '-' (or ~ for the token's own domain); found 'r&d.acme.example'",
		"Password (M2): Acefone needs a password; type one in the Password column, or let the plan generate them (passwords: acefone.user: {generate: true})",
		"Role (K3): Acefone needs caller IDs, but the plan (plan.yaml:" + strconv.Itoa(markerLineOf(text, "caller_id:")) + ") gives none for role 'Manager'; add it under by_role",
	}
	got := messages(b.Problems, SeverityError)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if pr := findProblem(b.Problems, "F2", "pattern"); pr == nil || pr.Plan != "plan.yaml:"+strconv.Itoa(markerLineOf(text, "domain:")) || pr.Target != "netsapiens.user" || pr.Field != "domain" {
		t.Errorf("template problem = %+v", pr)
	}
	// The sheet's password is used, and is not a generated one.
	for _, d := range b.Records {
		if d.Person.Row == 3 && d.Target.ID == "acefone.user" {
			v, _ := d.Value("password")
			if v.Source.Kind != SourcePassword || d.Generated() || v.Display() != "********" {
				t.Errorf("sheet password: %+v generated %v", v.Source, d.Generated())
			}
		}
	}
}

func TestFallbacks(t *testing.T) {
	text := strings.Replace(testPlan, "{derive: dtmf}", "{derive: dtmf, fallback: \"\"}", 1)
	text = strings.Replace(text, "    status: TRUE\n", "    status: TRUE\n    time_group: {column: Department, fallback: Day Shift}\n    agent_group: {template: \"{{.Department}}{{.JobTitle}}\", fallback: General}\n", 1)
	p := mustPlan(t, text)
	// A sheet without the Job title column.
	hdr := append(append([]string(nil), header[:7]...), header[8:]...)
	cells := row(map[string]string{"Last name": "王", "Department": ""})
	cells = append(cells[:7], cells[8:]...)
	r, _, err := p.NewReader("New Hires", hdr, 1)
	if err != nil {
		t.Fatal(err)
	}
	person, probs := r.Person(rowCells(cells))
	if len(probs) != 0 {
		t.Fatalf("problems: %s", dump(probs))
	}
	b := p.ExpandAll([]*Person{person}, Options{})
	if b.Count(SeverityError) != 0 {
		t.Fatalf("errors: %s", dump(b.Problems))
	}
	pr := findProblem(b.Problems, "B2", RuleFallback)
	if pr == nil || pr.Severity != SeverityWarning ||
		pr.Message != "Last name (B2): cannot make a dial-by-name code from '王': the keypad spells only the letters A to Z; NetSapiens' Dial By Name Digits is left empty as the plan's fallback ("+"plan.yaml:"+strconv.Itoa(markerLineOf(text, "dtmf,"))+") says" {
		t.Errorf("fallback warning = %+v", pr)
	}
	for _, d := range b.Records {
		switch d.Target.ID {
		case "netsapiens.user":
			if _, ok := d.Value("directory-name-number-dtmf-mapping"); ok || !d.OK() {
				t.Errorf("dtmf should be left out: %v", d.Redacted())
			}
		case "acefone.user":
			if v, _ := d.Value("time_group"); v.Text != "Day Shift" || v.Source.Kind != SourceFallback {
				t.Errorf("time_group = %+v", v)
			}
			// A template over empty cells (and a column the sheet lacks) gives nothing, then the fallback.
			if v, _ := d.Value("agent_group"); v.Text != "General" || v.Source.Kind != SourceFallback {
				t.Errorf("agent_group = %+v", v)
			}
		}
	}
}

func TestOneSitePerOffice(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p,
		row(map[string]string{"Work email": "bad@acme", "Extension": "100"}),                                   // 2: Denver, row error
		row(map[string]string{"Work email": "a@acme.example", "Extension": "101", "Time zone": "US/Mountain"}), // 3: Denver, read for the site
		row(map[string]string{"Work email": "b@acme.example", "Extension": "102"}),                             // 4: Denver, other time zone
		row(map[string]string{"Work email": "c@acme.example", "Extension": "103", "Office": "London", "Time zone": "Europe/London", "Role": "Manager"}),
		row(map[string]string{"Work email": "d@acme.example", "Extension": "104", "Office": "Sydney", "Role": "Backup Only"}), // no NetSapiens user
		row(map[string]string{"Work email": "e@acme.example", "Extension": "105", "Office": ""}),                              // no office
		row(map[string]string{"Work email": "f@acme.example", "Extension": "106", "Office": "London", "Time zone": "Europe/London"}),
	)
	b := p.ExpandAll(people, Options{})
	var sites []*Derived
	for _, d := range b.Records {
		if d.Target.ID == "netsapiens.site" {
			sites = append(sites, d)
		}
	}
	if len(sites) != 2 || b.Records[0] != sites[0] || b.Records[1] != sites[1] {
		t.Fatalf("sites: %d, records: %s", len(sites), targetIDs(b.Records))
	}
	denver, london := sites[0], sites[1]
	if denver.Text("site") != "Denver HQ" || denver.Person.Row != 3 || denver.Text("time-zone") != "US/Mountain" || !denver.OK() {
		t.Errorf("Denver site: %v from row %d, OK %v", denver.Redacted(), denver.Person.Row, denver.OK())
	}
	if rows := []int{denver.Others[0].Row, denver.Others[1].Row}; rows[0] != 2 || rows[1] != 4 {
		t.Errorf("Denver others = %v", rows)
	}
	if london.Text("site") != "London" || london.Person.Row != 5 || len(london.Others) != 1 || london.Record.Get("time-zone") != "Europe/London" {
		t.Errorf("London site: %v", london.Redacted())
	}
	var conflicts []string
	for _, pr := range b.Problems {
		if pr.Rule == RuleConflict {
			conflicts = append(conflicts, pr.Message)
		}
	}
	want := []string{
		"Time zone (J2): the NetSapiens site 'Denver HQ' takes its Time Zone from row 3 ('US/Mountain'), and this row says 'America/Denver'; only the first is used",
		"Time zone (J4): the NetSapiens site 'Denver HQ' takes its Time Zone from row 3 ('US/Mountain'), and this row says 'America/Denver'; only the first is used",
	}
	if strings.Join(conflicts, "\n") != strings.Join(want, "\n") {
		t.Errorf("conflicts:\n%s", strings.Join(conflicts, "\n"))
	}
}

func TestUniqueAcrossPeople(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p,
		row(map[string]string{}),
		row(map[string]string{"Work email": "jane.smith2@acme.example"}),
		row(map[string]string{"Work email": "other@acme.example", "First name": "Ann", "Extension": "102"}),
	)
	b := p.ExpandAll(people, Options{Defaults: map[string]map[string]string{"netsapiens": {"domain": "acme.example"}}})
	want := []string{
		"First name (A3), Last name (B3): 'jane.smith' is also used by row 2 (A2, B2); Acefone needs a unique login ID",
		"Extension (E3): '101' is also used by row 2 (E2); NetSapiens needs a unique extension per domain",
	}
	got := messages(b.Problems, SeverityError)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if pr := findProblem(b.Problems, "A3", "unique"); pr == nil || strings.Join(pr.Cells, ",") != "A3,B3" {
		t.Errorf("unique problem cells: %+v", pr)
	}
	for _, d := range b.Records {
		if d.Target.ID == "netsapiens.user" && d.Text("domain") != "acme.example" {
			t.Errorf("domain from the config defaults = %q", d.Text("domain"))
		}
	}
	if n := len(b.Ready()); n != 5 { // 2 sites? no: one Denver site + rows 2, 4 users + rows 2, 4 Acefone
		t.Errorf("ready records = %d, want 5: %s", n, targetIDs(b.Ready()))
	}
}

func TestPathDefaults(t *testing.T) {
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p, row(map[string]string{"Role": "Manager"}), row(map[string]string{"Role": "Manager", "Work email": "x@acme.example", "Extension": "102"}))

	b := p.ExpandAll(people, Options{}) // no config: warnings only
	if b.Count(SeverityError) != 0 || b.Count(SeverityWarning) != 2 {
		t.Errorf("without a config: %s", dump(b.Problems))
	}
	if pr := b.Problems[0]; pr.Field != "PropertySid" || pr.Message != "Fone Dynamics' Property SID (PropertySid) comes from the run config's defaults (fonedynamics: defaults: PropertySid: ...); no config was given, so it is not checked here" {
		t.Errorf("first warning: %+v", pr)
	}

	b = p.ExpandAll(people, Options{Defaults: map[string]map[string]string{}}) // a config without defaults
	got := messages(b.Problems, SeverityError)
	want := []string{
		"Fone Dynamics needs a property SID (PropertySid) on every record: set it in the run config (fonedynamics: defaults: PropertySid: ...) or in the plan (targets: fonedynamics.login: PropertySid: {value: ...})",
		"Cove needs a partner ID (PartnerId) on every record: set it in the run config (cove: defaults: PartnerId: ...) or in the plan (targets: cove.user: PartnerId: {value: ...})",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s", strings.Join(got, "\n"))
	}
	if len(b.Ready()) != 3 { // the site and two NetSapiens users
		t.Errorf("ready: %s", targetIDs(b.Ready()))
	}

	b = p.ExpandAll(people, Options{Defaults: map[string]map[string]string{"fonedynamics": {"PropertySid": "bad sid!"}, "cove": {"PartnerId": "123456"}}})
	// The SID's format is onboard's advice (the vendor documents none): a
	// warning per record, and the value is sent as typed.
	got = messages(b.Problems, SeverityWarning)
	if len(messages(b.Problems, SeverityError)) != 0 || len(got) != 2 || !strings.HasPrefix(got[0], "Row 2: Fone Dynamics' Property SID must match letters and digits, as the portal shows the property SID; found 'bad sid!' (onboard's advice") ||
		!strings.HasSuffix(got[0], "(from the run config's fonedynamics defaults)") {
		t.Errorf("bad default: %s", dump(b.Problems))
	}
	for _, d := range b.Records {
		if d.Target.ID == "cove.user" {
			if v, _ := d.Value("PartnerId"); d.Record.Get("PartnerId") != int64(123456) || v.Source.Kind != SourceConfig {
				t.Errorf("PartnerId = %#v from %s", d.Record.Get("PartnerId"), v.Source.Kind)
			}
		}
	}
}

type fakeRoles struct {
	roles map[string]int64
	err   error
	calls int
}

func (f *fakeRoles) CoveRoles(context.Context) (map[string]int64, error) {
	f.calls++
	return f.roles, f.err
}

func TestRuntimeNames(t *testing.T) {
	text := strings.Replace(testPlan, "cove:\n  roles: {Manager: 4, Operator: 5}\n", "", 1)
	p := mustPlan(t, text)
	if pend := p.Pending(); len(pend) != 1 || pend[0].Target != "cove.user" || pend[0].Key != "RoleId" {
		t.Fatalf("Pending = %+v", pend)
	}
	people, _ := readPeople(t, p, row(map[string]string{"Role": "Manager"}))
	b := p.ExpandAll(people, Options{})
	var cove *Derived
	for _, d := range b.Records {
		if d.Target.ID == "cove.user" {
			cove = d
		}
	}
	if cove == nil || cove.OK() || strings.Join(cove.Pending(), ",") != "RoleId" || cove.Record.Get("RoleId") != nil {
		t.Fatalf("cove before Resolve: %v", cove)
	}
	note := findProblem(b.Problems, "", RulePending)
	if note == nil || note.Severity != SeverityNote || !strings.Contains(note.Message, "Cove's Role ID: the Cove role names 'Manager' are resolved at run time") {
		t.Errorf("pending note = %+v", note)
	}
	if b.Count(SeverityError) != 0 {
		t.Errorf("errors: %s", dump(b.Problems))
	}

	if err := p.Resolve(context.Background(), nil); err == nil {
		t.Error("Resolve without a resolver accepted pending names")
	}
	boom := errors.New("visa expired")
	if err := p.Resolve(context.Background(), &fakeRoles{err: boom}); !errors.Is(err, boom) {
		t.Errorf("Resolve error = %v", err)
	}
	err := p.Resolve(context.Background(), &fakeRoles{roles: map[string]int64{"Manager": 7, "Operatorr": 9}})
	var pe *PlanError
	if !errors.As(err, &pe) || pe.Line != markerLineOf(text, "RoleId:") || !strings.Contains(pe.Message, "'Operator' is not in cove's own list (Manager, Operatorr). Did you mean 'Operatorr'?") {
		t.Errorf("Resolve with a missing role = %v", err)
	}
	if err := p.Resolve(context.Background(), &fakeRoles{roles: map[string]int64{"Manager": 7, "Operator": 9}}); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if len(p.Pending()) != 0 {
		t.Error("still pending after Resolve")
	}
	recs, _ := p.Expand(people[0], Options{Defaults: map[string]map[string]string{"cove": {"PartnerId": "1"}, "fonedynamics": {"PropertySid": "S1"}}})
	for _, d := range recs {
		if !d.OK() {
			t.Errorf("%s not OK after Resolve: %s", d.Target.ID, dump(d.Problems))
		}
		if d.Target.ID == "cove.user" {
			v, _ := d.Value("RoleId")
			if d.Record.Get("RoleId") != int64(7) || v.Name != "Manager" {
				t.Errorf("RoleId = %#v (%q)", d.Record.Get("RoleId"), v.Name)
			}
		}
	}
	// A plan that gives the table never calls the resolver.
	full := mustPlan(t, testPlan)
	f := &fakeRoles{}
	if err := full.Resolve(context.Background(), f); err != nil || f.calls != 0 {
		t.Errorf("Resolve on a complete plan: %v, %d calls", err, f.calls)
	}
}

// markerLineOf returns the 1-based line of the first line containing s.
func markerLineOf(text, s string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

func TestConcurrentExpansion(t *testing.T) {
	p := mustPlan(t, testPlan)
	done := make(chan *Batch)
	for g := 0; g < 6; g++ {
		go func() {
			r, _, _ := p.NewReader("New Hires", header, 1)
			var people []*Person
			for i := 0; i < 20; i++ {
				person, _ := r.Person(rowCells(row(map[string]string{"Work email": strconv.Itoa(i) + "@acme.example", "Extension": strconv.Itoa(100 + i), "First name": "P" + strconv.Itoa(i)})))
				people = append(people, person)
			}
			done <- p.ExpandAll(people, Options{})
		}()
	}
	for g := 0; g < 6; g++ {
		if b := <-done; len(b.Records) != 41 || b.Count(SeverityError) != 0 {
			t.Errorf("%d records: %s", len(b.Records), dump(b.Problems))
		}
	}
}
