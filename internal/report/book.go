// Package report writes the workbooks a person reads after a run: the
// validation report of `onboard validate` and (built on the same core) the
// result workbook of a real run.
//
// The core is generic: a Book has a Summary sheet first, then data sheets
// streamed row by row with excelize's StreamWriter, so 100k rows stay
// cheap. A data sheet repeats the input's columns at their own row numbers
// (so "cell O7" in a message is O7 in the report too), masks secret
// columns, colours marked cells and attaches the message as a comment,
// appends extra columns (Status, Errors, Vendor ID, ...) whose cells may
// carry a status colour, freezes the header row and puts an autofilter
// over the data. Every sheet prints landscape, one page wide, with its
// header row repeated on each printed page (package pagesetup).
package report

import (
	"archive/zip"
	"errors"
	"fmt"
	"github.com/klauspost/compress/flate"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/templates/pagesetup"
)

// Tone is the colour of a marked cell or a status cell.
type Tone int

// The tones, in Excel's own "Good/Bad/Neutral" palette.
const (
	Plain   Tone = iota // no colour
	Good                // green: valid, created
	Bad                 // red: invalid, failed
	Caution             // amber: a warning, already exists, uncertain
	Info                // blue: skipped, for information
	toneCount
)

var toneColours = [toneCount]struct{ fill, font string }{
	Plain:   {"", ""},
	Good:    {"C6EFCE", "006100"},
	Bad:     {"FFC7CE", "9C0006"},
	Caution: {"FFEB9C", "9C5700"},
	Info:    {"DDEBF7", "1F4E78"},
}

// DefaultMaxComments is how many cell comments a Book attaches before it
// only colours further marked cells. Comments live in memory until the
// workbook is saved and Excel slows down with tens of thousands of them;
// every message is also in the row's Errors column.
const DefaultMaxComments = 2000

// SummarySheet is the name of the first sheet of every Book.
const SummarySheet = "Summary"

// maxCellChars is the most characters a cell may hold in Excel.
const maxCellChars = 32767

// Book is a workbook being written.
type Book struct {
	// MaxComments bounds the comments attached to marked cells; set it
	// before adding sheets. 0 means DefaultMaxComments.
	MaxComments int

	f        *excelize.File
	st       styles
	names    map[string]bool // sheet names in use, folded
	printed  map[string]bool // sheets whose print setup is done
	open     *Sheet
	comments int
	omitted  int
	out      *fileZip             // the file Save writes, while it writes
	rows     map[string]*rowSpool // each data sheet's rows, by zip entry
}

type styles struct {
	header     int
	headerTone [toneCount]int
	tone       [toneCount]int
	toneWrap   [toneCount]int // tone, text wrapped (a long value)
	title      int
	label      int
	wrap       int
}

// NewBook starts a workbook whose first sheet is the (still empty)
// Summary.
func NewBook() (*Book, error) {
	f := excelize.NewFile()
	b := &Book{f: f, names: map[string]bool{strings.ToLower(SummarySheet): true}, printed: map[string]bool{},
		rows: map[string]*rowSpool{}}
	if err := f.SetSheetName(f.GetSheetName(0), SummarySheet); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := b.printSetup(SummarySheet, 0); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := b.makeStyles(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("report: styles: %w", err)
	}
	f.SetZipWriter(b.zipWriter)
	return b, nil
}

