package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/onboard/onboard/internal/connector"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// Loader reads configurations against a list of vendors and an
// environment. The zero Loader uses registry.Vendors and os.LookupEnv.
type Loader struct {
	// Vendors are the vendors a file may configure; nil means
	// registry.Vendors. Their targets must be prepared (Target.Prepare),
	// as the registry's are.
	Vendors []*connector.Vendor
	// LookupEnv resolves ${NAME} references; nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

// Load reads and checks the configuration file at path against
// registry.Vendors and the process environment.
func Load(path string) (*Config, error) { return Loader{}.Load(path) }

// Parse checks a configuration held in memory against registry.Vendors;
// source names it in messages and env resolves ${NAME} references (nil
// means os.LookupEnv).
func Parse(data []byte, source string, env func(string) (string, bool)) (*Config, error) {
	return Loader{LookupEnv: env}.Parse(data, source)
}

// Load reads and checks the configuration file at path. Besides Parse's
// checks it warns when the file is readable or writable by group or others.
func (l Loader) Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		fix := "check the path"
		if errors.Is(err, os.ErrNotExist) {
			fix = "check the path, or write a commented one with onboard init"
		}
		return nil, &Error{Source: path, Msg: "cannot read the configuration: " + err.Error(), Fix: fix, Err: err}
	}
	cfg, err := l.Parse(data, path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		cfg.warnings = append([]string{fmt.Sprintf("%s is accessible to other users (mode %04o) and may hold secrets; chmod 600 %s",
			path, fi.Mode().Perm(), path)}, cfg.warnings...)
	}
	return cfg, nil
}

// Parse checks a configuration held in memory; source names it in messages.
// It reports every problem found, each as a *Error.
func (l Loader) Parse(data []byte, source string) (*Config, error) {
	p := &parser{source: source, vendors: l.Vendors, env: l.LookupEnv}
	if p.vendors == nil {
		p.vendors = registry.Vendors
	}
	if p.env == nil {
		p.env = os.LookupEnv
	}
	cfg := p.parse(data)
	if len(p.errs) == 1 {
		return nil, p.errs[0]
	}
	if len(p.errs) > 1 {
		return nil, errors.Join(p.errs...)
	}
	return cfg, nil
}

// The common keys every vendor section takes, in the order shown to users.
var commonKeys = []string{"base_url", "rate", "burst", "concurrency", "timeout", "max_attempts", "defaults", "allow_insecure"}

// topKeys are the keys a configuration file takes at its top level.
var topKeys = []string{"vendors", "sandbox", "users", "sso", "notify", "schedules"}

type parser struct {
	source   string
	vendors  []*connector.Vendor
	env      func(string) (string, bool)
	errs     []error
	warnings []string
	inline   []string // "written inline" warnings, dropped for a sandbox file
	sandbox  bool     // the file says sandbox: true
}

