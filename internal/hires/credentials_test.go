package hires

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocarina/gocsv"
)

const credInput = "in/new-hires.xlsx"

// withGenerated returns the ready records that carry a generated password.
func withGenerated(b *Batch) []*Derived {
	var out []*Derived
	for _, d := range b.Ready() {
		if d.Generated() {
			out = append(out, d)
		}
	}
	return out
}

// manyRecords expands n Sales Agents with distinct names: n Acefone
// records with generated passwords.
func manyRecords(t *testing.T, n int, first string) []*Derived {
	t.Helper()
	p := mustPlan(t, testPlan)
	var rows [][]string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s%c%c", first, 'a'+i/26, 'a'+i%26)
		rows = append(rows, row(map[string]string{"First name": name, "Work email": strings.ToLower(name) + "@acme.example",
			"Extension": fmt.Sprint(200 + i), "Systems": "-netsapiens.user"}))
	}
	people, _ := readPeople(t, p, rows...)
	recs := withGenerated(p.ExpandAll(people, Options{}))
	if len(recs) != n {
		t.Fatalf("%d records with generated passwords, want %d", len(recs), n)
	}
	return recs
}

// crash leaves c as a kill -9 would: its file handle (and lock) gone, the
// file not compacted.
func crash(c *CredentialsFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
	c.closed = true
}

func password(d *Derived) string { return d.Values[generatedIndex(d)].Text }

func openCreds(t *testing.T, dir string) *CredentialsFile {
	t.Helper()
	c, err := OpenCredentials(dir, credInput)
	if err != nil {
		t.Fatalf("OpenCredentials: %v", err)
	}
	return c
}

// readBack reads the file with gocsv as a spreadsheet tool would.
func readBack(t *testing.T, path string) []CredentialLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []CredentialLine
	if err := gocsv.UnmarshalFile(f, &lines); err != nil {
		t.Fatalf("reading %s back with gocsv: %v", path, err)
	}
	return lines
}

func statuses(lines []CredentialLine) string {
	var s []string
	for _, l := range lines {
		s = append(s, l.Status)
	}
	return strings.Join(s, ", ")
}

func TestCredentialsFilePath(t *testing.T) {
	got := CredentialsFilePath("reports", "in/new-hires.xlsx")
	if got != filepath.Join("reports", "new-hires-CREDENTIALS.csv") {
		t.Errorf("path = %s", got)
	}
}

