package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2026, 11, 30, 2, 0, 0, 0, time.Local)

const today = "2026-11-30"

// fakeRun writes a workbook next to the input and fails files whose name
// contains "bad"; it counts the runs per name.
type fakeRun struct {
	runs map[string]int
	ids  map[string]string
}

func (f *fakeRun) run(_ context.Context, job Job) (Outcome, error) {
	if f.runs == nil {
		f.runs, f.ids = map[string]int{}, map[string]string{}
	}
	f.runs[job.Name]++
	f.ids[job.Name] = job.ID
	wb := strings.TrimSuffix(job.Name, filepath.Ext(job.Name)) + "-result-" + job.ID + ".xlsx"
	if err := os.WriteFile(filepath.Join(job.Work, wb), []byte("workbook of "+job.Name), 0o600); err != nil {
		return Outcome{}, err
	}
	return Outcome{Failed: strings.Contains(job.Name, "bad"), Files: []string{wb}}, nil
}

func options(dir string, f *fakeRun) Options {
	n := 0
	return Options{Dir: dir, Run: f.run, Now: func() time.Time { return day },
		NewID: func(time.Time) string { n++; return "run" + string(rune('a'+n-1)) }}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // before any test clock
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
}

// tree lists every file under dir (relative), the lock file excepted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." && rel != LockName {
			if d.IsDir() {
				rel += "/"
			}
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func TestPassFilesEachSpreadsheetWithItsWorkbookAndLeavesTheRest(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "good.csv"), "a,b\n1,2\n")
	write(t, filepath.Join(dir, "bad.xlsx"), "x")
	for _, name := range []string{"~$good.xlsx", ".hidden.csv", "upload.csv.part", "copy.xlsx.tmp", "notes.txt"} {
		write(t, filepath.Join(dir, name), "x")
	}
	f := &fakeRun{}
	rep, err := Pass(context.Background(), options(dir, f))
	if err != nil {
		t.Fatal(err)
	}
	got := tree(t, dir)
	for _, want := range []string{
		"done/" + today + "/good.csv", "done/" + today + "/good-result-" + f.ids["good.csv"] + ".xlsx",
		"failed/" + today + "/bad.xlsx", "failed/" + today + "/bad-result-" + f.ids["bad.xlsx"] + ".xlsx",
		"~$good.xlsx", ".hidden.csv", "upload.csv.part", "copy.xlsx.tmp", "notes.txt", "processing/",
	} {
		if !has(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
	for _, p := range got {
		if strings.HasPrefix(p, "processing/") && p != "processing/" {
			t.Errorf("left in processing: %s", p)
		}
	}
	if len(rep.Files) != 2 || !rep.Failed() || len(rep.Skipped) != 5 {
		t.Errorf("report: %d files, failed %v, skipped %v", len(rep.Files), rep.Failed(), rep.Skipped)
	}
	reasons := map[string]string{}
	for _, s := range rep.Skipped {
		reasons[s.Name] = s.Reason
	}
	if !strings.Contains(reasons["~$good.xlsx"], "Office lock file") || !strings.Contains(reasons["upload.csv.part"], "still being copied") {
		t.Errorf("reasons: %v", reasons)
	}
}

func TestSettleWindowLeavesAFileThatIsStillBeingWritten(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "late.csv"), "a,b\n1,")
	write(t, filepath.Join(dir, "steady.csv"), "a,b\n1,2\n")
	f := &fakeRun{}
	opt := options(dir, f)
	opt.Now = time.Now
	opt.Settle = time.Hour // never waited for: Wait stands in for it
	waits := 0
	opt.Wait = func(ctx context.Context, d time.Duration) error {
		waits++
		if d != time.Hour {
			t.Errorf("waited %s", d)
		}
		// The writer adds to the file during the window.
		fh, err := os.OpenFile(filepath.Join(dir, "late.csv"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer fh.Close()
		_, err = fh.WriteString("2\n")
		return err
	}
	rep, err := Pass(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if waits != 1 || f.runs["late.csv"] != 0 || f.runs["steady.csv"] != 1 {
		t.Fatalf("waits %d, runs %v", waits, f.runs)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].Name != "late.csv" || !strings.Contains(rep.Skipped[0].Reason, "still being written") {
		t.Errorf("skipped %v", rep.Skipped)
	}
	// Complete now: the next pass takes it.
	opt.Wait = func(context.Context, time.Duration) error { return nil }
	past := time.Now().Add(-time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "late.csv"), past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := Pass(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	if f.runs["late.csv"] != 1 {
		t.Errorf("late.csv not taken once complete: %v", f.runs)
	}
}

func TestAFileModifiedAfterTheWindowStartedIsNotTaken(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "writing.xlsx")
	write(t, path, "x")
	future := day.Add(time.Minute)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	f := &fakeRun{}
	rep, err := Pass(context.Background(), options(dir, f))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.runs) != 0 || len(rep.Skipped) != 1 {
		t.Fatalf("runs %v skipped %v", f.runs, rep.Skipped)
	}
}

func TestANameTakenInDoneGetsASuffixAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "done", today, "hires.csv"), "older")
	write(t, filepath.Join(dir, "hires.csv"), "newer")
	f := &fakeRun{}
	rep, err := Pass(context.Background(), options(dir, f))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "done", today, "hires.csv")); string(b) != "older" {
		t.Errorf("the older file was overwritten: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "done", today, "hires-2.csv")); string(b) != "newer" {
		t.Errorf("hires-2.csv holds %q", b)
	}
	if len(rep.Files) != 1 || len(rep.Files[0].Moved.Notes) != 1 || !strings.Contains(rep.Files[0].Moved.Notes[0], "so this one is hires-2.csv") {
		t.Errorf("notes: %+v", rep.Files)
	}
}

