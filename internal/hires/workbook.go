package hires

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/examplerow"
	"github.com/onboard/onboard/internal/templates/pagesetup"
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
	example := r.exampleCells(p.ExampleRow())
	for {
		row, ok := rr.Next()
		if !ok {
			break
		}
		if examplerow.Matches(example, row.Cells) {
			probs = append(probs, &Problem{Severity: SeverityNote, Sheet: sheet, Row: row.Num, Rule: examplerow.Rule,
				Message: examplerow.Detail})
			continue
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

// exampleCells lays the example row (texts in the plan's column order)
// out as the sheet's columns: the example text under each HR column the
// sheet has, "" under any other. No row matches when the example is empty.
func (r *Reader) exampleCells(example []string) []string {
	if !examplerow.Useful(example) {
		return nil
	}
	want := make([]string, len(r.cols.header))
	for i, f := range r.plan.sheet.Fields {
		if col, ok := r.cols.index[f.Key]; ok && i < len(example) && col < len(want) {
			want[col] = example[i]
		}
	}
	return want
}

// ExampleRow returns the texts of the HR template's example row, in
// TemplateColumns order: the plan's example person (each column's
// example, as the plan checks its specs with), plus the Systems example to
// show HR how to add a system; never a password. Reading a sheet skips a
// row that is exactly this (see examplerow.Matches).
func (p *Plan) ExampleRow() []string {
	row := make([]string, len(p.sheet.Fields))
	for i, f := range p.sheet.Fields {
		switch {
		case f.Key == Password:
		case f.Key == Systems:
			row[i] = f.Example
		case p.example != nil:
			row[i] = p.example.raw[f.Key]
		}
	}
	return row
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
// with help and an example, an example row in grey italics (never sent
// while left as written, see ExampleRow), drop-downs for Role, Office and
// Time zone, a frozen header row repeated on every printed page, and an
// Instructions sheet written for HR. Every sheet prints landscape, one
// page wide.
func WriteTemplate(w io.Writer, p *Plan) error {
	return writeWorkbook(w, p, [][]string{p.ExampleRow()}, true)
}

// WriteWorkbook writes the HR workbook (see WriteTemplate) with rows of
// people filled in, each a slice of texts in TemplateColumns order, and no
// example row. A Start date text in YYYY-MM-DD form is written as a real
// date.
func WriteWorkbook(w io.Writer, p *Plan, rows [][]string) error {
	return writeWorkbook(w, p, rows, false)
}

// writeWorkbook writes the HR workbook; with example, rows holds only the
// example row, styled and noted as such.
func writeWorkbook(w io.Writer, p *Plan, rows [][]string, example bool) error {
	x := excelize.NewFile()
	defer x.Close()
	cols := TemplateColumns(p)
	sheet := p.SheetName()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("naming the sheet: %w", err)
	}
	if err := writeHires(x, sheet, cols, rows, example); err != nil {
		return err
	}
	if err := writeInstructions(x, p, cols, example); err != nil {
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

// hiresStyles are the cell styles of the HR sheet.
type hiresStyles struct {
	head, text, date                  int
	example, exampleText, exampleDate int
}

func newHiresStyles(x *excelize.File) (hiresStyles, error) {
	var st hiresStyles
	var err error
	add := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = x.NewStyle(s)
		return id
	}
	grey := &excelize.Font{Italic: true, Color: "808080"}
	dateFmt := "yyyy-mm-dd"
	st.head = add(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	st.text = add(&excelize.Style{NumFmt: 49})
	left := &excelize.Alignment{Horizontal: "left"} // a date reads like the text around it
	st.date = add(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: left})
	st.example = add(&excelize.Style{Font: grey})
	st.exampleText = add(&excelize.Style{Font: grey, NumFmt: 49})
	st.exampleDate = add(&excelize.Style{Font: grey, CustomNumFmt: &dateFmt, Alignment: left})
	if err != nil {
		return st, fmt.Errorf("making the cell styles: %w", err)
	}
	return st, nil
}

// hiresWidth fits a column of the HR sheet to its header, its example and
// its drop-down values, within bounds.
func hiresWidth(c TemplateColumn) float64 {
	w := max(len([]rune(c.Header))+4, len([]rune(c.Example))+3, 12)
	for _, v := range c.Values {
		w = max(w, len([]rune(v))+4) // room for the drop-down arrow
	}
	return float64(min(w, 30))
}

func writeHires(x *excelize.File, sheet string, cols []TemplateColumn, rows [][]string, example bool) error {
	st, err := newHiresStyles(x)
	if err != nil {
		return err
	}
	last := max(len(rows)+1, templateRows)
	for i, c := range cols {
		col := intake.ColumnName(i)
		cell := col + "1"
		if err := x.SetCellStr(sheet, cell, c.Header); err != nil {
			return fmt.Errorf("writing the header: %w", err)
		}
		if err := x.SetColWidth(sheet, col, col, hiresWidth(c)); err != nil {
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
			style = st.text
		case c.Date:
			style = st.date
		}
		if style != 0 {
			if err := x.SetCellStyle(sheet, col+"2", fmt.Sprintf("%s%d", col, last), style); err != nil {
				return fmt.Errorf("formatting column %s: %w", col, err)
			}
		}
	}
	lastCol := intake.ColumnName(len(cols) - 1)
	if err := x.SetCellStyle(sheet, "A1", lastCol+"1", st.head); err != nil {
		return fmt.Errorf("styling the header: %w", err)
	}
	if err := x.SetRowHeight(sheet, 1, 30); err != nil {
		return fmt.Errorf("sizing the header: %w", err)
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("freezing the header: %w", err)
	}
	if err := writePeople(x, sheet, cols, rows); err != nil {
		return err
	}
	if example {
		if err := markExample(x, sheet, cols, st); err != nil {
			return err
		}
	}
	if err := pagesetup.Apply(x, sheet, 1); err != nil {
		return fmt.Errorf("setting up the %s sheet for printing: %w", sheet, err)
	}
	return nil
}

// writePeople writes rows of texts from row 2 on.
func writePeople(x *excelize.File, sheet string, cols []TemplateColumn, rows [][]string) error {
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

// markExample styles row 2 as the example (grey italic, keeping the text
// and date formats) and notes that it is never sent.
func markExample(x *excelize.File, sheet string, cols []TemplateColumn, st hiresStyles) error {
	for i, c := range cols {
		style := st.example
		switch {
		case c.Text:
			style = st.exampleText
		case c.Date:
			style = st.exampleDate
		}
		cell := intake.CellRef(i, 2)
		if err := x.SetCellStyle(sheet, cell, cell, style); err != nil {
			return fmt.Errorf("styling the example row: %w", err)
		}
	}
	if err := x.AddComment(sheet, excelize.Comment{Cell: "A2", Author: "onboard", Text: examplerow.Note, Width: 260, Height: 60}); err != nil {
		return fmt.Errorf("adding the note to the example row: %w", err)
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

// instructionsWidth is the width of the Instructions sheet's one column,
// in characters: a comfortable line to read, on screen and printed.
const instructionsWidth = 100

// instruction is one paragraph of the Instructions sheet.
type instruction struct {
	text  string
	style int // 0: wrapped body text
}

func writeInstructions(x *excelize.File, p *Plan, cols []TemplateColumn, example bool) error {
	const sheet = "Instructions"
	if _, err := x.NewSheet(sheet); err != nil {
		return fmt.Errorf("adding the Instructions sheet: %w", err)
	}
	heading, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
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
	if err := x.SetColWidth(sheet, "A", "A", instructionsWidth); err != nil {
		return fmt.Errorf("sizing the Instructions sheet: %w", err)
	}
	for i, l := range instructionLines(p, cols, example, title, heading) {
		row := i + 1
		cell := fmt.Sprintf("A%d", row)
		if l.text == "" {
			continue
		}
		if err := x.SetCellStr(sheet, cell, l.text); err != nil {
			return fmt.Errorf("writing the Instructions sheet: %w", err)
		}
		style := l.style
		if style == 0 {
			style = wrap
			h := pagesetup.LineHeight*float64(pagesetup.WrappedLines(l.text, pagesetup.TextRoom(instructionsWidth))) + 4
			if err := x.SetRowHeight(sheet, row, h); err != nil {
				return fmt.Errorf("sizing the Instructions sheet: %w", err)
			}
		}
		if err := x.SetCellStyle(sheet, cell, cell, style); err != nil {
			return fmt.Errorf("styling the Instructions sheet: %w", err)
		}
	}
	if err := pagesetup.Apply(x, sheet, 0); err != nil {
		return fmt.Errorf("setting up the Instructions sheet for printing: %w", err)
	}
	return nil
}

// instructionLines are the paragraphs of the Instructions sheet: how to
// fill in the sheet, the roles, and one paragraph per column.
func instructionLines(p *Plan, cols []TemplateColumn, example bool, title, heading int) []instruction {
	name := p.SheetName()
	ls := []instruction{
		{"How to fill in the " + name + " sheet", title},
		{},
		{"Write one row per new hire on the " + quote(name) + " sheet. Columns marked * are required; leave a cell empty when it does not apply.", 0},
	}
	if example {
		ls = append(ls, instruction{"Row 2 holds an example person in grey italics (its cell note says so). onboard never sends it while it is left exactly as written: " +
			"checking the sheet says it was skipped. Type over it with your first new hire (it then counts as a real person), or delete the row.", 0})
	}
	ls = append(ls,
		instruction{"Role decides which accounts the person gets (desk phone, contact centre, reporting portal, backup console). Pick it from the drop-down.", 0},
		instruction{"Systems is optional: +cove adds an account, -acefone removes one from what the role gives. Separate several with commas.", 0},
		instruction{"Password is optional. Leave it empty and IT generates a strong one, handed over separately. Never email this sheet with passwords in it.", 0},
		instruction{"Phone numbers: include the country code (+61 412 345 678). Extensions: digits only. Start date: a date such as 2025-03-03.", 0},
		instruction{"IT checks the sheet before anything is created and tells you the exact cell to fix (for example \"Mobile (D8): Acefone needs a mobile number\").", 0},
		instruction{},
		instruction{"Roles and the accounts they give", heading},
	)
	for _, r := range p.roles {
		var names []string
		for _, id := range r.targets {
			names = append(names, targetWords(id))
		}
		ls = append(ls, instruction{r.name + ": " + strings.Join(names, ", "), 0})
	}
	ls = append(ls, instruction{}, instruction{"The columns", heading})
	for _, c := range cols {
		ls = append(ls, instruction{columnWords(c), 0})
	}
	return ls
}

// columnWords describes one column for HR: "Work email (required): The
// person's work email address. Example: jane.smith@acme.example".
func columnWords(c TemplateColumn) string {
	var b strings.Builder
	b.WriteString(c.Label)
	if c.Required {
		b.WriteString(" (required)")
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimSuffix(c.Help, "."))
	if len(c.Values) > 0 && len(c.Values) <= 12 {
		b.WriteString("; one of: " + strings.Join(c.Values, ", "))
	}
	b.WriteString(".")
	if c.Example != "" {
		b.WriteString(" Example: " + c.Example)
	}
	return b.String()
}

// targetWords names a target for HR: "Acefone contact-centre user" (the
// target's HR wording), or its ID when no target has it.
func targetWords(id string) string {
	if t := registry.Target(id); t != nil {
		return t.HRName()
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
