package hires

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gocarina/gocsv"
)

// Statuses of a line of the credentials file.
const (
	// CredSet: the vendor confirmed the create with this password.
	CredSet = "set"
	// CredNotConfirmed: the password was sent (or was about to be) and no
	// answer said either way, e.g. the run was stopped; the next run sends
	// the same password again and settles the line.
	CredNotConfirmed = "not confirmed"
	// CredNotSet: the vendor refused the create, or the account existed
	// before onboard sent it: this password does not work.
	CredNotSet = "not set"
	// CredSuperseded: a newer password was set for the same account.
	CredSuperseded = "superseded"
)

// CredentialLine is one line of the credentials file: one generated
// password of one account. Target and Account (the record's natural key)
// identify the account across runs.
type CredentialLine struct {
	Sheet    string `csv:"Sheet"`
	Row      int    `csv:"Row"`
	Name     string `csv:"Name"`
	Email    string `csv:"Work email"`
	System   string `csv:"System"`
	Login    string `csv:"Login"`
	Password string `csv:"Password"`
	Status   string `csv:"Status"`
	Run      string `csv:"Run"`     // the run that generated the password
	Updated  string `csv:"Updated"` // when the status last changed (UTC, RFC 3339)
	Target   string `csv:"Target"`
	Account  string `csv:"Account"`
}

// credentialColumns are the columns a credentials file must have to be
// read back; the rest are for people.
var credentialColumns = []string{"Password", "Status", "Target", "Account"}

// Settlement is what the vendor's answer says about a sent password.
type Settlement int

const (
	// Applied: the account was created with the password, or it exists and
	// the batch reconciled it as onboard's own in-flight create.
	Applied Settlement = iota + 1
	// NotApplied: a definitive refusal (invalid), or the account existed
	// before onboard's create, so the password was never set.
	NotApplied
)

// CredentialsFilePath returns the one credentials file of an input sheet:
// dir/<input name without extension>-CREDENTIALS.csv, e.g.
// reports/new-hires-CREDENTIALS.csv.
func CredentialsFilePath(dir, input string) string {
	base := strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
	return filepath.Join(dir, base+"-CREDENTIALS.csv")
}

// CredentialsFile is the one credentials file of an input sheet, kept
// across its runs: the only place generated passwords are ever written
// (never reports, state or logs), mode 0600.
//
// How a run uses it:
//  1. OpenCredentials once, before sending anything; it reads what
//     earlier runs wrote. Nothing is created yet.
//  2. Reuse on every record right after the sheet is expanded: a record
//     whose earlier password is still "not confirmed" gets it back, so a
//     rerun sends the password that may already be set.
//  3. Add right before a record's first create request of the run: the
//     line ("not confirmed") is on disk (fsync) before Add returns.
//  4. Settle once the answer is known: Applied for created (or exists
//     after reconciling onboard's own in-flight create, or a record the
//     state says an earlier run created), NotApplied for a definitive
//     refusal or an account that was there before. A failure that says
//     neither (network, stopped run): don't call it; the line stays "not
//     confirmed" for the next run.
//  5. Close at the end of the run, also after an error: it rewrites the
//     file with one line per account and password.
//
// A run killed at any point leaves a file the next OpenCredentials reads
// correctly: every change is a whole appended line, and a torn last line
// (a write cut short) is dropped. While a run is writing, it holds a lock
// on the file; another run writing to it at the same time is refused.
// Safe for concurrent use.
type CredentialsFile struct {
	path string
	now  func() time.Time

	mu       sync.Mutex
	lines    []CredentialLine     // the file's lines, then the ones appended
	accounts map[string]*accState // by account id
	valid    int64                // bytes of whole lines read from the file
	f        *os.File             // open and locked from the first write to Close
	written  int                  // passwords written by this run
	closed   bool
}

// accState indexes one account's lines: each distinct password once, in
// the order they first appear, with the position of its newest line.
type accState struct {
	passwords []string
	latest    map[string]int // password → index into lines
}

