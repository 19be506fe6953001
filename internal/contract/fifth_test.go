package contract

import (
	"fmt"
	"os"
	"testing"

	"github.com/onboard/onboard/internal/fakevendor"
	"github.com/onboard/onboard/internal/registry"
)

// TestMain adds the test-only fifth vendor (internal/fakevendor) with its
// registration line, so every table-driven contract test runs against it
// too, from the fixtures it gives with its simulator.
func TestMain(m *testing.M) {
	undo, err := registry.Register(&fakevendor.Vendor)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	targets = simulatedTargets()
	code := m.Run()
	undo()
	os.Exit(code)
}
