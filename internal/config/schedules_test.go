package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadSchedules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "onboard.yaml")
	writeFile(t, path, `users: {}
schedules:
  - name: nightly
    cron: "0 2 * * *"
    time_zone: Europe/Berlin
    inbox: inbox
    policy: all-or-nothing
  - name: check
    cron: "CRON_TZ=UTC */15 * * * 1-5"
    inbox: /srv/in
    plan: /etc/plan.yaml
    dry_run: true
    catch_up: false
    settle: 0s
`)
	got, err := LoadSchedules(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d schedules, want 2", len(got))
	}
	n := got[0]
	if n.Name != "nightly" || n.Inbox != filepath.Join(dir, "inbox") || n.Policy != PolicyAllOrNothing || !n.CatchUp || n.DryRun || n.Settle != DefaultSettle {
		t.Errorf("nightly = %+v", n)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if next := n.Next(from); !next.Equal(time.Date(2026, 12, 1, 2, 0, 0, 0, berlin)) {
		t.Errorf("nightly next after %s = %s, want 02:00 Berlin", from, next)
	}
	c := got[1]
	if c.Cron != "*/15 * * * 1-5" || c.Location.String() != "UTC" || c.CatchUp || !c.DryRun || c.Settle != 0 || c.Plan != "/etc/plan.yaml" {
		t.Errorf("check = %+v", c)
	}
	if next := c.Next(from); !next.Equal(from.Add(15 * time.Minute)) {
		t.Errorf("check next = %s", next)
	}
}

func TestScheduleErrorsNameLine(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"schedules:\n  - name: a\n    cron: \"61 * * * *\"\n    inbox: x\n", ":3: schedules[1].cron:"},
		{"schedules:\n  - name: a\n    cron: \"0 2 * * *\"\n    time_zone: Mars/Base\n    inbox: x\n", ":4: schedules[1].time_zone: unknown time zone"},
		{"schedules:\n  - name: a\n    cron: \"0 2 * * *\"\n", ":2: schedules[1].inbox: missing"},
		{"schedules:\n  - name: a\n    cron: \"0 2 * * *\"\n    inbox: x\n    policy: some\n", ":5: schedules[1].policy: must be valid-rows or all-or-nothing"},
		{"schedules:\n  - name: a\n    cron: \"0 2 * * *\"\n    inbox: x\n    cron_tz: UTC\n", ":5: schedules[1].cron_tz: unknown key"},
		{"schedules:\n  - {name: a, cron: \"0 2 * * *\", inbox: x}\n  - {name: a, cron: \"0 3 * * *\", inbox: y}\n", ":3: schedules: the name \"a\" is used twice (first on line 2)"},
		{"schedules: nightly\n", ":1: schedules: must be a list"},
	} {
		path := filepath.Join(t.TempDir(), "onboard.yaml")
		writeFile(t, path, tc.yaml)
		_, err := LoadSchedules(path)
		if err == nil || !strings.Contains(err.Error(), path+tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestParseKeepsSchedules(t *testing.T) {
	doc := "vendors:\n  acefone:\n    base_url: http://127.0.0.1:9\n    token: x\nschedules:\n  - {name: n, cron: \"@hourly\", inbox: /in}\n"
	cfg, err := Parse([]byte(doc), "t.yaml", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Schedules(); len(s) != 1 || s[0].Name != "n" {
		t.Fatalf("Schedules() = %+v", s)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
