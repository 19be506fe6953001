package hires

import (
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Character classes of generated passwords. Look-alikes (I, l, O, 0, 1)
// are left out so a password can be read out loud; the symbols are ones
// every vendor form takes.
const (
	passwordUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	passwordLower   = "abcdefghijkmnopqrstuvwxyz"
	passwordDigits  = "23456789"
	passwordSymbols = "!#%*+-=?@^_"
)

// GeneratePassword returns a random password of the given length (at least
// MinPasswordLength) from r (crypto/rand.Reader in real use) with at least
// one upper-case letter, lower-case letter, digit and symbol. It starts
// with a letter, so a spreadsheet never reads it as a formula.
func GeneratePassword(r io.Reader, length int) (string, error) {
	if length < MinPasswordLength {
		return "", fmt.Errorf("a generated password must have at least %d characters; %d asked", MinPasswordLength, length)
	}
	all := passwordUpper + passwordLower + passwordDigits + passwordSymbols
	pick := func(set string) (byte, error) {
		n, err := rand.Int(r, big.NewInt(int64(len(set))))
		if err != nil {
			return 0, fmt.Errorf("reading random bytes: %w", err)
		}
		return set[n.Int64()], nil
	}
	for attempt := 0; attempt < 100; attempt++ {
		b := make([]byte, length)
		var err error
		if b[0], err = pick(passwordUpper + passwordLower); err != nil {
			return "", err
		}
		for i := 1; i < length; i++ {
			if b[i], err = pick(all); err != nil {
				return "", err
			}
		}
		s := string(b)
		if strings.ContainsAny(s, passwordUpper) && strings.ContainsAny(s, passwordLower) &&
			strings.ContainsAny(s, passwordDigits) && strings.ContainsAny(s, passwordSymbols) {
			return s, nil
		}
	}
	return "", errors.New("the random source gave no password with every kind of character")
}

// CredentialsPath returns where a run's generated passwords went before
// one file per input sheet: dir/<input name>-CREDENTIALS-<time>.csv.
//
// Deprecated: use OpenCredentials (one file per input, kept across runs).
func CredentialsPath(dir, input string, now time.Time) string {
	base := strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
	return filepath.Join(dir, base+"-CREDENTIALS-"+now.Format("20060102-150405")+".csv")
}

// Credentials writes generated passwords to their own CSV file, the only
// place they are ever written (never reports, state or logs). The file is
// created on the first Add that has a generated password, with mode 0600
// from the start and O_EXCL (an existing file is never overwritten or
// appended to), and each Add is synced to disk before it returns, so the
// password is kept before the account is created. Safe for concurrent use.
type Credentials struct {
	path string

	mu sync.Mutex
	f  *os.File
	w  *csv.Writer
	n  int
}

// NewCredentials returns a writer for the file at path (see
// CredentialsPath); nothing is created until a password is added.
//
// Deprecated: use OpenCredentials, whose CredentialsFile reuses a
// password that an earlier run sent but never saw confirmed.
func NewCredentials(path string) *Credentials { return &Credentials{path: path} }

// Path returns the file's path.
func (c *Credentials) Path() string { return c.path }

// Count returns how many passwords have been written.
func (c *Credentials) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

var credentialsHeader = []string{"Sheet", "Row", "First name", "Last name", "Work email", "System", "Login", "Password"}

// Add writes the record's generated passwords (none for a record without
// one) and returns how many it wrote. Call it before sending the record.
func (c *Credentials) Add(d *Derived) (int, error) {
	var rows [][]string
	for _, v := range d.Values {
		if v.Source.Kind != SourceGenerated {
			continue
		}
		p := d.Person
		rows = append(rows, []string{safeCell(p.Sheet), strconv.Itoa(p.Row), safeCell(p.Text(FirstName)), safeCell(p.Text(LastName)),
			safeCell(p.Text(WorkEmail)), vendorLabel(d.Target) + " (" + d.Target.ID + ")", safeCell(d.login()), v.Text})
	}
	if len(rows) == 0 {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		if err := c.create(); err != nil {
			return 0, err
		}
	}
	if err := c.w.WriteAll(rows); err != nil {
		return 0, fmt.Errorf("writing the credentials file %s: %w", c.path, err)
	}
	if err := c.f.Sync(); err != nil {
		return 0, fmt.Errorf("saving the credentials file %s: %w", c.path, err)
	}
	c.n += len(rows)
	return len(rows), nil
}

func (c *Credentials) create() error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("creating the folder for the credentials file: %w", err)
	}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating the credentials file: %w", err)
	}
	c.f, c.w = f, csv.NewWriter(f)
	if err := c.w.Write(credentialsHeader); err != nil {
		return fmt.Errorf("writing the credentials file %s: %w", c.path, err)
	}
	return nil
}

// Close flushes and closes the file, if one was created.
func (c *Credentials) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	c.w.Flush()
	err := c.w.Error()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.f = nil
	if err != nil {
		return fmt.Errorf("closing the credentials file %s: %w", c.path, err)
	}
	return nil
}

// login returns what the person signs in with at the vendor: the
// record's natural key without path fields.
func (d *Derived) login() string {
	for _, k := range d.Target.Key {
		if f := d.Target.Field(k); f != nil && !f.Path {
			return d.Text(k)
		}
	}
	return d.Person.Text(WorkEmail)
}

// safeCell keeps a spreadsheet from reading a name as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
