package progress

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLogModeReportsCountsAndFinishes(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	ticks := make(chan time.Time)
	r := startLogReporter(3, "sending", logger, ticks)
	r.Step(true)
	r.Step(false)
	ticks <- time.Now()
	ticks <- time.Now() // taken only once the first tick's line is written
	r.Step(true)
	r.Finish()
	r.Finish() // a second Finish is harmless
	out := buf.String()
	if !strings.Contains(out, `"msg":"progress"`) || !strings.Contains(out, `"done":2`) {
		t.Errorf("no periodic line:\n%s", out)
	}
	if !strings.Contains(out, `"msg":"finished","what":"sending","done":3,"total":3,"ok":2,"failed":1`) {
		t.Errorf("final line wrong:\n%s", out)
	}
	if strings.Count(out, `"msg":"finished"`) != 1 {
		t.Errorf("finished logged more than once:\n%s", out)
	}
	if !regexp.MustCompile(`"rows_per_s":[0-9.]+[,}]`).MatchString(out) {
		t.Errorf("rows_per_s must be a JSON number:\n%s", out)
	}
}

func TestLogModeShortRunLeavesTheWordsToTheSummary(t *testing.T) {
	var buf bytes.Buffer
	r := startLogReporter(1, "sending", slog.New(slog.NewTextHandler(&buf, nil)), make(chan time.Time))
	r.Step(true)
	r.Finish()
	if buf.Len() != 0 {
		t.Errorf("a run shorter than one interval logged:\n%s", buf.String())
	}
}

func TestBarWritesToItsWriterAndQuietWritesNothing(t *testing.T) {
	var bar, logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	r := New(Bar, 2, "sending", &bar, logger, time.Millisecond)
	r.Step(true)
	r.Step(true)
	r.Finish()
	if bar.Len() == 0 {
		t.Error("the bar wrote nothing")
	}
	if logs.Len() != 0 {
		t.Errorf("bar mode also logged: %s", logs.String())
	}
	var quiet bytes.Buffer
	q := New(Quiet, 2, "sending", &quiet, slog.New(slog.NewTextHandler(&quiet, nil)), time.Millisecond)
	q.Step(true)
	q.Finish()
	if quiet.Len() != 0 {
		t.Errorf("quiet mode wrote %q", quiet.String())
	}
}
