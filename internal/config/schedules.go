package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Inbox policies a schedule takes (as `onboard inbox --policy`).
const (
	PolicyValidRows    = "valid-rows"
	PolicyAllOrNothing = "all-or-nothing"
)

// DefaultSettle is how long a file in a scheduled inbox must stay
// unchanged before it is taken, unless the schedule says otherwise.
const DefaultSettle = 10 * time.Second

// Schedule is one entry of the schedules: section: an inbox pass that
// `onboard serve` runs at the times of a cron expression.
type Schedule struct {
	Name     string
	Cron     string         // 5 fields, as written (without CRON_TZ=)
	Location *time.Location // the time zone the fields are read in
	Inbox    string         // the folder; relative paths are from the configuration's folder
	Plan     string         // "" = the server's plan
	Policy   string         // PolicyValidRows or PolicyAllOrNothing
	DryRun   bool
	CatchUp  bool          // run once at start-up when a run was missed while the server was down
	Settle   time.Duration // how long a file must stay unchanged before it is taken
	Line     int

	every cron.Schedule
}

// Next is the first time the schedule fires strictly after t.
func (s *Schedule) Next(t time.Time) time.Time { return s.every.Next(t) }

// Schedules returns the schedules: section, in file order.
func (c *Config) Schedules() []Schedule { return c.schedules }

// scheduleKeys are the keys of one schedule.
var scheduleKeys = []string{"name", "cron", "time_zone", "inbox", "plan", "policy", "dry_run", "catch_up", "settle"}

// cronParser reads the 5 standard fields (minute hour day month weekday)
// and the @daily-style descriptors, with an optional CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

const scheduleExample = `write e.g. schedules: [{name: nightly, cron: "0 2 * * *", time_zone: Europe/Berlin, inbox: /srv/onboard/inbox}]`

// LoadSchedules reads only the schedules: section of the file at path
// (as LoadAuth reads users:), for a server whose vendors are the sandbox.
func LoadSchedules(path string) ([]Schedule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Source: path, Msg: "cannot read the configuration: " + err.Error(), Fix: "check the path", Err: err}
	}
	p := &parser{source: path, env: os.LookupEnv}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{Source: path, Msg: "not valid YAML", Fix: "check the indentation and quoting", Err: err}
	}
	var out []Schedule
	if len(doc.Content) > 0 && resolve(doc.Content[0]).Kind == yaml.MappingNode {
		p.eachPair(resolve(doc.Content[0]), "", func(k, v *yaml.Node) {
			if k.Value == "schedules" {
				out = p.schedules(v)
			}
		})
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return out, nil
}

// schedules reads the schedules: section: a list of schedules with
// distinct names.
func (p *parser) schedules(v *yaml.Node) []Schedule {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.fail(v, "schedules", "must be a list of schedules, found "+kindWords(v), scheduleExample)
		return nil
	}
	var out []Schedule
	names := map[string]int{}
	for i, n := range v.Content {
		n = resolve(n)
		s, ok := p.schedule(fmt.Sprintf("schedules[%d]", i+1), n)
		if !ok {
			continue
		}
		if first, dup := names[s.Name]; dup {
			p.fail(n, "schedules", fmt.Sprintf("the name %q is used twice (first on line %d)", s.Name, first), "give every schedule its own name")
			continue
		}
		names[s.Name] = n.Line
		out = append(out, s)
	}
	return out
}

