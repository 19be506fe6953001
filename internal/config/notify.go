package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The outcomes a notification can be sent on ("on:" lists them).
const (
	OnFailure  = "failure"  // the run could not finish, was interrupted, or records failed
	OnProblems = "problems" // some people or rows need fixing
	OnSuccess  = "success"  // everything was done (or, in a dry run, is ready)
)

// Outcomes lists every outcome in the order messages name them.
var Outcomes = []string{OnFailure, OnProblems, OnSuccess}

// ToSummary is the key of e-mail recipients who get every notification the
// on: list selects; a plain list of addresses means the same.
const ToSummary = "summary"

// The e-mail transport security modes.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (required)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: only to a relay on this machine
)

// Notify is the configuration's notify: section: who is told when a run
// ends. Its String and LogValue never show a secret.
type Notify struct {
	Webhook *Webhook // nil when not configured
	Email   *Email   // nil when not configured
	Line    int      // where the section starts
}

// Webhook posts a signed JSON summary to a URL.
type Webhook struct {
	// URL is where the summary is posted. It may itself be a secret (a
	// Slack or Teams incoming-webhook URL is): show it only via Redacted.
	URL string
	// Secret signs the body (HMAC-SHA256); "" sends no signature.
	Secret string
	On     []string // outcomes that send, in Outcomes order
	Line   int
}

// Email sends a summary over SMTP.
type Email struct {
	Host     string
	Port     int
	TLS      string // TLSStartTLS, TLSImplicit or TLSNone
	Username string // "" for a relay without authentication
	Password string
	From     string
	// To maps an outcome (or ToSummary) to its recipients.
	To   map[string][]string
	On   []string // outcomes that send, in Outcomes order
	Line int
}

// Notify returns the notify: section, or nil when the file has none.
func (c *Config) Notify() *Notify { return c.notify }

// Sends reports whether the webhook is sent for outcome.
func (w *Webhook) Sends(outcome string) bool { return w != nil && slices.Contains(w.On, outcome) }

// Sends reports whether an e-mail is sent for outcome (and has someone to
// go to).
func (e *Email) Sends(outcome string) bool {
	return e != nil && slices.Contains(e.On, outcome) && len(e.Recipients(outcome)) > 0
}

// Recipients returns who gets the e-mail for outcome: that outcome's list
// and the summary list, each address once.
func (e *Email) Recipients(outcome string) []string {
	var out []string
	for _, a := range append(append([]string(nil), e.To[outcome]...), e.To[ToSummary]...) {
		if !slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			out = append(out, a)
		}
	}
	return out
}

// RedactedURL is the webhook URL with its path, query and user part
// hidden: incoming-webhook URLs carry their token in the path.
func (w *Webhook) RedactedURL() string { return RedactURL(w.URL) }

// RedactURL keeps only the scheme and host of a URL, for messages.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(the webhook URL)"
	}
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		s += "/…"
	}
	return s
}

// String shows the section without secrets.
func (n *Notify) String() string {
	var parts []string
	if w := n.Webhook; w != nil {
		parts = append(parts, fmt.Sprintf("webhook{url=%s secret=%s on=%s}", w.RedactedURL(), mask(w.Secret), strings.Join(w.On, ",")))
	}
	if e := n.Email; e != nil {
		parts = append(parts, fmt.Sprintf("email{host=%s port=%d tls=%s username=%s password=%s from=%s on=%s}",
			e.Host, e.Port, e.TLS, e.Username, mask(e.Password), e.From, strings.Join(e.On, ",")))
	}
	return "notify{" + strings.Join(parts, " ") + "}"
}

// LogValue lets slog print the section without its secrets.
func (n *Notify) LogValue() slog.Value { return slog.StringValue(n.String()) }

func mask(secret string) string {
	if secret == "" {
		return `""`
	}
	return "****"
}

// notifyKeys are the keys of the notify: section and its parts.
var (
	notifyKeys  = []string{"webhook", "email"}
	webhookKeys = []string{"url", "secret", "on"}
	emailKeys   = []string{"host", "port", "tls", "username", "password", "from", "to", "on"}
)

// notify reads the notify: section.
func (p *parser) notify(key, v *yaml.Node) *Notify {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, "notify", "must be a mapping with webhook: and/or email:, found "+kindWords(v),
			"write e.g. notify: {webhook: {url: https://..., secret: \"${ONBOARD_WEBHOOK_SECRET}\"}}")
		return nil
	}
	n := &Notify{Line: key.Line}
	errsBefore := len(p.errs)
	p.eachPair(v, "notify", func(k, val *yaml.Node) {
		switch k.Value {
		case "webhook":
			n.Webhook = p.webhook(k, val)
		case "email":
			n.Email = p.email(k, val)
		default:
			p.unknownKey(k, "notify."+k.Value, notifyKeys, "notify: takes webhook: and email:")
		}
	})
	if len(p.errs) > errsBefore || (n.Webhook == nil && n.Email == nil) {
		return nil
	}
	return n
}

