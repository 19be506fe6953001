package hires

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// SourceKind says where a derived value came from.
type SourceKind string

// The kinds of source.
const (
	SourceColumn    SourceKind = "column"    // an HR cell as is
	SourceConstant  SourceKind = "constant"  // value: in the plan
	SourceTemplate  SourceKind = "template"  // template: in the plan, over HR cells
	SourceDerived   SourceKind = "derived"   // derive: a built-in rule over an HR cell
	SourceByRole    SourceKind = "by-role"   // by_role: in the plan, picked by the Role cell
	SourceFallback  SourceKind = "fallback"  // fallback: in the plan
	SourceSameAs    SourceKind = "same-as"   // copied from another field of the record
	SourcePassword  SourceKind = "password"  // the sheet's Password column
	SourceGenerated SourceKind = "generated" // a password generated for this record
	SourceConfig    SourceKind = "config"    // the run config's defaults
	SourceDefault   SourceKind = "default"   // the vendor's documented default for a path field

	sourceFailed SourceKind = "failed" // the spec failed for the row (already reported)
)

// Source traces a derived value back to the HR cells and the plan line it
// came from, so a vendor rule broken by the value points at the cell (or
// at the plan line when a constant or template is at fault).
type Source struct {
	Kind    SourceKind `json:"kind"`
	Columns []string   `json:"columns,omitempty"` // HR column keys read
	Cells   []string   `json:"cells,omitempty"`   // their cells in the person's row (columns the sheet has)
	Plan    string     `json:"plan,omitempty"`    // plan file:line of the entry used
}

// Value is one filled wire key of a derived record.
type Value struct {
	Key    string `json:"key"`            // wire key
	Text   string `json:"-"`              // text for schema.Field.Parse; a password for a secret: see Display
	Name   string `json:"name,omitempty"` // the name a lookup turned into Text's ID ("Agent" → "3")
	Source Source `json:"source"`

	secret, pending bool
	note            string // why a fallback was used
}

// Secret reports whether the value is a password.
func (v Value) Secret() bool { return v.secret }

// Pending reports whether the value is a name still to be turned into an
// ID at run time (Plan.Resolve).
func (v Value) Pending() bool { return v.pending }

// Display returns the text as it may be shown: a secret is masked.
func (v Value) Display() string {
	if v.secret && v.Text != "" {
		return schema.Mask
	}
	return v.Text
}

func (v Value) String() string { return v.Key + "=" + v.Display() }

// GoString keeps %#v from showing a password.
func (v Value) GoString() string { return "hires.Value{" + v.String() + "}" }

// MarshalJSON renders the value with its text, a secret masked.
func (v Value) MarshalJSON() ([]byte, error) {
	type plain Value
	return json.Marshal(struct {
		plain
		Text string `json:"text"`
	}{plain(v), v.Display()})
}

// Derived is one vendor record made for a person (or, for
// netsapiens.site, for an office). Values are the filled wire keys in the
// target's field order, to be parsed by schema.Field.Parse; Check parses
// them into Record and traces every problem to the HR cell or plan line.
type Derived struct {
	Target *schema.Target
	Person *Person   // the person (a site: the person its fields were read from)
	Others []*Person // a site: the other people in the office
	Values []Value
	// Record holds the parsed wire values after Check (nil for a value that
	// did not parse or waits for Resolve); send it only when OK.
	Record   schema.Record
	Problems []*Problem // this record's errors and warnings

	blocked bool              // a source cell has an HR-level error
	missing map[string]Source // how a field the plan fills came out empty
}

// Value returns the filled value of a wire key.
func (d *Derived) Value(key string) (Value, bool) {
	for _, v := range d.Values {
		if v.Key == key {
			return v, true
		}
	}
	return Value{}, false
}

// Text returns a wire key's text ("" when not filled). A password's text
// is returned as is: never print it.
func (d *Derived) Text(key string) string {
	v, _ := d.Value(key)
	return v.Text
}

