package state

// This file reads a bbolt file with ordinary, bounds-checked file reads
// (never through a memory map) and proves that every page bbolt will touch
// while opening and checking it lies inside the file. Only then is bbolt
// allowed near the file: bbolt reads pages through an mmap with no bounds
// checks, so a page number past the end of a cut-short file means SIGBUS or
// SIGSEGV, and Check runs in its own goroutine where no recover can reach.
//
// The layout mirrors go.etcd.io/bbolt v1.5 (internal/common): a 16-byte
// page header (id u64, flags u16, count u16, overflow u32) in the machine's
// byte order, two meta pages at page 0 and 1, branch and leaf elements of 16
// bytes each.

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
)

const (
	pageHeaderSize = 16
	elementSize    = 16
	bucketHeader   = 16 // InBucket: root pgid u64, sequence u64

	branchFlag   = 0x01
	leafFlag     = 0x02
	metaFlag     = 0x04
	freelistFlag = 0x10

	bucketLeafFlag = 0x01

	boltMagic   = 0xED0CDAED
	boltVersion = 2

	noFreelist = ^uint64(0)

	minPageSize = 512
	maxPageSize = 1 << 20
	maxDepth    = 64 // far deeper than any real tree; stops a crafted cycle
)

var ne = binary.NativeEndian

// meta is one decoded meta page.
type meta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

// parseMeta decodes the meta at the start of page p; ok is false when it
// fails bbolt's own validation (magic, version, checksum).
func parseMeta(p []byte) (meta, bool) {
	if len(p) < pageHeaderSize+64 {
		return meta{}, false
	}
	m := p[pageHeaderSize : pageHeaderSize+64]
	h := fnv.New64a()
	_, _ = h.Write(m[:56])
	if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion || ne.Uint64(m[56:]) != h.Sum64() {
		return meta{}, false
	}
	return meta{
		pageSize: ne.Uint32(m[8:]),
		root:     ne.Uint64(m[16:]),
		freelist: ne.Uint64(m[32:]),
		pgid:     ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
	}, true
}

// pageSizeOf finds the page size the way bbolt's getPageSize does: from a
// valid meta page at offset 0, else from the second meta page at 1 KB,
// 2 KB, ... 16 MB. Unlike bbolt it never falls back to a guess.
func pageSizeOf(f io.ReaderAt, size int64) (int, error) {
	var buf [0x1000]byte
	if n, err := f.ReadAt(buf[:], 0); err == nil && n == len(buf) {
		if m, ok := parseMeta(buf[:]); ok {
			return checkPageSize(m.pageSize)
		}
	}
	for i := 0; i <= 14; i++ {
		pos := int64(1024) << i
		if pos >= size-1024 {
			break
		}
		n, err := f.ReadAt(buf[:], pos)
		if (err == nil && n == len(buf)) || (err == io.EOF && int64(n) == size-pos) {
			if m, ok := parseMeta(buf[:n]); ok {
				return checkPageSize(m.pageSize)
			}
		}
	}
	if n, _ := f.ReadAt(buf[:], 0); n < len(buf) {
		if _, ok := parseMeta(buf[:n]); ok {
			return 0, damage(fmt.Sprintf("the file is cut short: only %d bytes are left, less than its header pages", n))
		}
	}
	return 0, damage("it does not start like a database file: neither header page is readable (if it is not an onboard state file, move it away)")
}

func checkPageSize(ps uint32) (int, error) {
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return 0, damage(fmt.Sprintf("its header gives an impossible page size (%d bytes)", ps))
	}
	return int(ps), nil
}

// precheck is the check made before bbolt may open the file at all, even
// read-only: the file is not empty, its page size is known, and both meta
// pages (which bbolt's open reads through the mmap) are inside the file.
func precheck(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return damage("it is not a regular file")
	}
	size := fi.Size()
	if size == 0 {
		return damage("the file is empty (0 bytes), so everything it recorded is lost")
	}
	ps, err := pageSizeOf(f, size)
	if err != nil {
		return err
	}
	if size < 2*int64(ps) {
		return damage(fmt.Sprintf("the file is cut short: %d bytes, less than its two %d-byte header pages", size, ps))
	}
	return nil
}

// layout is the result of a successful walk.
type layout struct {
	pageSize int
	meta     meta
	size     int64
}

// walker reads pages with bounds checks and remembers which it has seen.
type walker struct {
	f    io.ReaderAt
	ps   int
	hwm  uint64 // pages 0..hwm-1 exist
	seen map[uint64]bool
}

