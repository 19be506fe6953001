package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/onboard/onboard/internal/connector"
)

// MinRate is the slowest rate a vendor may be given, in requests per
// second: one request every 100 seconds. Anything slower makes a run look
// hung.
const MinRate = 0.01

// CheckConcurrency checks a number of requests in flight at once, such as
// the --concurrency flag, by the rule the configuration's concurrency key
// follows.
func CheckConcurrency(n int) error {
	if n < 1 {
		return fmt.Errorf("concurrency must be a whole number of requests in flight at once, 1 or more; found %d", n)
	}
	return nil
}

// CheckGrace checks how long requests in flight may finish after Ctrl-C,
// such as the --grace flag: zero (stop at once) or more.
func CheckGrace(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("grace must be 0s or more (how long requests in flight may finish after Ctrl-C); found %s", d)
	}
	return nil
}

// IsLoopback reports whether host (a name or an IP address, without a
// port) is this machine: localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkSecure refuses a plain http:// base URL to another machine: the
// vendor's credentials would cross the network unencrypted.
func (p *parser) checkSecure(spec *connector.Vendor, n *yaml.Node, path, base string) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || IsLoopback(u.Hostname()) {
		return
	}
	p.fail(n, path+".base_url", fmt.Sprintf("http:// would send the %s credentials to %s unencrypted", spec.Label, u.Host),
		"use https://, or add allow_insecure: true under "+spec.Name+": if the network to it is trusted")
}

// tryClient builds the vendor's client from the section, as a run would,
// so a combination of options the vendor refuses is reported here with the
// file and line rather than when the run starts.
func (p *parser) tryClient(spec *connector.Vendor, key *yaml.Node, path string, vc *Vendor) {
	if spec.New == nil {
		return
	}
	_, err := spec.New(vc.Settings())
	if err == nil {
		return
	}
	msg := strings.TrimPrefix(err.Error(), spec.Name+": ")
	p.fail(key, path, msg, "") // the vendor's message says what to add
}

// boolean reads a true/false value.
func (p *parser) boolean(path string, v *yaml.Node, fix string) (bool, bool) {
	s, ok := p.scalar(path, v, false)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	p.fail(v, path, fmt.Sprintf("must be true or false, found %q", s), fix)
	return false, false
}

// hasControl reports whether s holds a control character, such as the CR
// or LF a pasted or file-read secret can carry.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// controlFix is the advice for a value with a control character: where it
// likely came from.
func controlFix(raw string) string {
	if strings.Contains(raw, "${") {
		return "set the environment variable again without a line break (e.g. export VAR=\"$(tr -d '\\r\\n' < file)\")"
	}
	return "write the value on one line without tabs or line breaks"
}
