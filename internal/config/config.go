// Package config reads onboard's YAML run configuration: one section per
// vendor under "vendors:", with the common keys every vendor takes (base_url,
// rate, burst, concurrency, timeout, max_attempts, defaults) and the
// vendor-specific keys its connector.Vendor.Options declare. Values may
// reference the environment as ${NAME}. A vendor left out of the file is not
// configured.
//
// Every problem with a file is reported as a *Error (several are joined with
// errors.Join), naming the file, line, key and the fix, so the CLI can tell a
// bad configuration (exit 2) from other failures with errors.As.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/schema"
)

// Defaults for the common keys when a vendor section leaves them out.
const (
	DefaultRate  = 5.0 // requests per second
	DefaultBurst = 1
	// DefaultConcurrency 0 means automatic: enough requests in flight to
	// reach the rate (dispatch.DefaultConcurrency).
	DefaultConcurrency = 0
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 5
)

// Config is a parsed, validated configuration. Its String form never shows
// a secret.
type Config struct {
	// Source is the file the configuration came from (or the name given to
	// Parse), used in messages.
	Source string
	// Sandbox is set by a top-level "sandbox: true": the file points at
	// `onboard sandbox`, whose credentials are public, so secrets written
	// inline draw no warning.
	Sandbox  bool
	vendors  []*Vendor // configured vendors, in the order of the vendor list
	warnings []string
	auth     Auth    // the users: and sso: sections (users.go)
	notify   *Notify // the notify: section (notify.go); nil when absent
	// schedules is the schedules: section (schedules.go).
	schedules []Schedule
}

// Vendor is the configured section of one vendor, with defaults applied and
// environment references expanded. Options holds secrets: print it only
// through String, LogValue or Config.Redacted.
type Vendor struct {
	Name        string            // vendor name, e.g. "netsapiens"
	Spec        *connector.Vendor // the vendor's description
	BaseURL     string            // http(s) URL without a trailing '/'
	Rate        float64           // requests per second, > 0
	Burst       int               // requests allowed at once above the rate, >= 1
	Concurrency int               // requests in flight at once, >= 1; 0 = automatic (enough to reach Rate)
	Timeout     time.Duration     // per-request timeout, > 0
	MaxAttempts int               // tries per record before giving up, >= 1
	// Options holds the vendor-specific keys that are set (or have a
	// default), keyed by Option.Name.
	Options map[string]string
	// Defaults maps a path field's wire key to the value used when a row
	// leaves it empty, in canonical text form (re-parseable by Field.Parse).
	Defaults map[string]string
	// Line is where the vendor's section starts in the file.
	Line int
}

// Vendor returns the configured section of the named vendor; false when
// the file does not configure it.
func (c *Config) Vendor(name string) (*Vendor, bool) {
	for _, v := range c.vendors {
		if v.Name == name {
			return v, true
		}
	}
	return nil, false
}

// Vendors returns the configured vendors in the order of the vendor list.
func (c *Config) Vendors() []*Vendor {
	return append([]*Vendor(nil), c.vendors...)
}

// Settings returns what the named vendor's client is built from: base URL,
// options and timeout. HTTP, Logger and Now are left for the caller. The
// zero Settings is returned for a vendor that is not configured.
func (c *Config) Settings(name string) connector.Settings {
	v, ok := c.Vendor(name)
	if !ok {
		return connector.Settings{}
	}
	return v.Settings()
}

// Settings returns what the vendor's client is built from. The Options map
// is a copy.
func (v *Vendor) Settings() connector.Settings {
	opts := make(map[string]string, len(v.Options))
	for k, val := range v.Options {
		opts[k] = val
	}
	return connector.Settings{BaseURL: v.BaseURL, Options: opts, Timeout: v.Timeout}
}

