package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/onboard/onboard/internal/schema"
)

// fieldProblem is one broken rule in a request body, by wire key.
type fieldProblem struct {
	key string
	msg string
}

func (p fieldProblem) String() string { return p.key + " " + p.msg }

// joinProblems renders problems as one message, in field order.
func joinProblems(ps []fieldProblem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// decodeObject reads a JSON object, keeping numbers exact.
func decodeObject(data []byte) (map[string]any, error) {
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

// checked is a request body checked against a target.
type checked struct {
	rec      schema.Record  // preset path values plus the body's values
	received map[string]any // the body's values, normalized, secrets masked
	problems []fieldProblem // in field order
}

// checkBody checks obj against target t the way the vendor's API does:
// unknown keys, JSON types, every field rule, required fields and
// same-as pairs. preset holds values that came from the URL; pathInBody
// says whether the target's path fields travel in the body (Cove's
// PartnerId) rather than in the URL.
func checkBody(t *schema.Target, obj map[string]any, preset map[string]any, pathInBody bool) checked {
	c := checked{rec: schema.NewRecord(t), received: make(map[string]any, len(obj))}
	for k, v := range preset {
		c.rec.Set(k, v)
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
			c.problems = append(c.problems, fieldProblem{k, unknownKeyMessage(t, k, pathInBody)})
			bad[k] = true
			continue
		}
		v, p := f.CheckWire(obj[k])
		if p != nil {
			c.problems = append(c.problems, fieldProblem{k, p.Message})
			bad[k] = true
			continue
		}
		if v == nil {
			continue
		}
		c.rec.Set(k, v)
		if f.IsSecret() {
			c.received[k] = schema.Mask
		} else {
			c.received[k] = v
		}
	}
	for _, f := range t.Fields {
		if f.Required && !bad[f.Key] && c.rec.Get(f.Key) == nil {
			c.problems = append(c.problems, fieldProblem{f.Key, "is required"})
		}
		if f.SameAs != "" && !bad[f.Key] && !bad[f.SameAs] {
			a, b := c.rec.Text(f.Key), c.rec.Text(f.SameAs)
			if a != "" && b != "" && a != b {
				c.problems = append(c.problems, fieldProblem{f.Key, fmt.Sprintf("must be the same as %s ('%s'); found '%s'", f.SameAs, b, a)})
			}
		}
	}
	sort.SliceStable(c.problems, func(i, j int) bool {
		return fieldOrder(t, c.problems[i].key) < fieldOrder(t, c.problems[j].key)
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