// zipWriter is the workbook's zip writer: fast compression (the sheets
// are large, repetitive XML and the default level costs several times the
// time for a few percent), straight into the file being saved when there
// is one (see Save).
func (b *Book) zipWriter(w io.Writer) excelize.ZipWriter {
	if b.out != nil {
		w = b.out
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	if b.out != nil {
		b.out.zw = zw
		return b.out
	}
	return zw
}

func (b *Book) makeStyles() error {
	var err error
	border := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	// A header wider than its column, and a long value in a column
	// capped at maxColWidth, wrap instead of being cut off. A wrapped
	// value keeps the bottom alignment of the cells beside it, so its last
	// line reads on one line with them.
	top := &excelize.Alignment{WrapText: true, Vertical: "top"}
	wrap := &excelize.Alignment{WrapText: true}
	if b.st.header, err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}, Border: border, Alignment: top}); err != nil {
		return err
	}
	b.st.headerTone[Plain] = b.st.header
	for t := Good; t < toneCount; t++ {
		c := toneColours[t]
		fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.fill}}
		if b.st.tone[t], err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: c.font}, Fill: fill}); err != nil {
			return err
		}
		if b.st.toneWrap[t], err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: c.font}, Fill: fill, Alignment: wrap}); err != nil {
			return err
		}
		if b.st.headerTone[t], err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: c.font},
			Fill: fill, Border: border, Alignment: top}); err != nil {
			return err
		}
	}
	if b.st.title, err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return err
	}
	if b.st.label, err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	if b.st.toneWrap[Plain], err = b.f.NewStyle(&excelize.Style{Alignment: wrap}); err != nil {
		return err
	}
	b.st.wrap, err = b.f.NewStyle(&excelize.Style{Alignment: top})
	return err
}

// printSetup makes a sheet print landscape and one page wide, repeating
// headerRow (0: none) on every page. Each sheet is set up once.
func (b *Book) printSetup(sheet string, headerRow int) error {
	if b.printed[sheet] {
		return nil
	}
	if err := pagesetup.Apply(b.f, sheet, headerRow); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	b.printed[sheet] = true
	return nil
}

// CommentsOmitted returns how many marked cells got no comment because
// MaxComments was reached.
func (b *Book) CommentsOmitted() int { return b.omitted }

// Column is one column of a data sheet.
type Column struct {
	Header string
	Width  float64 // 0: from the header and the first rows
	Secret bool    // values are shown as ********
}

// Layout is the shape of a data sheet.
type Layout struct {
	// HeaderRow is the row number of the header (1 when 0). Rows are
	// written at their own numbers below it.
	HeaderRow int
	Columns   []Column // the input's columns, column A first
	Extra     []Column // appended after Columns: Status, Errors, Vendor ID, ...
	// HeaderMarks colour header cells (an unknown or duplicate column).
	HeaderMarks []Mark
}

// Mark colours one cell and, when Note is not empty, attaches it as a
// comment.
type Mark struct {
	Col  int // 0-based; Extra columns follow the data columns
	Tone Tone
	Note string
}

// Cell is the value of an extra column, optionally coloured.
type Cell struct {
	Value any
	Tone  Tone
}

// Row is one data row of a sheet.
type Row struct {
	Num   int      // row number as in the input; must increase
	Cells []string // the input's cells, aligned with Layout.Columns
	Marks []Mark
	Extra []Cell // aligned with Layout.Extra
}

// Sheet is a data sheet being streamed. Rows are written by a goroutine
// of the sheet, so building the XML overlaps with whatever produces the
// rows (reading and validating the input).
type Sheet struct {
	b       *Book
	name    string
	l       Layout
	sw      *excelize.StreamWriter
	queue   chan []Row // batches of rows for the writer goroutine
	free    chan []Row // batches written, to fill again
	batch   []Row      // rows not yet handed to the writer
	done    chan struct{}
	mu      sync.Mutex
	err     error     // the writer goroutine's first error
	pending []Row     // rows held back until the column widths are known
	widths  []int     // longest text seen per column, in characters
	colW    []float64 // the column widths set, once started
	wrapCol []bool    // columns whose long values wrap
	wraps   bool      // some column wraps
	started bool
	last    int // last row number queued
	notes   []excelize.Comment
	// noteRow is the row of the last note and rowNotes the index of its
	// row's first note: two marks on one cell are on one row, so only
	// that row's notes are searched.
	noteRow, rowNotes int
	cells             []cellOut // the row being emitted
	colNames          []string  // column letters
	enc               []byte    // rows encoded, not yet in rows
	rows              *rowSpool // rows encoded
}

