package fakevendor_test

// The fifth-vendor test: a vendor defined only in this package, added with
// one registry.Register call, is simulated by the sandbox, configured by
// its sandbox file, validated and run end to end, with no edit anywhere
// else.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard/onboard/internal/batch"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/dispatch"
	"github.com/onboard/onboard/internal/fakevendor"
	"github.com/onboard/onboard/internal/outcome"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/sandbox"
)

// register adds the fake vendor for one test: the registration line.
func register(t *testing.T) {
	t.Helper()
	undo, err := registry.Register(&fakevendor.Vendor)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(undo)
}

func TestFifthVendorIsOnePackage(t *testing.T) {
	register(t)

	if registry.Target("fakevendor.user") == nil || registry.MatchFileName("fakevendor.user.csv") == nil {
		t.Fatal("the registered target is not found by ID or file name")
	}
	if got := sandbox.Vendors(); got[len(got)-1] != fakevendor.Name {
		t.Fatalf("sandbox vendors %v: the fifth is not simulated", got)
	}

	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	yaml := sandbox.ConfigYAML(base)
	if !strings.Contains(string(yaml), base+fakevendor.SandboxPath) {
		t.Fatalf("the sandbox configuration does not point the fifth vendor at its simulator:\n%s", yaml)
	}
	cfg, err := config.Parse(yaml, "sandbox", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	input := filepath.Join(dir, "fakevendor.user.csv")
	csv := "Email,Name,Seats\n" +
		"jane.smith@example.com,Jane Smith,2\n" +
		"raj.patel@example.com,Raj Patel,\n" +
		"not-an-email,Bad Row,1\n" +
		"lee.wong@example.com,Lee Wong,11\n"
	if err := os.WriteFile(input, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	opt := batch.Options{Input: input, Config: cfg, StateDir: filepath.Join(dir, "state"),
		Backoff: dispatch.Backoff{Base: time.Millisecond, Cap: 10 * time.Millisecond}}
	res, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]outcome.Status{2: outcome.Created, 3: outcome.Created, 4: outcome.Invalid, 5: outcome.Invalid}
	if len(res.Records) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(res.Records), len(want), res.Records)
	}
	for _, r := range res.Records {
		if r.Target != "fakevendor.user" || r.Status != want[r.Row] {
			t.Errorf("row %d (%s): %v %q; want %v", r.Row, r.Target, r.Status, r.Message, want[r.Row])
		}
		if r.Status == outcome.Created && !strings.HasPrefix(r.ID, "FV") {
			t.Errorf("row %d: vendor ID %q, want the simulator's", r.Row, r.ID)
		}
	}

	l := sb.Ledger()
	jane := -1
	created := l.Created["fakevendor.user"]
	for i, e := range created {
		if e.Key == "jane.smith@example.com" && e.Creates == 1 && e.Body["seats"] == int64(2) {
			jane = i
		}
	}
	if len(created) != 2 || jane < 0 {
		t.Fatalf("ledger %+v", created)
	}
	if st := l.Stats[fakevendor.Name]; st.Created != 2 || st.Rejected != 0 {
		t.Errorf("stats %+v, want 2 created and none refused: the bad rows are stopped by validation", st)
	}

	// A second run sends nothing again: the state remembers both users.
	again, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again.Records {
		if r.Status == outcome.Created {
			t.Errorf("row %d created twice", r.Row)
		}
	}
	// Without the state, the simulator's duplicate answer is settled by
	// the client's lookup as exists, with the vendor's ID.
	opt.StateDir = filepath.Join(dir, "fresh")
	fresh, err := batch.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fresh.Records {
		if r.Row == 2 && (r.Status != outcome.Exists || r.ID != created[jane].ID) {
			t.Errorf("row 2 again without state: %v %q (ID %q); want exists with %q", r.Status, r.Message, r.ID, created[jane].ID)
		}
	}
	if n := len(sb.Ledger().Created["fakevendor.user"]); n != 2 {
		t.Errorf("%d users stored after three runs, want 2", n)
	}
}

// TestRegisterRefusesClashes: a name or target already known is refused,
// and undo removes the vendor again.
func TestRegisterRefusesClashes(t *testing.T) {
	register(t)
	if _, err := registry.Register(&fakevendor.Vendor); err == nil {
		t.Error("registering the same vendor twice was accepted")
	}
	n := len(registry.Vendors)
	undo, err := registry.Register(&fakevendorCopy)
	if err == nil {
		undo()
		t.Error("a second vendor with the same target ID was accepted")
	}
	if len(registry.Vendors) != n {
		t.Errorf("a refused vendor changed the registry")
	}
}

var fakevendorCopy = func() (v connector.Vendor) {
	v = fakevendor.Vendor
	v.Name = "fakevendor2"
	return v
}()