func (p *parser) fail(n *yaml.Node, key, msg, fix string) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{Source: p.source, Line: line, Key: key, Msg: msg, Fix: fix})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func (p *parser) parse(data []byte) *Config {
	cfg := &Config{Source: p.source}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		p.errs = append(p.errs, &Error{Source: p.source, Line: line, Msg: "not valid YAML: " + msg,
			Fix: "check the indentation and quoting near that line", Err: err})
		return nil
	}
	first := "VENDOR"
	if len(p.vendors) > 0 {
		first = p.vendors[0].Name
	}
	example := "start the file with vendors: and one section per vendor, e.g. vendors: {" + first + ": {base_url: https://...}}"
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.fail(nil, "", "the configuration is empty", example)
		return nil
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.fail(root, "", "the configuration must be a mapping of keys, found "+kindWords(root), example)
		return nil
	}
	var vendorsNode *yaml.Node
	var auth Auth
	p.eachPair(root, "", func(k, v *yaml.Node) {
		switch k.Value {
		case "vendors":
			vendorsNode = v
		case "users":
			p.usersSection(v, &auth)
		case "sso":
			p.ssoSection(v, &auth)
		case "notify":
			cfg.notify = p.notify(k, v)
		case "schedules":
			cfg.schedules = p.schedules(v)
		case "sandbox":
			p.sandbox, _ = p.boolean("sandbox", v, "write sandbox: true only in a file that points at `onboard sandbox`")
		default:
			p.unknownKey(k, k.Value, topKeys, "the top-level keys are vendors, sandbox, users, sso, notify and schedules")
		}
	})
	if vendorsNode == nil {
		if len(p.errs) == 0 {
			p.fail(root, "vendors", "missing", example)
		}
		return nil
	}
	if vendorsNode.Kind != yaml.MappingNode || len(vendorsNode.Content) == 0 {
		p.fail(vendorsNode, "vendors", "must map vendor names to their settings, found "+kindWords(vendorsNode), example)
		return nil
	}
	names := make([]string, len(p.vendors))
	for i, v := range p.vendors {
		names[i] = v.Name
	}
	found := map[string]*Vendor{}
	p.eachPair(vendorsNode, "vendors", func(k, v *yaml.Node) {
		spec := p.vendor(k.Value)
		if spec == nil {
			msg := fmt.Sprintf("unknown vendor %q", k.Value)
			if s := schema.Suggest(names, k.Value); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			p.fail(k, "vendors."+k.Value, msg, "known vendors are "+strings.Join(names, ", "))
			return
		}
		found[spec.Name] = p.vendorSection(spec, k, v)
	})
	for _, spec := range p.vendors {
		if vc := found[spec.Name]; vc != nil {
			cfg.vendors = append(cfg.vendors, vc)
		}
	}
	cfg.Sandbox = p.sandbox
	cfg.auth = auth
	if p.sandbox {
		cfg.warnings = append(p.warnings, p.sandboxWarnings(cfg)...)
	} else {
		cfg.warnings = append(p.warnings, p.inline...)
	}
	return cfg
}

// sandboxWarnings flags, in a file marked sandbox: true, a vendor reached
// over https to another machine, as real vendors are (the sandbox speaks
// plain http): the mark then hides warnings it should not.
func (p *parser) sandboxWarnings(cfg *Config) []string {
	var out []string
	for _, v := range cfg.vendors {
		if u, err := url.Parse(v.BaseURL); err == nil && u.Scheme == "https" && !IsLoopback(u.Hostname()) {
			out = append(out, fmt.Sprintf("%s:%d: the file is marked sandbox: true but %s's base_url points at %s, not this machine; "+
				"remove sandbox: true from a configuration for real vendors", p.source, v.Line, v.Name, u.Host))
		}
	}
	return out
}

func (p *parser) vendor(name string) *connector.Vendor {
	for _, v := range p.vendors {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// eachPair calls fn for each key/value of a mapping, reporting non-scalar
// and repeated keys.
func (p *parser) eachPair(m *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.fail(k, path, "a key must be a plain name, found "+kindWords(k), "write name: value")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.fail(k, join(path, k.Value), fmt.Sprintf("appears twice (first on line %d)", first), "keep one of them")
			continue
		}
		seen[k.Value] = k.Line
		fn(k, v)
	}
}

func (p *parser) unknownKey(k *yaml.Node, path string, known []string, fix string) {
	msg := "unknown key"
	if s := schema.Suggest(known, k.Value); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	p.fail(k, path, msg, fix)
}

