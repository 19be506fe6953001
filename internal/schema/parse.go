package schema

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Problem is one broken rule for one value. Rule is a short machine code
// ("required", "integer", "range", "enum", ...); Message speaks to a person
// and never contains a secret value.
type Problem struct {
	Rule       string
	Message    string
	Suggestion string // for a near-miss enum value: the value meant
	// Warning says the value breaks only onboard's advice (Field.Advice):
	// it is sent as typed, and the finding is shown as a warning.
	Warning bool
}

func (p *Problem) Error() string { return p.Message }

// Rule codes used in Problem.Rule.
const (
	RuleRequired = "required"
	RuleInteger  = "integer"
	RuleRange    = "range"
	RuleBoolean  = "boolean"
	RuleYesNo    = "yes/no"
	RuleEnum     = "enum"
	RuleEmail    = "email"
	RulePhone    = "phone"
	RuleDigits   = "digits"
	RuleLength   = "length"
	RulePattern  = "pattern"
	RuleJSON     = "json"
	RuleUnique   = "unique"
	RuleSameAs   = "same-as"
	RuleColumn   = "column"
)

// Parse reads a cell's text (already trimmed by intake) as this field's
// kind, checks every rule of the field, and returns the value in the type
// the vendor expects on the wire: string, int64, bool, []string, []int64 or
// json.RawMessage. An empty text returns (nil, nil): whether a missing value
// is allowed is decided by the caller, which knows about defaults.
func (f *Field) Parse(text string) (any, *Problem) {
	v, prob := f.parse(text)
	if prob == nil || !f.advised(prob.Rule) {
		return v, prob
	}
	return f.asTyped(text), &Problem{Rule: prob.Rule, Warning: true,
		Message: prob.Message + " (onboard's advice: the vendor documents no such rule, so the value is sent as typed)"}
}

// Check reports the problem Parse would report for text, or nil, without
// building the wire value: the common valid cell of a number, digits,
// plain text, an address or a yes/no is checked with no allocation.
// Anything the fast checks do not settle as valid is parsed in full, so
// the Problem is always exactly Parse's.
func (f *Field) Check(text string) *Problem {
	if f.quickValid(text) {
		return nil
	}
	_, prob := f.Parse(text)
	return prob
}

// quickValid reports whether text is certainly valid for the field by
// byte-level checks; false means "parse it to find out".
func (f *Field) quickValid(text string) bool {
	if text == "" {
		return true
	}
	if f.MaxLen > 0 && len(text) > f.MaxLen && utf8.RuneCountInString(text) > f.MaxLen {
		return false
	}
	switch f.Kind {
	case String:
		return f.pattern == nil && f.Pattern == ""
	case Integer:
		n, ok := plainDigits(text)
		return ok && f.inRange(n)
	case Digits:
		return asciiDigits(text)
	case Boolean, YesNo:
		_, ok := parseBool(text)
		return ok
	case Email:
		return simpleEmail(text) && (!f.Multi || !sepCanBeInSimpleEmail(f.sep()) || !strings.Contains(text, f.sep()))
	}
	return false
}

// asciiDigits reports whether s is one or more of the digits 0-9.
func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]-'0' > 9 {
			return false
		}
	}
	return len(s) > 0
}

// advised reports whether rule is only onboard's advice for this field.
func (f *Field) advised(rule string) bool {
	for _, r := range f.Advice {
		if r == rule {
			return true
		}
	}
	return false
}

// asTyped is the wire value of text when an advised rule is broken: the
// number for an Integer, else the text itself.
func (f *Field) asTyped(text string) any {
	if f.Kind == Integer {
		if n, err := strconv.ParseInt(strings.ReplaceAll(text, ",", ""), 10, 64); err == nil {
			return n
		}
	}
	return text
}

