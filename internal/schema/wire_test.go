package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decode turns a JSON literal into what an API handler sees.
func decode(t *testing.T, lit string, useNumber bool) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(lit)))
	if useNumber {
		dec.UseNumber()
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", lit, err)
	}
	return v
}

func TestCheckWire(t *testing.T) {
	rng := &Field{Key: "dtmf", Kind: Integer, Min: I64(100), Max: I64(999)}
	yn := &Field{Key: "yn", Kind: YesNo}
	b := &Field{Key: "b", Kind: Boolean}
	en := &Field{Key: "scope", Kind: Enum, Enum: []string{"Basic User", "Office Manager"}}
	scopes := &Field{Key: "Scopes", Kind: List, Item: Enum, Enum: []string{"Manage", "Reporting", "Integrations"}, Join: true}
	ints := &Field{Key: "caller_id", Kind: List, Item: Integer, Min: I64(1)}
	strs := &Field{Key: "dept", Kind: List, Item: String}
	multi := &Field{Key: "email-address", Kind: Email, Multi: true, Separator: ";"}
	one := &Field{Key: "email", Kind: Email}
	ph := &Field{Key: "number", Kind: Phone}
	dg := &Field{Key: "user", Kind: Digits}
	js := &Field{Key: "cdr", Kind: JSON}
	sec := &Field{Key: "password", Kind: Secret}
	pat := prepared(t, &Field{Key: "domain", Kind: String, Pattern: `~|[A-Za-z0-9._-]*`, MaxLen: 64})

	cases := []struct {
		f    *Field
		lit  string
		want any
		rule string
	}{
		{rng, `764`, int64(764), ""},
		{rng, `764.0`, int64(764), ""},
		{rng, `1000`, nil, RuleRange},
		{rng, `7.5`, nil, RuleInteger},
		{rng, `1e30`, nil, RuleInteger},
		{rng, `"764"`, nil, RuleType},
		{rng, `true`, nil, RuleType},
		{yn, `"yes"`, "yes", ""},
		{yn, `"no"`, "no", ""},
		{yn, `"YES"`, nil, RuleYesNo},
		{yn, `"y"`, nil, RuleYesNo},
		{yn, `true`, nil, RuleType},
		{b, `true`, true, ""},
		{b, `false`, false, ""},
		{b, `"true"`, nil, RuleType},
		{b, `1`, nil, RuleType},
		{en, `"Office Manager"`, "Office Manager", ""},
		{en, `"office manager"`, nil, RuleEnum},
		{en, `"Astronaut"`, nil, RuleEnum},
		{en, `3`, nil, RuleType},
		{scopes, `"Reporting,Integrations"`, "Reporting,Integrations", ""},
		{scopes, `"Reporting, Integrations"`, "Reporting,Integrations", ""},
		{scopes, `"Reporting,integrations"`, nil, RuleEnum},
		{scopes, `"Reporting,Billing2"`, nil, RuleEnum},
		{scopes, `["Reporting"]`, nil, RuleType},
		{ints, `[101, 102]`, []int64{101, 102}, ""},
		{ints, `[]`, []int64{}, ""},
		{ints, `[0]`, nil, RuleRange},
		{ints, `["101"]`, nil, RuleType},
		{ints, `"101,102"`, nil, RuleType},
		{strs, `["Sales, Europe", "Finance"]`, []string{"Sales, Europe", "Finance"}, ""},
		{strs, `["Sales", ""]`, nil, RuleRequired},
		{strs, `["Sales", 3]`, nil, RuleType},
		{multi, `"a@example.com;b@example.com"`, "a@example.com;b@example.com", ""},
		{multi, `"a@example.com;bad"`, nil, RuleEmail},
		{one, `"jane@example.com"`, "jane@example.com", ""},
		{one, `"[email protected]"`, nil, RuleEmail},
		{ph, `"+919876543210"`, "+919876543210", ""},
		{ph, `919876543210`, nil, RuleType},
		{dg, `"0101"`, "0101", ""},
		{dg, `101`, nil, RuleType},
		{dg, `"10a"`, nil, RuleDigits},
		{js, `{"users":[1,2]}`, json.RawMessage(`{"users":[1,2]}`), ""},
		{js, `[1,2]`, nil, RuleType},
		{js, `"{}"`, nil, RuleType},
		{pat, `"~"`, "~", ""},
		{pat, `"bad domain!"`, nil, RulePattern},
		{pat, `"` + strings.Repeat("a", 65) + `"`, nil, RuleLength},
		{sec, `"s3cret!"`, "s3cret!", ""},
		{one, `null`, nil, ""},
		{one, `""`, nil, ""},
	}
	for _, useNumber := range []bool{false, true} {
		for _, c := range cases {
			got, p := c.f.CheckWire(decode(t, c.lit, useNumber))
			if c.rule != "" {
				if p == nil || p.Rule != c.rule {
					t.Errorf("%s.CheckWire(%s) = %#v, %+v; want rule %q", c.f.Key, c.lit, got, p, c.rule)
				}
				continue
			}
			if p != nil {
				t.Errorf("%s.CheckWire(%s): unexpected problem %+v", c.f.Key, c.lit, p)
				continue
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s.CheckWire(%s) = %#v, want %#v", c.f.Key, c.lit, got, c.want)
			}
		}
	}
}

