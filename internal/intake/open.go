package intake

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	kflate "github.com/klauspost/compress/flate"
	"github.com/richardlehane/mscfb"
)

// Magic numbers of the containers a spreadsheet may come in.
var (
	zipMagic      = []byte("PK\x03\x04")
	emptyZipMagic = []byte("PK\x05\x06")
	cfbMagic      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Fixes shared by several refusals.
const (
	fixSaveAsXLSX   = "Open it in Excel (or LibreOffice) and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (Comma delimited) (.csv)'"
	fixResaveXLSX   = "Open it in Excel and save it again as 'Excel Workbook (.xlsx)', or download or copy the file again"
	fixNotSpreadsht = "Give the .xlsx or .csv file that holds the new hires"
)

// Open opens path as a workbook or CSV. What the file is, is decided by its
// content, not its extension: an .xlsx renamed .csv is still read as a
// workbook, a tab-separated text export named .xls as text. Any reason the
// file cannot be read is returned as *UnusableError.
func Open(path string, opt Options) (File, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &UnusableError{Path: path, Reason: "no such file", Fix: "Check the path and file name", err: err}
	}
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "cannot read the file: " + err.Error(), Fix: "Check the file's permissions", err: err}
	}
	if st.IsDir() {
		return nil, &UnusableError{Path: path, Reason: "this is a folder, not a file", Fix: "Give the path of an .xlsx or .csv file"}
	}
	if !st.Mode().IsRegular() {
		return nil, &UnusableError{Path: path, Reason: "this is not a regular file", Fix: "Give the path of an .xlsx or .csv file"}
	}
	if st.Size() == 0 {
		return nil, &UnusableError{Path: path, Reason: "the file is empty (0 bytes)", Fix: "Save the spreadsheet again and check it has data"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "cannot open the file: " + err.Error(), Fix: "Check the file's permissions", err: err}
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		f.Close()
		return nil, &UnusableError{Path: path, Reason: "cannot read the file: " + err.Error(), Fix: "Check the file's permissions", err: err}
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, emptyZipMagic):
		file, err := openZip(path, f, st.Size(), opt)
		if err != nil {
			f.Close()
		}
		return file, err
	case bytes.HasPrefix(head, cfbMagic):
		defer f.Close()
		return nil, cfbRefusal(path, f)
	}
	if uerr := refuseNonText(path, head); uerr != nil {
		f.Close()
		return nil, uerr
	}
	file, err := openCSV(path, f, head)
	f.Close()
	return file, err
}

// refuseNonText returns the refusal for content that is not delimited
// text, judged by the standard library's content sniffer, or nil.
func refuseNonText(path string, head []byte) *UnusableError {
	kind := http.DetectContentType(head)
	mime, _, _ := strings.Cut(kind, ";")
	switch {
	case mime == "text/plain":
		return nil
	case mime == "text/html":
		return &UnusableError{Path: path, Reason: "this is a web page (HTML), not a spreadsheet; some systems export 'Excel' files that are really web pages",
			Fix: fixSaveAsXLSX}
	case mime == "text/xml":
		if bytes.Contains(head, []byte("urn:schemas-microsoft-com:office:spreadsheet")) || bytes.Contains(head, []byte("Excel.Sheet")) {
			return &UnusableError{Path: path, Reason: "this is an 'XML Spreadsheet 2003' file, which is not supported", Fix: fixSaveAsXLSX}
		}
		return &UnusableError{Path: path, Reason: "this is an XML document, not a spreadsheet", Fix: fixNotSpreadsht}
	case mime == "application/pdf":
		return &UnusableError{Path: path, Reason: "this is a PDF document, not a spreadsheet", Fix: fixNotSpreadsht}
	case strings.HasPrefix(mime, "image/"):
		return &UnusableError{Path: path, Reason: "this is a picture (" + mime + "), not a spreadsheet", Fix: fixNotSpreadsht}
	case mime == "application/x-gzip", mime == "application/x-rar-compressed", mime == "application/x-7z-compressed":
		return &UnusableError{Path: path, Reason: "this is a compressed archive (" + mime + "), not a spreadsheet", Fix: "Extract it and give the .xlsx or .csv inside"}
	case mime == "application/octet-stream" && !rawLooksBinary(head):
		return nil // text with the odd control character (ESC, BEL) in a cell
	case mime == "application/octet-stream":
		return binaryRefusal(path)
	}
	return &UnusableError{Path: path, Reason: "this is a " + mime + " file, not a spreadsheet", Fix: fixNotSpreadsht}
}

