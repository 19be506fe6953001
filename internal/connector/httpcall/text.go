package httpcall

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/onboard/onboard/internal/schema"
)

// MaxMessage is the longest message, in characters, an outcome carries;
// longer vendor text is cut with "...".
const MaxMessage = 1000

// Scrub replaces every occurrence of each secret in s with schema.Mask, in
// its plain, JSON-escaped and URL-encoded forms, and cuts the result to
// MaxMessage characters. Every message a client returns passes through it.
func Scrub(s string, secrets ...string) string {
	list := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		if sec != "" {
			list = append(list, sec)
		}
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	for _, sec := range list {
		forms := []string{sec}
		if b, err := json.Marshal(sec); err == nil && len(b) >= 2 {
			forms = append(forms, string(b[1:len(b)-1]))
		}
		forms = append(forms, url.QueryEscape(sec), url.PathEscape(sec))
		for _, f := range forms {
			if f != "" {
				s = strings.ReplaceAll(s, f, schema.Mask)
			}
		}
	}
	return Truncate(s, MaxMessage)
}

// Truncate cuts s to at most n characters, ending a cut text with "...".
func Truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}

// RecordSecrets returns the values of the record's secret fields
// (passwords), for Scrub.
func RecordSecrets(r schema.Record) []string {
	if r.Target == nil {
		return nil
	}
	var out []string
	for i, f := range r.Target.Fields {
		if f.IsSecret() && i < len(r.Values) && r.Values[i] != nil {
			out = append(out, schema.Display(r.Values[i]))
		}
	}
	return out
}

// Snippet returns a short, single-line excerpt of a text answer body for a
// message when the vendor sent no readable JSON message; "" for an empty or
// HTML body.
func Snippet(body []byte) string {
	t := strings.TrimSpace(string(body))
	if t == "" || strings.HasPrefix(t, "<") {
		return ""
	}
	return Truncate(strings.Join(strings.Fields(t), " "), 200)
}

// DecodeObject decodes a JSON object answer, keeping numbers exact
// (json.Number), so IDs are not rounded through float64.
func DecodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("the answer is JSON null, not an object")
	}
	return obj, nil
}

// Field returns the value of the first of keys present in obj, matching
// keys without regard to case.
func Field(obj map[string]any, keys ...string) (any, bool) {
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			return v, true
		}
	}
	for _, k := range keys {
		for ok, v := range obj {
			if strings.EqualFold(ok, k) {
				return v, true
			}
		}
	}
	return nil, false
}

// Text renders a scalar JSON value (string, json.Number, number, bool) as
// text; "" for anything else.
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64, bool, int, int64:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return ""
}

// FieldText returns Text of the first of keys present in obj with a
// non-empty scalar value.
func FieldText(obj map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, ok := Field(obj, k); ok {
			if t := Text(v); t != "" {
				return t
			}
		}
	}
	return ""
}
