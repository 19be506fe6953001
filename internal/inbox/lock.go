package inbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockName is the lock file every pass holds in the inbox folder while it
// runs. It is hidden, so no pass ever takes it for a spreadsheet.
const LockName = ".onboard-inbox.lock"

// BusyError says another pass holds the inbox.
type BusyError struct {
	Dir string
	PID int // the other pass's process ID, when it wrote one
}

func (e *BusyError) Error() string {
	who := "another onboard inbox pass"
	if e.PID > 0 {
		who += fmt.Sprintf(" (process %d)", e.PID)
	}
	return who + " is working on " + e.Dir + "; this pass did nothing and stops (the next scheduled pass picks up whatever is left)"
}

// Lock takes the inbox's lock without waiting: flock on DIR/LockName, so
// the kernel releases it when the holder dies, even by kill -9. It returns
// *BusyError when another pass holds it, and the function that releases it.
func Lock(dir string) (func(), error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the inbox lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := readPID(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &BusyError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("lock the inbox %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	return pid
}
