package sandbox

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/onboard/onboard/internal/acefone"
	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/cove"
	"github.com/onboard/onboard/internal/fonedynamics"
	"github.com/onboard/onboard/internal/netsapiens"
	"github.com/onboard/onboard/internal/sandbox/simcore"
)

// The sandbox's fixed credentials, kept with each vendor (its
// sandbox.go). They open nothing but the sandbox.
const (
	NetSapiensToken  = netsapiens.SandboxToken
	NetSapiensDomain = netsapiens.SandboxDomain // the token's domain, what "~" means

	AcefoneLoginID  = acefone.SandboxLoginID
	AcefonePassword = acefone.SandboxPassword
	// AcefoneStaticToken is a long-lived token, as the vendor can issue:
	// it is accepted without a login and never expires.
	AcefoneStaticToken = acefone.SandboxStaticToken
	// AcefoneDuplicateMessage is the error text for a login_id already
	// taken, under "error": {"login_id": [...]}.
	AcefoneDuplicateMessage = acefone.SandboxDuplicateMessage
	// AcefoneRoleMessage refuses a user_role below 1.
	AcefoneRoleMessage = acefone.SandboxRoleMessage

	FoneDynamicsAccountSid = fonedynamics.SandboxAccountSid
	FoneDynamicsToken      = fonedynamics.SandboxToken
	// FoneDynamicsPropertySid is the sandbox account's property.
	FoneDynamicsPropertySid = fonedynamics.SandboxPropertySid
	// FoneDynamicsExamplePropertySid is the property of the vendor's
	// reference examples; the sandbox account has it too.
	FoneDynamicsExamplePropertySid = fonedynamics.SandboxExamplePropertySid

	CovePartner   = cove.SandboxPartner
	CovePartnerID = cove.SandboxPartnerID
	CoveUsername  = cove.SandboxUsername
	CovePassword  = cove.SandboxPassword
)

// Fone Dynamics error codes the sandbox answers with (see the
// fonedynamics package's simulator.go).
const (
	FDCodeInvalid     = fonedynamics.SandboxCodeInvalid
	FDCodeRequired    = fonedynamics.SandboxCodeRequired
	FDCodeEmailInUse  = fonedynamics.SandboxCodeEmailInUse
	FDCodeBadRequest  = fonedynamics.SandboxCodeBadRequest
	FDCodeAuth        = fonedynamics.SandboxCodeAuth
	FDCodeNotFound    = fonedynamics.SandboxCodeNotFound
	FDCodeTooLarge    = fonedynamics.SandboxCodeTooLarge
	FDCodeRateLimited = fonedynamics.SandboxCodeRateLimited
	FDCodeInternal    = fonedynamics.SandboxCodeInternal
	FDCodeUnavailable = fonedynamics.SandboxCodeUnavailable
	FDCodeStoreFull   = fonedynamics.SandboxCodeStoreFull
)

// CovePartners are the Cove customers the sandbox login may add users to:
// the sandbox partner and its two child customers.
var CovePartners = cove.SandboxPartners

// CovePartnerInfo is one Cove customer the sandbox knows.
type CovePartnerInfo = cove.SandboxPartnerInfo

// CoveRoles are the roles the sandbox's EnumerateUserRoles returns.
var CoveRoles = cove.SandboxRoles

// CoveRole is one Cove user role.
type CoveRole = cove.SandboxRole

// JSON-RPC error codes the sandbox's Cove answers with, and Cove's own
// codes in error.data (see the cove package's simulator.go).
const (
	RPCParseError       = cove.RPCParseError
	RPCInvalidRequest   = cove.RPCInvalidRequest
	RPCMethodNotFound   = cove.RPCMethodNotFound
	RPCInvalidParams    = cove.RPCInvalidParams
	RPCInternalError    = cove.RPCInternalError
	CoveCodeLoginFailed = cove.SandboxCodeLoginFailed
	CoveCodeThrottled   = cove.SandboxCodeThrottled
	CoveCodeUnavailable = cove.SandboxCodeUnavailable
)

// Setting is one configuration key and its value (a string or an int).
type Setting = simcore.Setting