// encFlush is how many bytes of encoded rows are gathered before they go
// to the sheet's spool.
const encFlush = 1 << 20

// Rows go to the sheet's writer goroutine in batches of batchRows, at
// most queueBatches batches waiting.
const (
	batchRows    = 256
	queueBatches = 8
)

// widthRows is how many rows are looked at to size the columns.
const widthRows = 200

// Column widths, in characters: a column fits its header and the longest
// value among the first rows, within these bounds; a column whose values
// are longer than maxColWidth wraps them.
const (
	minColWidth = 8
	maxColWidth = 60
)

// AddSheet starts a data sheet named after name (made a valid, unused
// sheet name). The previous sheet must be closed.
func (b *Book) AddSheet(name string, l Layout) (*Sheet, error) {
	if b.open != nil {
		return nil, fmt.Errorf("report: sheet %q is still open", b.open.name)
	}
	if l.HeaderRow < 1 {
		l.HeaderRow = 1
	}
	name = b.sheetName(name)
	if _, err := b.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("report: add sheet %q: %w", name, err)
	}
	// Before the stream starts: it writes the sheet properties first.
	if err := b.printSetup(name, l.HeaderRow); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("report: sheet %q: %w", name, err)
	}
	entry, err := b.sheetEntry(name)
	if err != nil {
		return nil, err
	}
	n := len(l.Columns) + len(l.Extra)
	s := &Sheet{b: b, name: name, l: l, sw: sw, last: l.HeaderRow, widths: make([]int, n),
		queue: make(chan []Row, queueBatches), free: make(chan []Row, queueBatches+1), done: make(chan struct{}), batch: make([]Row, 0, batchRows),
		cells: make([]cellOut, n), colNames: make([]string, n), rows: &rowSpool{}}
	for i, c := range s.columns() {
		s.widths[i] = utf8.RuneCountInString(c.Header) + 2 // room for the filter button
		if s.colNames[i], err = excelize.ColumnNumberToName(i + 1); err != nil {
			return nil, fmt.Errorf("report: sheet %q: %w", name, err)
		}
	}
	b.rows[entry] = s.rows
	b.open = s
	go s.writeLoop()
	return s, nil
}

// sheetEntry is the zip entry of a sheet: excelize's NewSheet names it
// after the sheet's ID.
func (b *Book) sheetEntry(name string) (string, error) {
	for id, n := range b.f.GetSheetMap() {
		if n == name {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
		}
	}
	return "", fmt.Errorf("report: sheet %q is not in the workbook", name)
}

func (s *Sheet) writeLoop() {
	defer close(s.done)
	for rows := range s.queue {
		for _, r := range rows {
			if s.failed() != nil {
				break // drain; the error is reported by WriteRow or Close
			}
			if err := s.write(r); err != nil {
				s.mu.Lock()
				s.err = err
				s.mu.Unlock()
			}
		}
		s.recycle(rows)
	}
}

// recycle hands a written batch back to WriteRow, without the rows'
// references (the rows held back keep their own copies).
func (s *Sheet) recycle(rows []Row) {
	clear(rows)
	select {
	case s.free <- rows[:0]:
	default:
	}
}

// newBatch is an empty batch: a written one if there is one.
func (s *Sheet) newBatch() []Row {
	select {
	case rows := <-s.free:
		return rows
	default:
		return make([]Row, 0, batchRows)
	}
}

func (s *Sheet) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Name returns the sheet's name in the workbook.
func (s *Sheet) Name() string { return s.name }

func (s *Sheet) columns() []Column {
	return append(append([]Column(nil), s.l.Columns...), s.l.Extra...)
}

