// Package xlsxdump renders the logical content of a workbook — sheets and
// their visibility, defined names, frozen panes, print setup, column
// widths and formats, row heights, cell values with their types and
// styles, cell notes, and data validations —
// as stable text. Two workbooks with the same dump look and behave the
// same in a spreadsheet program, whatever their zip bytes; tests compare
// dumps to tell whether a committed workbook is stale.
package xlsxdump

import (
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/templates/pagesetup"
)

// File returns the dump of an opened workbook.
func File(f *excelize.File) (string, error) {
	var b strings.Builder
	names := f.GetDefinedName()
	slices.SortFunc(names, func(a, c excelize.DefinedName) int { return strings.Compare(a.Name, c.Name) })
	for _, n := range names {
		fmt.Fprintf(&b, "defined name %s = %s (scope %s)\n", n.Name, n.RefersTo, n.Scope)
	}
	fmt.Fprintf(&b, "active sheet %d\n", f.GetActiveSheetIndex())
	for i, sheet := range f.GetSheetList() {
		if err := dumpSheet(&b, f, i, sheet); err != nil {
			return "", fmt.Errorf("dump sheet %s: %w", sheet, err)
		}
	}
	return b.String(), nil
}

func dumpSheet(b *strings.Builder, f *excelize.File, i int, sheet string) error {
	visible, err := f.GetSheetVisible(sheet)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "sheet %d %q visible=%t\n", i+1, sheet, visible)
	panes, err := f.GetPanes(sheet)
	if err != nil {
		return err
	}
	if panes.Freeze || panes.Split {
		fmt.Fprintf(b, "  panes freeze=%t split=%t x=%d y=%d top-left=%s\n", panes.Freeze, panes.Split, panes.XSplit, panes.YSplit, panes.TopLeftCell)
	}
	ps, err := pagesetup.Read(f, sheet)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "  print landscape=%t fit=%t wide=%d tall=%d\n", ps.Landscape, ps.FitToPage, ps.FitToWidth, ps.FitToHeight)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return err
	}
	for r := range rows {
		h, err := f.GetRowHeight(sheet, r+1)
		if err != nil {
			return err
		}
		if h != defaultRowHeight {
			fmt.Fprintf(b, "  row %d height=%g\n", r+1, h)
		}
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	for c := 1; c <= width; c++ {
		col, err := excelize.ColumnNumberToName(c)
		if err != nil {
			return err
		}
		w, err := f.GetColWidth(sheet, col)
		if err != nil {
			return err
		}
		sid, err := f.GetColStyle(sheet, col)
		if err != nil {
			return err
		}
		style, err := describeStyle(f, sid)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "  col %s width=%g%s\n", col, w, style)
	}
	for r, cells := range rows {
		for c, v := range cells {
			ref, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				return err
			}
			if typ == excelize.CellTypeUnset && v != "" {
				typ = excelize.CellTypeNumber // a number cell carries no type attribute
			}
			sid, err := f.GetCellStyle(sheet, ref)
			if err != nil {
				return err
			}
			style, err := describeStyle(f, sid)
			if err != nil {
				return err
			}
			if v == "" && style == "" {
				continue
			}
			fmt.Fprintf(b, "  %s %s %q%s\n", ref, typeName(typ), v, style)
		}
	}
	comments, err := f.GetComments(sheet)
	if err != nil {
		return err
	}
	for _, c := range comments {
		fmt.Fprintf(b, "  note %s %q\n", c.Cell, commentText(c))
	}
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		return err
	}
	lines := make([]string, 0, len(dvs))
	for _, dv := range dvs {
		lines = append(lines, fmt.Sprintf("  validation %s type=%s op=%s f1=%q f2=%q blank=%t error=%t/%s/%q/%q input=%t/%q/%q",
			dv.Sqref, dv.Type, dv.Operator, dv.Formula1, dv.Formula2, dv.AllowBlank,
			dv.ShowErrorMessage, deref(dv.ErrorStyle), deref(dv.ErrorTitle), deref(dv.Error),
			dv.ShowInputMessage, deref(dv.PromptTitle), deref(dv.Prompt)))
	}
	slices.Sort(lines)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return nil
}

// defaultRowHeight is the height of a row nobody sized, in points.
const defaultRowHeight = 15

// commentText is a note's text, from its runs when it has them.
func commentText(c excelize.Comment) string {
	if len(c.Paragraph) == 0 {
		return c.Text
	}
	var b strings.Builder
	for _, p := range c.Paragraph {
		b.WriteString(p.Text)
	}
	return b.String()
}

func typeName(t excelize.CellType) string {
	switch t {
	case excelize.CellTypeBool:
		return "bool"
	case excelize.CellTypeNumber:
		return "number"
	case excelize.CellTypeDate:
		return "date"
	case excelize.CellTypeFormula:
		return "formula"
	case excelize.CellTypeError:
		return "error"
	case excelize.CellTypeInlineString, excelize.CellTypeSharedString:
		return "text"
	default:
		return "unset"
	}
}

// describeStyle lists what a style changes from the default, or "".
func describeStyle(f *excelize.File, id int) (string, error) {
	if id == 0 {
		return "", nil
	}
	s, err := f.GetStyle(id)
	if err != nil {
		return "", err
	}
	var parts []string
	if s.NumFmt != 0 {
		parts = append(parts, fmt.Sprintf("numfmt=%d", s.NumFmt))
	}
	if s.CustomNumFmt != nil {
		parts = append(parts, fmt.Sprintf("numfmt=%q", *s.CustomNumFmt))
	}
	if s.Font != nil {
		if s.Font.Bold {
			parts = append(parts, "bold")
		}
		if s.Font.Italic {
			parts = append(parts, "italic")
		}
		if s.Font.Size != 0 && s.Font.Size != 11 {
			parts = append(parts, fmt.Sprintf("size=%g", s.Font.Size))
		}
		if s.Font.Color != "" {
			parts = append(parts, "color="+s.Font.Color)
		}
	}
	if len(s.Fill.Color) > 0 {
		parts = append(parts, "fill="+strings.Join(s.Fill.Color, ","))
	}
	if s.Alignment != nil && s.Alignment.WrapText {
		parts = append(parts, "wrap")
	}
	if len(parts) == 0 {
		return "", nil
	}
	return " [" + strings.Join(parts, " ") + "]", nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
