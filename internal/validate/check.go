package validate

import (
	"fmt"
	"hash/maphash"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onboard/onboard/internal/intake"
	"github.com/onboard/onboard/internal/schema"
)

// column is a sheet column that fills a field.
type column struct {
	col   int // 0-based column in the sheet
	fi    int // index of the field in Target.Fields
	field *schema.Field
	// checkOnly: nothing reads this column's value (the run keeps no
	// records and no rule compares it), so the cell is only checked.
	checkOnly bool
}

// sameAs is a field that must equal another one (Cove Name == EmailAddress).
type sameAs struct{ fi, other int }

// plan is how the rows of one sheet are checked: worked out once from the
// header, then used by every worker (it is read-only while rows flow).
type plan struct {
	sheet    *Sheet
	target   *schema.Target
	cols     []column // mapped columns in sheet order
	colOf    []int    // per field: its column, or -1
	defaults []any    // per field: the wire value used when empty, or nil
	sameAs   []sameAs
	post     []int          // fields that are required or have a default: checked when empty
	fixed    []int          // fields with no column, a default and no same-as rule: the default on every row
	unique   []*uniqueIndex // the target's uniqueness rules (workers only read fis)
	where    string         // "Sheet 'NetSapiens Users'" or "File 'users.csv'"
	example  []string       // the template's example row under the sheet's columns, or nil
}

// newPlan maps the sheet's header to fields and records the sheet-level
// issues: unknown columns (warnings), duplicate columns and missing
// required columns (errors, one per column, not per row).
func newPlan(s *Sheet, where string, defaults []any, unique []*uniqueIndex, checkOnly bool) *plan {
	t := s.Target
	p := &plan{sheet: s, target: t, defaults: defaults, unique: unique, where: where, colOf: make([]int, len(t.Fields))}
	for i := range p.colOf {
		p.colOf[i] = -1
	}
	s.Fields = make([]*schema.Field, len(s.Header))
	for i, h := range s.Header {
		if h == "" {
			continue
		}
		f := t.MatchHeader(h)
		if f == nil {
			s.Issues = append(s.Issues, p.unknownColumn(i, h))
			continue
		}
		fi := t.FieldIndex(f.Key)
		if first := p.colOf[fi]; first >= 0 {
			s.Issues = append(s.Issues, p.duplicateColumn(i, first, f))
			s.Broken = true
			continue
		}
		p.colOf[fi] = i
		s.Fields[i] = f
		p.cols = append(p.cols, column{col: i, fi: fi, field: f})
	}
	for fi, f := range t.Fields {
		if f.Required && p.colOf[fi] < 0 && defaults[fi] == nil && len(s.Header) > 0 {
			s.Issues = append(s.Issues, p.missingColumn(f))
			s.Broken = true
		}
		if f.SameAs != "" {
			p.sameAs = append(p.sameAs, sameAs{fi: fi, other: t.FieldIndex(f.SameAs)})
		}
	}
	p.splitPost(defaults)
	if checkOnly {
		p.markCheckOnly()
	}
	p.example = exampleCells(s)
	return p
}

// splitPost sorts the fields that are required or have a default into
// those checked on each row and those whose value is the same default on
// every row (filled once per batch, see checkBatch).
func (p *plan) splitPost(defaults []any) {
	inSameAs := make([]bool, len(p.target.Fields))
	for _, s := range p.sameAs {
		inSameAs[s.fi], inSameAs[s.other] = true, true
	}
	for fi, f := range p.target.Fields {
		switch {
		case p.colOf[fi] < 0 && defaults[fi] != nil && !inSameAs[fi]:
			p.fixed = append(p.fixed, fi)
		case f.Required || defaults[fi] != nil:
			p.post = append(p.post, fi)
		}
	}
}

// markCheckOnly marks the columns whose values no rule reads: those of
// no uniqueness or same-as rule.
func (p *plan) markCheckOnly() {
	read := make([]bool, len(p.target.Fields))
	for _, ix := range p.unique {
		for _, fi := range ix.fis {
			read[fi] = true
		}
	}
	for _, s := range p.sameAs {
		read[s.fi], read[s.other] = true, true
	}
	for i := range p.cols {
		p.cols[i].checkOnly = !read[p.cols[i].fi]
	}
}