// sheetName turns any text into a sheet name Excel accepts and that is
// not yet used: at most 31 characters, none of : \ / ? * [ ], and no
// apostrophe (it would need quoting in the autofilter's defined name).
func (b *Book) sheetName(name string) string {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			return '_'
		case '\'':
			return '’'
		}
		if r < ' ' {
			return -1
		}
		return r
	}, name)
	clean = strings.TrimSpace(clean)
	if clean == "" {
		clean = "Sheet"
	}
	base := truncateRunes(clean, 31)
	candidate := base
	for n := 2; b.names[strings.ToLower(candidate)]; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		candidate = truncateRunes(base, 31-len(suffix)) + suffix
	}
	b.names[strings.ToLower(candidate)] = true
	return candidate
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// WriteRow queues a row for writing. The row's slices must not change
// afterwards. An error of an earlier row is returned by a later WriteRow
// or by Close.
func (s *Sheet) WriteRow(r Row) error {
	if err := s.failed(); err != nil {
		return err
	}
	if s.b.open != s {
		return fmt.Errorf("report: sheet %q is closed", s.name)
	}
	if r.Num <= s.last {
		r.Num = s.last + 1 // keep rows ascending whatever the caller says
	}
	s.last = r.Num
	s.batch = append(s.batch, r)
	if len(s.batch) == batchRows {
		s.queue <- s.batch
		s.batch = s.newBatch()
	}
	return nil
}

// write takes a row in the writer goroutine. Rows are held back until the
// first widthRows rows have sized the columns, then streamed.
func (s *Sheet) write(r Row) error {
	if s.started {
		return s.emit(r)
	}
	for i, c := range r.Cells {
		if i < len(s.l.Columns) {
			s.widths[i] = max(s.widths[i], utf8.RuneCountInString(c))
		}
	}
	for i, c := range r.Extra {
		if j := len(s.l.Columns) + i; j < len(s.widths) {
			s.widths[j] = max(s.widths[j], utf8.RuneCountInString(schema.Display(c.Value)))
		}
	}
	s.pending = append(s.pending, r)
	if len(s.pending) >= widthRows {
		return s.start()
	}
	return nil
}

// start sets the column widths, freezes the header, writes the header and
// the rows held back.
func (s *Sheet) start() error {
	s.started = true
	cols := s.columns()
	s.colW = make([]float64, len(cols))
	s.wrapCol = make([]bool, len(cols))
	headerLines := 1
	for i, c := range cols {
		s.colW[i], s.wrapCol[i] = columnWidth(c, s.widths[i])
		s.wraps = s.wraps || s.wrapCol[i]
		headerLines = max(headerLines, pagesetup.WrappedLines(c.Header, int(s.colW[i]*0.9)-1))
	}
	// excelize puts each new width first, and Excel wants the columns in
	// ascending order: set them from the last column back.
	for i := len(cols) - 1; i >= 0; i-- {
		if err := s.sw.SetColWidth(i+1, i+1, s.colW[i]); err != nil {
			return fmt.Errorf("report: sheet %q: %w", s.name, err)
		}
	}
	h := s.l.HeaderRow
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: h, TopLeftCell: fmt.Sprintf("A%d", h+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: fmt.Sprintf("A%d", h+1), ActiveCell: fmt.Sprintf("A%d", h+1), Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("report: sheet %q: %w", s.name, err)
	}
	header := make([]any, len(s.widths))
	tones := make([]Tone, len(s.widths))
	for _, m := range s.l.HeaderMarks {
		if m.Col >= 0 && m.Col < len(tones) {
			tones[m.Col] = m.Tone
			s.note(h, m.Col, m.Note)
		}
	}
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: s.b.st.headerTone[tones[i]], Value: c.Header}
	}
	var opts []excelize.RowOpts
	if headerLines > 1 {
		opts = append(opts, excelize.RowOpts{Height: rowHeight(headerLines)})
	}
	if err := s.sw.SetRow(fmt.Sprintf("A%d", h), header, opts...); err != nil {
		return fmt.Errorf("report: sheet %q: %w", s.name, err)
	}
	for _, r := range s.pending {
		if err := s.emit(r); err != nil {
			return err
		}
	}
	s.pending = nil
	return nil
}

