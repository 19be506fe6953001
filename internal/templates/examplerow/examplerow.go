// Package examplerow decides whether a data row is the example row a
// template wrote, so that readers skip it instead of sending it. It is
// the one place this is decided: `onboard validate` and `onboard run`
// (per-target sheets, package validate) and the HR sheet (package hires)
// both ask Matches, and the per-target template writes its example cells
// with Value, so what is written and what is recognised share one source.
//
// The rule never drops a real person: a row is the example only when every
// cell equals, exactly, the example the template wrote for its column.
// Typing over or clearing any cell, or filling a cell the example left
// empty, makes it real data.
package examplerow

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/schema"
)

// Rule is the rule code of the note that says an example row was skipped.
const Rule = "example-row"

// Note is the cell note templates attach to their example row.
const Note = "Example row: onboard never sends it — type over it or delete it"

// Skipped is the note a reader gives for a skipped example row.
func Skipped(row int) string {
	return fmt.Sprintf("row %d is the template's example row: skipped, never sent", row)
}

// Detail says the same as Skipped where the row is given beside it (a
// problem's row field, "row 2: ..." in a listing).
const Detail = "The template's example row, left as written: skipped, never sent"

// Value is a field's example cell as a template writes it (nil when the
// field has no example): whole numbers as numbers, TRUE/FALSE as logical
// values, everything else as text.
func Value(f *schema.Field) any {
	if f == nil || f.Example == "" {
		return nil
	}
	switch f.Kind {
	case schema.Integer:
		if n, err := strconv.ParseInt(f.Example, 10, 64); err == nil {
			return n
		}
	case schema.Boolean:
		switch strings.ToUpper(f.Example) {
		case "TRUE":
			return true
		case "FALSE":
			return false
		}
	}
	return f.Example
}

// Text is a field's example cell as a reader reads it back ("" when the
// field has no example): the text of Value.
func Text(f *schema.Field) string {
	switch v := Value(f).(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strings.ToUpper(strconv.FormatBool(v))
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// FieldTexts returns, for a sheet whose columns fill fields (nil for a
// column that fills none), the example text of each column.
func FieldTexts(fields []*schema.Field) []string {
	want := make([]string, len(fields))
	for i, f := range fields {
		want[i] = Text(f)
	}
	return want
}

// Matches reports whether a row's cells (as read, trimmed) are exactly
// the example: cell i equals want[i] for every column, cells beyond want
// are empty, and at least one cell is filled. want holds the example text
// of each of the sheet's columns, "" where the template wrote nothing (a
// column the example leaves empty or the template does not have).
func Matches(want, cells []string) bool {
	filled := false
	for i, c := range cells {
		w := ""
		if i < len(want) {
			w = want[i]
		}
		if c != w {
			return false
		}
		filled = filled || c != ""
	}
	if !filled {
		return false
	}
	// A column the row is too short to reach is empty in the row: it must
	// be empty in the example too.
	for _, w := range want[min(len(cells), len(want)):] {
		if w != "" {
			return false
		}
	}
	return true
}

// Useful reports whether want describes an example at all (some column
// has an example text); when not, no row can be the example.
func Useful(want []string) bool {
	for _, w := range want {
		if w != "" {
			return true
		}
	}
	return false
}