func (p *plan) unknownColumn(i int, h string) Issue {
	labels := make([]string, len(p.target.Fields))
	for j, f := range p.target.Fields {
		labels[j] = f.Label
	}
	detail := fmt.Sprintf("is not a column of %s, so its values are ignored", p.target.Label)
	if s := schema.Suggest(labels, h); s != "" {
		detail += fmt.Sprintf(". Did you mean %s?", quoted(s))
	} else {
		detail += "; check the spelling against the template or `onboard targets`"
	}
	return p.headerIssue(Warning, i, h, "", RuleUnknownColumn, detail)
}

func (p *plan) duplicateColumn(i, first int, f *schema.Field) Issue {
	detail := fmt.Sprintf("is a second column for %s (column %s %s already is); delete or rename one of them",
		f.Label, intake.ColumnName(first), quoted(p.sheet.Header[first]))
	return p.headerIssue(Error, i, p.sheet.Header[i], f.Key, RuleDuplicateColumn, detail)
}

func (p *plan) missingColumn(f *schema.Field) Issue {
	detail := fmt.Sprintf("required column %s is missing. Add a column headed %s and fill it in on every row", quoted(f.Label), quoted(f.Label))
	if f.Path {
		detail += fmt.Sprintf(", or give one value for all rows with --default %s.%s=VALUE", p.target.Vendor, f.Key)
	}
	detail += whatGoesIn(f)
	return Issue{
		Target: p.target.ID, Sheet: p.sheet.Name, Row: p.sheet.HeaderRow, Column: f.Label, Field: f.Key,
		Rule: RuleMissingColumn, Severity: Error, Col: -1,
		Message: p.where + ": " + detail, Detail: detail,
	}
}

// whatGoesIn explains a field with its help line.
func whatGoesIn(f *schema.Field) string {
	if f.Help == "" {
		return ""
	}
	return ". What goes in it: " + lowerFirst(strings.TrimSuffix(f.Help, "."))
}

// headerIssue is a sheet-level issue about the header cell of column i.
func (p *plan) headerIssue(sev Severity, i int, h, key, rule, detail string) Issue {
	cell := intake.CellRef(i, p.sheet.HeaderRow)
	return Issue{
		Target: p.target.ID, Sheet: p.sheet.Name, Row: p.sheet.HeaderRow, Column: h, Cell: cell, Field: key,
		Value: h, Rule: rule, Severity: sev, Col: i,
		Message: fmt.Sprintf("%s, cell %s (%s): column %s %s", p.where, cell, h, quoted(h), detail),
		Detail:  fmt.Sprintf("column %s %s", quoted(h), detail),
	}
}

// cellIssue is an error about one cell of a data row.
func (p *plan) cellIssue(row *intake.Row, col int, f *schema.Field, rule, detail string) Issue {
	cell := intake.CellRef(col, row.Num)
	h := header(p.sheet.Header, col)
	value := cellText(row.Cells, col)
	if f.IsSecret() && value != "" {
		value = schema.Mask
	}
	return Issue{
		Target: p.target.ID, Sheet: p.sheet.Name, Row: row.Num, Column: h, Cell: cell, Field: f.Key,
		Value: value, Rule: rule, Severity: Error, Col: col,
		Message: fmt.Sprintf("%s, cell %s (%s): %s", p.where, cell, h, detail), Detail: detail,
	}
}

// worker is one goroutine's state for checking rows of a plan: a memo of
// parsed cell texts per column (a domain, scope or site repeats on most
// rows, and Parse is a pure function of the text) and a hasher for
// uniqueness keys.
type worker struct {
	p     *plan
	cache []parseCache // aligned with p.cols
	seed  maphash.Seed // the run's, for uniqueness keys
}

// parseCache remembers Parse results of one column while they pay off: it
// switches itself off for columns whose values rarely repeat (names,
// e-mail addresses). Only immutable results (string, int64, bool) are kept,
// never secrets.
type parseCache struct {
	m             map[string]parsed
	lookups, hits int
	off           bool
	// last is the latest text found in m, compared before the map: a
	// column such as the domain usually holds the same text on every row.
	lastText string
	last     parsed
}

type parsed struct {
	v    any
	prob *schema.Problem
}

const (
	cacheEntries = 512 // distinct texts remembered per column
	cacheTrial   = 256 // lookups before deciding whether the cache pays
)

