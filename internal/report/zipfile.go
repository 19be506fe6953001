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

// writeFile writes the workbook into f through the zip writer, never
// through excelize's in-memory buffer.
func (b *Book) writeFile(f *os.File) error {
	b.out = &fileZip{f: f}
	defer func() { b.out = nil }()
	if err := b.f.Write(refuseWriter{}); err != nil {
		return err
	}
	if b.out.zw == nil {
		return errors.New("the workbook was not written through its zip writer")
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

func (e *zipEntry) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.size += int64(n)
	return n, err
}

// AddFS adds the files of fsys.
func (z *fileZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

// Close finishes the archive.
func (z *fileZip) Close() error { return z.zw.Close() }

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
