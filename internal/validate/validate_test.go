package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

var nsHeader = []string{"Domain", "Extension", "First Name", "Last Name", "Email", "User Scope", "Caller ID Privacy",
	"Voicemail PIN", "Time Zone", "Ring Timeout (s)", "Dial By Name Order", "Voicemail Greeting", "Caller ID Number",
	"Area Code", "Dial By Name Digits"}

// nsRow is a valid NetSapiens user row for nsHeader, changed by edits
// (column letter → text).
func nsRow(ext string, edits map[string]string) []string {
	row := []string{"example.com", ext, "Jane", "Smith", "jane@example.com", "Basic User", "no", "0042",
		"America/New_York", "25", "0", "0", "15551234567", "303", "764"}
	for col, v := range edits {
		row[col[0]-'A'] = v
	}
	return row
}

func TestNetSapiensUserRules(t *testing.T) {
	path := writeXLSX(t, sheetData{name: "NetSapiens Users", rows: [][]string{
		nsHeader,
		nsRow("101", map[string]string{"E": "jane@example.com; jane.s@example.com", "F": "basic user"}),         // 2
		nsRow("102", map[string]string{"A": "", "F": "Ofice Manager"}),                                          // 3
		nsRow("103", map[string]string{"C": "", "J": "3601"}),                                                   // 4
		nsRow("104", map[string]string{"K": "101", "L": "-1", "M": "5", "N": "99"}),                             // 5
		nsRow("105", map[string]string{"H": "12a4", "E": "jane@example.com;bob", "I": "Mars/Olympus"}),          // 6
		nsRow("106", map[string]string{"O": "1000"}),                                                            // 7
		nsRow("101", map[string]string{"A": "EXAMPLE.COM"}),                                                     // 8: duplicate of row 2
		nsRow("101", map[string]string{"A": "other.example.com", "J": "0", "K": "100", "N": "999", "O": "100"}), // 9: other domain
		nsRow("110", map[string]string{"J": "abc"}),                                                             // 10
	}})
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	const sheet = "NetSapiens Users"

	r2 := o.row(t, sheet, 2)
	if !r2.Valid || len(r2.Issues) != 0 {
		t.Fatalf("row 2 should be valid: %+v", r2.Issues)
	}
	if got := r2.Record.Get("email-address"); got != "jane@example.com;jane.s@example.com" {
		t.Errorf("multi email = %q", got)
	}
	if got := r2.Record.Get("user-scope"); got != "Basic User" {
		t.Errorf("enum case not normalised: %q", got)
	}
	if got := r2.Record.Get("voicemail-login-pin"); got != "0042" {
		t.Errorf("digits lost leading zeros: %q", got)
	}
	if got := r2.Record.Get("directory-name-number-dtmf-mapping"); got != int64(764) {
		t.Errorf("integer = %#v", got)
	}
	if got := r2.Record.Get("privacy"); got != "no" {
		t.Errorf("yes/no = %#v", got)
	}

	r3 := o.row(t, sheet, 3)
	if got := r3.Record.Get("domain"); got != "~" {
		t.Errorf("empty domain should take the path default ~, got %#v", got)
	}
	scope := r3.issue(t, "user-scope")
	if scope.Rule != schema.RuleEnum || scope.Suggestion != "Office Manager" || !strings.Contains(scope.Message, "Did you mean 'Office Manager'?") {
		t.Errorf("enum near-miss: %+v", scope)
	}
	if scope.Cell != "F3" || scope.Column != "User Scope" || scope.Value != "Ofice Manager" {
		t.Errorf("enum issue location: %+v", scope)
	}

	r4 := o.row(t, sheet, 4)
	req := r4.issue(t, "name-first-name")
	if req.Rule != schema.RuleRequired || req.Cell != "C4" || !strings.HasPrefix(req.Message, "Sheet 'NetSapiens Users', cell C4 (First Name): required") {
		t.Errorf("required: %+v", req)
	}
	if is := r4.issue(t, "ring-no-answer-timeout-seconds"); is.Rule != schema.RuleRange || !strings.Contains(is.Message, "from 0 to 3600; found '3601'") {
		t.Errorf("0-3600: %+v", is)
	}

	r5 := o.row(t, sheet, 5)
	for field, want := range map[string]string{
		"directory-override-order-duplicate-dtmf-mapping": "from 0 to 100; found '101'",
		"voicemail-greeting-index":                        "of at least 0; found '-1'",
		"caller-id-number":                                "of at least 10; found '5'",
		"area-code":                                       "from 100 to 999; found '99'",
	} {
		if is := r5.issue(t, field); is.Rule != schema.RuleRange || !strings.HasSuffix(is.Message, want) {
			t.Errorf("%s: %+v", field, is)
		}
	}

	r6 := o.row(t, sheet, 6)
	if is := r6.issue(t, "voicemail-login-pin"); is.Rule != schema.RuleDigits {
		t.Errorf("digits: %+v", is)
	}
	if is := r6.issue(t, "email-address"); is.Rule != schema.RuleEmail || !strings.Contains(is.Message, "'bob' is not a valid address") || !strings.Contains(is.Message, "';'") {
		t.Errorf("multi email: %+v", is)
	}
	if is := r6.issue(t, "time-zone"); is.Rule != schema.RuleEnum {
		t.Errorf("time zone: %+v", is)
	}
	if got := r6.issueFields(); got != "email-address,voicemail-login-pin,time-zone" {
		t.Errorf("issues should be in column order, got %s", got)
	}

	r7 := o.row(t, sheet, 7)
	want := "Sheet 'NetSapiens Users', cell O7 (Dial By Name Digits): must be a whole number from 100 to 999; found '1000'"
	if is := r7.issue(t, "directory-name-number-dtmf-mapping"); is.Message != want || is.Detail != "must be a whole number from 100 to 999; found '1000'" || is.Value != "1000" {
		t.Errorf("message:\n got %q\nwant %q", is.Message, want)
	}

	r8 := o.row(t, sheet, 8)
	dup := r8.issue(t, "user")
	if dup.Rule != schema.RuleUnique || dup.Cell != "B8" || !strings.HasSuffix(dup.Message, "Extension 101 in domain EXAMPLE.COM is already used on row 2") {
		t.Errorf("unique: %+v", dup)
	}
	if r2.Valid != true || len(o.row(t, sheet, 2).Issues) != 0 {
		t.Errorf("the first occurrence must not be flagged")
	}
	if r9 := o.row(t, sheet, 9); !r9.Valid {
		t.Errorf("same extension in another domain (and range edges) must be valid: %+v", r9.Issues)
	}
	if is := o.row(t, sheet, 10).issue(t, "ring-no-answer-timeout-seconds"); is.Rule != schema.RuleInteger {
		t.Errorf("integer: %+v", is)
	}

	if o.sum.Rows != 9 || o.sum.Valid != 2 || o.sum.Invalid != 7 {
		t.Errorf("counts rows=%d valid=%d invalid=%d", o.sum.Rows, o.sum.Valid, o.sum.Invalid)
	}
	wantTargets := []SheetSummary{{Target: "netsapiens.user", Sheet: sheet, Rows: 9, Valid: 2, Invalid: 7}}
	if !reflect.DeepEqual(o.sum.Targets, wantTargets) {
		t.Errorf("targets = %+v", o.sum.Targets)
	}
	if len(o.sheets) != 1 || o.sheets[0].Rows != 9 || o.sheets[0].Invalid != 7 || o.begun != 1 {
		t.Errorf("sheet events: begun %d, ended %+v", o.begun, o.sheets)
	}
}

