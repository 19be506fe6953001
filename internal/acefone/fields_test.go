package acefone

import (
	"slices"
	"testing"

	"github.com/onboard/onboard/internal/schema"
)

// The Create User reference (seed 002) lists every body key, marks the
// mandatory ones with * and gives each a type. These tests pin User to it.

func TestUserFieldsAreTheSeedsKeys(t *testing.T) {
	want := []string{"name", "number", "create_agent", "email", "login_id", "user_role", "password", "status", "caller_id",
		"create_web_login", "block_web_login", "user_for_cdr", "login_based_calling", "agent_group", "department",
		"time_group", "create_extension", "enable_calling"}
	var got []string
	for _, f := range User.Fields {
		got = append(got, f.Key)
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v\nwant %v", got, want)
	}
	if err := User.Prepare(); err != nil {
		t.Fatal(err)
	}
}

func TestUserRequiredAsTheSeedStars(t *testing.T) {
	starred := map[string]bool{"name": true, "number": true, "create_agent": true, "email": true, "login_id": true,
		"user_role": true, "password": true, "status": true, "caller_id": true}
	for _, f := range User.Fields {
		if f.Required != starred[f.Key] {
			t.Errorf("%s: required %v, the seed says %v", f.Key, f.Required, starred[f.Key])
		}
		if f.Default != "" {
			t.Errorf("%s: default %q, the seed documents none", f.Key, f.Default)
		}
	}
}

func TestUserKindsAsTheSeedTypes(t *testing.T) {
	kinds := map[string]schema.Kind{
		"name": schema.String, "number": schema.Phone, "create_agent": schema.Boolean, "email": schema.Email,
		"login_id": schema.String, "user_role": schema.Integer, "password": schema.Secret, "status": schema.Boolean,
		"caller_id": schema.List, "create_web_login": schema.Boolean, "block_web_login": schema.Boolean,
		"user_for_cdr": schema.JSON, "login_based_calling": schema.Boolean, "agent_group": schema.List,
		"department": schema.List, "time_group": schema.String, "create_extension": schema.Boolean, "enable_calling": schema.Boolean,
	}
	for k, kind := range kinds {
		f := User.Field(k)
		if f == nil || f.Kind != kind {
			t.Errorf("%s: %+v, want kind %v", k, f, kind)
		}
	}
	items := map[string]schema.Kind{"caller_id": schema.Integer, "agent_group": schema.String, "department": schema.String}
	for k, item := range items {
		if f := User.Field(k); f.Item != item || f.Join {
			t.Errorf("%s: item %v join %v, want an array of %v", k, f.Item, f.Join, item)
		}
	}
	// number is "string" in the seed: sent as text, never a number.
	if v, p := User.Field("number").Parse("09845001203"); p != nil || v != "09845001203" {
		t.Errorf("number parsed as %#v (%v)", v, p)
	}
}

func TestUserKeyIsTheLoginID(t *testing.T) {
	if !slices.Equal(User.Key, []string{"login_id"}) || len(User.Unique) != 1 || !slices.Equal(User.Unique[0].Fields, []string{"login_id"}) {
		t.Errorf("key %v unique %+v: want login_id", User.Key, User.Unique)
	}
}

// Rules the seed does not state are onboard's advice (Field.Advice): a
// value breaking one warns and is sent as typed.
func TestUndocumentedLimitsOnlyWarn(t *testing.T) {
	for _, tc := range []struct {
		key, text string
		want      any
	}{
		{"user_role", "0", int64(0)},
		{"number", "12345", "12345"},
		{"number", "+91 98765 43210 ext 7", "+91 98765 43210 ext 7"},
	} {
		v, p := User.Field(tc.key).Parse(tc.text)
		if p == nil || !p.Warning || v != tc.want {
			t.Errorf("%s %q: %#v, %+v; want a warning and the value as typed", tc.key, tc.text, v, p)
		}
	}
	if _, p := User.Field("user_role").Parse("three"); p == nil || p.Warning {
		t.Errorf("user_role must still be a whole number (seed: int): %+v", p)
	}
}

// Rules the seed does not state that are still errors, because Advice
// cannot yet send a list as typed (see docs/vendors.md, Acefone): a rule
// added or dropped must be listed here.
func TestStricterThanTheSeedIsListed(t *testing.T) {
	caller := User.Field("caller_id")
	if caller.Min == nil || *caller.Min != 1 || caller.Max != nil || len(caller.Advice) != 0 {
		t.Errorf("caller_id range %v..%v advice %v: update the stricter-than-the-seed list", caller.Min, caller.Max, caller.Advice)
	}
	// A well-formed number loses its spaces, dashes, dots and brackets.
	if v, _ := User.Field("number").Parse("+91 98765-43210"); v != "+919876543210" {
		t.Errorf("number rewritten as %#v: update the stricter-than-the-seed list", v)
	}
	for _, f := range User.Fields {
		if f.MaxLen != 0 || f.Pattern != "" || len(f.Enum) != 0 {
			t.Errorf("%s: a length, pattern or enum the seed does not state", f.Key)
		}
	}
}
