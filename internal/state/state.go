// Package state records every send of a run durably, so a run that is
// interrupted (Ctrl-C, kill -9, power loss) can be resumed without sending a
// record twice: Begin is written and synced to disk before a request goes
// out, Finish after its answer is classified. An entry left in the Sending
// phase after a crash means "outcome unknown": look the record up at the
// vendor before sending it again.
//
// Entries are keyed by endpoint (the vendor's base URL), target ID and the
// record's natural key (schema.Record.Key). An entry never holds a request
// body, only PayloadHash, so passwords and tokens are never stored.
//
// The store is one bbolt file, DIR/state.db (mode 0600, in a 0700
// directory). Only one process may open it at a time; a second Open fails
// quickly with *LockedError. Concurrent Begin/Finish calls from many
// goroutines are grouped into shared transactions (bbolt's Batch), so
// workers share one fsync instead of queueing for one each.
//
// A state that cannot be trusted is never used. Open verifies an existing
// state.db before opening it for writing (see verify.go and layout.go):
// its size against the pages its header names (so the memory map never
// reaches past the end of a cut-short file: no SIGBUS), every reachable
// page with bounds-checked reads, bbolt's consistency check on a read-only
// handle, the header (format, SchemaVersion, the input last run) and every
// entry; a panic from bbolt is recovered. Any damage, including an empty
// file, is *DamagedError, whose message names the way out: restore
// state.db.bak or rerun with --reconcile.
//
// After a successful run the caller calls Store.Checkpoint, which saves
// DIR/state.db.bak atomically; Options.UseBackup lets Open fall back to it
// (Store.Restored says so) and Options.SetAsideDamaged lets a reconcile run
// start empty. A damaged file is never deleted: it is kept as
// state.db.damaged-TIME.
package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/onboard/onboard/internal/schema"
)

// SchemaVersion is the layout version this package writes. A database
// written by a newer version is refused with *VersionError.
const SchemaVersion = 1

// FileName is the database file's name inside the state directory.
const FileName = "state.db"

// Defaults for Options.
const (
	DefaultLockTimeout = 250 * time.Millisecond
	DefaultBatchDelay  = time.Millisecond
)

var (
	metaBucket    = []byte("meta")
	entriesBucket = []byte("entries")
	versionKey    = []byte("schema_version")
)

// Phase is where an entry's send stands.
type Phase string

// The phases of an entry.
const (
	Sending Phase = "sending" // intent recorded; the outcome is unknown until Finish
	Done    Phase = "done"    // outcome recorded
)

// Entry is the durable record of one record's send. It never holds the
// request body or any secret.
type Entry struct {
	Endpoint string `json:"endpoint"` // vendor base URL the record was sent to
	Target   string `json:"target"`   // target ID, e.g. "netsapiens.user"
	Key      string `json:"key"`      // the record's natural key, e.g. "example.com/101"
	// PayloadHash identifies the body sent (see PayloadHash); a changed
	// hash means the row was edited since.
	PayloadHash string    `json:"payload_hash,omitempty"`
	Phase       Phase     `json:"phase"`
	Status      string    `json:"status,omitempty"` // "created", "exists", "invalid", "failed", ...
	VendorID    string    `json:"vendor_id,omitempty"`
	Message     string    `json:"message,omitempty"` // never a secret
	Attempts    int       `json:"attempts"`          // number of Begin calls so far
	Sheet       string    `json:"sheet,omitempty"`   // where the row came from last time (informational)
	Row         int       `json:"row,omitempty"`
	Updated     time.Time `json:"updated"`
}

// Options tune Open. The zero value is ready to use.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the state before returning *LockedError; 0 means DefaultLockTimeout.
	LockTimeout time.Duration
	// BatchDelay is how long a write waits for others to share its
	// transaction and fsync; 0 means DefaultBatchDelay.
	BatchDelay time.Duration
	// Now is the clock for Entry.Updated; nil means time.Now.
	Now func() time.Time
	// Input, when set, is recorded in the state's header as the input of
	// this run (see InputOf and Store.PreviousInput). Optional.
	Input Input
	// UseBackup lets Open fall back to state.db.bak when state.db is
	// damaged and the backup verifies: the damaged file is kept as
	// state.db.damaged-TIME, the backup copied into place, and
	// Store.Restored says so. Records sent after the backup was saved are
	// not in it, so the caller must reconcile (look records up at the
	// vendor before creating them).
	UseBackup bool
	// SetAsideDamaged lets Open, when state.db is damaged (and, with
	// UseBackup, no usable backup exists), keep the damaged file as
	// state.db.damaged-TIME and start with an empty state. Only for a run
	// in reconcile mode, which looks every record up before creating it.
	SetAsideDamaged bool
}

