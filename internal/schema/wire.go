package schema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// RuleType is the Problem.Rule of a wire value of the wrong JSON type (a
// number where a string is expected, ...).
const RuleType = "type"

// CheckWire checks a value decoded from a JSON request body against the
// field, as a vendor's API does when it receives it: first the JSON type
// the field's kind travels as (string, number, boolean, array, object),
// then every rule of Parse (range, enum, email, pattern, length, ...), by
// rendering the value to text and parsing it. It returns the value in wire
// form (string, int64, bool, []string, []int64 or json.RawMessage).
//
// v may come from encoding/json with or without UseNumber (float64 or
// json.Number for numbers, []any, map[string]any) or be a wire value built
// in Go. A JSON null or an empty string returns (nil, nil), like an empty
// cell: whether a missing value is allowed is the caller's decision.
//
// Unlike Parse, which forgives how people type cells, CheckWire is as strict
// as an API: enum and yes/no values must be spelled exactly (the Problem's
// Suggestion names the right spelling) and booleans must be JSON booleans.
func (f *Field) CheckWire(v any) (any, *Problem) {
	if v == nil {
		return nil, nil
	}
	switch f.Kind {
	case Integer:
		text, ok := numberText(v)
		if !ok {
			return nil, f.typeProblem("a whole number", v)
		}
		return f.Parse(text)
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, f.typeProblem("true or false", v)
		}
		return f.Parse(strconv.FormatBool(b))
	case List:
		if f.Join {
			return f.checkJoinedList(v)
		}
		return f.checkArray(v)
	case JSON:
		switch x := v.(type) {
		case map[string]any:
			b, err := json.Marshal(x)
			if err != nil {
				return nil, &Problem{Rule: RuleJSON, Message: "must be a JSON object"}
			}
			return f.Parse(string(b))
		case json.RawMessage:
			return f.Parse(string(x))
		}
		return nil, f.typeProblem("a JSON object", v)
	}
	// Every other kind travels as a JSON string.
	s, ok := v.(string)
	if !ok {
		return nil, f.typeProblem("a string", v)
	}
	if s == "" {
		return nil, nil
	}
	out, p := f.Parse(s)
	if p != nil && p.Warning {
		return out, p // onboard's advice only: the value stands
	}
	if p != nil {
		return nil, p
	}
	switch f.Kind {
	case YesNo:
		if out != s {
			return nil, &Problem{Rule: RuleYesNo, Message: "must be exactly 'yes' or 'no'; found " + quote(s), Suggestion: out.(string)}
		}
	case Enum:
		if out != s {
			return nil, f.exactProblem(s, out.(string))
		}
	}
	return out, nil
}

// checkJoinedList checks a list sent as one string ("Reporting,Integrations").
func (f *Field) checkJoinedList(v any) (any, *Problem) {
	s, ok := v.(string)
	if !ok {
		return nil, f.typeProblem("a string of values separated by "+quote(f.sep()), v)
	}
	if s == "" {
		return nil, nil
	}
	out, p := f.Parse(s)
	if p != nil {
		return nil, p
	}
	if f.Item == Enum {
		got := strings.Split(out.(string), f.sep())
		i := 0
		for _, item := range strings.Split(s, f.sep()) {
			if item = strings.TrimSpace(item); item == "" {
				continue
			}
			if i < len(got) && item != got[i] {
				return nil, f.exactProblem(item, got[i])
			}
			i++
		}
	}
	return out, nil
}

// checkArray checks a list sent as a JSON array, item by item with the
// item kind's rules.
func (f *Field) checkArray(v any) (any, *Problem) {
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case []string:
		for _, s := range x {
			items = append(items, s)
		}
	case []int64:
		for _, n := range x {
			items = append(items, n)
		}
	default:
		return nil, f.typeProblem("a JSON array", v)
	}
	item := &Field{Key: f.Key, Kind: f.Item, Min: f.Min, Max: f.Max, Enum: f.Enum}
	if item.Kind == List || item.Kind == JSON {
		item.Kind = String
	}
	var strs []string
	var nums []int64
	for i, it := range items {
		out, p := item.CheckWire(it)
		if p == nil && out == nil {
			p = &Problem{Rule: RuleRequired, Message: "must not be empty"}
		}
		if p != nil {
			p.Message = fmt.Sprintf("item %d %s", i+1, p.Message)
			return nil, p
		}
		switch x := out.(type) {
		case int64:
			nums = append(nums, x)
		case string:
			strs = append(strs, x)
		}
	}
	if f.Item == Integer {
		if nums == nil {
			nums = []int64{}
		}
		return nums, nil
	}
	if strs == nil {
		strs = []string{}
	}
	return strs, nil
}

func (f *Field) exactProblem(found, want string) *Problem {
	return &Problem{Rule: RuleEnum, Suggestion: want,
		Message: fmt.Sprintf("must be spelled exactly %s; found %s", quote(want), quote(found))}
}

// typeProblem says which JSON type was expected and which came; the value
// itself is shown only for fields that are not secret.
func (f *Field) typeProblem(want string, v any) *Problem {
	msg := "must be " + want + "; found " + jsonTypeName(v)
	if !f.IsSecret() {
		if b, err := json.Marshal(v); err == nil {
			msg += " " + quote(string(b))
		}
	}
	return &Problem{Rule: RuleType, Message: msg}
}

// numberText renders a JSON number as text for Parse.
func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	}
	return "", false
}

// jsonTypeName names the JSON type of a decoded value for messages.
func jsonTypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64, int64, int:
		return "a number"
	case bool:
		return "a boolean"
	case []any, []string, []int64:
		return "an array"
	case map[string]any, json.RawMessage:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}
