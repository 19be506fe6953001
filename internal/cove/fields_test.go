package cove_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates"
)

func field(t *testing.T, key string) *schema.Field {
	t.Helper()
	if err := cove.User.Prepare(); err != nil {
		t.Fatal(err)
	}
	f := cove.User.Field(key)
	if f == nil {
		t.Fatalf("cove.user has no field %s", key)
	}
	return f
}

// TestTwoFactorStates pins TwoFactorAuthenticationStatus to Cove's three
// states, sent as a JSON array, offered in the template's drop-down.
func TestTwoFactorStates(t *testing.T) {
	f := field(t, "TwoFactorAuthenticationStatus")
	want := []string{"Undefined", "Disabled", "Enabled"}
	if f.Kind != schema.List || f.Item != schema.Enum || !slices.Equal(f.Enum, want) {
		t.Fatalf("field %+v, want a list of %v", f, want)
	}
	if got := templates.DropDown(f); !slices.Equal(got, want) {
		t.Errorf("drop-down %v, want %v", got, want)
	}
	for text, wire := range map[string][]string{
		"Enabled":            {"Enabled"},
		"disabled":           {"Disabled"},
		"Undefined, Enabled": {"Undefined", "Enabled"},
	} {
		v, p := f.Parse(text)
		if p != nil || !reflect.DeepEqual(v, wire) {
			t.Errorf("%q: %v, %v; want %v", text, v, p, wire)
		}
	}
	for _, bad := range []string{"On", "Enabled, Sometimes", "2FA"} {
		if _, p := f.Parse(bad); p == nil || p.Warning || p.Rule != schema.RuleEnum {
			t.Errorf("%q: problem %+v, want an enum error", bad, p)
		}
	}
	if _, p := f.CheckWire([]any{"Enabled", "Maybe"}); p == nil {
		t.Error("wire value with an unknown state: want a problem")
	}
}

// TestRoleRange pins RoleId to 1–7, checked in the template as a whole
// number between them.
func TestRoleRange(t *testing.T) {
	f := field(t, "RoleId")
	if f.Kind != schema.Integer || f.Min == nil || *f.Min != 1 || f.Max == nil || *f.Max != 7 || f.Required {
		t.Fatalf("RoleId %+v, want an optional integer 1–7", f)
	}
	if !templates.Ranged(f) {
		t.Error("the template does not check the role ID's range")
	}
	for _, ok := range []string{"1", "3", "7"} {
		if v, p := f.Parse(ok); p != nil || v == nil {
			t.Errorf("%s: %v, %v", ok, v, p)
		}
	}
	for _, bad := range []string{"0", "8", "9", "-1"} {
		if _, p := f.Parse(bad); p == nil || p.Warning || p.Rule != schema.RuleRange {
			t.Errorf("%s: problem %+v, want a range error", bad, p)
		}
	}
	if _, p := f.Parse("Manager"); p == nil {
		t.Error("a role name in the ID column: want a problem (names are resolved by the HR plan's cove: roles table)")
	}
}

// TestFlagsSentAsTyped pins Flags as a free list: the sources name the
// type (UserFlag::FlagsType) but list no values, so onboard checks none.
func TestFlagsSentAsTyped(t *testing.T) {
	f := field(t, "Flags")
	if f.Kind != schema.List || f.Item != schema.String || len(f.Enum) != 0 || templates.DropDown(f) != nil {
		t.Fatalf("Flags %+v, want a free list", f)
	}
	v, p := f.Parse("SecurityOfficer, AnythingElse")
	if p != nil || !reflect.DeepEqual(v, []string{"SecurityOfficer", "AnythingElse"}) {
		t.Errorf("flags: %v, %v", v, p)
	}
}

// TestDocumentedRules pins the rest of AddUser's documented rules: Name
// required and equal to EmailAddress, read-only fields never sent.
func TestDocumentedRules(t *testing.T) {
	name := field(t, "Name")
	if !name.Required || name.SameAs != "EmailAddress" || name.Kind != schema.Email {
		t.Errorf("Name %+v, want a required email equal to EmailAddress", name)
	}
	for _, readOnly := range []string{"ID", "FirstLoginTime", "LastLoginTime"} {
		if cove.User.Field(readOnly) != nil {
			t.Errorf("%s is assigned by Cove and must not be a column", readOnly)
		}
	}
	if pw := field(t, "Password"); pw.Required || !pw.IsSecret() {
		t.Errorf("Password %+v, want an optional secret", pw)
	}
}