func (f *Field) parse(text string) (any, *Problem) {
	if text == "" {
		return nil, nil
	}
	// A text of at most MaxLen bytes has at most MaxLen characters: only
	// longer texts need counting.
	if f.MaxLen > 0 && len(text) > f.MaxLen && utf8.RuneCountInString(text) > f.MaxLen {
		return nil, &Problem{Rule: RuleLength, Message: fmt.Sprintf("must be at most %d characters; found %d", f.MaxLen, utf8.RuneCountInString(text))}
	}
	switch f.Kind {
	case Integer:
		return f.parseInt(text)
	case Boolean:
		b, ok := parseBool(text)
		if !ok {
			return nil, &Problem{Rule: RuleBoolean, Message: "must be TRUE or FALSE (yes/no, 1/0 also work); found " + quote(text)}
		}
		return b, nil
	case YesNo:
		b, ok := parseBool(text)
		if !ok {
			return nil, &Problem{Rule: RuleYesNo, Message: "must be yes or no; found " + quote(text)}
		}
		if b {
			return "yes", nil
		}
		return "no", nil
	case Enum:
		return f.parseEnum(text)
	case List:
		return f.parseList(text)
	case Email:
		return f.parseEmail(text)
	case Phone:
		return parsePhone(text)
	case Digits:
		for _, r := range text {
			if r < '0' || r > '9' {
				return nil, &Problem{Rule: RuleDigits, Message: "must contain digits only; found " + quote(text)}
			}
		}
		return text, nil
	case JSON:
		var obj map[string]any
		if err := json.Unmarshal([]byte(text), &obj); err != nil {
			return nil, &Problem{Rule: RuleJSON, Message: "must be a JSON object such as {\"key\": \"value\"}; found " + quote(text)}
		}
		return json.RawMessage(text), nil
	case Secret:
		return text, f.checkPattern(text, true)
	default:
		return text, f.checkPattern(text, false)
	}
}

func (f *Field) checkPattern(text string, secret bool) *Problem {
	if f.pattern == nil || f.pattern.MatchString(text) {
		return nil
	}
	msg := "must match " + f.patternWords()
	if !secret {
		msg += "; found " + quote(text)
	}
	return &Problem{Rule: RulePattern, Message: msg}
}

func (f *Field) patternWords() string {
	if f.PatternHelp != "" {
		return f.PatternHelp
	}
	return "the pattern " + f.Pattern
}

func (f *Field) parseInt(text string) (any, *Problem) {
	if n, ok := plainDigits(text); ok {
		if p := f.checkRange(n, text); p != nil {
			return nil, p
		}
		return n, nil
	}
	s := strings.ReplaceAll(text, ",", "")
	// A whole number typed as 12.0 (or read from a float cell) is still whole.
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, &Problem{Rule: RuleInteger, Message: "must be a whole number" + f.rangeSuffix() + "; found " + quote(text)}
	}
	if p := f.checkRange(n, text); p != nil {
		return nil, p
	}
	return n, nil
}

// plainDigits reads the usual integer cell, 1 to 18 ASCII digits, without
// the general path's copies; anything else (a sign, separators, a
// decimal point, a longer number) reports false and takes that path.
func plainDigits(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	return n, true
}

func (f *Field) checkRange(n int64, text string) *Problem {
	if !f.inRange(n) {
		return &Problem{Rule: RuleRange, Message: "must be a whole number" + f.rangeSuffix() + "; found " + quote(text)}
	}
	return nil
}

// inRange reports whether n lies within the field's Min and Max.
func (f *Field) inRange(n int64) bool {
	return (f.Min == nil || n >= *f.Min) && (f.Max == nil || n <= *f.Max)
}

func (f *Field) rangeSuffix() string {
	switch {
	case f.Min != nil && f.Max != nil:
		return fmt.Sprintf(" from %d to %d", *f.Min, *f.Max)
	case f.Min != nil:
		return fmt.Sprintf(" of at least %d", *f.Min)
	case f.Max != nil:
		return fmt.Sprintf(" of at most %d", *f.Max)
	}
	return ""
}

func parseBool(text string) (bool, bool) {
	var buf [5]byte
	switch string(lowerShort(text, &buf)) { // compared in place, not allocated
	case "yes", "y", "true", "t", "1", "on":
		return true, true
	case "no", "n", "false", "f", "0", "off":
		return false, true
	}
	return false, false
}

