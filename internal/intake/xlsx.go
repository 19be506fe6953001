package intake

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// excelize keeps parts up to this size in memory and spills bigger ones
// to temporary files while it opens a workbook.
const excelizeXMLInMemory = 16 << 20

// Excel's sheet bounds.
const (
	maxSheetRows    = 1048576
	maxSheetColumns = 16384
)

type xlsxFile struct {
	path       string
	osFile     *os.File // the zip container, read through parts
	book       *excelize.File
	parts      map[string]*zip.File // by partKey
	sheets     []string
	sheetAt    map[string]string // sheet name → worksheet part key
	sstPart    string
	styleParts []string // styles and theme parts, for excelize
	date1904   bool

	sstOnce sync.Once
	sst     []string
	sstErr  error

	mu      sync.Mutex
	readers map[*xlsxRows]bool // open row readers, closed with the file
}

// opcRels is a relationships part (_rels/*.rels).
type opcRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// workbookXML is what intake reads of xl/workbook.xml itself.
type workbookXML struct {
	Sheets []struct {
		Name  string     `xml:"name,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

// readPart returns a small part's bytes (its declared size was vetted).
func readPart(zf *zip.File) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", zf.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", zf.Name, err)
	}
	return b, nil
}

func readRels(parts map[string]*zip.File, key string) (*opcRels, error) {
	zf := parts[key]
	if zf == nil {
		return &opcRels{}, nil
	}
	b, err := readPart(zf)
	if err != nil {
		return nil, err
	}
	var rels opcRels
	if err := xml.Unmarshal(b, &rels); err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	return &rels, nil
}

// relsKey is the relationships part of part key.
func relsKey(key string) string {
	dir, file := path.Split(key)
	return dir + "_rels/" + file + ".rels"
}

// workbookPart finds the main workbook part through the package's
// relationships, falling back to the usual xl/workbook.xml.
func workbookPart(parts map[string]*zip.File) (string, error) {
	rels, err := readRels(parts, "_rels/.rels")
	if err != nil {
		return "", err
	}
	for _, r := range rels.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") && r.Mode != "External" {
			if key := resolvePart("", r.Target); parts[key] != nil {
				return key, nil
			}
		}
	}
	return "xl/workbook.xml", nil
}

// Stand-ins for the parts intake streams itself, in the skeleton
// workbook excelize opens.
const (
	stubWorksheet     = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`
	stubSharedStrings = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>`
)

// openXLSX opens a vetted workbook container. intake streams the
// worksheets and shared strings itself; excelize opens the rest — a
// skeleton of the package with those parts stubbed, so it never unzips the
// bulk of a large workbook twice or spills it to temporary files — and
// supplies the sheet list, cell styles and date system.
func openXLSX(path string, f *os.File, zr *zip.Reader, parts map[string]*zip.File, wbPart string, limit int64) (File, error) {
	x := &xlsxFile{path: path, osFile: f, parts: parts, sheetAt: map[string]string{}}
	if err := x.mapSheets(wbPart); err != nil {
		return nil, &UnusableError{Path: path, Reason: "the workbook is damaged: " + err.Error(), Fix: fixResaveXLSX, err: err}
	}
	skel, err := x.skeleton(zr, wbPart)
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "the workbook is damaged and cannot be opened (" + err.Error() + ")", Fix: fixResaveXLSX, err: err}
	}
	inMemory := int64(excelizeXMLInMemory)
	if inMemory > limit {
		inMemory = limit
	}
	book, err := excelize.OpenReader(bytes.NewReader(skel), excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: inMemory})
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "the workbook is damaged and cannot be opened (" + err.Error() + ")", Fix: fixResaveXLSX, err: err}
	}
	x.book, x.sheets = book, book.GetSheetList()
	if props, err := book.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	if len(x.sheets) == 0 {
		book.Close()
		return nil, &UnusableError{Path: path, Reason: "the workbook has no sheets", Fix: "Add a sheet with a header row and one row per new hire"}
	}
	return x, nil
}

// skeleton copies, still compressed, the parts excelize needs for the
// sheet list and the styles — package and workbook relationships, the
// workbook, styles and theme — with each worksheet and the shared strings
// as an empty stand-in. Pictures, pivot caches, drawings and the like are
// left out.
func (x *xlsxFile) skeleton(zr *zip.Reader, wbPart string) ([]byte, error) {
	stubs := map[string]string{}
	for _, key := range x.sheetAt {
		stubs[key] = stubWorksheet
	}
	if x.sstPart != "" {
		stubs[x.sstPart] = stubSharedStrings
	}
	keep := map[string]bool{"[content_types].xml": true, "_rels/.rels": true, wbPart: true, relsKey(wbPart): true}
	for _, key := range x.styleParts {
		keep[key] = true
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		key := partKey(zf.Name)
		if !keep[key] && stubs[key] == "" {
			continue
		}
		if stub, ok := stubs[key]; ok {
			w, err := zw.Create(zf.Name)
			if err != nil {
				return nil, err
			}
			if _, err := io.WriteString(w, stub); err != nil {
				return nil, err
			}
			continue
		}
		raw, err := zf.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		header := zf.FileHeader
		w, err := zw.CreateRaw(&header)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		if _, err := io.Copy(w, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mapSheets finds each sheet's worksheet part and the shared strings part.
func (x *xlsxFile) mapSheets(wbPart string) error {
	zf := x.parts[wbPart]
	b, err := readPart(zf)
	if err != nil {
		return err
	}
	var wb workbookXML
	if err := xml.Unmarshal(b, &wb); err != nil {
		return fmt.Errorf("%s: %w", zf.Name, err)
	}
	rels, err := readRels(x.parts, relsKey(wbPart))
	if err != nil {
		return err
	}
	dir := path.Dir(wbPart)
	targets := map[string]string{}
	for _, r := range rels.Rels {
		if r.Mode == "External" {
			continue
		}
		targets[r.ID] = resolvePart(dir, r.Target)
		switch {
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			x.sstPart = targets[r.ID]
		case strings.HasSuffix(r.Type, "/styles"), strings.HasSuffix(r.Type, "/theme"):
			x.styleParts = append(x.styleParts, targets[r.ID])
		}
	}
	if x.sstPart == "" && x.parts["xl/sharedstrings.xml"] != nil {
		x.sstPart = "xl/sharedstrings.xml"
	}
	for _, s := range wb.Sheets {
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				if key := targets[a.Value]; x.parts[key] != nil {
					x.sheetAt[s.Name] = key
				}
			}
		}
	}
	return nil
}

func (x *xlsxFile) Path() string         { return x.path }
func (x *xlsxFile) Format() string       { return "xlsx" }
func (x *xlsxFile) SheetNames() []string { return append([]string(nil), x.sheets...) }

func (x *xlsxFile) Close() error {
	x.mu.Lock()
	open := make([]*xlsxRows, 0, len(x.readers))
	for r := range x.readers {
		open = append(open, r)
	}
	x.mu.Unlock()
	for _, r := range open {
		r.Close()
	}
	err := x.book.Close()
	if cerr := x.osFile.Close(); err == nil {
		err = cerr
	}
	return err
}

// sharedStrings loads the workbook's shared string table once.
func (x *xlsxFile) sharedStrings() ([]string, error) {
	x.sstOnce.Do(func() {
		zf := x.parts[x.sstPart]
		if zf == nil {
			return
		}
		rc, err := zf.Open()
		if err != nil {
			x.sstErr = err
			return
		}
		defer rc.Close()
		x.sst, x.sstErr = readSharedStrings(rc)
	})
	return x.sst, x.sstErr
}

// readSharedStrings reads every <si> of a shared strings part, keeping
// all texts in one backing string.
func readSharedStrings(r io.Reader) ([]string, error) {
	sc := newXMLScanner(r)
	var (
		arena []byte
		ends  []int
		err   error
	)
	for {
		if err := sc.next(false); err != nil {
			return nil, err
		}
		if sc.kind == tokEOF {
			break
		}
		if sc.kind != tokStart {
			continue
		}
		switch string(sc.name) {
		case "sst":
			if v, ok := attr(sc.attrs, "uniqueCount"); ok {
				if n, err := strconv.Atoi(string(v)); err == nil && n > 0 && n <= 1<<20 {
					ends = make([]int, 0, n)
				}
			}
		case "si":
			if arena, err = sc.appendStringItem(arena); err != nil {
				return nil, err
			}
			ends = append(ends, len(arena))
		}
	}
	if !utf8.Valid(arena) {
		return nil, errors.New("text that is not valid UTF-8")
	}
	all := string(arena)
	out := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		out[i] = all[start:end]
		start = end
	}
	return out, nil
}

func (x *xlsxFile) Rows(sheet string) (RowReader, error) {
	key, ok := x.sheetAt[sheet]
	if !ok && slices.Contains(x.sheets, sheet) {
		return nil, &UnusableError{Path: x.path, Reason: fmt.Sprintf("sheet %q holds no cells (it is a chart sheet, or its data is missing from the file)", sheet),
			Fix: "Put the data on an ordinary worksheet", err: ErrNoHeader}
	}
	if !ok {
		return nil, &UnusableError{Path: x.path, Reason: fmt.Sprintf("the workbook has no readable sheet named %q (its sheets: %s)", sheet, strings.Join(x.sheets, ", ")),
			Fix: "Give one of the sheet names listed"}
	}
	sst, err := x.sharedStrings()
	if err != nil {
		return nil, &UnusableError{Path: x.path, Reason: "the workbook's shared text table is damaged (" + err.Error() + ")", Fix: fixResaveXLSX, err: err}
	}
	rc, err := x.parts[key].Open()
	if err != nil {
		return nil, &UnusableError{Path: x.path, Reason: fmt.Sprintf("sheet %q cannot be read (%v)", sheet, err), Fix: fixResaveXLSX, err: err}
	}
	ahead := newPrefetchReader(rc, 256<<10, 4)
	r := &xlsxRows{file: x, sheet: sheet, rc: rc, ahead: ahead, sc: newXMLScanner(ahead), sst: sst}
	num, cells, ok := r.nextRow()
	if r.err != nil {
		r.Close()
		return nil, r.err
	}
	if !ok {
		r.Close()
		return nil, &UnusableError{Path: x.path, Reason: fmt.Sprintf("sheet %q is empty: it has no header row", sheet),
			Fix: "Put the column names in the first row and one new hire per row below", err: ErrNoHeader}
	}
	r.header, r.hrow = cells, num
	r.pipe = startRowReadAhead(r.nextDataRow, func() error { return r.err })
	x.mu.Lock()
	if x.readers == nil {
		x.readers = map[*xlsxRows]bool{}
	}
	x.readers[r] = true
	x.mu.Unlock()
	return r, nil
}

// cellSlot is one <c> of the row being read: its column, type and style,
// and where its stored text sits in the row buffer.
type cellSlot struct {
	col        int
	typ        byte // 'n' number, 's' shared string, 'b' boolean, 'e' error, 'i' inline string, 'd' ISO date, 'f' formula text
	style      int
	start, end int
}

type xlsxRows struct {
	file    *xlsxFile
	sheet   string
	rc      io.ReadCloser
	ahead   *prefetchReader // unzips rc ahead on another goroutine
	pipe    *rowReadAhead   // parses rows ahead on another goroutine
	sc      *xmlScanner
	sst     []string
	header  []string
	hrow    int
	err     error
	started bool
	done    bool
	lastRow int
	formats []numberFormat // by style index, filled as styles are met
	known   []bool
	buf     []byte     // stored text of the current row's cells
	slots   []cellSlot // the current row's cells
	texts   []string   // scratch: final text per slot
	slab    cellSlab
}

func (r *xlsxRows) Header() []string { return r.header }
func (r *xlsxRows) HeaderRow() int   { return r.hrow }

// Err returns what stopped Next early, once Next has reported false.
func (r *xlsxRows) Err() error {
	if r.pipe != nil {
		return r.pipe.err
	}
	return r.err
}

func (r *xlsxRows) Close() error {
	if r.rc == nil {
		return nil
	}
	if r.pipe != nil {
		r.pipe.stop()
	}
	r.ahead.stop()
	err := r.rc.Close()
	r.rc, r.done = nil, true
	r.file.mu.Lock()
	delete(r.file.readers, r)
	r.file.mu.Unlock()
	return err
}

func (r *xlsxRows) Next() (Row, bool) {
	if r.pipe == nil {
		return Row{}, false
	}
	return r.pipe.next()
}

// nextDataRow reads the next data row; it runs on the read-ahead goroutine.
func (r *xlsxRows) nextDataRow() (Row, bool) {
	num, cells, ok := r.nextRow()
	if !ok {
		return Row{}, false
	}
	return Row{Num: num, Cells: cells}, true
}

// fail records a damaged-sheet error near row num and stops reading.
func (r *xlsxRows) fail(num int, err error) {
	where := fmt.Sprintf("sheet %q", r.sheet)
	if num > 0 {
		where += fmt.Sprintf(" near row %d", num)
	}
	var uerr *UnusableError
	if errors.As(err, &uerr) {
		r.err = uerr
	} else {
		r.err = &UnusableError{Path: r.file.path, Reason: where + " is damaged and cannot be read (" + err.Error() + ")", Fix: fixResaveXLSX, err: err}
	}
	r.done = true
}

// nextRow returns the next non-blank row: its number and its cleaned
// cells, as many as its last non-empty cell needs.
func (r *xlsxRows) nextRow() (int, []string, bool) {
	if r.done {
		return 0, nil, false
	}
	sc := r.sc
	if !r.started {
		r.started = true
		for {
			if err := sc.next(false); err != nil {
				r.fail(0, err)
				return 0, nil, false
			}
			if sc.kind == tokEOF {
				r.done = true
				return 0, nil, false
			}
			if sc.kind == tokStart && string(sc.name) == "sheetData" {
				if sc.selfClosing {
					r.done = true
					return 0, nil, false
				}
				break
			}
		}
	}
	for {
		if err := sc.next(false); err != nil {
			r.fail(r.lastRow, err)
			return 0, nil, false
		}
		switch sc.kind {
		case tokEOF:
			r.fail(r.lastRow, sc.syntaxError("the sheet ends inside its data"))
			return 0, nil, false
		case tokEnd:
			if string(sc.name) == "sheetData" {
				// Read the part to its end so the zip checksum is verified.
				if _, err := io.Copy(io.Discard, sc.r); err != nil {
					r.fail(r.lastRow, err)
					return 0, nil, false
				}
				r.done = true
				return 0, nil, false
			}
		case tokStart:
			if string(sc.name) != "row" {
				if err := sc.skipElement(); err != nil {
					r.fail(r.lastRow, err)
					return 0, nil, false
				}
				continue
			}
			num := r.lastRow + 1
			if v, ok := attr(sc.attrs, "r"); ok {
				n, err := strconv.Atoi(string(v))
				if err != nil || n < 1 || n > maxSheetRows {
					r.fail(r.lastRow, fmt.Errorf("bad row number %q", v))
					return 0, nil, false
				}
				if n <= r.lastRow {
					r.fail(r.lastRow, fmt.Errorf("row %d comes after row %d", n, r.lastRow))
					return 0, nil, false
				}
				num = n
			}
			if num > maxSheetRows {
				r.fail(r.lastRow, fmt.Errorf("more than %d rows", maxSheetRows))
				return 0, nil, false
			}
			r.lastRow = num
			if sc.selfClosing {
				continue
			}
			cells, err := r.readCells(num)
			if err != nil {
				r.fail(num, err)
				return 0, nil, false
			}
			if cells != nil {
				return num, cells, true
			}
		}
	}
}

// readCells reads the cells of row num up to its </row> and returns their
// final texts, or nil when all are blank.
func (r *xlsxRows) readCells(num int) ([]string, error) {
	sc := r.sc
	r.buf, r.slots = r.buf[:0], r.slots[:0]
	col := -1
	for {
		if err := sc.next(false); err != nil {
			return nil, err
		}
		switch sc.kind {
		case tokEOF:
			return nil, sc.syntaxError("the sheet ends inside a row")
		case tokEnd:
			if string(sc.name) == "row" {
				return r.finishRow(num)
			}
			continue
		case tokText:
			continue
		}
		if string(sc.name) != "c" {
			if err := sc.skipElement(); err != nil {
				return nil, err
			}
			continue
		}
		col++
		if ref, ok := attr(sc.attrs, "r"); ok {
			c, ok := columnIndex(ref)
			if !ok {
				return nil, fmt.Errorf("bad cell reference %q", ref)
			}
			col = c
		}
		if col >= maxSheetColumns {
			return nil, fmt.Errorf("a cell lies beyond column %s", ColumnName(maxSheetColumns-1))
		}
		slot := cellSlot{col: col, typ: 'n', start: len(r.buf)}
		if t, ok := attr(sc.attrs, "t"); ok {
			slot.typ = cellType(t)
		}
		if s, ok := attr(sc.attrs, "s"); ok {
			if n, err := strconv.Atoi(string(s)); err == nil && n >= 0 && n < 1<<16 {
				slot.style = n
			}
		}
		if !sc.selfClosing {
			if err := r.readCellContent(); err != nil {
				return nil, err
			}
		}
		slot.end = len(r.buf)
		r.slots = append(r.slots, slot)
	}
}

// readCellContent appends the stored value (<v>) or inline string (<is>)
// of the cell whose start tag was just read; formulas and the rest are
// skipped.
func (r *xlsxRows) readCellContent() error {
	sc := r.sc
	inValue := false
	for {
		if err := sc.next(inValue); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			return sc.syntaxError("the sheet ends inside a cell")
		case tokText:
			r.buf = sc.appendText(r.buf)
		case tokEnd:
			switch string(sc.name) {
			case "v":
				inValue = false
			case "c":
				return nil
			}
		case tokStart:
			switch {
			case string(sc.name) == "v":
				inValue = !sc.selfClosing
			case string(sc.name) == "is":
				var err error
				if r.buf, err = sc.appendStringItem(r.buf); err != nil {
					return err
				}
			default:
				if err := sc.skipElement(); err != nil {
					return err
				}
			}
		}
	}
}

func cellType(t []byte) byte {
	switch string(t) {
	case "s":
		return 's'
	case "b":
		return 'b'
	case "e":
		return 'e'
	case "inlineStr":
		return 'i'
	case "d":
		return 'd'
	case "str":
		return 'f'
	}
	return 'n'
}

// columnIndex returns the 0-based column of a cell reference such as "AB12".
func columnIndex(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || col > maxSheetColumns {
		return 0, false
	}
	return col - 1, true
}

// finishRow turns the row's slots into cleaned cell texts.
func (r *xlsxRows) finishRow(num int) ([]string, error) {
	if len(r.slots) == 0 {
		return nil, nil
	}
	row := ""
	if len(r.buf) > 0 {
		if !utf8.Valid(r.buf) {
			return nil, errors.New("text that is not valid UTF-8")
		}
		row = string(r.buf)
	}
	r.texts = r.texts[:0]
	width := 0
	for _, s := range r.slots {
		text, err := r.cellText(s, row[s.start:s.end], num)
		if err != nil {
			return nil, err
		}
		text = Clean(text)
		r.texts = append(r.texts, text)
		if text != "" && s.col+1 > width {
			width = s.col + 1
		}
	}
	if width == 0 {
		return nil, nil
	}
	if width < len(r.header) {
		width = len(r.header)
	}
	cells := r.slab.take(width)
	for i, s := range r.slots {
		if r.texts[i] != "" {
			cells[s.col] = r.texts[i]
		}
	}
	return cells, nil
}

// cellText is the text of one cell from its stored value v.
func (r *xlsxRows) cellText(s cellSlot, v string, num int) (string, error) {
	switch s.typ {
	case 's':
		idx := strings.TrimSpace(v)
		if idx == "" {
			return "", nil
		}
		n, err := strconv.Atoi(idx)
		if err != nil || n < 0 || n >= len(r.sst) {
			return "", &UnusableError{Path: r.file.path,
				Reason: fmt.Sprintf("sheet %q cell %s is damaged: it refers to shared text number %s, but the workbook has %d", r.sheet, CellRef(s.col, num), idx, len(r.sst)),
				Fix:    fixResaveXLSX}
		}
		return r.sst[n], nil
	case 'n':
		v = strings.TrimSpace(v)
		if v == "" {
			return "", nil
		}
		nf := r.format(s.style)
		if nf.kind == plainKind && plainDigits(v) {
			return v, nil
		}
		return formatNumber(v, nf, r.file.date1904), nil
	case 'b':
		return boolText(v), nil
	case 'd':
		return dateCellText(strings.TrimSpace(v)), nil
	}
	return v, nil
}

// format returns the number format of style idx, looked up once per
// reader through excelize's style table.
func (r *xlsxRows) format(idx int) numberFormat {
	if idx < len(r.known) && r.known[idx] {
		return r.formats[idx]
	}
	for len(r.known) <= idx {
		r.known = append(r.known, false)
		r.formats = append(r.formats, numberFormat{})
	}
	r.formats[idx], r.known[idx] = styleFormat(r.file.book, idx), true
	return r.formats[idx]
}
