package hires

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/onboard/onboard/internal/schema"
)

type specKind int

const (
	specNone     specKind = iota // by_role only
	specValue                    // value: constant
	specColumn                   // column: HR column
	specTemplate                 // template: text/template over the row
	specDerive                   // derive: built-in derivation
)

// fillSpec is how the plan fills one wire key of one target.
type fillSpec struct {
	target   *schema.Target
	field    *schema.Field
	line     int
	kind     specKind
	value    string
	column   string // column read by a column spec or a derivation
	tmpl     *template.Template
	tmplKeys []string
	derive   *Derivation
	byRole   map[string]roleValue // canonical role name → value
	fallback *string
	lookup   *Lookup
}

type roleValue struct {
	text string
	line int
}

var specKeys = []string{"column", "value", "template", "derive", "by_role", "fallback"}

// valueText returns a constant's text; a list is joined with the field's
// separator.
func (pp *planParser) valueText(f *schema.Field, n *yaml.Node, what string) string {
	if n.Kind == yaml.SequenceNode {
		sep := ", "
		if f.Separator != "" && f.Separator != "," {
			sep = f.Separator
		}
		return strings.Join(pp.scalarList(n, what), sep)
	}
	if n.Kind != yaml.ScalarNode {
		pp.fail(n, "%s must be a value or a list", what)
		return ""
	}
	return scalarText(n)
}

func (pp *planParser) spec(t *schema.Target, f *schema.Field, key, n *yaml.Node) *fillSpec {
	s := &fillSpec{target: t, field: f, line: key.Line, lookup: lookupFor(t.ID, f.Key)}
	what := t.ID + ": " + f.Key
	if n.Kind != yaml.MappingNode {
		s.kind, s.value = specValue, pp.valueText(f, n, what)
		pp.checkSpec(s)
		return s
	}
	errs := len(pp.errs)
	kinds := []string{}
	var columnNode *yaml.Node
	for _, kv := range pp.pairs(n, what, false) {
		switch kv.key.Value {
		case "column":
			columnNode = kv.val
			s.column = pp.column(kv.val, what)
			if s.column == Password {
				pp.fail(kv.val, "%s: the Password column only fills password fields (see passwords:)", what)
			}
		case "value":
			s.kind, s.value = specValue, pp.valueText(f, kv.val, what)
			kinds = append(kinds, "value")
		case "template":
			s.kind = specTemplate
			kinds = append(kinds, "template")
			pp.parseTemplate(s, kv.val, what)
		case "derive":
			s.kind = specDerive
			kinds = append(kinds, "derive")
			name := scalarText(kv.val)
			if s.derive = derivation(name); s.derive == nil {
				pp.fail(kv.val, "%s", nearMiss(fmt.Sprintf("%s: unknown derivation %s", what, quote(name)), derivationNames(), name, "the derivations"))
			}
		case "by_role":
			s.byRole = map[string]roleValue{}
			for _, e := range pp.pairs(kv.val, what+": by_role", true) {
				role, ok := schema.CanonicalEnum(pp.p.RoleNames(), e.key.Value)
				if !ok {
					msg := fmt.Sprintf("%s: by_role names %s, which is not a role in roles:", what, quote(e.key.Value))
					if sug := schema.Suggest(pp.p.RoleNames(), e.key.Value); sug != "" {
						msg += ". Did you mean " + quote(sug) + "?"
					}
					pp.fail(e.key, "%s", msg)
					continue
				}
				s.byRole[role] = roleValue{text: pp.valueText(f, e.val, what+": by_role: "+role), line: e.key.Line}
			}
		case "fallback":
			fb := pp.valueText(f, kv.val, what+": fallback")
			s.fallback = &fb
		default:
			pp.fail(kv.key, "%s", nearMiss(fmt.Sprintf("%s: unknown setting %s", what, quote(kv.key.Value)), specKeys, kv.key.Value, "the settings"))
		}
	}
	if columnNode != nil && s.kind == specNone {
		s.kind = specColumn
		kinds = append(kinds, "column")
	} else if columnNode != nil && s.kind != specDerive {
		pp.fail(columnNode, "%s: column goes with derive only (the column the derivation reads); give one of column, value, template, derive", what)
	}
	switch {
	case len(kinds) > 1:
		pp.fail(key, "%s: give one of column, value, template or derive, not %s", what, strings.Join(kinds, " and "))
	case len(kinds) == 0 && s.byRole == nil:
		pp.fail(key, "%s: say how the field is filled: column, value, template, derive or by_role", what)
	}
	if s.kind == specDerive && s.derive != nil && s.column == "" {
		s.column = s.derive.Column
	}
	if s.kind == specDerive && s.derive != nil && s.derive.Make == nil {
		s.column = WorkEmail
	}
	if len(pp.errs) > errs {
		return nil
	}
	pp.checkSpec(s)
	return s
}