// VendorCredentials is how onboard reaches one simulated vendor: its
// mount, its configuration keys and its path-field defaults, in the order
// the configuration file lists them.
type VendorCredentials struct {
	Vendor   string // configuration key: "netsapiens"
	Label    string // "NetSapiens"
	Path     string // mount below the base URL
	Settings []Setting
	Defaults []Setting
}

// Credentials describe every vendor of the sandbox, in creation order:
// what `onboard sandbox` prints, what ConfigYAML writes and what --sandbox
// runs use.
func Credentials() []VendorCredentials {
	var out []VendorCredentials
	for _, sm := range simulators() {
		out = append(out, VendorCredentials{Vendor: sm.name, Label: sm.label, Path: sm.Path,
			Settings: sm.Settings, Defaults: sm.Defaults})
	}
	return out
}

// ConfigYAML returns an onboard configuration file pointing every vendor
// at the sandbox at baseURL ("http://127.0.0.1:8089"), marked as the
// sandbox's own (sandbox: true), so its inline credentials draw no warning:
//
//	sandbox: true
//	vendors:
//	  netsapiens: {base_url: <base>/netsapiens/ns-api/v2, token: ..., rate: 50, defaults: {domain: sandbox.example}}
//	  ...
func ConfigYAML(baseURL string) []byte {
	base := strings.TrimRight(baseURL, "/")
	// The sandbox's credentials are public, so plain http is fine even when
	// it listens on another machine; say so, or the config refuses it.
	remote := false
	if u, err := url.Parse(base); err == nil && u.Scheme == "http" && !config.IsLoopback(u.Hostname()) {
		remote = true
	}
	vendors := &yaml.Node{Kind: yaml.MappingNode}
	for _, c := range Credentials() {
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		addPair(m, "base_url", base+c.Path)
		if remote {
			m.Content = append(m.Content, scalar("allow_insecure"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
		for _, s := range c.Settings {
			addPair(m, s.Name, s.Value)
		}
		if len(c.Defaults) > 0 {
			d := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			for _, s := range c.Defaults {
				addPair(d, s.Name, s.Value)
			}
			m.Content = append(m.Content, scalar("defaults"), d)
		}
		vendors.Content = append(vendors.Content, scalar(c.Vendor), m)
	}
	mark := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true",
		LineComment: "a sandbox file: secrets written inline draw no warning"}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("sandbox"), mark, scalar("vendors"), vendors}}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root},
		HeadComment: "onboard configuration for the local sandbox (`onboard sandbox`) at " + base + ".\n" +
			"These credentials open only the sandbox."}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		// The node tree is built above from strings and ints only.
		panic(fmt.Sprintf("sandbox: encode config: %v", err))
	}
	_ = enc.Close()
	return buf.Bytes()
}

func scalar(v any) *yaml.Node {
	switch x := v.(type) {
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}
	default:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(x)}
	}
}

func addPair(m *yaml.Node, key string, v any) {
	m.Content = append(m.Content, scalar(key), scalar(v))
}

// WriteConfig writes ConfigYAML(baseURL) to path, readable by its owner
// only (0600), replacing any file there.
func WriteConfig(path, baseURL string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write sandbox config %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write sandbox config %s: set mode 0600: %w", path, err)
	}
	if _, err := f.Write(ConfigYAML(baseURL)); err != nil {
		f.Close()
		return fmt.Errorf("write sandbox config %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write sandbox config %s: %w", path, err)
	}
	return nil
}

// Describe returns, for people, where each simulated API is and how to
// log in to it, one vendor per line, plus the ledger's address.
func Describe(baseURL string) string {
	base := strings.TrimRight(baseURL, "/")
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, c := range Credentials() {
		var parts []string
		for _, s := range c.Settings {
			if s.Name == "rate" || s.Name == "concurrency" {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s=%v", s.Name, s.Value))
		}
		for _, s := range c.Defaults {
			parts = append(parts, fmt.Sprintf("%s=%v", s.Name, s.Value))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Label, base+c.Path, strings.Join(parts, "  "))
	}
	fmt.Fprintf(tw, "  Ledger\t%s\tGET; POST %s empties it\n", base+LedgerPath, base+ResetPath)
	_ = tw.Flush()
	return buf.String()
}
