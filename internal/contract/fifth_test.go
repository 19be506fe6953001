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

// TestEveryTargetHasAFixture: a vendor with a simulator gives the contract
// suite a fixture for each of its targets, so none goes untested.
func TestEveryTargetHasAFixture(t *testing.T) {
	for _, v := range registry.Vendors {
		if v.Sandbox == nil {
			t.Errorf("%s has no sandbox simulator", v.Name)
			continue
		}
		for _, tg := range v.Targets {
			n := 0
			for _, f := range v.Sandbox.Fixtures {
				if f.Target == tg.ID {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d contract fixtures, want 1", tg.ID, n)
			}
		}
	}
}