func TestTheSameContentAsADoneFileIsNotRunAgain(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "again.csv"), "a,b\n1,2\n")
	f := &fakeRun{}
	opt := options(dir, f)
	var recorded []Outcome
	opt.Seen = func(hash string) (string, string, bool, error) {
		return "earlier", "hires.csv, done on 2026-11-29", hash == hashOf("a,b\n1,2\n"), nil
	}
	opt.Record = func(_ Job, o Outcome, _ Moved) error { recorded = append(recorded, o); return nil }
	rep, err := Pass(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.runs) != 0 {
		t.Fatalf("run again: %v", f.runs)
	}
	if _, err := os.Stat(filepath.Join(dir, "done", today, "again.csv")); err != nil {
		t.Error(err)
	}
	if len(rep.Files) != 1 || !rep.Files[0].Duplicate || rep.Failed() || len(recorded) != 1 || !recorded[0].Duplicate {
		t.Errorf("report %+v recorded %+v", rep.Files, recorded)
	}
	if !strings.Contains(strings.Join(rep.Files[0].Outcome.Notes, " "), "hires.csv, done on 2026-11-29") {
		t.Errorf("notes %v", rep.Files[0].Outcome.Notes)
	}
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestASecondPassWhileOneRunsTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "hires.csv"), "x")
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	before := tree(t, dir)
	f := &fakeRun{}
	_, err = Pass(context.Background(), options(dir, f))
	var busy *BusyError
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), "this pass did nothing") {
		t.Fatalf("err = %v", err)
	}
	if after := tree(t, dir); strings.Join(after, "|") != strings.Join(before, "|") || len(f.runs) != 0 {
		t.Errorf("tree changed: %v → %v; runs %v", before, after, f.runs)
	}
	unlock()
	if _, err := Pass(context.Background(), options(dir, f)); err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
}

