package netsapiens_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/validate"
)

// seedField is one body parameter of a vendor reference page, as the page
// shows it: its type, whether it is required, its "Defaults to" value and
// its range. The page shows no JSON key; the key is the one the same
// parameter has on the user page (seed 001) and in shared/vendors.
type seedField struct {
	key      string
	kind     schema.Kind
	required bool
	def      string
	min, max *int64
}

func yes(key string) seedField { return seedField{key: key, kind: schema.YesNo, def: "yes"} }
func no(key string) seedField  { return seedField{key: key, kind: schema.YesNo, def: "no"} }
func str(key string) seedField { return seedField{key: key, kind: schema.String} }

// siteSeed is the body of "Create Site in Domain" (seed 003), in the
// page's order: 29 parameters, synchronous and 28 settings.
var siteSeed = []seedField{
	{key: "synchronous", kind: schema.YesNo, def: "no"},
	{key: "site", kind: schema.String, required: true},
	str("login-username"),
	{key: "time-zone", kind: schema.Enum},
	str("dial-plan"),
	str("dial-policy"),
	yes("voicemail-user-control-enabled"),
	yes("phone-numbers-to-allow-enabled"),
	yes("phone-numbers-to-reject-enabled"),
	yes("call-screening-enabled"),
	{key: "language-token", kind: schema.String, def: "en_US"},
	{key: "limits-max-data-storage-kilobytes", kind: schema.Integer, min: schema.I64(0)},
	{key: "limits-max-active-calls-total", kind: schema.Integer, min: schema.I64(0), max: schema.I64(3600)},
	yes("directory-annouce-in-dial-by-name-enabled"),
	yes("voicemail-enabled"),
	yes("voicemail-receive-broadcast-enabled"),
	no("reject-anonymous-calls-enabled"),
	no("voicemail-playback-announce-datetime-received"),
	no("voicemail-playback-announce-caller-id"),
	yes("voicemail-playback-sort-newest-to-oldest"),
	// The page says "string" for both caller-id numbers; shared/vendors
	// (from the OpenAPI) says integer ≥ 10, which onboard keeps.
	{key: "caller-id-number", kind: schema.Integer, min: schema.I64(10)},
	str("caller-id-name"),
	{key: "caller-id-number-emergency", kind: schema.Integer, min: schema.I64(10)},
	{key: "area-code", kind: schema.Integer, min: schema.I64(100), max: schema.I64(999)},
	yes("directory-name-visible-in-list-enabled"),
	str("emergency-address-id"),
	no("call-recordings-hide-from-others-enabled"),
	no("music-on-hold-randomized-enabled"),
	{key: "recording-configuration", kind: schema.Enum, def: "no"},
}

// The site target's body is the seed's, field for field, in its order.
func TestSiteFieldsMatchSeed(t *testing.T) {
	var body []*schema.Field
	for _, f := range netsapiens.Site.Fields {
		if !f.Path {
			body = append(body, f)
		}
	}
	if len(body) != len(siteSeed) || len(siteSeed) != 29 {
		t.Errorf("site body has %d fields, seed 003 has %d (synchronous and 28 settings)", len(body), len(siteSeed))
	}
	for i := 0; i < len(body) && i < len(siteSeed); i++ {
		f, want := body[i], siteSeed[i]
		if f.Key != want.key || f.Kind != want.kind || f.Required != want.required || f.Default != want.def ||
			!sameBound(f.Min, want.min) || !sameBound(f.Max, want.max) {
			t.Errorf("site field %d: %s %v required=%v default=%q range %s..%s; seed: %s %v required=%v default=%q range %s..%s",
				i+1, f.Key, f.Kind, f.Required, f.Default, bound(f.Min), bound(f.Max),
				want.key, want.kind, want.required, want.def, bound(want.min), bound(want.max))
		}
	}
	if p := netsapiens.Site.Field("domain"); p == nil || !p.Path || p.Default != "~" || p.MaxLen != 64 {
		t.Errorf("domain path field %+v", p)
	}
}

