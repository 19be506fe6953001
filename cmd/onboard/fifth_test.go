package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard/onboard/internal/fakevendor"
	"github.com/onboard/onboard/internal/registry"
)

// TestFifthVendorAppearsInTheCLI: a vendor registered with one line (it
// lives wholly in internal/fakevendor) is listed by `onboard targets` and
// checked by `onboard validate`, with no edit to this command.
func TestFifthVendorAppearsInTheCLI(t *testing.T) {
	undo, err := registry.Register(&fakevendor.Vendor)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(undo)

	io, out, errOut := testIO()
	if code := run(io, []string{"targets"}); code != exitOK {
		t.Fatalf("targets: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"fakevendor.user", "Fake Vendor Users", "cove.user"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("`onboard targets` does not list %q:\n%s", want, out)
		}
	}

	io, out, errOut = testIO()
	if code := run(io, []string{"targets", "fakevendor"}); code != exitOK || !strings.Contains(out.String(), "Seats") || strings.Contains(out.String(), "cove.user") {
		t.Errorf("targets fakevendor: exit %d\n%s%s", code, out, errOut)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "fakevendor.user.csv")
	if err := os.WriteFile(path, []byte("Email,Name,Seats\njane@example.com,Jane,2\nlee@example.com,Lee,11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	io, out, errOut = testIO()
	code := run(io, []string{"validate", path, "--report", filepath.Join(dir, "report.xlsx")})
	all := out.String() + errOut.String()
	if code == exitOK || !strings.Contains(all, "3") || !strings.Contains(strings.ToLower(all), "seats") {
		t.Errorf("validate: exit %d; want the bad Seats in row 3 named:\n%s", code, all)
	}
}
