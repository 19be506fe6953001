package templates

import (
	"fmt"
	"strings"

	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/pagesetup"
)

// line is one row of the Instructions sheet.
type line struct {
	style int // one of the builder's styles, 0 for plain
	text  string
}

// instructionLines says what the tool does, how to fill in the workbook,
// one line per target sheet, and the legend.
func (b *builder) instructionLines(targets []*schema.Target) []line {
	s := b.styles
	ls := []line{
		{s.title, "onboard: new-hire input template"},
		{},
		{s.heading, "What this workbook is for"},
		{s.wrapped, "onboard reads this workbook and creates one account (or site) per row at the vendor each sheet names. " +
			"It first checks every row against the vendor's rules and points at the exact sheet, row and cell to fix; " +
			"then it creates the records and writes a result workbook saying what happened to each row."},
		{},
		{s.heading, "How to fill it in"},
		{s.wrapped, "1. Use one sheet per kind of record. Leave a sheet without rows, or delete it, when you have nothing to create there."},
		{s.wrapped, fmt.Sprintf("2. Type one record per row, starting in row %d. Row %d holds an example in grey italics (its cell note says so). "+
			"onboard never sends it while it is left exactly as written: onboard validate notes it as skipped. "+
			"Type over it with a real record (it then counts as real data), or delete the row.", FirstDataRow, FirstDataRow)},
		{s.wrapped, "3. Keep the sheet names and header texts. You may reorder columns and delete optional columns you do not use."},
		{s.wrapped, "4. Leave an optional cell empty to get the vendor's default."},
		{s.wrapped, "5. Check the workbook with:  onboard validate <this file>.xlsx   (it lists every problem with its cell; nothing is created)."},
		{},
		{s.heading, "Sheets"},
	}
	for _, t := range targets {
		ls = append(ls, line{s.wrapped, fmt.Sprintf("%s: %s. Vendor operation: %s. Required columns: %s.",
			t.Label, strings.TrimSuffix(t.Help, "."), t.Operation, strings.Join(requiredLabels(t), ", "))})
	}
	ls = append(ls,
		line{},
		line{s.heading, "Legend"},
		line{s.wrapped, "Header ending in *  (darker blue): a required column; every row needs a value there."},
		line{s.wrapped, fmt.Sprintf("Grey italic row %d: the example row; never sent while untouched (see step 2).", FirstDataRow)},
		line{s.wrapped, "Drop-down arrow on a selected cell: pick one of the allowed values (yes/no, TRUE/FALSE, time zones, scopes, ...). " +
			"Other values are refused, except in columns that take several values separated by commas."},
		line{s.wrapped, "Whole-number columns refuse numbers outside their range; the message says the allowed range."},
		line{s.wrapped, "Select any cell to see its column's help, rule and an example."},
		line{s.wrapped, "Extension, PIN, phone and password columns are formatted as text, so leading zeros and a leading + are kept."},
		line{s.wrapped, "Every column's full rule, default and example: run  onboard targets  (or see docs/targets.md)."},
		line{s.wrapped, fmt.Sprintf("The hidden %q sheet holds the long drop-down lists; do not edit it.", ListsSheet)},
	)
	return ls
}

func requiredLabels(t *schema.Target) []string {
	var labels []string
	for _, f := range t.Fields {
		if f.Required {
			labels = append(labels, f.Label)
		}
	}
	return labels
}

// instructionsWidth is the width of the Instructions sheet's one column,
// in characters: a comfortable line to read, on screen and printed.
const instructionsWidth = 100

func (b *builder) instructions(targets []*schema.Target) error {
	sheet := InstructionsSheet
	if err := b.f.SetColWidth(sheet, "A", "A", instructionsWidth); err != nil {
		return err
	}
	for i, l := range b.instructionLines(targets) {
		row := i + 1
		cell := fmt.Sprintf("A%d", row)
		if l.text == "" {
			continue
		}
		if err := b.f.SetCellStr(sheet, cell, l.text); err != nil {
			return err
		}
		if l.style != 0 {
			if err := b.f.SetCellStyle(sheet, cell, cell, l.style); err != nil {
				return err
			}
		}
		if l.style == b.styles.wrapped {
			// Programs differ in fitting a row to wrapped text on opening;
			// an explicit height makes every one show all of it.
			h := pagesetup.LineHeight*float64(pagesetup.WrappedLines(l.text, pagesetup.TextRoom(instructionsWidth))) + 4
			if err := b.f.SetRowHeight(sheet, row, h); err != nil {
				return err
			}
		}
	}
	return pagesetup.Apply(b.f, sheet, 0)
}
