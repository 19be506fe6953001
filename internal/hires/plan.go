package hires

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"

	"go.yaml.in/yaml/v3"

	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// Plan is a parsed and checked onboarding plan: how the HR sheet's columns
// become each vendor target's fields. Build one with LoadPlan or ParsePlan;
// it is safe for concurrent Expand calls once Resolve (if needed) is done.
type Plan struct {
	Source string // the plan file as given, used in messages

	sheetName string
	sheet     *schema.Target // the HR sheet as this plan reads it
	custom    map[string]bool
	roles     []*roleEntry
	targets   map[string]*targetPlan
	passwords map[string]*PasswordPolicy
	tables    map[string]*nameTable // lookup tables the plan gives, by Lookup.id
	usesNames map[string]bool       // lookups the plan writes names for
	nameUses  []nameUse
	example   *Person

	mu      sync.RWMutex
	runtime map[string]*nameTable // tables fetched by Resolve
}

type roleEntry struct {
	name    string
	targets []string // target IDs in creation order
	line    int
}

// targetPlan is the plan's section for one target.
type targetPlan struct {
	target *schema.Target
	line   int
	specs  map[string]*fillSpec // by wire key
	failed map[string]bool      // wire keys (as written) whose spec has a mistake
}

// PasswordPolicy is the plan's passwords: entry for one target.
type PasswordPolicy struct {
	Generate bool // make a strong random password when the sheet gives none
	Length   int  // length of generated passwords (default 20, at least 16)
	Line     int
}

// DefaultPasswordLength is the length of generated passwords unless the
// plan says otherwise; MinPasswordLength is the least a plan may ask for.
const (
	DefaultPasswordLength = 20
	MinPasswordLength     = 16
	maxPasswordLength     = 128
)

// LoadPlan reads and checks the plan file at path. Every mistake is
// reported at once, each as a *PlanError naming the file and line.
func LoadPlan(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the onboarding plan: %w", err)
	}
	return ParsePlan(data, path)
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// ParsePlan parses and checks a plan; source names it in messages.
func ParsePlan(data []byte, source string) (*Plan, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return nil, &PlanError{Source: source, Line: line, Message: "not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, &PlanError{Source: source, Message: "the plan is empty; it needs roles: and targets: sections (see samples/plan.yaml)"}
	}
	pp := &planParser{p: &Plan{Source: source, targets: map[string]*targetPlan{}, passwords: map[string]*PasswordPolicy{},
		tables: map[string]*nameTable{}, usesNames: map[string]bool{}, custom: map[string]bool{}}}
	pp.parse(doc.Content[0])
	if len(pp.errs) > 0 {
		return nil, pp.err()
	}
	return pp.p, nil
}

type planParser struct {
	p    *Plan
	errs []error
}

func (pp *planParser) fail(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	pp.errs = append(pp.errs, &PlanError{Source: pp.p.Source, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (pp *planParser) err() error {
	sort.SliceStable(pp.errs, func(i, j int) bool {
		return pp.errs[i].(*PlanError).Line < pp.errs[j].(*PlanError).Line
	})
	return joinErrors(pp.errs)
}

func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

type pair struct{ key, val *yaml.Node }

// pairs returns a mapping's entries, reporting a node that is not a
// mapping and keys given twice (compared with fold when fold is set).
func (pp *planParser) pairs(n *yaml.Node, what string, fold bool) []pair {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		pp.fail(n, "%s must be a mapping of \"key: value\" lines", what)
		return nil
	}
	seen := map[string]int{}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if fold {
			name = schema.Fold(name)
		}
		if first, dup := seen[name]; dup {
			pp.fail(k, "%s: %s is given twice (first on line %d)", what, quote(k.Value), first)
			continue
		}
		seen[name] = k.Line
		out = append(out, pair{k, v})
	}
	return out
}

// scalarList returns the texts of a scalar or a sequence of scalars.
func (pp *planParser) scalarList(n *yaml.Node, what string) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				pp.fail(c, "%s: each item must be a plain value", what)
				continue
			}
			out = append(out, c.Value)
		}
		return out
	}
	pp.fail(n, "%s must be a value or a list such as [a, b]", what)
	return nil
}

