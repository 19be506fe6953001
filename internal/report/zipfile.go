package report

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/klauspost/compress/flate"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
)

// excelize's Write builds the whole zip in memory before writing it out:
// as much memory as the report file is large (110 MB for a million
// invalid rows), twice over while the buffer grows. Save instead hands
// excelize a zip writer that writes straight into the file, and does
// itself the one thing excelize does with the buffer: mark the local
// header of an entry over 4 GB as needing zip64 (version 45), which Excel
// wants.

// The rows of a data sheet are encoded by the Book itself (rowxml.go) and
// compressed as they come, by the sheet's writer goroutine, into a
// rowSpool; the StreamWriter writes the rest of the sheet. Save compresses
// that rest and splices the compressed rows into the sheet's entry just
// before its </sheetData>: deflate blocks that end on a byte (a flush) can
// follow one another, and the entry's CRC is combined from the parts'.

// writeFile writes the workbook into f through the zip writer, never
// through excelize's in-memory buffer.
func (b *Book) writeFile(f *os.File) error {
	b.out = &fileZip{f: f, rows: b.rows}
	defer func() { b.out = nil }()
	if err := b.f.Write(refuseWriter{}); err != nil {
		return err
	}
	if b.out.zw == nil {
		return errors.New("the workbook was not written through its zip writer")
	}
	if len(b.out.spliced) != len(b.rows) {
		return errors.New("the rows of a sheet were not written into the workbook")
	}
	return b.out.markZip64()
}

// refuseWriter fails any write: excelize must have written everything
// through the zip writer, leaving its own buffer empty.
type refuseWriter struct{}

func (refuseWriter) Write([]byte) (int, error) {
	return 0, errors.New("the workbook was written outside its zip writer")
}

// fileZip is an excelize.ZipWriter writing into a file and noting where
// each entry starts and how large it is.
type fileZip struct {
	f       *os.File
	n       int64 // bytes written to f
	zw      *zip.Writer
	entries []*zipEntry
	rows    map[string]*rowSpool // entry name → the rows to splice into it
	splice  *splicer             // the entry being spliced, if any
	spliced map[string]bool      // entries whose rows are in
}

type zipEntry struct {
	name string
	end  int64 // offset just past its local header
	size int64 // uncompressed bytes
	w    io.Writer
}

func (z *fileZip) Write(p []byte) (int, error) {
	n, err := z.f.Write(p)
	z.n += int64(n)
	return n, err
}

// Create starts an entry; its local header ends at the offset noted once
// the zip writer has flushed it.
func (z *fileZip) Create(name string) (io.Writer, error) {
	if err := z.endSplice(); err != nil {
		return nil, err
	}
	if rows := z.rows[name]; rows != nil {
		return z.createSpliced(name, rows)
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	if err := z.zw.Flush(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, end: z.n, w: w}
	z.entries = append(z.entries, e)
	return e, nil
}

// createSpliced starts the entry of a sheet whose rows are in rows: raw,
// so the rows compressed already are copied as they are.
func (z *fileZip) createSpliced(name string, rows *rowSpool) (io.Writer, error) {
	// As zip.Writer.Create would set it, sizes and CRC in a data
	// descriptor after the data.
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Flags: 0x8, CreatorVersion: 20, ReaderVersion: 20}
	w, err := z.zw.CreateRaw(fh)
	if err != nil {
		return nil, err
	}
	if err := z.zw.Flush(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, end: z.n}
	z.entries = append(z.entries, e)
	raw := &countWriter{w: w}
	comp, err := flate.NewWriter(raw, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	z.splice = &splicer{raw: raw, comp: comp, fh: fh, entry: e, rows: rows, name: name}
	return z.splice, nil
}

// endSplice checks that the entry being spliced got its rows.
func (z *fileZip) endSplice() error {
	sp := z.splice
	if sp == nil {
		return nil
	}
	z.splice = nil
	if err := sp.end(); err != nil {
		return err
	}
	if z.spliced == nil {
		z.spliced = map[string]bool{}
	}
	z.spliced[sp.name] = true
	return nil
}

func (e *zipEntry) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.size += int64(n)
	return n, err
}

