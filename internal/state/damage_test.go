package state

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const wayOut = "Restore state.db.bak (kept from the last successful run) or rerun with --reconcile, which looks every record up at the vendor before creating it"

// fillState writes n finished entries (some spanning overflow pages) into
// the state in dir, from key offset from.
func fillState(t testing.TB, s *Store, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		e := Entry{Endpoint: "https://v.test", Target: "t.user", Key: fmt.Sprintf("k%06d", i),
			PayloadHash: "h", Message: strings.Repeat("m", 30+(i*53)%5000), Sheet: "Users", Row: i + 2}
		if err := s.Begin(e); err != nil {
			t.Fatal(err)
		}
		e.Status, e.VendorID = "created", fmt.Sprint("id", i)
		if err := s.Finish(e); err != nil {
			t.Fatal(err)
		}
	}
}

// realState writes a state with n entries in a new directory and returns
// its state.db bytes.
func realState(t testing.TB, n int) []byte {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fillState(t, s, 0, n)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func countEntries(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.All(func(Entry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTruncatedState cuts a real state file at 16 points, with a good
// backup beside it. Every cut either is refused with *DamagedError naming
// the way out (and the file left untouched), or, when only the unused
// tail past the last page was cut, opens with every entry there.
func TestTruncatedState(t *testing.T) {
	const n = 300
	orig := realState(t, n)
	l, err := walkFile(writeTemp(t, orig))
	if err != nil {
		t.Fatalf("the original does not verify: %v", err)
	}
	ps, used := l.pageSize, int(l.meta.pgid)*l.pageSize
	t.Logf("state file: %d bytes, %d-byte pages, data up to byte %d", len(orig), ps, used)
	pct := func(p int) int { return len(orig) * p / 100 }
	cuts := []int{0, 1, 100, ps - 1, ps, ps + 100, 2 * ps, 2*ps + 1, pct(25), pct(50), pct(75), pct(87), pct(97),
		used * 75 / 100, used * 87 / 100, used * 97 / 100, used - 4096, used - 1, used, len(orig) - 4096, len(orig) - 1}
	damaged, good := 0, 0
	for _, cut := range cuts {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			writeFile(t, path, orig[:cut])
			writeFile(t, filepath.Join(dir, BackupName), orig)
			s, err := Open(dir, Options{})
			if cut < used {
				var de *DamagedError
				if !errors.As(err, &de) {
					t.Fatalf("cut at %d of %d (data up to %d): Open = %v, want *DamagedError", cut, len(orig), used, err)
				}
				if !strings.Contains(err.Error(), wayOut) || !strings.Contains(err.Error(), path+" is damaged: ") {
					t.Errorf("message lacks the file or the way out: %q", err)
				}
				after, _ := os.ReadFile(path)
				if !bytes.Equal(after, orig[:cut]) {
					t.Error("a refused Open changed the damaged file")
				}
				damaged++
				t.Logf("cut at %d: %s", cut, de.Problem)
				return
			}
			if err != nil {
				t.Fatalf("cut at %d keeps every page (data up to %d), yet Open = %v", cut, used, err)
			}
			if got := countEntries(t, s); got != n || s.Entries() != n {
				t.Errorf("opened with %d entries (Entries %d), want %d", got, s.Entries(), n)
			}
			fillState(t, s, n, 10) // the file grows again past the cut
			s.Close()
			s = open(t, dir)
			if got := countEntries(t, s); got != n+10 {
				t.Errorf("after writing past the cut: %d entries, want %d", got, n+10)
			}
			good++
		})
	}
	t.Logf("%d cuts: %d refused as damaged, %d opened whole", len(cuts), damaged, good)
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), FileName)
	writeFile(t, p, b)
	return p
}

func TestEmptyStateFileIsDamage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, FileName), nil)
	_, err := Open(dir, Options{})
	var de *DamagedError
	if !errors.As(err, &de) {
		t.Fatalf("Open of a zero-byte state.db = %v, want *DamagedError", err)
	}
	want := "is damaged: the file is empty (0 bytes), so everything it recorded is lost. There is no state.db.bak to restore; rerun with --reconcile, which looks every record up at the vendor before creating it."
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message %q\nwant it to contain %q", err, want)
	}
	if fi, _ := os.Stat(filepath.Join(dir, FileName)); fi.Size() != 0 {
		t.Error("the refused file was written to")
	}
}

// TestFreelistDamaged overwrites the page the header names as the free
// list: bbolt used to panic ("invalid freelist page") opening it.
func TestFreelistDamaged(t *testing.T) {
	orig := realState(t, 200)
	l, err := walkFile(writeTemp(t, orig))
	if err != nil {
		t.Fatal(err)
	}
	for name, fill := range map[string]byte{"zeros": 0, "ones": 0xff} {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(orig)
			off := int(l.meta.freelist) * l.pageSize
			for i := off; i < off+l.pageSize; i++ {
				b[i] = fill
			}
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, FileName), b)
			_, err := Open(dir, Options{})
			var de *DamagedError
			if !errors.As(err, &de) {
				t.Fatalf("Open = %v, want *DamagedError", err)
			}
			t.Log(err)
		})
	}
}