// A run killed after sending: the rerun sends the same passwords, settles
// them, and the file ends with one line per account.
func TestCredentialsPasswordsFollowTheAccountAcrossReruns(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 3, 9, 15, 0, 0, time.UTC)

	// Run 1 writes the passwords before sending, then is killed: no Close.
	c1 := openCreds(t, dir)
	c1.now = func() time.Time { return now }
	run1 := withGenerated(expandTestBatch(t))
	if len(run1) != 3 {
		t.Fatalf("%d records, want 3", len(run1))
	}
	var sent []string
	for _, d := range run1 {
		if c1.Reuse(d) {
			t.Fatalf("first run reused a password for %s", d.Key())
		}
		if err := c1.Add(d, "run-1"); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, password(d))
	}
	if c1.Count() != 3 {
		t.Errorf("Count = %d, want 3", c1.Count())
	}
	if got := statuses(readBack(t, c1.Path())); got != "not confirmed, not confirmed, not confirmed" {
		t.Errorf("after run 1: %s", got)
	}
	crash(c1)

	// Run 2: fresh expansion, new passwords; Reuse brings back the sent ones.
	c2 := openCreds(t, dir)
	c2.now = func() time.Time { return now.Add(time.Hour) }
	run2 := withGenerated(expandTestBatch(t))
	for i, d := range run2 {
		if password(d) == sent[i] {
			t.Fatal("a fresh expansion generated the same password")
		}
		if !c2.Reuse(d) {
			t.Fatalf("record %s: the not confirmed password was not reused", d.Key())
		}
		key := d.Values[generatedIndex(d)].Key
		if password(d) != sent[i] || d.Record.Text(key) != sent[i] {
			t.Fatalf("record %s: reused %q (record %q), want the password sent by run 1", d.Key(), password(d), d.Record.Text(key))
		}
		if err := c2.Add(d, "run-2"); err != nil {
			t.Fatal(err)
		}
	}
	if c2.Count() != 0 {
		t.Errorf("run 2 wrote %d new passwords, want 0 (all reused)", c2.Count())
	}
	// Created; exists after reconciling run 1's in-flight create; refused.
	settle := []Settlement{Applied, Applied, NotApplied}
	for i, d := range run2 {
		if err := c2.Settle(d.Target.ID, d.Key(), settle[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}

	got := readBack(t, c2.Path())
	want := []CredentialLine{
		{Sheet: "New Hires", Row: 2, Name: "Jane Smith", Email: "jane.smith@acme.example", System: "Acefone", Login: "jane.smith", Password: sent[0],
			Status: CredSet, Run: "run-1", Updated: "2025-03-03T10:15:00Z", Target: "acefone.user", Account: run2[0].Key()},
		{Sheet: "New Hires", Row: 3, Name: "'=Mo Smith", Email: "mo@acme.example", System: "Acefone", Login: "'=mo.smith", Password: sent[1],
			Status: CredSet, Run: "run-1", Updated: "2025-03-03T10:15:00Z", Target: "acefone.user", Account: "'=mo.smith"},
		{Sheet: "New Hires", Row: 3, Name: "'=Mo Smith", Email: "mo@acme.example", System: vendorLabel(run2[2].Target), Login: run2[2].login(),
			Password: sent[2], Status: CredNotSet, Run: "run-1", Updated: "2025-03-03T10:15:00Z", Target: "fonedynamics.login", Account: run2[2].Key()},
	}
	if !slices.Equal(got, want) {
		t.Errorf("file read back:\n got %+v\nwant %+v", got, want)
	}

	// Run 3 (a run killed after the vendor's answer but before the state
	// said so sends again): a "set" password is the account's and is kept;
	// a "not set" one was refused and a new one is sent.
	c3 := openCreds(t, dir)
	for i, d := range withGenerated(expandTestBatch(t)) {
		reused := c3.Reuse(d)
		if wantReuse := settle[i] == Applied; reused != wantReuse || reused && password(d) != sent[i] {
			t.Errorf("record %s: reused %v, want %v", d.Key(), reused, wantReuse)
		}
		if err := c3.Add(d, "run-3"); err != nil {
			t.Fatal(err)
		}
	}
	if c3.Count() != 1 {
		t.Errorf("run 3 wrote %d new passwords, want 1 (only the refused account's)", c3.Count())
	}
	if err := c3.Close(); err != nil {
		t.Fatal(err)
	}
}

// The statuses as runs go on: refused, then set, then kept: a set password
// is the account's, so a later run sends it again rather than a new one.
func TestCredentialsStatuses(t *testing.T) {
	dir := t.TempDir()
	run := func(name string, s Settlement, wantReuse bool) string {
		c := openCreds(t, dir)
		d := withGenerated(expandTestBatch(t))[0]
		if c.Reuse(d) != wantReuse {
			t.Fatalf("%s: reused %v, want %v", name, !wantReuse, wantReuse)
		}
		if err := c.Add(d, name); err != nil {
			t.Fatal(err)
		}
		if err := c.Settle(d.Target.ID, d.Key(), s); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		return password(d)
	}
	a := run("run-1", NotApplied, false)
	b := run("run-2", Applied, false)
	if got := statuses(readBack(t, filepath.Join(dir, "new-hires-CREDENTIALS.csv"))); got != "not set, set" {
		t.Errorf("after run 2: %s", got)
	}
	c := run("run-3", Applied, true)
	lines := readBack(t, filepath.Join(dir, "new-hires-CREDENTIALS.csv"))
	if got := statuses(lines); got != "not set, set" || c != b {
		t.Errorf("after run 3: %s (password kept: %v)", got, c == b)
	}
	for i, pw := range []string{a, b} {
		if lines[i].Password != pw {
			t.Errorf("line %d has password %q, want %q", i+1, lines[i].Password, pw)
		}
	}
	lines = append(lines, lines[1])
	// Settling twice, or an account without a line, changes nothing.
	cf := openCreds(t, dir)
	if err := cf.Settle("acefone.user", lines[2].Account, NotApplied); err != nil {
		t.Fatal(err)
	}
	if err := cf.Settle("acefone.user", "nobody", Applied); err != nil {
		t.Fatal(err)
	}
	if err := cf.Settle("acefone.user", "nobody", Settlement(0)); err == nil {
		t.Error("an unknown settlement was accepted")
	}
	if err := cf.Close(); err != nil {
		t.Fatal(err)
	}
	if got := statuses(readBack(t, cf.Path())); got != "not set, set" {
		t.Errorf("after settling again: %s", got)
	}
}

// compact's rules on lines built by hand.
func TestCredentialsCompact(t *testing.T) {
	l := func(acct, pw, status string) CredentialLine {
		return CredentialLine{Target: "t", Account: acct, Password: pw, Status: status}
	}
	in := []CredentialLine{
		l("x", "A", CredNotConfirmed), l("y", "P", CredSet), l("x", "A", CredSet), // x: A sent, then set
		l("x", "B", CredNotConfirmed),                       // x: B in flight: A not superseded yet
		l("z", "Q", CredNotConfirmed), l("z", "R", CredSet), // z: Q never confirmed, R set after it
		l("w", "S", CredNotSet), l("w", "T", CredSet), // w: S refused, T set
	}
	got := statuses(compact(in))
	want := "set, not confirmed, set, superseded, set, not set, set"
	if got != want {
		t.Errorf("compact = %s\nwant %s", got, want)
	}
	in = append(in, l("x", "B", CredSet))
	out := compact(in)
	if out[0].Password != "A" || out[0].Status != CredSuperseded || out[1].Password != "B" || out[1].Status != CredSet {
		t.Errorf("after B set: %+v", out[:2])
	}
}

func TestCredentialsAppendAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	for r, first := range []string{"Ann", "Bob"} {
		c := openCreds(t, dir)
		for _, d := range manyRecords(t, 3, first) {
			if err := c.Add(d, fmt.Sprintf("run-%d", r+1)); err != nil {
				t.Fatal(err)
			}
			if err := c.Settle(d.Target.ID, d.Key(), Applied); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "new-hires-CREDENTIALS.csv")
	lines := readBack(t, path)
	if len(lines) != 6 || lines[0].Run != "run-1" || lines[5].Run != "run-2" || lines[0].Name != "Annaa Smith" || lines[5].Name != "Bobac Smith" {
		t.Fatalf("lines = %+v", lines)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "Password"); n != 1 {
		t.Errorf("the header appears %d times", n)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the credentials file", len(entries))
	}
}

// A kill -9 in the middle of a write leaves a torn last line: the next
// run reads the whole lines and cuts the torn one before appending.
func TestCredentialsTornLastLine(t *testing.T) {
	dir := t.TempDir()
	c1 := openCreds(t, dir)
	recs := manyRecords(t, 3, "Cy")
	for _, d := range recs[:2] {
		if err := c1.Add(d, "run-1"); err != nil {
			t.Fatal(err)
		}
	}
	whole, _ := os.ReadFile(c1.Path())
	f, err := os.OpenFile(c1.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`New Hires,4,"Cut Sh`)
	f.Close()
	crash(c1)

	c2 := openCreds(t, dir)
	if n := len(c2.Lines()); n != 2 {
		t.Fatalf("read %d lines, want 2", n)
	}
	if err := c2.Add(recs[2], "run-2"); err != nil {
		t.Fatal(err)
	}
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(c2.Path())
	if strings.Contains(string(data), "Cut Sh") || !strings.HasPrefix(string(data), strings.SplitN(string(whole), "\n", 2)[0]) {
		t.Errorf("file after repair:\n%s", data)
	}
	if n := len(readBack(t, c2.Path())); n != 3 {
		t.Errorf("%d lines, want 3", n)
	}

	// A file cut inside its header, or empty, reads as no lines.
	for _, content := range []string{"", "Sheet,Row,Na"} {
		d2 := t.TempDir()
		if err := os.WriteFile(CredentialsFilePath(d2, credInput), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		c := openCreds(t, d2)
		if err := c.Add(recs[0], "run-1"); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if lines := readBack(t, c.Path()); len(lines) != 1 || lines[0].Password != password(recs[0]) {
			t.Errorf("file that held %q: %+v", content, lines)
		}
	}
}

func TestCredentialsMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	c := openCreds(t, dir)
	d := manyRecords(t, 1, "Di")[0]
	if err := c.Add(d, "run-1"); err != nil {
		t.Fatal(err)
	}
	mode := func() os.FileMode {
		st, err := os.Stat(c.Path())
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	if m := mode(); m != 0o600 {
		t.Errorf("mode after Add = %v", m)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("mode after Close = %v", m)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("folder mode = %v", st.Mode().Perm())
	}
	// A wider mode (someone ran chmod) is narrowed when the file is opened.
	if err := os.Chmod(c.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	openCreds(t, dir)
	if m := mode(); m != 0o600 {
		t.Errorf("mode after reopening a 0644 file = %v", m)
	}
}

func TestCredentialsRefusesWhatIsNotItsFile(t *testing.T) {
	d := manyRecords(t, 1, "Ed")[0]
	t.Run("symlink", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "elsewhere.csv")
		if err := os.WriteFile(target, []byte("precious\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		path := CredentialsFilePath(dir, credInput)
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		_, err := OpenCredentials(dir, credInput)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), "move it away") {
			t.Errorf("error = %v", err)
		}
		// Made a link after Open: the first write refuses it as well.
		os.Remove(path)
		c := openCreds(t, dir)
		os.Symlink(target, path)
		if err := c.Add(d, "run-1"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Add through a symlink: %v", err)
		}
		if data, _ := os.ReadFile(target); string(data) != "precious\n" {
			t.Errorf("the link's target changed: %q", data)
		}
		if st, _ := os.Stat(target); st.Mode().Perm() != 0o644 {
			t.Errorf("the link's target mode changed: %v", st.Mode().Perm())
		}
	})
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(CredentialsFilePath(dir, credInput), 0o700)
		if _, err := OpenCredentials(dir, credInput); err == nil || !strings.Contains(err.Error(), "is a folder") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("another CSV", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(CredentialsFilePath(dir, credInput), []byte("Name,Phone\nAnn,1\n"), 0o600)
		if _, err := OpenCredentials(dir, credInput); err == nil || !strings.Contains(err.Error(), "not a credentials file") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("damaged", func(t *testing.T) {
		dir := t.TempDir()
		c := openCreds(t, dir)
		c.Add(d, "run-1")
		c.Close()
		data, _ := os.ReadFile(c.Path())
		lines := strings.SplitAfterN(string(data), "\n", 2)
		os.WriteFile(c.Path(), []byte(lines[0]+"x,\"y\n"+lines[1]), 0o600)
		if _, err := OpenCredentials(dir, credInput); err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), c.Path()) {
			t.Errorf("error = %v", err)
		}
	})
}

