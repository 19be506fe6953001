//go:build !unix

package hires

import "os"

// oNoFollow: not available here; OpenCredentials still refuses a symbolic
// link it finds with Lstat.
const oNoFollow = 0

// lockFile: no lock on this system.
func lockFile(*os.File) error { return nil }