// OK reports whether the record may be sent: no error of its own, none in
// the person's row, and no name waiting for Resolve.
func (d *Derived) OK() bool {
	if d.blocked || d.Person.Invalid() || len(d.Pending()) > 0 {
		return false
	}
	for _, p := range d.Problems {
		if p.Severity == SeverityError {
			return false
		}
	}
	return true
}

// Pending returns the wire keys whose names wait for Resolve.
func (d *Derived) Pending() []string {
	var keys []string
	for _, v := range d.Values {
		if v.pending {
			keys = append(keys, v.Key)
		}
	}
	return keys
}

// Generated reports whether the record carries a generated password,
// which must go to the credentials file before the record is sent.
func (d *Derived) Generated() bool {
	for _, v := range d.Values {
		if v.Source.Kind == SourceGenerated {
			return true
		}
	}
	return false
}

// Redacted returns the record's texts by wire key, passwords masked, for
// dry-run output and reports.
func (d *Derived) Redacted() map[string]string {
	m := make(map[string]string, len(d.Values))
	for _, v := range d.Values {
		m[v.Key] = v.Display()
	}
	return m
}

func (d *Derived) String() string {
	parts := make([]string, len(d.Values))
	for i, v := range d.Values {
		parts[i] = v.String()
	}
	return fmt.Sprintf("%s for %s: %s", d.Target.ID, d.Person, strings.Join(parts, ", "))
}

// GoString keeps %#v from showing a password.
func (d *Derived) GoString() string { return d.String() }

// MarshalJSON renders the record for --json output, passwords masked.
func (d *Derived) MarshalJSON() ([]byte, error) {
	others := make([]int, len(d.Others))
	for i, o := range d.Others {
		others[i] = o.Row
	}
	return json.Marshal(struct {
		Target     string     `json:"target"`
		Sheet      string     `json:"sheet"`
		Row        int        `json:"row"`
		OtherRows  []int      `json:"other_rows,omitempty"`
		Key        string     `json:"key"`
		OK         bool       `json:"ok"`
		Values     []Value    `json:"values"`
		Problems   []*Problem `json:"problems,omitempty"`
		PendingFor []string   `json:"pending,omitempty"`
	}{d.Target.ID, d.Person.Sheet, d.Person.Row, others, d.Key(), d.OK(), d.Values, d.Problems, d.Pending()})
}

// Key returns the record's natural key from its texts ("~/101").
func (d *Derived) Key() string {
	parts := make([]string, len(d.Target.Key))
	for i, k := range d.Target.Key {
		parts[i] = d.Text(k)
	}
	return strings.Join(parts, "/")
}

// Options tune an expansion.
type Options struct {
	// Defaults are the run config's path-field defaults, vendor → wire key
	// → text (config.Config.Defaults()), used for path fields the plan
	// leaves out (NetSapiens domain, Fone Dynamics PropertySid, Cove
	// PartnerId). nil means no config was given: a missing path field is
	// then a warning ("comes from the run config") instead of an error.
	Defaults map[string]map[string]string
	// Rand is the source of generated passwords; nil means crypto/rand.
	Rand io.Reader
}

func (o Options) rand() io.Reader {
	if o.Rand != nil {
		return o.Rand
	}
	return rand.Reader
}

// targetsFor returns the person's targets: the role's, changed by the
// Systems cell, in creation order.
func (p *Plan) targetsFor(person *Person) ([]string, []*Problem) {
	r := p.role(person.role)
	if r == nil {
		return nil, nil
	}
	ids := append([]string(nil), r.targets...)
	var probs []*Problem
	for _, c := range person.changes {
		if c.add {
			for _, id := range c.targets {
				if _, ok := p.targets[id]; !ok {
					probs = append(probs, p.cellProblem(person, Systems, SeverityError, RuleSystems,
						fmt.Sprintf("adds %s, but the plan (%s) has no targets: %s section saying how to fill it", id, p.Source, id), ""))
					person.bad[Systems] = true
				}
			}
			ids = addTargets(ids, c.targets)
			continue
		}
		var keep []string
		for _, id := range ids {
			if !contains(c.targets, id) {
				keep = append(keep, id)
			}
		}
		ids = keep
	}
	var out []string
	for _, id := range ids {
		if _, ok := p.targets[id]; ok {
			out = append(out, id)
		}
	}
	return out, probs
}