// schedule reads one schedule; false when it has a problem (reported).
func (p *parser) schedule(path string, n *yaml.Node) (Schedule, bool) {
	s := Schedule{Policy: PolicyValidRows, CatchUp: true, Settle: DefaultSettle, Line: n.Line, Location: time.Local}
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "must be a mapping of settings, found "+kindWords(n), scheduleExample)
		return s, false
	}
	errsBefore := len(p.errs)
	var cronNode, tzNode *yaml.Node
	tz := ""
	p.eachPair(n, path, func(k, v *yaml.Node) {
		kp := path + "." + k.Value
		switch k.Value {
		case "name":
			s.Name, _ = p.scalar(kp, v, false)
		case "cron":
			cronNode = v
			s.Cron, _ = p.scalar(kp, v, false)
		case "time_zone":
			tzNode = v
			tz, _ = p.scalar(kp, v, false)
		case "inbox":
			s.Inbox, _ = p.scalar(kp, v, false)
		case "plan":
			s.Plan, _ = p.scalar(kp, v, false)
		case "policy":
			s.Policy, _ = p.scalar(kp, v, false)
			if s.Policy != PolicyValidRows && s.Policy != PolicyAllOrNothing {
				p.fail(v, kp, fmt.Sprintf("must be %s or %s, found %q", PolicyValidRows, PolicyAllOrNothing, s.Policy),
					"valid-rows sends the valid people and reports the rest; all-or-nothing sends nothing from a file with any problem")
			}
		case "dry_run":
			s.DryRun, _ = p.boolean(kp, v, "write dry_run: true to only validate and report")
		case "catch_up":
			s.CatchUp, _ = p.boolean(kp, v, "write catch_up: false to skip runs missed while the server was down")
		case "settle":
			p.settle(kp, v, &s.Settle)
		default:
			p.unknownKey(k, kp, scheduleKeys, "a schedule takes "+strings.Join(scheduleKeys, ", "))
		}
	})
	if len(p.errs) > errsBefore {
		return s, false
	}
	if s.Name == "" {
		p.fail(n, path+".name", "missing", "add name: nightly (it is shown on the Schedules page)")
	}
	if s.Inbox == "" {
		p.fail(n, path+".inbox", "missing", "add inbox: /srv/onboard/inbox (the folder HR drops the sheets into)")
	}
	if cronNode == nil || s.Cron == "" {
		p.fail(n, path+".cron", "missing", `add cron: "0 2 * * *" (minute hour day month weekday: here every day at 02:00)`)
	} else {
		p.cron(cronNode, tzNode, path, tz, &s)
	}
	if len(p.errs) > errsBefore {
		return s, false
	}
	s.Inbox, s.Plan = p.fromConfigDir(s.Inbox), p.fromConfigDir(s.Plan)
	return s, true
}

// cron parses the expression with its time zone (time_zone: or a
// CRON_TZ= prefix, not both).
func (p *parser) cron(cronNode, tzNode *yaml.Node, path, tz string, s *Schedule) {
	expr := s.Cron
	if rest, ok := strings.CutPrefix(expr, "CRON_TZ="); ok {
		if tzNode != nil {
			p.fail(cronNode, path+".cron", "gives a time zone with CRON_TZ= and time_zone: too", "keep one of them")
			return
		}
		tz, expr, _ = strings.Cut(rest, " ")
		tzNode = cronNode
	}
	expr = strings.TrimSpace(expr)
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			p.fail(tzNode, path+".time_zone", fmt.Sprintf("unknown time zone %q", tz), "write a zone name such as Europe/Berlin, America/New_York or UTC")
			return
		}
		s.Location = loc
	}
	every, err := cronParser.Parse(expr)
	if err != nil {
		p.fail(cronNode, path+".cron", fmt.Sprintf("%q is not a cron expression: %v", expr, err),
			`write 5 fields, minute hour day month weekday, e.g. "0 2 * * *" (every day at 02:00) or "*/15 * * * 1-5" (every 15 minutes on weekdays)`)
		return
	}
	if sc, ok := every.(*cron.SpecSchedule); ok {
		sc.Location = s.Location
	}
	s.Cron, s.every = expr, every
}

// settle reads a duration such as 10s.
func (p *parser) settle(path string, v *yaml.Node, dst *time.Duration) {
	raw, ok := p.scalar(path, v, false)
	if !ok {
		return
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < 0 {
		p.fail(v, path, fmt.Sprintf("must be a duration such as 10s or 1m, found %q", raw), "write settle: 10s")
		return
	}
	*dst = d
}

// fromConfigDir makes a relative path relative to the configuration
// file's folder.
func (p *parser) fromConfigDir(path string) string {
	if path == "" || filepath.IsAbs(path) || p.source == "" {
		return path
	}
	return filepath.Join(filepath.Dir(p.source), path)
}