func (p *parser) vendorSection(spec *connector.Vendor, key, val *yaml.Node) *Vendor {
	path := "vendors." + spec.Name
	vc := &Vendor{Name: spec.Name, Spec: spec, Line: key.Line, Rate: DefaultRate, Burst: DefaultBurst,
		Concurrency: DefaultConcurrency, Timeout: DefaultTimeout, MaxAttempts: DefaultMaxAttempts,
		Options: map[string]string{}, Defaults: map[string]string{}}
	if isNull(val) {
		val = &yaml.Node{Kind: yaml.MappingNode, Line: key.Line}
	}
	if val.Kind != yaml.MappingNode {
		p.fail(val, path, "must be a mapping of settings, found "+kindWords(val), "indent the vendor's settings under "+spec.Name+":")
		return nil
	}
	known := append([]string(nil), commonKeys...)
	options := map[string]connector.Option{}
	for _, o := range spec.Options {
		known = append(known, o.Name)
		options[o.Name] = o
	}
	given := map[string]bool{}
	var baseNode *yaml.Node
	insecure := false
	errsBefore := len(p.errs)
	p.eachPair(val, path, func(k, v *yaml.Node) {
		kp := path + "." + k.Value
		if isNull(v) {
			return // "key:" with no value leaves the key unset
		}
		switch k.Value {
		case "base_url":
			if s, ok := p.scalar(kp, v, false); ok {
				if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					p.fail(v, kp, fmt.Sprintf("must be an http(s) URL, found %q", s), "write it like "+exampleURL(spec))
				} else {
					vc.BaseURL = strings.TrimRight(s, "/")
					given["base_url"] = true
					baseNode = v
				}
			}
		case "rate":
			if s, ok := p.scalar(kp, v, false); ok {
				f, err := strconv.ParseFloat(s, 64)
				switch {
				case err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f):
					p.fail(v, kp, fmt.Sprintf("must be a number of requests per second greater than 0, found %q", s), "write e.g. rate: 5 or rate: 0.5")
				case f < MinRate:
					p.fail(v, kp, fmt.Sprintf("is %s requests per second, so slow that a run would seem to hang; the lowest is %g (one request every %d seconds)",
						s, MinRate, int(1/MinRate)), "write e.g. rate: 0.5, or leave the vendor out of the file")
				default:
					vc.Rate = f
				}
			}
		case "burst":
			p.positiveInt(kp, v, &vc.Burst, "requests allowed at once")
		case "concurrency":
			p.positiveInt(kp, v, &vc.Concurrency, "requests in flight at once")
		case "max_attempts":
			p.positiveInt(kp, v, &vc.MaxAttempts, "tries per record")
		case "timeout":
			if s, ok := p.scalar(kp, v, false); ok {
				d, err := time.ParseDuration(s)
				if err != nil || d <= 0 {
					p.fail(v, kp, fmt.Sprintf("must be a duration greater than 0 with a unit, found %q", s), "write e.g. timeout: 30s or timeout: 2m")
				} else {
					vc.Timeout = d
				}
			}
		case "defaults":
			p.defaults(spec, kp, v, vc.Defaults)
		case "allow_insecure":
			insecure, _ = p.boolean(kp, v, "write allow_insecure: true only for a vendor reached over a network you trust")
		default:
			o, ok := options[k.Value]
			if !ok {
				p.unknownKey(k, kp, known, spec.Name+" takes "+strings.Join(known, ", "))
				return
			}
			if s, ok := p.scalar(kp, v, o.Secret); ok {
				if hasControl(s) {
					p.fail(v, kp, "contains a control character (a line break, tab or similar), which no vendor accepts in a credential",
						controlFix(v.Value))
					return
				}
				vc.Options[o.Name] = s
				given[o.Name] = true
				if o.Secret && s != "" && !strings.Contains(v.Value, "${") {
					p.inline = append(p.inline, fmt.Sprintf("%s:%d: %s is written inline; prefer %s: \"${%s}\" and set the variable in the environment",
						p.source, v.Line, kp, o.Name, envName(spec.Name, o.Name)))
				}
			}
		}
	})
	if baseNode != nil && !insecure {
		p.checkSecure(spec, baseNode, path, vc.BaseURL)
	}
	if len(p.errs) > errsBefore {
		return nil
	}
	if !given["base_url"] {
		if spec.DefaultURL == "" {
			p.fail(key, path+".base_url", "missing; "+spec.Label+" has no public default address",
				"add base_url: "+exampleURL(spec)+" under "+spec.Name+":")
		} else {
			vc.BaseURL = strings.TrimRight(spec.DefaultURL, "/")
		}
	}
	for _, o := range spec.Options {
		if _, ok := vc.Options[o.Name]; !ok && o.Default != "" {
			vc.Options[o.Name] = o.Default
		}
		if o.Required && vc.Options[o.Name] == "" {
			what, fix := "missing", fmt.Sprintf("add %s: \"${%s}\" under %s: and set %s in the environment", o.Name, envName(spec.Name, o.Name), spec.Name, envName(spec.Name, o.Name))
			if !o.Secret {
				fix = fmt.Sprintf("add %s: VALUE under %s:", o.Name, spec.Name)
			}
			if given[o.Name] {
				what = "is empty"
			}
			if o.Help != "" {
				what += " (" + o.Help + ")"
			}
			p.fail(key, path+"."+o.Name, what, fix)
		}
	}
	if len(p.errs) > errsBefore {
		return nil
	}
	p.tryClient(spec, key, path, vc)
	if len(p.errs) > errsBefore {
		return nil
	}
	return vc
}

