package hires

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/schema"
)

// FindSheet returns the HR sheet of an input: the sheet the plan names
// (sheet:), else one called "New Hires" (or an alias such as "Starters"),
// else the first sheet whose header has every required HR column. A CSV's
// one sheet is it. The error is an *intake.UnusableError.
func (p *Plan) FindSheet(f intake.File) (string, error) {
	names := f.SheetNames()
	if len(names) == 1 && f.Format() == "csv" {
		return names[0], nil
	}
	want := []string{p.SheetName()}
	if p.sheetName == "" {
		want = append(want, SheetAliases...)
	}
	for _, w := range want {
		for _, n := range names {
			if schema.Fold(n) == schema.Fold(w) {
				return n, nil
			}
		}
	}
	if p.sheetName == "" {
		for _, n := range names {
			rr, err := f.Rows(n)
			if err != nil {
				continue
			}
			_, _, err = p.NewReader(n, rr.Header(), rr.HeaderRow())
			rr.Close()
			if err == nil {
				return n, nil
			}
		}
	}
	return "", &intake.UnusableError{Path: f.Path(), Reason: fmt.Sprintf("no sheet named %s, and no sheet has the HR columns (sheets: %s)", quote(p.SheetName()), strings.Join(names, ", ")),
		Fix: "name the sheet of new hires " + quote(p.SheetName()) + " and give it a header row with First name, Last name, Work email and Role"}
}

// Read reads every person of the input's HR sheet. The problems are the
// header's and each row's (bad email, unknown role, ...); the error is an
// *intake.UnusableError (no HR sheet, missing required columns) or a read
// error.
func (p *Plan) Read(f intake.File) (people []*Person, probs []*Problem, sheet string, err error) {
	sheet, err = p.FindSheet(f)
	if err != nil {
		return nil, nil, "", err
	}
	rr, err := f.Rows(sheet)
	if err != nil {
		return nil, nil, sheet, fmt.Errorf("reading sheet %s of %s: %w", quote(sheet), f.Path(), err)
	}
	defer rr.Close()
	r, probs, err := p.NewReader(sheet, rr.Header(), rr.HeaderRow())
	var mc *MissingColumnsError
	if errors.As(err, &mc) {
		return nil, probs, sheet, &intake.UnusableError{Path: f.Path(), Reason: mc.Error(), Fix: ""}
	}
	if err != nil {
		return nil, probs, sheet, err
	}
	for {
		row, ok := rr.Next()
		if !ok {
			break
		}
		person, rowProbs := r.Person(row)
		people = append(people, person)
		probs = append(probs, rowProbs...)
	}
	if err := rr.Err(); err != nil {
		return nil, probs, sheet, fmt.Errorf("reading sheet %s of %s: %w", quote(sheet), f.Path(), err)
	}
	return people, probs, sheet, nil
}

// TemplateColumn is one column of the HR template as the plan shapes it.
type TemplateColumn struct {
	Key      string   // HR key ("WorkEmail")
	Label    string   // "Work email"
	Header   string   // the header cell: the label, with " *" when required
	Required bool     // every person needs it
	Help     string   // one line for HR
	Example  string   // an example value ("" for the password)
	Values   []string // drop-down values: roles, time zones, offices when the plan lists them
	Text     bool     // keep as text (phone numbers, extensions: a leading + or 0 matters)
	Date     bool     // a date
}

// TemplateColumns returns the HR sheet's columns for a template: Role's
// drop-down from the plan's roles, Office's from the plan's columns:
// Office: values: when given, Time zone's from NetSapiens' list.
func TemplateColumns(p *Plan) []TemplateColumn {
	var out []TemplateColumn
	for _, f := range p.sheet.Fields {
		c := TemplateColumn{Key: f.Key, Label: f.Label, Header: f.Label, Required: f.Required, Help: f.Help, Example: f.Example,
			Text: f.Kind == schema.Phone || f.Kind == schema.Digits, Date: f.Key == StartDate}
		if f.Required {
			c.Header += " *"
		}
		if f.Kind == schema.Enum {
			c.Values = append([]string(nil), f.Enum...)
		}
		out = append(out, c)
	}
	return out
}

// WriteTemplate writes the HR template workbook: a "New Hires" sheet with
// plain-language headers (required ones marked *), a note on each header
// with help and an example, drop-downs for Role, Office and Time zone, a
// frozen header row, and an Instructions sheet written for HR.
func WriteTemplate(w io.Writer, p *Plan) error { return WriteWorkbook(w, p, nil) }

