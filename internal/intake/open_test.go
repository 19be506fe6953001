package intake

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// simpleWorkbook is a valid one-sheet workbook made by excelize.
func simpleWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"First", "Last"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"Jane", "Smith"})
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// expectUnusable asserts Open refuses path with an UnusableError whose
// message has every want fragment.
func expectUnusable(t *testing.T, path string, opt Options, want ...string) {
	t.Helper()
	f, err := Open(path, opt)
	if err == nil {
		f.Close()
		t.Fatalf("Open(%s) succeeded; want an UnusableError", path)
	}
	var uerr *UnusableError
	if !errors.As(err, &uerr) {
		t.Fatalf("Open error %T %v is not an *UnusableError", err, err)
	}
	if uerr.Path != path || uerr.Reason == "" || uerr.Fix == "" {
		t.Fatalf("incomplete UnusableError %+v", uerr)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message %q lacks %q", err.Error(), w)
		}
	}
}

func TestUnusableFiles(t *testing.T) {
	dir := t.TempDir()
	good := simpleWorkbook(t)

	encrypted := func() []byte {
		f := excelize.NewFile()
		f.SetCellValue("Sheet1", "A1", "secret")
		p := filepath.Join(dir, "enc.xlsx")
		if err := f.SaveAs(p, excelize.Options{Password: "hunter2"}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		return b
	}()

	ods := zipBytes(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document-content/>"})
	odt := zipBytes(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
	docx := zipBytes(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
	xlsb := zipBytes(t, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.bin": "\x00"})
	plainZip := zipBytes(t, map[string]string{"readme.txt": "hello", "users.csv": "a,b\n"})
	noSheets := zipBytes(t, workbookParts("", false))

	corrupt := append([]byte(nil), good...)
	// Flip bytes inside the first entry's compressed data: the zip
	// directory is intact but the data fails its checksum or inflate.
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var sheetOffset int64
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			sheetOffset, _ = zf.DataOffset()
		}
	}
	for i := int64(2); i < 12; i++ {
		corrupt[sheetOffset+i] ^= 0x5A
	}

	// Valid deflate data under a wrong checksum.
	badCRC := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
		for _, zf := range zr.File {
			raw, _ := zf.OpenRaw()
			h := zf.FileHeader
			if zf.Name == "xl/worksheets/sheet1.xml" {
				h.CRC32 ^= 0xFFFF
			}
			w, err := zw.CreateRaw(&h)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(w, raw)
		}
		zw.Close()
		return buf.Bytes()
	}()

	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}

	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	html := []byte("<html><head><title>Export</title></head><body><table><tr><td>Jane</td></tr></table></body></html>")
	xml2003 := []byte(`<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>`)
	gz := []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + strings.Repeat("\x00", 20))
	utf16NoBOM := []byte("F\x00i\x00r\x00s\x00t\x00,\x00L\x00a\x00s\x00t\x00\n\x00")

	if err := os.Mkdir(filepath.Join(dir, "folder.xlsx"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte // nil: use the path as is
		want []string
	}{
		{"missing.xlsx", nil, []string{"missing.xlsx: no such file", "Check the path"}},
		{"folder.xlsx", nil, []string{"this is a folder, not a file"}},
		{"empty.csv", []byte{}, []string{"the file is empty"}},
		{"legacy.xls", cfbFile("Workbook"), []string{"old-format Excel 97-2003 workbook (.xls)", "save it as 'Excel Workbook (.xlsx)'"}},
		{"legacy-renamed.xlsx", cfbFile("Workbook"), []string{"Excel 97-2003 workbook (.xls)"}},
		{"letter.doc", cfbFile("WordDocument"), []string{"Word document (.doc)"}},
		{"broken-ole.xls", append(append([]byte(nil), cfbMagic...), make([]byte, 100)...), []string{"old Microsoft Office file (OLE2"}},
		{"secret.xlsx", encrypted, []string{"protected with a password (encrypted)", "remove the password"}},
		{"calc.ods", ods, []string{"OpenDocument spreadsheet (.ods)", "LibreOffice Calc"}},
		{"letter.odt", odt, []string{"OpenDocument file (text), not a spreadsheet"}},
		{"letter.docx", docx, []string{"Word document (.docx)"}},
		{"binary.xlsb", xlsb, []string{"Excel Binary Workbook (.xlsb)"}},
		{"archive.zip", plainZip, []string{"zip archive, not an Excel workbook", "Extract it"}},
		{"nosheets.xlsx", noSheets, []string{"the workbook has no sheets"}},
		{"truncated.xlsx", good[:len(good)/2], []string{"the file is damaged", "incomplete or corrupt"}},
		{"corrupt.xlsx", corrupt, []string{`sheet "Sheet1" is damaged and cannot be read`}},
		{"checksum.xlsx", badCRC, []string{`sheet "Sheet1" near row 2 is damaged`, "checksum error"}},
		{"random.xlsx", random, []string{"binary data, not a spreadsheet"}},
		{"random.csv", random, []string{"binary data, not a spreadsheet"}},
		{"picture.csv", png, []string{"picture (image/png)"}},
		{"report.xlsx", pdf, []string{"PDF document"}},
		{"export.xls", html, []string{"web page (HTML)"}},
		{"xml2003.xls", xml2003, []string{"'XML Spreadsheet 2003'"}},
		{"data.csv.gz", gz, []string{"compressed archive"}},
		{"utf16-no-bom.csv", utf16NoBOM, []string{"without a byte-order mark"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if tc.data != nil {
				if err := os.WriteFile(p, tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := Open(p, Options{})
			if err == nil { // a damaged sheet may only show when read
				got := readRows(f, f.SheetNames()[0])
				f.Close()
				err = got.err
				if err == nil {
					t.Fatalf("read %s without error", tc.name)
				}
			}
			var uerr *UnusableError
			if !errors.As(err, &uerr) || uerr.Reason == "" || uerr.Fix == "" {
				t.Fatalf("error %T %v is not a complete *UnusableError", err, err)
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err.Error(), w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("message leaks the password: %v", err)
			}
		})
	}
}

// A zip bomb is refused before anything is unzipped: by its declared
// size, by an absurd compression ratio, and by the caller's limit.
func TestZipBombs(t *testing.T) {
	// A declared size of 1 TB, written raw so nothing has to be compressed.
	var lying bytes.Buffer
	zw := zip.NewWriter(&lying)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: 10, UncompressedSize64: 1 << 40, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, 10))
	zw.Close()
	expectUnusable(t, writeFile(t, "declared.xlsx", lying.Bytes()), Options{}, "would unzip to more than 2.0 GB", "zip bomb")

	// 12 MB of spaces squeezed a thousandfold.
	parts := workbookParts("", false, sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`+strings.Repeat(" ", 12<<20)))
	bomb := zipBytes(t, parts)
	expectUnusable(t, writeFile(t, "ratio.xlsx", bomb), Options{}, "claims to unzip", "times larger than it is stored")

	// An ordinary workbook over a caller's tight limit.
	expectUnusable(t, writeFile(t, "small.xlsx", simpleWorkbook(t)), Options{MaxUnzippedBytes: 1000}, "would unzip to more than 1000 bytes")
}

// Content decides the format, not the extension.
func TestContentBeatsExtension(t *testing.T) {
	p := writeFile(t, "users.csv", simpleWorkbook(t))
	f, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Format() != "xlsx" {
		t.Fatalf("format %s", f.Format())
	}
	got := readRows(f, "Sheet1")
	f.Close()
	if got.err != nil || len(got.rows) != 1 || got.rows[0].Cells[0] != "Jane" {
		t.Fatalf("got %+v", got)
	}

	// Tab-separated text saved with an .xls name, as some web exports are.
	p = writeFile(t, "export.xls", []byte("First\tLast\nJane\tSmith\n"))
	f, err = Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Format() != "csv" {
		t.Fatalf("format %s", f.Format())
	}
	got = readRows(f, "export")
	f.Close()
	if got.err != nil || len(got.rows) != 1 || got.rows[0].Cells[1] != "Smith" {
		t.Fatalf("got %+v", got)
	}
}

// Closing the file closes row readers left open, and their read-ahead.
func TestCloseFileWithOpenReaders(t *testing.T) {
	// A sheet of several megabytes: more than the read-ahead holds.
	rows := `<row><c t="inlineStr"><is><t>Name</t></is></c></row>` + strings.Repeat(`<row><c t="inlineStr"><is><t>Jane</t></is></c></row>`, 100000)
	book := zipBytes(t, workbookParts("", false, sheetXML(rows)))
	before := runtime.NumGoroutine()
	f, err := Open(writeFile(t, "book.xlsx", book), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := f.Rows("Sheet1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// A stopped goroutine may take a moment to finish returning.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if after > before {
		t.Fatalf("%d goroutines before, %d after Close", before, after)
	}
}

// Closing releases the file; reading after the end is harmless.
func TestCloseAndReadPastEnd(t *testing.T) {
	p := writeFile(t, "book.xlsx", simpleWorkbook(t))
	f, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := f.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		rr.Next()
	}
	if _, ok := rr.Next(); ok || rr.Err() != nil {
		t.Fatalf("past end: ok=%v err=%v", ok, rr.Err())
	}
	if err := rr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// the workbook must be gone from the file table: removing works everywhere
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}
