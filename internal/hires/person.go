package hires

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/registry"
	"github.com/onboard/onboard/internal/schema"
)

// Person is one row of the HR sheet, read and checked against the HR
// column rules. Its texts are canonical (a phone number's digits, a time
// zone's exact spelling, the role as the plan spells it); a placeholder
// such as "n/a" reads as empty. Printing a Person never shows the password.
type Person struct {
	Sheet string // sheet name
	Row   int    // row number as Excel shows it

	cols    *sheetColumns
	text    map[string]string
	raw     map[string]string
	bad     map[string]bool // columns with an error at the HR level
	role    string
	changes []systemChange
}

// sheetColumns maps HR column keys to the sheet's columns.
type sheetColumns struct {
	index  map[string]int // HR key → 0-based column
	header []string
	labels map[string]string // HR key → the HR label, for columns the sheet lacks
}

// systemChange is one entry of the Systems cell.
type systemChange struct {
	add     bool
	targets []string
}

// Text returns the column's canonical text, "" when empty or a
// placeholder. Text(Password) returns the password: never print it.
func (p *Person) Text(key string) string { return p.text[key] }

// Raw returns the column's text as typed (a placeholder such as "n/a"
// included); a password is returned masked.
func (p *Person) Raw(key string) string {
	if key == Password && p.raw[key] != "" {
		return schema.Mask
	}
	return p.raw[key]
}

// Cell returns the column's cell reference ("D8"), or "" when the sheet
// has no such column.
func (p *Person) Cell(key string) string {
	if i, ok := p.cols.index[key]; ok {
		return intake.CellRef(i, p.Row)
	}
	return ""
}

// Header returns the column's header as the sheet writes it ("E-mail",
// without a required-marker '*'), or the HR label when the sheet has no
// such column.
func (p *Person) Header(key string) string {
	if i, ok := p.cols.index[key]; ok {
		if h := strings.TrimSpace(strings.TrimRight(p.cols.header[i], "* \u00a0")); h != "" {
			return h
		}
	}
	if l, ok := p.cols.labels[key]; ok {
		return l
	}
	return key
}

// Role returns the person's role as the plan spells it, or "" when the
// Role cell names no role of the plan.
func (p *Person) Role() string { return p.role }

// Name returns "First Last".
func (p *Person) Name() string {
	return strings.TrimSpace(p.text[FirstName] + " " + p.text[LastName])
}

// Invalid reports whether the row has an error at the HR level; such a
// row creates no accounts.
func (p *Person) Invalid() bool { return len(p.bad) > 0 }

// Bad reports whether the column has an error at the HR level.
func (p *Person) Bad(key string) bool { return p.bad[key] }

func (p *Person) String() string {
	return fmt.Sprintf("%s row %d (%s)", p.Sheet, p.Row, p.Name())
}

// MarshalJSON renders the person without the password.
func (p *Person) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Sheet  string            `json:"sheet"`
		Row    int               `json:"row"`
		Values map[string]string `json:"values"`
	}{p.Sheet, p.Row, p.templateData()})
}

// templateData is what templates see: every HR column's text ("" when
// empty or missing from the sheet) but the password, keyed by HR key.
func (p *Person) templateData() map[string]string {
	m := make(map[string]string, len(p.cols.labels))
	for k := range p.cols.labels {
		if k != Password {
			m[k] = p.text[k]
		}
	}
	return m
}

// MissingColumnsError says the HR sheet lacks required columns: the sheet
// cannot be read (the CLI exits 2).
type MissingColumnsError struct {
	Sheet     string
	HeaderRow int
	Missing   []string // labels of the missing columns
}

func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("sheet %s has no %s column%s (the header is row %d); add %s, or rename the header to one the plan knows (see the Instructions sheet of `onboard template --plan`)",
		quote(e.Sheet), strings.Join(e.Missing, ", "), plural(len(e.Missing)), e.HeaderRow, map[bool]string{true: "it", false: "them"}[len(e.Missing) == 1])
}

// Reader reads the rows of one HR sheet into People.
type Reader struct {
	plan   *Plan
	sheet  string
	cols   *sheetColumns
	emails map[string]*Person
}

