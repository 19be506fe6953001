package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLogModeReportsCountsAndFinishes(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	r := New(Log, 3, "sending", &bytes.Buffer{}, logger, 10*time.Millisecond)
	r.Step(true)
	r.Step(false)
	time.Sleep(40 * time.Millisecond)
	r.Step(true)
	r.Finish()
	r.Finish() // a second Finish is harmless
	out := buf.String()
	if !strings.Contains(out, "msg=progress") {
		t.Errorf("no periodic line:\n%s", out)
	}
	if !strings.Contains(out, "msg=finished what=sending done=3 total=3 ok=2 failed=1") {
		t.Errorf("final line wrong:\n%s", out)
	}
	if strings.Count(out, "msg=finished") != 1 {
		t.Errorf("finished logged more than once:\n%s", out)
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