// scalar returns a value's text with environment references expanded. A
// secret's value is never repeated in a message.
func (p *parser) scalar(path string, v *yaml.Node, secret bool) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.fail(v, path, "must be a single value, found "+kindWords(v), "write "+path[strings.LastIndex(path, ".")+1:]+": VALUE on one line")
		return "", false
	}
	s, err := expand(v.Value, p.env)
	if err != nil {
		var missing *missingVarError
		if errors.As(err, &missing) {
			p.fail(v, path, fmt.Sprintf("environment variable %s is not set", missing.name),
				fmt.Sprintf("set %s before running, e.g. export %s=...", missing.name, missing.name))
		} else {
			p.fail(v, path, err.Error(), "write ${NAME} for a variable, or $${ for a literal ${")
		}
		return "", false
	}
	return strings.TrimSpace(s), true
}

func (p *parser) positiveInt(path string, v *yaml.Node, dst *int, what string) {
	s, ok := p.scalar(path, v, false)
	if !ok {
		return
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		p.fail(v, path, fmt.Sprintf("must be a whole number of %s, 1 or more; found %q", what, s), "write e.g. "+path[strings.LastIndex(path, ".")+1:]+": 4")
		return
	}
	*dst = n
}

// defaults reads a vendor's defaults: path-field wire key → value. A key
// may also be written as the field's label or in another case or spacing
// ("partner_id" for PartnerId); it is stored under the wire key.
func (p *parser) defaults(spec *connector.Vendor, path string, v *yaml.Node, dst map[string]string) {
	var keys []string
	fields := map[string][]*schema.Field{}
	for _, t := range spec.Targets {
		for _, f := range t.Fields {
			if !f.Path {
				continue
			}
			if _, ok := fields[f.Key]; !ok {
				keys = append(keys, f.Key)
			}
			fields[f.Key] = append(fields[f.Key], f)
		}
	}
	if len(keys) == 0 {
		p.fail(v, path, spec.Label+" has no fields that take a default", "remove defaults: from "+spec.Name+":")
		return
	}
	fix := spec.Name + " defaults may set " + strings.Join(keys, ", ")
	if v.Kind != yaml.MappingNode {
		p.fail(v, path, "must map field names to values, found "+kindWords(v), "write e.g. defaults: {"+keys[0]+": VALUE}")
		return
	}
	p.eachPair(v, path, func(k, val *yaml.Node) {
		kp := path + "." + k.Value
		key := matchField(keys, fields, k.Value)
		if key == "" {
			p.unknownKey(k, kp, keys, fix)
			return
		}
		if _, dup := dst[key]; dup {
			p.fail(k, kp, "sets "+key+" a second time", "keep one of them")
			return
		}
		s, ok := p.scalar(kp, val, false)
		if !ok {
			return
		}
		if s == "" {
			p.fail(val, kp, "is empty", "give a value or remove the key")
			return
		}
		var wire any
		for _, f := range fields[key] {
			w, prob := f.Parse(s)
			if prob != nil {
				msg := prob.Message
				if prob.Suggestion != "" {
					msg += fmt.Sprintf("; did you mean %q?", prob.Suggestion)
				}
				p.fail(val, kp, msg, "expected "+f.Describe())
				return
			}
			wire = w
		}
		dst[key] = schema.Display(wire)
	})
}

func matchField(keys []string, fields map[string][]*schema.Field, name string) string {
	if _, ok := fields[name]; ok {
		return name
	}
	n := schema.Fold(name)
	for _, k := range keys {
		f := fields[k][0]
		if schema.Fold(k) == n || schema.Fold(f.Label) == n {
			return k
		}
	}
	return ""
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && (n.Value == "" || n.Value == "~" || n.Value == "null")
}

func kindWords(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func exampleURL(spec *connector.Vendor) string {
	if spec.DefaultURL != "" {
		return spec.DefaultURL
	}
	return "https://api.example.com"
}

// envName is the variable name suggested for a secret option.
func envName(vendor, option string) string {
	return strings.ToUpper(vendor + "_" + strings.ReplaceAll(option, "-", "_"))
}