// NewReader maps the HR sheet's header to the plan's HR columns. Headers
// match tolerantly (case, spaces, '-', '_', '.', a trailing '*'; aliases).
// It returns warnings for unknown columns, errors for repeated ones, and a
// *MissingColumnsError when a required column is absent.
func (p *Plan) NewReader(sheet string, header []string, headerRow int) (*Reader, []*Problem, error) {
	cols := &sheetColumns{index: map[string]int{}, header: header, labels: map[string]string{}}
	for _, f := range p.sheet.Fields {
		cols.labels[f.Key] = f.Label
	}
	var probs []*Problem
	for i, h := range header {
		if h == "" {
			continue
		}
		cell := intake.CellRef(i, headerRow)
		f := p.sheet.MatchHeader(h)
		if f == nil {
			msg := fmt.Sprintf("Column %s (%s) is not an HR column the plan knows, so it is ignored", quote(h), cell)
			pr := &Problem{Severity: SeverityWarning, Sheet: sheet, Row: headerRow, Column: h, Cell: cell, Rule: RuleHeader}
			if s := schema.Suggest(columnLabels(p.sheet), h); s != "" {
				pr.Suggestion = s
				msg += ". Did you mean " + quote(s) + "?"
			}
			pr.Message = msg
			probs = append(probs, pr)
			continue
		}
		if first, dup := cols.index[f.Key]; dup {
			probs = append(probs, &Problem{Severity: SeverityError, Sheet: sheet, Row: headerRow, Column: h, Cell: cell, Rule: RuleHeader,
				Message: fmt.Sprintf("Column %s (%s) repeats %s (%s); only the first is read, so delete or rename one", quote(h), cell, quote(header[first]), intake.CellRef(first, headerRow))})
			continue
		}
		cols.index[f.Key] = i
	}
	var missing []string
	for _, f := range p.sheet.Fields {
		if _, ok := cols.index[f.Key]; f.Required && !ok {
			missing = append(missing, f.Label)
		}
	}
	if len(missing) > 0 {
		return nil, probs, &MissingColumnsError{Sheet: sheet, HeaderRow: headerRow, Missing: missing}
	}
	return &Reader{plan: p, sheet: sheet, cols: cols, emails: map[string]*Person{}}, probs, nil
}

// Person reads one data row. Problems are traced to the row's cells; a
// row with an error is still returned (Invalid reports it).
func (r *Reader) Person(row intake.Row) (*Person, []*Problem) {
	p := &Person{Sheet: r.sheet, Row: row.Num, cols: r.cols,
		text: map[string]string{}, raw: map[string]string{}, bad: map[string]bool{}}
	var probs []*Problem
	fail := func(key, rule, msg, suggestion string) {
		p.bad[key] = true
		probs = append(probs, &Problem{Severity: SeverityError, Sheet: r.sheet, Row: row.Num, Column: p.Header(key), Cell: p.Cell(key),
			Rule: rule, Message: p.Header(key) + " (" + p.Cell(key) + "): " + msg, Suggestion: suggestion})
	}
	for _, f := range r.plan.sheet.Fields {
		i, ok := r.cols.index[f.Key]
		if !ok {
			continue
		}
		raw := ""
		if i < len(row.Cells) {
			raw = intake.Clean(row.Cells[i])
		}
		p.raw[f.Key] = raw
		if raw == "" || (f.Key != Password && isPlaceholder(raw)) {
			if f.Required {
				found := "the cell is empty"
				if raw != "" {
					found = "found " + quote(raw)
				}
				extra := ""
				if f.Key == Role {
					extra = " (the roles are " + strings.Join(r.plan.RoleNames(), ", ") + ")"
				}
				fail(f.Key, schema.RuleRequired, "every person needs "+article(f.Label)+"; "+found+extra, "")
			}
			continue
		}
		switch f.Key {
		case Role:
			role, ok := schema.CanonicalEnum(f.Enum, raw)
			if !ok {
				sug := schema.Suggest(f.Enum, raw)
				msg := quote(raw) + " is not a role in the plan"
				if sug != "" {
					msg += ". Did you mean " + quote(sug) + "?"
				} else {
					msg += "; the roles are " + strings.Join(f.Enum, ", ")
				}
				fail(Role, RuleRole, msg, sug)
				continue
			}
			p.role, p.text[Role] = role, role
		case Systems:
			changes, msg, sug := parseSystems(raw)
			if msg != "" {
				fail(Systems, RuleSystems, msg, sug)
				continue
			}
			p.changes, p.text[Systems] = changes, raw
		case StartDate:
			iso, msg := parseDate(raw)
			if msg != "" {
				fail(StartDate, RuleDate, msg, "")
				continue
			}
			p.text[StartDate] = iso
		default:
			v, prob := f.Parse(raw)
			if prob != nil {
				fail(f.Key, prob.Rule, prob.Message, prob.Suggestion)
				continue
			}
			p.text[f.Key] = schema.Display(v)
		}
	}
	if email := strings.ToLower(p.text[WorkEmail]); email != "" {
		if first, dup := r.emails[email]; dup {
			fail(WorkEmail, schema.RuleUnique, fmt.Sprintf("%s is also on row %d (%s); each person needs one row and their own email", quote(p.text[WorkEmail]), first.Row, first.Cell(WorkEmail)), "")
		} else {
			r.emails[email] = p
		}
	}
	sortProblems(probs)
	return p, probs
}