// Store is an open state database. It is safe for concurrent use.
type Store struct {
	db       *bolt.DB
	dir      string
	now      func() time.Time
	created  bool
	restored *Recovery
	previous header
}

// LockedError is returned by Open when another process holds the state.
type LockedError struct{ Dir string }

func (e *LockedError) Error() string {
	return "another onboard run is using state " + e.Dir + "; wait for it to finish, or give this run another state directory"
}

// VersionError is returned by Open for a database written by a newer
// onboard.
type VersionError struct {
	Dir              string
	Found, Supported int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("state %s was written by a newer onboard (state version %d; this onboard reads up to %d); upgrade onboard or give this run another state directory",
		e.Dir, e.Found, e.Supported)
}

// Open opens (creating if needed) the state in dir: the directory with mode
// 0700 and dir/state.db with mode 0600.
//
// An existing state.db is verified before it is opened for writing: its
// size against the pages its header names, every page reachable from its
// header, bbolt's consistency check, its header (format version, see
// SchemaVersion) and every entry. A file that fails, including an empty
// one, is never opened read-write and never treated as a fresh start: Open
// returns *DamagedError, unless Options.UseBackup or SetAsideDamaged allow
// a way past it (then Store.Restored reports what was done). A missing
// state.db is created atomically, so a crash never leaves an empty file.
func Open(dir string, opts Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("state: no directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state: create directory %s: %w", dir, err)
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.BatchDelay <= 0 {
		opts.BatchDelay = DefaultBatchDelay
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	path := filepath.Join(dir, FileName)
	h, created, rec, err := prove(dir, path, opts)
	if err != nil {
		return nil, err
	}
	_ = os.Chmod(path, 0o600) // a file copied in with looser permissions; entries are not secret, but keep it private
	db, err := openVerified(path, dir, h, opts)
	if _, ok := asProblem(err); ok {
		return nil, damagedError(dir, path, err, opts.LockTimeout)
	}
	if err != nil {
		return nil, err
	}
	db.MaxBatchDelay = opts.BatchDelay
	removeStale(dir, time.Now())
	if err := db.Update(func(tx *bolt.Tx) error { return prepare(tx, dir, opts.Input, opts.Now()) }); err != nil {
		_ = db.Close()
		var ve *VersionError
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	return &Store{db: db, dir: dir, now: opts.Now, created: created, restored: rec, previous: h}, nil
}

// prove creates a missing state or verifies the existing one, getting
// past damage as opts allow. created reports a new state; rec, how damage
// was got past.
func prove(dir, path string, opts Options) (h header, created bool, rec *Recovery, err error) {
	if missingWithBackup(dir, path) {
		err = damage("the file is missing, although " + BackupName + " shows that earlier runs used this state directory")
	} else if created, err = ensureFile(path, opts); err == nil {
		h, err = verify(path, dir, opts.LockTimeout)
	}
	if _, ok := asProblem(err); ok {
		h, rec, err = getPast(dir, path, err, opts)
	}
	return h, created, rec, err
}

// missingWithBackup reports whether state.db is gone but state.db.bak is
// there: the state was deleted, which is not a fresh start.
func missingWithBackup(dir, path string) bool {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	_, err := os.Lstat(filepath.Join(dir, BackupName))
	return err == nil
}

// ensureFile creates a missing state file; it reports whether it did.
func ensureFile(path string, opts Options) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("state: %s: %w", path, err)
	}
	if err := createFresh(path, opts.LockTimeout, opts.Now()); err != nil {
		return false, err
	}
	return true, nil
}

// damagedError describes the damage found in path and what
// state.db.bak offers.
func damagedError(dir, path string, err error, timeout time.Duration) *DamagedError {
	what, _ := asProblem(err)
	d := &DamagedError{Path: path, Problem: what, Err: err}
	bak := filepath.Join(dir, BackupName)
	if _, serr := os.Lstat(bak); serr != nil {
		return d
	}
	d.Backup = bak
	bh, berr := verify(bak, dir, timeout)
	switch {
	case berr == nil && bh.empty:
		d.BackupProblem = "it holds no header"
	case berr != nil:
		if p, ok := asProblem(berr); ok {
			d.BackupProblem = p
		} else {
			d.BackupProblem = berr.Error()
		}
	default:
		d.BackupTime = bh.checkpoint
	}
	return d
}

