package state

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Input identifies the input file a run reads; it is recorded in the
// state's header (see Options.Input and Store.PreviousInput).
type Input struct {
	Path   string // absolute path of the input file
	SHA256 string // hex SHA-256 of its content
}

// InputOf returns the identity of the file at path.
func InputOf(path string) (Input, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Input{}, fmt.Errorf("state: input %s: %w", path, err)
	}
	f, err := os.Open(abs)
	if err != nil {
		return Input{}, fmt.Errorf("state: read input %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Input{}, fmt.Errorf("state: read input %s: %w", path, err)
	}
	return Input{Path: abs, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Checkpoint saves the state as it is now to DIR/state.db.bak, the last
// good copy Open can fall back to (Options.UseBackup). Call it after a
// successful run, before Close. The copy is written to a temporary file in
// the same directory, synced, verified and renamed into place (mode 0600),
// so state.db.bak is always either the previous copy or the new one.
func (s *Store) Checkpoint() error {
	at := s.now().UTC()
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).Put(checkpointKey, []byte(at.Format(time.RFC3339Nano)))
	}); err != nil {
		return fmt.Errorf("state: note the backup time in %s: %w", s.path(), err)
	}
	bak := filepath.Join(s.dir, BackupName)
	err := writeAtomic(bak, func(f *os.File) error {
		return s.db.View(func(tx *bolt.Tx) error {
			_, err := tx.WriteTo(f)
			return err
		})
	}, func(tmp string) error {
		_, err := verifyFile(tmp, s.dir, DefaultLockTimeout, false) // a page copy of entries just read

		return err
	})
	if err != nil {
		return fmt.Errorf("state: save the backup %s: %w", bak, err)
	}
	return nil
}

// writeAtomic writes dst through a temporary file in the same directory:
// fill it, sync it, check it, then link or rename it into place and sync
// the directory. The temporary file is removed on any failure.
func writeAtomic(dst string, fill func(*os.File) error, check func(tmp string) error) error {
	dir := filepath.Dir(dst)
	f, err := os.CreateTemp(dir, filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if check != nil {
		if err := check(tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(dir)
}

// placeNew puts the finished file tmp at dst only if dst does not exist,
// so two runs starting at once cannot replace each other's state. It
// reports false if dst appeared meanwhile (tmp is then removed).
func placeNew(tmp, dst string) (bool, error) {
	defer os.Remove(tmp)
	err := os.Link(tmp, dst)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil { // a file system without hard links
		if _, serr := os.Lstat(dst); serr == nil {
			return false, nil
		}
		if err := os.Rename(tmp, dst); err != nil {
			return false, err
		}
	}
	return true, syncDir(filepath.Dir(dst))
}

// createFresh creates an empty state at path with its header written,
// atomically: a crash leaves either no state.db or a complete one, never
// a zero-byte file.
func createFresh(path string, timeout time.Duration, now time.Time) error {
	f, err := os.CreateTemp(filepath.Dir(path), FileName+".new-*")
	if err != nil {
		return fmt.Errorf("state: create %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return fmt.Errorf("state: create %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return prepare(tx, filepath.Dir(path), Input{}, now) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("state: create %s: %w", path, err)
	}
	if _, err := placeNew(tmp, path); err != nil {
		return fmt.Errorf("state: create %s: %w", path, err)
	}
	return nil
}

// setAside moves the damaged file at path to path.damaged-TIME (never
// replacing an earlier one) and returns the new name.
func setAside(path string, now time.Time) (string, error) {
	base := path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			break
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, name); err != nil {
		return "", fmt.Errorf("state: move the damaged %s aside: %w", path, err)
	}
	return name, syncDir(filepath.Dir(path))
}

// restoreBackup copies the verified backup bak to path (which must no
// longer exist), through a synced temporary file.
func restoreBackup(bak, path string) error {
	src, err := os.Open(bak)
	if err != nil {
		return fmt.Errorf("state: restore %s: %w", bak, err)
	}
	defer src.Close()
	f, err := os.CreateTemp(filepath.Dir(path), FileName+".restore-*")
	if err != nil {
		return fmt.Errorf("state: restore %s: %w", bak, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = io.Copy(f, src)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("state: restore %s: %w", bak, err)
	}
	if _, err := placeNew(tmp, path); err != nil {
		return fmt.Errorf("state: restore %s: %w", bak, err)
	}
	return nil
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// staleAge is how old a temporary file left by a crashed run must be
// before Open removes it; younger ones may belong to a run starting now.
const staleAge = time.Hour

// removeStale removes temporary files that a run killed while creating,
// restoring or backing up the state left in dir. Errors are ignored: the
// files are only clutter.
func removeStale(dir string, now time.Time) {
	for _, pattern := range []string{FileName + ".new-*", FileName + ".restore-*", BackupName + ".tmp-*"} {
		names, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, name := range names {
			if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > staleAge {
				_ = os.Remove(name)
			}
		}
	}
}
