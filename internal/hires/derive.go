package hires

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Derivation is a built-in rule that makes a vendor value from one HR
// column: `{derive: dtmf}` in the plan. Column is the HR column it reads
// unless the plan names another (`{derive: dtmf, column: First name}`).
type Derivation struct {
	Name   string
	Column string // HR column key read by default
	Help   string
	// Make returns the value, or a *DeriveError saying why the text gives
	// none. SameAs derivations have no Make: they copy another field.
	Make func(text string) (string, error)
}

// DeriveError says why a derivation cannot make a value from a cell's
// text. Message continues "Last name (C6): " and names the fix.
type DeriveError struct {
	Reason  string // "non-latin", "too-short", "empty", "not-email"
	Message string
}

func (e *DeriveError) Error() string { return e.Message }

// Derivations are the built-in derivations, by name.
var Derivations = []*Derivation{
	{Name: "dtmf", Column: LastName, Make: DTMF,
		Help: "NetSapiens dial-by-name code: the first three letters of the last name on the phone keypad (Smith → 764)"},
	{Name: "login-from-email", Column: WorkEmail, Make: loginFromEmail,
		Help: "a login that is the work email address in lower case (unique system-wide, as NetSapiens needs)"},
	{Name: "localpart", Column: WorkEmail, Make: localPartDerivation,
		Help: "the part of the work email before the @, in lower case (jane.smith)"},
	{Name: "same-as-email", Column: WorkEmail,
		Help: "the same text as the target's email field (Cove's Name must equal EmailAddress); the work email when the field names no email field"},
}

func derivation(name string) *Derivation {
	for _, d := range Derivations {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func derivationNames() []string {
	names := make([]string, len(Derivations))
	for i, d := range Derivations {
		names[i] = d.Name
	}
	return names
}

// keypad maps A–Z to the digits of a phone keypad.
var keypad = [26]byte{
	'2', '2', '2', // ABC
	'3', '3', '3', // DEF
	'4', '4', '4', // GHI
	'5', '5', '5', // JKL
	'6', '6', '6', // MNO
	'7', '7', '7', '7', // PQRS
	'8', '8', '8', // TUV
	'9', '9', '9', '9', // WXYZ
}

// latinLetters spells letters that do not decompose into a base letter
// and accents.
var latinLetters = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L",
	'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D", 'þ': "th", 'Þ': "TH", 'ı': "i", 'ħ': "h", 'Ħ': "H",
}

// FoldLatin removes accents and spells special Latin letters in ASCII
// (José → Jose, Zoë → Zoe, Müller → Muller, Łukasz → Lukasz); other text
// is kept.
func FoldLatin(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	if strings.IndexFunc(out, func(r rune) bool { _, ok := latinLetters[r]; return ok }) < 0 {
		return out
	}
	var b strings.Builder
	for _, r := range out {
		if sp, ok := latinLetters[r]; ok {
			b.WriteString(sp)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DTMF returns the dial-by-name code of a name: the keypad digits of its
// first three letters (Smith → 764, Quinn → 784, Zhang → 942). Characters
// that are not letters (apostrophes, spaces, hyphens) are skipped
// (O'Brien → 627) and accents are folded (José → 567).
//
// A name with fewer than three letters gives a *DeriveError with Reason
// "too-short" rather than a padded code: a caller could not type a code
// the name does not spell. A name with letters outside A–Z (王芳) gives
// Reason "non-latin". In both cases the plan's fallback, when given, is
// used instead.
func DTMF(name string) (string, error) {
	var code []byte
	for _, r := range FoldLatin(name) {
		if len(code) == 3 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z':
			code = append(code, keypad[r-'a'])
		case r >= 'A' && r <= 'Z':
			code = append(code, keypad[r-'A'])
		case unicode.IsLetter(r):
			return "", &DeriveError{Reason: "non-latin",
				Message: "cannot make a dial-by-name code from " + quote(name) + ": the keypad spells only the letters A to Z"}
		}
	}
	switch {
	case len(code) == 0 && strings.TrimSpace(name) == "":
		return "", &DeriveError{Reason: "empty", Message: "is empty, so there is no dial-by-name code"}
	case len(code) < 3:
		return "", &DeriveError{Reason: "too-short",
			Message: quote(name) + " has only " + strconv.Itoa(len(code)) + " letter" + plural(len(code)) + "; a dial-by-name code needs 3"}
	}
	return string(code), nil
}

func loginFromEmail(email string) (string, error) {
	if !strings.Contains(email, "@") {
		return "", &DeriveError{Reason: "not-email", Message: quote(email) + " is not an email address, so no login can be made from it"}
	}
	return strings.ToLower(email), nil
}

func localPartDerivation(email string) (string, error) {
	lp := localPart(email)
	if lp == "" || !strings.Contains(email, "@") {
		return "", &DeriveError{Reason: "not-email", Message: quote(email) + " is not an email address, so no login can be made from it"}
	}
	return strings.ToLower(lp), nil
}

// localPart returns the part of an email address before the last '@' (the
// whole text when there is none).
func localPart(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return email[:i]
	}
	return email
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