// getPast handles a damaged state.db as opts allow: restore the backup,
// or set the file aside and start empty, or refuse with *DamagedError.
func getPast(dir, path string, found error, opts Options) (header, *Recovery, error) {
	d := damagedError(dir, path, found, opts.LockTimeout)
	useBak := opts.UseBackup && d.Backup != "" && d.BackupProblem == ""
	if !useBak && !opts.SetAsideDamaged {
		return header{}, nil, d
	}
	rec := &Recovery{Damage: d}
	if _, err := os.Lstat(path); err == nil {
		if rec.KeptAs, err = setAside(path, opts.Now()); err != nil {
			return header{}, nil, err
		}
	}
	var err error
	if useBak {
		rec.FromBackup, rec.BackupTime = true, d.BackupTime
		err = restoreBackup(d.Backup, path)
	} else {
		rec.Fresh = true
		_, err = ensureFile(path, opts)
	}
	if err != nil {
		return header{}, nil, err
	}
	h, err := verify(path, dir, opts.LockTimeout)
	if _, ok := asProblem(err); ok {
		return header{}, nil, damagedError(dir, path, err, opts.LockTimeout)
	}
	return h, rec, err
}

// prepare creates the buckets, checks the schema version and fills in the
// header: format, version, creation time and, if given, the input.
func prepare(tx *bolt.Tx, dir string, in Input, now time.Time) error {
	meta, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(entriesBucket); err != nil {
		return err
	}
	if err := putMissing(meta, formatKey, formatName); err != nil {
		return err
	}
	if err := putMissing(meta, createdKey, []byte(now.UTC().Format(time.RFC3339Nano))); err != nil {
		return err
	}
	if in != (Input{}) {
		for k, v := range map[string]string{string(inputPathKey): in.Path, string(inputHashKey): in.SHA256,
			string(inputAtKey): now.UTC().Format(time.RFC3339Nano)} {
			if err := meta.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
	}
	v := meta.Get(versionKey)
	if v == nil {
		return meta.Put(versionKey, []byte(strconv.Itoa(SchemaVersion)))
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 {
		return fmt.Errorf("schema version %q is not a number; the file is not an onboard state file", v)
	}
	if n > SchemaVersion {
		return &VersionError{Dir: dir, Found: n, Supported: SchemaVersion}
	}
	return nil
}

func putMissing(b *bolt.Bucket, k, v []byte) error {
	if b.Get(k) != nil {
		return nil
	}
	return b.Put(k, v)
}

// Created reports whether this Open created state.db because there was
// none (not after a damaged one). With no state, an input that reports
// or earlier runs say was run before should be reconciled.
func (s *Store) Created() bool { return s.created }

// Restored reports how Open got past a damaged state.db (nil when it
// opened as is): from the backup or, in reconcile mode, empty. Its String
// is the message to show, e.g. "state.db was damaged (...); used
// state.db.bak from 2026-11-30 18:00:00 UTC; ...".
func (s *Store) Restored() *Recovery { return s.restored }

// PreviousInput returns the input recorded by the last Open that was
// given one (Options.Input) and when; false if none was.
func (s *Store) PreviousInput() (Input, time.Time, bool) {
	in := s.previous.input
	return in, s.previous.inputAt, in != (Input{})
}

// Entries returns how many entries the state held when it was opened.
func (s *Store) Entries() int { return s.previous.entries }

func (s *Store) path() string { return filepath.Join(s.dir, FileName) }

// Dir returns the state directory.
func (s *Store) Dir() string { return s.dir }

// Close releases the state for other processes.
func (s *Store) Close() error { return s.db.Close() }

// Begin durably records the intent to send e's record: Phase becomes
// Sending and Attempts one more than stored. It returns once the entry is
// on disk; only then may the request go out.
func (s *Store) Begin(e Entry) error {
	return s.write(e, func(old Entry, e *Entry) {
		e.Phase = Sending
		e.Attempts = old.Attempts + 1
	})
}

// Finish durably records the outcome of e's send: Phase becomes Done.
// Attempts keeps the stored count (or e's, if larger); an empty PayloadHash
// or Sheet and a zero Row keep their stored values.
func (s *Store) Finish(e Entry) error {
	return s.write(e, func(old Entry, e *Entry) {
		e.Phase = Done
		e.Attempts = max(e.Attempts, old.Attempts)
		if e.PayloadHash == "" {
			e.PayloadHash = old.PayloadHash
		}
		if e.Sheet == "" {
			e.Sheet = old.Sheet
		}
		if e.Row == 0 {
			e.Row = old.Row
		}
	})
}

// write stores e after merge adjusts it against the stored entry. It runs
// inside a batch, so merge may run more than once and must only depend on
// its arguments.
func (s *Store) write(e Entry, merge func(old Entry, e *Entry)) error {
	k, err := entryKey(e.Endpoint, e.Target, e.Key)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	err = s.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(entriesBucket)
		var old Entry
		if v := b.Get(k); v != nil {
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("stored entry %s is damaged: %w", e.describe(), err)
			}
		}
		next := e
		merge(old, &next)
		next.Updated = now
		v, err := json.Marshal(next)
		if err != nil {
			return err
		}
		return b.Put(k, v)
	})
	if err != nil {
		return fmt.Errorf("state: record %s: %w", e.describe(), err)
	}
	return nil
}

