// Package sample describes the sample sheets a vendor package gives for
// samples/vendor-sheets.xlsx (internal/templates/samplegen): realistic
// rows with a few deliberate mistakes (Bad) and values that look wrong but
// are valid (Tricky), each saying why. It imports only schema, so vendor
// packages can use it.
package sample

import "github.com/onboard/onboard/internal/schema"

// Sheet is one sample sheet.
type Sheet struct {
	Name    string // as typed on the tab: a label or a target ID
	Target  *schema.Target
	Columns []Column
	Rows    [][]any // cells: string, int64, bool, nil (empty), Bad or Tricky
}

// Column is one column of a sample sheet: the header as typed and the
// field it names.
type Column struct {
	Header string
	Key    string
}

// Bad marks a deliberate mistake: the value as typed, the rule it breaks
// (a schema.Rule* code), why, and the value onboard should suggest.
type Bad struct {
	Value      any
	Rule       string
	Why        string
	Suggestion string
}

// Tricky marks a value that looks wrong but is valid, and says why.
type Tricky struct {
	Value any
	Why   string
}

// Labels returns columns headed by the fields' labels, with " *" on
// required ones when star is set (as in a copy of the template).
func Labels(t *schema.Target, star bool, keys ...string) []Column {
	cols := make([]Column, len(keys))
	for i, k := range keys {
		f := t.Field(k)
		h := f.Label
		if star && f.Required {
			h += " *"
		}
		cols[i] = Column{Header: h, Key: k}
	}
	return cols
}

// Wrong is a deliberate mistake (see Bad).
func Wrong(value any, rule, why, suggestion string) Bad {
	return Bad{Value: value, Rule: rule, Why: why, Suggestion: suggestion}
}

// Fine is a value that looks wrong but is valid (see Tricky).
func Fine(value any, why string) Tricky {
	return Tricky{Value: value, Why: why}
}
