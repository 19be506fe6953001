// Package schema holds the declarative description of every vendor target:
// its fields (wire key, label, aliases, type, rules, help, example) and the
// cross-row rules (uniqueness, natural key). Validation, templates, request
// building, the sandbox and the docs all read these descriptions, so a rule
// is written exactly once.
package schema

import (
	"regexp"
	"strings"
	"unicode"
)

// Kind is the type of a field as the user fills it in and as the vendor
// expects it on the wire.
type Kind int

// The field kinds.
const (
	String  Kind = iota // free text
	Integer             // whole number, sent as a JSON number
	Boolean             // true/false, sent as a JSON boolean
	YesNo               // yes/no, sent as the string "yes" or "no"
	Enum                // one of Field.Enum, sent as a string
	List                // several values separated by Field.Separator; items of Field.Item
	Email               // an email address (several with Field.Separator when Multi)
	Phone               // a phone number kept as text: digits with an optional leading +
	Secret              // a password: never echoed in reports, logs or state
	Digits              // a string of digits kept as text (leading zeros matter)
	JSON                // a JSON object typed into the cell
)

var kindNames = [...]string{"string", "integer", "boolean", "yes/no", "enum", "list", "email", "phone", "secret", "digits", "json"}

// String returns the kind's name as shown in docs and `onboard targets`.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText renders the kind by name in JSON output.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Field describes one input column and the wire value it becomes.
type Field struct {
	Key      string   // wire key exactly as the vendor spells it
	Label    string   // human column label used in templates and messages
	Aliases  []string // other headers accepted for this column
	Kind     Kind     // how the cell is read and the value typed
	Item     Kind     // for List: the kind of each item (String, Integer, Enum)
	Required bool     // the vendor rejects a record without it
	Min, Max *int64   // inclusive range for Integer (and List of Integer items)
	Enum     []string // allowed values for Enum (and List of Enum items)
	// Separator splits a List cell (default ","); for Email with Multi it
	// separates several addresses.
	Separator   string
	Multi       bool   // Email: several addresses separated by Separator
	Join        bool   // List: sent on the wire as one string joined by Separator
	MaxLen      int    // maximum length in characters, 0 = no limit
	Pattern     string // regular expression the whole value must match
	PatternHelp string // how the pattern reads to a person
	Default     string // the vendor's default (documentation; applied for path fields)
	Path        bool   // a URL path parameter rather than a body key
	SameAs      string // wire key of a field this one must equal (Cove Name == EmailAddress)
	Help        string // one-line help shown in templates and docs
	Example     string // example value for templates and docs
	// Advice lists rule codes (RulePattern, RuleRange, RuleDigits,
	// RulePhone, RuleLength) that are onboard's advice, not a rule the
	// vendor documents: a value breaking one is sent as typed and the
	// finding is a warning (Problem.Warning), never an error.
	Advice []string

	pattern *regexp.Regexp
	folded  map[string]string // Enum's values by folded form (Prepare), see foldedEnum
}

// IsSecret reports whether the field's value must never be shown.
func (f *Field) IsSecret() bool { return f.Kind == Secret }

// Unique is a uniqueness rule inside one input: no two rows may share the
// values of Fields. Name says it in words ("extension per domain").
type Unique struct {
	Fields []string
	Name   string
}

// Ref says that a field names a record of another target, which must be
// created first when both are in one batch (NetSapiens user → site).
type Ref struct {
	Field  string // field in this target naming the other record
	Target string // the other target's ID
	// Key maps the other target's natural-key fields to this target's
	// fields, in the order of the other target's Key.
	Key []string
}

// Target is one vendor operation with the fields it takes.
type Target struct {
	ID     string // "netsapiens.user"
	Vendor string // "netsapiens"
	Label  string // "NetSapiens Users": sheet name in templates
	System string // plain name for people, e.g. "NetSapiens phone": result columns and messages
	// HR names what a row gives a person, in HR's words ("Acefone
	// contact-centre user"): the new-hire template's instructions. HRName
	// falls back to SystemName.
	HR string
	// Shared marks a target whose one record serves many people (a
	// NetSapiens site, for an office): it is never given to a person, but
	// made once per distinct key for the people whose records name it
	// through a Ref, and created before them.
	Shared    bool
	Aliases   []string // other sheet names accepted
	Operation string   // "Create User in Domain"
	Help      string   // one line about what a row creates
	Fields    []*Field
	Key       []string // natural key: identifies the record at the vendor
	Unique    []Unique
	Refs      []Ref

	index map[string]int
}

