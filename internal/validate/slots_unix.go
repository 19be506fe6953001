//go:build unix

package validate

import (
	"syscall"
	"unsafe"
)

// offHeapMin is the table size from which slots are mapped outside the Go
// heap: below it the heap is as good.
const offHeapMin = 1 << 20 // bytes

// allocSlots returns n zeroed slots. A large table is mapped from the
// operating system instead of the Go heap: it holds no pointers, so the
// garbage collector need not know it, and leaving it out of the live heap
// keeps the collector's headroom (as much again as the live heap) from
// doubling its size in peak memory. release must be called with it once
// the table is dropped.
func allocSlots(n int) (slots []slot, mapped bool) {
	size := n * int(unsafe.Sizeof(slot{}))
	if size < offHeapMin {
		return make([]slot, n), false
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]slot, n), false
	}
	adviseHugePages(mem)
	return unsafe.Slice((*slot)(unsafe.Pointer(unsafe.SliceData(mem))), n), true
}

// freeSlots gives a mapped table back to the operating system.
func freeSlots(slots []slot) {
	if len(slots) == 0 {
		return
	}
	size := len(slots) * int(unsafe.Sizeof(slot{}))
	_ = syscall.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(slots))), size))
}