func TestYesNoAndBooleanNormalisation(t *testing.T) {
	inputs := []string{"yes", "no", "true", "false", "y", "n", "1", "0", "YES", "False"}
	yes := map[string]bool{"yes": true, "true": true, "y": true, "1": true, "YES": true}
	rows := [][]string{{"Extension", "First Name", "Last Name", "Email", "User Scope", "Caller ID Privacy"}}
	ace := [][]string{{"Name", "Mobile Number", "Create Agent", "Email", "Login ID", "Role ID", "Password", "Enabled", "Caller IDs"}}
	for i, in := range inputs {
		rows = append(rows, []string{strconv.Itoa(200 + i), "A", "B", "a@example.com", "Basic User", in})
		ace = append(ace, []string{"A B", "919876543210", in, "a@example.com", "login" + strconv.Itoa(i), "1", "pw", in, "7"})
	}
	rows = append(rows, []string{"299", "A", "B", "a@example.com", "Basic User", "maybe"})
	ace = append(ace, []string{"A B", "919876543210", "maybe", "a@example.com", "loginx", "1", "pw", "TRUE", "7"})
	o := validateFile(t, writeXLSX(t, sheetData{"Users", rows}, sheetData{"Acefone", ace}), Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	for i, in := range inputs {
		want := "no"
		if yes[in] {
			want = "yes"
		}
		if got := o.row(t, "Users", i+2).Record.Get("privacy"); got != want {
			t.Errorf("yes/no %q → %#v, want %q", in, got, want)
		}
		if got := o.row(t, "Acefone", i+2).Record.Get("create_agent"); got != yes[in] {
			t.Errorf("boolean %q → %#v", in, got)
		}
	}
	last := len(inputs) + 2
	if is := o.row(t, "Users", last).issue(t, "privacy"); is.Rule != schema.RuleYesNo {
		t.Errorf("yes/no error: %+v", is)
	}
	if is := o.row(t, "Acefone", last).issue(t, "create_agent"); is.Rule != schema.RuleBoolean {
		t.Errorf("boolean error: %+v", is)
	}
}

func TestAcefoneRules(t *testing.T) {
	header := []string{"Name", "Mobile Number", "Create Agent", "Email", "Login ID", "Role ID", "Password", "Enabled", "Caller IDs", "Users For CDR", "Agent Groups"}
	path := writeXLSX(t, sheetData{"Acefone Users", [][]string{
		header,
		{"Priya Sharma", "+91 98765-43210", "TRUE", "priya@example.com", "priya", "3", "S3cret!", "yes", "101, 102", `{"a": 1}`, "sales group, support"},
		{"Dup", "919876543210", "maybe", "dup@example.com", "PRIYA", "0", "pw", "no", "101, x", "{bad", ""},
		{"Bad", "12ab", "FALSE", "not-an-email", "bad", "2", "", "TRUE", "5", "", ""},
	}})
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	r2 := o.row(t, "Acefone Users", 2)
	if !r2.Valid {
		t.Fatalf("row 2: %+v", r2.Issues)
	}
	for key, want := range map[string]any{
		"number": "+919876543210", "create_agent": true, "status": true, "caller_id": []int64{101, 102},
		"user_for_cdr": json.RawMessage(`{"a": 1}`), "agent_group": []string{"sales group", "support"}, "user_role": int64(3),
	} {
		if got := r2.Record.Get(key); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", key, got, want)
		}
	}
	r3 := o.row(t, "Acefone Users", 3)
	for field, rule := range map[string]string{"create_agent": schema.RuleBoolean, "user_role": schema.RuleRange,
		"caller_id": schema.RuleInteger, "user_for_cdr": schema.RuleJSON, "login_id": schema.RuleUnique} {
		if is := r3.issue(t, field); is.Rule != rule {
			t.Errorf("%s: rule %s, want %s (%s)", field, is.Rule, rule, is.Message)
		}
	}
	if is := r3.issue(t, "login_id"); !strings.HasSuffix(is.Message, "Login ID PRIYA is already used on row 2") || is.Cell != "E3" {
		t.Errorf("unique login: %+v", is)
	}
	r4 := o.row(t, "Acefone Users", 4)
	if is := r4.issue(t, "number"); is.Rule != schema.RulePhone {
		t.Errorf("phone: %+v", is)
	}
	if is := r4.issue(t, "email"); is.Rule != schema.RuleEmail {
		t.Errorf("email: %+v", is)
	}
	if is := r4.issue(t, "password"); is.Rule != schema.RuleRequired || is.Value != "" {
		t.Errorf("secret required: %+v", is)
	}
}

