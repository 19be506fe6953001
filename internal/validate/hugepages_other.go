//go:build unix && !linux

package validate

// adviseHugePages does nothing where Linux's transparent huge pages do
// not exist.
func adviseHugePages([]byte) {}
