package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// DefaultMaxIssues is how many errors (and, separately, warnings) a
// Summary keeps when Options.MaxIssues is 0. Counting goes on beyond it
// (ErrorsOmitted, WarningsOmitted), and a report marks every one on its
// sheet: the bound keeps a file where every row is wrong (a million rows)
// in about 5 MB of kept issues rather than 25.
const DefaultMaxIssues = 10000

// Options tune a run.
type Options struct {
	// Target is the ID of the target for input whose sheet names none: a
	// CSV file not named after a target, or workbook sheets whose names
	// match no target. Empty: such a CSV is refused and such sheets are
	// ignored.
	Target string
	// Defaults fill empty or missing values: vendor name → field wire key
	// → text, e.g. {"fonedynamics": {"PropertySid": "S123..."}}. A column
	// that has a default need not be present. Values are checked with the
	// field's rules before any row is read.
	Defaults Defaults
	// Workers is the number of goroutines parsing rows; 0 means GOMAXPROCS.
	Workers int
	// IncludeHidden reads sheets hidden in the workbook too; by default
	// they are skipped with a warning (lookup lists, old data).
	IncludeHidden bool
	// MaxIssues bounds the errors and the warnings kept in the Summary;
	// 0 means DefaultMaxIssues, negative means no bound.
	MaxIssues int
}

// Defaults are values used when a cell is empty or its column missing:
// vendor name → field wire key → text as typed in a cell.
type Defaults map[string]map[string]string

// Over returns base (e.g. a config file's defaults) with d's values laid
// over it (e.g. the command line's); neither is changed.
func (d Defaults) Over(base map[string]map[string]string) Defaults {
	out := Defaults{}
	for _, m := range []map[string]map[string]string{base, d} {
		for v, fields := range m {
			if out[v] == nil {
				out[v] = map[string]string{}
			}
			for k, val := range fields {
				out[v][k] = val
			}
		}
	}
	return out
}

// Set records a default given as VENDOR.FIELD=VALUE (as on the command
// line). FIELD may be the wire key, the label or an alias of a field of
// one of the vendor's targets; it is stored under the wire key.
func (d Defaults) Set(spec string) error {
	name, value, ok := strings.Cut(spec, "=")
	vendor, field, ok2 := strings.Cut(name, ".")
	if !ok || !ok2 || vendor == "" || field == "" {
		return &OptionError{Msg: fmt.Sprintf("default %q is not VENDOR.FIELD=VALUE (for example cove.PartnerId=123456)", spec)}
	}
	vendor = strings.ToLower(strings.TrimSpace(vendor))
	key, err := defaultKey(vendor, strings.TrimSpace(field))
	if err != nil {
		return err
	}
	if d[vendor] == nil {
		d[vendor] = map[string]string{}
	}
	d[vendor][key] = strings.TrimSpace(value)
	return nil
}

// defaultKey finds the wire key a default names among the vendor's
// targets.
func defaultKey(vendor, field string) (string, error) {
	v := registry.Vendor(vendor)
	if v == nil {
		var names []string
		for _, v := range registry.Vendors {
			names = append(names, v.Name)
		}
		return "", &OptionError{Msg: fmt.Sprintf("default for unknown vendor %q; vendors are %s", vendor, strings.Join(names, ", "))}
	}
	for _, t := range v.Targets {
		if f := t.Field(field); f != nil {
			return f.Key, nil
		}
	}
	for _, t := range v.Targets {
		if f := t.MatchHeader(field); f != nil {
			return f.Key, nil
		}
	}
	return "", &OptionError{Msg: fmt.Sprintf("default names %q, which is no field of %s; see `onboard targets` for the field names", field, v.Label)}
}

// OptionError is a mistake in the options (an unknown target ID, a bad
// default): the command exits 2 and prints Error().
type OptionError struct{ Msg string }

// Error returns the message as is.
func (e *OptionError) Error() string { return e.Msg }

// targetDefaults returns, aligned with t.Fields, the wire value each field
// takes when its cell is empty or its column missing: the configured
// default, else for a path field its own Default (NetSapiens domain "~").
func targetDefaults(t *schema.Target, d Defaults) ([]any, error) {
	out := make([]any, len(t.Fields))
	given := d[t.Vendor]
	for i, f := range t.Fields {
		text, ok := given[f.Key]
		from := fmt.Sprintf("the default %s.%s", t.Vendor, f.Key)
		if !ok || text == "" {
			if !f.Path || f.Default == "" {
				continue
			}
			text, from = f.Default, fmt.Sprintf("the built-in default of %s", f.Label)
		}
		v, p := f.Parse(text)
		if p != nil {
			msg := p.Message
			if f.IsSecret() {
				msg = "is not a valid " + f.Label
			}
			return nil, &OptionError{Msg: fmt.Sprintf("%s %s", from, msg)}
		}
		out[i] = v
	}
	return out, nil
}

// normalDefaults returns d keyed by wire keys, refusing defaults that name
// unknown vendors or fields so a typo in the config is not silently
// ignored.
func normalDefaults(d Defaults) (Defaults, error) {
	vendors := make([]string, 0, len(d))
	for v := range d {
		vendors = append(vendors, v)
	}
	sort.Strings(vendors)
	out := make(Defaults, len(d))
	for _, vendor := range vendors {
		keys := make([]string, 0, len(d[vendor]))
		for k := range d[vendor] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		name := strings.ToLower(vendor)
		if out[name] == nil {
			out[name] = map[string]string{}
		}
		for _, k := range keys {
			key, err := defaultKey(name, k)
			if err != nil {
				return nil, err
			}
			out[name][key] = strings.TrimSpace(d[vendor][k])
		}
	}
	return out, nil
}

// targetIDs lists every target ID for a usage message.
func targetIDs() string { return strings.Join(registry.IDs(), ", ") }
