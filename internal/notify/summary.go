// Package notify tells people how a run ended: a signed JSON summary
// posted to a webhook (readable in Slack, Teams and Mattermost through its
// text field) and an e-mail with plain-text and HTML bodies and the result
// or validation workbook attached, each sent only for the outcomes the
// configuration's notify: section selects.
//
// A notification never blocks or fails a run: every send is bounded by a
// deadline and retried a few times with backoff, and failures come back as
// one error for the caller to print as a warning. No secret (the webhook
// secret, the SMTP password, the credentials file) is ever sent, logged or
// put in an error.
package notify

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/onboard/onboard/internal/config"
	"github.com/onboard/onboard/internal/outcome"
)

// Schema is the version of the JSON summary; it grows only by new fields.
const Schema = 1

// MaxProblems is how many problems a summary lists; the rest are counted.
const MaxProblems = 10

// The outcomes of a run, as config's on: lists name them.
const (
	Failure  = config.OnFailure
	Problems = config.OnProblems
	Success  = config.OnSuccess
)

// Summary is what every notification says about one run. It is the JSON
// body of the webhook and the content of the e-mail.
type Summary struct {
	Schema  int        `json:"schema"`
	Event   string     `json:"event"`   // always "run.finished"
	Outcome string     `json:"outcome"` // failure, problems or success
	Text    string     `json:"text"`    // a few lines for chat webhooks (Slack, Teams, Mattermost)
	Source  string     `json:"source,omitempty"`
	RunID   string     `json:"run_id,omitempty"`
	Input   string     `json:"input"` // the input's file name
	DryRun  bool       `json:"dry_run"`
	Verdict string     `json:"verdict"`
	Error   string     `json:"error,omitempty"` // why the run could not finish
	Started *time.Time `json:"started,omitempty"`
	Ended   *time.Time `json:"ended,omitempty"`
	// People counts people by status ("all done", "needs fixing", ...);
	// absent for per-vendor sheets.
	People *Counts `json:"people,omitempty"`
	// Records counts vendor records (accounts or rows) by status.
	Records Counts `json:"records"`
	// Problems are the first MaxProblems things someone must fix, each
	// naming its sheet, row and cell; ProblemsTotal counts them all.
	Problems      []Problem `json:"problems"`
	ProblemsTotal int       `json:"problems_total"`
	// ResultFile is the name (not the path) of the result or validation
	// workbook, attached to the e-mail; "" when none was written.
	ResultFile string `json:"result_file,omitempty"`

	plain       string // Text before escaping, for the e-mail
	headline    string // "6 people: 4 all done, 2 need fixing"
	records     string // "31 accounts: 25 created, 6 invalid"
	resultPath  string // the workbook's path, for the attachment
	credentials string // the credentials file: never attached
}

// Counts is a total and the count per status.
type Counts struct {
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

// Problem is one thing someone must fix.
type Problem struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row,omitempty"`
	Person  string `json:"person,omitempty"` // HR sheets: the person's name
	System  string `json:"system,omitempty"` // per-vendor sheets: the system
	Message string `json:"message"`          // names the cell, e.g. "Email * (E9): ..."
}

// Where says where the problem is: "Hires row 9 (Ann Lee)".
func (p Problem) Where() string {
	var parts []string
	if p.Sheet != "" {
		parts = append(parts, p.Sheet)
	}
	if p.Row > 0 {
		parts = append(parts, fmt.Sprintf("row %d", p.Row))
	}
	s := strings.Join(parts, " ")
	switch {
	case p.Person != "":
		s += " (" + p.Person + ")"
	case p.System != "":
		s += " (" + p.System + ")"
	}
	return strings.TrimSpace(s)
}

// Run is what a notification is built from.
type Run struct {
	// Result is the run's outcome; nil when it could not start.
	Result *outcome.Result
	// Err is why the run could not finish (or start), if it could not.
	Err error
	// Input names the input when Result is nil.
	Input string
	// Source says what started the run: cli, inbox, schedule or web.
	Source string
}

// Build makes the summary of a run.
func Build(run Run) *Summary {
	s := &Summary{Schema: Schema, Event: "run.finished", Source: run.Source, Input: filepath.Base(run.Input),
		Records: Counts{ByStatus: map[string]int{}}, Problems: []Problem{}}
	if run.Input == "" {
		s.Input = ""
	}
	if run.Err != nil {
		s.Error = run.Err.Error()
	}
	r := run.Result
	if r == nil {
		s.Outcome = Failure
		s.Verdict = "The run could not start: nothing was sent."
		s.setText()
		return s
	}
	s.fromResult(r)
	s.Outcome = Classify(r, run.Err)
	if run.Err != nil && !r.Interrupted {
		s.Verdict = "The run could not finish: " + s.Verdict
	}
	s.setText()
	return s
}

