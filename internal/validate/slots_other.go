//go:build !unix

package validate

// allocSlots returns n zeroed slots from the Go heap.
func allocSlots(n int) (slots []slot, mapped bool) { return make([]slot, n), false }

// freeSlots does nothing: heap tables are collected.
func freeSlots([]slot) {}