func TestARunThatStopsLeavesTheFileInProcessingAndTheNextPassFinishesIt(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "hires.csv"), "x")
	f := &fakeRun{}
	opt := options(dir, f)
	stop := errors.New("killed")
	opt.Run = func(ctx context.Context, job Job) (Outcome, error) {
		// A half-written workbook, then the run dies.
		_ = os.WriteFile(filepath.Join(job.Work, "half.xlsx.tmp"), []byte("half"), 0o600)
		return Outcome{}, stop
	}
	if _, err := Pass(context.Background(), opt); !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	if !has(tree(t, dir), "processing/runa/hires.csv") {
		t.Fatalf("not in processing: %v", tree(t, dir))
	}
	opt.Run = f.run
	rep, err := Pass(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	got := tree(t, dir)
	want := []string{"done/", "done/" + today + "/", "done/" + today + "/hires-result-runa.xlsx", "done/" + today + "/hires.csv", "processing/"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tree %v, want %v", got, want)
	}
	if f.ids["hires.csv"] != "runa" || len(rep.Files) != 1 || !rep.Files[0].Resumed {
		t.Errorf("resumed run: ids %v report %+v", f.ids, rep.Files)
	}
}

func TestAHistoryThatCannotBeWrittenKeepsTheFileInProcessing(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "hires.csv"), "x")
	f := &fakeRun{}
	opt := options(dir, f)
	opt.Record = func(Job, Outcome, Moved) error { return errors.New("disk full") }
	if _, err := Pass(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if !has(tree(t, dir), "processing/runa/hires.csv") {
		t.Fatalf("tree %v", tree(t, dir))
	}
}

// The journal states a kill can leave, each finished by the next pass.
func TestEveryJournalStateIsFinishedByTheNextPass(t *testing.T) {
	t.Run("folder made, file not yet moved in", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "hires.csv"), "x")
		write(t, filepath.Join(dir, Processing, "old", inputNote), "hires.csv")
		f := &fakeRun{}
		if _, err := Pass(context.Background(), options(dir, f)); err != nil {
			t.Fatal(err)
		}
		if f.runs["hires.csv"] != 1 || !has(tree(t, dir), "done/"+today+"/hires.csv") || has(tree(t, dir), "processing/old/") {
			t.Errorf("runs %v tree %v", f.runs, tree(t, dir))
		}
	})
	t.Run("moves decided, some made", func(t *testing.T) {
		dir := t.TempDir()
		work := filepath.Join(dir, Processing, "old")
		write(t, filepath.Join(work, inputNote), "hires.csv")
		write(t, filepath.Join(work, "hires.csv"), "x")
		write(t, filepath.Join(dir, "failed", "2026-11-29", "hires-result-old.xlsx"), "wb") // moved before the kill
		write(t, filepath.Join(work, movesNote), `{"folder":"failed/2026-11-29","input":"failed/2026-11-29/hires.csv",`+
			`"moves":{"hires.csv":"failed/2026-11-29/hires.csv","hires-result-old.xlsx":"failed/2026-11-29/hires-result-old.xlsx"}}`)
		f := &fakeRun{}
		rep, err := Pass(context.Background(), options(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got := tree(t, dir)
		if len(f.runs) != 0 || !has(got, "failed/2026-11-29/hires.csv") || !has(got, "failed/2026-11-29/hires-result-old.xlsx") || has(got, "processing/old/") {
			t.Errorf("runs %v tree %v", f.runs, got)
		}
		if len(rep.Files) != 1 || !rep.Files[0].Outcome.Failed || !rep.Failed() {
			t.Errorf("report %+v", rep.Files)
		}
	})
}

func TestADryRunMovesNothing(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bad.csv"), "x")
	f := &fakeRun{}
	opt := options(dir, f)
	opt.DryRun = true
	rep, err := Pass(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	got := tree(t, dir)
	if !has(got, "bad.csv") || has(got, "processing/") || has(got, "done/") || has(got, "failed/") {
		t.Errorf("tree %v", got)
	}
	if !has(got, "dry-run/"+today+"/bad-result-runa.xlsx") || !rep.Failed() || f.runs["bad.csv"] != 1 {
		t.Errorf("tree %v runs %v", got, f.runs)
	}
}

func TestAMissingInboxIsSaidPlainly(t *testing.T) {
	_, err := Pass(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "nope"), Run: (&fakeRun{}).run})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
}