func TestFoneDynamicsRules(t *testing.T) {
	rows := [][]string{
		{"Email", "Password", "First Name", "Last Name", "Scopes", "Enabled"},
		{"jane@example.com", "pw", "Jane", "Smith", " reporting , INTEGRATIONS ,", "true"},
		{"JANE@example.com", "pw", "Jane", "Smith", "Reporting", ""},
		{"bob@example.com", "pw", "Bob", "Jones", "Reportng", "no"},
	}
	t.Run("default property", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t, sheetData{"Fone Dynamics Logins", rows}),
			Options{Defaults: Defaults{"fonedynamics": {"PropertySid": "S123ABC"}}})
		if o.err != nil {
			t.Fatal(o.err)
		}
		r2 := o.row(t, "Fone Dynamics Logins", 2)
		if !r2.Valid || r2.Record.Get("Scopes") != "Reporting,Integrations" || r2.Record.Get("PropertySid") != "S123ABC" || r2.Record.Get("Enabled") != true {
			t.Errorf("row 2: valid=%v %v %+v", r2.Valid, r2.Record.Values, r2.Issues)
		}
		if is := o.row(t, "Fone Dynamics Logins", 3).issue(t, "Email"); is.Rule != schema.RuleUnique ||
			!strings.HasSuffix(is.Message, "Email JANE@example.com is already used on row 2") {
			t.Errorf("the email is the username, unique across properties: %+v", is)
		}
		if is := o.row(t, "Fone Dynamics Logins", 4).issue(t, "Scopes"); is.Suggestion != "Reporting" || !strings.Contains(is.Message, "Did you mean 'Reporting'?") {
			t.Errorf("scope near-miss: %+v", is)
		}
	})
	t.Run("missing property column", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t, sheetData{"Fone Dynamics Logins", rows}), Options{})
		if o.err != nil {
			t.Fatal(o.err)
		}
		// The missing column, row 3's repeated email (unique across
		// properties, so checkable without one) and row 4's scope.
		if len(o.sum.Errors) != 3 {
			t.Fatalf("errors: %+v", o.sum.Errors)
		}
		is := o.sum.Errors[0]
		if is.Rule != RuleMissingColumn || is.Field != "PropertySid" || is.Row != 1 || is.Cell != "" || is.Column != "Property SID" ||
			!strings.Contains(is.Message, "--default fonedynamics.PropertySid=VALUE") {
			t.Errorf("missing column: %+v", is)
		}
		if o.sum.Valid != 0 || o.sum.Invalid != 3 {
			t.Errorf("every row of a sheet missing a required column is invalid: %+v", o.sum)
		}
	})
}

func TestCoveRules(t *testing.T) {
	path := writeXLSX(t, sheetData{"Cove Users", [][]string{
		{"Partner ID", "Login Name", "Email", "Password", "Role ID"},
		{"123", "a@x.com", "a@x.com", "", "1"},
		{"123", "B@x.com", "b@x.com", "pw", ""},
		{"123", "c@x.com", "d@x.com", "", ""},
		{"123", "A@X.com", "a@x.com", "", ""},
		{"0", "e@x.com", "e@x.com", "", ""},
	}})
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if r := o.row(t, "Cove Users", 2); !r.Valid || r.Record.Get("PartnerId") != int64(123) || r.Record.Get("Password") != nil {
		t.Errorf("row 2: %+v %v", r.Issues, r.Record.Values)
	}
	if r := o.row(t, "Cove Users", 3); !r.Valid || r.Record.Get("Name") != "b@x.com" {
		t.Errorf("a case-only difference should be accepted and normalised: %+v %v", r.Issues, r.Record.Get("Name"))
	}
	is := o.row(t, "Cove Users", 4).issue(t, "Name")
	if is.Rule != schema.RuleSameAs || is.Cell != "B4" || is.Detail != "must be the same as Email ('d@x.com'); found 'c@x.com'" {
		t.Errorf("same-as: %+v", is)
	}
	if is := o.row(t, "Cove Users", 5).issue(t, "Name"); is.Rule != schema.RuleUnique ||
		!strings.HasSuffix(is.Message, "Login Name a@x.com in partner ID 123 is already used on row 2") {
		t.Errorf("unique login per partner: %+v", is)
	}
	if is := o.row(t, "Cove Users", 6).issue(t, "PartnerId"); is.Rule != schema.RuleRange {
		t.Errorf("partner ≥ 1: %+v", is)
	}
}

