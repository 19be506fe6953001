package hires

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/onboard/onboard/internal/schema"
)

// RoleResolver fetches names the plan may leave to run time. The run backs
// it with the Cove client's EnumerateUserRoles; validation (no network)
// does without and reports the names as "resolved at run time".
type RoleResolver interface {
	// CoveRoles returns Cove's user roles: role name → RoleId.
	CoveRoles(ctx context.Context) (map[string]int64, error)
}

// Lookup is a vendor field that takes an ID the plan may write as a name:
// the name is turned into the ID through a table of the plan (the plan's
// `acefone: {roles: {Agent: 3}}`) or, for a Runtime lookup whose table the
// plan leaves out, through the RoleResolver at run time.
type Lookup struct {
	Target  string // "acefone.user"
	Key     string // wire key, "user_role"
	Vendor  string // plan section: "acefone"
	Table   string // table in that section: "roles"
	What    string // what a name is, for messages: "Acefone role"
	Runtime bool   // the resolver can supply the table at run time
}

// Lookups are the fields whose names the plan turns into IDs.
var Lookups = []Lookup{
	{Target: "acefone.user", Key: "user_role", Vendor: "acefone", Table: "roles", What: "Acefone role"},
	{Target: "acefone.user", Key: "caller_id", Vendor: "acefone", Table: "caller_ids", What: "Acefone caller number"},
	{Target: "cove.user", Key: "RoleId", Vendor: "cove", Table: "roles", What: "Cove role", Runtime: true},
}

func lookupFor(target, key string) *Lookup {
	for i := range Lookups {
		if Lookups[i].Target == target && Lookups[i].Key == key {
			return &Lookups[i]
		}
	}
	return nil
}

// Section is the plan path of the lookup's table ("acefone: roles").
func (l *Lookup) Section() string { return l.Vendor + ": " + l.Table }

func (l *Lookup) id() string { return l.Vendor + "." + l.Table }

// nameTable is one name → ID table.
type nameTable struct {
	ids   map[string]int64
	names []string // sorted, for messages and suggestions
	line  int      // where the plan defines it; 0 when fetched at run time
}

func newNameTable(ids map[string]int64, line int) *nameTable {
	t := &nameTable{ids: ids, line: line}
	for n := range ids {
		t.names = append(t.names, n)
	}
	sort.Strings(t.names)
	return t
}

// table returns the lookup's table: the plan's own, else the one fetched
// at run time, else nil (names wait for Resolve).
func (p *Plan) table(l *Lookup) *nameTable {
	if t := p.tables[l.id()]; t != nil {
		return t
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.runtime[l.id()]
}

// nameProblem says why a name has no ID.
type nameProblem struct {
	msg        string
	suggestion string
}

// translate turns the names in text into IDs through the lookup's table.
// Items that are already whole numbers are kept. pending is true when the
// table is left to run time and not fetched yet: the text is returned as
// is.
func (p *Plan) translate(l *Lookup, f *schema.Field, text string) (out string, pending bool, np *nameProblem) {
	if text == "" {
		return "", false, nil
	}
	items := []string{text}
	sep := ""
	if f.Kind == schema.List {
		sep = f.Separator
		if sep == "" {
			sep = ","
		}
		items = nil
		for _, it := range strings.Split(text, sep) {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	}
	tab := p.table(l)
	for i, it := range items {
		if isWholeNumber(it) {
			continue
		}
		if tab == nil {
			if l.Runtime {
				return text, true, nil
			}
			return "", false, &nameProblem{msg: fmt.Sprintf("%s is an %s name, but the plan has no %s: table to turn it into an ID; add it (%s: {%s: {%s: 3}}) or write the ID",
				quote(it), l.What, l.Section(), l.Vendor, l.Table, it)}
		}
		name, ok := schema.CanonicalEnum(tab.names, it)
		if !ok {
			np := &nameProblem{suggestion: schema.Suggest(tab.names, it)}
			where := "the plan's " + l.Section() + " table"
			if tab.line == 0 {
				where = l.Vendor + "'s own list"
			}
			np.msg = fmt.Sprintf("%s is not in %s (%s)", quote(it), where, strings.Join(tab.names, ", "))
			if np.suggestion != "" {
				np.msg += ". Did you mean " + quote(np.suggestion) + "?"
			}
			return "", false, np
		}
		items[i] = strconv.FormatInt(tab.ids[name], 10)
	}
	if sep == "" {
		return items[0], false, nil
	}
	return strings.Join(items, sep+" "), false, nil
}

func isWholeNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Pending returns the lookups whose names wait for Resolve: the plan uses
// names for them but leaves the table to run time.
func (p *Plan) Pending() []Lookup {
	var out []Lookup
	for _, l := range Lookups {
		if l.Runtime && p.usesNames[l.id()] && p.table(&l) == nil {
			out = append(out, l)
		}
	}
	return out
}

// Resolve fetches the tables the plan leaves to run time (Cove roles) and
// checks every name the plan writes against them, so a misspelt role
// stops the run before anything is created; the error names the plan
// line. Call it once before ExpandAll in a real run; it is not needed (and
// does nothing) when the plan gives every table itself. It must not run
// concurrently with Expand.
func (p *Plan) Resolve(ctx context.Context, r RoleResolver) error {
	pending := p.Pending()
	if len(pending) == 0 {
		return nil
	}
	if r == nil {
		return fmt.Errorf("%s: the plan writes %s names, which need the vendor's list at run time, but no resolver was given", p.Source, pending[0].What)
	}
	for _, l := range pending {
		roles, err := r.CoveRoles(ctx)
		if err != nil {
			return fmt.Errorf("fetching the %s names for %s: %w", l.What, p.Source, err)
		}
		p.mu.Lock()
		if p.runtime == nil {
			p.runtime = make(map[string]*nameTable)
		}
		p.runtime[l.id()] = newNameTable(roles, 0)
		p.mu.Unlock()
	}
	// Check the plan's own names now that the tables are known.
	var errs []error
	for _, use := range p.nameUses {
		l := lookupFor(use.target, use.key)
		if l == nil || !l.Runtime {
			continue
		}
		if _, _, np := p.translate(l, use.field, use.text); np != nil {
			errs = append(errs, &PlanError{Source: p.Source, Line: use.line, Message: use.target + " " + use.key + ": " + np.msg})
		}
	}
	return joinErrors(errs)
}

// nameUse is a name written in the plan (a constant or by_role value) for
// a lookup field, kept so Resolve can check it.
type nameUse struct {
	target, key, text string
	field             *schema.Field
	line              int
}
