package registry

import (
	"slices"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/schema"
)

func TestTargetsAndIDs(t *testing.T) {
	want := []string{"netsapiens.site", "netsapiens.user", "acefone.user", "fonedynamics.login", "cove.user"}
	got := IDs()
	if len(got) != len(want) {
		t.Fatalf("IDs = %v", got)
	}
	for i := range want {
		if got[i] != want[i] || Target(want[i]) == nil {
			t.Errorf("IDs[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	for _, v := range Vendors {
		if Vendor(v.Name) != v {
			t.Errorf("Vendor(%q) not found", v.Name)
		}
		for _, tg := range v.Targets {
			if tg.Vendor != v.Name {
				t.Errorf("%s: Vendor = %q, registered under %q", tg.ID, tg.Vendor, v.Name)
			}
		}
	}
}

func TestMatchSheet(t *testing.T) {
	cases := map[string]string{
		"netsapiens.user":      "netsapiens.user",
		"NetSapiens Users":     "netsapiens.user",
		"netsapiens_user":      "netsapiens.user",
		"NETSAPIENS-SITE":      "netsapiens.site",
		"Acefone Users":        "acefone.user",
		"Fone Dynamics Logins": "fonedynamics.login",
		"cove user":            "cove.user",
		"Instructions":         "",
		"":                     "",
	}
	for name, id := range cases {
		got := MatchSheet(name)
		if (got == nil && id != "") || (got != nil && got.ID != id) {
			t.Errorf("MatchSheet(%q) = %v, want %q", name, got, id)
		}
	}
}

func TestMatchFileName(t *testing.T) {
	cases := map[string]string{
		"acefone.user.csv":               "acefone.user",
		"/tmp/in/acefone.user-march.csv": "acefone.user",
		"netsapiens.user_2026.csv":       "netsapiens.user",
		"netsapiens.users.csv":           "",
		"hires.csv":                      "",
	}
	for name, id := range cases {
		got := MatchFileName(name)
		if (got == nil && id != "") || (got != nil && got.ID != id) {
			t.Errorf("MatchFileName(%q) = %v, want %q", name, got, id)
		}
	}
}

// TestVendorRulesEncoded pins the rules from the vendor notes
// (shared/vendors/*.md) so an edit to a description that loses one fails.
func TestVendorRulesEncoded(t *testing.T) {
	ranges := map[string][2]int64{ // min, max (-1 = none)
		"netsapiens.user/directory-name-number-dtmf-mapping":                    {100, 999},
		"netsapiens.user/area-code":                                             {100, 999},
		"netsapiens.site/area-code":                                             {100, 999},
		"netsapiens.user/ring-no-answer-timeout-seconds":                        {0, 3600},
		"netsapiens.user/limits-max-active-calls-total":                         {0, 3600},
		"netsapiens.site/limits-max-active-calls-total":                         {0, 3600},
		"netsapiens.user/music-on-hold-comfort-message-repeat-interval-seconds": {0, 3600},
		"netsapiens.user/directory-override-order-duplicate-dtmf-mapping":       {0, 100},
		"netsapiens.user/limits-max-data-storage-kilobytes":                     {0, -1},
		"netsapiens.site/limits-max-data-storage-kilobytes":                     {0, -1},
		"netsapiens.user/voicemail-greeting-index":                              {0, -1},
		"netsapiens.user/caller-id-number":                                      {10, -1},
		"netsapiens.user/caller-id-number-emergency":                            {10, -1},
		"netsapiens.site/caller-id-number":                                      {10, -1},
		"netsapiens.site/caller-id-number-emergency":                            {10, -1},
	}
	for path, mm := range ranges {
		f := field(t, path)
		if f.Kind != schema.Integer || f.Min == nil || *f.Min != mm[0] || (mm[1] == -1) != (f.Max == nil) || (f.Max != nil && *f.Max != mm[1]) {
			t.Errorf("%s: kind %v min %v max %v, want %v", path, f.Kind, f.Min, f.Max, mm)
		}
	}
	enums := map[string]int{
		"netsapiens.user/user-scope":                              11,
		"netsapiens.user/time-zone":                               221,
		"netsapiens.site/time-zone":                               221,
		"netsapiens.user/email-send-alert-new-voicemail-behavior": 9,
		"netsapiens.user/voicemail-transcription-enabled":         5,
		"netsapiens.user/recording-configuration":                 4,
		"netsapiens.site/recording-configuration":                 4,
		"fonedynamics.login/Scopes":                               13,
	}
	for path, n := range enums {
		if f := field(t, path); len(f.Enum) != n {
			t.Errorf("%s: %d enum values, want %d", path, len(f.Enum), n)
		}
	}
	yesNo := 0
	for _, f := range Target("netsapiens.user").Fields {
		if f.Kind == schema.YesNo {
			yesNo++
		}
	}
	if yesNo != 19 { // synchronous, privacy and the 17 other yes/no settings in the vendor notes
		t.Errorf("netsapiens.user has %d yes/no fields, want 19", yesNo)
	}
	if n := len(Target("netsapiens.user").Fields); n != 51 { // 50 body keys + domain
		t.Errorf("netsapiens.user has %d fields, want 51", n)
	}
	if n := len(Target("netsapiens.site").Fields); n != 30 { // seed 003: synchronous + 28 settings + domain
		t.Errorf("netsapiens.site has %d fields, want 30", n)
	}
	if f := field(t, "netsapiens.site/call-recordings-hide-from-others-enabled"); f.Kind != schema.YesNo || f.Default != "no" {
		t.Errorf("the site's 28th setting: %+v", f)
	}
	if f := field(t, "netsapiens.user/user-scope"); f.Required || f.Default != "Basic User" {
		t.Errorf("user-scope defaults to Basic User and is not required: %+v", f)
	}
	if f := field(t, "cove.user/RoleId"); f.Min == nil || *f.Min != 1 || f.Max == nil || *f.Max != 7 {
		t.Errorf("cove RoleId must be 1-7: %+v", f)
	}
	if f := field(t, "cove.user/TwoFactorAuthenticationStatus"); strings.Join(f.Enum, ",") != "Undefined,Disabled,Enabled" {
		t.Errorf("cove 2FA status enum: %v", f.Enum)
	}
	if u := Target("fonedynamics.login").Unique; len(u) != 1 || strings.Join(u[0].Fields, ",") != "Email" {
		t.Errorf("fonedynamics.login: the email is the username, unique per account: %+v", u)
	}
	// Rules the vendors do not document are onboard's advice: warnings.
	for p, rule := range map[string]string{"fonedynamics.login/PropertySid": schema.RulePattern, "acefone.user/user_role": schema.RuleRange,
		"acefone.user/number": schema.RulePhone, "netsapiens.user/user": schema.RuleDigits} {
		if !slices.Contains(field(t, p).Advice, rule) {
			t.Errorf("%s: %s must be advice (a warning), not an error", p, rule)
		}
	}
	for _, p := range []string{"netsapiens.user/domain", "netsapiens.site/domain"} {
		if f := field(t, p); !f.Path || f.Default != "~" || f.MaxLen != 64 {
			t.Errorf("%s: %+v", p, f)
		}
	}
	for _, p := range []string{"fonedynamics.login/PropertySid", "cove.user/PartnerId"} {
		if f := field(t, p); !f.Path || !f.Required {
			t.Errorf("%s must be a required path field", p)
		}
	}
	if f := field(t, "cove.user/Name"); f.SameAs != "EmailAddress" || !f.Required {
		t.Errorf("cove Name must equal EmailAddress: %+v", f)
	}
	acefone := map[string]schema.Kind{"create_agent": schema.Boolean, "status": schema.Boolean, "caller_id": schema.List,
		"user_role": schema.Integer, "password": schema.Secret, "agent_group": schema.List, "department": schema.List, "number": schema.Phone}
	for k, kind := range acefone {
		if f := field(t, "acefone.user/"+k); f.Kind != kind {
			t.Errorf("acefone.user/%s kind %v, want %v", k, f.Kind, kind)
		}
	}
	if f := field(t, "acefone.user/caller_id"); f.Item != schema.Integer {
		t.Error("acefone caller_id must be a list of integers")
	}
	required := map[string][]string{
		"netsapiens.user":    {"user", "name-first-name", "name-last-name", "email-address"},
		"netsapiens.site":    {"site"},
		"acefone.user":       {"name", "number", "create_agent", "email", "login_id", "user_role", "password", "status", "caller_id"},
		"fonedynamics.login": {"PropertySid", "Email", "Password", "FirstName", "LastName", "Scopes"},
		"cove.user":          {"PartnerId", "Name", "EmailAddress"}, // EmailAddress must equal Name, so it is required in effect
	}
	for id, keys := range required {
		n := 0
		for _, f := range Target(id).Fields {
			if f.Required {
				n++
			}
		}
		if n != len(keys) {
			t.Errorf("%s has %d required fields, want %d", id, n, len(keys))
		}
		for _, k := range keys {
			if !field(t, id+"/"+k).Required {
				t.Errorf("%s/%s must be required", id, k)
			}
		}
	}
	secrets := map[string]bool{"acefone.user/password": true, "fonedynamics.login/Password": true, "cove.user/Password": true}
	for _, tg := range Targets() {
		for _, f := range tg.Fields {
			if f.IsSecret() != secrets[tg.ID+"/"+f.Key] {
				t.Errorf("%s/%s: secret = %v", tg.ID, f.Key, f.IsSecret())
			}
			if f.Help == "" || f.Label == "" {
				t.Errorf("%s/%s: missing label or help", tg.ID, f.Key)
			}
		}
	}
}

func field(t *testing.T, path string) *schema.Field {
	t.Helper()
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			tg := Target(path[:i])
			if tg == nil {
				t.Fatalf("no target %s", path[:i])
			}
			f := tg.Field(path[i+1:])
			if f == nil {
				t.Fatalf("no field %s", path)
			}
			return f
		}
	}
	t.Fatalf("bad path %s", path)
	return nil
}