func TestSitesUniqueAcrossSheets(t *testing.T) {
	head := []string{"Domain", "Site", "Max Storage (KB)", "Max Active Calls"}
	path := writeXLSX(t,
		sheetData{"NetSapiens Sites", [][]string{head, {"example.com", "Denver HQ", "0", "3600"}, {"example.com", "Austin", "-5", "3601"}}},
		sheetData{"Sites", [][]string{head, {"example.com", "Chicago", "", ""}, {"example.com", "denver hq", "", ""}}},
	)
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if r := o.row(t, "NetSapiens Sites", 2); !r.Valid {
		t.Errorf("row 2: %+v", r.Issues)
	}
	r3 := o.row(t, "NetSapiens Sites", 3)
	if r3.issue(t, "limits-max-data-storage-kilobytes").Rule != schema.RuleRange || r3.issue(t, "limits-max-active-calls-total").Rule != schema.RuleRange {
		t.Errorf("site ranges: %+v", r3.Issues)
	}
	is := o.row(t, "Sites", 3).issue(t, "site")
	if !strings.HasSuffix(is.Message, "Site denver hq in domain example.com is already used on sheet 'NetSapiens Sites', row 2") {
		t.Errorf("cross-sheet unique: %q", is.Message)
	}
	if len(o.sum.Targets) != 2 || o.sum.Targets[1].Sheet != "Sites" || o.sum.Targets[1].Target != "netsapiens.site" {
		t.Errorf("targets: %+v", o.sum.Targets)
	}
}

func TestLoginUsernameUniqueAcrossSystem(t *testing.T) {
	path := writeXLSX(t, sheetData{"NetSapiens Users", [][]string{
		{"Domain", "Extension", "First Name", "Last Name", "Email", "User Scope", "Login"},
		{"a.example.com", "101", "A", "B", "a@example.com", "Basic User", "jane@example.com"},
		{"b.example.com", "101", "A", "B", "a@example.com", "Basic User", "Jane@Example.com"},
		{"b.example.com", "102", "A", "B", "a@example.com", "Basic User", ""},
		{"b.example.com", "103", "A", "B", "a@example.com", "Basic User", ""},
	}})
	o := validateFile(t, path, Options{})
	if is := o.row(t, "NetSapiens Users", 3).issue(t, "login-username"); !strings.HasSuffix(is.Message, "Login Username Jane@Example.com is already used on row 2") {
		t.Errorf("login unique: %+v", is)
	}
	if !o.row(t, "NetSapiens Users", 5).Valid {
		t.Errorf("empty logins are not duplicates of each other")
	}
}

func TestHeaderVariants(t *testing.T) {
	for _, h := range []string{"name-first-name", "Name First Name", "First Name *", "FIRST_NAME", "first.name", "Given Name"} {
		t.Run(h, func(t *testing.T) {
			path := writeXLSX(t, sheetData{"NetSapiens Users", [][]string{
				{"Extension", h, "Last Name", "Email", "User Scope"},
				{"101", "Jane", "Smith", "jane@example.com", "Basic User"},
			}})
			o := validateFile(t, path, Options{})
			if o.err != nil {
				t.Fatal(o.err)
			}
			r := o.row(t, "NetSapiens Users", 2)
			if !r.Valid || r.Record.Get("name-first-name") != "Jane" || len(o.sum.Warnings) != 0 {
				t.Errorf("header %q: valid=%v %+v warnings %+v", h, r.Valid, r.Issues, o.sum.Warnings)
			}
		})
	}
}