// OpenCredentials reads the credentials file of an input sheet
// (CredentialsFilePath) if there is one. A file with a wider mode than
// 0600 is narrowed to 0600. A symbolic link, a folder or any other
// non-regular file at that path is refused, and so is a CSV file that
// onboard did not write.
func OpenCredentials(dir, input string) (*CredentialsFile, error) {
	c := &CredentialsFile{path: CredentialsFilePath(dir, input), now: time.Now}
	f, err := c.openExisting(os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		c.reset(nil, 0)
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := c.narrowMode(f); err != nil {
		return nil, err
	}
	if err := c.load(f); err != nil {
		return nil, err
	}
	return c, nil
}

// Path returns the file's path.
func (c *CredentialsFile) Path() string { return c.path }

// Count returns how many passwords this run wrote to the file.
func (c *CredentialsFile) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written
}

// Lines returns the file's lines as they stand (after Close: as written).
func (c *CredentialsFile) Lines() []CredentialLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.lines)
}

// Reuse gives a record with a generated password the password an earlier
// run sent for the same account, if that line is "not confirmed" (the
// vendor may have set it) or "set" (the account has it: a run killed
// after the vendor's answer but before the state recorded it sends the
// record again, and must not replace the password that works), and
// reports whether it did. The record's
// parsed Record is updated too. A record without a generated password,
// or whose account has no such line, keeps its new password.
func (c *CredentialsFile) Reuse(d *Derived) bool {
	i := generatedIndex(d)
	if i < 0 {
		return false
	}
	c.mu.Lock()
	live, ok := c.live(accountID(d.Target.ID, d.Key()))
	c.mu.Unlock()
	if !ok || (live.Status != CredNotConfirmed && live.Status != CredSet) || live.Password == "" {
		return false
	}
	v := &d.Values[i]
	if v.Text == live.Password {
		return true
	}
	if d.Record.Target != nil {
		f := d.Target.Field(v.Key)
		if f == nil {
			return false
		}
		wire, prob := f.Parse(live.Password)
		if prob != nil {
			return false // the vendor's rules no longer take it: send the new one
		}
		d.Record.Set(v.Key, wire)
	}
	v.Text = live.Password
	return true
}

// Add writes a record's generated password as "not confirmed", synced to
// disk before it returns; call it right before the record's first create
// request of a run. Nothing is written for a record without a generated
// password, or when the same password is already "not confirmed" for the
// account (a rerun after Reuse). run names the run in the file.
func (c *CredentialsFile) Add(d *Derived, run string) error {
	i := generatedIndex(d)
	if i < 0 {
		return nil
	}
	pw := d.Values[i].Text
	id := accountID(d.Target.ID, d.Key())
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.newest(id, pw); ok && (l.Status == CredNotConfirmed || l.Status == CredSet) {
		return nil
	}
	p := d.Person
	line := CredentialLine{Sheet: p.Sheet, Row: p.Row, Name: p.Name(), Email: p.Text(WorkEmail), System: vendorLabel(d.Target),
		Login: d.login(), Password: pw, Status: CredNotConfirmed, Run: run, Target: d.Target.ID, Account: d.Key()}
	if err := c.appendLine(line); err != nil {
		return err
	}
	c.written++
	return nil
}

// Settle records what the vendor's answer says about the account's
// password that is "not confirmed" (see Settlement); the change is synced
// to disk. It does nothing when the account has no such line.
func (c *CredentialsFile) Settle(target, key string, s Settlement) error {
	status := CredSet
	switch s {
	case Applied:
	case NotApplied:
		status = CredNotSet
	default:
		return fmt.Errorf("settling the password of %s %s: unknown settlement %d", target, key, s)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	live, ok := c.live(accountID(target, key))
	if !ok || live.Status != CredNotConfirmed {
		return nil
	}
	live.Status = status
	return c.appendLine(live)
}

// Close rewrites the file, if this run changed it or an earlier run died
// before tidying it, with one line per account and password (compact):
// written to a temporary file in the same folder with mode 0600, synced,
// and renamed into place. Then the lock is released. Calling it again
// does nothing.
func (c *CredentialsFile) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if c.f == nil && !c.untidy() {
		c.closed = true
		return nil
	}
	if c.f == nil { // a killed run left it untidy: take the lock to tidy it
		if err := c.openForWriting(); err != nil {
			c.closed = true
			return err
		}
	}
	c.closed = true
	lines := compact(c.lines)
	err := c.replace(lines)
	if cerr := c.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the credentials file %s: %w", c.path, cerr)
	}
	c.f = nil
	if err == nil {
		c.reset(lines, 0)
	}
	return err
}

