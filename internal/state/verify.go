package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Header keys in the meta bucket (the state's header).
var (
	formatKey     = []byte("format")
	formatName    = []byte("onboard-state")
	createdKey    = []byte("created")
	checkpointKey = []byte("checkpoint")
	inputPathKey  = []byte("input_path")
	inputHashKey  = []byte("input_sha256")
	inputAtKey    = []byte("input_at")
)

// header is what a verified file's header says.
type header struct {
	txid       uint64
	empty      bool // no buckets at all: a new file whose header was never written
	version    int
	created    time.Time
	checkpoint time.Time
	input      Input
	inputAt    time.Time
	entries    int
}

// guard runs fn turning any panic, and any memory fault (SIGBUS on a
// mapped file cut short), into a damage problem.
func guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = panicked(r)
		}
	}()
	return fn()
}

// verify proves the file at path can be trusted without writing to it:
// the cheap checks first, then, holding a shared lock through a read-only
// bbolt handle, a bounds-checked walk of every page, bbolt's own
// consistency check, the header and every entry. Damage is reported as a
// *problem; another process holding the state as *LockedError.
func verify(path, dir string, timeout time.Duration) (header, error) {
	return verifyFile(path, dir, timeout, true)
}

// verifyFile is verify; decode false skips decoding the entries, for a
// byte-for-byte copy of a file just verified.
func verifyFile(path, dir string, timeout time.Duration, decode bool) (header, error) {
	if err := guard(func() error { return precheck(path) }); err != nil {
		return header{}, err
	}
	var h header
	err := guard(func() error {
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
		if errors.Is(err, bolt.ErrTimeout) {
			return &LockedError{Dir: dir}
		}
		if errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if err != nil {
			return damage(fmt.Sprintf("the database library cannot open it (%v; if it is not an onboard state file, move it away)", err))
		}
		defer db.Close()
		if h, err = inspect(db, path, dir, decode); err != nil {
			return err
		}
		return nil
	})
	return h, err
}

// inspect walks the file, runs bbolt's check and reads the header and
// entries of an open db, all in one view of the file.
func inspect(db *bolt.DB, path, dir string, decode bool) (header, error) {
	l, err := walkFile(path)
	if err != nil {
		return header{}, err
	}
	if err := check(db); err != nil {
		return header{}, err
	}
	h, err := readHeader(db, dir, decode)
	if err != nil {
		return header{}, err
	}
	if h.txid != l.meta.txid {
		return header{}, damage("it changed while it was being checked; is another program writing to it?")
	}
	return h, nil
}

// check runs bbolt's consistency check, draining every finding.
func check(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		var first []string
		n := 0
		for err := range tx.Check() {
			if n < 2 {
				first = append(first, err.Error())
			}
			n++
		}
		if n == 0 {
			return nil
		}
		more := ""
		if n > len(first) {
			more = fmt.Sprintf(" and %d more", n-len(first))
		}
		return damage(fmt.Sprintf("its contents are inconsistent (%s%s)", strings.Join(first, "; "), more))
	})
}

// readHeader reads the header and, if decode is set, decodes every entry.
func readHeader(db *bolt.DB, dir string, decode bool) (header, error) {
	var h header
	err := db.View(func(tx *bolt.Tx) error {
		h.txid = uint64(tx.ID())
		meta, entries := tx.Bucket(metaBucket), tx.Bucket(entriesBucket)
		if meta == nil {
			return noHeader(tx, entries, &h)
		}
		if err := readMeta(meta, dir, &h); err != nil {
			return err
		}
		if entries == nil {
			return damage("its list of records is missing")
		}
		return entries.ForEach(func(k, v []byte) error {
			h.entries++
			if !decode {
				return nil
			}
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return damage(fmt.Sprintf("the record %q cannot be read (%v)", printable(k), err))
			}
			return nil
		})
	})
	return h, err
}

// noHeader accepts a file with no buckets at all (bbolt wrote its empty
// pages but the header was never committed: nothing was recorded) and
// refuses anything else.
func noHeader(tx *bolt.Tx, entries *bolt.Bucket, h *header) error {
	if entries != nil {
		return damage("its header is missing")
	}
	n := 0
	_ = tx.ForEach(func([]byte, *bolt.Bucket) error { n++; return nil })
	if n > 0 {
		return damage("it has no onboard header; it is not an onboard state file (if so, move it away)")
	}
	h.empty = true
	return nil
}

func readMeta(meta *bolt.Bucket, dir string, h *header) error {
	if f := meta.Get(formatKey); f != nil && string(f) != string(formatName) {
		return damage(fmt.Sprintf("its header says it is %q, not an onboard state file (if so, move it away)", printable(f)))
	}
	v := meta.Get(versionKey)
	if v == nil {
		return damage("its header has no format version")
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 {
		return damage(fmt.Sprintf("its format version %q is not a number; the file is not an onboard state file (if so, move it away)", printable(v)))
	}
	if n > SchemaVersion {
		return &VersionError{Dir: dir, Found: n, Supported: SchemaVersion}
	}
	h.version = n
	h.created = parseTime(meta.Get(createdKey))
	h.checkpoint = parseTime(meta.Get(checkpointKey))
	h.input = Input{Path: string(meta.Get(inputPathKey)), SHA256: string(meta.Get(inputHashKey))}
	h.inputAt = parseTime(meta.Get(inputAtKey))
	return nil
}

func parseTime(b []byte) time.Time {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}
	}
	return t
}

// printable shortens b and makes NULs and other control bytes visible.
func printable(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, string(b))
}

// openVerified opens the verified file read-write. If the file changed
// between the check and taking the exclusive lock (another run got in
// between), it is checked again now that no one else can write to it.
func openVerified(path, dir string, h header, opts Options) (*bolt.DB, error) {
	var db *bolt.DB
	err := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
		if errors.Is(err, bolt.ErrTimeout) {
			return &LockedError{Dir: dir}
		}
		if err != nil {
			return damage(fmt.Sprintf("the database library cannot open it (%v)", err))
		}
		var id int
		if err := db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
			return err
		}
		if uint64(id) == h.txid {
			return nil
		}
		_, err = inspect(db, path, dir, true)
		return err
	})
	if err != nil && db != nil {
		_ = guard(db.Close)
		db = nil
	}
	return db, err
}