// cellProblem makes a problem about one HR cell of a person.
func (p *Plan) cellProblem(person *Person, key string, sev Severity, rule, msg, sug string) *Problem {
	cell := person.Cell(key)
	where := cell
	if where == "" {
		where = fmt.Sprintf("row %d", person.Row)
	}
	return &Problem{Severity: sev, Sheet: person.Sheet, Row: person.Row, Column: person.Header(key), Cell: cell, Rule: rule,
		Message: person.Header(key) + " (" + where + "): " + msg, Suggestion: sug}
}

// Expand makes the vendor records for one person: one per target the
// person's role gives, changed by the Systems cell (NetSapiens sites are
// made by ExpandAll, once per office). Each record is checked (Check); the
// returned problems are the person's own (Systems naming a target the plan
// cannot fill, no accounts at all). A person whose Role names no role gets
// nothing (the Role cell's error is reported when the row is read).
func (p *Plan) Expand(person *Person, opt Options) ([]*Derived, []*Problem) {
	if person.role == "" {
		return nil, nil
	}
	ids, probs := p.targetsFor(person)
	if len(ids) == 0 && len(probs) == 0 {
		probs = append(probs, p.cellProblem(person, Role, SeverityWarning, RuleNoTarget,
			fmt.Sprintf("this person gets no accounts: role %s gives none after the Systems changes", quote(person.role)), ""))
	}
	var out []*Derived
	for _, id := range ids {
		d := p.build(person, p.targets[id], opt)
		p.Check(d, opt)
		out = append(out, d)
	}
	return out, probs
}

// build fills a record's values for a person.
func (p *Plan) build(person *Person, tp *targetPlan, opt Options) *Derived {
	t := tp.target
	d := &Derived{Target: t, Person: person, missing: map[string]Source{}}
	var sameAs []*fillSpec
	for _, f := range t.Fields {
		spec := tp.specs[f.Key]
		switch {
		case f.IsSecret():
			p.fillPassword(d, f, opt)
		case spec != nil && spec.kind == specDerive && spec.derive != nil && spec.derive.Make == nil:
			if _, byRole := spec.byRole[person.role]; !byRole {
				sameAs = append(sameAs, spec)
				continue
			}
			fallthrough
		case spec != nil:
			v, fail := p.eval(spec, person)
			if fail != nil {
				p.addProblem(d, f.Key, Source{Columns: fail.columns, Plan: p.where(spec.line)}, SeverityError, fail.rule, fail.msg, "")
				d.missing[f.Key] = Source{Kind: sourceFailed}
				continue
			}
			if v.note != "" {
				p.addProblem(d, f.Key, v.Source, SeverityWarning, RuleFallback,
					fmt.Sprintf("%s; %s is %s as the plan's fallback (%s) says", v.note, fieldWords(t, f), fallbackWords(v.Text), v.Source.Plan), "")
			}
			if v.Text == "" && !v.pending {
				d.missing[f.Key] = v.Source
				continue
			}
			d.Values = append(d.Values, p.withCells(person, v))
		case f.Path:
			if text := opt.Defaults[t.Vendor][f.Key]; text != "" {
				d.Values = append(d.Values, Value{Key: f.Key, Text: text, Source: Source{Kind: SourceConfig}})
			} else if f.Default != "" {
				d.Values = append(d.Values, Value{Key: f.Key, Text: f.Default, Source: Source{Kind: SourceDefault}})
			}
		}
	}
	for _, spec := range sameAs {
		f := spec.field
		if other, ok := d.Value(f.SameAs); ok && f.SameAs != "" {
			d.Values = append(d.Values, Value{Key: f.Key, Text: other.Text, Source: Source{Kind: SourceSameAs, Columns: other.Source.Columns, Cells: other.Source.Cells, Plan: p.where(spec.line)}})
			continue
		}
		text := strings.ToLower(person.Text(spec.column))
		src := Source{Kind: SourceDerived, Columns: []string{spec.column}, Plan: p.where(spec.line)}
		if text == "" {
			d.missing[f.Key] = src
			continue
		}
		d.Values = append(d.Values, p.withCells(person, Value{Key: f.Key, Text: text, Source: src}))
	}
	sort.SliceStable(d.Values, func(i, j int) bool { return t.FieldIndex(d.Values[i].Key) < t.FieldIndex(d.Values[j].Key) })
	return d
}