// untidy reports whether the file holds more lines than one per account
// and password with its newest status (a run killed before Close).
func (c *CredentialsFile) untidy() bool {
	return len(c.lines) > 0 && !slices.Equal(compact(c.lines), c.lines)
}

// generatedIndex returns the index of a record's generated password
// value, or -1.
func generatedIndex(d *Derived) int {
	for i, v := range d.Values {
		if v.Source.Kind == SourceGenerated {
			return i
		}
	}
	return -1
}

func accountID(target, key string) string { return target + "\x00" + key }

// reset replaces the lines and rebuilds the index.
func (c *CredentialsFile) reset(lines []CredentialLine, valid int64) {
	c.lines, c.valid = nil, valid
	c.accounts = map[string]*accState{}
	for _, l := range lines {
		c.index(l)
	}
}

// index appends a line to the in-memory lines.
func (c *CredentialsFile) index(l CredentialLine) {
	id := accountID(l.Target, l.Account)
	a := c.accounts[id]
	if a == nil {
		a = &accState{latest: map[string]int{}}
		c.accounts[id] = a
	}
	if _, ok := a.latest[l.Password]; !ok {
		a.passwords = append(a.passwords, l.Password)
	}
	a.latest[l.Password] = len(c.lines)
	c.lines = append(c.lines, l)
}

// newest returns the newest line of an account's password.
func (c *CredentialsFile) newest(id, pw string) (CredentialLine, bool) {
	a := c.accounts[id]
	if a == nil {
		return CredentialLine{}, false
	}
	i, ok := a.latest[pw]
	if !ok {
		return CredentialLine{}, false
	}
	return c.lines[i], true
}

// live returns the account's password that counts: of the passwords
// whose newest line is "set" or "not confirmed", the one changed last.
func (c *CredentialsFile) live(id string) (CredentialLine, bool) {
	a := c.accounts[id]
	if a == nil {
		return CredentialLine{}, false
	}
	best := -1
	for _, i := range a.latest {
		if s := c.lines[i].Status; (s == CredSet || s == CredNotConfirmed) && i > best {
			best = i
		}
	}
	if best < 0 {
		return CredentialLine{}, false
	}
	return c.lines[best], true
}

// compact returns one line per account and password, the newest of each,
// accounts in the order they first appear. A password that was set, or
// never confirmed, before a newer password of the account was set is
// marked superseded.
func compact(lines []CredentialLine) []CredentialLine {
	var order []string
	latest := map[string]map[string]int{}
	pwOrder := map[string][]string{}
	for i, l := range lines {
		id := accountID(l.Target, l.Account)
		if latest[id] == nil {
			latest[id] = map[string]int{}
			order = append(order, id)
		}
		if _, ok := latest[id][l.Password]; !ok {
			pwOrder[id] = append(pwOrder[id], l.Password)
		}
		latest[id][l.Password] = i
	}
	out := make([]CredentialLine, 0, len(lines))
	for _, id := range order {
		lastSet := -1
		for _, i := range latest[id] {
			if lines[i].Status == CredSet && i > lastSet {
				lastSet = i
			}
		}
		for _, pw := range pwOrder[id] {
			i := latest[id][pw]
			l := lines[i]
			if i < lastSet && (l.Status == CredSet || l.Status == CredNotConfirmed) {
				l.Status = CredSuperseded
			}
			out = append(out, l)
		}
	}
	return out
}

