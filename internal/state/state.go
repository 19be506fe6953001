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
package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
}

// Store is an open state database. It is safe for concurrent use.
type Store struct {
	db  *bolt.DB
	dir string
	now func() time.Time
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
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, &LockedError{Dir: dir}
	}
	if err != nil {
		return nil, fmt.Errorf("state: open %s (if it is not an onboard state file, move it away): %w", path, err)
	}
	_ = os.Chmod(path, 0o600) // a file copied in with looser permissions; entries are not secret, but keep it private
	db.MaxBatchDelay = opts.BatchDelay
	if err := db.Update(func(tx *bolt.Tx) error { return prepare(tx, dir) }); err != nil {
		_ = db.Close()
		var ve *VersionError
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	return &Store{db: db, dir: dir, now: opts.Now}, nil
}

// prepare creates the buckets and checks the schema version.
func prepare(tx *bolt.Tx, dir string) error {
	meta, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(entriesBucket); err != nil {
		return err
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