// article returns a lower-case label with "a"/"an": "an extension". Words
// in capitals (ID, SID) keep them; a plural label gets no article.
func article(label string) string {
	words := strings.Fields(label)
	for i, w := range words {
		upper := 0
		for _, r := range w {
			if r >= 'A' && r <= 'Z' {
				upper++
			}
		}
		if upper <= 1 { // keep ID, SID, IDs
			words[i] = strings.ToLower(w)
		}
	}
	s := strings.Join(words, " ")
	last := words[len(words)-1]
	if strings.HasSuffix(last, "s") && !strings.HasSuffix(last, "ss") && !strings.HasSuffix(last, "us") {
		return s
	}
	if strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// parseSystems reads the Systems cell: entries separated by commas or
// semicolons; "+X" or "X" adds, "-X" removes; X is a target ID (cove.user)
// or a vendor (cove, "Fone Dynamics").
func parseSystems(text string) ([]systemChange, string, string) {
	var out []systemChange
	for _, item := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		c := systemChange{add: true}
		switch item[0] {
		case '+':
			item = strings.TrimSpace(item[1:])
		case '-':
			c.add = false
			item = strings.TrimSpace(item[1:])
		}
		ids, msg := systemTargets(item)
		if msg != "" {
			sug := schema.Suggest(systemNames(), item)
			if strings.HasSuffix(msg, "?") {
				return nil, msg + " Write +cove to add a system or -acefone to remove one", sug
			}
			return nil, msg + "; write +cove to add a system or -acefone to remove one", sug
		}
		if id := sharedIn(ids); id != "" {
			return nil, "sites are created per office, not per person; remove " + id, ""
		}
		c.targets = ids
		out = append(out, c)
	}
	return out, "", ""
}

// systemNames are the names the Systems cell and roles: accept.
func systemNames() []string {
	var names []string
	for _, v := range registry.Vendors {
		names = append(names, v.Name)
	}
	return append(names, registry.IDs()...)
}

// systemTargets returns the targets a system name stands for: a target ID,
// or a vendor's name or label (all its targets but shared ones, such as
// netsapiens.site).
func systemTargets(name string) ([]string, string) {
	n := schema.Fold(name)
	if n == "" {
		return nil, "an empty system name"
	}
	for _, id := range registry.IDs() {
		if schema.Fold(id) == n {
			return []string{id}, ""
		}
	}
	for _, v := range registry.Vendors {
		if schema.Fold(v.Name) == n || schema.Fold(v.Label) == n {
			var ids []string
			for _, t := range v.Targets {
				if !t.Shared {
					ids = append(ids, t.ID)
				}
			}
			return ids, ""
		}
	}
	msg := quote(name) + " is not a system"
	if s := schema.Suggest(systemNames(), name); s != "" {
		msg += ". Did you mean " + quote(s) + "?"
	} else {
		msg += " (the systems are " + strings.Join(systemNames(), ", ") + ")"
	}
	return nil, msg
}

// addTargets returns the union of two target lists in creation order.
func addTargets(have, add []string) []string {
	set := map[string]bool{}
	for _, id := range have {
		set[id] = true
	}
	for _, id := range add {
		set[id] = true
	}
	var out []string
	for _, id := range registry.IDs() {
		if set[id] {
			out = append(out, id)
		}
	}
	return out
}

var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05",
	"2006/01/02", "2 Jan 2006", "2 January 2006", "Jan 2, 2006", "January 2, 2006", "2-Jan-2006", "2-Jan-06", "Mon, 2 Jan 2006", "Monday, 2 January 2006"}

// parseDate reads a start date as written by HR or Excel and returns it
// as YYYY-MM-DD. Day and month written with '/' or '.' are read when only
// one order makes sense (13/04/2025); 03/04/2025 is ambiguous and asked
// for as 2025-04-03. A whole number is an Excel date serial.
func parseDate(s string) (string, string) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), ""
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 20000 && f < 80000 {
		day := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(math.Floor(f)))
		return day.Format("2006-01-02"), ""
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) == 3 {
		a, e1 := strconv.Atoi(parts[0])
		b, e2 := strconv.Atoi(parts[1])
		y, e3 := strconv.Atoi(parts[2])
		if e1 == nil && e2 == nil && e3 == nil {
			if y < 100 {
				y += 2000
			}
			var d, m int
			switch {
			case a > 12 && b <= 12:
				d, m = a, b
			case b > 12 && a <= 12:
				d, m = b, a
			case a == b:
				d, m = a, b
			default:
				return "", fmt.Sprintf("%s could be day/month or month/day; write it as %04d-%02d-%02d or %04d-%02d-%02d", quote(s), y, b, a, y, a, b)
			}
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if t.Day() == d && int(t.Month()) == m {
				return t.Format("2006-01-02"), ""
			}
		}
	}
	return "", "must be a date such as 2025-03-03; found " + quote(s)
}

// sharedIn returns the first shared target (schema.Target.Shared: one
// record per office, never given to a person) among ids, or "".
func sharedIn(ids []string) string {
	for _, id := range ids {
		if t := registry.Target(id); t != nil && t.Shared {
			return id
		}
	}
	return ""
}
