package state

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// smallState writes a real state (header and n entries, through prepare
// and Store.Begin/Finish) with 1 KB pages, cut after its last used page:
// a few KB the fuzzer can mutate and minimise quickly.
func smallState(t testing.TB, n int) []byte {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return prepare(tx, dir, Input{Path: "/in.csv", SHA256: "ab"}, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	s := &Store{db: db, dir: dir, now: time.Now}
	fillState(t, s, 0, n)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := walkFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b[:int(l.meta.pgid)*l.pageSize]
}

// FuzzState opens random bytes and damaged copies of real state files as
// state.db. Open must never panic or crash (SIGBUS on a cut-short file):
// it refuses with *DamagedError (or *VersionError), or opens a state whose
// every entry can be read.
//
//	go test -run '^$' -fuzz FuzzState -fuzztime 30s -fuzzminimizetime 50x ./internal/state/
//
// Without -fuzzminimizetime each new input is minimised for up to a
// minute, a few KB byte by byte, and the run does little else.
func FuzzState(f *testing.F) {
	small := smallState(f, 3)
	f.Add(small)
	for _, cut := range []int{0, 1, 100, 1024, 2048, len(small) / 2, len(small) - 1024, len(small) - 1} {
		f.Add(small[:cut])
	}
	big := realState(f, 5) // 4 KB pages, as onboard writes them
	f.Add(big)
	f.Add(big[:len(big)/2])
	f.Add([]byte("not a database"))
	dir := f.TempDir()
	path := filepath.Join(dir, FileName)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, Options{LockTimeout: 50 * time.Millisecond})
		if err != nil {
			if !errors.As(err, new(*DamagedError)) && !errors.As(err, new(*VersionError)) {
				t.Fatalf("Open = %v (%T), want *DamagedError", err, err)
			}
			return
		}
		defer s.Close()
		if len(data) == 0 {
			t.Fatal("an empty file opened as a state")
		}
		if err := s.All(func(Entry) error { return nil }); err != nil {
			t.Fatalf("verified state, yet an entry cannot be read: %v", err)
		}
	})
}
