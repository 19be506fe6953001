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
	hidden     map[string]bool   // sheets hidden or very hidden in Excel
	sstPart    string
	styleParts []string // styles and theme parts, for excelize
	date1904   bool

	sstOnce sync.Once
	sst     []string
	sstNUL  bool // a shared string holds a NUL character
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
	x := &xlsxFile{path: path, osFile: f, parts: parts, sheetAt: map[string]string{}, hidden: map[string]bool{}}
	if err := x.mapSheets(wbPart); err != nil {
		var uerr *UnusableError
		if errors.As(err, &uerr) {
			return nil, uerr
		}
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
	byID := map[string]int{}
	for i, r := range rels.Rels {
		byID[r.ID] = i
	}
	notSheet := map[string]bool{wbPart: true, x.sstPart: true}
	for _, key := range x.styleParts {
		notSheet[key] = true
	}
	for _, s := range wb.Sheets {
		id, hasID := "", false
		for _, a := range s.Attrs {
			switch {
			case a.Name.Local == "id" && a.Name.Space != "":
				id, hasID = a.Value, true
			case a.Name.Local == "state" && (a.Value == "hidden" || a.Value == "veryHidden"):
				x.hidden[s.Name] = true
			}
		}
		i, linked := byID[id]
		if !hasID || !linked {
			return x.damaged(s.Name, "has no link to its data (relationship "+strconv.Quote(id)+" is missing)")
		}
		r := rels.Rels[i]
		if !strings.HasSuffix(r.Type, "/worksheet") {
			if sheetLike(r.Type) {
				continue // a chart or dialog sheet: no cells, Rows says so
			}
			return x.damaged(s.Name, "is linked to a part that is not a worksheet ("+r.Target+")")
		}
		key := targets[r.ID]
		switch {
		case r.Mode == "External":
			return x.damaged(s.Name, "has its data outside the file ("+r.Target+")")
		case outsidePackage(dir, r.Target):
			return x.damaged(s.Name, "points outside the file for its data ("+r.Target+")")
		case x.parts[key] == nil:
			return x.damaged(s.Name, "has its data ("+key+") missing from the file")
		case notSheet[key] || strings.Contains(key, "_rels/"):
			return x.damaged(s.Name, "is linked to "+key+", which is not a worksheet")
		}
		if root := x.rootElement(key); root != "" && root != "worksheet" {
			return x.damaged(s.Name, "is linked to "+key+", which is not a worksheet (it holds a "+strconv.Quote(root)+")")
		}
		x.sheetAt[s.Name] = key
	}
	return nil
}

// outsidePackage reports whether a relationship target, resolved against
// the owner's folder dir, climbs out of the package ("../../etc/passwd").
func outsidePackage(dir, target string) bool {
	t := strings.ReplaceAll(target, "\\", "/")
	var p string
	if strings.HasPrefix(t, "/") {
		p = path.Clean(strings.TrimLeft(t, "/"))
	} else {
		p = path.Clean(path.Join(dir, t))
	}
	return p == ".." || strings.HasPrefix(p, "../")
}

// sheetLike reports relationship types of sheets that are not worksheets
// and hold no cells: chart, dialog and macro sheets.
func sheetLike(typ string) bool {
	for _, suffix := range []string{"/chartsheet", "/dialogsheet", "/xlMacrosheet", "/xlIntlMacrosheet"} {
		if strings.HasSuffix(typ, suffix) {
			return true
		}
	}
	return false
}

// damaged is the refusal of a workbook whose sheet cannot be found.
func (x *xlsxFile) damaged(sheet, what string) error {
	return &UnusableError{Path: x.path, Reason: "damaged workbook: sheet '" + sheet + "' " + what + "; its rows cannot be read",
		Fix: "Open the file in Excel; if Excel offers to repair it, let it, check the sheet's rows and save it again. Otherwise get a fresh copy of the file"}
}

// rootElement returns the name of a part's root element, judged from its
// first few kilobytes, or "" when it cannot be told there.
func (x *xlsxFile) rootElement(key string) string {
	rc, err := x.parts[key].Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	head, _ := io.ReadAll(io.LimitReader(rc, 4<<10))
	sc := newXMLScannerSize(bytes.NewReader(head), 4<<10)
	for {
		if err := sc.next(false); err != nil || sc.kind == tokEOF {
			return ""
		}
		if sc.kind == tokStart {
			return string(sc.name)
		}
	}
}

func (x *xlsxFile) Path() string         { return x.path }
func (x *xlsxFile) Format() string       { return "xlsx" }
func (x *xlsxFile) SheetNames() []string { return append([]string(nil), x.sheets...) }

