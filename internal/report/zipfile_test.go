package report

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Save writes the workbook through the zip writer straight into the
// file: excelize's own in-memory copy of the whole file stays empty (a
// write to it fails the save), and the file is a workbook Excel opens.
func TestSaveStreamsIntoTheFile(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.AddSheet("Data", Layout{Columns: []Column{{Header: "N"}}, Extra: []Column{{Header: "Status"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 5001; i++ {
		if err := s.WriteRow(Row{Num: i, Cells: []string{"x"}, Extra: []Cell{{Value: "invalid", Tone: Bad}}}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "r.xlsx")
	if err := b.Save(out); err != nil {
		t.Fatal(err)
	}
	f := openReport(t, out)
	if v := cellValue(t, f, "Data", "B5001"); v != "invalid" {
		t.Errorf("B5001 = %q", v)
	}
	if b.out != nil {
		t.Error("the zip target outlives Save")
	}
	if _, err := (refuseWriter{}).Write([]byte("x")); err == nil {
		t.Error("refuseWriter accepted a write")
	}
}

// An entry over 4 GB gets zip64's version in its local header, as
// excelize does when it writes the file itself; other entries keep theirs.
func TestMarkZip64(t *testing.T) {
	path := filepath.Join(t.TempDir(), "z.zip")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	z := &fileZip{f: fh}
	z.zw = zip.NewWriter(z)
	for _, name := range []string{"xl/small.xml", "xl/worksheets/sheet2.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, "<x>data</x>"); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	z.entries[1].size = math.MaxUint32 + 1 // pretend: writing 4 GB takes too long for a test
	if err := z.markZip64(); err != nil {
		t.Fatal(err)
	}
	version := func(e *zipEntry) uint16 {
		var v [2]byte
		if _, err := fh.ReadAt(v[:], e.end-30-int64(len(e.name))+4); err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint16(v[:])
	}
	if v := version(z.entries[1]); v != zip64Version {
		t.Errorf("large entry version %d, want %d", v, zip64Version)
	}
	if v := version(z.entries[0]); v == zip64Version {
		t.Errorf("small entry marked zip64")
	}
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("the marked archive no longer opens: %v", err)
	}
	defer r.Close()
	rc, err := r.File[1].Open()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || string(data) != "<x>data</x>" {
		t.Errorf("entry reads %q, %v", data, err)
	}
	// A header that is not where expected is refused, not overwritten.
	z.entries[1].end++
	if err := z.markZip64(); err == nil {
		t.Error("a misplaced header was patched")
	}
}

// crc32Combine gives the CRC of two pieces one after the other.
func TestCRC32Combine(t *testing.T) {
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i*7 + i/251)
	}
	for _, cut := range []int{0, 1, 2, 3, 100, 65536, 299_999, 300_000} {
		a, b := data[:cut], data[cut:]
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Errorf("cut at %d: %08x, want %08x", cut, got, want)
		}
	}
}

// Rows compressed beyond what a spool keeps in memory go to a temporary
// file; the saved workbook holds every row, its entries pass the zip
// reader's CRC check, and Close removes the file.
func TestSpilledRowsReadBack(t *testing.T) {
	defer func(n int) { spoolMemory = n }(spoolMemory)
	spoolMemory = 4096
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.AddSheet("Data", Layout{Columns: []Column{{Header: "N"}, {Header: "Name"}}, Extra: []Column{{Header: "Status"}}})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 30_000
	for i := 2; i <= rows+1; i++ {
		r := Row{Num: i, Cells: []string{strconv.Itoa(i * 7919), fmt.Sprintf("name %x <%d> & 'co'", i*i, i)}, Extra: []Cell{{Value: "valid", Tone: Good}}}
		if err := s.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.rows.tmp == nil {
		t.Fatal("the rows stayed in memory; the test needs them in a file")
	}
	tmp := s.rows.tmp.Name()
	out := filepath.Join(t.TempDir(), "r.xlsx")
	if err := b.Save(out); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file %s is still there (%v)", tmp, err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		_ = rc.Close()
	}
	f := openReport(t, out)
	all, err := f.GetRows("Data")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != rows+1 {
		t.Fatalf("%d rows, want %d", len(all), rows+1)
	}
	for i := 2; i <= rows+1; i++ {
		want := []string{strconv.Itoa(i * 7919), fmt.Sprintf("name %x <%d> & 'co'", i*i, i), "valid"}
		if got := all[i-1]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("row %d = %q, want %q", i, got, want)
		}
	}
	if fill := fillOf(t, f, "Data", "C30001"); fill != green {
		t.Errorf("C30001 fill %q, want %q", fill, green)
	}
}
