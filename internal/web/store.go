package web

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names of the server's own database (web.db under the data
// directory; the run state of each batch is the CLI's state store).
var (
	bucketBatches  = []byte("batches")
	bucketAudit    = []byte("audit")
	bucketSessions = []byte("sessions")
)

// dbFileName is the server's database under the data directory.
const dbFileName = "web.db"

// store keeps batches, sessions and the audit log.
type store struct {
	db *bolt.DB
}

// openStore opens (or creates, mode 0600) the server's database in dir.
func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, dbFileName), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, errors.New("the data directory is in use by another onboard serve; stop it or give another --data")
		}
		return nil, fmt.Errorf("open the server database: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketBatches, bucketAudit, bucketSessions} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the server database: %w", err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

// put stores v as JSON under key in bucket.
func (s *store) put(bucket []byte, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(key), data) })
}

// get reads the JSON under key into v; false when there is none.
func (s *store) get(bucket []byte, key string, v any) (bool, error) {
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if d := tx.Bucket(bucket).Get([]byte(key)); d != nil {
			data = append([]byte(nil), d...)
		}
		return nil
	})
	if err != nil || data == nil {
		return false, err
	}
	return true, json.Unmarshal(data, v)
}

func (s *store) delete(bucket []byte, key string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete([]byte(key)) })
}

// updateBatch reads, changes and writes one batch in one transaction.
func (s *store) updateBatch(id string, fn func(*Batch) error) (*Batch, error) {
	var b Batch
	err := s.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBatches)
		data := bk.Get([]byte(id))
		if data == nil {
			return errNotFound
		}
		if err := json.Unmarshal(data, &b); err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		out, err := json.Marshal(&b)
		if err != nil {
			return err
		}
		return bk.Put([]byte(id), out)
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

var errNotFound = errors.New("not found")

// batches lists every batch, newest first.
func (s *store) batches() ([]*Batch, error) {
	var out []*Batch
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBatches).ForEach(func(_, v []byte) error {
			var b Batch
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			out = append(out, &b)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, err
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	User   string    `json:"user"`
	Role   string    `json:"role,omitempty"`
	Action string    `json:"action"`
	Batch  string    `json:"batch,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Addr   string    `json:"addr,omitempty"`
}

// audit appends an entry to the audit log.
func (s *store) audit(e AuditEntry) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.Seq = seq
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		var key [8]byte
		binary.BigEndian.PutUint64(key[:], seq)
		return b.Put(key[:], data)
	})
}

// auditLog calls fn for every audit entry, oldest first, or the newest
// limit ones when limit > 0.
func (s *store) auditLog(limit int, fn func(AuditEntry) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		k, v := c.First()
		if limit > 0 {
			k, v = c.Last()
			for i := 1; i < limit && k != nil; i++ {
				if pk, pv := c.Prev(); pk != nil {
					k, v = pk, pv
				} else {
					c.First()
					break
				}
			}
		}
		for ; k != nil; k, v = c.Next() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// newID returns n random bytes in hex.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// boltTx is a bbolt transaction.
type boltTx = bolt.Tx