func TestSheetLevelIssues(t *testing.T) {
	t.Run("missing required column is one error", func(t *testing.T) {
		rows := [][]string{{"Name", "Mobile Number", "Create Agent", "Email", "Role ID", "Password", "Enabled", "Caller IDs"}}
		for i := range 5 {
			rows = append(rows, []string{"A", "919876543210", "TRUE", "a@example.com", "1", "pw", "TRUE", strconv.Itoa(i + 1)})
		}
		o := validateFile(t, writeXLSX(t, sheetData{"Acefone Users", rows}), Options{})
		if o.err != nil {
			t.Fatal(o.err)
		}
		if len(o.sum.Errors) != 1 {
			t.Fatalf("want exactly one error, got %+v", o.sum.Errors)
		}
		is := o.sum.Errors[0]
		want := "Sheet 'Acefone Users': required column 'Login ID' is missing. Add a column headed 'Login ID' and fill it in on every row. What goes in it: web login ID, unique in the account"
		if is.Message != want || is.Row != 1 || is.Cell != "" || is.Column != "Login ID" || is.Field != "login_id" {
			t.Errorf("got %+v\nwant message %q", is, want)
		}
		if o.sum.Invalid != 5 || o.sum.Valid != 0 {
			t.Errorf("counts: %+v", o.sum)
		}
		for _, r := range o.rows {
			if r.Valid || len(r.Issues) != 0 {
				t.Errorf("row %d: valid=%v issues=%+v (want invalid with no per-row issue)", r.Row.Num, r.Valid, r.Issues)
			}
		}
		if !o.sheets[0].Broken {
			t.Error("sheet should be marked broken")
		}
	})
	t.Run("duplicate header", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t, sheetData{"Cove Users", [][]string{
			{"Partner ID", "Login Name", "Email", "E-mail"},
			{"1", "a@x.com", "a@x.com", "b@x.com"},
		}}), Options{})
		if len(o.sum.Errors) != 1 {
			t.Fatalf("errors: %+v", o.sum.Errors)
		}
		is := o.sum.Errors[0]
		if is.Rule != RuleDuplicateColumn || is.Cell != "D1" || is.Column != "E-mail" || is.Field != "EmailAddress" || !strings.Contains(is.Message, "column C 'Email'") {
			t.Errorf("duplicate: %+v", is)
		}
		if o.sum.Invalid != 1 {
			t.Errorf("rows of a sheet with a duplicate column are invalid: %+v", o.sum)
		}
		if got := o.rows[0].Record.Get("EmailAddress"); got != "a@x.com" {
			t.Errorf("the first of two columns is used: %v", got)
		}
	})
	t.Run("unknown column warns", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t, sheetData{"Cove Users", [][]string{
			{"Partner ID", "Login Name", "Email", "Favourite Colour", "Frist Name"},
			{"1", "a@x.com", "a@x.com", "blue", "Ann"},
		}}), Options{})
		if len(o.sum.Errors) != 0 || len(o.sum.Warnings) != 2 || o.sum.Valid != 1 {
			t.Fatalf("summary: %+v", o.sum)
		}
		w := o.sum.Warnings[1]
		if w.Rule != RuleUnknownColumn || w.Cell != "E1" || !strings.Contains(w.Message, "Did you mean 'First Name'?") {
			t.Errorf("warning: %+v", w)
		}
		if !strings.Contains(o.sum.Warnings[0].Message, "is not a column of Cove Users") {
			t.Errorf("warning: %+v", o.sum.Warnings[0])
		}
	})
	t.Run("ignored and empty sheets", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t,
			sheetData{"Instructions", [][]string{{"Read me"}}},
			sheetData{"Cove Users", nil},
			sheetData{"Notes", [][]string{{"x"}}},
		), Options{})
		if o.err != nil {
			t.Fatal(o.err)
		}
		if !reflect.DeepEqual(o.sum.IgnoredSheets, []string{"Instructions", "Notes"}) {
			t.Errorf("ignored: %v", o.sum.IgnoredSheets)
		}
		if len(o.sum.Warnings) != 1 || o.sum.Warnings[0].Rule != RuleEmptySheet || len(o.sum.Errors) != 0 {
			t.Errorf("empty sheet: %+v", o.sum)
		}
	})
	t.Run("no target sheet is unusable", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t, sheetData{"Sheet1", [][]string{{"Name"}, {"x"}}}), Options{})
		var ue *intake.UnusableError
		if !errors.As(o.err, &ue) || !strings.Contains(ue.Error(), "NetSapiens Users") || !strings.Contains(ue.Error(), "--target") {
			t.Fatalf("err = %v", o.err)
		}
	})
	t.Run("target for unnamed workbook sheets", func(t *testing.T) {
		o := validateFile(t, writeXLSX(t, sheetData{"Sheet1", [][]string{{"Partner ID", "Login Name", "Email"}, {"1", "a@x.com", "a@x.com"}}}),
			Options{Target: "cove.user"})
		if o.err != nil || o.sum.Valid != 1 || o.sum.Targets[0].Target != "cove.user" {
			t.Fatalf("err=%v sum=%+v", o.err, o.sum)
		}
	})
}