func (p *parser) webhook(key, v *yaml.Node) *Webhook {
	const path = "notify.webhook"
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, path, "must be a mapping of settings, found "+kindWords(v), "write e.g. webhook: {url: https://..., secret: \"${ONBOARD_WEBHOOK_SECRET}\"}")
		return nil
	}
	w := &Webhook{Line: key.Line, On: append([]string(nil), Outcomes...)}
	errsBefore := len(p.errs)
	var urlNode, secretNode *yaml.Node
	p.eachPair(v, path, func(k, val *yaml.Node) {
		kp := path + "." + k.Value
		switch k.Value {
		case "url":
			urlNode = val
			w.URL, _ = p.scalar(kp, val, true)
		case "secret":
			secretNode = val
			w.Secret = p.secretValue(kp, val, "ONBOARD_WEBHOOK_SECRET")
		case "on":
			w.On = p.outcomes(kp, val)
		default:
			p.unknownKey(k, kp, webhookKeys, "webhook: takes "+strings.Join(webhookKeys, ", "))
		}
	})
	if len(p.errs) > errsBefore {
		return nil
	}
	if urlNode == nil || w.URL == "" {
		p.fail(key, path+".url", "missing", "add url: https://... (the address that receives the summary) under webhook:")
		return nil
	}
	u, err := url.Parse(w.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		p.fail(urlNode, path+".url", "must be an http(s) URL", "write it like https://hooks.example.com/onboard")
		return nil
	case u.Scheme == "http" && !IsLoopback(u.Hostname()):
		p.fail(urlNode, path+".url", fmt.Sprintf("http:// would send the people's names to %s unencrypted", u.Host),
			"use https:// (plain http is allowed only to this machine)")
		return nil
	}
	if secretNode == nil {
		p.warnings = append(p.warnings, fmt.Sprintf("%s:%d: notify.webhook has no secret, so its receiver cannot check that a summary came from onboard; "+
			"add secret: \"${ONBOARD_WEBHOOK_SECRET}\" and set the variable", p.source, key.Line))
	}
	return w
}

func (p *parser) email(key, v *yaml.Node) *Email {
	const path = "notify.email"
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, path, "must be a mapping of settings, found "+kindWords(v), "write e.g. email: {host: smtp.example.com, from: onboard@example.com, to: [it@example.com]}")
		return nil
	}
	e := &Email{Line: key.Line, TLS: TLSStartTLS, On: append([]string(nil), Outcomes...), To: map[string][]string{}}
	errsBefore := len(p.errs)
	var hostNode, tlsNode *yaml.Node
	p.eachPair(v, path, func(k, val *yaml.Node) {
		kp := path + "." + k.Value
		switch k.Value {
		case "host":
			hostNode = val
			e.Host, _ = p.scalar(kp, val, false)
		case "port":
			p.port(kp, val, &e.Port)
		case "tls":
			tlsNode = val
			if s, ok := p.scalar(kp, val, false); ok {
				e.TLS = strings.ToLower(s)
				if e.TLS != TLSStartTLS && e.TLS != TLSImplicit && e.TLS != TLSNone {
					p.fail(val, kp, fmt.Sprintf("must be starttls, tls or none, found %q", s),
						"write tls: starttls (port 587) or tls: tls (port 465); none only for a relay on this machine")
				}
			}
		case "username":
			e.Username, _ = p.scalar(kp, val, false)
		case "password":
			e.Password = p.secretValue(kp, val, "ONBOARD_SMTP_PASSWORD")
		case "from":
			e.From = p.address(kp, val)
		case "to":
			p.recipients(kp, val, e.To)
		case "on":
			e.On = p.outcomes(kp, val)
		default:
			p.unknownKey(k, kp, emailKeys, "email: takes "+strings.Join(emailKeys, ", "))
		}
	})
	if len(p.errs) > errsBefore {
		return nil
	}
	p.checkEmail(key, hostNode, tlsNode, e)
	if len(p.errs) > errsBefore {
		return nil
	}
	return e
}