// lowerShort is strings.ToLower for a yes/no word: ASCII text of up to
// five bytes is lowered into buf, on the stack; longer or non-ASCII
// text is lowered as strings.ToLower does.
func lowerShort(s string, buf *[5]byte) []byte {
	if len(s) > len(buf) {
		return []byte(strings.ToLower(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return []byte(strings.ToLower(s))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)]
}

// CanonicalEnum returns the allowed value that text means, matching
// exactly, then ignoring case, then ignoring case, spaces, '-', '_' and '.'.
func CanonicalEnum(values []string, text string) (string, bool) {
	return canonicalEnum(values, nil, text)
}

// canonicalEnum is CanonicalEnum with, when folded is not nil, the last
// step's folded forms of values worked out beforehand (foldedEnum).
func canonicalEnum(values []string, folded map[string]string, text string) (string, bool) {
	for _, v := range values {
		if v == text {
			return v, true
		}
	}
	for _, v := range values {
		if strings.EqualFold(v, text) {
			return v, true
		}
	}
	ft := Fold(text)
	if folded != nil {
		v, ok := folded[ft]
		return v, ok
	}
	for _, v := range values {
		if Fold(v) == ft {
			return v, true
		}
	}
	return "", false
}

// foldedEnum maps each folded form of values to the first value with
// that form, as canonicalEnum's last step finds it.
func foldedEnum(values []string) map[string]string {
	m := make(map[string]string, len(values))
	for _, v := range values {
		if f := Fold(v); m[f] == "" {
			m[f] = v
		}
	}
	return m
}

// Suggest returns the allowed value closest to text when it is a near miss
// (a typo or two), or "".
func Suggest(values []string, text string) string {
	lt := strings.ToLower(text)
	best, bestD := "", 1<<30
	for _, v := range values {
		d := levenshtein.ComputeDistance(lt, strings.ToLower(v))
		if d < bestD {
			best, bestD = v, d
		}
	}
	limit := utf8.RuneCountInString(best) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD <= limit {
		return best
	}
	return ""
}

func (f *Field) parseEnum(text string) (any, *Problem) {
	if v, ok := canonicalEnum(f.Enum, f.folded, text); ok {
		return v, nil
	}
	return nil, f.enumProblem(text)
}

func (f *Field) enumProblem(text string) *Problem {
	p := &Problem{Rule: RuleEnum}
	p.Suggestion = Suggest(f.Enum, text)
	p.Message = "must be one of " + f.EnumWords() + "; found " + quote(text)
	if p.Suggestion != "" {
		p.Message = fmt.Sprintf("%s is not an allowed value. Did you mean %s?", quote(text), quote(p.Suggestion))
	}
	return p
}

// EnumWords lists the allowed values for a message, shortening long lists.
func (f *Field) EnumWords() string {
	if len(f.Enum) > 12 {
		return fmt.Sprintf("the %d allowed values (see the drop-down in the template or `onboard targets`)", len(f.Enum))
	}
	q := make([]string, len(f.Enum))
	for i, v := range f.Enum {
		q[i] = quote(v)
	}
	return strings.Join(q, ", ")
}

func (f *Field) sep() string {
	if f.Separator == "" {
		return ","
	}
	return f.Separator
}

func (f *Field) parseList(text string) (any, *Problem) {
	parts := strings.Split(strings.ReplaceAll(text, "\n", f.sep()), f.sep())
	items := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			items = append(items, p)
		}
	}
	switch f.Item {
	case Integer:
		nums := make([]int64, 0, len(items))
		for _, it := range items {
			v, p := f.parseInt(it)
			if p != nil {
				p.Message = "each item " + p.Message + " (items are separated by " + quote(f.sep()) + ")"
				return nil, p
			}
			nums = append(nums, v.(int64))
		}
		return nums, nil
	case Enum:
		for i, it := range items {
			v, ok := canonicalEnum(f.Enum, f.folded, it)
			if !ok {
				p := f.enumProblem(it)
				if p.Suggestion == "" {
					p.Message = "each item must be one of " + f.EnumWords() + "; found " + quote(it)
				}
				return nil, p
			}
			items[i] = v
		}
	}
	if f.Join {
		return strings.Join(items, f.sep()), nil
	}
	return items, nil
}

