package templates

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/onboard/onboard/internal/schema"
)

// TargetInfo is a target as `onboard targets --json` lists it.
type TargetInfo struct {
	ID        string       `json:"id"`
	Vendor    string       `json:"vendor"`
	Label     string       `json:"label"` // the sheet name in templates
	Aliases   []string     `json:"aliases,omitempty"`
	Operation string       `json:"operation"`
	Help      string       `json:"help"`
	Key       []string     `json:"key"` // wire keys identifying a record at the vendor
	Unique    []UniqueInfo `json:"unique,omitempty"`
	Refs      []RefInfo    `json:"refs,omitempty"`
	Fields    []FieldInfo  `json:"fields"`
}

// UniqueInfo is a uniqueness rule inside one input.
type UniqueInfo struct {
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

// RefInfo says a field names a record of another target, created first.
type RefInfo struct {
	Field  string `json:"field"`
	Target string `json:"target"`
}

// FieldInfo is a field (column) as `onboard targets --json` lists it.
type FieldInfo struct {
	Key       string   `json:"key"`
	Label     string   `json:"label"`
	Aliases   []string `json:"aliases,omitempty"`
	Type      string   `json:"type"`
	Required  bool     `json:"required"`
	In        string   `json:"in"` // "body" or "path"
	Rule      string   `json:"rule"`
	Enum      []string `json:"enum,omitempty"`
	Min       *int64   `json:"min,omitempty"`
	Max       *int64   `json:"max,omitempty"`
	Separator string   `json:"separator,omitempty"`
	MaxLen    int      `json:"max_length,omitempty"`
	SameAs    string   `json:"same_as,omitempty"`
	Secret    bool     `json:"secret,omitempty"`
	Default   string   `json:"default,omitempty"`
	Help      string   `json:"help"`
	Example   string   `json:"example,omitempty"`
}

// Catalog describes targets for listings and docs, in the given order.
func Catalog(targets []*schema.Target) []TargetInfo {
	infos := make([]TargetInfo, 0, len(targets))
	for _, t := range targets {
		ti := TargetInfo{ID: t.ID, Vendor: t.Vendor, Label: t.Label, Aliases: t.Aliases,
			Operation: t.Operation, Help: t.Help, Key: t.Key}
		for _, u := range t.Unique {
			ti.Unique = append(ti.Unique, UniqueInfo{Name: u.Name, Fields: u.Fields})
		}
		for _, r := range t.Refs {
			ti.Refs = append(ti.Refs, RefInfo{Field: r.Field, Target: r.Target})
		}
		for _, f := range t.Fields {
			ti.Fields = append(ti.Fields, fieldInfo(f))
		}
		infos = append(infos, ti)
	}
	return infos
}

func fieldInfo(f *schema.Field) FieldInfo {
	fi := FieldInfo{Key: f.Key, Label: f.Label, Aliases: f.Aliases, Type: TypeName(f), Required: f.Required,
		In: "body", Rule: f.Describe(), Min: f.Min, Max: f.Max, MaxLen: f.MaxLen, SameAs: f.SameAs,
		Secret: f.IsSecret(), Default: f.Default, Help: f.Help, Example: f.Example}
	if f.Path {
		fi.In = "path"
	}
	if f.Kind == schema.Enum || (f.Kind == schema.List && f.Item == schema.Enum) {
		fi.Enum = f.Enum
	}
	if f.Kind == schema.List || f.Multi {
		fi.Separator = f.Separator
		if fi.Separator == "" {
			fi.Separator = ","
		}
	}
	return fi
}

// TypeName names a field's type for listings: the kind, "list of <item>"
// for lists, "email list" for several addresses in one cell.
func TypeName(f *schema.Field) string {
	switch {
	case f.Kind == schema.List:
		return "list of " + f.Item.String()
	case f.Kind == schema.Email && f.Multi:
		return "email list"
	}
	return f.Kind.String()
}

// WriteJSON writes the catalog of targets as indented JSON.
func WriteJSON(w io.Writer, targets []*schema.Target) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Catalog(targets)); err != nil {
		return fmt.Errorf("write targets as JSON: %w", err)
	}
	return nil
}