func (p *plan) newWorker(seed maphash.Seed) *worker {
	w := &worker{p: p, cache: make([]parseCache, len(p.cols))}
	for i, c := range p.cols {
		w.cache[i].off = c.field.IsSecret() || !worthCaching(c.field)
	}
	w.seed = seed
	return w
}

// worthCaching reports whether parsing the field's text costs more than a
// map lookup: enums (a search of the allowed values, and a suggestion for
// a near miss), lists, patterns, JSON and phone numbers. Numbers, digits,
// plain text and addresses are checked faster than they are looked up.
func worthCaching(f *schema.Field) bool {
	switch f.Kind {
	case schema.Enum, schema.List, schema.JSON, schema.Phone:
		return true
	}
	return f.Pattern != ""
}

// value parses the text of column i (c), or, for a check-only column
// whose parse is not cached, only checks it: the value is then nil, and
// the valid cell costs no allocation.
func (w *worker) value(i int, c *column, text string) (any, *schema.Problem) {
	if c.checkOnly && w.cache[i].off {
		return nil, c.field.Check(text)
	}
	return w.parse(i, text)
}

func (w *worker) parse(i int, text string) (any, *schema.Problem) {
	c := &w.cache[i]
	if c.off {
		return w.p.cols[i].field.Parse(text)
	}
	c.lookups++
	if text == c.lastText && c.m != nil {
		c.hits++
		return c.last.v, c.last.prob
	}
	if r, ok := c.m[text]; ok {
		c.hits++
		c.lastText, c.last = text, r
		return r.v, r.prob
	}
	if c.lookups == cacheTrial && c.hits*4 < c.lookups {
		c.off, c.m = true, nil
	}
	v, prob := w.p.cols[i].field.Parse(text)
	switch v.(type) {
	case nil, string, int64, bool:
		if !c.off && len(c.m) < cacheEntries {
			if c.m == nil {
				c.m = make(map[string]parsed)
			}
			c.m[text] = parsed{v, prob}
		}
	}
	return v, prob
}

// checkBatch checks a batch of rows, allocating their records and
// uniqueness keys in one block each (or reusing a recycled batch's).
func (w *worker) checkBatch(b *batch) {
	n, nf, nu := len(b.rows), len(w.p.target.Fields), len(w.p.unique)
	if len(b.values) < n*nf || len(b.keys) < n*nu {
		b.results = make([]RowResult, n)
		b.values = make([]any, n*nf)
		b.keys = make([]uint64, n*nu)
		w.fillFixed(b.values, nf)
	} else { // a recycled batch: check overwrites every value it sets
		b.results = b.results[:n]
		clear(b.results)
	}
	values, keys := b.values, b.keys
	for i, row := range b.rows {
		res := &b.results[i]
		res.Record = schema.Record{Target: w.p.target, Values: values[i*nf : (i+1)*nf : (i+1)*nf]}
		res.keys = keys[i*nu : (i+1)*nu : (i+1)*nu]
		w.check(row, res)
	}
}

// fillFixed sets, in a new batch's records, the fields whose value is
// the same default on every row; check never overwrites them, so a
// recycled batch still holds them.
func (w *worker) fillFixed(values []any, nf int) {
	for base := 0; base < len(values); base += nf {
		for _, fi := range w.p.fixed {
			values[base+fi] = w.p.defaults[fi]
		}
	}
}

