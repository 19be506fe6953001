package hires

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onboard/onboard/internal/schema"
)

var schemaSuggest = schema.Suggest

// Severity says whether a Problem stops the person's accounts (error), is
// worth a look (warning), or is information (note).
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note"
)

// Problem is one finding about the HR sheet, traced to the HR cell it came
// from (Cell) and, when the plan is (also) involved, to the plan line
// (Plan). Message is a whole sentence for a person, starting with the
// column and cell ("Mobile (D8): Acefone needs a mobile number; found
// 'n/a'"); it never contains a password.
type Problem struct {
	Severity   Severity `json:"severity"`
	Sheet      string   `json:"sheet,omitempty"`
	Row        int      `json:"row,omitempty"`    // row number as Excel shows it; 0 for sheet-wide findings
	Column     string   `json:"column,omitempty"` // the column's header as the sheet has it
	Cell       string   `json:"cell,omitempty"`   // "D8"; empty when the sheet has no such column
	Cells      []string `json:"cells,omitempty"`  // every cell that fed the value, when several did
	Target     string   `json:"target,omitempty"` // target ID the finding is about ("acefone.user")
	Field      string   `json:"field,omitempty"`  // wire key of the target's field
	Plan       string   `json:"plan,omitempty"`   // plan file and line ("plan.yaml:42")
	Rule       string   `json:"rule"`             // schema rule code or one of the Rule* codes of this package
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion,omitempty"` // the value probably meant, for a near miss
}

func (p *Problem) Error() string { return p.Message }

// Rule codes this package adds to the schema's.
const (
	RuleRole     = "role"      // the Role cell names no role of the plan
	RuleSystems  = "systems"   // the Systems cell has an entry that is not a system
	RuleDerive   = "derive"    // a built-in derivation cannot make a value from the cell
	RuleTemplate = "template"  // a template failed for this row
	RuleName     = "name"      // a name (role, caller number) has no ID in the plan's lookups
	RulePending  = "pending"   // a name is turned into an ID at run time
	RuleDate     = "date"      // the start date is not a date
	RuleHeader   = "header"    // a column header problem
	RuleConflict = "conflict"  // people sharing an office disagree on a site's field
	RuleFallback = "fallback"  // the plan's fallback was used
	RuleNoTarget = "no-target" // the person gets no accounts
	RuleDefault  = "default"   // a path field left to the run config's defaults
)

// sortProblems orders sheet-wide findings first, then by row, cell column
// and target order.
func sortProblems(ps []*Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		ca, cb := cellColumn(a.Cell), cellColumn(b.Cell)
		if len(ca) != len(cb) {
			return len(ca) < len(cb)
		}
		return ca < cb
	})
}

func cellColumn(cell string) string {
	return strings.TrimRight(cell, "0123456789")
}

// PlanError is a mistake in the onboarding plan, naming the plan file and
// line. LoadPlan and ParsePlan return every mistake found, joined with
// errors.Join; each is a *PlanError (find them with errors.As).
type PlanError struct {
	Source  string // the plan file as given
	Line    int    // 1-based line; 0 when the mistake is about the whole file
	Message string
}

func (e *PlanError) Error() string {
	if e.Line == 0 {
		return e.Source + ": " + e.Message
	}
	return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Message)
}

// Where returns "file:line" for messages.
func (e *PlanError) Where() string {
	if e.Line == 0 {
		return e.Source
	}
	return fmt.Sprintf("%s:%d", e.Source, e.Line)
}

func quote(s string) string {
	r := []rune(s)
	if len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return "'" + s + "'"
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quote(v)
	}
	return strings.Join(q, ", ")
}

// nearMiss continues a message about text with "Did you mean 'x'?" when
// text is a near miss of one of values, else with "; <listing> are a, b"
// (nothing when listing is empty).
func nearMiss(msg string, values []string, text, listing string) string {
	if s := schemaSuggest(values, text); s != "" {
		return msg + ". Did you mean " + quote(s) + "?"
	}
	if listing == "" {
		return msg
	}
	return msg + "; " + listing + " are " + strings.Join(values, ", ")
}