// WriteText writes the targets and their fields as aligned plain text, one
// block per target.
func WriteText(w io.Writer, targets []*schema.Target) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, t := range targets {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\t(sheet %q)\t%s\n", t.ID, t.Label, t.Operation)
		fmt.Fprintf(tw, "  %s\n", t.Help)
		fmt.Fprintln(tw, "  COLUMN\tKEY\tTYPE\tREQUIRED\tRULE\tDEFAULT\tEXAMPLE\tHELP")
		for _, f := range t.Fields {
			req := "-"
			if f.Required {
				req = "yes"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				f.Label, f.Key, TypeName(f), req, f.Describe(), dash(f.Default), dash(f.Example), f.Help)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write targets: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteMarkdown writes the reference page docs/targets.md: every target,
// its sheet and file names, its cross-row rules, and a table of its
// columns with type, rule, default, help and example.
func WriteMarkdown(w io.Writer, targets []*schema.Target) error {
	var b strings.Builder
	b.WriteString("# Targets and columns\n\n")
	b.WriteString("<!-- Generated from the target descriptions (internal/*/fields.go) by `make templates`. Do not edit by hand. -->\n\n")
	b.WriteString("Each target is one kind of record onboard creates. In a workbook, a target is a sheet named after its label " +
		"(its ID or an alias also works); a CSV file is matched by a name starting with the target ID, e.g. `acefone.user.csv`. " +
		"Columns are matched by label, key or alias, ignoring case, spaces, `-`, `_`, `.` and a trailing `*`. " +
		"`onboard template` writes a workbook with every sheet, drop-down and range check below; " +
		"`onboard targets --json` prints the same facts for scripts.\n\n")
	b.WriteString("| Target | Sheet | Vendor operation | One row is |\n|---|---|---|---|\n")
	for _, t := range targets {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", t.ID, anchor(t), cell(t.Label), cell(t.Operation), cell(t.Help))
	}
	for _, t := range targets {
		fmt.Fprintf(&b, "\n## %s\n\n", heading(t))
		fmt.Fprintf(&b, "%s.\n\n", strings.TrimSuffix(t.Help, "."))
		fmt.Fprintf(&b, "- Vendor operation: %s\n", t.Operation)
		fmt.Fprintf(&b, "- Sheet name: `%s` (also accepted: %s)\n", t.Label, codeList(append([]string{t.ID}, t.Aliases...)))
		fmt.Fprintf(&b, "- CSV file name: `%s.csv` (or starting with `%s-`, `%s_`, `%s.`)\n", t.ID, t.ID, t.ID, t.ID)
		fmt.Fprintf(&b, "- A record is identified by: %s\n", labelList(t, t.Key))
		for _, u := range t.Unique {
			fmt.Fprintf(&b, "- Must be unique within one input: %s (%s)\n", u.Name, labelList(t, u.Fields))
		}
		for _, r := range t.Refs {
			fmt.Fprintf(&b, "- %s names a record of `%s`; rows there are created first\n", labelList(t, []string{r.Field}), r.Target)
		}
		b.WriteString("\n| Column | Key | Type | Required | Rule | Default | Example | Help |\n|---|---|---|---|---|---|---|---|\n")
		for _, f := range t.Fields {
			req := ""
			if f.Required {
				req = "**yes**"
			}
			key := "`" + f.Key + "`"
			if f.Path {
				key += " (path)"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
				cell(f.Label)+aliasNote(f), key, TypeName(f), req, cell(f.Describe()), code(f.Default), code(f.Example), cell(f.Help))
		}
		for _, f := range t.Fields {
			if len(f.Enum) > 12 {
				fmt.Fprintf(&b, "\n<details><summary>%s: the %d allowed values</summary>\n\n%s\n\n</details>\n",
					f.Label, len(f.Enum), codeList(f.Enum))
			}
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write targets as Markdown: %w", err)
	}
	return nil
}

func heading(t *schema.Target) string { return fmt.Sprintf("%s (`%s`)", t.Label, t.ID) }

// anchor is the GitHub anchor of a target's heading.
func anchor(t *schema.Target) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading(t)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func aliasNote(f *schema.Field) string {
	if len(f.Aliases) == 0 {
		return ""
	}
	return " <br>(also " + cell(strings.Join(f.Aliases, ", ")) + ")"
}

func labelList(t *schema.Target, keys []string) string {
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = k
		if f := t.Field(k); f != nil {
			labels[i] = f.Label
		}
	}
	return strings.Join(labels, " + ")
}

func codeList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
