package validate

import (
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/onboard/onboard/internal/schema"
)

// uniqueIndex enforces one schema.Unique rule of a target across every
// sheet of the input that feeds the target.
//
// To stay compact and fast with a million rows it keeps no keys, only a
// 64-bit seeded hash of each key (computed by the workers, see keyHash)
// and the ordinal of the row that first used it, in an open-addressing
// table: 12 bytes a slot, hash and ordinal side by side, 16-24 bytes a row
// (17 MB a rule for a million CSV rows, whose count is estimated up
// front), about one memory access (one cache miss) per row. Two different keys would have to share a hash for a false "already
// used"; with a fresh random seed per run that chance is about 1 in 10^7
// for a million rows.
//
// Values are compared ignoring case: e-mail addresses, login names and
// domains are case-insensitive at the vendors, and a duplicate that
// differs only in case would be refused there anyway.
type uniqueIndex struct {
	rule    schema.Unique
	target  *schema.Target
	fis     []int // field indexes of rule.Fields
	subject int   // the rule's last field: the one reported ("Extension 101 in domain ...")
	slots   []slot
	mapped  bool // slots live outside the Go heap (allocSlots): release frees them
	used    int
	sink    uint32 // keeps warm's loads from being optimised away
}

// slot is one entry of the table: a key hash (split in two halves so a
// slot is 12 bytes, not 16 with padding) and the ordinal of its first
// row. A zero hash marks an empty slot.
type slot struct{ lo, hi, ord uint32 }

func (s *slot) hash() uint64 { return uint64(s.hi)<<32 | uint64(s.lo) }

func newUniqueIndexes(t *schema.Target) []*uniqueIndex {
	var out []*uniqueIndex
	for _, u := range t.Unique {
		ix := &uniqueIndex{rule: u, target: t}
		for _, k := range u.Fields {
			ix.fis = append(ix.fis, t.FieldIndex(k))
		}
		ix.subject = ix.fis[len(ix.fis)-1]
		out = append(out, ix)
	}
	return out
}

// keyHash returns the hash of the record's key for the rule, or 0 when a
// value of the rule is missing (such rows are not checked). It runs in the
// workers, with the run's seed. The key is its values lower-cased, each
// followed by a zero byte, built on the stack for the usual short key.
func (ix *uniqueIndex) keyHash(seed maphash.Seed, rec schema.Record) uint64 {
	var buf [128]byte
	key := buf[:0]
	for _, fi := range ix.fis {
		v := rec.Values[fi]
		if v == nil {
			return 0
		}
		key = appendLower(key, schema.Display(v))
		key = append(key, 0)
	}
	if sum := maphash.Bytes(seed, key); sum != 0 {
		return sum
	}
	return 1
}

// add records a key hash (not 0) for the row with ordinal ord. When the
// key was seen before it returns the first row's ordinal and true.
func (ix *uniqueIndex) add(hash uint64, ord uint32) (first uint32, dup bool) {
	if (ix.used+1)*4 > len(ix.slots)*3 {
		ix.grow()
	}
	lo, hi := uint32(hash), uint32(hash>>32)
	for i := ix.home(hash); ; i++ {
		if i == len(ix.slots) {
			i = 0
		}
		s := &ix.slots[i]
		switch {
		case s.lo == 0 && s.hi == 0:
			*s = slot{lo: lo, hi: hi, ord: ord}
			ix.used++
			return 0, false
		case s.lo == lo && s.hi == hi:
			return s.ord, true
		}
	}
}

// warm reads the home slot of each of a batch's key hashes (column i of
// the batch's keys) before add walks them in order. The loads do not
// depend on each other, so the processor overlaps their cache misses
// instead of waiting for each one in turn; add then finds the slots in
// cache. It changes nothing in the table.
func (ix *uniqueIndex) warm(results []RowResult, i int) {
	if len(ix.slots) == 0 {
		return
	}
	var sum uint32
	for r := range results {
		if h := results[r].keys[i]; h != 0 {
			sum += ix.slots[ix.home(h)].ord
		}
	}
	ix.sink += sum
}

// home maps a hash onto the table (any size, not only powers of two, so
// a table sized from an estimate wastes little).
func (ix *uniqueIndex) home(hash uint64) int {
	hi, _ := bits.Mul64(hash, uint64(len(ix.slots)))
	return int(hi)
}