// binaryRefusal refuses binary data that is neither a spreadsheet nor text.
func binaryRefusal(path string) *UnusableError {
	return &UnusableError{Path: path, Reason: "this is binary data, not a spreadsheet or text (or it is text in an encoding without a byte-order mark, such as UTF-16)",
		Fix: fixNotSpreadsht + "; from Excel use 'Excel Workbook (.xlsx)' or 'CSV UTF-8'"}
}

// cfbRefusal explains an OLE2 compound file: a legacy .xls, an encrypted
// (password-protected) workbook, or another old Office document.
func cfbRefusal(path string, f io.ReaderAt) *UnusableError {
	var encrypted, workbook, word, powerpoint bool
	if doc, err := mscfb.New(f); err == nil {
		for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
			switch entry.Name {
			case "EncryptionInfo", "EncryptedPackage":
				encrypted = true
			case "Workbook", "Book":
				workbook = true
			case "WordDocument":
				word = true
			case "PowerPoint Document":
				powerpoint = true
			}
		}
	}
	switch {
	case encrypted:
		return &UnusableError{Path: path, Reason: "the workbook is protected with a password (encrypted), so it cannot be read",
			Fix: "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, clear the password), save it and try again"}
	case word:
		return &UnusableError{Path: path, Reason: "this is a Word document (.doc), not a spreadsheet", Fix: fixNotSpreadsht}
	case powerpoint:
		return &UnusableError{Path: path, Reason: "this is a PowerPoint presentation (.ppt), not a spreadsheet", Fix: fixNotSpreadsht}
	case workbook:
		return &UnusableError{Path: path, Reason: "this is an old-format Excel 97-2003 workbook (.xls), which is not supported", Fix: fixSaveAsXLSX}
	}
	return &UnusableError{Path: path, Reason: "this is an old Microsoft Office file (OLE2 format, such as .xls), not an .xlsx workbook", Fix: fixSaveAsXLSX}
}

// maxCompressionRatio is the largest unzipped/zipped size ratio accepted
// for a part bigger than ratioCheckFrom bytes. Real worksheets compress
// about 5-50 times; deflate tops out near 1032.
const (
	maxCompressionRatio = 400
	ratioCheckFrom      = 8 << 20
)

// inflate decompresses a workbook's parts with klauspost/compress, which
// the report writer already uses for writing: reading a 20k-row
// workbook takes 9% fewer instructions in all than with compress/flate.
func inflate(r io.Reader) io.ReadCloser { return kflate.NewReader(r) }

