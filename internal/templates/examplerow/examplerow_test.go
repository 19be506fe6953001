package examplerow

import (
	"testing"

	"github.com/onboard/onboard/internal/schema"
)

func TestMatchesOnlyTheUntouchedExample(t *testing.T) {
	want := []string{"Jane", "Smith", "", "101"}
	cases := []struct {
		name  string
		cells []string
		match bool
	}{
		{"as written", []string{"Jane", "Smith", "", "101"}, true},
		{"as written, short row", []string{"Jane", "Smith", "", "101"}[:4], true},
		{"one cell typed over", []string{"Jane", "Smyth", "", "101"}, false},
		{"a cell cleared", []string{"Jane", "Smith", "", ""}, false},
		{"a cell the example leaves empty filled", []string{"Jane", "Smith", "x", "101"}, false},
		{"text right of the columns", []string{"Jane", "Smith", "", "101", "note"}, false},
		{"row too short to hold the example", []string{"Jane", "Smith"}, false},
		{"case differs", []string{"jane", "Smith", "", "101"}, false},
		{"empty row", []string{"", "", "", ""}, false},
	}
	for _, c := range cases {
		if got := Matches(want, c.cells); got != c.match {
			t.Errorf("%s: Matches(%q) = %t, want %t", c.name, c.cells, got, c.match)
		}
	}
	if Matches(nil, []string{"Jane"}) || Matches([]string{"", ""}, []string{"", ""}) {
		t.Error("a sheet without an example matched a row")
	}
}

func TestValueAndTextAgree(t *testing.T) {
	cases := []struct {
		f    schema.Field
		val  any
		text string
	}{
		{schema.Field{Kind: schema.Integer, Example: "512000"}, int64(512000), "512000"},
		{schema.Field{Kind: schema.Boolean, Example: "true"}, true, "TRUE"},
		{schema.Field{Kind: schema.Boolean, Example: "FALSE"}, false, "FALSE"},
		{schema.Field{Kind: schema.Digits, Example: "0101"}, "0101", "0101"},
		{schema.Field{Kind: schema.String}, nil, ""},
	}
	for _, c := range cases {
		if got := Value(&c.f); got != c.val {
			t.Errorf("Value(%v %q) = %#v, want %#v", c.f.Kind, c.f.Example, got, c.val)
		}
		if got := Text(&c.f); got != c.text {
			t.Errorf("Text(%v %q) = %q, want %q", c.f.Kind, c.f.Example, got, c.text)
		}
	}
	if got := FieldTexts([]*schema.Field{nil, {Kind: schema.String, Example: "x"}}); got[0] != "" || got[1] != "x" {
		t.Errorf("FieldTexts = %q", got)
	}
}

func TestSkippedWording(t *testing.T) {
	if got := Skipped(2); got != "row 2 is the template's example row: skipped, never sent" {
		t.Errorf("Skipped = %q", got)
	}
	if Detail != "The template's example row, left as written: skipped, never sent" {
		t.Errorf("Detail = %q", Detail)
	}
}
