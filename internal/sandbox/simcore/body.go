package simcore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/onboard/onboard/internal/schema"
)

// FieldProblem is one broken rule in a request body, by wire key.
type FieldProblem struct {
	Key string // wire key
	Msg string
}

func (p FieldProblem) String() string { return p.Key + " " + p.Msg }

// JoinProblems renders problems as one message, in field order.
func JoinProblems(ps []FieldProblem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// DecodeObject reads a JSON object, keeping numbers exact.
func DecodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("the body is not a JSON object: %w", err)
	}
	if obj == nil {
		return nil, errors.New("the body is not a JSON object: null")
	}
	if dec.More() {
		return nil, errors.New("the body has data after its JSON object")
	}
	return obj, nil
}

// Checked is a request body checked against a target.
type Checked struct {
	Rec      schema.Record  // preset path values plus the body's values
	Received map[string]any // the body's values, normalized, secrets masked
	Problems []FieldProblem // in field order
}

// CheckBody checks obj against target t the way the vendor's API does:
// unknown keys, JSON types, every field rule, required fields and
// same-as pairs. preset holds values that came from the URL; pathInBody
// says whether the target's path fields travel in the body (Cove's
// PartnerId) rather than in the URL.
func CheckBody(t *schema.Target, obj map[string]any, preset map[string]any, pathInBody bool) Checked {
	c := Checked{Rec: schema.NewRecord(t), Received: make(map[string]any, len(obj))}
	for k, v := range preset {
		c.Rec.Set(k, v)
	}
	bad := make(map[string]bool)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := t.Field(k)
		if f == nil || (f.Path && !pathInBody) {
			c.Problems = append(c.Problems, FieldProblem{Key: k, Msg: unknownKeyMessage(t, k, pathInBody)})
			bad[k] = true
			continue
		}
		v, p := f.CheckWire(obj[k])
		if p != nil {
			c.Problems = append(c.Problems, FieldProblem{Key: k, Msg: p.Message})
			bad[k] = true
			continue
		}
		if v == nil {
			continue
		}
		c.Rec.Set(k, v)
		if f.IsSecret() {
			c.Received[k] = schema.Mask
		} else {
			c.Received[k] = v
		}
	}
	for _, f := range t.Fields {
		if f.Required && !bad[f.Key] && c.Rec.Get(f.Key) == nil {
			c.Problems = append(c.Problems, FieldProblem{Key: f.Key, Msg: "is required"})
		}
		if f.SameAs != "" && !bad[f.Key] && !bad[f.SameAs] {
			a, b := c.Rec.Text(f.Key), c.Rec.Text(f.SameAs)
			if a != "" && b != "" && a != b {
				c.Problems = append(c.Problems, FieldProblem{Key: f.Key, Msg: fmt.Sprintf("must be the same as %s ('%s'); found '%s'", f.SameAs, b, a)})
			}
		}
	}
	sort.SliceStable(c.Problems, func(i, j int) bool {
		return fieldOrder(t, c.Problems[i].Key) < fieldOrder(t, c.Problems[j].Key)
	})
	return c
}

// fieldOrder sorts known keys in description order, unknown ones last.
func fieldOrder(t *schema.Target, key string) int {
	if i := t.FieldIndex(key); i >= 0 {
		return i
	}
	return len(t.Fields)
}

func unknownKeyMessage(t *schema.Target, key string, pathInBody bool) string {
	var known []string
	for _, f := range t.Fields {
		if !f.Path || pathInBody {
			known = append(known, f.Key)
		}
	}
	msg := "is not a known field"
	if s := schema.Suggest(known, key); s != "" {
		msg += "; did you mean '" + s + "'?"
	}
	return msg
}