// SystemName is the target's plain name for people (System), or its
// Label when it has none.
func (t *Target) SystemName() string {
	if t.System != "" {
		return t.System
	}
	return t.Label
}

// HRName is what a row gives a person, in HR's words (HR), or SystemName
// when the target has none.
func (t *Target) HRName() string {
	if t.HR != "" {
		return t.HR
	}
	return t.SystemName()
}

// Field returns the field with the given wire key, or nil.
func (t *Target) Field(key string) *Field {
	t.buildIndex()
	if i, ok := t.index[key]; ok {
		return t.Fields[i]
	}
	return nil
}

// FieldIndex returns the position of the field with the given wire key in
// Fields, or -1.
func (t *Target) FieldIndex(key string) int {
	t.buildIndex()
	if i, ok := t.index[key]; ok {
		return i
	}
	return -1
}

func (t *Target) buildIndex() {
	if t.index != nil {
		return
	}
	idx := make(map[string]int, len(t.Fields))
	for i, f := range t.Fields {
		idx[f.Key] = i
	}
	t.index = idx
}

// MatchHeader returns the field a column header names: by wire key, label
// or alias, ignoring case, spaces, '-', '_', '.' and a trailing '*'.
func (t *Target) MatchHeader(header string) *Field {
	h := Fold(header)
	if h == "" {
		return nil
	}
	for _, f := range t.Fields {
		if Fold(f.Key) == h || Fold(f.Label) == h {
			return f
		}
		for _, a := range f.Aliases {
			if Fold(a) == h {
				return f
			}
		}
	}
	return nil
}

// Fold reduces a sheet name or header to the form used for matching:
// lower case, without spaces, '-', '_', '.', '*', non-breaking spaces or
// surrounding punctuation such as a trailing required-marker.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '-' || r == '_' || r == '.' || r == '*' || r == '\u00a0' || r == '\ufeff':
		case unicode.IsSpace(r):
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Prepare checks the target's description for mistakes (unknown key
// references, bad patterns) and compiles its patterns. Registries call it
// once at start-up; a mistake is a programming error.
func (t *Target) Prepare() error {
	t.index = nil
	t.buildIndex()
	for _, f := range t.Fields {
		if f.Pattern != "" && f.pattern == nil {
			re, err := regexp.Compile("^(?:" + f.Pattern + ")$")
			if err != nil {
				return &DescriptionError{Target: t.ID, Field: f.Key, Msg: "bad pattern: " + err.Error()}
			}
			f.pattern = re
		}
		if f.SameAs != "" && t.Field(f.SameAs) == nil {
			return &DescriptionError{Target: t.ID, Field: f.Key, Msg: "same-as names unknown field " + f.SameAs}
		}
		if (f.Kind == Enum || (f.Kind == List && f.Item == Enum)) && len(f.Enum) == 0 {
			return &DescriptionError{Target: t.ID, Field: f.Key, Msg: "enum without values"}
		}
		if len(f.Enum) > 0 && f.folded == nil {
			f.folded = foldedEnum(f.Enum)
		}
	}
	check := func(what string, keys []string) error {
		for _, k := range keys {
			if t.Field(k) == nil {
				return &DescriptionError{Target: t.ID, Field: k, Msg: what + " names an unknown field"}
			}
		}
		return nil
	}
	if err := check("key", t.Key); err != nil {
		return err
	}
	for _, u := range t.Unique {
		if err := check("unique rule", u.Fields); err != nil {
			return err
		}
	}
	for _, r := range t.Refs {
		if err := check("reference", append([]string{r.Field}, r.Key...)); err != nil {
			return err
		}
	}
	return nil
}

// DescriptionError is a mistake in a target description itself.
type DescriptionError struct {
	Target, Field, Msg string
}

func (e *DescriptionError) Error() string {
	return "target " + e.Target + ", field " + e.Field + ": " + e.Msg
}

// I64 returns a pointer to v, for Field.Min and Field.Max literals.
func I64(v int64) *int64 { return &v }
