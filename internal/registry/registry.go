// Package registry lists the vendors onboard knows and finds targets by
// ID, sheet name or file name. Adding a vendor is one line in Vendors (or,
// for a vendor only tests know, one call of Register): everything else —
// validation, runs, the sandbox, templates, `onboard targets` — builds its
// lists from here.
package registry

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/schema"
)

// Vendors are all vendors, in the order their records are created.
var Vendors = []*connector.Vendor{
	&netsapiens.Vendor,
	&acefone.Vendor,
	&fonedynamics.Vendor,
	&cove.Vendor,
}

func init() {
	for _, v := range Vendors {
		if err := prepare(v); err != nil {
			panic(fmt.Sprintf("registry: %v", err)) // a mistake in a description, caught by every test
		}
	}
}

func prepare(v *connector.Vendor) error {
	for _, t := range v.Targets {
		if err := t.Prepare(); err != nil {
			return err
		}
	}
	return nil
}

// Register adds a vendor after the others, as if it were listed last in
// Vendors, and returns a function that removes it again. It is for tests
// (a vendor defined only there) and must be called before anything reads
// the registry concurrently. A name or target ID already known, or a
// description that does not prepare, is an error.
func Register(v *connector.Vendor) (undo func(), err error) {
	if v == nil || v.Name == "" {
		return nil, fmt.Errorf("registry: a vendor needs a name")
	}
	if Vendor(v.Name) != nil {
		return nil, fmt.Errorf("registry: vendor %q is already registered", v.Name)
	}
	for _, t := range v.Targets {
		if Target(t.ID) != nil {
			return nil, fmt.Errorf("registry: target %q is already registered", t.ID)
		}
	}
	if err := prepare(v); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	Vendors = append(Vendors[:len(Vendors):len(Vendors)], v)
	return func() {
		for i, w := range Vendors {
			if w == v {
				Vendors = append(Vendors[:i:i], Vendors[i+1:]...)
				return
			}
		}
	}, nil
}

// Targets returns every target in creation order.
func Targets() []*schema.Target {
	var ts []*schema.Target
	for _, v := range Vendors {
		ts = append(ts, v.Targets...)
	}
	return ts
}

// IDs returns every target ID in creation order.
func IDs() []string {
	var ids []string
	for _, t := range Targets() {
		ids = append(ids, t.ID)
	}
	return ids
}

// Target returns the target with exactly this ID, or nil.
func Target(id string) *schema.Target {
	for _, t := range Targets() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Vendor returns the vendor with this name, or nil.
func Vendor(name string) *connector.Vendor {
	for _, v := range Vendors {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// MatchSheet returns the target a sheet name stands for: its ID, label or
// an alias, ignoring case, spaces, '-', '_' and '.'; nil when none.
func MatchSheet(name string) *schema.Target {
	n := schema.Fold(name)
	if n == "" {
		return nil
	}
	for _, t := range Targets() {
		if schema.Fold(t.ID) == n || schema.Fold(t.Label) == n {
			return t
		}
		for _, a := range t.Aliases {
			if schema.Fold(a) == n {
				return t
			}
		}
	}
	return nil
}

// MatchFileName returns the target a CSV file's name starts with
// ("acefone.user.csv", "acefone.user-march.csv"), or nil.
func MatchFileName(path string) *schema.Target {
	base := strings.ToLower(filepath.Base(path))
	var best *schema.Target
	for _, t := range Targets() {
		id := strings.ToLower(t.ID)
		if !strings.HasPrefix(base, id) {
			continue
		}
		rest := base[len(id):]
		if rest == "" || strings.ContainsRune(".-_ ", rune(rest[0])) {
			if best == nil || len(t.ID) > len(best.ID) {
				best = t
			}
		}
	}
	return best
}