// walkFile proves the file at path is structurally sound: the meta page
// bbolt will use is valid, the file holds every page up to its high-water
// mark, and every page reachable from the root bucket and the freelist is
// below that mark, of the right type, referenced once, with its elements
// inside it.
func walkFile(path string) (layout, error) {
	f, err := os.Open(path)
	if err != nil {
		return layout{}, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return layout{}, fmt.Errorf("read %s: %w", path, err)
	}
	size := fi.Size()
	if size == 0 {
		return layout{}, damage("the file is empty (0 bytes), so everything it recorded is lost")
	}
	ps, err := pageSizeOf(f, size)
	if err != nil {
		return layout{}, err
	}
	m, err := currentMeta(f, ps, size)
	if err != nil {
		return layout{}, err
	}
	if m.pgid > uint64(size)/uint64(ps) {
		if m.pgid > math.MaxInt64/uint64(ps) {
			return layout{}, damage(fmt.Sprintf("its header names %d pages, more than any file can hold", m.pgid))
		}
		want := m.pgid * uint64(ps)
		return layout{}, damage(fmt.Sprintf("the file is cut short: it has %d bytes but its header says the data runs to %d bytes (%s missing at the end)",
			size, want, plural(want-uint64(size), "byte")))
	}
	w := &walker{f: f, ps: ps, hwm: m.pgid, seen: map[uint64]bool{0: true, 1: true}}
	if m.root < 2 || m.root >= m.pgid {
		return layout{}, damage(fmt.Sprintf("its header points the data at page %d, outside the file's %d pages", m.root, m.pgid))
	}
	if err := w.freelist(m.freelist); err != nil {
		return layout{}, contents(err)
	}
	if err := w.tree(m.root, 0); err != nil {
		return layout{}, contents(err)
	}
	return layout{pageSize: ps, meta: m, size: size}, nil
}

// currentMeta picks the meta page bbolt will use: the valid one with the
// higher transaction ID, else the other valid one.
func currentMeta(f io.ReaderAt, ps int, size int64) (meta, error) {
	if size < 2*int64(ps) {
		return meta{}, damage(fmt.Sprintf("the file is cut short: %d bytes, less than its two %d-byte header pages", size, ps))
	}
	var ms [2]meta
	var ok [2]bool
	var flags [2]uint16
	buf := make([]byte, ps)
	for i := range ms {
		if _, err := f.ReadAt(buf, int64(i*ps)); err != nil {
			return meta{}, damage(fmt.Sprintf("its header page %d cannot be read: %v", i, err))
		}
		ms[i], ok[i] = parseMeta(buf)
		flags[i] = ne.Uint16(buf[8:])
	}
	a, b := 0, 1
	if ms[1].txid > ms[0].txid {
		a, b = 1, 0
	}
	pick := a // exactly bbolt's choice: the newer valid meta, else the other
	switch {
	case ok[a]:
	case ok[b]:
		pick = b
	default:
		return meta{}, damage("both of its header pages are damaged (if it is not an onboard state file, move it away)")
	}
	m := ms[pick]
	if flags[pick] != metaFlag {
		return meta{}, damage(fmt.Sprintf("its header page %d is marked as another kind of page", pick))
	}
	if int(m.pageSize) != ps {
		return meta{}, damage(fmt.Sprintf("its header pages disagree about the page size (%d and %d bytes)", ps, m.pageSize))
	}
	return m, nil
}

// page reads page id with its overflow pages, checking that it lies below
// the high-water mark, identifies as id and is referenced only once.
func (w *walker) page(id uint64, what string) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, damage(fmt.Sprintf("%s points at page %d, outside the file's %d pages", what, id, w.hwm))
	}
	var hdr [pageHeaderSize]byte
	if _, err := w.f.ReadAt(hdr[:], int64(id)*int64(w.ps)); err != nil {
		return nil, damage(fmt.Sprintf("page %d cannot be read: %v", id, err))
	}
	if got := ne.Uint64(hdr[0:]); got != id {
		return nil, damage(fmt.Sprintf("page %d is not where it should be (it calls itself page %d)", id, got))
	}
	over := uint64(ne.Uint32(hdr[12:]))
	if over >= w.hwm-id {
		return nil, damage(fmt.Sprintf("page %d claims %d continuation pages, past the end of the data", id, over))
	}
	for i := id; i <= id+over; i++ {
		if w.seen[i] {
			return nil, damage(fmt.Sprintf("page %d is used twice (%s)", i, what))
		}
		w.seen[i] = true
	}
	p := make([]byte, (over+1)*uint64(w.ps))
	if _, err := w.f.ReadAt(p, int64(id)*int64(w.ps)); err != nil {
		return nil, damage(fmt.Sprintf("page %d cannot be read: %v", id, err))
	}
	return p, nil
}