func (pp *planParser) parseTemplate(s *fillSpec, n *yaml.Node, what string) {
	text := scalarText(n)
	if strings.TrimSpace(text) == "" {
		pp.fail(n, "%s: the template is empty", what)
		return
	}
	t, err := template.New("template").Funcs(TemplateFuncs()).Option("missingkey=error").Parse(text)
	if err != nil {
		pp.fail(n, "%s: the template cannot be read: %s", what, templateError(err))
		return
	}
	keys := pp.p.templateKeyNames()
	for _, k := range templateKeys(t) {
		if k == Password {
			pp.fail(n, "%s: a template cannot use the Password column", what)
			return
		}
		if !contains(keys, k) {
			msg := fmt.Sprintf("%s: the template uses .%s, which is not an HR column", what, k)
			if sug := schema.Suggest(keys, k); sug != "" {
				msg += "; did you mean ." + sug + "?"
			}
			pp.fail(n, "%s (the columns are .%s)", msg, strings.Join(keys, ", ."))
			return
		}
		s.tmplKeys = append(s.tmplKeys, k)
	}
	s.tmpl = t
}

// templateError drops text/template's "template: template:" prefix and
// its "executing" words: "1:17: at <slice .LastName 3 9>: error calling
// slice: index out of range: 9".
func templateError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "template: template:")
	return strings.Replace(msg, `executing "template" `, "", 1)
}