func scalarText(n *yaml.Node) string {
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

var topKeys = []string{"version", "sheet", "columns", "roles", "targets", "passwords", "acefone", "cove"}

func (pp *planParser) parse(root *yaml.Node) {
	sections := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	for _, kv := range pp.pairs(root, "the plan", false) {
		k := kv.key.Value
		if !contains(topKeys, k) {
			msg := "unknown section " + quote(k)
			if s := schema.Suggest(topKeys, k); s != "" {
				msg += ". Did you mean " + quote(s) + "?"
			} else {
				msg += "; the sections are " + strings.Join(topKeys, ", ")
			}
			pp.fail(kv.key, "%s", msg)
			continue
		}
		sections[k], keys[k] = kv.val, kv.key
	}
	if v := sections["version"]; v != nil && scalarText(v) != "1" {
		pp.fail(v, "version %s is not known; this onboard reads version 1", quote(scalarText(v)))
	}
	if v := sections["sheet"]; v != nil {
		pp.p.sheetName = scalarText(v)
	}
	pp.parseRoles(sections["roles"], keys["roles"])
	for _, vendor := range []string{"acefone", "cove"} {
		if v := sections[vendor]; v != nil {
			pp.parseTables(vendor, v)
		}
	}
	before := len(pp.errs)
	pp.parseColumns(sections["columns"])
	if len(pp.errs) > before || len(pp.p.roles) == 0 {
		return // the columns and roles shape everything after
	}
	if err := pp.p.sheet.Prepare(); err != nil {
		pp.fail(sections["columns"], "columns: %v", err)
		return
	}
	pp.p.example = pp.p.examplePerson()
	pp.parseTargets(sections["targets"], keys["targets"])
	pp.parsePasswords(sections["passwords"])
	pp.checkRoles()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseRoles reads roles: role name → list of target IDs or vendor names.
func (pp *planParser) parseRoles(n, key *yaml.Node) {
	if n == nil {
		pp.fail(nil, "the plan has no roles: section; it says which accounts each role gets, e.g. roles: {Sales Agent: [netsapiens.user, acefone.user]}")
		return
	}
	for _, kv := range pp.pairs(n, "roles", true) {
		name := strings.TrimSpace(kv.key.Value)
		if name == "" {
			pp.fail(kv.key, "roles: a role needs a name")
			continue
		}
		r := &roleEntry{name: name, line: kv.key.Line}
		for _, item := range pp.scalarList(kv.val, "roles: "+name) {
			ids, msg := systemTargets(item)
			if msg != "" {
				pp.fail(kv.val, "roles: %s: %s", name, msg)
				continue
			}
			if id := sharedIn(ids); id != "" {
				pp.fail(kv.val, "roles: %s: %s is not given to people: %s", name, id, sharedHow(id))
				continue
			}
			r.targets = addTargets(r.targets, ids)
		}
		pp.p.roles = append(pp.p.roles, r)
	}
	if len(pp.p.roles) == 0 {
		pp.fail(key, "roles: lists no roles; give at least one, e.g. Sales Agent: [netsapiens.user, acefone.user]")
	}
}

// RoleNames returns the plan's role names in the plan's order.
func (p *Plan) RoleNames() []string {
	names := make([]string, len(p.roles))
	for i, r := range p.roles {
		names[i] = r.name
	}
	return names
}

func (p *Plan) role(name string) *roleEntry {
	for _, r := range p.roles {
		if r.name == name {
			return r
		}
	}
	return nil
}

// parseTables reads a vendor's name → ID tables (acefone: {roles: ...}).
func (pp *planParser) parseTables(vendor string, n *yaml.Node) {
	var tables []string
	for _, l := range Lookups {
		if l.Vendor == vendor && !contains(tables, l.Table) {
			tables = append(tables, l.Table)
		}
	}
	for _, kv := range pp.pairs(n, vendor, false) {
		var l *Lookup
		for i := range Lookups {
			if Lookups[i].Vendor == vendor && Lookups[i].Table == kv.key.Value {
				l = &Lookups[i]
			}
		}
		if l == nil {
			msg := fmt.Sprintf("%s: unknown table %s; the tables are %s", vendor, quote(kv.key.Value), strings.Join(tables, ", "))
			if s := schema.Suggest(tables, kv.key.Value); s != "" {
				msg = fmt.Sprintf("%s: unknown table %s. Did you mean %s?", vendor, quote(kv.key.Value), quote(s))
			}
			pp.fail(kv.key, "%s", msg)
			continue
		}
		ids := map[string]int64{}
		for _, e := range pp.pairs(kv.val, vendor+": "+l.Table, true) {
			id, err := strconv.ParseInt(scalarText(e.val), 10, 64)
			if err != nil || id < 1 || e.val.Kind != yaml.ScalarNode {
				pp.fail(e.val, "%s: %s: the ID of %s must be a whole number of at least 1; found %s", vendor, l.Table, quote(e.key.Value), quote(scalarText(e.val)))
				continue
			}
			ids[e.key.Value] = id
		}
		pp.p.tables[l.id()] = newNameTable(ids, kv.key.Line)
	}
}

var columnKeys = []string{"aliases", "required", "values", "help", "example", "custom", "kind"}

var customKinds = map[string]schema.Kind{"text": schema.String, "email": schema.Email, "phone": schema.Phone, "digits": schema.Digits}

// parseColumns builds the HR sheet description: the base columns with the
// plan's additions, and the plan's own columns.
func (pp *planParser) parseColumns(n *yaml.Node) {
	p := pp.p
	sheet := &schema.Target{ID: SheetID, Vendor: SheetID, Label: SheetName, Aliases: SheetAliases,
		Operation: "HR list of new hires", Help: "One row per new hire, in plain words"}
	for _, f := range Columns {
		c := *f
		c.Aliases = append([]string(nil), f.Aliases...)
		if c.Key == Role {
			c.Enum = p.RoleNames()
			if len(c.Enum) > 0 {
				c.Example = c.Enum[0]
			}
		}
		sheet.Fields = append(sheet.Fields, &c)
	}
	p.sheet = sheet
	if n == nil {
		return
	}
	for _, kv := range pp.pairs(n, "columns", true) {
		name := kv.key.Value
		settings := pp.pairs(kv.val, "columns: "+name, false)
		custom := false
		for _, s := range settings {
			if s.key.Value == "custom" {
				custom = scalarText(s.val) == "true" || scalarText(s.val) == "yes"
			}
		}
		f := sheet.MatchHeader(name)
		switch {
		case f != nil && custom:
			pp.fail(kv.key, "columns: %s is already the HR column %s; remove custom: true to change it", quote(name), quote(f.Label))
			continue
		case f == nil && !custom:
			msg := fmt.Sprintf("columns: unknown HR column %s", quote(name))
			if s := schema.Suggest(columnLabels(sheet), name); s != "" {
				msg += ". Did you mean " + quote(s) + "?"
			}
			pp.fail(kv.key, "%s; to add a column of your own, give it custom: true", msg)
			continue
		case f == nil:
			key := identifier(name)
			if key == "" {
				pp.fail(kv.key, "columns: %s needs a name with letters", quote(name))
				continue
			}
			f = &schema.Field{Key: key, Label: strings.TrimSpace(name), Kind: schema.String, Help: "Column added by the onboarding plan"}
			sheet.Fields = append(sheet.Fields, f)
			p.custom[key] = true
		}
		for _, s := range settings {
			pp.columnSetting(f, s, custom)
		}
	}
}

func (pp *planParser) columnSetting(f *schema.Field, s pair, custom bool) {
	what := "columns: " + f.Label + ": " + s.key.Value
	switch s.key.Value {
	case "aliases":
		f.Aliases = append(f.Aliases, pp.scalarList(s.val, what)...)
	case "required":
		switch strings.ToLower(scalarText(s.val)) {
		case "true", "yes":
			f.Required = true
		case "false", "no":
			if f.Required && !custom {
				pp.fail(s.val, "%s: %s is always required", what, f.Label)
			}
		default:
			pp.fail(s.val, "%s must be true or false", what)
		}
	case "values":
		vals := pp.scalarList(s.val, what)
		if f.Key == Role || f.Key == TimeZone || f.Key == Systems || f.Kind == schema.Secret {
			pp.fail(s.key, "%s: %s takes its values from %s", what, f.Label, map[bool]string{true: "roles:", false: "its own rules"}[f.Key == Role])
			return
		}
		if len(vals) == 0 {
			pp.fail(s.val, "%s: list at least one value", what)
			return
		}
		f.Kind, f.Enum, f.Example = schema.Enum, vals, vals[0]
	case "help":
		f.Help = scalarText(s.val)
	case "example":
		f.Example = scalarText(s.val)
	case "custom":
	case "kind":
		k, ok := customKinds[scalarText(s.val)]
		if !custom || !ok {
			pp.fail(s.val, "%s: only a custom column takes a kind, one of text, email, phone, digits", what)
			return
		}
		f.Kind = k
	default:
		pp.fail(s.key, "%s", nearMiss(fmt.Sprintf("columns: %s: unknown setting %s", f.Label, quote(s.key.Value)), columnKeys, s.key.Value, "the settings"))
	}
}

func columnLabels(t *schema.Target) []string {
	var out []string
	for _, f := range t.Fields {
		out = append(out, f.Label)
		out = append(out, f.Aliases...)
	}
	return out
}

// Sheet returns the HR sheet as this plan reads it: the HR columns with the
// plan's aliases, required markers and values, Role's allowed values, and
// the plan's own columns. Do not modify it.
func (p *Plan) Sheet() *schema.Target { return p.sheet }

// SheetName returns the HR sheet's name the plan asks for, or SheetName.
func (p *Plan) SheetName() string {
	if p.sheetName != "" {
		return p.sheetName
	}
	return SheetName
}

// column returns the HR column key a plan names (key, label or alias).
func (pp *planParser) column(n *yaml.Node, what string) string {
	name := scalarText(n)
	if f := pp.p.sheet.MatchHeader(name); f != nil {
		return f.Key
	}
	if s := schema.Suggest(columnLabels(pp.p.sheet), name); s != "" {
		pp.fail(n, "%s: unknown HR column %s. Did you mean %s?", what, quote(name), quote(s))
		return ""
	}
	pp.fail(n, "%s: unknown HR column %s; the columns are %s", what, quote(name), strings.Join(pp.p.columnLabels(), ", "))
	return ""
}

func (p *Plan) columnLabels() []string {
	out := make([]string, len(p.sheet.Fields))
	for i, f := range p.sheet.Fields {
		out[i] = f.Label
	}
	return out
}

// parseTargets reads targets: target ID → wire key → fill spec.
func (pp *planParser) parseTargets(n, key *yaml.Node) {
	if n == nil {
		pp.fail(nil, "the plan has no targets: section; it says how each vendor field is filled from the HR columns")
		return
	}
	ids := registry.IDs()
	for _, kv := range pp.pairs(n, "targets", false) {
		t := registry.Target(kv.key.Value)
		if t == nil {
			pp.fail(kv.key, "%s", nearMiss("targets: unknown target "+quote(kv.key.Value), ids, kv.key.Value, "the targets"))
			continue
		}
		tp := &targetPlan{target: t, line: kv.key.Line, specs: map[string]*fillSpec{}, failed: map[string]bool{}}
		for _, e := range pp.pairs(kv.val, "targets: "+t.ID, false) {
			f := t.Field(e.key.Value)
			if f == nil {
				f = t.MatchHeader(e.key.Value)
			}
			if f == nil {
				keys := make([]string, len(t.Fields))
				for i, tf := range t.Fields {
					keys[i] = tf.Key
				}
				msg := nearMiss(fmt.Sprintf("%s has no field %s", t.ID, quote(e.key.Value)), keys, e.key.Value, "")
				if !strings.HasSuffix(msg, "?") {
					msg += "; see `onboard targets " + t.ID + "` for its fields"
				}
				pp.fail(e.key, "%s", msg)
				tp.failed[e.key.Value] = true
				continue
			}
			if _, dup := tp.specs[f.Key]; dup {
				pp.fail(e.key, "%s: %s is given twice", t.ID, f.Key)
				continue
			}
			if f.IsSecret() {
				pp.fail(e.key, "%s: %s is a password: it comes from the sheet's Password column or is generated (passwords: %s: {generate: true}); remove this line so no password is written in the plan", t.ID, f.Key, t.ID)
				continue
			}
			if s := pp.spec(t, f, e.key, e.val); s != nil {
				tp.specs[f.Key] = s
			} else {
				tp.failed[f.Key] = true
			}
		}
		pp.p.targets[t.ID] = tp
		pp.checkRequired(tp)
	}
	if len(pp.p.targets) == 0 && key != nil {
		pp.fail(key, "targets: lists no targets")
	}
}

// checkRequired reports required fields the plan never fills. Path fields
// (domain, PropertySid, PartnerId) may come from the run config's defaults
// and passwords from the passwords: section or the sheet.
func (pp *planParser) checkRequired(tp *targetPlan) {
	for _, f := range tp.target.Fields {
		if !f.Required || f.Path || f.IsSecret() {
			continue
		}
		if _, ok := tp.specs[f.Key]; ok || tp.failed[f.Key] {
			continue
		}
		hint := "{column: ...}"
		if f.SameAs != "" {
			hint = "{derive: same-as-email}"
		} else if f.Example != "" {
			hint = "{value: " + f.Example + "}"
		}
		pp.fail(&yaml.Node{Line: tp.line}, "%s: %s needs %s (%s) on every record, but the plan does not fill it; add e.g. %s: %s",
			tp.target.ID, vendorLabel(tp.target), f.Key, f.Label, f.Key, hint)
	}
}

// checkRoles reports roles that give a target the plan has no section for,
// and by_role lists that miss a role needing a required field.
func (pp *planParser) checkRoles() {
	p := pp.p
	for _, r := range p.roles {
		for _, id := range r.targets {
			tp := p.targets[id]
			if tp == nil {
				pp.fail(&yaml.Node{Line: r.line}, "roles: %s gives %s, but targets: has no %s section saying how to fill it", r.name, id, id)
				continue
			}
			for _, f := range tp.target.Fields {
				s := tp.specs[f.Key]
				if s == nil || s.byRole == nil || s.kind != specNone || !f.Required {
					continue
				}
				if _, ok := s.byRole[r.name]; !ok {
					pp.fail(&yaml.Node{Line: s.line}, "%s: %s: by_role gives nothing for role %s, which gets %s; add %s: ... under by_role or a value: for the other roles",
						id, f.Key, quote(r.name), id, r.name)
				}
			}
		}
	}
}

var passwordKeys = []string{"generate", "length"}

func (pp *planParser) parsePasswords(n *yaml.Node) {
	if n == nil {
		return
	}
	for _, kv := range pp.pairs(n, "passwords", false) {
		t := registry.Target(kv.key.Value)
		if t == nil {
			pp.fail(kv.key, "%s", nearMiss("passwords: unknown target "+quote(kv.key.Value), registry.IDs(), kv.key.Value, "the targets"))
			continue
		}
		if secretField(t) == nil {
			pp.fail(kv.key, "passwords: %s has no password field", t.ID)
			continue
		}
		pol := &PasswordPolicy{Length: DefaultPasswordLength, Line: kv.key.Line}
		for _, s := range pp.pairs(kv.val, "passwords: "+t.ID, false) {
			switch s.key.Value {
			case "generate":
				switch strings.ToLower(scalarText(s.val)) {
				case "true", "yes":
					pol.Generate = true
				case "false", "no":
				default:
					pp.fail(s.val, "passwords: %s: generate must be true or false", t.ID)
				}
			case "length":
				l, err := strconv.Atoi(scalarText(s.val))
				if err != nil || l < MinPasswordLength || l > maxPasswordLength {
					pp.fail(s.val, "passwords: %s: length must be a whole number from %d to %d", t.ID, MinPasswordLength, maxPasswordLength)
					continue
				}
				pol.Length = l
			default:
				pp.fail(s.key, "%s", nearMiss(fmt.Sprintf("passwords: %s: unknown setting %s", t.ID, quote(s.key.Value)), passwordKeys, s.key.Value, "the settings"))
			}
		}
		pp.p.passwords[t.ID] = pol
	}
}

// Passwords returns the plan's password policy for a target, or nil.
func (p *Plan) Passwords(targetID string) *PasswordPolicy { return p.passwords[targetID] }

func secretField(t *schema.Target) *schema.Field {
	for _, f := range t.Fields {
		if f.IsSecret() {
			return f
		}
	}
	return nil
}

// vendorLabel returns "Acefone" for an Acefone target.
func vendorLabel(t *schema.Target) string {
	if v := registry.Vendor(t.Vendor); v != nil {
		return v.Label
	}
	return t.Vendor
}

// templateKeys returns the HR keys a template's fields name ({{.FirstName}}).
func templateKeys(t *template.Template) []string {
	var keys []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, c := range x.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.FieldNode:
			if len(x.Ident) > 0 && !contains(keys, x.Ident[0]) {
				keys = append(keys, x.Ident[0])
			}
		case *parse.ChainNode:
			walk(x.Node)
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.TemplateNode:
			walk(x.Pipe)
		}
	}
	if t.Tree != nil {
		walk(t.Tree.Root)
	}
	return keys
}

// sharedHow says how a shared target's records are made: "a site is
// created once per office for the people who get netsapiens.user, from the
// targets: netsapiens.site section".
func sharedHow(id string) string {
	var by []string
	for _, t := range registry.Targets() {
		for _, r := range t.Refs {
			if r.Target == id {
				by = append(by, t.ID)
			}
		}
	}
	what := "a record"
	if t := registry.Target(id); t != nil {
		what = "a " + lastWord(t.SystemName())
	}
	return fmt.Sprintf("%s is created once per office for the people who get %s, from the targets: %s section", what, strings.Join(by, " or "), id)
}

// lastWord is the last word of s: "site" of "NetSapiens site".
func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return s
	}
	return f[len(f)-1]
}
