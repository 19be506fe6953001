//go:build unix

package hires

import (
	"os"
	"syscall"
)

// oNoFollow makes opening a symbolic link fail instead of following it.
const oNoFollow = syscall.O_NOFOLLOW

// lockFile takes an exclusive lock on f without waiting; it is released
// when f is closed.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
