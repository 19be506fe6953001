// Package templates builds the input template workbook and the reference
// documentation (`onboard targets`, docs/targets.md) from the target
// descriptions in internal/schema. Nothing here restates a rule: labels,
// required markers, drop-down lists, number ranges, help and examples all
// come from schema.Field.
package templates

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/examplerow"
)

// Sheet names the template uses besides one sheet per target. Readers of a
// filled-in template skip both.
const (
	// InstructionsSheet is the first sheet: how to fill in the workbook.
	InstructionsSheet = "Instructions"
	// ListsSheet is a hidden sheet holding drop-down lists too long to
	// store inline in a validation rule (the 221 NetSapiens time zones).
	ListsSheet = "Lists"
)

// FirstDataRow is the first row below the header; the template puts an
// example row there, which readers skip while it is left untouched.
const FirstDataRow = 2

// LastValidatedRow is the last row that carries the columns' drop-downs,
// number ranges and help messages.
const LastValidatedRow = 10000

// DefaultFileName is the file `onboard template` writes when no -o is given.
const DefaultFileName = "onboard-template.xlsx"

// UnknownTargetError says that a name given on the command line names no
// target. Its message lists the valid IDs.
type UnknownTargetError struct {
	Name  string
	Valid []string
}

func (e *UnknownTargetError) Error() string {
	return fmt.Sprintf("unknown target %q; valid targets are %s (or a vendor name: %s)",
		e.Name, strings.Join(e.Valid, ", "), strings.Join(vendorNames(), ", "))
}

func vendorNames() []string {
	names := make([]string, len(registry.Vendors))
	for i, v := range registry.Vendors {
		names[i] = v.Name
	}
	return names
}

// Select returns the targets the names stand for, in creation order and
// without repeats; no names means every target. A name may be a target ID
// ("netsapiens.user"), a vendor name ("netsapiens": all its targets), or
// anything a sheet may be called (label or alias, see registry.MatchSheet).
func Select(names []string) ([]*schema.Target, error) {
	all := registry.Targets()
	if len(names) == 0 {
		return all, nil
	}
	chosen := map[string]bool{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		switch {
		case registry.Target(name) != nil:
			chosen[name] = true
		case registry.Vendor(strings.ToLower(name)) != nil:
			for _, t := range registry.Vendor(strings.ToLower(name)).Targets {
				chosen[t.ID] = true
			}
		case registry.MatchSheet(name) != nil:
			chosen[registry.MatchSheet(name).ID] = true
		default:
			return nil, &UnknownTargetError{Name: name, Valid: registry.IDs()}
		}
	}
	var ts []*schema.Target
	for _, t := range all {
		if chosen[t.ID] {
			ts = append(ts, t)
		}
	}
	return ts, nil
}

// Build returns the template workbook for targets: the Instructions sheet,
// one sheet per target named after its label, and the hidden Lists sheet
// when a drop-down list is too long to store inline. The caller closes the
// file. The result is the same, byte for byte, for the same targets.
func Build(targets []*schema.Target) (*excelize.File, error) {
	if len(targets) == 0 {
		return nil, fmt.Errorf("build template: no targets")
	}
	f := excelize.NewFile()
	b := &builder{f: f, lists: map[string]string{}}
	if err := b.build(targets); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("build template: %w", err)
	}
	return f, nil
}

// Write builds the template for targets and writes it to w as .xlsx.
func Write(w io.Writer, targets []*schema.Target) error {
	f, err := Build(targets)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// WriteFile builds the template for targets and saves it at path, through
// a temporary file in the same folder so a failure never leaves half a
// workbook behind.
func WriteFile(path string, targets []*schema.Target) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".onboard-template-*.xlsx")
	if err != nil {
		return fmt.Errorf("write template %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := Write(tmp, targets); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write template %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write template %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write template %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write template %s: %w", path, err)
	}
	return nil
}

// HeaderText is the header cell of a field's column: its label, with " *"
// when the field is required.
func HeaderText(f *schema.Field) string {
	if f.Required {
		return f.Label + " *"
	}
	return f.Label
}

// TextColumn reports whether a field's column is formatted as text (`@`)
// so that Excel keeps leading zeros and a leading + as typed.
func TextColumn(f *schema.Field) bool {
	switch f.Kind {
	case schema.Digits, schema.Phone, schema.Secret:
		return true
	}
	return false
}

// DropDown returns the values offered in a field's drop-down list, or nil
// when the column has none: enums, yes/no, TRUE/FALSE and lists of enum
// values.
func DropDown(f *schema.Field) []string {
	switch {
	case f.Kind == schema.Enum, f.Kind == schema.List && f.Item == schema.Enum:
		return slices.Clone(f.Enum)
	case f.Kind == schema.YesNo:
		return []string{"yes", "no"}
	case f.Kind == schema.Boolean:
		return []string{"TRUE", "FALSE"}
	}
	return nil
}

// Ranged reports whether a field is a single whole number with a lower or
// upper bound, which the template checks with a whole-number validation.
func Ranged(f *schema.Field) bool {
	return f.Kind == schema.Integer && (f.Min != nil || f.Max != nil)
}

// ExampleRow returns the texts of the template's example row for t as a
// reader reads them back, aligned with t.Fields ("" where a field has no
// example). Readers skip a row that is exactly this (see examplerow).
func ExampleRow(t *schema.Target) []string {
	return examplerow.FieldTexts(t.Fields)
}