// columnWidth is the width of a column whose longest value (among the
// first rows) is longest characters: never narrower than its header
// (unless the header alone is wider than maxColWidth; it then wraps), and
// no wider than maxColWidth, its long values wrapped. A Column.Width is a
// minimum.
func columnWidth(c Column, longest int) (width float64, wrap bool) {
	head := utf8.RuneCountInString(c.Header) + 2 // room for the filter button
	w := min(max(longest+1, head, minColWidth), maxColWidth)
	return max(float64(w), c.Width), longest+1 > maxColWidth
}

// rowHeight is the height of a row of lines of text, in points.
func rowHeight(lines int) float64 { return pagesetup.LineHeight*float64(lines) + 3 }

// emit encodes one row into the sheet's spool.
func (s *Sheet) emit(r Row) error {
	nd := len(s.l.Columns)
	cells := s.cells // one slice serves every row
	clear(cells)
	for i, c := range r.Cells {
		if i >= nd || c == "" {
			continue
		}
		if s.l.Columns[i].Secret {
			cells[i] = cellOut{kind: cellString, text: schema.Mask}
			continue
		}
		cells[i] = inputCell(c)
		if s.wrapCol[i] && utf8.RuneCountInString(c)+1 > int(s.colW[i]) {
			cells[i].style = s.b.st.toneWrap[Plain]
		}
	}
	for i, c := range r.Extra {
		if nd+i >= len(cells) {
			continue
		}
		out, ok := valueCell(c.Value)
		if !ok {
			continue
		}
		switch {
		case s.wrapCol[nd+i] && utf8.RuneCountInString(out.display())+1 > int(s.colW[nd+i]):
			out.style = s.b.st.toneWrap[c.Tone]
		case c.Tone != Plain:
			out.style = s.b.st.tone[c.Tone]
		}
		cells[nd+i] = out
	}
	for _, m := range r.Marks {
		if m.Col < 0 || m.Col >= len(cells) {
			continue
		}
		if m.Tone != Plain {
			c := &cells[m.Col]
			style := s.b.st.tone[m.Tone]
			if c.style == s.b.st.toneWrap[Plain] {
				style = s.b.st.toneWrap[m.Tone]
			}
			c.style = style
			if c.kind == cellEmpty {
				c.kind = cellBlank
			}
		}
		s.note(r.Num, m.Col, m.Note)
	}
	if err := s.addNotes(); err != nil {
		return err
	}
	height := 0.0
	if lines := s.wrappedLines(cells); lines > 1 {
		height = rowHeight(lines)
	}
	s.enc = appendRow(s.enc, r.Num, height, s.colNames, cells)
	if len(s.enc) >= encFlush {
		return s.flushRows()
	}
	return nil
}

// flushRows compresses the rows encoded into the spool.
func (s *Sheet) flushRows() error {
	if err := s.rows.add(s.enc); err != nil {
		return fmt.Errorf("report: sheet %q: %w", s.name, err)
	}
	s.enc = s.enc[:0]
	return nil
}

// wrappedLines is how many lines the row's wrapped cells take: the row's
// height is set from it, so every program shows the whole value.
func (s *Sheet) wrappedLines(cells []cellOut) int {
	lines := 1
	if !s.wraps {
		return lines
	}
	for i, c := range cells {
		if c.style == 0 || !s.wrapCol[i] || !s.wrapStyle(c.style) {
			continue
		}
		lines = max(lines, pagesetup.WrappedLines(c.display(), int(s.colW[i])-2))
	}
	return lines
}

func (s *Sheet) wrapStyle(id int) bool {
	for _, w := range s.b.st.toneWrap {
		if id == w {
			return true
		}
	}
	return false
}