// TestDataPageDamaged overwrites single data pages with zeros, with
// garbage and with a copy of another page: refused, or (where bbolt's
// check cannot tell) every entry still readable; never a panic.
func TestDataPageDamaged(t *testing.T) {
	orig := realState(t, 300)
	l, err := walkFile(writeTemp(t, orig))
	if err != nil {
		t.Fatal(err)
	}
	refused, tried := 0, 0
	step := max(1, int(l.meta.pgid)/40) // about 40 pages, spread over the file
	for pg := 2; pg < int(l.meta.pgid); pg += step {
		tried++
		for variant := 0; variant < 3; variant++ {
			b := bytes.Clone(orig)
			page := b[pg*l.pageSize : (pg+1)*l.pageSize]
			switch variant {
			case 0:
				clear(page)
			case 1:
				for i := range page {
					page[i] = byte(i*131 + pg)
				}
			case 2:
				other := 2 + (pg+1-2)%(int(l.meta.pgid)-2)
				copy(page, orig[other*l.pageSize:(other+1)*l.pageSize])
			}
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, FileName), b)
			s, err := Open(dir, Options{})
			if err != nil {
				if !errors.As(err, new(*DamagedError)) {
					t.Fatalf("page %d variant %d: Open = %v, want *DamagedError", pg, variant, err)
				}
				refused++
				continue
			}
			if err := s.All(func(Entry) error { return nil }); err != nil {
				t.Errorf("page %d variant %d: verified, yet an entry cannot be read: %v", pg, variant, err)
			}
			s.Close()
		}
	}
	if refused == 0 {
		t.Error("no damaged page was refused")
	}
	t.Logf("%d pages x 3 damages: %d refused", tried, refused)
}