func (s *Summary) fromResult(r *outcome.Result) {
	if r.Input != "" {
		s.Input = filepath.Base(r.Input)
	}
	s.RunID, s.DryRun, s.Verdict = r.RunID, r.DryRun, r.Verdict()
	if !r.Start.IsZero() {
		t := r.Start.UTC()
		s.Started = &t
	}
	if !r.End.IsZero() {
		t := r.End.UTC()
		s.Ended = &t
	}
	for st, n := range r.Counts() {
		s.Records.ByStatus[st.String()] = n
	}
	s.Records.Total = len(r.Records)
	unit, units := "account", "accounts"
	if r.People == nil {
		unit, units = "row", "rows"
	}
	s.records = r.RecordsHeadline(unit, units)
	if r.People != nil {
		s.People = &Counts{Total: len(r.People), ByStatus: map[string]int{}}
		for st, n := range r.PeopleCounts() {
			s.People.ByStatus[st.String()] = n
		}
		s.headline = r.PeopleHeadline()
	}
	s.addProblems(r)
	s.credentials = r.Credentials
	if r.Report != "" && (r.Credentials == "" || !sameFile(r.Report, r.Credentials)) {
		s.ResultFile, s.resultPath = filepath.Base(r.Report), r.Report
	}
}

// addProblems collects sheet problems, then each person's problems (HR
// sheets) or each refused or failed record (per-vendor sheets).
func (s *Summary) addProblems(r *outcome.Result) {
	add := func(p Problem) {
		s.ProblemsTotal++
		if len(s.Problems) < MaxProblems {
			s.Problems = append(s.Problems, p)
		}
	}
	for _, m := range r.SheetProblems {
		add(Problem{Message: m})
	}
	if r.People != nil {
		for _, p := range r.People {
			for _, m := range p.Problems {
				add(Problem{Sheet: p.Sheet, Row: p.Row, Person: p.Name, Message: m})
			}
		}
		return
	}
	for _, rec := range r.Records {
		if rec.Status.Problem() && !rec.RowProblem && rec.Message != "" {
			add(Problem{Sheet: rec.Sheet, Row: rec.Row, System: rec.System, Message: rec.Message})
		}
	}
}

// Classify says how a run ended: failure when it could not finish, was
// interrupted or any record failed at its vendor; problems when people or
// rows need fixing; success otherwise.
func Classify(r *outcome.Result, runErr error) string {
	if r == nil || r.Interrupted || r.Count(outcome.Failed) > 0 {
		return Failure
	}
	if runErr != nil {
		return Failure
	}
	if !r.OK() || len(r.Records) == 0 && len(r.People) == 0 {
		return Problems
	}
	return Success
}

// Subject is the e-mail subject line.
func (s *Summary) Subject() string {
	what := map[string]string{Failure: "FAILED", Problems: "needs fixing", Success: "done"}[s.Outcome]
	if s.DryRun {
		what = map[string]string{Failure: "FAILED", Problems: "needs fixing", Success: "ready"}[s.Outcome]
		what = "check " + what
	}
	subj := "onboard: " + what
	if s.Input != "" {
		subj += ": " + s.Input
	}
	if h := s.countLine(); h != "" {
		subj += " (" + h + ")"
	}
	return subj
}

// countLine is the most telling count: people when there are any, else
// records.
func (s *Summary) countLine() string {
	if s.headline != "" {
		return s.headline
	}
	return s.records
}

// chatEscape escapes what Slack, Teams and Mattermost read as markup
// (a name like "Ann <ann@x>" would become a link).
var chatEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func (s *Summary) setText() {
	s.plain = s.text()
	s.Text = chatEscape.Replace(s.plain)
}

// text is the chat message: the verdict, the counts, the first problems
// and where the result is.
func (s *Summary) text() string {
	var b strings.Builder
	icon := map[string]string{Failure: "❌", Problems: "⚠️", Success: "✅"}[s.Outcome]
	fmt.Fprintf(&b, "%s onboard %s", icon, s.Outcome)
	if s.Input != "" {
		fmt.Fprintf(&b, ": %s", s.Input)
	}
	if s.DryRun {
		b.WriteString(" (dry run)")
	}
	b.WriteString("\n" + s.Verdict)
	if s.Error != "" {
		b.WriteString("\n" + s.Error)
	}
	for _, line := range []string{s.headline, s.records} {
		if line != "" && !strings.HasPrefix(line, "0 rows") {
			b.WriteString("\n" + line)
		}
	}
	for _, p := range s.Problems {
		b.WriteString("\n• " + p.line())
	}
	if more := s.ProblemsTotal - len(s.Problems); more > 0 {
		fmt.Fprintf(&b, "\n…and %d more in the result workbook", more)
	}
	if s.ResultFile != "" {
		b.WriteString("\nResult: " + s.ResultFile)
	}
	if s.RunID != "" {
		b.WriteString("\nRun " + s.RunID)
	}
	return b.String()
}

func (p Problem) line() string {
	if w := p.Where(); w != "" {
		return w + ": " + p.Message
	}
	return p.Message
}