// templateKeyNames are the keys a template may use: every HR column but
// the password.
func (p *Plan) templateKeyNames() []string {
	var keys []string
	for _, f := range p.sheet.Fields {
		if f.Key != Password {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// checkSpec fills the field for the plan's example row (and every by_role
// value) and checks the result against the vendor's rule, so a constant,
// template or derivation that can never work fails at load time.
func (pp *planParser) checkSpec(s *fillSpec) {
	p := pp.p
	what := s.target.ID + ": " + s.field.Key
	check := func(text string, line int, how string) {
		if text == "" {
			return
		}
		if s.lookup != nil {
			p.usesNames[s.lookup.id()] = true
			out, pending, np := p.translate(s.lookup, s.field, text)
			if np != nil {
				pp.fail(&yaml.Node{Line: line}, "%s: %s", what, np.msg)
				return
			}
			if pending {
				p.nameUses = append(p.nameUses, nameUse{target: s.target.ID, key: s.field.Key, text: text, field: s.field, line: line})
				return
			}
			text = out
		}
		if _, prob := s.field.Parse(text); prob != nil {
			pp.fail(&yaml.Node{Line: line}, "%s: %s%s %s", what, how, fieldWords(s.target, s.field), prob.Message)
		}
	}
	for _, rv := range s.byRole {
		check(rv.text, rv.line, "")
	}
	if s.fallback != nil {
		check(*s.fallback, s.line, "the fallback does not fit: ")
	}
	switch s.kind {
	case specValue:
		check(s.value, s.line, "")
	case specNone:
	default:
		v, fail := p.eval(s, p.example)
		if fail != nil {
			pp.fail(&yaml.Node{Line: s.line}, "%s: for the example row (%s) %s", what, p.exampleWords(s), fail.msg)
			return
		}
		if v.pending {
			return
		}
		if _, prob := s.field.Parse(v.Text); prob != nil {
			pp.fail(&yaml.Node{Line: s.line}, "%s: for the example row (%s) this gives %s, but %s", what, p.exampleWords(s), quote(v.Text),
				fieldWords(s.target, s.field)+" "+prob.Message)
		}
	}
}

// exampleWords lists the example values a spec reads.
func (p *Plan) exampleWords(s *fillSpec) string {
	cols := s.tmplKeys
	if s.column != "" {
		cols = []string{s.column}
	}
	var parts []string
	for _, c := range cols {
		parts = append(parts, p.sheet.Field(c).Label+" "+quote(p.example.Text(c)))
	}
	if len(parts) == 0 {
		return "no columns"
	}
	return strings.Join(parts, ", ")
}

// fieldWords names a vendor field in messages: "Acefone's Mobile Number".
func fieldWords(t *schema.Target, f *schema.Field) string {
	v := vendorLabel(t)
	if strings.HasSuffix(v, "s") {
		return v + "' " + f.Label
	}
	return v + "'s " + f.Label
}

// evalFailure says why a spec gives no value for a row. msg continues the
// cell prefix ("Last name (C6): ...").
type evalFailure struct {
	rule    string
	msg     string
	columns []string // the cells at fault; none means the plan is
}

// eval fills one field for a person. It does not handle same-as-email,
// which copies another field (see Derived building).
func (p *Plan) eval(s *fillSpec, person *Person) (Value, *evalFailure) {
	v := Value{Key: s.field.Key, secret: s.field.IsSecret()}
	src := Source{Plan: p.where(s.line)}
	var text string
	if rv, ok := s.byRole[person.role]; ok {
		text = rv.text
		src = Source{Kind: SourceByRole, Columns: []string{Role}, Plan: p.where(rv.line)}
	} else {
		switch s.kind {
		case specNone:
			src.Kind, src.Columns = SourceByRole, []string{Role}
		case specValue:
			src.Kind, text = SourceConstant, s.value
		case specColumn:
			src.Kind, src.Columns = SourceColumn, []string{s.column}
			text = person.Text(s.column)
		case specTemplate:
			src.Kind, src.Columns = SourceTemplate, s.tmplKeys
			var b bytes.Buffer
			if err := s.tmpl.Execute(&b, person.templateData()); err != nil {
				return v, &evalFailure{rule: RuleTemplate, columns: s.tmplKeys,
					msg: fmt.Sprintf("the plan's template (%s) cannot be filled: %s", p.where(s.line), templateError(err))}
			}
			text = strings.TrimSpace(b.String())
		case specDerive:
			src.Kind, src.Columns = SourceDerived, []string{s.column}
			in := person.Text(s.column)
			if in != "" && s.derive.Make != nil {
				out, err := s.derive.Make(in)
				if err != nil {
					if s.fallback == nil {
						return v, &evalFailure{rule: RuleDerive, columns: []string{s.column},
							msg: err.Error() + fmt.Sprintf(" (for %s; the plan at %s can give a fallback: {derive: %s, fallback: ...})", fieldWords(s.target, s.field), p.where(s.line), s.derive.Name)}
					}
					v.Text, v.Source = *s.fallback, Source{Kind: SourceFallback, Columns: []string{s.column}, Plan: p.where(s.line)}
					v.note = err.Error()
					return p.lookupValue(s, v)
				}
				text = out
			}
		}
	}
	if text == "" && s.fallback != nil {
		text = *s.fallback
		src = Source{Kind: SourceFallback, Columns: src.Columns, Plan: p.where(s.line)}
	}
	v.Text, v.Source = text, src
	return p.lookupValue(s, v)
}

// lookupValue turns a name into its ID for a lookup field.
func (p *Plan) lookupValue(s *fillSpec, v Value) (Value, *evalFailure) {
	if s.lookup == nil || v.Text == "" {
		return v, nil
	}
	out, pending, np := p.translate(s.lookup, s.field, v.Text)
	if np != nil {
		return v, &evalFailure{rule: RuleName, columns: v.Source.Columns, msg: np.msg}
	}
	v.Name = v.Text
	if pending {
		v.pending = true
		return v, nil
	}
	v.Text = out
	return v, nil
}

func (p *Plan) where(line int) string {
	return fmt.Sprintf("%s:%d", p.Source, line)
}