func (f *Field) parseEmail(text string) (any, *Problem) {
	// One plain address (the usual cell) needs no splitting or joining:
	// the result is the text itself.
	if simpleEmail(text) && (!f.Multi || !sepCanBeInSimpleEmail(f.sep()) || !strings.Contains(text, f.sep())) {
		return text, nil
	}
	addrs := []string{text}
	if f.Multi {
		addrs = addrs[:0]
		for _, a := range strings.Split(text, f.sep()) {
			if a = strings.TrimSpace(a); a != "" {
				addrs = append(addrs, a)
			}
		}
	}
	for _, a := range addrs {
		if !ValidEmail(a) {
			msg := "must be a valid email address such as name@example.com; found " + quote(a)
			if f.Multi {
				msg = "must be email addresses separated by " + quote(f.sep()) + "; " + quote(a) + " is not a valid address"
			}
			return nil, &Problem{Rule: RuleEmail, Message: msg}
		}
	}
	return strings.Join(addrs, f.sep()), nil
}

// ValidEmail reports whether s is one bare address (no display name) with
// a domain that has a dot.
func ValidEmail(s string) bool {
	if simpleEmail(s) {
		return true
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// simpleEmail reports whether s is a plain ASCII address local@domain
// whose two parts are RFC 5322 dot-atoms and whose domain has a dot: a
// byte-level check, with no allocation, of the common case. Every address
// it accepts net/mail accepts too (FuzzSimpleEmail checks this); anything
// else (quoted local parts, domain literals, non-ASCII, comments, and
// every invalid address) is left to ValidEmail's full parse.
func simpleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	return dotAtom(local) && dotAtom(domain) && strings.IndexByte(domain, '.') > 0
}

// sepCanBeInSimpleEmail reports whether an address separator could occur
// inside an address simpleEmail accepts: not for the usual ';' and ','
// (specials there), so a plain address needs no search for one.
func sepCanBeInSimpleEmail(sep string) bool {
	return len(sep) != 1 || sep[0] == '.' || sep[0] == '@' || atext[sep[0]]
}

// dotAtom reports whether s is atext and dots only, with no leading,
// trailing or doubled dot (a second '@' is not atext).
func dotAtom(s string) bool {
	if s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	prevDot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		dot := c == '.'
		if !(atext[c] || dot) || (dot && prevDot) {
			return false
		}
		prevDot = dot
	}
	return true
}

// atext marks the ASCII characters RFC 5322 allows in an atom: visible
// characters other than the specials ()<>[]:;@\,". and the dot.
var atext = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`()<>[]:;@\,".`, c)
	}
	return t
}()

func parsePhone(text string) (any, *Problem) {
	var b strings.Builder
	for i, r := range text {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return nil, &Problem{Rule: RulePhone, Message: "must be a phone number (digits, optionally starting with +); found " + quote(text)}
		}
	}
	s := b.String()
	n := len(strings.TrimPrefix(s, "+"))
	if n < 6 || n > 15 {
		return nil, &Problem{Rule: RulePhone, Message: fmt.Sprintf("must be a phone number of 6 to 15 digits; found %s (%d digits)", quote(text), n)}
	}
	return s, nil
}

// Describe says the field's rule in words, for template error messages,
// docs and `onboard targets`.
func (f *Field) Describe() string {
	var s string
	switch f.Kind {
	case Integer:
		s = "whole number" + f.rangeSuffix()
	case Boolean:
		s = "TRUE or FALSE"
	case YesNo:
		s = "yes or no"
	case Enum:
		s = "one of " + f.EnumWords()
	case List:
		item := "values"
		switch f.Item {
		case Integer:
			item = "whole numbers" + f.rangeSuffix()
		case Enum:
			item = "values from " + f.EnumWords()
		}
		s = item + " separated by " + quote(f.sep())
	case Email:
		s = "email address"
		if f.Multi {
			s = "email addresses separated by " + quote(f.sep())
		}
	case Phone:
		s = "phone number (digits, optional leading +)"
	case Digits:
		s = "digits only"
	case JSON:
		s = "JSON object"
	case Secret:
		s = "password (never shown in reports)"
	default:
		s = "text"
		if f.pattern != nil || f.Pattern != "" {
			s += " matching " + f.patternWords()
		}
	}
	if f.MaxLen > 0 {
		s += fmt.Sprintf(", at most %d characters", f.MaxLen)
	}
	if f.SameAs != "" {
		s += ", must equal " + f.SameAs
	}
	return s
}

func quote(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:57]) + "..."
	}
	return "'" + s + "'"
}