// Get returns the entry for one record; false when none is stored.
func (s *Store) Get(endpoint, target, key string) (Entry, bool, error) {
	k, err := entryKey(endpoint, target, key)
	if err != nil {
		return Entry{}, false, err
	}
	var e Entry
	found := false
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(entriesBucket).Get(k)
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &e)
	})
	if err != nil {
		return Entry{}, false, fmt.Errorf("state: read %s %s %s: %w", endpoint, target, key, err)
	}
	return e, found, nil
}

// All calls fn for every entry, ordered by endpoint, target and key. The
// entries are read first, so fn may call Begin or Finish. An error from fn
// stops the walk and is returned.
func (s *Store) All(fn func(Entry) error) error {
	var all []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(entriesBucket).ForEach(func(k, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry %q is damaged: %w", bytes.ReplaceAll(k, []byte{0}, []byte(" ")), err)
			}
			all = append(all, e)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("state: read all: %w", err)
	}
	for _, e := range all {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Unfinished returns the entries still in the Sending phase: sends whose
// outcome is unknown, typically after a crash.
func (s *Store) Unfinished() ([]Entry, error) {
	var out []Entry
	err := s.All(func(e Entry) error {
		if e.Phase == Sending {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// entryKey is endpoint NUL target NUL key; endpoint and target may not
// contain NUL, so the split is unambiguous.
func entryKey(endpoint, target, key string) ([]byte, error) {
	if endpoint == "" || target == "" {
		return nil, fmt.Errorf("state: entry needs an endpoint and a target (got %q, %q)", endpoint, target)
	}
	if strings.ContainsRune(endpoint, 0) || strings.ContainsRune(target, 0) {
		return nil, errors.New("state: endpoint and target may not contain NUL")
	}
	return []byte(endpoint + "\x00" + target + "\x00" + key), nil
}

func (e Entry) describe() string { return e.Target + " " + e.Key + " at " + e.Endpoint }

// PayloadHash returns the hex SHA-256 of body as canonical JSON (object
// keys sorted, nested JSON values normalised) with the value of every key
// in secretKeys that is present replaced by schema.Mask: the hash notes
// that a secret was sent, never what it was. Hence
// PayloadHash(r.Body(), secretKeys) equals PayloadHash(r.Redacted(), nil).
func PayloadHash(body map[string]any, secretKeys []string) string {
	c := make(map[string]any, len(body))
	for k, v := range body {
		c[k] = canonical(v)
	}
	for _, k := range secretKeys {
		if _, ok := c[k]; ok {
			c[k] = schema.Mask
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		// Unreachable for wire values; hash the error so the result is
		// still deterministic and never a secret.
		b = []byte("unmarshalable: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// RecordHash is PayloadHash of the record's body with its target's secret
// fields masked.
func RecordHash(r schema.Record) string {
	var secrets []string
	for _, f := range r.Target.Fields {
		if f.IsSecret() {
			secrets = append(secrets, f.Key)
		}
	}
	return PayloadHash(r.Body(), secrets)
}

// canonical returns v with JSON text (json.RawMessage) decoded, so key
// order and spacing inside it do not change the hash.
func canonical(v any) any {
	raw, ok := v.(json.RawMessage)
	if !ok {
		return v
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return string(raw)
	}
	return x
}