func TestCSVTargets(t *testing.T) {
	rows := [][]string{{"PartnerId", "Name", "EmailAddress"}, {"1", "a@x.com", "a@x.com"}, {"1", "b@x.com", "c@x.com"}}
	t.Run("from file name", func(t *testing.T) {
		o := validateFile(t, writeCSV(t, "cove.user-march.csv", rows), Options{})
		if o.err != nil {
			t.Fatal(o.err)
		}
		if o.sum.Valid != 1 || o.sum.Invalid != 1 || o.sum.Targets[0].Target != "cove.user" {
			t.Fatalf("summary: %+v", o.sum)
		}
		if msg := o.sum.Errors[0].Message; !strings.HasPrefix(msg, "File 'cove.user-march.csv', cell B3 (Name): must be the same as") {
			t.Errorf("CSV message: %q", msg)
		}
	})
	t.Run("from option", func(t *testing.T) {
		o := validateFile(t, writeCSV(t, "hires.csv", rows), Options{Target: "cove.user"})
		if o.err != nil || o.sum.Rows != 2 {
			t.Fatalf("err=%v %+v", o.err, o.sum)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		o := validateFile(t, writeCSV(t, "hires.csv", rows), Options{})
		var ue *intake.UnusableError
		if !errors.As(o.err, &ue) || !strings.Contains(ue.Error(), "acefone.user") || !strings.Contains(ue.Error(), "--target") {
			t.Fatalf("err = %v", o.err)
		}
	})
	t.Run("bad target option", func(t *testing.T) {
		o := validateFile(t, writeCSV(t, "hires.csv", rows), Options{Target: "cove.users"})
		var oe *OptionError
		if !errors.As(o.err, &oe) || !strings.Contains(oe.Error(), "cove.user") {
			t.Fatalf("err = %v", o.err)
		}
	})
}

func TestDefaults(t *testing.T) {
	d := Defaults{}
	if err := d.Set("cove.partnerid = 42"); err != nil {
		t.Fatal(err)
	}
	if err := d.Set("fonedynamics.Property SID=S1"); err != nil {
		t.Fatal(err)
	}
	if d["cove"]["PartnerId"] != "42" || d["fonedynamics"]["PropertySid"] != "S1" {
		t.Errorf("defaults = %v", d)
	}
	for _, bad := range []string{"cove", "cove.PartnerId", "=1", "nobody.x=1", "cove.nofield=1"} {
		var oe *OptionError
		if err := (Defaults{}).Set(bad); !errors.As(err, &oe) {
			t.Errorf("Set(%q) = %v, want an OptionError", bad, err)
		}
	}

	rows := [][]string{{"Name", "Email"}, {"a@x.com", "a@x.com"}}
	o := validateFile(t, writeCSV(t, "cove.user.csv", rows), Options{Defaults: Defaults{"cove": {"partnerid": "77"}}})
	if o.err != nil || o.rows[0].Record.Get("PartnerId") != int64(77) || !o.rows[0].Valid {
		t.Fatalf("default applied: err=%v %+v", o.err, o.rows)
	}
	o = validateFile(t, writeCSV(t, "cove.user.csv", rows), Options{Defaults: Defaults{"cove": {"PartnerId": "abc"}}})
	var oe *OptionError
	if !errors.As(o.err, &oe) || !strings.Contains(oe.Error(), "cove.PartnerId") || !strings.Contains(oe.Error(), "whole number") {
		t.Fatalf("bad default: %v", o.err)
	}
	// A column's own value wins over a default.
	o = validateFile(t, writeCSV(t, "cove.user.csv", [][]string{{"Partner ID", "Name", "Email"}, {"5", "a@x.com", "a@x.com"}, {"", "b@x.com", "b@x.com"}}),
		Options{Defaults: Defaults{"cove": {"PartnerId": "77"}}})
	if o.rows[0].Record.Get("PartnerId") != int64(5) || o.rows[1].Record.Get("PartnerId") != int64(77) {
		t.Errorf("cell vs default: %v %v", o.rows[0].Record.Values, o.rows[1].Record.Values)
	}
}

func TestMaskedSecretFromAReport(t *testing.T) {
	path := writeCSV(t, "cove.user.csv", [][]string{{"PartnerId", "Name", "EmailAddress", "Password"}, {"1", "a@x.com", "a@x.com", "********"}})
	o := validateFile(t, path, Options{})
	is := o.rows[0].issue(t, "Password")
	if is.Rule != RuleMaskedSecret || o.rows[0].Valid || o.rows[0].Record.Get("Password") != nil || !strings.Contains(is.Message, "type the real value") {
		t.Errorf("masked password accepted: %+v", is)
	}
}

func TestSecretsNeverShown(t *testing.T) {
	target := &schema.Target{ID: "test.secret", Vendor: "test", Label: "Secrets", Fields: []*schema.Field{
		{Key: "login", Label: "Login", Kind: schema.String, Required: true},
		{Key: "pw", Label: "Password", Kind: schema.Secret, MaxLen: 4, Pattern: `[a-z]+`, PatternHelp: "lower-case letters"},
	}, Unique: []schema.Unique{{Fields: []string{"login"}}}}
	if err := target.Prepare(); err != nil {
		t.Fatal(err)
	}
	s := &Sheet{Name: "S", Target: target, Header: []string{"Login", "Password"}, HeaderRow: 1}
	p := newPlan(s, "Sheet 'S'", make([]any, 2), newUniqueIndexes(target), false)
	w := p.newWorker(maphash.MakeSeed())
	for _, secret := range []string{"hunter22", "ABC"} {
		b := &batch{rows: []intake.Row{{Num: 2, Cells: []string{"x", secret}}}}
		w.checkBatch(b)
		res := &b.results[0]
		is := res.issue(t, "pw")
		if is.Value != schema.Mask || strings.Contains(is.Message, secret) || strings.Contains(is.Detail, secret) {
			t.Errorf("secret leaked: %+v", is)
		}
	}
}

func TestOrderAndUniquenessWithManyWorkers(t *testing.T) {
	rows := [][]string{{"domain", "user", "name-first-name", "name-last-name", "email-address", "user-scope"}}
	for i := range 5000 {
		ext := strconv.Itoa(1000 + i)
		if i == 3998 { // row 4000 repeats row 10's extension
			ext = "1008"
		}
		rows = append(rows, []string{"example.com", ext, "A", "B", "a@example.com", "Basic User"})
	}
	path := writeCSV(t, "netsapiens.user.csv", rows)
	for _, workers := range []int{1, 3, 8} {
		o := validateFile(t, path, Options{Workers: workers})
		if o.err != nil {
			t.Fatal(o.err)
		}
		if len(o.rows) != 5000 || o.sum.Invalid != 1 {
			t.Fatalf("workers %d: %d rows, %+v", workers, len(o.rows), o.sum.Targets)
		}
		for i, r := range o.rows {
			if r.Row.Num != i+2 {
				t.Fatalf("workers %d: result %d is row %d", workers, i, r.Row.Num)
			}
		}
		if is := o.row(t, "netsapiens.user", 4000).issue(t, "user"); !strings.HasSuffix(is.Message, "already used on row 10") {
			t.Errorf("workers %d: %+v", workers, is)
		}
	}
}

func TestSummaryJSONShape(t *testing.T) {
	path := writeXLSX(t, sheetData{"Cove Users", [][]string{
		{"Partner ID", "Login Name", "Email", "Password", "Colour"},
		{"1", "a@x.com", "b@x.com", "secret!", "red"},
	}}, sheetData{"Notes", nil})
	o := validateFile(t, path, Options{})
	o.sum.Report = "reports/x.xlsx"
	b, err := json.Marshal(o.sum)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "secret!") {
		t.Fatalf("secret in JSON: %s", b)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	keysOf := func(m map[string]any) string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		sort.Strings(k)
		return strings.Join(k, ",")
	}
	if got := keysOf(doc); got != "errors,ignored_sheets,input,invalid,report,rows,targets,valid,warnings" {
		t.Errorf("top-level keys: %s", got)
	}
	issueKeys := "cell,column,field,message,row,rule,sheet,target,value"
	if got := keysOf(doc["errors"].([]any)[0].(map[string]any)); got != issueKeys {
		t.Errorf("error keys: %s", got)
	}
	if got := keysOf(doc["warnings"].([]any)[0].(map[string]any)); got != issueKeys {
		t.Errorf("warning keys: %s", got)
	}
	if got := keysOf(doc["targets"].([]any)[0].(map[string]any)); got != "invalid,rows,sheet,target,valid" {
		t.Errorf("target keys: %s", got)
	}
	if fmt.Sprint(doc["ignored_sheets"]) != "[Notes]" || doc["report"] != "reports/x.xlsx" || doc["rows"] != 1.0 {
		t.Errorf("doc: %s", b)
	}
	// An all-valid run still has empty lists, not nulls.
	empty, _ := json.Marshal(newSummary("x.csv"))
	if !strings.Contains(string(empty), `"errors":[]`) || !strings.Contains(string(empty), `"ignored_sheets":[]`) {
		t.Errorf("empty summary: %s", empty)
	}
}

