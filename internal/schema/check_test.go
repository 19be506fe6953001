package schema

import (
	"reflect"
	"testing"
)

// checkFields are fields of every kind Check has a fast path for, with
// the rules that make those paths easy to get wrong: ranges, a length
// limit on multi-byte text, an address list, a pattern, advice.
func checkFields(t testing.TB) []*Field {
	fields := []*Field{
		{Key: "timeout", Label: "Timeout", Kind: Integer, Min: I64(0), Max: I64(3600)},
		{Key: "digits", Label: "Digits", Kind: Integer, Min: I64(100), Max: I64(999)},
		{Key: "any", Label: "Any", Kind: Integer},
		{Key: "ext", Label: "Extension", Kind: Digits, Advice: []string{RuleDigits}},
		{Key: "pin", Label: "PIN", Kind: Digits},
		{Key: "name", Label: "Name", Kind: String, MaxLen: 5},
		{Key: "free", Label: "Free", Kind: String},
		{Key: "domain", Label: "Domain", Kind: String, Pattern: `~|[A-Za-z0-9._-]*`},
		{Key: "emails", Label: "Email", Kind: Email, Multi: true, Separator: ";"},
		{Key: "email", Label: "Email", Kind: Email},
		{Key: "dotlist", Label: "Email", Kind: Email, Multi: true, Separator: "."},
		{Key: "yn", Label: "Y/N", Kind: YesNo},
		{Key: "b", Label: "Bool", Kind: Boolean},
		{Key: "scope", Label: "Scope", Kind: Enum, Enum: []string{"Basic User", "Office Manager"}},
		{Key: "pw", Label: "Password", Kind: Secret, Pattern: `.{8,}`},
	}
	target := &Target{ID: "t.check", Vendor: "t", Fields: fields}
	if err := target.Prepare(); err != nil {
		t.Fatal(err)
	}
	return fields
}

var checkSeeds = []string{
	"", "0", "25", "3600", "3601", "-1", "099", "99", "1,000", "12.0", "12.5", "999999999999999999",
	"9999999999999999999", "+5", " 7", "abc", "Zoë", "Zoëëëë", "hello", "héllo!", "a@b.c", "A@B.C",
	"a@b.c;d@e.f", "a@b", "Jane <a@b.c>", "yes", "No", "TRUE", "maybe", "Basic User", "basic user",
	"Basic Usr", "example.com", "exa mple", "~", "secret12", "short", "٣", "１２",
}

// TestCheckAgreesWithParse pins that Check reports exactly Parse's
// problem for every kind of field, valid and invalid text alike.
func TestCheckAgreesWithParse(t *testing.T) {
	fields := checkFields(t)
	for _, f := range fields {
		for _, text := range checkSeeds {
			_, want := f.Parse(text)
			if got := f.Check(text); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Check(%q) = %+v, Parse says %+v", f.Key, text, got, want)
			}
		}
	}
}

// TestCheckValidPathDoesNotAllocate is the point of Check: the usual
// valid cell costs no allocation.
func TestCheckValidPathDoesNotAllocate(t *testing.T) {
	fields := checkFields(t)
	valid := map[string]string{"timeout": "1743", "digits": "764", "ext": "261519", "name": "Søren",
		"free": "Accounts Payable", "emails": "jane.smith@example.com", "yn": "no", "b": "TRUE"}
	for _, f := range fields {
		text, ok := valid[f.Key]
		if !ok {
			continue
		}
		if allocs := testing.AllocsPerRun(100, func() { _ = f.Check(text) }); allocs != 0 {
			t.Errorf("%s: Check(%q) allocates %.0f times", f.Key, text, allocs)
		}
	}
}

// FuzzCheck checks Check against Parse on any text.
func FuzzCheck(f *testing.F) {
	for _, s := range checkSeeds {
		f.Add(s)
	}
	fields := checkFields(f)
	f.Fuzz(func(t *testing.T, text string) {
		for _, fd := range fields {
			_, want := fd.Parse(text)
			if got := fd.Check(text); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: Check(%q) = %+v, Parse says %+v", fd.Key, text, got, want)
			}
		}
	})
}

// TestFoldedEnumFindsWhatTheSearchFinds pins that the folded forms worked
// out by Prepare give the same value as searching the values in order,
// including where two values fold alike or differ only in case.
func TestFoldedEnumFindsWhatTheSearchFinds(t *testing.T) {
	values := []string{"a_b", "A-B", "Basic User", "basic-user", "Office Manager", "Etc/GMT+1", "Etc/GMT-1"}
	folded := foldedEnum(values)
	for _, text := range []string{"a-b", "A_B", "ab", "AB", "basic user", "BASICUSER", "Basic_User", "office.manager",
		"etc/gmt+1", "Etc/GMT 1", "etc/gmt-1", "nothing", "", "  "} {
		v1, ok1 := CanonicalEnum(values, text)
		v2, ok2 := canonicalEnum(values, folded, text)
		if v1 != v2 || ok1 != ok2 {
			t.Errorf("%q: search finds %q %v, folded forms %q %v", text, v1, ok1, v2, ok2)
		}
	}
}