func TestCredentialsCellsAreFormulaSafe(t *testing.T) {
	dir := t.TempDir()
	p := mustPlan(t, testPlan)
	names := []string{"=HYPERLINK(1)", "+Cmd", "-Dash", "@Sum", "'Quote", "Line\nBreak"}
	var rows [][]string
	for i, n := range names {
		rows = append(rows, row(map[string]string{"First name": n, "Last name": fmt.Sprintf("L%c", 'a'+i), "Work email": fmt.Sprintf("p%d@acme.example", i),
			"Extension": fmt.Sprint(300 + i), "Systems": "-netsapiens.user"}))
	}
	people, _ := readPeople(t, p, rows...)
	recs := withGenerated(p.ExpandAll(people, Options{}))
	c := openCreds(t, dir)
	for _, d := range recs {
		if err := c.Add(d, "=run"); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != len(recs)+1 || len(recs) < 5 {
		t.Fatalf("%d rows for %d records", len(raw), len(recs))
	}
	for _, r := range raw {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) || strings.ContainsAny(cell, "\r\n") {
				t.Errorf("unsafe cell %q in %q", cell, r)
			}
		}
	}
	// Reading the file again gives the texts back.
	lines := openCreds(t, dir).Lines()
	for i, d := range recs {
		want := strings.ReplaceAll(d.Person.Name(), "\n", " ")
		if lines[i].Name != want || lines[i].Run != "=run" || lines[i].Login != strings.ReplaceAll(d.login(), "\n", " ") || lines[i].Password != password(d) {
			t.Errorf("line %d: %+v, want name %q", i, lines[i], want)
		}
	}
	for _, s := range []string{"=a", "'=a", "''", "'", "a", "", "'a", "\t1"} {
		if got := decodeCell(encodeCell(s)); got != s {
			t.Errorf("decodeCell(encodeCell(%q)) = %q", s, got)
		}
	}
}