// openExisting opens the file at the path without following a symbolic
// link, and refuses anything but a regular file.
func (c *CredentialsFile) openExisting(flag int) (*os.File, error) {
	st, err := os.Lstat(c.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("reading the credentials file %s: %w", c.path, err)
	}
	if err := c.checkRegular(st); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.path, flag|oNoFollow, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("opening the credentials file %s: %w (it must be a plain file; move whatever is there away and run again)", c.path, err)
	}
	st, err = f.Stat()
	if err == nil {
		err = c.checkRegular(st)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkRegular refuses a symbolic link, folder, pipe or device.
func (c *CredentialsFile) checkRegular(st fs.FileInfo) error {
	what := ""
	switch m := st.Mode(); {
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link"
	case m.IsDir():
		what = "a folder"
	case !m.IsRegular():
		what = "not a plain file"
	default:
		return nil
	}
	return fmt.Errorf("the credentials file %s is %s; onboard writes passwords only to a plain file of its own: move it away (or pick another reports folder) and run again", c.path, what)
}

// narrowMode makes an existing file readable by its owner only.
func (c *CredentialsFile) narrowMode(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading the credentials file %s: %w", c.path, err)
	}
	if st.Mode().Perm()&^0o600 == 0 {
		return nil
	}
	if err := f.Chmod(st.Mode().Perm() & 0o600); err != nil {
		return fmt.Errorf("the credentials file %s can be read by others (mode %v) and could not be made private: %w; run chmod 600 on it", c.path, st.Mode().Perm(), err)
	}
	return nil
}

// load reads the whole file through f into the index. A torn last line
// (no line end) is left out; valid counts the bytes before it.
func (c *CredentialsFile) load(f *os.File) error {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<40))
	if err != nil {
		return fmt.Errorf("reading the credentials file %s: %w", c.path, err)
	}
	valid, err := c.wholeLines(data)
	if err != nil {
		return err
	}
	var lines []CredentialLine
	if valid > 0 {
		// Our own csv.Reader: gocsv's package-wide reader may be set by others.
		if err := gocsv.UnmarshalCSV(csv.NewReader(bytes.NewReader(data[:valid])), &lines); err != nil {
			return c.damaged(err)
		}
	}
	for i := range lines {
		decodeLine(&lines[i])
	}
	c.reset(lines, valid)
	return nil
}

// wholeLines returns the length of the file's whole CSV lines, checking
// the header names the columns onboard needs. Only the last line may be
// torn (what a write cut short by a crash leaves); damage before it is an
// error.
func (c *CredentialsFile) wholeLines(data []byte) (int64, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var valid int64
	header := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return valid, nil
		}
		end := r.InputOffset()
		torn := end == int64(len(data)) && (end == 0 || data[end-1] != '\n')
		if torn || (err != nil && bytes.IndexByte(data[valid:], '\n') < 0) {
			return valid, nil // the last line, cut short
		}
		if err != nil {
			return 0, c.damaged(err)
		}
		if header {
			for _, col := range credentialColumns {
				if !slices.Contains(rec, col) {
					return 0, fmt.Errorf("%s is not a credentials file written by onboard (it has no %s column); move it away and run again", c.path, col)
				}
			}
			header = false
		}
		valid = end
	}
}

func (c *CredentialsFile) damaged(err error) error {
	return fmt.Errorf("the credentials file %s is damaged: %w; keep a copy for its passwords, move it away and run again", c.path, err)
}

// appendLine stamps a line, appends it to the file and syncs it.
func (c *CredentialsFile) appendLine(l CredentialLine) error {
	if c.closed {
		return fmt.Errorf("writing the credentials file %s: already closed", c.path)
	}
	if c.f == nil {
		if err := c.openForWriting(); err != nil {
			return err
		}
	}
	l.Updated = c.now().UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	if err := marshalLines(&buf, []CredentialLine{l}, c.valid == 0); err != nil {
		return fmt.Errorf("writing the credentials file %s: %w", c.path, err)
	}
	if _, err := c.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the credentials file %s: %w", c.path, err)
	}
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("saving the credentials file %s: %w", c.path, err)
	}
	c.valid += int64(buf.Len())
	c.index(l)
	return nil
}

