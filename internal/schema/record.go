package schema

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Record is one validated row in wire form: Values is aligned with
// Target.Fields and holds nil for a value not given.
type Record struct {
	Target *Target
	Values []any
}

// NewRecord returns an empty record for t.
func NewRecord(t *Target) Record {
	return Record{Target: t, Values: make([]any, len(t.Fields))}
}

// Get returns the wire value of the field with the given key, or nil.
func (r Record) Get(key string) any {
	if i := r.Target.FieldIndex(key); i >= 0 && i < len(r.Values) {
		return r.Values[i]
	}
	return nil
}

// Set stores the wire value of the field with the given key; unknown keys
// are ignored.
func (r Record) Set(key string, v any) {
	if i := r.Target.FieldIndex(key); i >= 0 && i < len(r.Values) {
		r.Values[i] = v
	}
}

// Text returns the value of key as text ("" when absent).
func (r Record) Text(key string) string { return Display(r.Get(key)) }

// Key returns the record's natural key: the Target.Key values joined by
// "/" (e.g. "example.com/101" for a NetSapiens user).
func (r Record) Key() string {
	parts := make([]string, len(r.Target.Key))
	for i, k := range r.Target.Key {
		parts[i] = r.Text(k)
	}
	return strings.Join(parts, "/")
}

// Body returns the request body: every non-path field that has a value,
// keyed by wire key, typed as the vendor expects.
func (r Record) Body() map[string]any {
	body := make(map[string]any, len(r.Values))
	for i, f := range r.Target.Fields {
		if f.Path || r.Values[i] == nil {
			continue
		}
		body[f.Key] = r.Values[i]
	}
	return body
}

// Redacted returns Body with every secret replaced by "********", for
// dry-run output, ledgers and logs.
func (r Record) Redacted() map[string]any {
	body := r.Body()
	for _, f := range r.Target.Fields {
		if f.IsSecret() {
			if _, ok := body[f.Key]; ok {
				body[f.Key] = Mask
			}
		}
	}
	return body
}

// Mask is what a secret is shown as.
const Mask = "********"

// Display renders a wire value as a person reads it in a cell.
func Display(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case []string:
		return strings.Join(x, ", ")
	case []int64:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = strconv.FormatInt(n, 10)
		}
		return strings.Join(s, ", ")
	case json.RawMessage:
		return string(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