// WriteWorkbook writes the HR workbook (see WriteTemplate) with rows of
// people filled in, each a slice of texts in TemplateColumns order. A
// Start date text in YYYY-MM-DD form is written as a real date.
func WriteWorkbook(w io.Writer, p *Plan, rows [][]string) error {
	x := excelize.NewFile()
	defer x.Close()
	cols := TemplateColumns(p)
	sheet := p.SheetName()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("naming the sheet: %w", err)
	}
	if err := writeHires(x, sheet, cols, rows); err != nil {
		return err
	}
	if err := writeInstructions(x, p, cols); err != nil {
		return err
	}
	if err := writeLists(x, sheet, cols); err != nil {
		return err
	}
	x.SetActiveSheet(0)
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	return nil
}

// templateRows is how many rows the drop-downs and formats cover.
const templateRows = 500

func writeHires(x *excelize.File, sheet string, cols []TemplateColumn, rows [][]string) error {
	head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return fmt.Errorf("making the header style: %w", err)
	}
	text, err := x.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return fmt.Errorf("making the text style: %w", err)
	}
	date, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return fmt.Errorf("making the date style: %w", err)
	}
	last := len(rows) + 1
	if last < templateRows {
		last = templateRows
	}
	for i, c := range cols {
		col := intake.ColumnName(i)
		cell := col + "1"
		if err := x.SetCellStr(sheet, cell, c.Header); err != nil {
			return fmt.Errorf("writing the header: %w", err)
		}
		width := float64(len(c.Header)) + 4
		if width < 14 {
			width = 14
		}
		if c.Key == WorkEmail || c.Key == TimeZone || c.Key == JobTitle {
			width = 26
		}
		if err := x.SetColWidth(sheet, col, col, width); err != nil {
			return fmt.Errorf("sizing column %s: %w", col, err)
		}
		note := c.Help
		if c.Example != "" {
			note += "\nExample: " + c.Example
		}
		if c.Required {
			note += "\nRequired."
		}
		if err := x.AddComment(sheet, excelize.Comment{Cell: cell, Author: "onboard", Text: note}); err != nil {
			return fmt.Errorf("adding the note to %s: %w", cell, err)
		}
		style := 0
		switch {
		case c.Text:
			style = text
		case c.Date:
			style = date
		}
		if style != 0 {
			if err := x.SetCellStyle(sheet, col+"2", fmt.Sprintf("%s%d", col, last), style); err != nil {
				return fmt.Errorf("formatting column %s: %w", col, err)
			}
		}
	}
	lastCol := intake.ColumnName(len(cols) - 1)
	if err := x.SetCellStyle(sheet, "A1", lastCol+"1", head); err != nil {
		return fmt.Errorf("styling the header: %w", err)
	}
	if err := x.SetRowHeight(sheet, 1, 30); err != nil {
		return fmt.Errorf("sizing the header: %w", err)
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("freezing the header: %w", err)
	}
	for r, row := range rows {
		for i, v := range row {
			if i >= len(cols) || v == "" {
				continue
			}
			cell := intake.CellRef(i, r+2)
			var err error
			if cols[i].Date {
				if iso, msg := parseDate(v); msg == "" && iso == v {
					t, _ := time.Parse("2006-01-02", v)
					err = x.SetCellValue(sheet, cell, t)
				} else {
					err = x.SetCellStr(sheet, cell, v)
				}
			} else {
				err = x.SetCellStr(sheet, cell, v)
			}
			if err != nil {
				return fmt.Errorf("writing %s: %w", cell, err)
			}
		}
	}
	return nil
}

// writeLists puts the drop-down values on a hidden Lists sheet (a list in
// the validation itself is limited to 255 characters) and adds the
// drop-downs.
func writeLists(x *excelize.File, hires string, cols []TemplateColumn) error {
	const lists = "Lists"
	if _, err := x.NewSheet(lists); err != nil {
		return fmt.Errorf("adding the Lists sheet: %w", err)
	}
	n := 0
	for i, c := range cols {
		if len(c.Values) == 0 {
			continue
		}
		lc := intake.ColumnName(n)
		n++
		if err := x.SetCellStr(lists, lc+"1", c.Label); err != nil {
			return fmt.Errorf("writing the Lists sheet: %w", err)
		}
		for j, v := range c.Values {
			if err := x.SetCellStr(lists, fmt.Sprintf("%s%d", lc, j+2), v); err != nil {
				return fmt.Errorf("writing the Lists sheet: %w", err)
			}
		}
		col := intake.ColumnName(i)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows))
		dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$2:$%s$%d", lists, lc, lc, len(c.Values)+1))
		dv.SetInput(truncate(c.Label, 32), truncate(c.Help, 250))
		dv.SetError(excelize.DataValidationErrorStyleStop, truncate(c.Label, 32), truncate("Pick a value from the list. "+c.Help, 250))
		if err := x.AddDataValidation(hires, dv); err != nil {
			return fmt.Errorf("adding the %s drop-down: %w", c.Label, err)
		}
	}
	if err := x.SetSheetVisible(lists, false); err != nil {
		return fmt.Errorf("hiding the Lists sheet: %w", err)
	}
	return nil
}