func (ix *uniqueIndex) grow() {
	ix.resize(max(1024, 2*len(ix.slots)))
}

// reserve makes room for n more keys at once, sparing the table its
// successive doublings (each one touches fresh memory). The table is
// sized for a load of 70%, leaving some room for an estimate that is a
// little short before it has to grow at 75%.
func (ix *uniqueIndex) reserve(n int) {
	if size := max(1024, (ix.used+n)*10/7+1); size > len(ix.slots) {
		ix.resize(size)
	}
}

func (ix *uniqueIndex) resize(size int) {
	old, oldMapped := ix.slots, ix.mapped
	ix.slots, ix.mapped = allocSlots(size)
	defer func() {
		if oldMapped {
			freeSlots(old)
		}
	}()
	for _, s := range old {
		if s.lo == 0 && s.hi == 0 {
			continue
		}
		i := ix.home(s.hash())
		for ix.slots[i] != (slot{}) {
			if i++; i == size {
				i = 0
			}
		}
		ix.slots[i] = s
	}
}

// appendLower appends s lower-cased as strings.ToLower would, without
// allocating for ASCII text (the usual key: an extension, a login).
func appendLower(key []byte, s string) []byte {
	var class uint8
	for i := 0; i < len(s); i++ {
		class |= keyByteClass[s[i]]
	}
	switch {
	case class&nonASCII != 0:
		return append(key, strings.ToLower(s)...)
	case class&upperASCII == 0: // already lower case
		return append(key, s...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if class := keyByteClass[c]; class == upperASCII {
			c += 'a' - 'A'
		}
		key = append(key, c)
	}
	return key
}

// Classes of key bytes for appendLower.
const (
	upperASCII = 1 << iota
	nonASCII
)

var keyByteClass = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = upperASCII
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = nonASCII
	}
	return t
}()

// release frees the table; the index must not be used afterwards.
func (ix *uniqueIndex) release() {
	if ix.mapped {
		freeSlots(ix.slots)
	}
	ix.slots, ix.mapped, ix.used = nil, false, 0
}

// rowSpan says that ordinals from ord on are consecutive rows of a sheet
// starting at row. A run keeps one span per sheet plus one per gap in the
// row numbers (blank rows, multi-line CSV records), so turning an ordinal
// back into a sheet and row costs next to no memory.
type rowSpan struct {
	ord   uint32
	sheet int
	row   int
}

// rowOrdinals numbers the validated rows of a run in order.
type rowOrdinals struct {
	next  uint32
	spans []rowSpan
}

// add numbers the next row; ok is false once 2^32-1 rows were numbered.
func (o *rowOrdinals) add(sheet, row int) (ord uint32, ok bool) {
	if o.next == math.MaxUint32 {
		return 0, false
	}
	ord = o.next
	o.next++
	if n := len(o.spans); n == 0 || o.spans[n-1].sheet != sheet || o.spans[n-1].row+int(ord-o.spans[n-1].ord) != row {
		o.spans = append(o.spans, rowSpan{ord: ord, sheet: sheet, row: row})
	}
	return ord, true
}

// locate returns the sheet index and row number of an ordinal.
func (o *rowOrdinals) locate(ord uint32) (sheet, row int) {
	i := sort.Search(len(o.spans), func(i int) bool { return o.spans[i].ord > ord }) - 1
	s := o.spans[i]
	return s.sheet, s.row + int(ord-s.ord)
}

// describe words a duplicate: "Extension 101 in domain example.com is
// already used on row 5".
func (ix *uniqueIndex) describe(rec schema.Record, where string) string {
	f := ix.target.Fields[ix.subject]
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", f.Label, schema.Display(rec.Values[ix.subject]))
	for i, fi := range ix.fis[:len(ix.fis)-1] {
		if i == 0 {
			b.WriteString(" in ")
		} else {
			b.WriteString(" and ")
		}
		fmt.Fprintf(&b, "%s %s", lowerFirst(ix.target.Fields[fi].Label), schema.Display(rec.Values[fi]))
	}
	fmt.Fprintf(&b, " is already used %s", where)
	return b.String()
}