// check validates one row on its own (everything but the uniqueness
// lookup, which needs the rows before it) and fills res. Its Record's
// Values are empty or, in a recycled batch, an earlier row's: check sets
// every value a row can set (each mapped column's, nil when the cell
// gives none, and the same-as rules' fields), so nothing of the earlier
// row survives; a field with no column holds nothing or its default,
// the same on every row; a check-only column's value is never set.
func (w *worker) check(row intake.Row, res *RowResult) {
	p := w.p
	res.Target, res.Sheet, res.Row = p.target, p.sheet.Name, row
	rec := res.Record
	for _, s := range p.sameAs {
		rec.Values[s.fi], rec.Values[s.other] = nil, nil
	}
	var issues []Issue
	for i := range p.cols {
		c := &p.cols[i] // by pointer: the loop runs for every cell
		text := cellText(row.Cells, c.col)
		keep := !c.checkOnly // a check-only column's value is never stored
		if keep {
			rec.Values[c.fi] = nil
		}
		if text == "" {
			continue
		}
		if text == schema.Mask && c.field.IsSecret() {
			issues = append(issues, p.cellIssue(&row, c.col, c.field, RuleMaskedSecret, maskedDetail(c.field)))
			continue
		}
		v, prob := w.value(i, c, text)
		if prob != nil {
			is := p.cellIssue(&row, c.col, c.field, prob.Rule, prob.Message)
			is.Suggestion = prob.Suggestion
			if prob.Warning { // onboard's advice only: sent as typed
				is.Severity = Warning
				issues = append(issues, is)
				if keep {
					rec.Values[c.fi] = v
				}
				continue
			}
			issues = append(issues, is)
			continue
		}
		if keep {
			rec.Values[c.fi] = v
		}
	}
	for _, fi := range p.post {
		if rec.Values[fi] != nil {
			continue
		}
		f := p.target.Fields[fi]
		col := p.colOf[fi]
		if col >= 0 && cellText(row.Cells, col) != "" {
			continue // given but broke its rule: reported above
		}
		if d := p.defaults[fi]; d != nil {
			rec.Values[fi] = d
			continue
		}
		if f.Required && col >= 0 && row.FormulaWithoutResult(col) {
			issues = append(issues, p.cellIssue(&row, col, f, RuleFormula,
				"holds a formula with no saved result: open the file in Excel, let it calculate, save it, and check again"))
		} else if f.Required && col >= 0 { // a missing column is one sheet-level error
			issues = append(issues, p.cellIssue(&row, col, f, schema.RuleRequired, requiredDetail(f)))
		}
	}
	for _, s := range p.sameAs {
		issues = p.checkSameAs(&row, rec, s, issues)
	}
	if len(issues) > 1 {
		sort.SliceStable(issues, func(i, j int) bool { return uint(issues[i].Col) < uint(issues[j].Col) })
	}
	for i, ix := range p.unique {
		res.keys[i] = ix.keyHash(w.seed, rec)
	}
	res.Issues = issues
}

func maskedDetail(f *schema.Field) string {
	return fmt.Sprintf("holds %s, the mask onboard's reports show instead of a %s; type the real value here (reports are for reading: fix the original file)",
		quoted(schema.Mask), strings.ToLower(f.Label))
}

func requiredDetail(f *schema.Field) string {
	return "required, but the cell is empty" + whatGoesIn(f)
}

// checkSameAs applies a same-as rule. Email addresses are compared
// ignoring case; when they differ only in case the field takes the other
// field's exact text, so the vendor receives two identical strings.
func (p *plan) checkSameAs(row *intake.Row, rec schema.Record, s sameAs, issues []Issue) []Issue {
	a, b := rec.Values[s.fi], rec.Values[s.other]
	if a == nil || b == nil {
		return issues
	}
	as, bs := schema.Display(a), schema.Display(b)
	if as == bs {
		return issues
	}
	if strings.EqualFold(as, bs) {
		rec.Values[s.fi] = b
		return issues
	}
	f, other := p.target.Fields[s.fi], p.target.Fields[s.other]
	col := p.colOf[s.fi]
	if col < 0 {
		col = p.colOf[s.other]
	}
	detail := fmt.Sprintf("must be the same as %s (%s); found %s", other.Label, quoted(bs), quoted(as))
	if col < 0 {
		return append(issues, Issue{Target: p.target.ID, Sheet: p.sheet.Name, Row: row.Num, Column: f.Label, Field: f.Key,
			Value: as, Rule: schema.RuleSameAs, Severity: Error, Col: -1,
			Message: fmt.Sprintf("%s, row %d (%s): %s", p.where, row.Num, f.Label, detail), Detail: detail})
	}
	return append(issues, p.cellIssue(row, col, f, schema.RuleSameAs, detail))
}

func cellText(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

func header(h []string, i int) string {
	if i < len(h) && h[i] != "" {
		return h[i]
	}
	return "column " + intake.ColumnName(i)
}

// quoted puts s in single quotes for a message, shortening long text.
func quoted(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:57]) + "..."
	}
	return "'" + s + "'"
}

// lowerFirst lower-cases a label's first letter for use inside a sentence
// unless the label starts with an acronym ("Domain" → "domain", "SID" stays).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || len(s) == n {
		return strings.ToLower(s)
	}
	next, _ := utf8.DecodeRuneInString(s[n:])
	if unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
