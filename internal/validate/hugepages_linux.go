package validate

import "syscall"

// adviseHugePages asks for 2 MB pages for a uniqueness table: it is
// probed at random, and with 4 KB pages nearly every probe of a million-row
// table also misses the TLB. A refusal (transparent huge pages off)
// changes nothing but speed.
func adviseHugePages(mem []byte) {
	_ = syscall.Madvise(mem, syscall.MADV_HUGEPAGE)
}