func TestCheckWireGoValues(t *testing.T) {
	// Wire values built in Go (Record.Body) pass unchanged.
	ints := &Field{Key: "caller_id", Kind: List, Item: Integer, Min: I64(1)}
	if got, p := ints.CheckWire([]int64{5, 6}); p != nil || !reflect.DeepEqual(got, []int64{5, 6}) {
		t.Fatalf("[]int64: %#v %+v", got, p)
	}
	strs := &Field{Key: "dept", Kind: List, Item: String}
	if got, p := strs.CheckWire([]string{"a"}); p != nil || !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("[]string: %#v %+v", got, p)
	}
	n := &Field{Key: "n", Kind: Integer}
	if got, p := n.CheckWire(int64(42)); p != nil || got != int64(42) {
		t.Fatalf("int64: %#v %+v", got, p)
	}
	js := &Field{Key: "cdr", Kind: JSON}
	if got, p := js.CheckWire(json.RawMessage(`{"a":1}`)); p != nil || string(got.(json.RawMessage)) != `{"a":1}` {
		t.Fatalf("raw: %#v %+v", got, p)
	}
}

func TestCheckWireMessages(t *testing.T) {
	en := &Field{Key: "user-scope", Kind: Enum, Enum: []string{"Basic User", "Office Manager"}}
	_, p := en.CheckWire("office manager")
	if p == nil || p.Suggestion != "Office Manager" || p.Message != "must be spelled exactly 'Office Manager'; found 'office manager'" {
		t.Fatalf("exact enum: %+v", p)
	}
	rng := &Field{Key: "ring", Kind: Integer, Min: I64(0), Max: I64(3600)}
	_, p = rng.CheckWire(float64(4000))
	if p == nil || p.Message != "must be a whole number from 0 to 3600; found '4000'" {
		t.Fatalf("range: %+v", p)
	}
	_, p = rng.CheckWire("25")
	if p == nil || p.Message != `must be a whole number; found a string '"25"'` {
		t.Fatalf("type: %+v", p)
	}
	ints := &Field{Key: "caller_id", Kind: List, Item: Integer, Min: I64(1)}
	_, p = ints.CheckWire([]any{float64(3), float64(0)})
	if p == nil || !strings.HasPrefix(p.Message, "item 2 must be a whole number of at least 1") {
		t.Fatalf("item: %+v", p)
	}
}

func TestCheckWireNeverEchoesSecret(t *testing.T) {
	sec := &Field{Key: "Password", Kind: Secret}
	_, p := sec.CheckWire(float64(123456789))
	if p == nil || p.Rule != RuleType || strings.Contains(p.Message, "123456789") {
		t.Fatalf("got %+v", p)
	}
	pat := prepared(t, &Field{Key: "Password", Kind: Secret, Pattern: `.{12,}`, PatternHelp: "at least 12 characters"})
	_, p = pat.CheckWire("hunter2")
	if p == nil || strings.Contains(p.Message, "hunter2") {
		t.Fatalf("pattern: %+v", p)
	}
}