func TestMaxIssues(t *testing.T) {
	rows := [][]string{{"PartnerId", "Name", "EmailAddress"}}
	for i := range 10 {
		rows = append(rows, []string{"0", fmt.Sprintf("u%d@x.com", i), fmt.Sprintf("u%d@x.com", i)})
	}
	o := validateFile(t, writeCSV(t, "cove.user.csv", rows), Options{MaxIssues: 3})
	if len(o.sum.Errors) != 3 || o.sum.ErrorsOmitted != 7 || o.sum.ErrorCount() != 10 || o.sum.Invalid != 10 {
		t.Fatalf("summary: errors %d omitted %d invalid %d", len(o.sum.Errors), o.sum.ErrorsOmitted, o.sum.Invalid)
	}
	b, _ := json.Marshal(o.sum)
	if !strings.Contains(string(b), `"errors_omitted":7`) {
		t.Errorf("json: %s", b)
	}
}

type failingHandler struct {
	RowFunc
	rows int
}

func TestHandlerErrorAndCancel(t *testing.T) {
	rows := [][]string{{"PartnerId", "Name", "EmailAddress"}}
	for i := range 2000 {
		rows = append(rows, []string{"1", fmt.Sprintf("u%d@x.com", i), fmt.Sprintf("u%d@x.com", i)})
	}
	path := writeCSV(t, "cove.user.csv", rows)
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	stop := errors.New("disk full")
	seen := 0
	_, err = Run(context.Background(), in, Options{Workers: 2}, RowFunc(func(r *RowResult) error {
		seen++
		if seen == 3 {
			return stop
		}
		return nil
	}))
	if !errors.Is(err, stop) || seen != 3 {
		t.Fatalf("err = %v after %d rows", err, seen)
	}

	in2, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = Run(ctx, in2, Options{}, RowFunc(func(*RowResult) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	}))
	if !errors.Is(err, context.Canceled) || n >= 2000 {
		t.Fatalf("cancel: err = %v after %d rows", err, n)
	}
}

func TestRowOrdinals(t *testing.T) {
	var o rowOrdinals
	var got []uint32
	for _, at := range []struct{ sheet, row int }{{0, 2}, {0, 3}, {0, 4}, {0, 7}, {0, 8}, {1, 2}, {1, 3}, {1, 10}} {
		ord, ok := o.add(at.sheet, at.row)
		if !ok {
			t.Fatal("numbering stopped")
		}
		got = append(got, ord)
	}
	if len(o.spans) != 4 {
		t.Errorf("spans: %+v (want one per sheet and per gap)", o.spans)
	}
	want := []struct{ sheet, row int }{{0, 2}, {0, 3}, {0, 4}, {0, 7}, {0, 8}, {1, 2}, {1, 3}, {1, 10}}
	for i, ord := range got {
		if s, r := o.locate(ord); s != want[i].sheet || r != want[i].row {
			t.Errorf("ordinal %d → sheet %d row %d, want %+v", ord, s, r, want[i])
		}
	}
}