// openForWriting creates the file (0600, in a 0700 folder) or opens it,
// locks it, reads it again (another run may have written since Open),
// and cuts a torn last line.
func (c *CredentialsFile) openForWriting() error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("creating the folder for the credentials file %s: %w", c.path, err)
	}
	for attempt := 0; ; attempt++ {
		f, err := c.openExisting(os.O_RDWR | os.O_APPEND)
		if errors.Is(err, fs.ErrNotExist) {
			f, err = os.OpenFile(c.path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
			if errors.Is(err, fs.ErrExist) && attempt < 3 {
				continue // another run created it just now
			}
			if err == nil {
				syncDir(filepath.Dir(c.path))
			}
		}
		if err != nil {
			return fmt.Errorf("creating the credentials file %s: %w", c.path, err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return fmt.Errorf("another onboard run is writing passwords to %s right now; wait for it to finish and run again (%v)", c.path, err)
		}
		if !sameFile(f, c.path) && attempt < 3 {
			f.Close() // replaced by a run that just finished: open the new one
			continue
		}
		if err := c.narrowMode(f); err != nil {
			f.Close()
			return err
		}
		if err := c.load(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Truncate(c.valid); err != nil {
			f.Close()
			return fmt.Errorf("repairing the end of the credentials file %s: %w", c.path, err)
		}
		c.removeStaleTemps()
		c.f = f
		return nil
	}
}

// sameFile reports whether f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}

// replace writes lines to a temporary file beside the credentials file
// and renames it into place.
func (c *CredentialsFile) replace(lines []CredentialLine) error {
	dir := filepath.Dir(c.path)
	tmp, err := os.CreateTemp(dir, c.tempPattern())
	if err != nil {
		return fmt.Errorf("rewriting the credentials file %s: %w", c.path, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("rewriting the credentials file %s: %w (the file as it was is kept)", c.path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := marshalLines(tmp, lines, true); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("rewriting the credentials file %s: %w (the file as it was is kept)", c.path, err)
	}
	syncDir(dir)
	return nil
}

// tempPattern is the name of the temporary file Close writes (CreateTemp
// puts a random number for the *).
func (c *CredentialsFile) tempPattern() string { return "." + filepath.Base(c.path) + "-*.tmp" }

// removeStaleTemps removes what a run killed in the middle of Close left:
// a temporary copy of the file (the file itself is whole). Call it with
// the lock held.
func (c *CredentialsFile) removeStaleTemps() {
	dir := filepath.Dir(c.path)
	entries, _ := os.ReadDir(dir)
	prefix := "." + filepath.Base(c.path) + "-"
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".tmp") && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// syncDir keeps a file's creation or rename across a power cut (best
// effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// LegacyCredentialsFiles returns the per-run credentials files that
// onboard wrote for the input before it kept one file per input sheet
// (<name>-CREDENTIALS-<time>.csv in dir), so a run can say where older
// passwords are. It never reads or changes them.
func LegacyCredentialsFiles(dir, input string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking for earlier credentials files in %s: %w", dir, err)
	}
	base := strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
	var out []string
	for _, e := range entries {
		n := e.Name()
		if rest, ok := strings.CutPrefix(n, base+"-CREDENTIALS-"); ok && strings.HasSuffix(rest, ".csv") && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out, nil
}

// marshalLines writes lines as CSV with gocsv, every cell made safe for a
// spreadsheet (encodeLine), with the header when asked.
func marshalLines(w io.Writer, lines []CredentialLine, header bool) error {
	enc := make([]CredentialLine, len(lines))
	for i, l := range lines {
		encodeLine(&l)
		enc[i] = l
	}
	cw := gocsv.NewSafeCSVWriter(csv.NewWriter(w))
	if header {
		return gocsv.MarshalCSV(&enc, cw)
	}
	return gocsv.MarshalCSVWithoutHeaders(&enc, cw)
}

// encodeLine makes every text cell of a line safe (encodeCell).
func encodeLine(l *CredentialLine) {
	for _, s := range lineTexts(l) {
		*s = encodeCell(*s)
	}
}

// decodeLine undoes encodeLine.
func decodeLine(l *CredentialLine) {
	for _, s := range lineTexts(l) {
		*s = decodeCell(*s)
	}
}

func lineTexts(l *CredentialLine) []*string {
	return []*string{&l.Sheet, &l.Name, &l.Email, &l.System, &l.Login, &l.Password, &l.Status, &l.Run, &l.Updated, &l.Target, &l.Account}
}

// formulaStart are the first characters that make a spreadsheet read a
// cell as a formula, and the quote that marks a cell made safe.
const formulaStart = "=+-@\t\r'"

// encodeCell keeps a spreadsheet from reading a cell as a formula (a
// leading ' is shown by no spreadsheet) and keeps every line of the file
// on one line (line ends become spaces). Apart from line ends, decodeCell
// gives the text back.
func encodeCell(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

func decodeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}