func fallbackWords(text string) string {
	if text == "" {
		return "left empty"
	}
	return "set to " + quote(text)
}

// withCells fills in the cells of a value's source columns.
func (p *Plan) withCells(person *Person, v Value) Value {
	v.Source.Cells = nil
	for _, c := range v.Source.Columns {
		if cell := person.Cell(c); cell != "" {
			v.Source.Cells = append(v.Source.Cells, cell)
		}
	}
	return v
}

// fillPassword sets a record's password: the sheet's Password cell when
// given, else a generated one when the plan says so.
func (p *Plan) fillPassword(d *Derived, f *schema.Field, opt Options) {
	person := d.Person
	if text := person.Text(Password); text != "" {
		d.Values = append(d.Values, p.withCells(person, Value{Key: f.Key, Text: text, secret: true, Source: Source{Kind: SourcePassword, Columns: []string{Password}}}))
		return
	}
	pol := p.passwords[d.Target.ID]
	if pol == nil || !pol.Generate {
		d.missing[f.Key] = Source{Kind: SourcePassword, Columns: []string{Password}}
		return
	}
	pw, err := GeneratePassword(opt.rand(), pol.Length)
	if err != nil {
		p.addProblem(d, f.Key, Source{Plan: p.where(pol.Line)}, SeverityError, "password", "cannot generate a password: "+err.Error(), "")
		return
	}
	d.Values = append(d.Values, Value{Key: f.Key, Text: pw, secret: true, Source: Source{Kind: SourceGenerated, Plan: p.where(pol.Line)}})
}

// addProblem records a problem about a record's field, traced to the
// value's source: the HR cells it was read from, else the plan line. A
// problem about a cell that already has an HR-level error is not repeated;
// the record is blocked all the same.
func (p *Plan) addProblem(d *Derived, key string, src Source, sev Severity, rule, msg, sug string) {
	person := d.Person
	for _, c := range src.Columns {
		if person.bad[c] {
			d.blocked = true
			return
		}
	}
	pr := &Problem{Severity: sev, Sheet: person.Sheet, Row: person.Row, Target: d.Target.ID, Field: key, Plan: src.Plan, Rule: rule, Suggestion: sug}
	var where []string
	for _, c := range src.Columns {
		cell := person.Cell(c)
		if pr.Column == "" {
			pr.Column, pr.Cell = person.Header(c), cell
		}
		if cell != "" {
			pr.Cells = append(pr.Cells, cell)
			where = append(where, person.Header(c)+" ("+cell+")")
		} else {
			where = append(where, fmt.Sprintf("%s (row %d)", person.Header(c), person.Row))
		}
	}
	if len(pr.Cells) < 2 {
		pr.Cells = nil
	}
	prefix := strings.Join(where, ", ")
	if prefix == "" {
		prefix = src.Plan
		if prefix == "" {
			prefix = fmt.Sprintf("Row %d", person.Row)
		}
	}
	pr.Message = prefix + ": " + msg
	d.Problems = append(d.Problems, pr)
}