// Defaults returns every configured vendor's path-field defaults, keyed by
// vendor name and then by the field's wire key. Vendors without defaults are
// left out. The maps are copies.
func (c *Config) Defaults() map[string]map[string]string {
	out := make(map[string]map[string]string)
	for _, v := range c.vendors {
		if len(v.Defaults) == 0 {
			continue
		}
		m := make(map[string]string, len(v.Defaults))
		for k, val := range v.Defaults {
			m[k] = val
		}
		out[v.Name] = m
	}
	return out
}

// Warnings returns things worth telling the user that do not stop a run,
// such as a file other users can read or a secret written inline.
func (c *Config) Warnings() []string {
	return append([]string(nil), c.warnings...)
}

// Setting is one resolved configuration value, as shown in the report's
// summary and in logs; secrets are already masked.
type Setting struct {
	Vendor string // "netsapiens"
	Key    string // "base_url", "token", "defaults.domain"
	Value  string
}

// Redacted returns every resolved setting of every configured vendor, with
// the value of each secret option replaced by schema.Mask.
func (c *Config) Redacted() []Setting {
	var out []Setting
	for _, v := range c.vendors {
		out = append(out, v.redacted()...)
	}
	return out
}

// String renders the configuration with secrets masked, one
// "vendor.key: value" per line.
func (c *Config) String() string {
	var b strings.Builder
	for _, s := range c.Redacted() {
		fmt.Fprintf(&b, "%s.%s: %s\n", s.Vendor, s.Key, s.Value)
	}
	return b.String()
}

// String renders the vendor's section with secrets masked.
func (v *Vendor) String() string {
	parts := make([]string, 0, 8)
	for _, s := range v.redacted() {
		parts = append(parts, s.Key+"="+s.Value)
	}
	return v.Name + "{" + strings.Join(parts, " ") + "}"
}

// LogValue lets slog print a vendor section without its secrets.
func (v *Vendor) LogValue() slog.Value {
	rs := v.redacted()
	attrs := make([]slog.Attr, 0, len(rs))
	for _, s := range rs {
		attrs = append(attrs, slog.String(s.Key, s.Value))
	}
	return slog.GroupValue(attrs...)
}

func (v *Vendor) redacted() []Setting {
	add := func(out []Setting, key, value string) []Setting {
		return append(out, Setting{Vendor: v.Name, Key: key, Value: value})
	}
	var out []Setting
	base := v.BaseURL
	if u, err := url.Parse(base); err == nil {
		base = u.Redacted() // a password in the URL's user part
	}
	out = add(out, "base_url", base)
	out = add(out, "rate", strconv.FormatFloat(v.Rate, 'g', -1, 64))
	out = add(out, "burst", strconv.Itoa(v.Burst))
	if v.Concurrency > 0 {
		out = add(out, "concurrency", strconv.Itoa(v.Concurrency))
	} else {
		out = add(out, "concurrency", "auto")
	}
	out = add(out, "timeout", v.Timeout.String())
	out = add(out, "max_attempts", strconv.Itoa(v.MaxAttempts))
	if v.Spec != nil {
		for _, o := range v.Spec.Options {
			val, ok := v.Options[o.Name]
			if !ok {
				continue
			}
			if o.Secret && val != "" {
				val = schema.Mask
			}
			out = add(out, o.Name, val)
		}
	}
	keys := make([]string, 0, len(v.Defaults))
	for k := range v.Defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = add(out, "defaults."+k, v.Defaults[k])
	}
	return out
}

// Error is one problem with a configuration file. Messages never contain
// the value of a secret option.
type Error struct {
	Source string // file name
	Line   int    // 1-based line, 0 when unknown
	Key    string // dotted key path, e.g. "vendors.netsapiens.rate"; "" for the whole file
	Msg    string // what is wrong
	Fix    string // what to do about it
	Err    error  // underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Source != "":
		b.WriteString(e.Source)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	case e.Key != "":
		b.WriteString("configuration: ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString("; " + e.Fix)
	}
	return b.String()
}

// Unwrap returns the underlying error, such as the one from reading the file.
func (e *Error) Unwrap() error { return e.Err }
