package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func prepared(t *testing.T, f *Field) *Field {
	t.Helper()
	tg := &Target{ID: "t.t", Fields: []*Field{f}}
	if err := tg.Prepare(); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseKinds(t *testing.T) {
	rng := &Field{Key: "dtmf", Kind: Integer, Min: I64(100), Max: I64(999)}
	atLeast := &Field{Key: "cid", Kind: Integer, Min: I64(10)}
	yn := &Field{Key: "yn", Kind: YesNo}
	b := &Field{Key: "b", Kind: Boolean}
	en := &Field{Key: "scope", Kind: Enum, Enum: []string{"Basic User", "Office Manager", "NDP"}}
	scopes := &Field{Key: "Scopes", Kind: List, Item: Enum, Enum: []string{"Manage", "Reporting", "Integrations"}, Join: true}
	ints := &Field{Key: "caller_id", Kind: List, Item: Integer, Min: I64(1)}
	strs := &Field{Key: "dept", Kind: List, Item: String}
	multi := &Field{Key: "email-address", Kind: Email, Multi: true, Separator: ";"}
	one := &Field{Key: "email", Kind: Email}
	ph := &Field{Key: "number", Kind: Phone}
	dg := &Field{Key: "pin", Kind: Digits}
	js := &Field{Key: "cdr", Kind: JSON}
	pat := prepared(t, &Field{Key: "domain", Kind: String, Pattern: `~|[A-Za-z0-9._-]*`, MaxLen: 64})

	cases := []struct {
		f    *Field
		in   string
		want any
		rule string
	}{
		{rng, "764", int64(764), ""},
		{rng, "100", int64(100), ""},
		{rng, "999", int64(999), ""},
		{rng, "1000", nil, RuleRange},
		{rng, "99", nil, RuleRange},
		{rng, "7.5", nil, RuleInteger},
		{rng, "12.0", nil, RuleRange},
		{rng, "120.00", int64(120), ""},
		{rng, "abc", nil, RuleInteger},
		{atLeast, "15551234567", int64(15551234567), ""},
		{atLeast, "9", nil, RuleRange},
		{yn, "YES", "yes", ""}, {yn, "y", "yes", ""}, {yn, "1", "yes", ""}, {yn, "true", "yes", ""},
		{yn, "No", "no", ""}, {yn, "n", "no", ""}, {yn, "0", "no", ""}, {yn, "FALSE", "no", ""},
		{yn, "maybe", nil, RuleYesNo},
		{b, "TRUE", true, ""}, {b, "no", false, ""}, {b, "2", nil, RuleBoolean},
		{en, "office manager", "Office Manager", ""},
		{en, "OFFICE-MANAGER", "Office Manager", ""},
		{en, "ndp", "NDP", ""},
		{en, "Ofice Manager", nil, RuleEnum},
		{scopes, " reporting , Integrations ", "Reporting,Integrations", ""},
		{scopes, "Reporting,Integrashuns", nil, RuleEnum},
		{ints, "101, 102", []int64{101, 102}, ""},
		{ints, "101, x", nil, RuleInteger},
		{ints, "0", nil, RuleRange},
		{strs, "Sales Department, Finance Department", []string{"Sales Department", "Finance Department"}, ""},
		{multi, "a@example.com; b@example.com", "a@example.com;b@example.com", ""},
		{multi, "a@example.com;bad", nil, RuleEmail},
		{one, "jose@example.com", "jose@example.com", ""},
		{one, "Jane <jane@example.com>", nil, RuleEmail},
		{one, "jane@localhost", nil, RuleEmail},
		{one, "jane.example.com", nil, RuleEmail},
		{ph, "+91 98765-43210", "+919876543210", ""},
		{ph, "919876543210", "919876543210", ""},
		{ph, "n/a", nil, RulePhone},
		{ph, "123", nil, RulePhone},
		{dg, "0100", "0100", ""},
		{dg, "12a", nil, RuleDigits},
		{js, `{"users":[1,2]}`, json.RawMessage(`{"users":[1,2]}`), ""},
		{js, `[1,2]`, nil, RuleJSON},
		{pat, "~", "~", ""},
		{pat, "acme.example", "acme.example", ""},
		{pat, "bad domain!", nil, RulePattern},
		{pat, strings.Repeat("a", 65), nil, RuleLength},
	}
	for _, c := range cases {
		got, p := c.f.Parse(c.in)
		if c.rule != "" {
			if p == nil || p.Rule != c.rule {
				t.Errorf("%s.Parse(%q) = %v, %v; want rule %q", c.f.Key, c.in, got, p, c.rule)
			}
			continue
		}
		if p != nil {
			t.Errorf("%s.Parse(%q): unexpected problem %v", c.f.Key, c.in, p)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s.Parse(%q) = %#v, want %#v", c.f.Key, c.in, got, c.want)
		}
	}
}

func TestEnumSuggestion(t *testing.T) {
	f := &Field{Key: "user-scope", Kind: Enum, Enum: []string{"Basic User", "Office Manager", "Site Manager"}}
	_, p := f.Parse("Ofice Manager")
	if p == nil || p.Suggestion != "Office Manager" || !strings.Contains(p.Message, "Did you mean 'Office Manager'?") {
		t.Fatalf("got %+v", p)
	}
	_, p = f.Parse("Astronaut")
	if p == nil || p.Suggestion != "" || !strings.Contains(p.Message, "'Basic User', 'Office Manager', 'Site Manager'") {
		t.Fatalf("far value: got %+v", p)
	}
}

func TestMessagesNameRuleAndValue(t *testing.T) {
	f := &Field{Key: "ring", Kind: Integer, Min: I64(0), Max: I64(3600)}
	_, p := f.Parse("4000")
	if p == nil || p.Message != "must be a whole number from 0 to 3600; found '4000'" {
		t.Fatalf("got %+v", p)
	}
}

func TestSecretNeverEchoed(t *testing.T) {
	f := prepared(t, &Field{Key: "password", Kind: Secret, Pattern: `.{12,}`, PatternHelp: "at least 12 characters"})
	_, p := f.Parse("hunter2")
	if p == nil || strings.Contains(p.Message, "hunter2") {
		t.Fatalf("secret leaked or not checked: %+v", p)
	}
}

func TestFoldAndMatchHeader(t *testing.T) {
	tg := &Target{ID: "x.y", Fields: []*Field{
		{Key: "name-first-name", Label: "First Name", Aliases: []string{"given name"}},
		{Key: "email-address", Label: "Email"},
	}}
	for _, h := range []string{"name-first-name", "Name First Name", "First Name *", "first_name", "FIRST NAME", "\u00a0Given Name\u00a0", "NAME.FIRST.NAME"} {
		if f := tg.MatchHeader(h); f == nil || f.Key != "name-first-name" {
			t.Errorf("MatchHeader(%q) = %v", h, f)
		}
	}
	if f := tg.MatchHeader("Last Name"); f != nil {
		t.Errorf("Last Name matched %s", f.Key)
	}
	if f := tg.MatchHeader(""); f != nil {
		t.Errorf("empty header matched %s", f.Key)
	}
}

func TestPrepareCatchesMistakes(t *testing.T) {
	bad := []*Target{
		{ID: "a", Fields: []*Field{{Key: "x", Kind: Enum}}},
		{ID: "b", Fields: []*Field{{Key: "x"}}, Key: []string{"y"}},
		{ID: "c", Fields: []*Field{{Key: "x", SameAs: "z"}}},
		{ID: "d", Fields: []*Field{{Key: "x", Pattern: "("}}},
		{ID: "e", Fields: []*Field{{Key: "x"}}, Unique: []Unique{{Fields: []string{"q"}}}},
	}
	for _, tg := range bad {
		if err := tg.Prepare(); err == nil {
			t.Errorf("target %s: mistake not caught", tg.ID)
		}
	}
}

func TestRecordBodyKeyAndRedaction(t *testing.T) {
	tg := &Target{ID: "v.user", Fields: []*Field{
		{Key: "domain", Path: true},
		{Key: "user", Kind: Digits},
		{Key: "password", Kind: Secret},
		{Key: "area-code", Kind: Integer},
	}, Key: []string{"domain", "user"}}
	if err := tg.Prepare(); err != nil {
		t.Fatal(err)
	}
	r := NewRecord(tg)
	r.Set("domain", "acme.example")
	r.Set("user", "0100")
	r.Set("password", "S3cret!")
	r.Set("area-code", int64(555))
	if r.Key() != "acme.example/0100" {
		t.Errorf("Key = %q", r.Key())
	}
	body := r.Body()
	if _, ok := body["domain"]; ok {
		t.Error("path field in body")
	}
	if body["area-code"] != int64(555) || body["password"] != "S3cret!" {
		t.Errorf("body = %v", body)
	}
	red := r.Redacted()
	if red["password"] != Mask || r.Get("password") != "S3cret!" {
		t.Errorf("redacted = %v (record must keep its value)", red)
	}
}

func TestDescribe(t *testing.T) {
	cases := map[string]*Field{
		"whole number from 100 to 999":          {Kind: Integer, Min: I64(100), Max: I64(999)},
		"whole number of at least 10":           {Kind: Integer, Min: I64(10)},
		"yes or no":                             {Kind: YesNo},
		"email addresses separated by ';'":      {Kind: Email, Multi: true, Separator: ";"},
		"values from 'A', 'B' separated by ','": {Kind: List, Item: Enum, Enum: []string{"A", "B"}},
		"text, must equal EmailAddress":         {Kind: String, SameAs: "EmailAddress"},
	}
	for want, f := range cases {
		if got := f.Describe(); got != want {
			t.Errorf("Describe = %q, want %q", got, want)
		}
	}
}

func TestAdvisedRulesWarnAndSendTheValueAsTyped(t *testing.T) {
	strict := &Field{Key: "n", Kind: Integer, Min: I64(1)}
	advised := &Field{Key: "n", Kind: Integer, Min: I64(1), Advice: []string{RuleRange}}
	if v, p := strict.Parse("0"); v != nil || p == nil || p.Warning {
		t.Errorf("strict range: %v, %+v", v, p)
	}
	v, p := advised.Parse("0")
	if v != int64(0) || p == nil || !p.Warning || p.Rule != RuleRange || !strings.Contains(p.Message, "sent as typed") {
		t.Errorf("advised range: %v, %+v", v, p)
	}
	if _, p := advised.Parse("abc"); p == nil || p.Warning {
		t.Errorf("a non-number is still an error: %+v", p)
	}
	phone := &Field{Key: "p", Kind: Phone, Advice: []string{RulePhone}}
	if v, p := phone.Parse("12345"); v != "12345" || p == nil || !p.Warning {
		t.Errorf("advised phone length: %v, %+v", v, p)
	}
}