func writeInstructions(x *excelize.File, p *Plan, cols []TemplateColumn) error {
	const sheet = "Instructions"
	if _, err := x.NewSheet(sheet); err != nil {
		return fmt.Errorf("adding the Instructions sheet: %w", err)
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("making a style: %w", err)
	}
	title, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return fmt.Errorf("making a style: %w", err)
	}
	wrap, err := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("making a style: %w", err)
	}
	lines := []string{
		"How to fill in the " + p.SheetName() + " sheet",
		"",
		"Write one row per new hire on the " + quote(p.SheetName()) + " sheet. Columns marked * are required; leave a cell empty when it does not apply.",
		"Role decides which accounts the person gets (desk phone, contact centre, reporting portal, backup console). Pick it from the drop-down.",
		"Systems is optional: +cove adds an account, -acefone removes one from what the role gives. Separate several with commas.",
		"Password is optional. Leave it empty and IT generates a strong one, handed over separately. Never email this sheet with passwords in it.",
		"Phone numbers: include the country code (+61 412 345 678). Extensions: digits only. Start date: a date such as 2025-03-03.",
		"IT checks the sheet before anything is created and tells you the exact cell to fix (for example \"Mobile (D8): Acefone needs a mobile number\").",
		"",
		"Roles and the accounts they give",
	}
	for _, r := range p.roles {
		var names []string
		for _, id := range r.targets {
			names = append(names, targetWords(id))
		}
		lines = append(lines, r.name+": "+strings.Join(names, ", "))
	}
	lines = append(lines, "")
	row := 1
	for i, l := range lines {
		if err := x.SetCellStr(sheet, fmt.Sprintf("A%d", row), l); err != nil {
			return fmt.Errorf("writing the Instructions sheet: %w", err)
		}
		if i == 0 {
			if err := x.SetCellStyle(sheet, "A1", "A1", title); err != nil {
				return fmt.Errorf("styling the Instructions sheet: %w", err)
			}
		} else if l == "Roles and the accounts they give" {
			if err := x.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), bold); err != nil {
				return fmt.Errorf("styling the Instructions sheet: %w", err)
			}
		}
		row++
	}
	head := []string{"Column", "Required", "What to write", "Example"}
	for i, h := range head {
		if err := x.SetCellStr(sheet, intake.CellRef(i, row), h); err != nil {
			return fmt.Errorf("writing the Instructions sheet: %w", err)
		}
	}
	if err := x.SetCellStyle(sheet, intake.CellRef(0, row), intake.CellRef(3, row), bold); err != nil {
		return fmt.Errorf("styling the Instructions sheet: %w", err)
	}
	for _, c := range cols {
		row++
		req := ""
		if c.Required {
			req = "yes"
		}
		what := c.Help
		if len(c.Values) > 0 && len(c.Values) <= 12 {
			what += " — one of: " + strings.Join(c.Values, ", ")
		}
		for i, v := range []string{c.Label, req, what, c.Example} {
			if err := x.SetCellStr(sheet, intake.CellRef(i, row), v); err != nil {
				return fmt.Errorf("writing the Instructions sheet: %w", err)
			}
		}
	}
	if err := x.SetCellStyle(sheet, "A2", fmt.Sprintf("D%d", row), wrap); err != nil {
		return fmt.Errorf("styling the Instructions sheet: %w", err)
	}
	for col, w := range map[string]float64{"A": 22, "B": 10, "C": 90, "D": 24} {
		if err := x.SetColWidth(sheet, col, col, w); err != nil {
			return fmt.Errorf("sizing the Instructions sheet: %w", err)
		}
	}
	return nil
}

// targetWords names a target for HR: "Acefone (user)".
func targetWords(id string) string {
	words := map[string]string{
		"netsapiens.user":    "NetSapiens desk phone user",
		"acefone.user":       "Acefone contact-centre user",
		"fonedynamics.login": "Fone Dynamics portal login",
		"cove.user":          "Cove backup console user",
	}
	if w, ok := words[id]; ok {
		return w
	}
	return id
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func ptr[T any](v T) *T { return &v }