// note queues a comment for a cell of row, within the Book's bound.
// Rows come in ascending order.
func (s *Sheet) note(row, col int, text string) {
	if text == "" {
		return
	}
	if row != s.noteRow {
		s.noteRow, s.rowNotes = row, len(s.notes)
	}
	limit := s.b.MaxComments
	if limit == 0 {
		limit = DefaultMaxComments
	}
	if s.rowNotes == len(s.notes) && s.b.comments >= limit {
		s.b.omitted++ // no comment on this row to add to, and no room: no cell name needed
		return
	}
	cell := intake.CellRef(col, row)
	for i := s.rowNotes; i < len(s.notes); i++ { // two marks on one cell share a comment
		if s.notes[i].Cell == cell {
			s.notes[i].Text += "\n" + text
			return
		}
	}
	if s.b.comments >= limit {
		s.b.omitted++
		return
	}
	s.b.comments++
	s.notes = append(s.notes, excelize.Comment{Cell: cell, Author: "onboard", Text: cellText(text)})
}

// addNotes attaches the notes of the rows done (they are whole: two
// marks of one cell are on one row) as comments. The writer goroutine
// calls it after each row with notes, so that excelize's AddComment,
// which costs more the more comments a sheet has (0.7e9 instructions for
// 2000), runs while the input is still being read instead of after it;
// nothing else uses the workbook while a sheet is open.
func (s *Sheet) addNotes() error {
	for _, c := range s.notes {
		c.Width = 320
		c.Height = uint(min(60+15*(len(c.Text)/50), 400))
		if err := s.b.f.AddComment(s.name, c); err != nil {
			return fmt.Errorf("report: sheet %q comment %s: %w", s.name, c.Cell, err)
		}
	}
	s.notes, s.noteRow = s.notes[:0], 0
	return nil
}

// Close waits for the queued rows and finishes the sheet: header and
// held-back rows if still pending, comments, autofilter over header and
// data.
func (s *Sheet) Close() error {
	if s.b.open != s {
		return nil
	}
	s.b.open = nil
	if len(s.batch) > 0 {
		s.queue <- s.batch
		s.batch = nil
	}
	close(s.queue)
	<-s.done
	if err := s.failed(); err != nil {
		return err
	}
	if !s.started {
		if err := s.start(); err != nil {
			return err
		}
	}
	if err := s.flushRows(); err != nil {
		return err
	}
	if err := s.rows.finish(); err != nil {
		return fmt.Errorf("report: sheet %q: %w", s.name, err)
	}
	if err := s.addNotes(); err != nil {
		return err
	}
	if n := len(s.widths); n > 0 {
		ref := fmt.Sprintf("A%d:%s", s.l.HeaderRow, intake.CellRef(n-1, max(s.last, s.l.HeaderRow)))
		if err := s.b.f.AutoFilter(s.name, ref, nil); err != nil {
			return fmt.Errorf("report: sheet %q autofilter: %w", s.name, err)
		}
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("report: sheet %q: %w", s.name, err)
	}
	return nil
}

// cellText keeps text within what a cell can hold.
func cellText(s string) string {
	if len(s) <= maxCellChars/2 || utf8.RuneCountInString(s) <= maxCellChars/2 {
		return s
	}
	return truncateRunes(s, maxCellChars/2-3) + "..."
}

// Save closes any open sheet and writes the workbook to path, creating
// its folder. The file appears complete or not at all. A sheet added
// without AddSheet (through the file itself) gets the same print setup.
func (b *Book) Save(path string) (err error) {
	if b.open != nil {
		if err := b.open.Close(); err != nil {
			return err
		}
	}
	for _, sheet := range b.f.GetSheetList() {
		if visible, _ := b.f.GetSheetVisible(sheet); visible {
			if err := b.printSetup(sheet, 0); err != nil {
				return err
			}
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: create folder for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".onboard-report-*.xlsx")
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := b.writeFile(tmp); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}

// Close releases the workbook's temporary files. It is safe after Save
// and on a Book that is being abandoned.
func (b *Book) Close() error {
	if s := b.open; s != nil { // abandoned mid-sheet: stop its writer
		b.open = nil
		close(s.queue)
		<-s.done
	}
	err := b.f.Close()
	for entry, rows := range b.rows {
		err = errors.Join(err, rows.close())
		delete(b.rows, entry)
	}
	var pe *os.PathError
	if errors.As(err, &pe) && errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