func TestCheckpointAndRestore(t *testing.T) {
	clock := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	s, err := Open(dir, Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	fillState(t, s, 0, 40)
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	fillState(t, s, 40, 10) // sent after the backup: a later run that died
	s.Close()

	bak := filepath.Join(dir, BackupName)
	fi, err := os.Stat(bak)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %04o, want 0600", bak, fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	path := filepath.Join(dir, FileName)
	full, _ := os.ReadFile(path)
	cut := full[:len(full)/3]
	writeFile(t, path, cut)

	// Without UseBackup: refused, naming the backup and its time.
	_, err = Open(dir, Options{})
	var de *DamagedError
	if !errors.As(err, &de) || de.Backup != bak || de.BackupProblem != "" || !de.BackupTime.Equal(clock) {
		t.Fatalf("Open = %v (%+v), want *DamagedError offering the backup", err, de)
	}
	if !strings.Contains(err.Error(), wayOut+" (the backup was saved 2026-11-30 18:00:00 UTC).") {
		t.Errorf("message %q", err)
	}

	later := clock.Add(time.Hour)
	s, err = Open(dir, Options{UseBackup: true, Now: func() time.Time { return later }})
	if err != nil {
		t.Fatalf("Open with UseBackup: %v", err)
	}
	defer s.Close()
	r := s.Restored()
	if r == nil || !r.FromBackup || r.Fresh || !r.BackupTime.Equal(clock) {
		t.Fatalf("Restored = %+v", r)
	}
	want := "state.db was damaged (the file is cut short: "
	if msg := r.String(); !strings.HasPrefix(msg, want) ||
		!strings.Contains(msg, "used state.db.bak from 2026-11-30 18:00:00 UTC; the damaged file was kept as state.db.damaged-20261130T190000Z") {
		t.Errorf("Restored().String() = %q", msg)
	}
	if got := countEntries(t, s); got != 40 {
		t.Errorf("restored state has %d entries, want the backup's 40", got)
	}
	if kept, _ := os.ReadFile(r.KeptAs); !bytes.Equal(kept, cut) {
		t.Error("the damaged file was not kept as it was")
	}
	if _, err := os.Stat(bak); err != nil {
		t.Errorf("the backup is gone after the restore: %v", err)
	}
}

func TestBackupDamagedToo(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fillState(t, s, 0, 30)
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, name := range []string{FileName, BackupName} {
		p := filepath.Join(dir, name)
		b, _ := os.ReadFile(p)
		writeFile(t, p, b[:len(b)/2])
	}
	_, err := Open(dir, Options{UseBackup: true})
	var de *DamagedError
	if !errors.As(err, &de) || de.BackupProblem == "" {
		t.Fatalf("Open = %v, want *DamagedError with the backup damaged too", err)
	}
	if !strings.Contains(err.Error(), "state.db.bak is damaged too (the file is cut short") ||
		!strings.HasSuffix(err.Error(), "; rerun with --reconcile, which looks every record up at the vendor before creating it.") {
		t.Errorf("message %q", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("state.db was moved although nothing could replace it: %v", err)
	}
}

func TestSetAsideDamaged(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, FileName), bytes.Repeat([]byte{0xff}, 10000))
	s, err := Open(dir, Options{UseBackup: true, SetAsideDamaged: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := s.Restored()
	if r == nil || !r.Fresh || r.FromBackup || s.Created() {
		t.Fatalf("Restored = %+v, Created = %v", r, s.Created())
	}
	if !strings.Contains(r.String(), "no usable state.db.bak was found; started with an empty state; the damaged file was kept as state.db.damaged-") {
		t.Errorf("message %q", r)
	}
	if got := countEntries(t, s); got != 0 {
		t.Errorf("%d entries in the fresh state", got)
	}
	if kept, err := os.ReadFile(r.KeptAs); err != nil || len(kept) != 10000 {
		t.Errorf("damaged file not kept: %v", err)
	}
}

func TestHeader(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "hires.csv")
	writeFile(t, in, []byte("Name\nJane\n"))
	id, err := InputOf(in)
	if err != nil || id.Path != in || len(id.SHA256) != 64 {
		t.Fatalf("InputOf = %+v, %v", id, err)
	}
	sdir := filepath.Join(dir, "state")
	s, err := Open(sdir, Options{Input: id})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Created() {
		t.Error("a new state is not reported as created")
	}
	if _, _, ok := s.PreviousInput(); ok {
		t.Error("a new state reports a previous input")
	}
	s.Close()
	s, err = Open(sdir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Created() {
		t.Error("an existing state is reported as created")
	}
	got, at, ok := s.PreviousInput()
	if !ok || got != id || at.IsZero() {
		t.Errorf("PreviousInput = %+v %v %v, want %+v", got, at, ok, id)
	}
	if left, _ := filepath.Glob(filepath.Join(sdir, "*.new-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestUnreadableEntry: an entry that is valid JSON but not an entry (found
// by FuzzState: a damaged date) makes the whole state damaged at Open,
// not an error halfway through a run.
func TestUnreadableEntry(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fillState(t, s, 0, 3)
	s.Close()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := entryKey("https://v.test", "t.user", "k000001")
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(entriesBucket).Put(k, []byte(`{"endpoint":"https://v.test","updated":"202\u00c7-01-01"}`))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(dir, Options{})
	var de *DamagedError
	if !errors.As(err, &de) || !strings.Contains(de.Problem, `the record "https://v.test t.user k000001" cannot be read`) {
		t.Fatalf("Open = %v, want *DamagedError naming the record", err)
	}
}

// TestChangedBeforeWriteOpen: a file that changes between verification
// and the read-write open (another program got in between) is checked
// again; one cut short meanwhile makes bbolt fault reading its free list
// through the memory map (SIGBUS), which must come back as damage.
func TestChangedBeforeWriteOpen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fillState(t, s, 0, 100)
	s.Close()
	path := filepath.Join(dir, FileName)
	h, err := verify(path, dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	stale := h
	stale.txid--
	db, err := openVerified(path, dir, stale, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("a good file seen with another transaction ID: %v", err)
	}
	db.Close()

	l, err := walkFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(l.meta.freelist)*int64(l.pageSize)); err != nil {
		t.Fatal(err)
	}
	_, err = openVerified(path, dir, h, Options{LockTimeout: time.Second})
	p, ok := asProblem(err)
	if !ok {
		t.Fatalf("openVerified = %v, want a damage finding", err)
	}
	t.Log(p)
}

func TestStaleTemporaryFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	open(t, dir).Close()
	old := time.Now().Add(-2 * time.Hour)
	var stale, fresh []string
	for _, name := range []string{FileName + ".new-1", FileName + ".restore-2", BackupName + ".tmp-3"} {
		p := filepath.Join(dir, name)
		writeFile(t, p, []byte("x"))
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, p)
		writeFile(t, p+"b", []byte("x"))
		fresh = append(fresh, p+"b")
	}
	open(t, dir).Close()
	for _, p := range stale {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("stale %s kept", filepath.Base(p))
		}
	}
	for _, p := range fresh {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("recent %s removed: %v", filepath.Base(p), err)
		}
	}
}

// TestMissingStateWithBackup: state.db deleted but state.db.bak there is
// not a fresh start.
func TestMissingStateWithBackup(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fillState(t, s, 0, 5)
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Remove(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{})
	if !errors.As(err, new(*DamagedError)) || !strings.Contains(err.Error(), "is damaged: the file is missing, although state.db.bak shows") ||
		!strings.Contains(err.Error(), wayOut) {
		t.Fatalf("Open = %v, want *DamagedError", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		t.Error("a refused Open created state.db")
	}
	s, err = Open(dir, Options{UseBackup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r := s.Restored(); r == nil || !r.FromBackup || r.KeptAs != "" || countEntries(t, s) != 5 {
		t.Fatalf("Restored = %+v", r)
	}
	if s.Created() {
		t.Error("a restored state reported as created")
	}
}