// openZip vets a zip container and opens it as a workbook, or says what
// else it is (OpenDocument, Word, a plain archive).
func openZip(path string, f *os.File, size int64, opt Options) (File, error) {
	limit := opt.MaxUnzippedBytes
	if limit <= 0 {
		limit = DefaultMaxUnzippedBytes
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "the file is damaged: it is a zip container (like every .xlsx) but it is incomplete or corrupt (" + err.Error() + ")",
			Fix: fixResaveXLSX, err: err}
	}
	zr.RegisterDecompressor(zip.Deflate, inflate)
	parts := make(map[string]*zip.File, len(zr.File))
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(limit) || zf.UncompressedSize64 > uint64(limit) {
			return nil, &UnusableError{Path: path,
				Reason: fmt.Sprintf("the file would unzip to more than %s, far more than any spreadsheet of new hires (it may be a 'zip bomb')", byteSize(limit)),
				Fix:    "Check where the file came from; if it really is that large, split it into several smaller files"}
		}
		if zf.UncompressedSize64 > ratioCheckFrom && zf.CompressedSize64 > 0 && zf.UncompressedSize64/zf.CompressedSize64 > maxCompressionRatio {
			return nil, &UnusableError{Path: path,
				Reason: fmt.Sprintf("part %s of the file claims to unzip %d times larger than it is stored, which no real spreadsheet does (it may be a 'zip bomb')",
					zf.Name, zf.UncompressedSize64/zf.CompressedSize64),
				Fix: "Check where the file came from; if it is a real workbook, open it in Excel and save it again"}
		}
		parts[partKey(zf.Name)] = zf
	}
	if mt, ok := parts["mimetype"]; ok {
		if uerr := refuseOpenDocument(path, mt); uerr != nil {
			return nil, uerr
		}
	}
	switch {
	case parts["xl/workbook.bin"] != nil:
		return nil, &UnusableError{Path: path, Reason: "this is an Excel Binary Workbook (.xlsb), which is not supported", Fix: fixSaveAsXLSX}
	case parts["word/document.xml"] != nil:
		return nil, &UnusableError{Path: path, Reason: "this is a Word document (.docx), not a spreadsheet", Fix: fixNotSpreadsht}
	case parts["ppt/presentation.xml"] != nil:
		return nil, &UnusableError{Path: path, Reason: "this is a PowerPoint presentation (.pptx), not a spreadsheet", Fix: fixNotSpreadsht}
	}
	wbPart, err := workbookPart(parts)
	if err != nil {
		return nil, &UnusableError{Path: path, Reason: "the workbook is damaged: " + err.Error(), Fix: fixResaveXLSX, err: err}
	}
	if parts[wbPart] == nil {
		if parts["[content_types].xml"] != nil {
			return nil, &UnusableError{Path: path, Reason: "this is an Office file but not an Excel workbook (it has no workbook part)", Fix: fixNotSpreadsht}
		}
		return nil, &UnusableError{Path: path, Reason: "this is a zip archive, not an Excel workbook", Fix: "Extract it and give the .xlsx or .csv inside"}
	}
	return openXLSX(path, f, zr, parts, wbPart, limit)
}

// refuseOpenDocument refuses OpenDocument files, named by their mimetype.
func refuseOpenDocument(path string, mt *zip.File) *UnusableError {
	rc, err := mt.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 256))
	mime := strings.TrimSpace(string(b))
	switch {
	case mime == "application/vnd.oasis.opendocument.spreadsheet":
		return &UnusableError{Path: path, Reason: "this is an OpenDocument spreadsheet (.ods), which is not supported",
			Fix: "Open it in LibreOffice Calc (or Excel) and save it as 'Excel 2007-365 (.xlsx)' or as CSV"}
	case strings.HasPrefix(mime, "application/vnd.oasis.opendocument."):
		return &UnusableError{Path: path, Reason: "this is an OpenDocument file (" + strings.TrimPrefix(mime, "application/vnd.oasis.opendocument.") + "), not a spreadsheet",
			Fix: fixNotSpreadsht}
	case strings.HasPrefix(mime, "application/epub"):
		return &UnusableError{Path: path, Reason: "this is an e-book (EPUB), not a spreadsheet", Fix: fixNotSpreadsht}
	}
	return nil
}

// partKey normalises a zip entry name for lookup: forward slashes, no
// leading slash, lower case (OPC part names are case-insensitive).
func partKey(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	return strings.ToLower(strings.TrimPrefix(name, "/"))
}

// resolvePart resolves a relationship target against the folder of the
// part that owns the relationship.
func resolvePart(ownerDir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return partKey(path.Clean(target))
	}
	return partKey(path.Clean(path.Join(ownerDir, target)))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