// freelist checks the list of free pages bbolt loads on a read-write open
// (the page behind "panic: invalid freelist page").
func (w *walker) freelist(id uint64) error {
	if id == noFreelist {
		return nil
	}
	p, err := w.page(id, "the list of free pages")
	if err != nil {
		return err
	}
	if f := ne.Uint16(p[8:]); f != freelistFlag {
		return damage(fmt.Sprintf("the list of free pages (page %d) is not a free list (type %#x)", id, f))
	}
	idx, count := uint64(0), uint64(ne.Uint16(p[10:]))
	if count == 0xFFFF {
		if len(p) < pageHeaderSize+8 {
			return damage(fmt.Sprintf("the list of free pages (page %d) is cut short", id))
		}
		idx, count = 1, ne.Uint64(p[pageHeaderSize:])
	}
	room := uint64(len(p)-pageHeaderSize) / 8
	if count > room || idx+count > room {
		return damage(fmt.Sprintf("the list of free pages (page %d) claims %d entries but has room for %d", id, count, room))
	}
	for i := idx; i < idx+count; i++ {
		free := ne.Uint64(p[pageHeaderSize+8*i:])
		if free < 2 || free >= w.hwm {
			return damage(fmt.Sprintf("the list of free pages (page %d) names page %d, outside the file's %d pages", id, free, w.hwm))
		}
	}
	return nil
}

// tree checks the B+tree rooted at page id and every bucket below it.
func (w *walker) tree(id uint64, depth int) error {
	if depth > maxDepth {
		return damage(fmt.Sprintf("page %d is nested deeper than any real state file", id))
	}
	p, err := w.page(id, "the data tree")
	if err != nil {
		return err
	}
	switch f := ne.Uint16(p[8:]); f {
	case branchFlag:
		return w.branch(id, p, depth)
	case leafFlag:
		return w.leaf(fmt.Sprintf("page %d", id), p, depth)
	default:
		return damage(fmt.Sprintf("page %d should hold data but is of another kind (type %#x)", id, f))
	}
}

// elements returns the element count of page p after checking that the
// element table fits.
func elements(where string, p []byte) (int, error) {
	n := int(ne.Uint16(p[10:]))
	if pageHeaderSize+n*elementSize > len(p) {
		return 0, damage(fmt.Sprintf("%s claims %d entries, more than it can hold", where, n))
	}
	return n, nil
}

// span checks that the bytes [elem+pos, elem+pos+n) lie inside p.
func span(where string, p []byte, elem int, pos, n uint32) (int, int, error) {
	start := uint64(elem) + uint64(pos)
	end := start + uint64(n)
	if end > uint64(len(p)) {
		return 0, 0, damage(fmt.Sprintf("%s has an entry reaching past its end", where))
	}
	return int(start), int(end), nil
}

func (w *walker) branch(id uint64, p []byte, depth int) error {
	where := fmt.Sprintf("page %d", id)
	n, err := elements(where, p)
	if err != nil {
		return err
	}
	if n == 0 {
		return damage(where + " is an empty branch of the data tree")
	}
	for i := 0; i < n; i++ {
		e := pageHeaderSize + i*elementSize
		if _, _, err := span(where, p, e, ne.Uint32(p[e:]), ne.Uint32(p[e+4:])); err != nil {
			return err
		}
		if err := w.tree(ne.Uint64(p[e+8:]), depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) leaf(where string, p []byte, depth int) error {
	n, err := elements(where, p)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		e := pageHeaderSize + i*elementSize
		flags, pos, ksize, vsize := ne.Uint32(p[e:]), ne.Uint32(p[e+4:]), ne.Uint32(p[e+8:]), ne.Uint32(p[e+12:])
		if uint64(ksize)+uint64(vsize) > uint64(len(p)) {
			return damage(fmt.Sprintf("%s has an entry reaching past its end", where))
		}
		start, end, err := span(where, p, e, pos, ksize+vsize)
		if err != nil {
			return err
		}
		if flags&bucketLeafFlag != 0 {
			if err := w.bucket(where, p[start+int(ksize):end], depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// bucket checks a bucket value: either a root page number or, for a small
// bucket, its leaf page inline.
func (w *walker) bucket(where string, v []byte, depth int) error {
	if depth > maxDepth {
		return damage(where + " nests buckets deeper than any real state file")
	}
	if len(v) < bucketHeader {
		return damage(where + " has a bucket entry that is cut short")
	}
	root := ne.Uint64(v)
	if root != 0 {
		return w.tree(root, depth)
	}
	inline := v[bucketHeader:]
	if len(inline) < pageHeaderSize {
		return damage(where + " has an inline bucket that is cut short")
	}
	if f := ne.Uint16(inline[8:]); f != leafFlag {
		return damage(fmt.Sprintf("%s has an inline bucket of the wrong kind (type %#x)", where, f))
	}
	return w.leaf(where+" (inline bucket)", inline, depth)
}

// contents prefixes a page-level finding so it reads as damage to the
// data rather than to the file as a whole.
func contents(err error) error {
	if p, ok := asProblem(err); ok {
		return damage("its contents are damaged: " + p)
	}
	return err
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