func sameBound(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func bound(p *int64) string {
	if p == nil {
		return "-"
	}
	return schema.Display(*p)
}

// No field with a documented default is required: a sheet may leave it
// out. user-scope is the one the vendor requires, and the client sends its
// default.
func TestDefaultedFieldsAreNotRequired(t *testing.T) {
	for _, tg := range netsapiens.Targets {
		for _, f := range tg.Fields {
			if f.Default != "" && f.Required {
				t.Errorf("%s %s has default %q but is required", tg.ID, f.Key, f.Default)
			}
		}
	}
	scope := netsapiens.User.Field("user-scope")
	if scope.Required || scope.Default != "Basic User" {
		t.Errorf("user-scope required=%v default=%q, want not required, default Basic User", scope.Required, scope.Default)
	}
	sent := netsapiens.SentDefaults(netsapiens.User)
	if len(sent) != 1 || sent[0] != scope {
		t.Errorf("sent defaults %v, want user-scope", sent)
	}
	if len(netsapiens.SentDefaults(netsapiens.Site)) != 0 {
		t.Error("sites have no sent defaults")
	}
}

// A users sheet without a User Scope column, or with blank cells, is valid.
func TestUserScopeColumnMayBeMissingOrBlank(t *testing.T) {
	for name, csv := range map[string]string{
		"column missing": "Extension,First Name,Last Name,Email\n101,Jane,Smith,jane@example.com\n",
		"cell blank":     "Extension,First Name,Last Name,Email,User Scope\n101,Jane,Smith,jane@example.com,\n102,John,Doe,john@example.com,Office Manager\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.csv")
			if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
				t.Fatal(err)
			}
			in, err := intake.Open(path, intake.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			var rows []*validate.RowResult
			sum, err := validate.Run(context.Background(), in, validate.Options{Target: "netsapiens.user"},
				validate.RowFunc(func(r *validate.RowResult) error { rows = append(rows, r); return nil }))
			if err != nil {
				t.Fatal(err)
			}
			if sum.ErrorCount() != 0 || sum.Valid != sum.Rows || sum.Rows == 0 {
				t.Errorf("summary %+v, errors %+v", sum, sum.Errors)
			}
			for _, r := range rows {
				if !r.Valid {
					t.Errorf("row %d invalid: %+v", r.Row.Num, r.Issues)
				}
			}
		})
	}
}

// The extension is any string at the vendor: digits only is advice, a
// warning, and the value is kept as typed.
func TestExtensionDigitsIsAdvice(t *testing.T) {
	f := netsapiens.User.Field("user")
	if !f.Required || f.Kind != schema.Digits {
		t.Errorf("user field %+v", f)
	}
	v, p := f.Parse("ext-7")
	if p == nil || !p.Warning || p.Rule != schema.RuleDigits || v != "ext-7" {
		t.Errorf("parse ext-7: %v, %+v; want a digits warning and the text kept", v, p)
	}
	if v, p := f.Parse("0101"); p != nil || v != "0101" {
		t.Errorf("parse 0101: %v, %+v", v, p)
	}
}

// voicemail-login-pin is a string of digits, as seed 001 types it, though
// the published OpenAPI says integer: leading zeros survive.
func TestVoicemailPinIsDigitString(t *testing.T) {
	f := netsapiens.User.Field("voicemail-login-pin")
	if f.Kind != schema.Digits || f.Required {
		t.Errorf("voicemail-login-pin %+v", f)
	}
	if v, p := f.Parse("04812"); p != nil || v != "04812" {
		t.Errorf("parse 04812: %#v, %+v", v, p)
	}
	if _, p := f.Parse("48a2"); p == nil || p.Warning {
		t.Errorf("parse 48a2: %+v, want an error: the seed says the PIN is numeric", p)
	}
}

// The user target keeps the recording toggle the site gained, once.
func TestUserHasEachFieldOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range netsapiens.User.Fields {
		if seen[f.Key] {
			t.Errorf("user field %s twice", f.Key)
		}
		seen[f.Key] = true
	}
	if !seen["call-recordings-hide-from-others-enabled"] || !strings.HasPrefix(netsapiens.User.Field("call-recordings-hide-from-others-enabled").Help, "Hide") {
		t.Error("user lost call-recordings-hide-from-others-enabled")
	}
}