// checkEmail checks the e-mail settings as a whole: what is required, and
// that nothing would cross the network in clear text.
func (p *parser) checkEmail(key, hostNode, tlsNode *yaml.Node, e *Email) {
	const path = "notify.email"
	if e.Host == "" {
		p.fail(key, path+".host", "missing", "add host: smtp.example.com (your mail server) under email:")
		return
	}
	if net.ParseIP(e.Host) == nil && strings.ContainsAny(e.Host, ":/ []") {
		p.fail(hostNode, path+".host", fmt.Sprintf("must be a host name without a port or scheme, found %q", e.Host), "write the port as port: 587")
		return
	}
	if e.TLS == TLSNone && !IsLoopback(e.Host) {
		p.fail(tlsNode, path+".tls", fmt.Sprintf("none would send the e-mail (and any password) to %s unencrypted; it is allowed only to a relay on this machine (localhost, 127.0.0.1)", e.Host),
			"write tls: starttls or tls: tls")
	}
	if e.Port == 0 {
		e.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[e.TLS]
	}
	if (e.Username == "") != (e.Password == "") {
		p.fail(key, path, "has a username without a password or a password without a username",
			"give both username: and password: \"${ONBOARD_SMTP_PASSWORD}\", or neither for a relay without sign-in")
	}
	if e.From == "" {
		p.fail(key, path+".from", "missing", "add from: onboard@example.com under email:")
	}
	n := 0
	for _, l := range e.To {
		n += len(l)
	}
	if n == 0 {
		p.fail(key, path+".to", "missing: nobody would get the e-mail",
			"add to: [it@example.com], or to: {problems: [hr@example.com], summary: [it@example.com]}")
	}
}

// secretValue reads a secret (a ${VAR} reference, preferably), warning
// when it is written inline. Its value never appears in a message.
func (p *parser) secretValue(path string, v *yaml.Node, env string) string {
	s, ok := p.scalar(path, v, true)
	if !ok {
		return ""
	}
	if hasControl(s) {
		p.fail(v, path, "contains a control character (a line break, tab or similar)", controlFix(v.Value))
		return ""
	}
	if s != "" && !strings.Contains(v.Value, "${") {
		name := path[strings.LastIndex(path, ".")+1:]
		p.inline = append(p.inline, fmt.Sprintf("%s:%d: %s is written inline; prefer %s: \"${%s}\" and set the variable in the environment",
			p.source, v.Line, path, name, env))
	}
	return s
}

// port reads a TCP port number.
func (p *parser) port(path string, v *yaml.Node, dst *int) {
	s, ok := p.scalar(path, v, false)
	if !ok {
		return
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		p.fail(v, path, fmt.Sprintf("must be a port number from 1 to 65535, found %q", s), "write e.g. port: 587")
		return
	}
	*dst = n
}

// address reads one e-mail address.
func (p *parser) address(path string, v *yaml.Node) string {
	s, ok := p.scalar(path, v, false)
	if !ok {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || hasControl(s) {
		p.fail(v, path, fmt.Sprintf("is not an e-mail address: %q", s), "write it like it@example.com or \"Onboarding <onboard@example.com>\"")
		return ""
	}
	return a.String()
}

// recipients reads to:, a list of addresses (everyone gets every
// notification) or a mapping of outcomes (and summary) to lists.
func (p *parser) recipients(path string, v *yaml.Node, dst map[string][]string) {
	fix := "write to: [it@example.com], or to: {problems: [hr@example.com], summary: [it@example.com]}"
	switch v.Kind {
	case yaml.ScalarNode, yaml.SequenceNode:
		dst[ToSummary] = p.addressList(path, v)
	case yaml.MappingNode:
		keys := append(append([]string(nil), Outcomes...), ToSummary)
		p.eachPair(v, path, func(k, val *yaml.Node) {
			if !slices.Contains(keys, k.Value) {
				p.unknownKey(k, path+"."+k.Value, keys, "to: takes "+strings.Join(keys, ", ")+" (summary: gets every notification)")
				return
			}
			dst[k.Value] = p.addressList(path+"."+k.Value, val)
		})
	default:
		p.fail(v, path, "must be a list of addresses or a mapping of outcomes to lists, found "+kindWords(v), fix)
	}
}

func (p *parser) addressList(path string, v *yaml.Node) []string {
	if isNull(v) {
		return nil
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	var out []string
	for _, it := range items {
		it = resolve(it)
		if a := p.address(path, it); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// outcomes reads an on: list of outcomes.
func (p *parser) outcomes(path string, v *yaml.Node) []string {
	fix := "write on: [failure, problems, success] or a part of it"
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	} else if v.Kind != yaml.ScalarNode {
		p.fail(v, path, "must be a list of outcomes, found "+kindWords(v), fix)
		return nil
	}
	set := map[string]bool{}
	for _, it := range items {
		it = resolve(it)
		s, ok := p.scalar(path, it, false)
		if !ok {
			continue
		}
		s = strings.ToLower(s)
		if !slices.Contains(Outcomes, s) {
			msg := fmt.Sprintf("unknown outcome %q", s)
			p.fail(it, path, msg, "the outcomes are failure, problems and success")
			continue
		}
		set[s] = true
	}
	var out []string
	for _, o := range Outcomes {
		if set[o] {
			out = append(out, o)
		}
	}
	if len(out) == 0 && len(items) == 0 {
		p.fail(v, path, "is empty, so nothing would ever be sent", fix+", or remove the section")
	}
	return out
}
