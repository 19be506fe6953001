package intake

// Fixture builders: every test file is generated here, never committed.

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
)

// Styles of the hand-made workbooks, by cellXfs index.
const (
	styleGeneral  = 0
	stylePad4     = 1 // custom "0000"
	styleDate     = 2 // built-in 14
	styleDateTime = 3 // custom "dd/mm/yyyy hh:mm"
	styleTime     = 4 // built-in 20 h:mm
	styleElapsed  = 5 // built-in 46 [h]:mm:ss
	styleDecimals = 6 // built-in 2 0.00
	styleSSN      = 7 // custom 000-00-0000
	styleText     = 8 // built-in 49 @
	styleCJKDate  = 9 // custom yyyy"年"m"月"d"日"
	stylePercent  = 10
	styleRound0   = 11 // built-in 1 "0"
)

const fixtureStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet ` + nsMain + `>
<numFmts count="4"><numFmt numFmtId="164" formatCode="0000"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/><numFmt numFmtId="166" formatCode="000-00-0000"/><numFmt numFmtId="167" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="12">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="20" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
</styleSheet>`

// workbookParts returns the parts of a minimal workbook whose sheets hold
// the given worksheet XML, in order, named Sheet1, Sheet2….
func workbookParts(sst string, date1904 bool, sheets ...string) map[string]string {
	var wbSheets, rels, types strings.Builder
	for i := range sheets {
		n := i + 1
		wbSheets.WriteString(`<sheet name="Sheet` + itoa(n) + `" sheetId="` + itoa(n) + `" r:id="rId` + itoa(n+10) + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + itoa(n+10) + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet` + itoa(n) + `.xml"/>`)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + itoa(n) + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
	}
	pr := ""
	if date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` + types.String() + `</Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook ` + nsMain + ` ` + nsRel + `>` + pr + `<sheets>` + wbSheets.String() + `</sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/styles.xml":        fixtureStyles,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst ` + nsMain + `>` + sst + `</sst>`,
	}
	for i, s := range sheets {
		parts["xl/worksheets/sheet"+itoa(i+1)+".xml"] = s
	}
	return parts
}

func itoa(n int) string { return strconv.Itoa(n) }

// sheetXML wraps rows (<row> elements) in a worksheet.
func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet ` + nsMain + ` ` + nsRel + `><dimension ref="A1"/><sheetData>` + rows + `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
}

// zipBytes packs parts (name → content) into a zip, names sorted for
// reproducibility.
func zipBytes(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var names []string
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to name in a fresh temporary folder.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// utf16Bytes encodes s as UTF-16 with a byte-order mark.
func utf16Bytes(s string, order binary.ByteOrder) []byte {
	units := utf16.Encode([]rune("\ufeff" + s))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(out[2*i:], u)
	}
	return out
}

// cfbFile builds a minimal OLE2 compound file (version 3, 512-byte
// sectors) holding one 4096-byte stream of the given name, as a legacy
// .xls ("Workbook") or .doc ("WordDocument") has.
func cfbFile(stream string) []byte {
	const sector = 512
	le := binary.LittleEndian
	const (
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	header := make([]byte, sector)
	copy(header, cfbMagic)
	le.PutUint16(header[0x18:], 0x003E)
	le.PutUint16(header[0x1A:], 3)
	le.PutUint16(header[0x1C:], 0xFFFE)
	le.PutUint16(header[0x1E:], 9)
	le.PutUint16(header[0x20:], 6)
	le.PutUint32(header[0x2C:], 1)          // FAT sectors
	le.PutUint32(header[0x30:], 1)          // first directory sector
	le.PutUint32(header[0x38:], 4096)       // mini stream cutoff
	le.PutUint32(header[0x3C:], endOfChain) // first mini FAT sector
	le.PutUint32(header[0x44:], endOfChain) // first DIFAT sector
	le.PutUint32(header[0x4C:], 0)          // the FAT is sector 0
	for i := 1; i < 109; i++ {
		le.PutUint32(header[0x4C+4*i:], freeSect)
	}
	fat := make([]byte, sector)
	for i := 0; i < sector/4; i++ {
		le.PutUint32(fat[4*i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	for s := 2; s < 10; s++ { // the stream: sectors 2..9
		next := uint32(s + 1)
		if s == 9 {
			next = endOfChain
		}
		le.PutUint32(fat[4*s:], next)
	}
	dir := make([]byte, sector)
	entry := func(i int, name string, typ byte, child, start, size uint32) {
		e := dir[128*i : 128*(i+1)]
		units := utf16.Encode([]rune(name))
		for j, u := range units {
			le.PutUint16(e[2*j:], u)
		}
		le.PutUint16(e[0x40:], uint16(2*len(units)+2))
		e[0x42], e[0x43] = typ, 1
		le.PutUint32(e[0x44:], noStream)
		le.PutUint32(e[0x48:], noStream)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], start)
		le.PutUint32(e[0x78:], size)
	}
	entry(0, "Root Entry", 5, 1, endOfChain, 0)
	entry(1, stream, 2, noStream, 2, 4096)
	for i := 2; i < 4; i++ {
		e := dir[128*i:]
		le.PutUint32(e[0x44:], noStream)
		le.PutUint32(e[0x48:], noStream)
		le.PutUint32(e[0x4C:], noStream)
	}
	out := append(header, fat...)
	out = append(out, dir...)
	return append(out, make([]byte, 8*sector)...)
}