func TestCredentialsConcurrentAdd(t *testing.T) {
	dir := t.TempDir()
	recs := manyRecords(t, 40, "Fa")
	c := openCreds(t, dir)
	var wg sync.WaitGroup
	errs := make(chan error, len(recs))
	for _, d := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Reuse(d)
			if err := c.Add(d, "run-1"); err != nil {
				errs <- err
				return
			}
			errs <- c.Settle(d.Target.ID, d.Key(), Applied)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if c.Count() != len(recs) {
		t.Errorf("Count = %d", c.Count())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readBack(t, c.Path())
	if len(lines) != len(recs) {
		t.Fatalf("%d lines, want %d", len(lines), len(recs))
	}
	byAccount := map[string]CredentialLine{}
	for _, l := range lines {
		byAccount[l.Account] = l
	}
	for _, d := range recs {
		if l := byAccount[d.Key()]; l.Password != password(d) || l.Status != CredSet {
			t.Errorf("account %s: %+v", d.Key(), l)
		}
	}
}

// Two runs writing to one file at once: the second is refused until the
// first has closed, then it appends to the file the first left.
func TestCredentialsOneWriterAtATime(t *testing.T) {
	dir := t.TempDir()
	recs := manyRecords(t, 2, "Gu")
	c1, c2 := openCreds(t, dir), openCreds(t, dir)
	if err := c1.Add(recs[0], "run-1"); err != nil {
		t.Fatal(err)
	}
	err := c2.Add(recs[1], "run-2")
	if err == nil || !strings.Contains(err.Error(), "another onboard run is writing passwords to "+c2.Path()) {
		t.Fatalf("second writer: %v", err)
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c2.Add(recs[1], "run-2"); err != nil {
		t.Fatalf("second writer after the first closed: %v", err)
	}
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := readBack(t, c2.Path()); len(lines) != 2 {
		t.Errorf("lines = %+v", lines)
	}
}

func TestCredentialsNoFileWithoutPasswords(t *testing.T) {
	dir := t.TempDir()
	c := openCreds(t, dir)
	for _, d := range expandTestBatch(t).Records {
		if !d.Generated() {
			if c.Reuse(d) {
				t.Error("Reuse on a record without a generated password")
			}
			if err := c.Add(d, "run-1"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files were created: %v", entries)
	}
}

// TestCredentialsSurviveKill9 kills a process that is adding passwords at
// several points: every password it reported as written (so the create
// would have been sent) is read back by the next run, "not confirmed", and
// Reuse gives it to the rerun.
func TestCredentialsSurviveKill9(t *testing.T) {
	if dir := os.Getenv("ONBOARD_CREDENTIALS_CHILD"); dir != "" {
		c := openCreds(t, dir)
		for _, d := range manyRecords(t, 60, "Ki") {
			if err := c.Add(d, "killed"); err != nil {
				t.Fatal(err)
			}
			fmt.Printf("sent %s %s\n", d.Key(), password(d)) // the create would go out now
		}
		select {} // wait to be killed
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []int{1, 7, 23, 60} {
		dir := t.TempDir()
		cmd := exec.Command(exe, "-test.run=^TestCredentialsSurviveKill9$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ONBOARD_CREDENTIALS_CHILD="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sent := map[string]string{}
		sc := bufio.NewScanner(out)
		for len(sent) < after && sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "sent" {
				sent[f[1]] = f[2]
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if len(sent) < after {
			t.Fatalf("the child stopped after %d passwords", len(sent))
		}
		c := openCreds(t, dir)
		recs := manyRecords(t, 60, "Ki")
		reused := 0
		for _, d := range recs {
			want, wasSent := sent[d.Key()]
			if c.Reuse(d) {
				reused++
			}
			if wasSent && password(d) != want {
				t.Errorf("kill after %d: %s got %q on rerun, want the sent %q", after, d.Key(), password(d), want)
			}
		}
		if reused < len(sent) { // the kill may land after a few more writes
			t.Errorf("kill after %d: %d passwords reused, %d sent", after, reused, len(sent))
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A run killed inside Close leaves a temporary copy with passwords: the
// next run that writes removes it.
func TestCredentialsRemovesStaleTempCopy(t *testing.T) {
	dir := t.TempDir()
	recs := manyRecords(t, 2, "Ho")
	c := openCreds(t, dir)
	if err := c.Add(recs[0], "run-1"); err != nil {
		t.Fatal(err)
	}
	crash(c)
	stale := filepath.Join(dir, ".new-hires-CREDENTIALS.csv-123.tmp")
	if err := os.WriteFile(stale, []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = openCreds(t, dir)
	if err := c.Add(recs[1], "run-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale copy is still there: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := readBack(t, c.Path()); len(lines) != 2 {
		t.Errorf("lines = %d, want 2", len(lines))
	}
}

func TestLegacyCredentialsFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"new-hires-CREDENTIALS-20250303-091500.csv", "new-hires-CREDENTIALS.csv", "other-CREDENTIALS-20250303-091500.csv", "new-hires-result-1.xlsx"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o600)
	}
	got, err := LegacyCredentialsFiles(dir, credInput)
	if err != nil || len(got) != 1 || filepath.Base(got[0]) != "new-hires-CREDENTIALS-20250303-091500.csv" {
		t.Errorf("LegacyCredentialsFiles = %v, %v", got, err)
	}
	if got, err := LegacyCredentialsFiles(filepath.Join(dir, "none"), credInput); got != nil || err != nil {
		t.Errorf("missing folder: %v, %v", got, err)
	}
}

// A run killed before Close leaves appended lines; the next run tidies
// the file even when it writes nothing itself.
func TestCredentialsUntidyFileIsTidiedByTheNextRun(t *testing.T) {
	dir := t.TempDir()
	c1 := openCreds(t, dir)
	recs := withGenerated(expandTestBatch(t))
	for _, d := range recs {
		if err := c1.Add(d, "run-1"); err != nil {
			t.Fatal(err)
		}
		if err := c1.Settle(d.Target.ID, d.Key(), Applied); err != nil {
			t.Fatal(err)
		}
	}
	crash(c1)
	if n := len(readBack(t, c1.Path())); n != 2*len(recs) {
		t.Fatalf("after the kill: %d lines, want %d (not confirmed, then set)", n, 2*len(recs))
	}
	c2 := openCreds(t, dir)
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readBack(t, c2.Path())
	if len(lines) != len(recs) || statuses(lines) != "set, set, set" {
		t.Errorf("after a rerun that wrote nothing: %d lines, %s", len(lines), statuses(lines))
	}
	c3 := openCreds(t, dir) // already tidy: left alone
	if err := c3.Close(); err != nil {
		t.Fatal(err)
	}
}
