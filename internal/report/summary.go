package report

import (
	"fmt"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/schema"
)

// Summary is the content of a Book's first sheet: a title, labelled facts
// (input, time, counts, ...) and tables (counts per target, problems).
type Summary struct {
	Title  string
	Facts  []Fact
	Tables []Table
}

// Fact is one labelled value of a Summary.
type Fact struct {
	Label string
	Value any
	Tone  Tone
}

// Table is a titled table of a Summary.
type Table struct {
	Title  string
	Header []string
	Rows   [][]Cell
	// Note is a line under the table (e.g. "first 200 of 5,000 shown").
	Note string
}

// maxSummaryWidth bounds a Summary column's width in characters.
const maxSummaryWidth = 100

// WriteSummary fills the Summary sheet. Call it once, before Save.
func (b *Book) WriteSummary(s Summary) error {
	if b.open != nil { // its writer may be adding comments to the workbook
		if err := b.open.Close(); err != nil {
			return err
		}
	}
	return b.writeFacts(SummarySheet, s)
}

// WriteInfo adds a sheet laid out like the Summary (facts, then tables)
// after the others, e.g. the IT details. Call it once per name, after the
// data sheets and before Save.
func (b *Book) WriteInfo(name string, s Summary) error {
	if b.open != nil {
		if err := b.open.Close(); err != nil {
			return err
		}
	}
	name = b.sheetName(name)
	if _, err := b.f.NewSheet(name); err != nil {
		return fmt.Errorf("report: add sheet %s: %w", name, err)
	}
	return b.writeFacts(name, s)
}

// writeFacts writes s into a sheet: title, labelled facts, tables.
func (b *Book) writeFacts(sheet string, s Summary) error {
	f := b.f
	widths := map[int]int{}
	row := 1
	// Titles and fact values run on into the empty cells to their right,
	// so only labels and tables set the column widths.
	measure := false
	set := func(col int, v any, style int) error {
		cell := cellName(col, row)
		if str, ok := v.(string); ok {
			v = cellText(str)
		}
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		if style != 0 {
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				return err
			}
		}
		if n := utf8.RuneCountInString(schema.Display(v)); n > widths[col] && measure {
			widths[col] = n
		}
		return nil
	}
	if err := set(0, s.Title, b.st.title); err != nil {
		return fmt.Errorf("report: summary: %w", err)
	}
	row += 2
	for _, fact := range s.Facts {
		measure = true
		if err := set(0, fact.Label, b.st.label); err != nil {
			return fmt.Errorf("report: summary: %w", err)
		}
		measure = false
		if err := set(1, fact.Value, b.st.tone[fact.Tone]); err != nil {
			return fmt.Errorf("report: summary: %w", err)
		}
		row++
	}
	for _, t := range s.Tables {
		row++
		if err := set(0, t.Title, b.st.title); err != nil {
			return fmt.Errorf("report: summary: %w", err)
		}
		row++
		measure = true
		for i, h := range t.Header {
			if err := set(i, h, b.st.header); err != nil {
				return fmt.Errorf("report: summary: %w", err)
			}
		}
		row++
		for _, r := range t.Rows {
			for i, c := range r {
				if err := set(i, c.Value, b.st.tone[c.Tone]); err != nil {
					return fmt.Errorf("report: summary: %w", err)
				}
			}
			row++
		}
		measure = false
		if t.Note != "" {
			if err := set(0, t.Note, 0); err != nil {
				return fmt.Errorf("report: summary: %w", err)
			}
			row++
		}
	}
	for col, w := range widths {
		name := columnLetters(col)
		if err := f.SetColWidth(sheet, name, name, float64(min(max(w+2, 12), maxSummaryWidth))); err != nil {
			return fmt.Errorf("report: summary: %w", err)
		}
	}
	return nil
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col+1, row)
	return name
}

func columnLetters(col int) string {
	name, _ := excelize.ColumnNumberToName(col + 1)
	return name
}
