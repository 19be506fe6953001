package hires

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		pw, err := GeneratePassword(nil2crypto(), 16)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 16 || seen[pw] {
			t.Fatalf("password %d: %q (len %d, repeated %v)", i, pw, len(pw), seen[pw])
		}
		seen[pw] = true
		for _, set := range []string{passwordUpper, passwordLower, passwordDigits, passwordSymbols} {
			if !strings.ContainsAny(pw, set) {
				t.Fatalf("%q has nothing from %q", pw, set)
			}
		}
		if !strings.ContainsRune(passwordUpper+passwordLower, rune(pw[0])) {
			t.Fatalf("%q does not start with a letter", pw)
		}
	}
	if _, err := GeneratePassword(nil2crypto(), 15); err == nil {
		t.Error("a 15-character password was generated")
	}
	if _, err := GeneratePassword(bytes.NewReader(nil), 20); err == nil || !strings.Contains(err.Error(), "reading random bytes") {
		t.Errorf("empty random source: %v", err)
	}
}

// expandTestBatch expands two people of the test plan, with generated
// passwords for Acefone and Fone Dynamics.
func expandTestBatch(t *testing.T) *Batch {
	t.Helper()
	p := mustPlan(t, testPlan)
	people, _ := readPeople(t, p,
		row(map[string]string{"Role": "Sales Agent"}),
		row(map[string]string{"First name": "=Mo", "Work email": "mo@acme.example", "Extension": "102", "Role": "Manager", "Systems": "+acefone"}),
	)
	return p.ExpandAll(people, Options{Defaults: map[string]map[string]string{"fonedynamics": {"PropertySid": "S1"}, "cove": {"PartnerId": "1"}}})
}

func generatedPasswords(b *Batch) []string {
	var out []string
	for _, d := range b.Records {
		for _, v := range d.Values {
			if v.Source.Kind == SourceGenerated {
				out = append(out, v.Text)
			}
		}
	}
	return out
}

func TestGeneratedPasswordsOnlyInCredentialsFile(t *testing.T) {
	b := expandTestBatch(t)
	pws := generatedPasswords(b)
	if len(pws) != 3 { // Acefone for both, Fone Dynamics for the manager
		t.Fatalf("%d generated passwords, want 3", len(pws))
	}
	// Every way the expansion is shown masks them.
	var shown []string
	j, err := json.Marshal(b.Records)
	if err != nil {
		t.Fatal(err)
	}
	shown = append(shown, string(j))
	pj, _ := json.Marshal(b.Problems)
	shown = append(shown, string(pj))
	for _, d := range b.Records {
		shown = append(shown, d.String(), fmt.Sprint(d), fmt.Sprintf("%+v", d), fmt.Sprintf("%#v", d), fmt.Sprint(d.Values),
			fmt.Sprintf("%#v", d.Values), fmt.Sprint(d.Redacted()), fmt.Sprint(d.Record.Redacted()))
	}
	all := strings.Join(shown, "\n")
	for _, pw := range pws {
		if strings.Contains(all, pw) {
			t.Fatalf("generated password %q shown in the expansion's output", pw)
		}
	}
	if !strings.Contains(all, `"password","source":{"kind":"generated"`) || !strings.Contains(all, "password=********") {
		t.Errorf("masked passwords not shown as masked:\n%s", all[:400])
	}

	// They reach the credentials file, created 0600.
	dir := t.TempDir()
	path := CredentialsPath(filepath.Join(dir, "reports"), "in/new-hires.xlsx", time.Date(2025, 3, 3, 9, 15, 0, 0, time.UTC))
	if filepath.Base(path) != "new-hires-CREDENTIALS-20250303-091500.csv" {
		t.Errorf("path = %s", path)
	}
	creds := NewCredentials(path)
	total := 0
	for _, d := range b.Ready() {
		n, err := creds.Add(d)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if err := creds.Close(); err != nil {
		t.Fatal(err)
	}
	if total != 3 || creds.Count() != 3 {
		t.Errorf("wrote %d (Count %d), want 3", total, creds.Count())
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode = %v, want 0600", st.Mode().Perm())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "Sheet,Row,First name,Last name,Work email,System,Login,Password" {
		t.Fatalf("rows = %q", rows)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[7])
	}
	if strings.Join(got, " ") != strings.Join(pws, " ") {
		t.Errorf("file passwords %v, want %v", got, pws)
	}
	if rows[1][6] != "jane.smith" || rows[1][5] != "Acefone (acefone.user)" || rows[2][2] != "'=Mo" {
		t.Errorf("rows = %q", rows)
	}
}

func TestCredentialsFileIsNeverReused(t *testing.T) {
	b := expandTestBatch(t)
	path := filepath.Join(t.TempDir(), "x-CREDENTIALS.csv")
	if err := os.WriteFile(path, []byte("earlier run\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := NewCredentials(path)
	var d *Derived
	for _, r := range b.Records {
		if r.Generated() {
			d = r
			break
		}
	}
	if _, err := creds.Add(d); !errors.Is(err, os.ErrExist) {
		t.Errorf("Add over an existing file: %v", err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "earlier run\n" {
		t.Errorf("existing file changed: %q", data)
	}
	// A record without a generated password creates nothing.
	empty := filepath.Join(t.TempDir(), "none.csv")
	c2 := NewCredentials(empty)
	for _, r := range b.Records {
		if !r.Generated() {
			if n, err := c2.Add(r); n != 0 || err != nil {
				t.Errorf("Add(%s) = %d, %v", r.Target.ID, n, err)
			}
		}
	}
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a credentials file was created without passwords: %v", err)
	}
}