// Hidden reports whether sheet is hidden or very hidden in the workbook.
func (x *xlsxFile) Hidden(sheet string) bool { return x.hidden[sheet] }

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
		for _, t := range x.sst {
			if strings.IndexByte(t, 0) >= 0 {
				x.sstNUL = true
				break
			}
		}
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
		var plain bool
		if arena, plain = sc.takePlain(sharedStringForm, arena); plain {
			ends = append(ends, len(arena))
			continue
		}
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
		return nil, &UnusableError{Path: x.path, Reason: fmt.Sprintf("sheet %q holds no cells (it is a chart or dialog sheet)", sheet),
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
	size := partBufferSize(x.parts[key])
	ahead := newPrefetchReader(rc, size, 4)
	r := &xlsxRows{file: x, sheet: sheet, rc: rc, ahead: ahead, sc: newXMLScannerSize(ahead, size), sst: sst}
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
	if len(r.noResult) > 0 {
		r.Close()
		return nil, cellError(x.path, sheet, r.noResult[0], num, nil, "is a formula with no saved result, so the column has no name",
			"Open the file in Excel and save it again, so the formula's result is stored")
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

// partBufferSize is the read-ahead and scanner buffer size for a part:
// 256 KB, or less for a small part (by its declared size; a wrong size
// only costs speed), so a workbook of many small sheets stays cheap.
func partBufferSize(zf *zip.File) int {
	const full, least = 256 << 10, 4 << 10
	if n := zf.UncompressedSize64; n < full {
		return max(int(n)+1, least)
	}
	return full
}

// cellSlot is one <c> of the row being read: its column, type and style,
// and where its stored text sits in the row buffer.
type cellSlot struct {
	col        int
	typ        byte // 'n' number, 's' shared string, 'b' boolean, 'e' error, 'i' inline string, 'd' ISO date, 'f' formula text
	style      int
	start, end int
	noResult   bool // a formula without a saved value
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
	// noResult lists the current row's columns holding a formula with no
	// saved result; nil when there are none.
	noResult []int
	slab     cellSlab
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
	return Row{Num: num, Cells: cells, NoResult: r.noResult}, true
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
				r.fail(0, sc.syntaxError("the sheet has no data section (sheetData)"))
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
				// Read the part to its end, so the XML after the data and
				// the zip checksum are verified.
				if err := r.finishPart(); err != nil {
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

// finishPart reads what follows </sheetData> to the end of the part and
// checks that the elements around the data close properly.
func (r *xlsxRows) finishPart() error {
	sc := r.sc
	for depth := 1; ; { // inside the root element
		if err := sc.next(false); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			if depth != 0 {
				return sc.syntaxError("the sheet ends before its last element is closed")
			}
			return nil
		case tokStart:
			if depth == 0 {
				return sc.syntaxError("content after the end of the sheet")
			}
			if !sc.selfClosing {
				depth++
			}
		case tokEnd:
			if depth--; depth < 0 {
				return sc.syntaxError("an element is closed that was never opened")
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
		if slot, ok, err := r.fastCell(col + 1); err != nil {
			return nil, err
		} else if ok {
			col = slot.col
			r.slots = append(r.slots, slot)
			continue
		}
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
		slot, err := cellStart(sc.attrs, col+1)
		if err != nil {
			return nil, err
		}
		col, slot.start = slot.col, len(r.buf)
		if !sc.selfClosing {
			noResult, err := r.readCellContent()
			if err != nil {
				return nil, err
			}
			slot.noResult = noResult
		}
		slot.end = len(r.buf)
		r.slots = append(r.slots, slot)
	}
}

// cellStart reads a cell's start-tag attributes in one pass: its column
// (from r, else the one after the previous cell's, col), type (t,
// default 'n') and style (s). The first of a repeated attribute counts.
func cellStart(attrs []byte, col int) (cellSlot, error) {
	slot := cellSlot{col: col, typ: 'n'}
	var seenR, seenT, seenS bool
	it := attrIter{rest: attrs}
	for key, val, ok := it.next(); ok; key, val, ok = it.next() {
		switch {
		case string(key) == "r" && !seenR:
			seenR = true
			c, ok := columnIndex(val)
			if !ok {
				return slot, fmt.Errorf("bad cell reference %q", val)
			}
			slot.col = c
		case string(key) == "t" && !seenT:
			seenT, slot.typ = true, cellType(val)
		case string(key) == "s" && !seenS:
			seenS = true
			if n, err := strconv.Atoi(string(val)); err == nil && n >= 0 && n < 1<<16 {
				slot.style = n
			}
		}
	}
	if slot.col >= maxSheetColumns {
		return slot, fmt.Errorf("a cell lies beyond column %s", ColumnName(maxSheetColumns-1))
	}
	return slot, nil
}

// readCellContent appends the stored value (<v>) or inline string (<is>)
// of the cell whose start tag was just read; formulas and the rest are
// skipped. noResult reports a formula (<f>) with no stored value at all.
func (r *xlsxRows) readCellContent() (noResult bool, err error) {
	sc := r.sc
	inValue, formula, value := false, false, false
	for {
		if err := sc.next(inValue); err != nil {
			return false, err
		}
		switch sc.kind {
		case tokEOF:
			return false, sc.syntaxError("the sheet ends inside a cell")
		case tokText:
			r.buf = sc.appendText(r.buf)
		case tokEnd:
			switch string(sc.name) {
			case "v":
				inValue = false
			case "c":
				return formula && !value, nil
			}
		case tokStart:
			switch {
			case string(sc.name) == "v":
				inValue, value = !sc.selfClosing, true
			case string(sc.name) == "is":
				value = true
				if r.buf, err = sc.appendStringItem(r.buf); err != nil {
					return false, err
				}
			default:
				formula = formula || string(sc.name) == "f"
				if err := sc.skipElement(); err != nil {
					return false, err
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
	r.texts, r.noResult = r.texts[:0], nil
	nulPossible := r.file.sstNUL || strings.IndexByte(row, 0) >= 0
	width := 0
	for _, s := range r.slots {
		text, err := r.cellText(s, row[s.start:s.end], num)
		if err != nil {
			return nil, err
		}
		text = Clean(text)
		r.texts = append(r.texts, text)
		if text == "" && s.noResult {
			r.noResult = append(r.noResult, s.col) // rare: allocated only then
		}
		if (text != "" || s.noResult) && s.col+1 > width {
			width = s.col + 1
		}
		if len(text) > MaxCellChars || (nulPossible && text != "") {
			if problem, fix := cellTextProblem(text, nulPossible); problem != "" {
				return nil, cellError(r.file.path, r.sheet, s.col, num, r.header, problem, fix)
			}
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
