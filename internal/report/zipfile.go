package report

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
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
// held in a rowSpool; the StreamWriter writes the rest of the sheet. Save
// splices the rows into the sheet's entry just before its </sheetData>.

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
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	if err := z.zw.Flush(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, end: z.n, w: w}
	z.entries = append(z.entries, e)
	if rows := z.rows[name]; rows != nil {
		z.splice = &splicer{w: e, rows: rows, name: name}
		return z.splice, nil
	}
	return e, nil
}

// endSplice checks that the entry being spliced got its rows.
func (z *fileZip) endSplice() error {
	sp := z.splice
	if sp == nil {
		return nil
	}
	z.splice = nil
	if !sp.done {
		return fmt.Errorf("the sheet %s has no %s to put its rows before", sp.name, sheetDataEnd)
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

// splicer passes a sheet's XML through, putting rows before the first
// </sheetData>.
type splicer struct {
	w    io.Writer
	rows *rowSpool
	name string
	held []byte // the end of what came, which may begin </sheetData>
	done bool
}

func (sp *splicer) Write(p []byte) (int, error) {
	if sp.done {
		return sp.w.Write(p)
	}
	data := append(sp.held, p...)
	sp.held = nil
	if i := bytes.Index(data, sheetDataEnd); i >= 0 {
		sp.done = true
		if _, err := sp.w.Write(data[:i]); err != nil {
			return 0, err
		}
		if err := sp.rows.writeTo(sp.w); err != nil {
			return 0, err
		}
		if _, err := sp.w.Write(data[i:]); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	keep := min(len(sheetDataEnd)-1, len(data))
	if _, err := sp.w.Write(data[:len(data)-keep]); err != nil {
		return 0, err
	}
	sp.held = append([]byte(nil), data[len(data)-keep:]...)
	return len(p), nil
}

// rowSpool holds a sheet's encoded rows until the workbook is saved: in
// memory up to spoolMemory bytes, then in a temporary file.
type rowSpool struct {
	mem []byte
	tmp *os.File
}

const spoolMemory = 4 << 20

func (p *rowSpool) Write(b []byte) (int, error) {
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
	p.mem = nil
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