// AddFS adds the files of fsys.
func (z *fileZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

// Close finishes the archive.
func (z *fileZip) Close() error {
	if err := z.endSplice(); err != nil {
		return err
	}
	return z.zw.Close()
}

// sheetDataEnd closes a sheet's rows. It cannot occur inside a cell:
// a cell's "<" is escaped.
var sheetDataEnd = []byte("</sheetData>")

// splicer compresses a sheet's XML into its raw entry, putting the
// compressed rows before the first </sheetData>.
type splicer struct {
	raw   *countWriter  // the entry, compressed bytes
	comp  *flate.Writer // compresses what excelize writes
	fh    *zip.FileHeader
	entry *zipEntry
	rows  *rowSpool
	name  string
	crc   uint32
	held  []byte // the end of what came, which may begin </sheetData>
	done  bool
}

func (sp *splicer) Write(p []byte) (int, error) {
	if sp.done {
		return len(p), sp.write(p)
	}
	data := append(sp.held, p...)
	sp.held = nil
	if i := bytes.Index(data, sheetDataEnd); i >= 0 {
		sp.done = true
		if err := sp.write(data[:i]); err != nil {
			return 0, err
		}
		if err := sp.comp.Flush(); err != nil { // ends on a byte
			return 0, err
		}
		if err := sp.rows.writeTo(sp.raw); err != nil {
			return 0, err
		}
		sp.crc = crc32Combine(sp.crc, sp.rows.crc, sp.rows.size)
		sp.entry.size += sp.rows.size
		sp.comp.Reset(sp.raw) // no reference back across the rows
		return len(p), sp.write(data[i:])
	}
	keep := min(len(sheetDataEnd)-1, len(data))
	if err := sp.write(data[:len(data)-keep]); err != nil {
		return 0, err
	}
	sp.held = append([]byte(nil), data[len(data)-keep:]...)
	return len(p), nil
}

// write compresses p into the entry.
func (sp *splicer) write(p []byte) error {
	sp.crc = crc32.Update(sp.crc, crc32.IEEETable, p)
	sp.entry.size += int64(len(p))
	_, err := sp.comp.Write(p)
	return err
}

// end finishes the entry's data and sets the sizes and CRC its data
// descriptor and the central directory record.
func (sp *splicer) end() error {
	if !sp.done {
		return fmt.Errorf("the sheet %s has no %s to put its rows before", sp.name, sheetDataEnd)
	}
	if err := sp.comp.Close(); err != nil {
		return err
	}
	sp.fh.CRC32 = sp.crc
	sp.fh.CompressedSize64 = uint64(sp.raw.n)
	sp.fh.UncompressedSize64 = uint64(sp.entry.size)
	sp.fh.CompressedSize = uint32(min(sp.fh.CompressedSize64, math.MaxUint32))
	sp.fh.UncompressedSize = uint32(min(sp.fh.UncompressedSize64, math.MaxUint32))
	return nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// rowSpool holds a sheet's encoded rows, compressed, until the workbook
// is saved: in memory up to spoolMemory bytes, then in a temporary file.
type rowSpool struct {
	mem  []byte
	tmp  *os.File
	comp *flate.Writer
	crc  uint32 // of the rows, uncompressed
	size int64  // uncompressed
}

// spoolMemory is how many compressed bytes a spool keeps in memory.
var spoolMemory = 4 << 20

// add compresses rows into the spool.
func (p *rowSpool) add(rows []byte) error {
	if p.comp == nil {
		c, err := flate.NewWriter(spoolSink{p}, flate.BestSpeed)
		if err != nil {
			return err
		}
		p.comp = c
	}
	p.crc = crc32.Update(p.crc, crc32.IEEETable, rows)
	p.size += int64(len(rows))
	_, err := p.comp.Write(rows)
	return err
}

// finish flushes the compressor: the rows end on a byte, with no final
// block (the sheet's XML goes on after them).
func (p *rowSpool) finish() error {
	if p.comp == nil {
		return nil
	}
	err := p.comp.Flush()
	p.comp = nil
	return err
}

// spoolSink takes the compressed bytes.
type spoolSink struct{ p *rowSpool }

func (s spoolSink) Write(b []byte) (int, error) { return s.p.store(b) }

// store keeps compressed bytes.
func (p *rowSpool) store(b []byte) (int, error) {
	if p.tmp == nil && len(p.mem)+len(b) <= spoolMemory {
		p.mem = append(p.mem, b...)
		return len(b), nil
	}
	if p.tmp == nil {
		f, err := os.CreateTemp("", "onboard-rows-*")
		if err != nil {
			return 0, fmt.Errorf("temporary file for the rows: %w", err)
		}
		p.tmp = f
		if _, err := f.Write(p.mem); err != nil {
			return 0, fmt.Errorf("temporary file for the rows: %w", err)
		}
		p.mem = nil
	}
	n, err := p.tmp.Write(b)
	if err != nil {
		return n, fmt.Errorf("temporary file for the rows: %w", err)
	}
	return n, nil
}

// writeTo writes the rows held to w.
func (p *rowSpool) writeTo(w io.Writer) error {
	if p.tmp == nil {
		_, err := w.Write(p.mem)
		return err
	}
	if _, err := p.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("temporary file for the rows: %w", err)
	}
	_, err := io.CopyBuffer(w, struct{ io.Reader }{p.tmp}, make([]byte, 1<<20))
	return err
}

// close removes the temporary file, if any.
func (p *rowSpool) close() error {
	p.mem, p.comp = nil, nil
	if p.tmp == nil {
		return nil
	}
	name := p.tmp.Name()
	err := p.tmp.Close()
	p.tmp = nil
	return errors.Join(err, os.Remove(name))
}

// zip64Version is the "version needed to extract" of a zip64 entry.
const zip64Version = 45

// markZip64 sets the version of the local header of every entry over
// 4 GB to zip64's, checking first that the header is where expected.
func (z *fileZip) markZip64() error {
	for _, e := range z.entries {
		if e.size <= math.MaxUint32 {
			continue
		}
		start := e.end - 30 - int64(len(e.name)) // a header of Create has no extra field
		head := make([]byte, 30+len(e.name))
		if _, err := z.f.ReadAt(head, start); err != nil {
			return fmt.Errorf("mark %s as zip64: %w", e.name, err)
		}
		if binary.LittleEndian.Uint32(head) != 0x04034b50 || !bytes.Equal(head[30:], []byte(e.name)) {
			return fmt.Errorf("mark %s as zip64: its local header is not at offset %d", e.name, start)
		}
		var v [2]byte
		binary.LittleEndian.PutUint16(v[:], zip64Version)
		if _, err := z.f.WriteAt(v[:], start+4); err != nil {
			return fmt.Errorf("mark %s as zip64: %w", e.name, err)
		}
	}
	return nil
}

// crc32Combine is the CRC-32 of A followed by B, from the CRC of A, the
// CRC of B and the length of B (zlib's crc32_combine).
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	var even, odd [32]uint32 // operators for 2^n zero bits
	odd[0] = crc32.IEEE
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd)
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		if lenB >>= 1; lenB == 0 {
			break
		}
		gf2Square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		if lenB >>= 1; lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}
