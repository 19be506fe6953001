package schema

import (
	"net/mail"
	"strings"
	"testing"
)

// slowValidEmail is ValidEmail without its byte-level fast path.
func slowValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

var emailSeeds = []string{
	"jane.smith@example.com", "a@b.c", "a@b", "a@.b.c", "a@b.c.", ".a@b.c", "a.@b.c", "a..b@c.d", "a@b..c",
	"@b.c", "a@", "a@@b.c", "a@b@c.d", "\"a b\"@c.d", "a@[1.2.3.4]", "Jane <a@b.c>", " a@b.c", "a@b.c ",
	"a@b.c (x)", "zoë@example.com", "o'brien+tag@mail.example.org", "a{b}|c~!#$%&*/=?^_`@d-e.f",
	"a(b)@c.d", "a\\b@c.d", "a,b@c.d", "a;b@c.d", "a@b.c;d@e.f", "", "\x00@b.c", "a@b.\x7f",
}

// FuzzSimpleEmail checks that the fast path accepts nothing the full
// parse refuses, and that ValidEmail still answers as the full parse does.
func FuzzSimpleEmail(f *testing.F) {
	for _, s := range emailSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slow := slowValidEmail(s)
		if simpleEmail(s) && !slow {
			t.Fatalf("fast path accepts %q, net/mail refuses it", s)
		}
		if got := ValidEmail(s); got != slow {
			t.Fatalf("ValidEmail(%q) = %v, full parse says %v", s, got, slow)
		}
	})
}

// TestSimpleEmailCommonCases pins the fast path on the addresses a sheet
// usually holds, and the email field's messages on those it refuses.
func TestSimpleEmailCommonCases(t *testing.T) {
	for _, s := range []string{"jane.smith@example.com", "o'brien+tag@mail.example.org", "x-1@a-b.example.co.uk"} {
		if !simpleEmail(s) {
			t.Errorf("simpleEmail(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"a@b", "a..b@c.d", "Jane <a@b.c>", "zoë@example.com", "a@b.c;d@e.f"} {
		if simpleEmail(s) {
			t.Errorf("simpleEmail(%q) = true, want false", s)
		}
	}
	single := &Field{Key: "e", Kind: Email}
	multi := &Field{Key: "e", Kind: Email, Multi: true, Separator: ";"}
	cases := []struct {
		f    *Field
		in   string
		want any
		msg  string
	}{
		{single, "jane@example.com", "jane@example.com", ""},
		{multi, "jane@example.com", "jane@example.com", ""},
		{multi, "jane@example.com; bob@example.org ;", "jane@example.com;bob@example.org", ""},
		{single, "jane@example", nil, "must be a valid email address such as name@example.com; found 'jane@example'"},
		{multi, "jane@example.com;bob", nil, "must be email addresses separated by ';'; 'bob' is not a valid address"},
	}
	for _, c := range cases {
		v, p := c.f.Parse(c.in)
		if c.msg == "" {
			if p != nil || v != c.want {
				t.Errorf("Parse(%q) = %v, %v; want %v", c.in, v, p, c.want)
			}
			continue
		}
		if p == nil || p.Message != c.msg || p.Rule != RuleEmail {
			t.Errorf("Parse(%q) problem %+v; want %q", c.in, p, c.msg)
		}
	}
}