// Check parses a record's values with the target's field rules into
// d.Record and records every broken rule in d.Problems, traced to the HR
// cell (or plan line) the value came from: required fields, each field's
// kind and rules, and same-as pairs (Cove Name = EmailAddress). Names
// waiting for Resolve are left unparsed. Expand calls it; call it again
// only on a record built elsewhere.
func (p *Plan) Check(d *Derived, opt Options) {
	t := d.Target
	d.Record = schema.NewRecord(t)
	for _, f := range t.Fields {
		v, ok := d.Value(f.Key)
		if !ok {
			if f.Required {
				p.requiredProblem(d, f, opt)
			}
			continue
		}
		if v.pending {
			continue
		}
		wire, prob := f.Parse(v.Text)
		if prob != nil && prob.Warning { // onboard's advice only: sent as typed
			msg := fieldWords(t, f) + " " + prob.Message
			if v.Source.Kind == SourceConfig || v.Source.Kind == SourceDefault {
				msg += " (from the run config's " + t.Vendor + " defaults)"
			}
			p.addProblem(d, f.Key, v.Source, SeverityWarning, prob.Rule, msg, "")
			d.Record.Set(f.Key, wire)
			continue
		}
		if prob != nil {
			msg := fieldWords(t, f) + " " + prob.Message
			if !strings.HasPrefix(prob.Message, "must") {
				msg = fieldWords(t, f) + ": " + prob.Message
			}
			if v.Source.Kind == SourceConfig || v.Source.Kind == SourceDefault {
				msg += " (from the run config's " + t.Vendor + " defaults)"
			}
			p.addProblem(d, f.Key, v.Source, SeverityError, prob.Rule, msg, prob.Suggestion)
			continue
		}
		d.Record.Set(f.Key, wire)
	}
	for _, f := range t.Fields {
		if f.SameAs == "" {
			continue
		}
		a, b := d.Record.Get(f.Key), d.Record.Get(f.SameAs)
		if a != nil && b != nil && schema.Display(a) != schema.Display(b) {
			v, _ := d.Value(f.Key)
			other := t.Field(f.SameAs)
			p.addProblem(d, f.Key, v.Source, SeverityError, schema.RuleSameAs,
				fmt.Sprintf("%s must be the same as %s: %s is not %s", fieldWords(t, f), other.Label, quote(schema.Display(a)), quote(schema.Display(b))), "")
		}
	}
}

// requiredProblem explains a required field left empty, by where it
// should have come from.
func (p *Plan) requiredProblem(d *Derived, f *schema.Field, opt Options) {
	t, person := d.Target, d.Person
	needs := vendorLabel(t) + " needs " + article(f.Label)
	if f.Path {
		if opt.Defaults == nil {
			return // reported once per batch as a warning
		}
		d.Problems = append(d.Problems, &Problem{Severity: SeverityError, Target: t.ID, Field: f.Key, Rule: RuleDefault,
			Message: fmt.Sprintf("%s (%s) on every record: set it in the run config (%s: defaults: %s: ...) or in the plan (targets: %s: %s: {value: ...})",
				needs, f.Key, t.Vendor, f.Key, t.ID, f.Key)})
		return
	}
	src, ok := d.missing[f.Key]
	if !ok || src.Kind == sourceFailed {
		return // the failure is already reported
	}
	switch src.Kind {
	case SourcePassword:
		how := "type one in the Password column"
		if person.Cell(Password) == "" {
			how = "add a Password column"
		}
		p.addProblem(d, f.Key, src, SeverityError, schema.RuleRequired,
			fmt.Sprintf("%s; %s, or let the plan generate them (passwords: %s: {generate: true})", needs, how, t.ID), "")
	case SourceByRole:
		p.addProblem(d, f.Key, src, SeverityError, schema.RuleRequired,
			fmt.Sprintf("%s, but the plan (%s) gives none for role %s; add it under by_role", needs, src.Plan, quote(person.role)), "")
	case SourceTemplate:
		p.addProblem(d, f.Key, src, SeverityError, schema.RuleRequired,
			fmt.Sprintf("%s; the plan's template (%s) gives nothing for this row", needs, src.Plan), "")
	default:
		col := ""
		if len(src.Columns) > 0 {
			col = src.Columns[0]
		}
		found := "the cell is empty"
		switch {
		case col == "":
			found = "the plan gives nothing"
		case person.Cell(col) == "":
			found = "the sheet has no " + person.Header(col) + " column"
		case person.raw[col] != "":
			found = "found " + quote(person.raw[col])
		}
		p.addProblem(d, f.Key, src, SeverityError, schema.RuleRequired, needs+"; "+found, "")
	}
}

