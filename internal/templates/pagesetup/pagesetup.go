// Package pagesetup gives every workbook onboard writes the same print
// setup: landscape, scaled to one page wide (as many pages down as the
// rows need), narrow margins, and the header row repeated at the top of
// every printed page. The templates, the HR template and the report
// workbooks all call Apply, so they print alike.
package pagesetup

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// PrintTitles is the defined name Excel and LibreOffice read as the rows
// repeated at the top of every printed page.
const PrintTitles = "_xlnm.Print_Titles"

// Apply sets up sheet for printing. headerRow is the row repeated on every
// page (0: none, e.g. a sheet of prose). For a sheet written with a
// StreamWriter, call Apply after File.NewSheet and before
// File.NewStreamWriter: the stream writes the sheet properties first.
func Apply(f *excelize.File, sheet string, headerRow int) error {
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("print setup of sheet %s: %w", sheet, err)
	}
	landscape, wide, tall := "landscape", 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return fmt.Errorf("print setup of sheet %s: %w", sheet, err)
	}
	side, edge, band := 0.4, 0.5, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &edge, Bottom: &edge,
		Header: &band, Footer: &band}); err != nil {
		return fmt.Errorf("print setup of sheet %s: %w", sheet, err)
	}
	if headerRow < 1 {
		return nil
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: PrintTitles, Scope: sheet,
		RefersTo: fmt.Sprintf("%s!$%d:$%d", QuoteSheet(sheet), headerRow, headerRow)}); err != nil {
		return fmt.Errorf("print titles of sheet %s: %w", sheet, err)
	}
	return nil
}

// QuoteSheet quotes a sheet name for a formula: 'New Hires'.
func QuoteSheet(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}

// LineHeight is the height of one line of 11-point text, in points.
const LineHeight = 15

// WrappedLines estimates how many lines text takes when wrapped at word
// boundaries with room characters a line (a column's width in
// characters, less a margin; less again for bold text). Rows of wrapped
// text get an explicit height from it: programs differ in fitting a row
// to its text on opening.
func WrappedLines(text string, room int) int {
	room = max(room, 1)
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines++
		used := 0
		for _, w := range strings.Fields(para) {
			n := utf8.RuneCountInString(w)
			switch {
			case used == 0:
				used = n
			case used+1+n <= room:
				used += 1 + n
			default:
				lines++
				used = n
			}
			for used > room { // a word longer than a line breaks anywhere
				lines++
				used -= room
			}
		}
	}
	return lines
}

// TextRoom is how many characters of 11-point body text a line of a
// column width characters wide holds, conservatively: a column is
// measured in digit widths, and prose averages narrower (in LibreOffice
// and Excel a 100-wide column holds about 118 characters of prose).
func TextRoom(width float64) int { return int(width * 1.08) }

// Setup is a sheet's print setup as read back from a workbook, for tests.
type Setup struct {
	Landscape   bool
	FitToPage   bool
	FitToWidth  int    // pages across; 1 when unset
	FitToHeight int    // pages down; 0 means as many as needed
	Titles      string // what the print titles refer to ("" when none)
}

// Read returns the print setup of sheet.
func Read(f *excelize.File, sheet string) (Setup, error) {
	var s Setup
	props, err := f.GetSheetProps(sheet)
	if err != nil {
		return s, err
	}
	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		return s, err
	}
	s.FitToPage = props.FitToPage != nil && *props.FitToPage
	s.Landscape = layout.Orientation != nil && *layout.Orientation == "landscape"
	s.FitToWidth, s.FitToHeight = 1, 1 // the defaults when unset
	if layout.FitToWidth != nil {
		s.FitToWidth = *layout.FitToWidth
	}
	if layout.FitToHeight != nil {
		s.FitToHeight = *layout.FitToHeight
	}
	for _, n := range f.GetDefinedName() {
		if n.Name == PrintTitles && n.Scope == sheet {
			s.Titles = n.RefersTo
		}
	}
	return s, nil
}
