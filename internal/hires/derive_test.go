package hires

import (
	"errors"
	"strings"
	"testing"
	"text/template"
)

func TestDTMF(t *testing.T) {
	cases := map[string]string{
		"Smith":       "764",
		"Quinn":       "784", // Q is on 7 (PQRS)
		"Zhang":       "942", // Z is on 9 (WXYZ)
		"O'Brien":     "627", // apostrophe skipped
		"de la Cruz":  "335", // spaces skipped
		"Smith-Jones": "764",
		"Al-Amin":     "252", // hyphen skipped
		"José":        "567", // accents folded
		"García":      "427",
		"Zoë":         "963",
		"Müller":      "685",
		"Łukasz":      "585", // letters that do not decompose
		"Øst":         "678",
		"Straße":      "787",
		"smith":       "764",
		"Abc王":        "222", // only the first three letters matter
		"  Lee ":      "533",
	}
	for name, want := range cases {
		got, err := DTMF(name)
		if err != nil || got != want {
			t.Errorf("DTMF(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestDTMFRefusals(t *testing.T) {
	cases := []struct{ name, reason, msg string }{
		{"Ng", "too-short", "'Ng' has only 2 letters; a dial-by-name code needs 3"},
		{"O'", "too-short", "has only 1 letter;"},
		{"王芳", "non-latin", "cannot make a dial-by-name code from '王芳': the keypad spells only the letters A to Z"},
		{"Ивanov", "non-latin", "A to Z"},
		{"", "empty", "is empty"},
		{"'- ", "empty", ""},
	}
	for _, c := range cases {
		got, err := DTMF(c.name)
		var de *DeriveError
		if !errors.As(err, &de) || got != "" {
			t.Errorf("DTMF(%q) = %q, %v; want a DeriveError", c.name, got, err)
			continue
		}
		if c.name == "'- " {
			// Only punctuation: no letters at all, reported as too short.
			if de.Reason != "too-short" {
				t.Errorf("DTMF(%q) reason = %q, want too-short", c.name, de.Reason)
			}
			continue
		}
		if de.Reason != c.reason || !strings.Contains(de.Message, c.msg) {
			t.Errorf("DTMF(%q) = %s %q; want %s containing %q", c.name, de.Reason, de.Message, c.reason, c.msg)
		}
	}
}

func TestFoldLatin(t *testing.T) {
	cases := map[string]string{"José García": "Jose Garcia", "Zoë": "Zoe", "Ærø": "AEro", "王芳": "王芳", "plain": "plain"}
	for in, want := range cases {
		if got := FoldLatin(in); got != want {
			t.Errorf("FoldLatin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmailDerivations(t *testing.T) {
	if got, err := derivation("login-from-email").Make("Jane.Smith@Acme.Example"); err != nil || got != "jane.smith@acme.example" {
		t.Errorf("login-from-email = %q, %v", got, err)
	}
	if got, err := derivation("localpart").Make("Jane.Smith@Acme.Example"); err != nil || got != "jane.smith" {
		t.Errorf("localpart = %q, %v", got, err)
	}
	for _, name := range []string{"login-from-email", "localpart"} {
		if _, err := derivation(name).Make("Jane"); err == nil {
			t.Errorf("%s(Jane) gave no error", name)
		}
	}
	if derivation("same-as-email").Make != nil || derivation("nope") != nil {
		t.Error("same-as-email copies a field; unknown names are nil")
	}
}

func TestTemplateFuncs(t *testing.T) {
	data := map[string]string{"FirstName": "josé maría", "LastName": "GARCÍA-LÓPEZ", "WorkEmail": "Jose.Garcia@acme.example", "Mobile": "+1 (303) 555-0142"}
	cases := map[string]string{
		`{{lower .LastName}}`:                       "garcía-lópez",
		`{{upper .FirstName}}`:                      "JOSÉ MARÍA",
		`{{title .FirstName}}`:                      "José María",
		`{{localpart .WorkEmail}}`:                  "Jose.Garcia",
		`{{initials .FirstName .LastName}}`:         "JMGL",
		`{{digits .Mobile}}`:                        "13035550142",
		`{{ascii (lower .FirstName)}}`:              "jose maria",
		`{{lower (localpart .WorkEmail)}}@corp.com`: "jose.garcia@corp.com",
	}
	for src, want := range cases {
		tm := template.Must(template.New("t").Funcs(TemplateFuncs()).Option("missingkey=error").Parse(src))
		var b strings.Builder
		if err := tm.Execute(&b, data); err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if b.String() != want {
			t.Errorf("%s = %q, want %q", src, b.String(), want)
		}
	}
	if got := localPart("no-at-sign"); got != "no-at-sign" {
		t.Errorf("localpart without @ = %q", got)
	}
}