// Batch is an expanded HR sheet: every record in creation order (sites,
// then each target's people in row order) and every problem, sorted by
// row and cell.
type Batch struct {
	Path     string // the input file, when read by Process
	Sheet    string
	People   []*Person
	Records  []*Derived
	Problems []*Problem
}

// Ready returns the records that may be sent (Derived.OK), in creation
// order.
func (b *Batch) Ready() []*Derived {
	var out []*Derived
	for _, d := range b.Records {
		if d.OK() {
			out = append(out, d)
		}
	}
	return out
}

// Count returns the number of problems of a severity.
func (b *Batch) Count(sev Severity) int {
	n := 0
	for _, p := range b.Problems {
		if p.Severity == sev {
			n++
		}
	}
	return n
}

// ExpandAll expands every person (Expand), creates one netsapiens.site
// record per distinct office among the people who get netsapiens.user
// (when the plan has a netsapiens.site section), checks uniqueness rules
// across records (an extension per domain, a login system-wide), and
// collects every problem. A site's fields are read from the first person
// of the office whose row has no error; people in the same office whose
// cells disagree on a site field get a warning.
func (p *Plan) ExpandAll(people []*Person, opt Options) *Batch {
	b := &Batch{People: people}
	if len(people) > 0 {
		b.Sheet = people[0].Sheet
	}
	byTarget := map[string][]*Derived{}
	// sharedFor are, per shared target, the people whose records name one.
	sharedFor := map[string][]*Person{}
	for _, person := range people {
		recs, probs := p.Expand(person, opt)
		b.Problems = append(b.Problems, probs...)
		for _, d := range recs {
			byTarget[d.Target.ID] = append(byTarget[d.Target.ID], d)
			for _, r := range d.Target.Refs {
				if got := sharedFor[r.Target]; len(got) == 0 || got[len(got)-1] != person {
					sharedFor[r.Target] = append(got, person)
				}
			}
		}
	}
	for _, t := range registry.Targets() {
		if tp := p.targets[t.ID]; tp != nil && t.Shared {
			byTarget[t.ID] = p.sites(tp, sharedFor[t.ID], opt, &b.Problems)
		}
	}
	for _, id := range registry.IDs() {
		recs := byTarget[id]
		p.checkUnique(recs)
		b.Records = append(b.Records, recs...)
	}
	seen := map[string]bool{}
	for _, d := range b.Records {
		for _, pr := range d.Problems {
			if pr.Row == 0 {
				k := pr.Target + "\x00" + pr.Field + "\x00" + pr.Message
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			b.Problems = append(b.Problems, pr)
		}
	}
	b.Problems = append(b.Problems, p.batchNotes(b.Records, opt)...)
	sortProblems(b.Problems)
	return b
}

// sites makes one record of a shared target (netsapiens.site) per
// distinct key among people, skipping people whose naming field (the one a
// Ref names it by: the site) is empty.
func (p *Plan) sites(tp *targetPlan, people []*Person, opt Options, probs *[]*Problem) []*Derived {
	t := tp.target
	naming := namingField(t)
	type group struct {
		chosen *Derived
		all    []*Derived
	}
	groups := map[string]*group{}
	var order []string
	for _, person := range people {
		d := p.build(person, tp, opt)
		if d.Text(naming) == "" {
			continue
		}
		var parts []string
		for _, key := range t.Key {
			parts = append(parts, d.Text(key))
		}
		k := strings.Join(parts, "\x00")
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		g.all = append(g.all, d)
		if g.chosen == nil && !person.Invalid() {
			g.chosen = d
		}
	}
	var out []*Derived
	for _, k := range order {
		g := groups[k]
		if g.chosen == nil {
			g.chosen = g.all[0]
		}
		site := g.chosen
		for _, other := range g.all {
			if other == site {
				continue
			}
			site.Others = append(site.Others, other.Person)
			for _, v := range other.Values {
				mine, _ := site.Value(v.Key)
				if v.Text == mine.Text || v.secret || len(v.Source.Columns) == 0 {
					continue
				}
				if other.Person.Invalid() && anyBad(other.Person, v.Source.Columns) {
					continue
				}
				col := v.Source.Columns[0]
				*probs = append(*probs, p.cellProblem(other.Person, col, SeverityWarning, RuleConflict,
					fmt.Sprintf("the %s %s takes its %s from row %d (%s), and this row says %s; only the first is used",
						t.SystemName(), quote(site.Text(naming)), tp.target.Field(v.Key).Label, site.Person.Row, quote(mine.Text), quote(v.Text)), ""))
			}
		}
		p.Check(site, opt)
		out = append(out, site)
	}
	return out
}

// namingField is the key field of a shared target that the records naming
// it fill from their Ref field ("site" of netsapiens.site, which
// netsapiens.user names by its site); the last key field if none does.
func namingField(t *schema.Target) string {
	for _, other := range registry.Targets() {
		for _, r := range other.Refs {
			for i, k := range r.Key {
				if r.Target == t.ID && k == r.Field && i < len(t.Key) {
					return t.Key[i]
				}
			}
		}
	}
	return t.Key[len(t.Key)-1]
}

func anyBad(person *Person, cols []string) bool {
	for _, c := range cols {
		if person.bad[c] {
			return true
		}
	}
	return false
}

// checkUnique reports records of one target that share the values of a
// uniqueness rule (an extension per domain, a login system-wide): the
// later record gets the error, pointing at the earlier row.
func (p *Plan) checkUnique(recs []*Derived) {
	if len(recs) == 0 {
		return
	}
	t := recs[0].Target
	for _, u := range t.Unique {
		first := map[string]*Derived{}
		for _, d := range recs {
			parts := make([]string, len(u.Fields))
			complete := true
			for i, k := range u.Fields {
				v := d.Record.Get(k)
				if v == nil {
					complete = false
					break
				}
				parts[i] = strings.ToLower(schema.Display(v))
			}
			if !complete {
				continue
			}
			key := strings.Join(parts, "\x00")
			prev, dup := first[key]
			if !dup {
				first[key] = d
				continue
			}
			// Blame the fields that come from HR cells; else all of them.
			var cols, texts, prevCells []string
			for _, k := range u.Fields {
				v, _ := d.Value(k)
				if len(v.Source.Columns) == 0 {
					continue
				}
				cols = append(cols, v.Source.Columns...)
				texts = append(texts, quote(v.Display()))
				pv, _ := prev.Value(k)
				prevCells = append(prevCells, pv.Source.Cells...)
			}
			if len(texts) == 0 {
				for _, k := range u.Fields {
					texts = append(texts, quote(d.Text(k)))
				}
			}
			where := fmt.Sprintf("row %d", prev.Person.Row)
			if len(prevCells) > 0 {
				where += " (" + strings.Join(prevCells, ", ") + ")"
			}
			v, _ := d.Value(u.Fields[len(u.Fields)-1])
			src := Source{Columns: cols, Plan: v.Source.Plan}
			p.addProblem(d, u.Fields[len(u.Fields)-1], src, SeverityError, schema.RuleUnique,
				fmt.Sprintf("%s is also used by %s; %s needs a unique %s", strings.Join(texts, " / "), where, vendorLabel(t), u.Name), "")
		}
	}
}

// batchNotes are the sheet-wide findings: names left to run time, and
// path fields left to a run config that was not given.
func (p *Plan) batchNotes(recs []*Derived, opt Options) []*Problem {
	var out []*Problem
	pendingNames := map[string][]string{}
	var pendingOrder []string
	used := map[string]bool{}
	for _, d := range recs {
		used[d.Target.ID] = true
		for _, v := range d.Values {
			if !v.pending {
				continue
			}
			k := d.Target.ID + "\x00" + v.Key
			if _, ok := pendingNames[k]; !ok {
				pendingOrder = append(pendingOrder, k)
			}
			if !contains(pendingNames[k], v.Name) {
				pendingNames[k] = append(pendingNames[k], v.Name)
			}
		}
	}
	for _, k := range pendingOrder {
		parts := strings.SplitN(k, "\x00", 2)
		l := lookupFor(parts[0], parts[1])
		t := registry.Target(parts[0])
		names := pendingNames[k]
		sort.Strings(names)
		out = append(out, &Problem{Severity: SeverityNote, Target: parts[0], Field: parts[1], Rule: RulePending,
			Message: fmt.Sprintf("%s: the %s names %s are resolved at run time from %s's own list of roles; to check them now, add %s: {%s: {%s: ...}} to the plan",
				fieldWords(t, t.Field(parts[1])), l.What, quoteAll(names), vendorLabel(t), l.Vendor, l.Table, names[0])})
	}
	if opt.Defaults == nil {
		for _, id := range registry.IDs() {
			if !used[id] {
				continue
			}
			t := registry.Target(id)
			for _, f := range t.Fields {
				if !f.Path || !f.Required || f.Default != "" {
					continue
				}
				if tp := p.targets[id]; tp != nil && tp.specs[f.Key] != nil {
					continue
				}
				out = append(out, &Problem{Severity: SeverityWarning, Target: id, Field: f.Key, Rule: RuleDefault,
					Message: fmt.Sprintf("%s (%s) comes from the run config's defaults (%s: defaults: %s: ...); no config was given, so it is not checked here",
						fieldWords(t, f), f.Key, t.Vendor, f.Key)})
			}
		}
	}
	return out
}

// Process reads the HR sheet of an opened input (FindSheet) and expands
// it (ExpandAll): the one call `onboard validate --plan` and `onboard run
// --plan` make. Header and row problems come first in the batch's
// problems. The error is an *intake.UnusableError when the file has no HR
// sheet or the sheet lacks required columns, or a read error.
func (p *Plan) Process(f intake.File, opt Options) (*Batch, error) {
	people, probs, sheet, err := p.Read(f)
	if err != nil {
		return nil, err
	}
	b := p.ExpandAll(people, opt)
	b.Path, b.Sheet = f.Path(), sheet
	b.Problems = append(probs, b.Problems...)
	sortProblems(b.Problems)
	return b, nil
}

// examplePerson is the plan's example row: each column's example.
func (p *Plan) examplePerson() *Person {
	header := make([]string, len(p.sheet.Fields))
	row := make([]string, len(p.sheet.Fields))
	for i, f := range p.sheet.Fields {
		header[i] = f.Label
		ex := f.Example
		if ex == "" && f.Required {
			ex = "Example"
		}
		if f.Key == Password || f.Key == Systems {
			ex = ""
		}
		row[i] = ex
	}
	r, _, err := p.NewReader("example", header, 1)
	if err != nil {
		return &Person{Sheet: "example", Row: 2, cols: &sheetColumns{index: map[string]int{}}, text: map[string]string{}, raw: map[string]string{}, bad: map[string]bool{}}
	}
	person, _ := r.Person(intake.Row{Num: 2, Cells: row})
	return person
}