func TestUniqueAcrossBlankRows(t *testing.T) {
	path := writeXLSX(t, sheetData{"Acefone Users", [][]string{
		{"Name", "Mobile Number", "Create Agent", "Email", "Login ID", "Role ID", "Password", "Enabled", "Caller IDs"},
		{"A", "919876543210", "TRUE", "a@example.com", "a", "1", "pw", "TRUE", "1"},
		{},
		{},
		{"B", "919876543210", "TRUE", "b@example.com", "b", "1", "pw", "TRUE", "1"},
		{"C", "919876543210", "TRUE", "c@example.com", "B", "1", "pw", "TRUE", "1"},
	}})
	o := validateFile(t, path, Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if len(o.rows) != 3 {
		t.Fatalf("rows: %d", len(o.rows))
	}
	if is := o.row(t, "Acefone Users", 6).issue(t, "login_id"); !strings.HasSuffix(is.Message, "Login ID B is already used on row 5") {
		t.Errorf("%+v", is)
	}
}

func TestParseCacheKeepsEveryRowsResult(t *testing.T) {
	rows := [][]string{{"PartnerId", "Name", "EmailAddress", "RoleId"}}
	for i := range 3 * cacheTrial {
		role := "2"
		if i%3 == 0 {
			role = "zero" // the same bad text again and again: served from the cache
		}
		rows = append(rows, []string{"7", fmt.Sprintf("u%d@x.com", i), fmt.Sprintf("u%d@x.com", i), role})
	}
	o := validateFile(t, writeCSV(t, "cove.user.csv", rows), Options{Workers: 2})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.sum.Invalid != cacheTrial || o.sum.Valid != 2*cacheTrial {
		t.Fatalf("valid %d invalid %d", o.sum.Valid, o.sum.Invalid)
	}
	for i, r := range o.rows {
		if i%3 == 0 {
			if is := r.issue(t, "RoleId"); is.Cell != fmt.Sprintf("D%d", r.Row.Num) || is.Value != "zero" {
				t.Fatalf("row %d: %+v", r.Row.Num, is)
			}
		} else if r.Record.Get("RoleId") != int64(2) || r.Record.Get("PartnerId") != int64(7) {
			t.Fatalf("row %d: %v", r.Row.Num, r.Record.Values)
		}
	}
}

func TestHandlersAndSheetLevel(t *testing.T) {
	var a, b outcome
	path := writeCSV(t, "cove.user.csv", [][]string{{"PartnerId", "Name", "EmailAddress", "Colour"}, {"1", "a@x.com", "a@x.com", "red"}})
	in, err := intake.Open(path, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	sum, err := Run(context.Background(), in, Options{}, Handlers{&a, &b})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.rows) != 1 || len(b.rows) != 1 || a.begun != 1 || len(b.sheets) != 1 {
		t.Errorf("handlers: a %d rows, b %d rows", len(a.rows), len(b.rows))
	}
	if len(sum.Warnings) != 1 || !sum.Warnings[0].SheetLevel() || (Issue{Rule: schema.RuleEnum}).SheetLevel() {
		t.Errorf("SheetLevel: %+v", sum.Warnings)
	}
}

func TestUniqueIndexGrowsAndRemembers(t *testing.T) {
	ix := newUniqueIndexes(registry.Target("acefone.user"))[0]
	var h maphash.Hash
	h.SetSeed(maphash.MakeSeed())
	hashOf := func(i int) uint64 {
		h.Reset()
		_, _ = h.WriteString(strconv.Itoa(i))
		return h.Sum64() | 1
	}
	const n = 50_000
	for i := range n {
		if _, dup := ix.add(hashOf(i), uint32(i)); dup {
			t.Fatalf("key %d reported as a duplicate", i)
		}
		if i == 1000 {
			ix.reserve(10) // reserving less than the table holds changes nothing
		}
	}
	if ix.used != n || len(ix.slots)*3 < n*4 {
		t.Fatalf("used %d, size %d", ix.used, len(ix.slots))
	}
	for _, i := range []int{0, 1, 777, 4095, n - 1} {
		first, dup := ix.add(hashOf(i), uint32(n+i))
		if !dup || first != uint32(i) {
			t.Errorf("key %d: dup=%v first=%d", i, dup, first)
		}
	}
}

// Past the bound, a later sheet's missing column is still listed: it shows
// on no cell, so the Summary is the only place it can be read.
func TestMaxIssuesKeepsSheetLevel(t *testing.T) {
	cove := [][]string{{"Partner ID", "Login Name", "Email"}}
	for i := range 5 {
		cove = append(cove, []string{"0", fmt.Sprintf("u%d@x.com", i), fmt.Sprintf("u%d@x.com", i)})
	}
	acefone := [][]string{{"Name", "Mobile Number", "Create Agent", "Email", "Role ID", "Password", "Enabled", "Caller IDs"},
		{"A", "919876543210", "TRUE", "a@example.com", "1", "pw", "TRUE", "1"}}
	o := validateFile(t, writeXLSX(t, sheetData{"Cove Users", cove}, sheetData{"Acefone Users", acefone}), Options{MaxIssues: 2})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if len(o.sum.Errors) != 3 || o.sum.ErrorsOmitted != 3 || o.sum.ErrorCount() != 6 {
		t.Fatalf("errors kept %d omitted %d: %+v", len(o.sum.Errors), o.sum.ErrorsOmitted, o.sum.Errors)
	}
	last := o.sum.Errors[2]
	if last.Rule != RuleMissingColumn || last.Sheet != "Acefone Users" || last.Column != "Login ID" {
		t.Errorf("the missing column was not kept: %+v", last)
	}
	if o.sum.Invalid != 6 {
		t.Errorf("invalid %d, want 6", o.sum.Invalid)
	}
}

// A kept issue's value is its own copy, not a window on the row's cells
// (which would keep every such row's line in memory for the whole run).
func TestKeptIssueOwnsItsValue(t *testing.T) {
	o := validateFile(t, writeCSV(t, "cove.user.csv", [][]string{{"PartnerId", "Name", "EmailAddress"},
		{"0", "a@x.com", "a@x.com"}}), Options{})
	if len(o.sum.Errors) != 1 || o.sum.Errors[0].Value != "0" {
		t.Fatalf("errors: %+v", o.sum.Errors)
	}
	kept := o.sum.Errors[0].Value
	cell := o.rows[0].Row.Cells[0]
	if unsafe.StringData(kept) == unsafe.StringData(cell) {
		t.Error("the kept issue shares its value with the row's cells")
	}
}
